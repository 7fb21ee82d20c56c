"""archive.dateparse: the one parser of dates written by others."""

from datetime import date, datetime

import pytest
from dateutil import parser as dateutil_parser

from archive.dateparse import parse_date


@pytest.mark.parametrize("text", ["2025-04-22", "2025-01-05", "1999-12-31", " 2024-02-29 ", "2025-4-2", "April 22, 2025", "Tue, 22 Apr 2025 10:00:00 GMT"])
def test_a_date_reads_as_dateutil_reads_it(text):
    assert parse_date(text) == dateutil_parser.parse(text.strip(), default=datetime(1, 1, 1)).date()


@pytest.mark.parametrize("text", ["2025-02-30", "2025-13-01", "0001-01-01", "1700-06-01", "2201-01-01", "", "soon"])
def test_impossible_and_implausible_dates_are_refused_naming_the_input(text):
    with pytest.raises(ValueError, match="not a date"):
        parse_date(text)


def test_day_first_reads_iso_days_as_dateutil_does():
    """Only the month-first reading of an ISO day takes the fast path: dayfirst keeps dateutil's reading."""
    assert parse_date("2025-04-05") == date(2025, 4, 5)
    assert parse_date("2025-04-05", dayfirst=True) == dateutil_parser.parse("2025-04-05", dayfirst=True).date()
