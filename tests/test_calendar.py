"""The statutory calendar: facts from the State Council notices, and arithmetic on them.

Expected values are taken from the notices (国务院办公厅关于某年部分节假日安排的通知), not from the
code under test; each group says which notice.
"""

from __future__ import annotations

import datetime as dt

import pytest

from efficiency_rules import BusinessHours, Calendar, CalendarError, DateNotCoveredError, Duration

D = dt.date
CST = dt.timezone(dt.timedelta(hours=8))


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=CST)


@pytest.fixture(scope="module")
def cal() -> Calendar:
    return Calendar.china()


# 2024 notice (国办发明电〔2023〕7号): 国庆节 10月1日至7日放假调休, 9月29日（周日）、10月12日（周六）上班.
# 2026 notice (国办发明电〔2025〕7号): 春节 2月15日至23日放假调休, 2月14日（周六）、2月28日（周六）上班.
@pytest.mark.parametrize(
    "day",
    [D(2024, 9, 29), D(2024, 10, 12), D(2026, 2, 14), D(2026, 2, 28), D(2024, 2, 4), D(2024, 2, 18), D(2025, 1, 26)],
)
def test_make_up_workdays_on_weekends_are_working_days(cal: Calendar, day: dt.date) -> None:
    assert day.weekday() >= 5
    assert cal.is_working_day(day)
    assert cal.is_makeup_workday(day)
    assert not cal.is_holiday(day)


@pytest.mark.parametrize(
    ("first", "last", "name"),
    [(D(2024, 10, 1), D(2024, 10, 7), "国庆节"), (D(2026, 2, 15), D(2026, 2, 23), "春节"), (D(2025, 1, 28), D(2025, 2, 4), "春节")],
)
def test_holiday_runs_are_days_off(cal: Calendar, first: dt.date, last: dt.date, name: str) -> None:
    day = first
    while day <= last:
        assert not cal.is_working_day(day), day
        assert cal.is_holiday(day), day
        assert name in (cal.holiday_name(day) or "")
        day += dt.timedelta(days=1)
    assert cal.is_working_day(last + dt.timedelta(days=1)) or (last + dt.timedelta(days=1)).weekday() >= 5
    assert not cal.is_holiday(first - dt.timedelta(days=1))


# Working days per year, counted by hand from each notice: weekdays in the year, minus statutory days
# off that fall on weekdays, plus make-up Saturdays and Sundays.
#   2024: 262 weekdays − 19 weekday days off + 8 make-up days (2/4, 2/18, 4/7, 4/28, 5/11, 9/14, 9/29, 10/12) = 251
#   2025: 261 − 18 + 5 (1/26, 2/8, 4/27, 9/28, 10/11) = 248
#   2026: 261 − 19 + 6 (1/4, 2/14, 2/28, 5/9, 9/20, 10/10) = 248
@pytest.mark.parametrize(("year", "working_days"), [(2024, 251), (2025, 248), (2026, 248)])
def test_working_days_per_year(cal: Calendar, year: int, working_days: int) -> None:
    assert cal.working_days_between(D(year - 1, 12, 31), D(year, 12, 31)) == working_days


def test_saturday_2005_12_31_was_a_working_day(cal: Calendar) -> None:
    # 国办发明电〔2005〕35号: "12月31日（星期六）上班" — corrected in our data (chinese-calendar has it off).
    assert cal.is_working_day(D(2005, 12, 31))
    assert cal.is_makeup_workday(D(2005, 12, 31))


def test_ordinary_days(cal: Calendar) -> None:
    assert cal.is_working_day(D(2024, 9, 27))  # Friday
    assert not cal.is_working_day(D(2024, 9, 28))  # Saturday
    assert cal.holiday_name(D(2024, 9, 27)) is None


