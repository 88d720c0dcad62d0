"""Properties of working-day arithmetic that must hold for every day the calendar covers."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from efficiency_rules import Calendar

CAL = Calendar.china()
CST = dt.timezone(dt.timedelta(hours=8))
# Leave room at the end of the data so that adding up to 250 working days stays covered.
# Leave room at the start too, for counting back.
days = st.dates(min_value=dt.date(2005, 1, 1), max_value=dt.date(2025, 12, 31))
counts = st.integers(min_value=0, max_value=250)
moments = st.builds(
    lambda d, minutes: dt.datetime.combine(d, dt.time(0), CST) + dt.timedelta(minutes=minutes),
    days,
    st.integers(min_value=0, max_value=24 * 60 - 1),
)


@given(days, counts)
def test_adding_then_counting_back_gives_n(start: dt.date, n: int) -> None:
    assert CAL.working_days_between(start, CAL.add_working_days(start, n)) == n


@given(days, st.integers(min_value=1, max_value=250))
def test_result_is_always_a_working_day(start: dt.date, n: int) -> None:
    assert CAL.is_working_day(CAL.add_working_days(start, n))
    assert CAL.is_working_day(CAL.add_working_days(start, -n))


@given(days, counts, counts)
def test_adding_is_monotonic(start: dt.date, m: int, n: int) -> None:
    if m <= n:
        assert CAL.add_working_days(start, m) <= CAL.add_working_days(start, n)


@given(days, st.integers(min_value=1, max_value=250))
def test_going_forward_and_back_from_a_working_day_returns(start: dt.date, n: int) -> None:
    start = CAL.next_working_day(start)
    assert CAL.add_working_days(CAL.add_working_days(start, n), -n) == start


@given(days, st.integers(min_value=0, max_value=365))
def test_natural_day_periods_never_end_on_a_day_off(start: dt.date, n: int) -> None:
    end = CAL.add_natural_days(start, n)
    assert CAL.is_working_day(end)
    assert not CAL.is_holiday(end)
    # It ends on the plain end date unless that is a day off, and never later than needed.
    plain = start + dt.timedelta(days=n)
    assert end >= plain
    assert CAL.working_days_between(plain, end) == (0 if end == plain else 1)


@given(days, days)
def test_between_is_antisymmetric_and_matches_a_slow_count(a: dt.date, b: dt.date) -> None:
    assert CAL.working_days_between(a, b) == -CAL.working_days_between(b, a)
    lo, hi = min(a, b), max(a, b)
    if (hi - lo).days <= 400:  # the slow count, day by day, as a reference
        slow = sum(CAL.is_working_day(lo + dt.timedelta(days=i)) for i in range(1, (hi - lo).days + 1))
        assert abs(CAL.working_days_between(a, b)) == slow


@given(moments, st.integers(min_value=0, max_value=7 * 3600 * 60))
def test_working_time_round_trips(start: dt.datetime, seconds: int) -> None:
    end = CAL.add_working_time(start, dt.timedelta(seconds=seconds))
    assert end >= start
    assert (end == start) == (seconds == 0)
    assert CAL.working_time_between(start, end) == dt.timedelta(seconds=seconds)


@given(moments, st.sampled_from(["1wd", "2wd", "2.5wd", "5wd", "10d", "1mo", "24h", "7wh", "same_day"]))
def test_deadlines_never_precede_the_start(start: dt.datetime, amount: str) -> None:
    assert CAL.deadline(start, amount) >= start
