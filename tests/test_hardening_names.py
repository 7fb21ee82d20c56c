"""Hostile file names (issue 15, items 1 and 10): names that are not UTF-8, and names with control characters.

A name that is not UTF-8 must not stop a batch: it is stored with its odd bytes written as ``\\xNN`` and
the batch goes on.  A name with a newline, ESC or BEL must be printed escaped, so it can neither forge a
line of the summary nor send the terminal a command.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from click.testing import CliRunner

from archive.store import Store
from cli.app import cli

ARTICLE = "---\ntitle: {title}\n---\nDmitry Peskov said on Monday that talks in {place} would continue.\n"


def parley(home: Path, *args: str):
    return CliRunner().invoke(cli, ["--home", str(home), *args], catch_exceptions=False)


def write(folder: Path, raw_name: bytes, text: str | bytes) -> None:
    path = os.path.join(os.fsencode(folder), raw_name)
    with open(path, "wb") as handle:
        handle.write(text if isinstance(text, bytes) else text.encode())


def test_a_latin1_file_name_does_not_stop_the_batch(tmp_path):
    folder = tmp_path / "feed"
    folder.mkdir()
    write(folder, b"a.txt", ARTICLE.format(title="A", place="Riyadh"))
    write(folder, b"b_caf\xe9.txt", ARTICLE.format(title="B", place="Geneva"))
    write(folder, b"c.txt", ARTICLE.format(title="C", place="Istanbul"))
    write(folder, b"d_r\xe9jet\xe9.txt", b"")  # rejected (empty): its name is recorded too
    home = tmp_path / "home"
    result = parley(home, "ingest", "--json", str(folder))
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["added"] == 3
    assert [r["source"] for r in summary["rejected"]] == [os.path.join(str(folder), "d_r\\xe9jet\\xe9.txt")]
    with Store(home) as store:
        paths = sorted(e.article.path for e in store)
        assert paths == sorted(os.path.join(str(folder), n) for n in ("a.txt", "b_caf\\xe9.txt", "c.txt"))
        assert store.rejections()[0].source.endswith("d_r\\xe9jet\\xe9.txt")
    assert parley(home, "verify").exit_code == 0
    shown = parley(home, "stats")
    assert shown.exit_code == 0 and "d_r\\xe9jet\\xe9.txt" in shown.stdout


def test_control_characters_in_names_are_printed_escaped(tmp_path):
    folder = tmp_path / "feed"
    folder.mkdir()
    title_escape = b"\x1b]0;pwned\x07"
    write(folder, b"x" + title_escape + b".txt", b"")  # rejected: empty
    write(folder, b"y\n0 added (0 statements), 0 duplicates.txt", b"")
    home = tmp_path / "home"
    result = parley(home, "ingest", str(folder))
    assert result.exit_code == 0
    for output in (result.stdout, result.stderr, parley(home, "stats").stdout):
        assert "\x1b" not in output and "\x07" not in output
    assert "x\\x1b]0;pwned\\x07.txt" in result.stderr
    lines = (result.stdout + result.stderr).splitlines()
    assert sum(line.startswith("0 added") for line in lines) == 1, "a file name forged a summary line"
    assert "y\\n0 added" in result.stderr