class TestWorkingDayArithmetic:
    def test_add_crosses_a_make_up_sunday(self, cal: Calendar) -> None:
        assert cal.add_working_days(D(2024, 9, 27), 1) == D(2024, 9, 29)
        assert cal.add_working_days(D(2024, 9, 27), 2) == D(2024, 9, 30)
        assert cal.add_working_days(D(2024, 9, 27), 3) == D(2024, 10, 8)

    def test_add_from_a_day_off(self, cal: Calendar) -> None:
        assert cal.add_working_days(D(2024, 10, 3), 1) == D(2024, 10, 8)
        assert cal.add_working_days(D(2024, 9, 28), 1) == D(2024, 9, 29)

    def test_twenty_working_days_over_national_day(self, cal: Calendar) -> None:
        # Accepted Mon 2024-09-23: 24–27, 29, 30 (6), 8–11 Oct (4), 12 Sat make-up (1), 14–18 (5), 21–24 (4) = 20.
        assert cal.add_working_days(D(2024, 9, 23), 20) == D(2024, 10, 24)

    def test_negatives_count_back(self, cal: Calendar) -> None:
        assert cal.add_working_days(D(2024, 10, 8), -1) == D(2024, 9, 30)
        assert cal.add_working_days(D(2024, 10, 8), -3) == D(2024, 9, 27)
        assert cal.add_working_days(D(2024, 10, 5), -1) == D(2024, 9, 30)  # from a day off
        assert cal.add_working_days(D(2024, 10, 8), 0) == D(2024, 10, 8)

    def test_between(self, cal: Calendar) -> None:
        assert cal.working_days_between(D(2024, 9, 27), D(2024, 10, 8)) == 3
        assert cal.working_days_between(D(2024, 10, 8), D(2024, 9, 27)) == -3
        assert cal.working_days_between(D(2024, 10, 1), D(2024, 10, 7)) == 0
        assert cal.working_days_between(D(2024, 9, 27), D(2024, 9, 27)) == 0

    def test_next_working_day(self, cal: Calendar) -> None:
        assert cal.next_working_day(D(2024, 10, 1)) == D(2024, 10, 8)
        assert cal.next_working_day(D(2024, 10, 8)) == D(2024, 10, 8)
        assert cal.next_working_day(D(2024, 10, 8), inclusive=False) == D(2024, 10, 9)

    def test_days_crossed_for_explanations(self, cal: Calendar) -> None:
        off = cal.days_off_between(D(2024, 9, 27), D(2024, 10, 8))
        assert [d for d, _ in off] == [D(2024, 10, d) for d in range(1, 8)]
        assert [d for d, _ in cal.makeup_workdays_between(D(2024, 9, 1), D(2024, 10, 31))] == [
            D(2024, 9, 14),
            D(2024, 9, 29),
            D(2024, 10, 12),
        ]


class TestNaturalDayPeriods:
    """民法典 arts. 201–203: start day not counted; a last day that is a day off moves to the next working day."""

    def test_start_day_not_counted(self, cal: Calendar) -> None:
        assert cal.add_natural_days(D(2024, 9, 20), 10) == D(2024, 9, 30)

    def test_last_day_on_a_holiday_moves_past_it(self, cal: Calendar) -> None:
        assert cal.add_natural_days(D(2024, 9, 20), 11) == D(2024, 10, 8)

    def test_last_day_on_a_weekend_moves_to_monday(self, cal: Calendar) -> None:
        assert cal.add_natural_days(D(2024, 11, 1), 15) == D(2024, 11, 18)  # Sat 16 → Mon 18

    def test_last_day_on_a_make_up_workday_stays(self, cal: Calendar) -> None:
        assert cal.add_natural_days(D(2024, 10, 2), 10) == D(2024, 10, 12)  # Saturday, but a working day

    def test_roll_can_be_switched_off(self, cal: Calendar) -> None:
        assert cal.add_natural_days(D(2024, 9, 20), 11, roll=False) == D(2024, 10, 1)

    def test_petition_sixty_days(self, cal: Calendar) -> None:
        # 信访工作条例 art. 34: 60 days from acceptance on 2024-08-05 → 2024-10-04 (国庆) → 2024-10-08.
        assert cal.add_natural_days(D(2024, 8, 5), 60) == D(2024, 10, 8)

    def test_negative_length_is_refused(self, cal: Calendar) -> None:
        with pytest.raises(CalendarError, match="negative length"):
            cal.add_natural_days(D(2024, 9, 20), -1)


class TestMonthPeriods:
    def test_month_end_clamping(self, cal: Calendar) -> None:
        assert cal.add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
        assert cal.add_months(D(2023, 1, 31), 1) == D(2023, 2, 28)

    def test_month_period_rolls_off_a_holiday(self, cal: Calendar) -> None:
        assert cal.add_months(D(2024, 9, 1), 1) == D(2024, 10, 8)
        assert cal.add_months(D(2024, 9, 1), 1, roll=False) == D(2024, 10, 1)


