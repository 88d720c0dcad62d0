"""Where the calendar's facts come from: the statutory holiday arrangement of each year.

Each year's days off and make-up working days (调休上班) are set by a State Council notice
(国务院办公厅关于某年部分节假日安排的通知); they cannot be computed by rule. The built-in years come
from the ``chinese-calendar`` package, corrected where it disagrees with the official notice
(see ``_CORRECTIONS``). Further years are loaded from year files (YAML), one per year, each
citing the notice it transcribes.
"""

from __future__ import annotations

import datetime as dt
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ._errors import SourceError, SourceLocation, YearFileError
from ._yaml import YamlList, YamlMap, check_keys, load_yaml, location_of

__all__ = ["YearArrangement", "builtin_china_years", "load_year_file"]


@dataclass(frozen=True)
class YearArrangement:
    """One year's statutory arrangement: days off for holidays and make-up working days.

    ``holidays`` maps each day off of a holiday run (weekend days inside the run included) to
    the holiday's name; ``workdays`` maps each make-up working day to the holiday it serves.
    ``notice`` cites the official source. Either mapping may hold a few days of an adjacent
    year (a notice for 2007 moved 2006-12-30 and 31), which override that year's data.
    """

    year: int
    notice: str
    holidays: Mapping[dt.date, str] = field(default_factory=dict)
    workdays: Mapping[dt.date, str] = field(default_factory=dict)
    source: str = "chinese-calendar"


# Days where the chinese-calendar package disagrees with the official notice. Each entry was
# found by the cross-check against the `holidays` package (tests/test_calendar_crosscheck.py)
# and decided from the notice's text.
_CORRECTIONS: dict[dt.date, tuple[str, str, str]] = {
    # 国办发明电〔2005〕35号 (关于2006年部分节假日安排的通知), item 一: "元旦：1月1日—3日放假…
    # 将12月31日（星期六）、1月1日（星期日）两个公休日调至1月2日（星期一）、3日（星期二），
    # 12月31日（星期六）上班。" chinese-calendar files the 2006 notice under 2006 only and so
    # misses this Saturday of 2005; it was a working day.
    dt.date(2005, 12, 31): ("workday", "New Year's Day", "国办发明电〔2005〕35号"),
}

_CHINESE_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


def _name(value: Any) -> str:
    english = getattr(value, "value", value)
    chinese = _CHINESE_NAMES.get(str(english))
    return f"{chinese} {english}" if chinese else str(english)


@lru_cache(maxsize=1)
def builtin_china_years() -> tuple[YearArrangement, ...]:
    """The years the ``chinese-calendar`` package covers, with ``_CORRECTIONS`` applied."""
    from chinese_calendar import constants

    holidays: dict[int, dict[dt.date, str]] = {}
    workdays: dict[int, dict[dt.date, str]] = {}
    for day, name in constants.holidays.items():
        holidays.setdefault(day.year, {})[day] = _name(name)
    for day, name in constants.workdays.items():
        workdays.setdefault(day.year, {})[day] = _name(name)
    for day, (kind, name, _notice) in _CORRECTIONS.items():
        target, other = (workdays, holidays) if kind == "workday" else (holidays, workdays)
        target.setdefault(day.year, {})[day] = _name(name)
        other.get(day.year, {}).pop(day, None)
    years = range(min(holidays), max(holidays) + 1)
    return tuple(
        YearArrangement(
            year=year,
            notice=f"国务院办公厅关于{year}年部分节假日安排的通知 (via chinese-calendar)",
            holidays=MappingProxyType(holidays.get(year, {})),
            workdays=MappingProxyType(workdays.get(year, {})),
        )
        for year in years
    )


_TOP_KEYS = ("year", "notice", "holidays", "workdays")
_HOLIDAY_KEYS = ("name", "from", "to", "date")
_WORKDAY_KEYS = ("date", "for")


def load_year_file(path: str | Path) -> YearArrangement:
    """Read a year file: one year's holidays and make-up workdays, transcribed from its notice.

    The format (YAML)::

        year: 2027
        notice: 国务院办公厅关于2027年部分节假日安排的通知 (国办发明电〔2026〕N号)
        holidays:                     # days off, as runs or single days
          - {name: 元旦, from: 2027-01-01, to: 2027-01-03}
          - {name: 清明节, date: 2027-04-05}
        workdays:                     # make-up working days 调休上班 (weekend days only)
          - {date: 2027-02-20, for: 春节}

    Every problem is reported as :class:`YearFileError` with the file, line and column.
    """
    name = str(path)
    text = _read_year_file(Path(path), name)
    try:
        data = load_yaml(text, path=name)  # errors name the file as the caller did
    except SourceError as exc:  # invalid YAML: still a bad year file
        raise YearFileError(exc.message, exc.location) from (exc.__cause__ or exc)
    return _arrangement_from_data(data, name)


#: The largest year file read, in bytes: a year's notice fits in a few kilobytes.
YEAR_FILE_MAX_BYTES = 64 * 1024


def _read_year_file(path: Path, name: str) -> str:
    """The text of a year file: a regular file (never a FIFO, a device or a directory) of at most YEAR_FILE_MAX_BYTES."""
    where = SourceLocation(name)
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            kind = ("a directory" if stat.S_ISDIR(info.st_mode) else "a FIFO" if stat.S_ISFIFO(info.st_mode)
                    else "a device" if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode) else "not a regular file")
            raise YearFileError(f"a year file is a regular file, and this is {kind}", where)
        if info.st_size > YEAR_FILE_MAX_BYTES:
            raise YearFileError(f"a year file is at most {YEAR_FILE_MAX_BYTES // 1024} KB (a year's notice), and this is "
                                f"{info.st_size:,} bytes", where)
        with path.open("rb") as file:
            data = file.read(YEAR_FILE_MAX_BYTES + 1)
    except OSError as exc:
        raise YearFileError(f"cannot read file: {exc.strerror or exc}", where) from exc
    if len(data) > YEAR_FILE_MAX_BYTES:  # grew since it was looked at
        raise YearFileError(f"a year file is at most {YEAR_FILE_MAX_BYTES // 1024} KB (a year's notice)", where)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise YearFileError(f"file is not UTF-8 text: {exc.reason}", where) from exc


