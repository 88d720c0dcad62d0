"""The last day of a period of days (民法典 art. 203), extended or not, worked out by hand.

信访工作条例 art. 34: a petition is concluded within 60 days of its acceptance; the period may be
extended by at most 30 days. The start day is not counted (art. 201). When the last day is a day off
— a statutory holiday or an ordinary weekend day — the period ends on the next working day; an
extension is added to the last day as the period stated it, and the extended period's own last day
moves off a day off in turn. 2024 National Day: days off 10-01..07 (10-08 a Tuesday, working).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from efficiency_rules import Calendar, Engine, RulesetError, load_ruleset

ROOT = Path(__file__).resolve().parent.parent
XINFANG = ROOT / "rulesets" / "cn" / "xinfang.yaml"


def t(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text + "+08:00")


def petition(accepted: str, *extensions: tuple[str, str]) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = [
        {"id": "r", "type": "case.received", "at": accepted + "T09:00:00+08:00", "case_id": "P", "matter": "petition"},
        {"id": "a", "type": "case.accepted", "at": accepted + "T10:00:00+08:00", "case_id": "P"},
    ]
    for i, (at, duration) in enumerate(extensions):
        events.append({"id": f"x{i}", "type": "case.extension_granted", "at": at + "T10:00:00+08:00", "case_id": "P",
                       "duration": duration, "approver": "agency_head"})
    return events


def state(events: list[dict[str, Any]], as_of: str = "2025-06-01T00:00", path: Path = XINFANG) -> Any:
    report = Engine([path]).evaluate(events, as_of=t(as_of))
    (found,) = [c for c in report.cases if c.time_limit == "petition"]
    return found, report


def test_sixty_days_from_a_thursday_end_on_a_monday() -> None:
    found, _ = state(petition("2024-07-04"))
    assert found.deadline == t("2024-09-02T17:30")  # 07-04 + 60 days: Monday 09-02, a working day


def test_an_extension_into_national_day_ends_on_the_first_working_day_after_it() -> None:
    found, report = state(petition("2024-07-04", ("2024-08-20", "30d")))
    assert found.deadline == t("2024-10-08T17:30")  # 09-02 + 30 days: 10-02, a holiday → Tuesday 10-08
    late = [v for v in report.verdicts if v.rule == "petition.overdue"]
    assert [v.at for v in late] == [t("2024-10-08T17:30")]
    # concluded on Tuesday 10-08, before the close: on time (it was late on a holiday before)
    on_time, report = state([*petition("2024-07-04", ("2024-08-20", "30d")),
                             {"id": "c", "type": "case.completed", "at": "2024-10-08T16:00:00+08:00", "case_id": "P"}])
    assert on_time.status == "completed_on_time"
    assert [v.rule for v in report.verdicts if v.rule.startswith("petition.")] == []


def test_an_extension_to_an_ordinary_sunday_ends_on_monday() -> None:
    found, _ = state(petition("2024-08-01", ("2024-09-20", "20d")))
    # 08-01 + 60 days: Monday 09-30; + 20 days: Sunday 10-20, a weekly rest day → Monday 10-21
    assert found.deadline == t("2024-10-21T17:30")


def test_the_extension_is_added_to_the_last_day_as_stated_not_as_moved() -> None:
    found, _ = state(petition("2024-07-10"))
    assert found.deadline == t("2024-09-09T17:30")  # 07-10 + 60 days: Sunday 09-08 → Monday 09-09
    found, _ = state(petition("2024-07-10", ("2024-09-02", "10d")))
    assert found.deadline == t("2024-09-18T17:30")  # Sunday 09-08 + 10 days: Wednesday 09-18 (not 09-09 + 10 = 09-19)


def test_an_extension_before_the_moved_deadline_is_in_time() -> None:
    # the period's last day is Monday 09-09 (Sunday 09-08 moved): an extension granted that Monday is before the deadline
    found, report = state(petition("2024-07-10", ("2024-09-09", "10d")))
    assert found.deadline == t("2024-09-18T17:30")
    assert [v.rule for v in report.verdicts if v.rule == "petition.bad-extension"] == []


def midnight_copy(tmp_path: Path) -> Path:
    text = XINFANG.read_text(encoding="utf-8").replace("timezone: Asia/Shanghai\n", "timezone: Asia/Shanghai\ncalendar: {day_end: midnight}\n")
    path = tmp_path / "xinfang.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_ruleset_can_end_the_last_day_at_midnight(tmp_path: Path) -> None:
    path = midnight_copy(tmp_path)
    found, _ = state(petition("2024-07-04"), path=path)
    assert found.deadline == t("2024-09-03T00:00")  # the end of Monday 09-02 at 24:00
    found, report = state(petition("2024-07-04", ("2024-08-20", "30d")), path=path)
    assert found.deadline == t("2024-10-09T00:00")  # 10-02 is a holiday: the end of Tuesday 10-08
    assert [v.at for v in report.verdicts if v.rule == "petition.overdue"] == [t("2024-10-09T00:00")]
    completed = {"id": "c", "type": "case.completed", "at": "2024-10-08T20:00:00+08:00", "case_id": "P"}
    found, _ = state([*petition("2024-07-04", ("2024-08-20", "30d")), completed], path=path)
    assert found.status == "completed_on_time"  # 20:00 on the last day: in time until 24:00


def test_the_end_of_the_day_is_close_or_midnight(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(midnight_copy(tmp_path).read_text(encoding="utf-8").replace("day_end: midnight", "day_end: noon"),
                    encoding="utf-8")
    with pytest.raises(RulesetError) as info:
        load_ruleset(path)
    line = path.read_text(encoding="utf-8").splitlines().index("calendar: {day_end: noon}") + 1
    assert [str(i) for i in info.value.issues] == [
        f"{path}:{line}:21: 'day_end': expected 'close' or 'midnight', got 'noon'"
    ]


def test_the_calendar_moves_any_last_day_off_a_day_off() -> None:
    calendar = Calendar.china()
    assert calendar.last_day_end(t("2024-10-02T17:30")) == t("2024-10-08T17:30")
    assert calendar.last_day_end(t("2024-10-20T17:30")) == t("2024-10-21T17:30")
    assert calendar.last_day_end(t("2024-10-21T17:30")) == t("2024-10-21T17:30")
    midnight = Calendar.china(day_end="midnight")
    assert midnight.last_day_end(t("2024-10-03T00:00")) == t("2024-10-09T00:00")  # the end of 10-02 is 24:00
    assert midnight.last_day_end(t("2024-10-22T00:00")) == t("2024-10-22T00:00")  # the end of Monday 10-21
    assert midnight.deadline(t("2024-07-04T10:00"), "60d") == t("2024-09-03T00:00")
    assert calendar.deadline(t("2024-07-10T10:00"), "60d", roll=False) == t("2024-09-08T17:30")