class TestWorkingTime:
    def test_business_hours_default(self, cal: Calendar) -> None:
        assert str(cal.business_hours) == "09:00-12:00,13:30-17:30"
        assert cal.business_hours.seconds_per_day == 7 * 3600

    def test_working_time_between_skips_lunch_nights_and_days_off(self, cal: Calendar) -> None:
        assert cal.working_time_between(at(2024, 9, 27, 10), at(2024, 9, 27, 14)) == dt.timedelta(hours=2, minutes=30)
        # Fri 10:00 → Tue 8 Oct 10:00: 6h + Sun 29 (7h) + Mon 30 (7h) + 1h.
        assert cal.working_time_between(at(2024, 9, 27, 10), at(2024, 10, 8, 10)) == dt.timedelta(hours=21)

    def test_working_time_outside_hours_counts_nothing(self, cal: Calendar) -> None:
        assert cal.working_time_between(at(2024, 9, 27, 18), at(2024, 9, 28, 12)) == dt.timedelta(0)
        assert cal.working_time_between(at(2024, 9, 27, 12), at(2024, 9, 27, 13, 30)) == dt.timedelta(0)

    def test_add_working_time_ends_at_close_not_next_opening(self, cal: Calendar) -> None:
        assert cal.add_working_time(at(2024, 9, 27, 9), dt.timedelta(hours=7)) == at(2024, 9, 27, 17, 30)
        assert cal.add_working_time(at(2024, 9, 27, 9), dt.timedelta(hours=3)) == at(2024, 9, 27, 12)
        # Fri 16:00–17:30 is 1.5h; Sat is off; Sun 29 (make-up) 09:00–12:00 is 3h; 0.5h after 13:30.
        assert cal.add_working_time(at(2024, 9, 27, 16), dt.timedelta(hours=5)) == at(2024, 9, 29, 14)

    def test_add_working_time_from_outside_hours(self, cal: Calendar) -> None:
        assert cal.add_working_time(at(2024, 9, 30, 20), dt.timedelta(hours=1)) == at(2024, 10, 8, 10)

    def test_other_timezones_are_read_in_china_time(self, cal: Calendar) -> None:
        utc = dt.datetime(2024, 9, 27, 1, 0, tzinfo=dt.UTC)  # 09:00 in Beijing
        assert cal.working_time_between(utc, at(2024, 9, 27, 10)) == dt.timedelta(hours=1)

    def test_naive_datetime_is_refused(self, cal: Calendar) -> None:
        with pytest.raises(CalendarError, match=r"2024-09-27T10:00:00 has no timezone: pass an aware datetime such as 2024-09-27T10:00:00\+08:00"):
            cal.working_time_between(dt.datetime(2024, 9, 27, 10), at(2024, 9, 27, 11))

    def test_custom_business_hours(self, cal: Calendar) -> None:
        summer = cal.with_business_hours("08:30-12:00,14:30-18:00")
        assert summer.business_hours.seconds_per_day == 7 * 3600
        assert summer.add_working_time(at(2024, 9, 27, 11), dt.timedelta(hours=2)) == at(2024, 9, 27, 15, 30)
        assert cal.business_hours.closing == dt.time(17, 30)  # the original is unchanged


