"""The reader registry: choosing a reader, walking folders, size caps, unreadable paths."""

import os

import pytest
from conftest import DATA

from archive.readers import ReadError, iter_sources, read_bytes, read_inputs, read_path


def test_unknown_suffix_is_rejected_naming_it():
    with pytest.raises(ReadError) as caught:
        read_path(DATA / "batch" / "report.pdf")
    assert "unknown file type '.pdf'" in caught.value.reason
    assert ".txt" in caught.value.reason and ".jsonl" in caught.value.reason


def test_no_suffix_is_sniffed(tmp_path):
    path = tmp_path / "article"
    path.write_bytes(b'{"text": "Sniffed as JSON.", "title": "t"}\n')
    assert read_path(path).articles[0].title == "t"
    path.write_bytes(b"Plain words in a file.\n")
    assert read_path(path).articles[0].text == "Plain words in a file.\n"


def test_size_cap(tmp_path):
    big = tmp_path / "big.html"
    big.write_bytes(b"<html><body><p>" + b"x" * (20 * 1024 * 1024) + b"</p></body></html>")
    with pytest.raises(ReadError, match="too large"):
        read_path(big)
    with pytest.raises(ReadError, match="over the 500-byte limit"):
        read_path(DATA / "batch" / "mixed_lines.jsonl", max_bytes=500)


def test_missing_and_broken_paths(tmp_path):
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    results = list(read_inputs([tmp_path / "absent.txt", tmp_path / "dangling.txt"]))
    assert [r.reason for r in results] == ["no such file or folder", "broken symbolic link"]


def test_folder_walk_is_recursive_sorted_and_survives_symlink_loops(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "two.txt").write_text("Two.\n")
    (tmp_path / "one.txt").write_text("One.\n")
    (tmp_path / ".hidden.txt").write_text("Hidden.\n")
    (tmp_path / "b" / "loop").symlink_to(tmp_path, target_is_directory=True)
    found = list(iter_sources([tmp_path]))
    files = [os.path.relpath(f, tmp_path) for f in found if isinstance(f, str)]
    loops = [f for f in found if isinstance(f, ReadError)]
    assert files == ["one.txt", os.path.join("b", "two.txt")]
    assert len(loops) == 1 and "symbolic link loop" in loops[0].reason


def test_read_path_records_absolute_path():
    article = read_path(DATA / "batch" / "good.txt").articles[0]
    assert os.path.isabs(article.path) and article.path.endswith("good.txt")


def test_stdin_name_sniffs_content():
    assert read_bytes(b"A story from standard input.\n", "-").articles[0].text.startswith("A story")


def test_a_file_whose_size_the_system_does_not_know_is_read_whole(tmp_path):
    """Files in /proc say they hold 0 bytes: reading goes on past the size the file system gave."""
    status = "/proc/self/status"
    if not os.path.isfile(status) or os.path.getsize(status) != 0:
        pytest.skip("needs a /proc file that reports no size")
    text = read_path(status).articles[0].text
    assert "Pid:" in text
    with pytest.raises(ReadError, match="over the 100-byte limit"):
        read_path(status, max_bytes=100)
