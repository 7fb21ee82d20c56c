"""Shared fixtures: real stores on temporary home folders, paths to test data and ../shared."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from archive.store import Store

DATA = Path(__file__).parent / "data"
PROJECT = Path(__file__).resolve().parents[1]


def shared_folder() -> Path | None:
    """The read-only ../shared folder beside the checkout (CI has it), or None."""
    for candidate in (PROJECT.parent / "shared", Path(os.environ.get("PARLEY_SHARED", "/nonexistent")), Path("/work/shared")):
        if (candidate / "eval" / "score.py").exists():
            return candidate
    return None


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def store(home: Path):
    with Store(home) as s:
        yield s


@pytest.fixture
def shared() -> Path:
    folder = shared_folder()
    if folder is None:
        pytest.skip("../shared (gold corpora and scorer) is not beside this checkout")
    return folder
