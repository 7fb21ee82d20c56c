"""Date extraction: mentions, offsets, values and precision, resolved against publication."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from archive.extract.dates import date_near, find_dates, tense_near
from archive.extract.sentences import sentence_bounds
from archive.model import DateRef

DATA = Path(__file__).parent / "data" / "dates"
SHARED = Path(__file__).resolve().parents[2] / "shared"
TUESDAY = date(2025, 4, 22)  # publication date of the seed article (ISO week 17)


def found(text: str, published: date | None = TUESDAY) -> list[tuple[str, str | None, str | None]]:
    return [(d.text, d.value, d.precision) for d in find_dates(text, published)]


# (text, published, expected [(mention, value, precision)])
CASES = [
    # absolute, every common news form
    ("It was signed on April 22, 2025.", TUESDAY, [("April 22, 2025", "2025-04-22", "day")]),
    ("It was signed on 22 April 2025.", TUESDAY, [("22 April 2025", "2025-04-22", "day")]),
    ("It was signed on Apr. 22, 2025.", TUESDAY, [("Apr. 22, 2025", "2025-04-22", "day")]),
    ("It was signed on the 3rd of May 2024.", TUESDAY, [("the 3rd of May 2024", "2024-05-03", "day")]),
    ("Filed 2025-04-22 in Kyiv.", TUESDAY, [("2025-04-22", "2025-04-22", "day")]),
    ("Filed on 22/04/2025.", TUESDAY, [("22/04/2025", "2025-04-22", "day")]),
    ("Chosen to match 7/8/07.", TUESDAY, [("7/8/07", "2007-07-08", "day")]),
    ("Friday, July 21, 2017", TUESDAY, [("Friday, July 21, 2017", "2017-07-21", "day")]),
    ("It started in March 2024.", TUESDAY, [("March 2024", "2024-03", "month")]),
    ("It started in 2019.", TUESDAY, [("2019", "2019", "year")]),
    ("Talks resume March 5.", TUESDAY, [("March 5", "2025-03-05", "day")]),
    ("Talks resumed 11 December.", date(2010, 1, 25), [("11 December", "2009-12-11", "day")]),
    ("Fighting eased by mid-April.", TUESDAY, [("mid-April", "2025-04", "month")]),
    ("Output fell in October.", date(2004, 11, 24), [("October", "2004-10", "month")]),
    ("It opened in early 2009.", TUESDAY, [("early 2009", "2009", "year")]),
    ("Music of the 1960s.", TUESDAY, [("1960s", "1960/1969", "year")]),
    ("Art of the 20th century.", TUESDAY, [("the 20th century", "1900/1999", "year")]),
    ("Prices rose last summer.", date(2023, 2, 23), [("last summer", "2022-06/2022-08", "month")]),
    # relative: weekdays, tense deciding direction
    ("In a televised interview aired Monday, Putin spoke.", TUESDAY, [("Monday", "2025-04-21", "day")]),
    ("Talks are expected in London on Wednesday.", TUESDAY, [("on Wednesday", "2025-04-23", "day")]),
    ("Envoys met in London on Wednesday.", TUESDAY, [("on Wednesday", "2025-04-16", "day")]),
    ("Drones attacked overnight on Tuesday.", TUESDAY, [("overnight on Tuesday", "2025-04-22", "day")]),
    ("He spoke last Tuesday.", TUESDAY, [("last Tuesday", "2025-04-15", "day")]),
    ("They meet next Monday.", TUESDAY, [("next Monday", "2025-04-28", "day")]),
    ("They will meet Sunday.", TUESDAY, [("Sunday", "2025-04-27", "day")]),
    # relative phrases
    (
        "It happened yesterday, not today; more tomorrow.",
        TUESDAY,
        [("yesterday", "2025-04-21", "day"), ("today", "2025-04-22", "day"), ("tomorrow", "2025-04-23", "day")],
    ),
    ("He proposed it over the weekend.", TUESDAY, [("over the weekend", "2025-W16-WE", "week")]),
    ("A meeting in Paris last week.", TUESDAY, [("last week", "2025-W16", "week")]),
    ("They meet this week and next week.", TUESDAY, [("this week", "2025-W17", "week"), ("next week", "2025-W18", "week")]),
    ("Prices fell last month and earlier this month.", TUESDAY, [("last month", "2025-03", "month"), ("earlier this month", "2025-04", "month")]),
    ("Sales fell last year.", TUESDAY, [("last year", "2024", "year")]),
    ("It began three days ago.", TUESDAY, [("three days ago", "2025-04-19", "day")]),
    ("It began two weeks ago.", TUESDAY, [("two weeks ago", "2025-W15", "week")]),
    ("Seventeen years ago it began.", date(2017, 7, 18), [("Seventeen years ago", "2000", "year")]),
    # no publication date: found, never guessed
    ("Putin spoke on Monday and last week.", None, [("on Monday", None, None), ("last week", None, None)]),
    ("Signed April 22, 2025, effective March 5.", None, [("April 22, 2025", "2025-04-22", "day"), ("March 5", None, None)]),
]


@pytest.mark.parametrize(("text", "published", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_find_dates(text: str, published: date | None, expected: list[tuple[str, str | None, str | None]]) -> None:
    assert found(text, published) == expected


def test_offsets_index_the_text_and_ranges_bound_the_period() -> None:
    text = "Zelenskyy’s proposal over the weekend was discussed last week."
    refs = find_dates(text, TUESDAY)
    assert [text[d.start : d.end] for d in refs] == ["over the weekend", "last week"]  # type: ignore[misc]
    assert (refs[0].range_start, refs[0].range_end) == ("2025-04-19", "2025-04-20")
    assert (refs[1].range_start, refs[1].range_end) == ("2025-04-14", "2025-04-20")


def test_durations_holidays_and_numbers_are_not_dates() -> None:
    assert find_dates((DATA / "not_dates.txt").read_text(encoding="utf-8"), TUESDAY) == []


def test_dateline_article() -> None:
    text = (DATA / "dateline_and_quotes.txt").read_text(encoding="utf-8")
    assert found(text, date(2017, 7, 18)) == [
        ("Friday, July 21, 2017", "2017-07-21", "day"),
        ("on Tuesday", "2017-07-18", "day"),
        ("last week", "2017-W28", "week"),
        ("on Sunday", "2017-07-23", "day"),
    ]


def test_mentions_are_sorted_and_do_not_overlap() -> None:
    text = "On Monday, April 21, 2025, and in March 2024 and 2019, yesterday and last week."
    refs = find_dates(text, TUESDAY)
    spans = [(d.start, d.end) for d in refs]
    assert spans == sorted(spans)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))
    assert refs[0].text == "Monday, April 21, 2025"


@pytest.mark.parametrize(
    ("text", "tense"),
    [
        ("Talks are expected in London on Wednesday.", "future"),
        ("Talks will take place on Wednesday.", "future"),
        ("The interview aired Monday.", "past"),
        ("Envoys met on Wednesday.", None),
    ],
)
def test_tense_near(text: str, tense: str | None) -> None:
    start = text.index(" on ") + 1 if " on " in text else text.index("Monday")
    assert tense_near(text, start, start + 5) == tense


def test_sentence_bounds_skip_abbreviations() -> None:
    text = "Pressure is mounting. U.S. President Donald Trump warned on Monday. Then nothing."
    start = text.index("Trump")
    assert text[slice(*sentence_bounds(text, start))] == "U.S. President Donald Trump warned on Monday."


SEED_TEXT = (
    "In a televised interview aired Monday, Putin stated he held a “positive attitude towards any peace "
    "initiatives,” expressing hope. The remarks follow Zelenskyy’s proposal over the weekend for a month-long "
    "ceasefire. Trump warned that Washington may scale back. However, Trump appeared hopeful on Monday, "
    "suggesting a peace deal might be reached within days. Ukraine’s air force reported that Russia deployed "
    "54 drones in attacks overnight on Tuesday."
)


@pytest.mark.parametrize(
    ("quote", "expected"),
    [
        ("positive attitude towards any peace initiatives", "Monday"),
        ("a month-long ceasefire", "over the weekend"),
        ("Washington may scale back", None),
        ("a peace deal might be reached within days", "on Monday"),
        ("Russia deployed 54 drones in attacks overnight on Tuesday", "overnight on Tuesday"),
    ],
)
def test_date_near(quote: str, expected: str | None) -> None:
    dates = find_dates(SEED_TEXT, TUESDAY)
    start = SEED_TEXT.index(quote)
    ref = date_near(dates, start, start + len(quote), SEED_TEXT)
    assert (ref.text if ref else None) == expected


def test_date_near_prefers_the_date_before_the_cue() -> None:
    text = "On Monday, he said the talks would resume on Friday."
    dates = find_dates(text, TUESDAY)
    start = text.index("the talks")
    assert date_near(dates, start, len(text) - 1, text, cue_start=text.index("said")) == dates[0]
    assert isinstance(dates[0], DateRef)


def test_abbreviated_month_with_full_stop_at_sentence_end():
    """'June.' at the end of a sentence once crashed the month lookup (KeyError 'June.')."""
    found = find_dates("The talks were held last June. Then they stopped.", date(2025, 4, 22))
    assert [(d.text, d.value) for d in found] == [("last June", "2024-06")]


# Each pattern is found from cheap keys (archive/extract/keyscan.py); the result must be exactly finditer's.
SCAN_TEXTS = [
    "Friday, July 21, 2017 and the 3rd of May 2024; Apr. 22 or 22 April, mid-April, the end of May 2024.",
    "last March, this past October, next May; in May, May I, June Carter; Mayor. 2025-04-22, 22/04/2025, 7.8.07",
    "In the 1960s, the mid-1990s, early 2009, the Twenties, the nineties and parties; the 20th century.",
    "Last summer, this past winter 2022, fall, springs; two weeks ago, [three] days ago, a couple of years ago.",
    "Yesterday, today; USA Today. The day before yesterday, this past weekend, earlier this week, the past month.",
    "Overnight on Tuesday, late last Friday, Good Friday, this coming Monday; Mondays. 1999 people, in 1999.",
    "On\n\n  Monday   the\t5 of  May,   2024.  İstanbul talks resumed ſummer 2023, TODAY and Tomorrow.",
    "",
]


@pytest.mark.parametrize("text", SCAN_TEXTS)
def test_key_scans_find_what_finditer_finds(text: str) -> None:
    from archive.extract.dates import _patterns, _Scan

    scan = _Scan(text)
    for name, pattern in _patterns().items():
        assert [m.span() for m in scan.finditer(name)] == [m.span() for m in pattern.finditer(text)], name


@pytest.mark.parametrize(
    ("text", "pos", "initial"),
    [
        ("Today it rained.", 0, True),
        ("It rained. Today it rained.", 11, True),
        ('He said: "Today it rained."', 10, True),
        ("He said:  Today", 10, True),
        ("(Today)", 1, True),
        ("USA Today", 4, False),
        ("Trees for \tTomorrow", 11, False),
    ],
)
def test_sentence_initial(text: str, pos: int, initial: bool) -> None:
    from archive.extract.dates import _sentence_initial

    assert _sentence_initial(text, pos) is initial


def test_sentences_sharing_tense_cues() -> None:
    # both dates sit in one sentence: its cues are found once and each date measures its own distance
    text = "Talks will resume on Wednesday, the envoys said on Monday."
    wednesday, monday = text.index("Wednesday"), text.index("Monday")
    assert tense_near(text, wednesday, wednesday + 9) == "future"
    assert tense_near(text, monday, monday + 6) == "past"


def test_titles_and_month_abbreviations_do_not_end_a_sentence():
    from archive.extract.sentences import sentence_bounds

    text = "He met Mr. Smith and Gen. Syrskyi in Washington. The U.S. Army said on Jan. 5 it was over. Next one."
    sentences = [text[slice(*sentence_bounds(text, text.index(word)))] for word in ("met", "Army", "Next")]
    assert sentences == ["He met Mr. Smith and Gen. Syrskyi in Washington.", "The U.S. Army said on Jan. 5 it was over.", "Next one."]


def test_literal_keys_start_every_occurrence() -> None:
    from archive.extract.keyscan import Literals

    # overlaps too: "night" inside "tonight", "week" at the start of "weekend"
    assert Literals(["night", "tonight", "week", "weekend"]).starts("tonight, a weekend") == [0, 2, 11]
    assert Literals(["fall"]).starts("") == []
