"""The text layer's values: periods (names, spans, arithmetic) and the one name fold, table-driven."""

from datetime import date

import pytest

from archive.period import Period, day_number, day_to_date, first_day


@pytest.mark.parametrize(
    ("value", "first", "last", "precision"),
    [
        ("2025", date(2025, 1, 1), date(2025, 12, 31), "year"),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29), "month"),  # a leap year's February
        ("2025-12", date(2025, 12, 1), date(2025, 12, 31), "month"),
        ("2025-04-22", date(2025, 4, 22), date(2025, 4, 22), "day"),
        ("2025-W16", date(2025, 4, 14), date(2025, 4, 20), "week"),
        ("2025-W16-WE", date(2025, 4, 19), date(2025, 4, 20), "week"),
        ("2020-W53", date(2020, 12, 28), date(2021, 1, 3), "week"),  # a week across two years
        ("2025-11/2026-01", date(2025, 11, 1), date(2026, 1, 31), "month"),
        ("2024/2025", date(2024, 1, 1), date(2025, 12, 31), "year"),
    ],
)
def test_a_value_names_its_days(value, first, last, precision):
    period = Period.parse(value)
    assert (period.first, period.last, period.precision, str(period)) == (first, last, precision, value)


@pytest.mark.parametrize("value", ["", "25", "2025-13", "2025-02-30", "2025-W54", "April", "2025-04-22x", "2026/2025"])
def test_anything_else_is_refused_quoting_it(value):
    with pytest.raises(ValueError, match="not a period"):
        Period.parse(value)


def test_constructors_agree_with_the_names_they_give():
    for period in (Period.months(2025, 11, 3), Period.week(date(2025, 4, 23)), Period.weekend(date(2025, 4, 19)), Period.year(1999)):
        assert Period.parse(period.value) == period


@pytest.mark.parametrize(
    ("day", "step", "first", "last"),
    [
        (date(2025, 4, 23), "day", date(2025, 4, 23), date(2025, 4, 23)),
        (date(2025, 4, 23), "week", date(2025, 4, 21), date(2025, 4, 27)),
        (date(2025, 4, 23), "month", date(2025, 4, 1), date(2025, 4, 30)),
        (date(2025, 4, 23), "year", date(2025, 1, 1), date(2025, 12, 31)),
    ],
)
def test_the_bucket_holding_a_day(day, step, first, last):
    period = Period.containing(day, step)
    assert (period.first, period.last) == (first, last) and day in period


def test_day_numbers_round_trip_and_take_a_period_by_its_first_day():
    assert day_number("1970-01-01") == 0 and day_to_date(0) == date(1970, 1, 1)
    assert day_number("2025-04") == day_number(date(2025, 4, 1))
    assert day_number("2025-W16-WE") == day_number(date(2025, 4, 19))
    assert day_number("2025-04-22T23:59:00+03:00") == day_number(date(2025, 4, 22))
    assert first_day("not a date") is None and day_number(None) is None
    for n in (-40000, -1, 0, 1, 20200):
        assert day_number(day_to_date(n)) == n
    assert Period.parse("2025-04").days == (day_number("2025-04-01"), day_number("2025-04-30"))


def test_the_name_fold_takes_its_ascii_shortcut_to_the_same_answer():
    """``fold`` skips Unicode decomposition for ASCII names; the answer must be what the full rule gives."""
    import random
    import string
    import unicodedata

    from archive.model import fold

    def full(name: str) -> str:
        decomposed = unicodedata.normalize("NFKD", name)
        stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
        return " ".join("".join(c if c.isalnum() else " " for c in stripped.casefold()).split())

    rng = random.Random(7)
    names = [
        "Jean-Noël Barrot",
        "Zelenskyy",
        "O'Brien  Jr.",
        "",
        "  ",
        "AL-SHARAA",
        *("".join(rng.choice(string.printable) for _ in range(rng.randint(0, 24))) for _ in range(3000)),
    ]
    assert [fold(n) for n in names] == [full(n) for n in names]
