"""Cross-check of the built-in calendar against an independent source, every day of 2004–2026.

The `holidays` package transcribes the same State Council notices independently of
`chinese-calendar`. Where the two disagreed, the official notice decided and the correction is
in `_calendar_data._CORRECTIONS`; this test keeps both sources honest as either is updated.
"""

from __future__ import annotations

import datetime as dt

import pytest

from efficiency_rules import Calendar

holidays = pytest.importorskip("holidays")

# Days where we knowingly differ from the `holidays` package, with the notice that decides.
KNOWN_DIFFERENCES: dict[dt.date, str] = {}


def test_every_day_of_2004_to_2026_agrees_with_the_holidays_package() -> None:
    calendar = Calendar.china()
    reference = holidays.country_holidays("CN", years=range(2003, 2028))
    disagreements = []
    day = dt.date(2004, 1, 1)
    while day <= dt.date(2026, 12, 31):
        ours, theirs = calendar.is_working_day(day), reference.is_working_day(day)
        if ours != theirs and day not in KNOWN_DIFFERENCES:
            disagreements.append(f"{day} {day:%a}: ours {'working' if ours else 'off'}, holidays package "
                                 f"{'working' if theirs else 'off'} ({reference.get(day)})")
        day += dt.timedelta(days=1)
    assert disagreements == []


def test_the_correction_is_needed_against_chinese_calendar_itself() -> None:
    """chinese-calendar alone has 2005-12-31 off; if it is fixed upstream, the correction can go."""
    import chinese_calendar

    assert chinese_calendar.is_workday(dt.date(2005, 12, 31)) is False
    assert Calendar.china().is_working_day(dt.date(2005, 12, 31)) is True
