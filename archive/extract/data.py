"""Where the extractors' vocabularies are: the built-in ``data/`` folder, and the home folder whose
``topics.toml`` and ``actors.toml`` add to it."""

from __future__ import annotations

import os
from pathlib import Path

DATA_DIR = Path(__file__).with_name("data")

# Set by the outermost layer (the CLI) from the one place that resolves the home folder; extraction
# never reads the environment itself.
_home: list[str] = [""]


def use_home(home: str | os.PathLike[str]) -> None:
    """Take the user's ``topics.toml`` (and ``actors.toml``) from this home folder (the archive's) from now on."""
    _home[0] = os.fspath(home)


def home_folder() -> str:
    """The home folder whose extractor settings are in use ("" for none)."""
    return _home[0]
