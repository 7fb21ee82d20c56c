"""decode_text, the one charset rule of every reader: BOMs, declared charsets (right and wrong),
Windows-1252 smart quotes, and bytes that decode in no encoding."""

import codecs

import pytest

from archive.readers.base import ReadError, codec_for, decode_text

RUSSIAN = "Министерство иностранных дел заявило в понедельник, что переговоры продолжатся."
GERMAN = "Die Außenminister der Europäischen Union haben sich am Montag in Brüssel getroffen."
QUOTE = "“We will not accept any ceasefire,” the minister said – for now."
WESTERN = (
    "The minister’s aide said the “ceasefire” would hold – for now. Café owners in Kharkiv reopened; "
    "the €2.5 billion package is “a start”, said Jean-Noël Barrot."
)


def page(body: bytes, head: bytes = b"") -> bytes:
    return b"<!DOCTYPE html><html><head>" + head + b"<title>t</title></head><body><p>" + body + b"</p></body></html>"


@pytest.mark.parametrize(
    ("data", "text"),
    [
        (codecs.BOM_UTF8 + RUSSIAN.encode("utf-8"), RUSSIAN),
        (codecs.BOM_UTF16_LE + RUSSIAN.encode("utf-16-le"), RUSSIAN),
        (codecs.BOM_UTF16_BE + RUSSIAN.encode("utf-16-be"), RUSSIAN),
        (codecs.BOM_UTF32_LE + RUSSIAN.encode("utf-32-le"), RUSSIAN),
        (codecs.BOM_UTF32_BE + RUSSIAN.encode("utf-32-be"), RUSSIAN),
        # a BOM wins over a declaration that says otherwise
        (codecs.BOM_UTF8 + b'<meta charset="windows-1251">' + RUSSIAN.encode("utf-8"), '<meta charset="windows-1251">' + RUSSIAN),
    ],
)
def test_a_byte_order_mark_wins_and_is_dropped(data: bytes, text: str) -> None:
    notes: list[str] = []
    assert decode_text(data, "x", notes=notes, html=True) == text
    assert decode_text(data, "x") == text
    assert notes == []


@pytest.mark.parametrize(
    ("head", "body", "needle"),
    [
        (b'<meta charset="windows-1251">', RUSSIAN.encode("cp1251"), RUSSIAN),
        (b'<meta http-equiv="Content-Type" content="text/html; charset=koi8-r">', RUSSIAN.encode("koi8_r"), RUSSIAN),
        (b"<meta charset=ISO-8859-1>", QUOTE.encode("cp1252"), QUOTE),  # ISO-8859-1 means Windows-1252 (WHATWG)
        (b'<meta charset="gb2312">', "全体演员——兄弟".encode("gb18030"), "全体演员——兄弟"),  # GB2312 means GB18030
    ],
)
def test_a_page_is_read_in_the_charset_it_declares(head: bytes, body: bytes, needle: str) -> None:
    notes: list[str] = []
    assert needle in decode_text(page(body, head), "x", notes=notes, html=True)
    assert notes == []


def test_an_xml_declaration_opening_a_page_declares_its_charset() -> None:
    data = b'<?xml version="1.0" encoding="iso-8859-2"?>\n' + page("Łódź i Wrocław".encode("iso-8859-2"))
    assert "Łódź i Wrocław" in decode_text(data, "x", html=True)


@pytest.mark.parametrize(
    ("data", "declared", "needle", "notes"),
    [
        # declared Latin-1 but valid UTF-8: UTF-8 (Latin-1 text never forms valid multi-byte sequences)
        (page(GERMAN.encode("utf-8"), b'<meta charset="iso-8859-1">'), None, GERMAN, []),
        # declared UTF-8 but not UTF-8: read as what it is, and said so
        (page(GERMAN.encode("cp1252"), b'<meta charset="utf-8">'), None, GERMAN, ["no encoding declared and not UTF-8: read as cp1252 (detected)"]),
        # declared UTF-16 in a page readable as ASCII: a lie the page disproves
        (page(b"Talks resume.", b'<meta charset="utf-16">'), None, "Talks resume.", []),
        # a declared name that is no text encoding is no declaration
        (page(GERMAN.encode("cp1252"), b'<meta charset="rot13">'), None, GERMAN, ["no encoding declared and not UTF-8: read as cp1252 (detected)"]),
        # a feed's prolog says windows-1251 but the bytes are KOI8-R: the declaration fails, and the note says so
        (
            RUSSIAN.encode("koi8_r") + b"\x98",
            "windows-1251",
            RUSSIAN,
            ["not valid in its declared encoding 'windows-1251'", "no encoding declared and not UTF-8: read as koi8_r (detected)"],
        ),
    ],
)
def test_a_wrong_declaration_does_not_win(data: bytes, declared: str | None, needle: str, notes: list[str]) -> None:
    found: list[str] = []
    assert needle in decode_text(data, "x", declared, found, html=declared is None)
    assert found == notes


@pytest.mark.parametrize("html", [False, True])
def test_undeclared_windows_1252_smart_quotes(html: bool) -> None:
    notes: list[str] = []
    data = page(WESTERN.encode("cp1252")) if html else WESTERN.encode("cp1252")
    assert WESTERN in decode_text(data, "x", notes=notes, html=html)
    assert notes == ["no encoding declared and not UTF-8: read as cp1252 (detected)"]


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (codecs.BOM_UTF8 + b"Talks \xff\xfe resume.", "utf-8"),
        (codecs.BOM_UTF16_LE + "Talks resume.".encode("utf-16-le") + b"\x00\xd8", "utf-16le"),  # a lone surrogate
    ],
)
def test_bytes_invalid_behind_a_bom_are_replaced_and_said_so(data: bytes, encoding: str) -> None:
    notes: list[str] = []
    text = decode_text(data, "x", notes=notes)
    assert text.startswith("Talks ") and "\ufffd" in text
    assert notes == [f"bytes that are not valid {encoding} were replaced with U+FFFD"]


@pytest.mark.parametrize("html", [False, True])
def test_bytes_windows_1252_leaves_undefined_are_read_in_a_named_guess(html: bool) -> None:
    # 0x81 is undefined in Windows-1252: the text is read in the code page the note names, all of it
    data = WESTERN.encode("cp1252").replace(b" for now.", b" \x81 for now.", 1)
    data = page(data) if html else data
    notes: list[str] = []
    text = decode_text(data, "x", notes=notes, html=html)
    (note,) = notes
    assert note.startswith("no encoding declared and not UTF-8: read as ")
    assert text == data.decode(note.removeprefix("no encoding declared and not UTF-8: read as ").removesuffix(" (detected)"))


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file: nothing to read"),
        (b" \n\t", "empty file: nothing to read"),
        (b"\x00\x01\x02binary\x00" * 20, "binary file: not text, HTML, a feed or JSON"),
    ],
)
def test_what_is_not_text_is_rejected_saying_why(data: bytes, reason: str) -> None:
    with pytest.raises(ReadError) as caught:
        decode_text(data, "x")
    assert caught.value.reason == reason


def test_line_endings_become_newlines() -> None:
    assert decode_text(b"one\r\ntwo\rthree\n", "x") == "one\ntwo\nthree\n"


@pytest.mark.parametrize(
    ("label", "codec"),
    [("ISO-8859-1", "cp1252"), (" 'utf-8' ", "utf-8"), ("gbk", "gb18030"), ("koi8-u", "koi8-u"), ("rot13", None), ("zlib", None), ("nope", None)],
)
def test_codec_for_reads_labels_as_browsers_do(label: str, codec: str | None) -> None:
    assert codec_for(label) == codec