class TestDeadlines:
    MONDAY = at(2024, 9, 23, 10)

    @pytest.mark.parametrize(
        ("amount", "expected"),
        [
            ("1wd", at(2024, 9, 24, 17, 30)),
            ("20wd", at(2024, 10, 24, 17, 30)),
            ("2wd", at(2024, 9, 25, 17, 30)),
            ("2.5wd", at(2024, 9, 26, 14)),  # two days after the start day, then 3.5 of 7 working hours
            ("3wd", at(2024, 9, 26, 17, 30)),
            ("24h", at(2024, 9, 24, 10)),
            ("5h", at(2024, 9, 23, 15)),
            ("7wh", at(2024, 9, 24, 10)),
            ("30min", at(2024, 9, 23, 10, 30)),
            ("10d", at(2024, 10, 8, 17, 30)),  # 3 Oct is a holiday → next working day
            ("1mo", at(2024, 10, 23, 17, 30)),
            ("same_day", at(2024, 9, 23, 17, 30)),
            ("immediate", at(2024, 9, 23, 10)),
        ],
    )
    def test_deadline_by_unit(self, cal: Calendar, amount: str, expected: dt.datetime) -> None:
        assert cal.deadline(self.MONDAY, amount) == expected

    def test_half_day_across_a_holiday(self, cal: Calendar) -> None:
        assert cal.deadline(at(2024, 9, 30, 16), "2.5wd") == at(2024, 10, 10, 14)

    def test_day_end_at_midnight(self, cal: Calendar) -> None:
        assert cal.deadline(self.MONDAY, "10d", day_end="midnight") == at(2024, 10, 9, 0)

    def test_same_day_on_a_day_off_is_the_next_working_day(self, cal: Calendar) -> None:
        assert cal.deadline(at(2024, 10, 3, 10), Duration.parse("same_day")) == at(2024, 10, 8, 17, 30)

    def test_same_day_after_the_close_is_the_next_working_day(self, cal: Calendar) -> None:
        assert cal.deadline(at(2024, 9, 30, 18), "same_day") == at(2024, 10, 8, 17, 30)
        assert cal.deadline(at(2024, 9, 30, 18), "0wd") == at(2024, 10, 8, 17, 30)

    def test_zero_working_time_is_the_start(self, cal: Calendar) -> None:
        assert cal.add_working_time(at(2024, 10, 3, 10), dt.timedelta(0)) == at(2024, 10, 3, 10)

    def test_fractional_deadlines_lie_between_whole_ones(self, cal: Calendar) -> None:
        assert cal.deadline(self.MONDAY, "2wd") < cal.deadline(self.MONDAY, "2.5wd") < cal.deadline(self.MONDAY, "3wd")


class TestCoverage:
    def test_2027_fails_closed_with_instructions(self, cal: Calendar) -> None:
        with pytest.raises(DateNotCoveredError) as info:
            cal.is_working_day(D(2027, 3, 1))
        assert str(info.value) == (
            "2027-03-01 is outside the holiday data, which covers 2004–2026: whether it is a working day "
            "cannot be known, and the calendar does not guess. If the State Council has published the 2027 "
            "holiday arrangement, transcribe it into a year file (YAML: year, notice, holidays, workdays; see "
            "docs/calendar.md) and load it with Calendar.china(extra_years=['china-2027.yaml'])."
        )
        assert info.value.covered == (2004, 2026)
        assert isinstance(info.value, LookupError)

    def test_arithmetic_running_past_the_data_fails_closed(self, cal: Calendar) -> None:
        with pytest.raises(DateNotCoveredError, match="2027-01-01 is outside the holiday data"):
            cal.add_working_days(D(2026, 12, 28), 10)
        with pytest.raises(DateNotCoveredError, match="2027-01-06 is outside"):
            cal.add_natural_days(D(2026, 12, 27), 10)

    def test_dates_before_the_data(self, cal: Calendar) -> None:
        with pytest.raises(DateNotCoveredError, match="2003-06-01 is outside .* Dates before the built-in data"):
            cal.is_working_day(D(2003, 6, 1))


class TestBusinessHours:
    def test_parse_and_validate(self) -> None:
        hours = BusinessHours.parse("09:00-12:00, 14:00-18:00")
        assert hours.seconds_per_day == 7 * 3600
        assert hours.time_at(3 * 3600) == dt.time(12, 0)
        assert hours.time_at(3 * 3600 + 1) == dt.time(14, 0, 1)
        assert hours.elapsed(dt.time(13, 0)) == 3 * 3600

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("9-12", "cannot read business-hours session '9-12': expected HH:MM-HH:MM, e.g. 09:00-12:00"),
            ("12:00-09:00", "session 12:00–09:00 ends before it starts"),
            ("09:00-12:00,11:00-13:00", "session starting 11:00 overlaps or precedes the one before it"),
            ("09:00-25:00", "invalid time in business-hours session '09:00-25:00': hour must be in 0..23"),
        ],
    )
    def test_errors(self, text: str, message: str) -> None:
        with pytest.raises(CalendarError) as info:
            BusinessHours.parse(text)
        assert str(info.value) == message