def _fail(message: str, where: SourceLocation) -> YearFileError:
    return YearFileError(message, where)


_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def _as_date(value: Any, where: SourceLocation, what: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    # fromisoformat alone would also take "20270220" and "2027-W08-6" (Python 3.11+).
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError as exc:
            raise _fail(f"{what} {value!r} is not a date: {exc}", where) from None
    raise _fail(f"{what} must be a date written YYYY-MM-DD, got {value!r}", where)


def _arrangement_from_data(data: Any, path: str) -> YearArrangement:
    # Where the document starts (after any leading comments); the first line when nothing is known.
    top = location_of(data, path=path) if getattr(data, "position", None) else SourceLocation(path, 1, 1)
    if not isinstance(data, YamlMap):
        raise _fail("a year file is a mapping with keys year, notice, holidays, workdays", top)
    check_keys(data, _TOP_KEYS, path=path, what="a year file", error=YearFileError)
    for key in ("year", "notice"):
        if key not in data:
            raise _fail(f"missing key {key!r}", top)
    year = data["year"]
    if not isinstance(year, int) or isinstance(year, bool) or not 1949 < year < 2200:
        raise _fail(f"'year' must be a year like 2027, got {year!r}", location_of(data, "year", path=path))
    notice = data["notice"]
    if not isinstance(notice, str) or not notice.strip():
        raise _fail(
            "'notice' must cite the official notice the dates come from (its title and number)",
            location_of(data, "notice", path=path),
        )

    def in_reach(day: dt.date, where: SourceLocation) -> dt.date:
        if abs(day.year - year) > 1:
            raise _fail(f"{day} is not in {year} or an adjacent year", where)
        return day

    holidays: dict[dt.date, str] = {}
    holiday_at: dict[dt.date, SourceLocation] = {}
    entries = data.get("holidays", YamlList())
    if not isinstance(entries, list):
        raise _fail("'holidays' must be a list", location_of(data, "holidays", path=path))
    for index, entry in enumerate(entries):
        where = location_of(entries, index, path=path)
        if not isinstance(entry, YamlMap):
            raise _fail("each holiday is a mapping: {name, from, to} or {name, date}", where)
        check_keys(entry, _HOLIDAY_KEYS, path=path, what="a holiday", error=YearFileError)
        holiday = entry.get("name")
        if not isinstance(holiday, str) or not holiday.strip():
            raise _fail("a holiday needs a 'name' (e.g. 春节)", where)
        if "date" in entry and ("from" in entry or "to" in entry):
            raise _fail("give either 'date' or 'from' and 'to', not both", where)
        if "date" in entry:
            first_at = last_at = location_of(entry, "date", path=path)
            first = last = _as_date(entry["date"], first_at, "'date'")
        elif "from" in entry and "to" in entry:
            first_at, last_at = location_of(entry, "from", path=path), location_of(entry, "to", path=path)
            first = _as_date(entry["from"], first_at, "'from'")
            last = _as_date(entry["to"], last_at, "'to'")
            if last < first:
                raise _fail(f"'to' ({last}) is before 'from' ({first})", last_at)
        else:
            raise _fail("a holiday needs 'date', or 'from' and 'to'", where)
        day = in_reach(first, first_at)
        in_reach(last, last_at)
        while day <= last:
            if day in holidays:
                raise _fail(f"{day} is listed twice (also at {holiday_at[day]})", where)
            holidays[day] = holiday
            holiday_at[day] = where
            day += dt.timedelta(days=1)

    workdays: dict[dt.date, str] = {}
    entries = data.get("workdays", YamlList())
    if not isinstance(entries, list):
        raise _fail("'workdays' must be a list", location_of(data, "workdays", path=path))
    for index, entry in enumerate(entries):
        where = location_of(entries, index, path=path)
        if isinstance(entry, YamlMap):
            check_keys(entry, _WORKDAY_KEYS, path=path, what="a make-up workday", error=YearFileError)
            if "date" not in entry:
                raise _fail("a make-up workday needs a 'date'", where)
            date_at = location_of(entry, "date", path=path)
            day = _as_date(entry["date"], date_at, "'date'")
            serves = entry.get("for")
            if serves is not None and not isinstance(serves, str):
                raise _fail("'for' names the holiday the make-up day serves", location_of(entry, "for", path=path))
        else:
            date_at = where
            day = _as_date(entry, where, "a make-up workday")
            serves = None
        in_reach(day, date_at)
        if day.weekday() < 5:
            raise _fail(
                f"{day} is a {day.strftime('%A')}: a make-up workday (调休上班) is a Saturday or Sunday "
                "that becomes a working day",
                where,
            )
        if day in holidays:
            raise _fail(f"{day} is both a day off (at {holiday_at[day]}) and a make-up workday", where)
        if day in workdays:
            raise _fail(f"{day} is listed twice as a make-up workday", where)
        workdays[day] = serves or ""
    return YearArrangement(
        year=year,
        notice=notice.strip(),
        holidays=MappingProxyType(holidays),
        workdays=MappingProxyType(workdays),
        source=path,
    )
