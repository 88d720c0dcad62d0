"""Year files: a year's holidays and make-up workdays loaded as data, and every way a file can be wrong.

The 2027, 2028 and replacement-2026 files under tests/data/year_files/ are MADE UP (each says so
at its top): the expected values below are the facts written into those files, not any notice's.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import MappingProxyType

import pytest

from efficiency_rules import (
    Calendar,
    CalendarError,
    DateNotCoveredError,
    SourceError,
    SourceLocation,
    YearArrangement,
    YearFileError,
    load_year_file,
)
from efficiency_rules.cli import main

D = dt.date
CST = dt.timezone(dt.timedelta(hours=8))
ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "year_files"
MADE_UP_2027 = DATA / "china-2027-madeup.yaml"
MADE_UP_2028 = DATA / "china-2028-madeup.yaml"
REPLACEMENT_2026 = DATA / "china-2026-replacement-madeup.yaml"


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=CST)


def days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


@pytest.fixture(scope="module")
def cal() -> Calendar:
    return Calendar.china(extra_years=[MADE_UP_2027])


class TestTheMadeUp2027File:
    def test_loads_exactly_what_it_says(self) -> None:
        arrangement = load_year_file(MADE_UP_2027)
        assert arrangement.year == 2027
        assert arrangement.notice == (
            "测试用虚构数据 (made up for tests; not 国务院办公厅关于2027年部分节假日安排的通知)"
        )
        assert arrangement.source == str(MADE_UP_2027)
        assert arrangement.workdays == {
            D(2027, 2, 20): "春节",
            D(2027, 4, 25): "劳动节",
            D(2027, 5, 8): "",  # a bare date names no holiday
            D(2027, 9, 26): "国庆节",
            D(2027, 10, 9): "国庆节",
        }
        expected_holidays = {
            **dict.fromkeys(days(D(2027, 1, 1), D(2027, 1, 3)), "元旦"),
            **dict.fromkeys(days(D(2027, 2, 5), D(2027, 2, 13)), "春节"),
            **dict.fromkeys(days(D(2027, 4, 3), D(2027, 4, 5)), "清明节"),
            **dict.fromkeys(days(D(2027, 5, 1), D(2027, 5, 5)), "劳动节"),
            D(2027, 6, 9): "端午节",
            D(2027, 9, 15): "中秋节",
            **dict.fromkeys(days(D(2027, 10, 1), D(2027, 10, 7)), "国庆节"),
        }
        assert arrangement.holidays == expected_holidays
        assert len(arrangement.holidays) == 3 + 9 + 3 + 5 + 1 + 1 + 7

    def test_its_mappings_are_read_only(self) -> None:
        arrangement = load_year_file(str(MADE_UP_2027))  # a str path works as well as a Path
        assert isinstance(arrangement.holidays, MappingProxyType)
        with pytest.raises(TypeError):
            arrangement.workdays[D(2027, 1, 9)] = "x"  # type: ignore[index]

    @pytest.mark.parametrize(
        ("day", "name"),
        [
            (D(2027, 2, 20), "春节"),
            (D(2027, 4, 25), "劳动节"),
            (D(2027, 9, 26), "国庆节"),
            (D(2027, 10, 9), "国庆节"),
        ],
    )
    def test_made_up_make_up_days_are_working_days(self, cal: Calendar, day: dt.date, name: str) -> None:
        assert day.weekday() >= 5
        assert cal.is_working_day(day)
        assert cal.is_makeup_workday(day)
        assert not cal.is_holiday(day)
        assert cal.holiday_name(day) == name

    def test_a_bare_make_up_date_serves_no_named_holiday(self, cal: Calendar) -> None:
        assert cal.is_working_day(D(2027, 5, 8))  # Saturday
        assert cal.is_makeup_workday(D(2027, 5, 8))
        assert cal.holiday_name(D(2027, 5, 8)) is None

    @pytest.mark.parametrize(
        ("first", "last", "name"),
        [
            (D(2027, 1, 1), D(2027, 1, 3), "元旦"),
            (D(2027, 2, 5), D(2027, 2, 13), "春节"),
            (D(2027, 4, 3), D(2027, 4, 5), "清明节"),
            (D(2027, 5, 1), D(2027, 5, 5), "劳动节"),
            (D(2027, 6, 9), D(2027, 6, 9), "端午节"),
            (D(2027, 9, 15), D(2027, 9, 15), "中秋节"),
            (D(2027, 10, 1), D(2027, 10, 7), "国庆节"),
        ],
    )
    def test_made_up_holiday_runs_are_days_off(
        self, cal: Calendar, first: dt.date, last: dt.date, name: str
    ) -> None:
        for day in days(first, last):
            assert not cal.is_working_day(day), day
            assert cal.is_holiday(day), day
            assert cal.holiday_name(day) == name
        assert not cal.is_holiday(first - dt.timedelta(days=1))
        assert not cal.is_holiday(last + dt.timedelta(days=1))

    def test_ordinary_days_of_2027(self, cal: Calendar) -> None:
        assert cal.is_working_day(D(2027, 3, 1))  # Monday: the day that fails on the built-in calendar
        assert not cal.is_working_day(D(2027, 3, 6))  # Saturday
        assert cal.holiday_name(D(2027, 3, 1)) is None

    def test_add_working_days_across_the_spring_festival(self, cal: Calendar) -> None:
        # Thu 4 Feb; 5–13 off; Mon 15 to Fri 19 are working days 1–5; Sat 20 (make-up) is the 6th.
        assert cal.add_working_days(D(2027, 2, 4), 1) == D(2027, 2, 15)
        assert cal.add_working_days(D(2027, 2, 4), 5) == D(2027, 2, 19)
        assert cal.add_working_days(D(2027, 2, 4), 6) == D(2027, 2, 20)
        assert cal.add_working_days(D(2027, 2, 4), 7) == D(2027, 2, 22)
        assert cal.add_working_days(D(2027, 2, 15), -1) == D(2027, 2, 4)

    def test_add_working_days_across_national_day(self, cal: Calendar) -> None:
        # Fri 24 Sep; Sun 26 (make-up) is the 1st; Mon 27–Thu 30 the 2nd–5th; 1–7 Oct off; Fri 8 the
        # 6th; Sat 9 (make-up) the 7th; Mon 11 the 8th.
        expected = [D(2027, 9, 26), D(2027, 9, 27), D(2027, 9, 28), D(2027, 9, 29), D(2027, 9, 30),
                    D(2027, 10, 8), D(2027, 10, 9), D(2027, 10, 11)]  # fmt: skip
        assert [cal.add_working_days(D(2027, 9, 24), n) for n in range(1, 9)] == expected
        assert cal.working_days_between(D(2027, 9, 24), D(2027, 10, 11)) == 8

    def test_arithmetic_runs_from_the_built_in_data_into_the_file(self, cal: Calendar) -> None:
        # Thu 2026-12-31 (built-in) → 1–3 Jan 2027 off (file) → Mon 4 Jan.
        assert cal.add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)
        assert cal.add_working_days(D(2027, 1, 4), -1) == D(2026, 12, 31)

    def test_periods_and_deadlines_in_2027(self, cal: Calendar) -> None:
        assert cal.add_natural_days(D(2027, 9, 21), 10) == D(2027, 10, 8)  # 1 Oct is a day off
        assert cal.next_working_day(D(2027, 10, 1)) == D(2027, 10, 8)
        assert cal.deadline(at(2027, 9, 30, 10), "1wd") == at(2027, 10, 8, 17, 30)
        assert cal.deadline(at(2027, 2, 4, 10), "same_day") == at(2027, 2, 4, 17, 30)
        assert cal.deadline(at(2027, 2, 6, 10), "same_day") == at(2027, 2, 15, 17, 30)

    def test_working_days_in_the_whole_of_2027(self, cal: Calendar) -> None:
        # 2027 starts on a Friday and has 365 days: 52 weeks and one Friday, so 261 weekdays.
        # Weekdays off in the file: 元旦 1 Jan (1); 春节 5, 8, 9, 10, 11, 12 Feb (6); 清明节 5 Apr (1);
        # 劳动节 3, 4, 5 May (3); 端午节 9 Jun (1); 中秋节 15 Sep (1); 国庆节 1, 4, 5, 6, 7 Oct (5) = 18.
        # Make-up weekend days: 20 Feb, 25 Apr, 8 May, 26 Sep, 9 Oct = 5.
        # 261 − 18 + 5 = 248.
        assert cal.working_days_between(D(2026, 12, 31), D(2027, 12, 31)) == 248

    def test_2028_still_fails_closed(self, cal: Calendar) -> None:
        with pytest.raises(DateNotCoveredError) as info:
            cal.is_working_day(D(2028, 3, 1))
        assert str(info.value) == (
            "2028-03-01 is outside the holiday data, which covers 2004–2027: whether it is a working day "
            "cannot be known, and the calendar does not guess. If the State Council has published the 2028 "
            "holiday arrangement, transcribe it into a year file (YAML: year, notice, holidays, workdays; see "
            "docs/calendar.md) and load it with Calendar.china(extra_years=['china-2028.yaml'])."
        )
        assert info.value.covered == (2004, 2027)
        assert info.value.date == D(2028, 3, 1)

    def test_arithmetic_running_past_the_file_fails_closed(self, cal: Calendar) -> None:
        assert cal.add_working_days(D(2027, 12, 30), 1) == D(2027, 12, 31)
        with pytest.raises(DateNotCoveredError) as info:
            cal.add_working_days(D(2027, 12, 30), 2)
        assert str(info.value).startswith("2028-01-01 is outside the holiday data, which covers 2004–2027:")

    def test_the_built_in_calendar_is_unchanged(self) -> None:
        with pytest.raises(DateNotCoveredError, match="which covers 2004–2026"):
            Calendar.china().is_working_day(D(2027, 2, 20))


class TestWhichYearsACalendarHolds:
    def test_a_gap_between_the_built_in_years_and_a_file_is_refused(self) -> None:
        with pytest.raises(CalendarError) as info:
            Calendar.china(extra_years=[MADE_UP_2028])
        assert str(info.value) == (
            "the calendar's years must be contiguous: 2027 missing between 2004 and 2028; load a year file for each"
        )
        assert not isinstance(info.value, DateNotCoveredError)

    def test_two_consecutive_year_files(self) -> None:
        cal = Calendar.china(extra_years=[MADE_UP_2027, MADE_UP_2028])
        assert (cal.first_year, cal.last_year) == (2004, 2028)
        assert cal.add_working_days(D(2027, 12, 31), 1) == D(2028, 1, 4)  # 1–3 Jan 2028 off in the 2028 file

    def test_a_file_replaces_a_built_in_year(self) -> None:
        builtin = Calendar.china()
        replaced = Calendar.china(extra_years=[REPLACEMENT_2026])
        # Built in (国办发明电〔2025〕7号): Sat 14 Feb is a make-up workday, Mon 16 Feb a 春节 day off.
        assert builtin.is_makeup_workday(D(2026, 2, 14)) and not builtin.is_working_day(D(2026, 2, 16))
        # The made-up replacement has no Spring Festival run and no make-up days.
        assert not replaced.is_working_day(D(2026, 2, 14))
        assert not replaced.is_makeup_workday(D(2026, 2, 14))
        assert replaced.is_working_day(D(2026, 2, 16))
        assert replaced.holiday_name(D(2026, 10, 1)) == "国庆节"
        assert replaced.years[2026].source == str(REPLACEMENT_2026)
        # 261 weekdays in 2026, less Thu 1 and Fri 2 Jan and Thu 1, Fri 2, Mon 5, Tue 6, Wed 7 Oct.
        assert replaced.working_days_between(D(2025, 12, 31), D(2026, 12, 31)) == 254
        assert builtin.working_days_between(D(2025, 12, 31), D(2026, 12, 31)) == 248

    def test_year_arrangements_can_be_passed_directly(self) -> None:
        made_up = YearArrangement(
            year=2027,
            notice="made up for this test",
            holidays={D(2027, 1, 1): "元旦"},
            workdays={D(2027, 1, 9): "a made-up make-up Saturday"},
        )
        cal = Calendar.china(extra_years=[made_up])
        assert cal.years[2027] is made_up
        assert not cal.is_working_day(D(2027, 1, 1))
        assert cal.is_working_day(D(2027, 1, 9))
        assert cal.holiday_name(D(2027, 1, 9)) == "a made-up make-up Saturday"
        assert cal.working_days_between(D(2026, 12, 31), D(2027, 12, 31)) == 261 - 1 + 1

    def test_a_later_year_for_the_same_year_wins(self) -> None:
        made_up = YearArrangement(year=2027, notice="made up for this test")
        cal = Calendar.china(extra_years=[MADE_UP_2027, made_up])
        assert cal.years[2027] is made_up
        assert cal.is_working_day(D(2027, 2, 8))  # a 春节 day off in the file, a plain Monday here


def test_yes_no_and_off_stay_the_strings_written() -> None:
    # YAML 1.1 would turn `notice: no` into False and the file would be refused for a missing
    # citation. The reader keeps the text; the loader checks that a citation is there, not what it
    # says, so the file loads with the notice 'no'.
    arrangement = load_year_file(DATA / "yes-no-strings.yaml")
    assert arrangement.notice == "no"
    assert arrangement.holidays == {D(2027, 1, 1): "yes"}
    assert arrangement.workdays == {D(2027, 2, 20): "off"}


# One bad file per error. Paths are given relative to the repository root, as a user would type
# them; the loader reports the path as given. "{path}" in a message is the file's own path.
BAD = Path("tests", "data", "year_files", "bad")

BAD_FILES = [
    ("not-a-mapping.yaml", 2, 1, "a year file is a mapping with keys year, notice, holidays, workdays"),
    ("empty.yaml", 1, 1, "a year file is a mapping with keys year, notice, holidays, workdays"),
    (
        "unknown-top-key.yaml", 4, 1,
        "unknown key 'holiday' in a year file; expected year, notice, holidays, workdays — did you mean 'holidays'?",
    ),
    ("missing-notice.yaml", 3, 1, "missing key 'notice'"),
    ("bad-year.yaml", 2, 7, "'year' must be a year like 2027, got '2027年'"),
    ("empty-notice.yaml", 3, 9, "'notice' must cite the official notice the dates come from (its title and number)"),
    ("holidays-not-a-list.yaml", 5, 3, "'holidays' must be a list"),
    ("holiday-not-a-mapping.yaml", 6, 5, "each holiday is a mapping: {name, from, to} or {name, date}"),
    (
        "unknown-holiday-key.yaml", 5, 17,
        "unknown key 'form' in a holiday; expected name, from, to, date — did you mean 'from'?",
    ),
    ("holiday-without-name.yaml", 6, 5, "a holiday needs a 'name' (e.g. 春节)"),
    ("date-and-from.yaml", 5, 5, "give either 'date' or 'from' and 'to', not both"),
    ("from-without-to.yaml", 5, 5, "a holiday needs 'date', or 'from' and 'to'"),
    ("to-before-from.yaml", 5, 38, "'to' (2027-01-01) is before 'from' (2027-01-03)"),
    ("date-not-iso.yaml", 5, 23, "'date' must be a date written YYYY-MM-DD, got '2027/06/09'"),
    ("date-compact.yaml", 5, 23, "'date' must be a date written YYYY-MM-DD, got '20270609'"),
    ("date-impossible-quoted.yaml", 5, 12, "'date' '2027-02-29' is not a date: day is out of range for month"),
    ("date-impossible.yaml", 5, 38, "'2027-02-30' is not a date: day is out of range for month"),
    ("date-out-of-reach.yaml", 6, 23, "2029-10-01 is not in 2027 or an adjacent year"),
    ("holiday-listed-twice.yaml", 6, 5, "2027-02-13 is listed twice (also at {path}:5:5)"),
    ("workdays-not-a-list.yaml", 4, 11, "'workdays' must be a list"),
    ("workday-without-date.yaml", 5, 5, "a make-up workday needs a 'date'"),
    (
        "unknown-workday-key.yaml", 5, 24,
        "unknown key 'fro' in a make-up workday; expected date, for — did you mean 'for'?",
    ),
    ("workday-for-not-a-name.yaml", 5, 29, "'for' names the holiday the make-up day serves"),
    (
        "makeup-on-weekday.yaml", 6, 5,
        "2027-02-22 is a Monday: a make-up workday (调休上班) is a Saturday or Sunday that becomes a working day",
    ),
    ("off-and-makeup.yaml", 7, 5, "2027-02-13 is both a day off (at {path}:5:5) and a make-up workday"),
    ("workday-listed-twice.yaml", 7, 5, "2027-02-20 is listed twice as a make-up workday"),
    ("duplicate-key.yaml", 5, 1, "duplicate key 'notice' (first at line 3, column 1)"),
    ("alias.yaml", 6, 5, "aliases ('*spring') are not allowed in a policy file"),
    (
        "python-tag.yaml", 3, 9,
        "tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed in a policy file (plain data only)",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("name", "line", "column", "message"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_year_file(monkeypatch: pytest.MonkeyPatch, name: str, line: int, column: int, message: str) -> None:
    monkeypatch.chdir(ROOT)
    path = str(BAD / name)
    message = message.replace("{path}", path)
    with pytest.raises(YearFileError) as info:
        load_year_file(path)
    assert str(info.value) == f"{path}:{line}:{column}: {message}"
    assert info.value.location == SourceLocation(path, line, column)
    assert info.value.message == message
    assert isinstance(info.value, SourceError) and isinstance(info.value, ValueError)


def test_every_bad_file_is_tested() -> None:
    assert sorted(p.name for p in (ROOT / BAD).glob("*.yaml")) == sorted(b[0] for b in BAD_FILES)


@pytest.mark.parametrize("name", ["alias.yaml", "bad-year.yaml"])  # an error of the reader, one of the loader
def test_errors_name_the_file_as_the_caller_did(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.chdir(ROOT)
    path = f"./tests/data/year_files/bad/{name}"
    with pytest.raises(YearFileError) as info:
        load_year_file(path)
    assert str(info.value).startswith(f"{path}:")


def test_a_bad_file_fails_when_the_calendar_is_built(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    path = str(BAD / "makeup-on-weekday.yaml")
    with pytest.raises(YearFileError) as info:
        Calendar.china(extra_years=[path])
    assert str(info.value).startswith(f"{path}:6:5: 2027-02-22 is a Monday")


def test_a_missing_year_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    path = str(Path("tests", "data", "year_files", "china-2027.yaml"))
    with pytest.raises(YearFileError) as info:
        Calendar.china(extra_years=[path])
    assert str(info.value) == f"{path}: cannot read file: No such file or directory"
    assert isinstance(info.value.__cause__, FileNotFoundError)


class TestCommandLine:
    def run(self, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
        status = main(list(args))
        out, err = capsys.readouterr()
        return status, out, err

    def test_year_file_option(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert self.run(capsys, "calendar", "--year-file", str(MADE_UP_2027), "is-workday", "2027-02-20") == (
            0,
            "2027-02-20 (Saturday): working day — make-up workday (调休上班) for 春节\n",
            "",
        )
        # A make-up day written as a bare date names no holiday.
        assert self.run(capsys, "calendar", "--year-file", str(MADE_UP_2027), "is-workday", "2027-05-08") == (
            0,
            "2027-05-08 (Saturday): working day — make-up workday (调休上班)\n",
            "",
        )
        assert self.run(capsys, "calendar", "--year-file", str(MADE_UP_2027), "add", "2027-02-04", "6wd") == (
            0,
            "2027-02-20\n",
            "",
        )

    def test_a_bad_year_file_is_one_line_on_stderr(
        self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.chdir(ROOT)
        path = str(BAD / "unknown-top-key.yaml")
        assert self.run(capsys, "calendar", "--year-file", path, "is-workday", "2027-03-01") == (
            2,
            "",
            f"efficiency-rules: error: {path}:4:1: unknown key 'holiday' in a year file; expected year, notice, "
            "holidays, workdays — did you mean 'holidays'?\n",
        )


def test_a_year_file_is_a_regular_file_of_bounded_size(tmp_path: Path) -> None:
    import os

    from efficiency_rules._calendar_data import YEAR_FILE_MAX_BYTES

    fifo = tmp_path / "china-2027.yaml"
    os.mkfifo(fifo)  # reading it would wait for a writer for ever
    with pytest.raises(YearFileError) as info:
        load_year_file(fifo)
    assert str(info.value) == f"{fifo}: a year file is a regular file, and this is a FIFO"
    with pytest.raises(YearFileError, match="a year file is a regular file, and this is a directory$"):
        load_year_file(tmp_path)
    big = tmp_path / "big.yaml"
    big.write_text("# " + "x" * YEAR_FILE_MAX_BYTES + "\n", encoding="utf-8")
    with pytest.raises(YearFileError) as info:
        load_year_file(big)
    assert str(info.value) == f"{big}: a year file is at most 64 KB (a year's notice), and this is 65,539 bytes"


def test_a_ruleset_reads_its_year_files_relative_to_itself(tmp_path: Path) -> None:
    from efficiency_rules import Engine, load_ruleset

    made_up = Path(__file__).resolve().parent / "data" / "year_files" / "china-2027-madeup.yaml"
    (tmp_path / "years").mkdir()
    (tmp_path / "years" / "china-2027.yaml").write_text(made_up.read_text(encoding="utf-8"), encoding="utf-8")
    ruleset = tmp_path / "policy.yaml"
    ruleset.write_text('id: test.years\ntitle: 测试\nversion: "1"\neffective: {from: 2024-01-01}\n'
                       "calendar: {year_files: [years/china-2027.yaml]}\n", encoding="utf-8")
    assert load_ruleset(ruleset).spec.calendar.year_files == ["years/china-2027.yaml"]
    engine = Engine([ruleset])  # from another working directory: the path is the ruleset's, not the caller's
    assert [version.calendar.last_year for version in engine._versions] == [2027]
