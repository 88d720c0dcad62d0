"""The working-time calendar: working days under the statutory arrangement, and periods on them.

Every deadline the library computes is computed here. The calendar is built once into an
index over the covered days (whether each day is a working day, and how many working days
precede it), so every operation is a few array look-ups: O(1), never a day-by-day loop.
Dates outside the covered years fail closed with :class:`DateNotCoveredError`.

Counting follows 民法典 arts. 201–203: the day a period starts is not counted; a period whose
last day is a day off (法定休假日: a statutory holiday or a weekly rest day) ends on the next
working day; the last day ends at the close of business.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from decimal import ROUND_CEILING, Decimal
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from ._business_hours import BusinessHours
from ._calendar_data import YearArrangement, builtin_china_years, load_year_file
from ._duration import Duration, TimeUnit
from ._errors import CalendarError, DateNotCoveredError

__all__ = ["Calendar"]

DayEnd = Literal["close", "midnight"]
_DAY = dt.timedelta(days=1)


class Calendar:
    """Working days and working time on a statutory holiday arrangement.

    Build the Chinese calendar with :meth:`china`; load years the built-in data does not have
    (a new year's notice) with ``extra_years``. All datetimes must be timezone-aware; they are
    read in the calendar's timezone (``Asia/Shanghai`` for China).

    >>> cal = Calendar.china()
    >>> cal.add_working_days(dt.date(2024, 9, 27), 1)   # Sunday 2024-09-29 was a make-up workday
    datetime.date(2024, 9, 29)
    """

    def __init__(
        self,
        years: Iterable[YearArrangement],
        *,
        timezone: str | dt.tzinfo = "Asia/Shanghai",
        business_hours: BusinessHours | None = None,
        name: str = "custom",
        day_end: DayEnd = "close",
        weekly_rest: bool = True,
    ) -> None:
        by_year: dict[int, YearArrangement] = {}
        for arrangement in years:
            by_year[arrangement.year] = arrangement  # a later file for the same year replaces it
        if not by_year:
            raise CalendarError("a calendar needs at least one year of data")
        first, last = min(by_year), max(by_year)
        missing = sorted(set(range(first, last + 1)) - set(by_year))
        if missing:
            raise CalendarError(
                f"the calendar's years must be contiguous: {', '.join(map(str, missing))} missing between "
                f"{first} and {last}; load a year file for each"
            )
        self.name = name
        self.title: tuple[str, str] | None = None  # a service calendar's name for people (Chinese, English)
        self.weekly_rest = weekly_rest  # False: open every day but the holidays (a service hall's calendar)
        self.timezone: dt.tzinfo = ZoneInfo(timezone) if isinstance(timezone, str) else timezone
        self.business_hours = business_hours or BusinessHours()
        self._moments: dict[int, dt.datetime] = {}  # _moment's answers lately asked for (bounded)
        if day_end not in ("close", "midnight"):
            raise CalendarError(f"day_end is 'close' (the close of business) or 'midnight' (24:00), got {day_end!r}")
        self.day_end: DayEnd = day_end  # where the last day of a day-based period ends
        self.years: Mapping[int, YearArrangement] = dict(sorted(by_year.items()))
        self.first_year, self.last_year = first, last
        self._first = dt.date(first, 1, 1).toordinal()
        self._last = dt.date(last, 12, 31).toordinal()

        holidays: dict[dt.date, str] = {}
        workdays: dict[dt.date, str] = {}
        for year in range(first, last + 1):  # year order: a later notice's adjacent-year days win
            arrangement = by_year[year]
            for day, label in arrangement.holidays.items():
                if self._first <= day.toordinal() <= self._last:
                    holidays[day] = label
                    workdays.pop(day, None)
            for day, label in arrangement.workdays.items():
                if self._first <= day.toordinal() <= self._last:
                    workdays[day] = label
                    holidays.pop(day, None)
        self._holidays = holidays
        self._workdays = workdays
        self._holiday_days = sorted(holidays)  # for the days crossed between two dates, by bisection
        self._workday_days = sorted(workdays)

        span = self._last - self._first + 1
        working = bytearray(span)
        cumulative = [0] * span  # working days in [first, first + i]
        ordinals: list[int] = []
        count = 0
        day = dt.date(first, 1, 1)
        for i in range(span):
            if day in workdays or ((day.weekday() < 5 or not weekly_rest) and day not in holidays):
                working[i] = 1
                count += 1
                ordinals.append(self._first + i)
            cumulative[i] = count
            day += _DAY
        self._working = bytes(working)
        self._cumulative = cumulative
        self._ordinals = ordinals

    # -- construction ---------------------------------------------------------------------

    @classmethod
    def china(
        cls,
        *,
        extra_years: Iterable[str | Path | YearArrangement] = (),
        business_hours: BusinessHours | str | None = None,
        day_end: DayEnd = "close",
    ) -> Calendar:
        """The People's Republic of China statutory calendar with make-up workdays (调休).

        ``day_end`` is where the last day of a day-based period ends: ``"close"``, the close of
        business (the default), or ``"midnight"``, 24:00 (民法典 art. 203 allows both).

        Built-in years come from the ``chinese-calendar`` package (corrected against the official
        notices); ``extra_years`` adds year files (paths) or :class:`YearArrangement` objects, for a
        year the package does not cover yet or to replace a year's data.
        """
        years = list(builtin_china_years())
        for extra in extra_years:
            years.append(extra if isinstance(extra, YearArrangement) else load_year_file(extra))
        if isinstance(business_hours, str):
            business_hours = BusinessHours.parse(business_hours)
        return cls(years, timezone="Asia/Shanghai", business_hours=business_hours, name="china", day_end=day_end)

    def with_business_hours(self, business_hours: BusinessHours | str) -> Calendar:
        """The same days with other business hours (shares the day index)."""
        if isinstance(business_hours, str):
            business_hours = BusinessHours.parse(business_hours)
        clone = object.__new__(Calendar)
        clone.__dict__.update(self.__dict__)
        clone.business_hours = business_hours
        return clone

    def service_calendar(
        self, name: str, *, business_hours: BusinessHours | str | None = None, every_day: bool = True,
        title: tuple[str, str] | None = None,
    ) -> Calendar:
        """A service hall's own calendar on the same holiday arrangement: open ``every_day`` but the holidays
        (除法定节假日外不休息), or on the working days only, during ``business_hours`` (default: these).

        Same-day and immediate limits of a hall count on it; legal periods keep the statutory calendar.

        >>> cal = Calendar.china()
        >>> hall = cal.service_calendar("police-hall", business_hours="08:30-18:00")
        >>> hall.deadline(dt.datetime(2019, 3, 2, 10, tzinfo=cal.timezone), "same_day")   # a Saturday
        datetime.datetime(2019, 3, 2, 18, 0, tzinfo=zoneinfo.ZoneInfo(key='Asia/Shanghai'))
        """
        if isinstance(business_hours, str):
            business_hours = BusinessHours.parse(business_hours)
        hall = Calendar(self.years.values(), timezone=self.timezone, business_hours=business_hours or self.business_hours,
                        name=name, day_end=self.day_end, weekly_rest=not every_day)
        hall.title = title
        return hall

    def __repr__(self) -> str:
        return f"<Calendar {self.name} {self.first_year}–{self.last_year} {self.business_hours}>"

    # -- days -----------------------------------------------------------------------------

    def _index(self, day: dt.date) -> int:
        if type(day) is not dt.date:
            day = self._local_date(day)
        i = day.toordinal() - self._first
        if i < 0 or i >= len(self._working):
            raise self._not_covered(day)
        return i

    def _not_covered(self, day: dt.date) -> DateNotCoveredError:
        year = day.year
        if year > self.last_year:
            hint = (
                f"If the State Council has published the {year} holiday arrangement, transcribe it into a year "
                f"file (YAML: year, notice, holidays, workdays; see docs/calendar.md) and load it with "
                f"Calendar.china(extra_years=['china-{year}.yaml'])."
            )
        else:
            hint = "Dates before the built-in data cannot be judged on this calendar."
        return DateNotCoveredError(
            f"{day.isoformat()} is outside the holiday data, which covers {self.first_year}–{self.last_year}: "
            f"whether it is a working day cannot be known, and the calendar does not guess. {hint}",
            date=day,
            covered=(self.first_year, self.last_year),
        )

    def _local_date(self, moment: dt.date) -> dt.date:
        if isinstance(moment, dt.datetime):
            return self.local(moment).date()
        raise CalendarError(f"expected a date, got {moment!r}")

    def local(self, moment: dt.datetime) -> dt.datetime:
        """``moment`` in the calendar's timezone; a naive datetime is an error."""
        zone = moment.tzinfo
        if zone is self.timezone:
            return moment  # (the engine's own instants mostly are)
        if zone is None or moment.utcoffset() is None:
            raise CalendarError(
                f"{moment.isoformat()} has no timezone: pass an aware datetime such as "
                f"{moment.replace(tzinfo=dt.timezone(dt.timedelta(hours=8))).isoformat()}"
            )
        return moment.astimezone(self.timezone)

    def is_working_day(self, day: dt.date) -> bool:
        """Whether ``day`` is a working day (工作日): a weekday that is not a day off, or a make-up workday."""
        return bool(self._working[self._index(day)])

    def is_holiday(self, day: dt.date) -> bool:
        """Whether ``day`` is a day off of a statutory holiday run (weekend days inside the run included)."""
        self._index(day)
        return day in self._holidays

    def is_makeup_workday(self, day: dt.date) -> bool:
        """Whether ``day`` is a weekend day made a working day by the year's notice (调休上班)."""
        self._index(day)
        return day in self._workdays

    def holiday_name(self, day: dt.date) -> str | None:
        """The holiday a day off or a make-up workday belongs to, or ``None``."""
        self._index(day)
        return self._holidays.get(day) or self._workdays.get(day) or None

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The ``n``-th working day after ``start`` (``start`` itself not counted); before it if ``n < 0``.

        ``start`` may be any day, working or not. ``add_working_days(d, 0)`` is ``d``.
        """
        i = self._index(start)
        if n > 0:
            k = self._cumulative[i] + n - 1
        elif n < 0:
            k = self._cumulative[i] - self._working[i] + n
        else:
            return start if type(start) is dt.date else self._local_date(start)
        if k < 0:
            raise self._not_covered(dt.date(self.first_year - 1, 12, 31))
        if k >= len(self._ordinals):
            raise self._not_covered(dt.date(self.last_year + 1, 1, 1))
        return dt.date.fromordinal(self._ordinals[k])

    def working_days_between(self, a: dt.date, b: dt.date) -> int:
        """Working days in ``(a, b]`` (start not counted, end counted); negative when ``b < a``.

        ``working_days_between(d, add_working_days(d, n)) == n`` for every ``n >= 0``.
        """
        return self._cumulative[self._index(b)] - self._cumulative[self._index(a)]

    def next_working_day(self, day: dt.date, *, inclusive: bool = True) -> dt.date:
        """``day`` if it is a working day (and ``inclusive``), else the first working day after it."""
        i = self._index(day)
        if inclusive and self._working[i]:
            return day if type(day) is dt.date else self._local_date(day)
        return self.add_working_days(day, 1)

    def add_natural_days(self, start: dt.date, n: int, *, roll: bool = True) -> dt.date:
        """The last day of a period of ``n`` natural days (日) starting on ``start`` (民法典 arts. 201, 203).

        The start day is not counted, so the period ends on ``start + n``; if that is a day off
        (a statutory holiday or a weekly rest day) the period ends on the next working day, unless
        ``roll=False``.
        """
        if n < 0:
            raise CalendarError(f"a period cannot have a negative length ({n} days)")
        try:
            end = (start if type(start) is dt.date else self._local_date(start)) + dt.timedelta(days=n)
        except OverflowError:  # past year 9999: far past the data
            raise self._not_covered(dt.date(self.last_year + 1, 1, 1)) from None
        return self.next_working_day(end) if roll else self._checked(end)

    def add_months(self, start: dt.date, n: int, *, roll: bool = True) -> dt.date:
        """The last day of a period of ``n`` months: the same date ``n`` months on, or that month's end.

        (民法典 art. 202: 2024-01-31 + 1 month ends 2024-02-29.) Rolled to a working day like
        :meth:`add_natural_days` unless ``roll=False``.
        """
        if n < 0:
            raise CalendarError(f"a period cannot have a negative length ({n} months)")
        try:
            end = (start if type(start) is dt.date else self._local_date(start)) + relativedelta(months=n)
        except (OverflowError, ValueError):  # past year 9999: far past the data
            raise self._not_covered(dt.date(self.last_year + 1, 1, 1)) from None
        return self.next_working_day(end) if roll else self._checked(end)

    def _checked(self, day: dt.date) -> dt.date:
        self._index(day)
        return day

    def days_off_between(self, a: dt.date, b: dt.date) -> list[tuple[dt.date, str]]:
        """Statutory days off in ``(a, b]`` with their holiday names, for explanations."""
        self._index(a), self._index(b)
        days = self._holiday_days[bisect_right(self._holiday_days, a) : bisect_right(self._holiday_days, b)]
        return [(d, self._holidays[d]) for d in days]

    def makeup_workdays_between(self, a: dt.date, b: dt.date) -> list[tuple[dt.date, str]]:
        """Make-up workdays (调休上班) in ``(a, b]`` with the holiday each serves, for explanations."""
        self._index(a), self._index(b)
        days = self._workday_days[bisect_right(self._workday_days, a) : bisect_right(self._workday_days, b)]
        return [(d, self._workdays[d]) for d in days]

    # -- working time ---------------------------------------------------------------------

    def _position(self, moment: dt.datetime) -> int:
        """Working seconds from the start of the data to ``moment``."""
        local = self.local(moment)
        i = self._index(local.date())
        before = self._cumulative[i] - self._working[i]
        position = before * self.business_hours.seconds_per_day
        if self._working[i]:
            position += self.business_hours.elapsed(local.time())
        return position

    def _moment(self, position: int) -> dt.datetime:
        """The earliest instant at which ``position`` working seconds have passed.

        Remembered: the ends of working days, where most deadlines and repeated verdicts fall, are
        asked for again and again (a bounded table, emptied when full).
        """
        moments = self._moments
        found = moments.get(position)
        if found is None:
            if len(moments) >= 65536:
                moments.clear()
            found = moments[position] = self._work_out_moment(position)
        return found

    def _work_out_moment(self, position: int) -> dt.datetime:
        per_day = self.business_hours.seconds_per_day
        k, offset = divmod(position, per_day)
        if offset == 0:
            if k == 0:
                day = dt.date.fromordinal(self._ordinals[0])
                return dt.datetime.combine(day, self.business_hours.opening, self.timezone)
            k, offset = k - 1, per_day
        if k >= len(self._ordinals):
            raise self._not_covered(dt.date(self.last_year + 1, 1, 1))
        day = dt.date.fromordinal(self._ordinals[k])
        return dt.datetime.combine(day, self.business_hours.time_at(offset), self.timezone)

    def working_time_between(self, a: dt.datetime, b: dt.datetime) -> dt.timedelta:
        """Working time (inside business hours, on working days) from ``a`` to ``b``; negative if ``b < a``."""
        return dt.timedelta(seconds=self._position(b) - self._position(a))

    def add_working_time(self, start: dt.datetime, amount: dt.timedelta) -> dt.datetime:
        """The instant when ``amount`` of working time has run from ``start``.

        Time runs only inside business hours on working days; a result that lands exactly at a
        session's end is that end (17:30), not the next opening.
        """
        seconds = amount.total_seconds()
        if seconds < 0:
            raise CalendarError(f"cannot add a negative working time ({amount})")
        if seconds == 0:
            return self.local(start)
        return self._moment(self._position(start) + int(-(-seconds // 1)))

    # -- deadlines ------------------------------------------------------------------------

    def last_day_end(self, moment: dt.datetime) -> dt.datetime:
        """``moment``, the end of a day-based period, moved to the end of the next working day if its day is a day off.

        民法典 art. 203: when the last day of a period is a day off, the next working day is the
        last day. Applied to the last day of every day-based period, extended or not.
        """
        local = self.local(moment)
        day = local.date() if self.day_end == "close" or local.time() != dt.time(0) else local.date() - _DAY
        if self.is_working_day(day):
            return local
        return self._day_end(self.next_working_day(day), self.day_end)

    def _day_end(self, day: dt.date, day_end: DayEnd) -> dt.datetime:
        if day_end == "midnight":
            return dt.datetime.combine(day + _DAY, dt.time(0), self.timezone)
        return dt.datetime.combine(day, self.business_hours.closing, self.timezone)

    def deadline(
        self, start: dt.datetime, duration: Duration | str, *, day_end: DayEnd | None = None, roll: bool = True
    ) -> dt.datetime:
        """The instant a period of ``duration`` that starts at ``start`` runs out.

        - working days (``20wd``): counted from the day after ``start``; the period ends at the close
          of business of the last working day. A fraction (``2.5wd``) is that share of a day's
          business hours: 2.5 working days run two full working days after ``start`` and half of
          the third.
        - natural days (``10d``) and months (``1mo``): :meth:`add_natural_days` / :meth:`add_months`
          (a last day that is a day off moves to the next working day, unless ``roll=False``), ending
          at the calendar's ``day_end``: the close of business by default, or midnight
          (``day_end="midnight"``, here or on the calendar).
        - hours (``24h``) and minutes: elapsed clock time from ``start`` (hour periods start at the
          stated time); working hours (``7.5wh``): :meth:`add_working_time`.
        - ``immediate``: ``start`` itself; ``same_day`` (and ``0wd``): the close of business of
          ``start``'s day, or of the next working day if ``start`` is on a day off or after the close.
        """
        duration = Duration.parse(duration)
        day_end = self.day_end if day_end is None else day_end
        local = self.local(start)
        unit, amount = duration.unit, duration.amount
        if unit is TimeUnit.SAME_DAY or (unit is TimeUnit.WORKING_DAYS and amount == 0):
            return self._same_day(local, day_end)
        if unit is TimeUnit.WORKING_DAYS:
            if amount == amount.to_integral_value():
                return self._day_end(self.add_working_days(local.date(), int(amount)), day_end)
            i = self._index(local.date())
            per_day = self.business_hours.seconds_per_day
            extra = int((amount * per_day).to_integral_value(rounding=ROUND_CEILING))
            return self._moment(self._cumulative[i] * per_day + extra)
        if unit is TimeUnit.NATURAL_DAYS:
            return self._day_end(self.add_natural_days(local.date(), int(amount), roll=roll), day_end)
        if unit is TimeUnit.MONTHS:
            return self._day_end(self.add_months(local.date(), int(amount), roll=roll), day_end)
        if unit is TimeUnit.HOURS:
            return local + dt.timedelta(seconds=int((amount * 3600).to_integral_value(rounding=ROUND_CEILING)))
        if unit is TimeUnit.MINUTES:
            return local + dt.timedelta(minutes=int(amount))
        if unit is TimeUnit.WORKING_HOURS:
            return self.add_working_time(local, dt.timedelta(seconds=int(amount * Decimal(3600))))
        return local  # IMMEDIATE

    def _same_day(self, local: dt.datetime, day_end: DayEnd) -> dt.datetime:
        """Close of business of the day of ``local``; received after the close or on a day off, of the next working day."""
        end = self._day_end(self.next_working_day(local.date()), day_end)
        return end if end >= local else self._day_end(self.add_working_days(local.date(), 1), day_end)
