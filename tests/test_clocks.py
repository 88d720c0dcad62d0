"""Case clocks (限时办结): every clock option of docs/time-limits.md, with dates worked out by hand.

Business hours are 09:00-12:00 and 13:30-17:30 (7 hours a working day). 2024 National Day: days off
10-01..07, make-up workdays Sunday 09-29 and Saturday 10-12. 2025 Spring Festival: days off
01-28..02-04, make-up workdays Sunday 01-26 and Saturday 02-08.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from efficiency_rules import Engine, Session
from efficiency_rules.cli import main

ROOT = Path(__file__).resolve().parent
RULESET = ROOT / "data" / "rulesets" / "good" / "clocks.yaml"
CST = dt.timezone(dt.timedelta(hours=8))
HOUR = 3600
DAY = 7 * HOUR  # a working day of business hours


def t(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text + "+08:00")


def ev(event_id: str, kind: str, at: str, case: str = "C1", **fields: Any) -> dict[str, Any]:
    return {"id": event_id, "type": kind, "at": at + "+08:00", "case_id": case, **fields}


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine([RULESET])


def verdicts(report: Any, clock: str = "licence") -> list[tuple[str, str, str]]:
    """(rule, at, trigger) of the clock's verdicts, in time order (then by rule)."""
    return sorted((v.rule, v.at.isoformat(), v.trigger) for v in report.verdicts if v.rule.startswith(clock + "."))


def case(report: Any, clock: str = "licence", thread: str = "case:C1") -> Any:
    (found,) = [c for c in report.cases if c.time_limit == clock and c.thread == thread]
    return found


# Accepted Monday 2024-09-23 10:00. Twenty working days after 09-23: 09-24..27 (4), Sunday 09-29
# (5, make-up), 09-30 (6), 10-08..11 (10), Saturday 10-12 (11, make-up), 10-14..18 (16),
# 10-21..24 (20): due 2024-10-24 17:30 — the National Day days off 10-01..07 not counted.
ACCEPTED = [
    ev("r", "case.received", "2024-09-20T10:00", matter="licence-x", actor="s1", unit="u1"),
    ev("a", "case.accepted", "2024-09-23T10:00", actor="s2", unit="u1"),
]


def test_a_case_completed_on_time_across_national_day(engine: Engine) -> None:
    report = engine.evaluate([*ACCEPTED, ev("c", "case.completed", "2024-10-24T17:30")], as_of=t("2024-12-01T00:00"))
    state = case(report)
    assert (state.status, state.deadline, state.stopped_at) == ("completed_on_time", t("2024-10-24T17:30"), t("2024-10-24T17:30"))
    assert (state.limit, state.elapsed_seconds, state.remaining_seconds, state.overdue_seconds) == ("20wd", 20 * DAY, 0, 0)
    # the warning (1 working day left: 10-23 17:30) stands; no overdue verdict comes
    assert verdicts(report) == [("licence.yellow-light", "2024-10-23T17:30:00+08:00", "a")]


def test_an_overdue_case_is_explained_with_every_holiday_it_skipped(engine: Engine) -> None:
    report = engine.evaluate([*ACCEPTED, ev("c", "case.completed", "2024-10-29T10:00", actor="s3")], as_of=t("2024-12-01T00:00"))
    # late by 10-25, 10-28 (two full working days) and 10-29 09:00-10:00: 2wd 1h — three `every: 1wd` verdicts,
    # given when the lateness passed 0, 1 and 2 working days
    assert verdicts(report) == [
        ("licence.late-day", "2024-10-24T17:30:00+08:00", "a"),
        ("licence.late-day", "2024-10-25T17:30:00+08:00", "a"),
        ("licence.late-day", "2024-10-28T17:30:00+08:00", "a"),
        ("licence.overdue", "2024-10-24T17:30:00+08:00", "a"),
        ("licence.yellow-light", "2024-10-23T17:30:00+08:00", "a"),
    ]
    overdue = next(v for v in report.verdicts if v.rule == "licence.overdue")
    assert overdue.points == -5 and overdue.card == "yellow" and [c.id for c in overdue.cites] == ["xkf-42"]
    assert [(s.role, s.id) for s in overdue.subjects] == [("staff", "s2"), ("unit", "u1")]  # the accepting handler
    assert overdue.explanation.message_zh == "办件C1 超过20个工作日期限（2024年10月24日17:30）"
    facts = {f.en: f.value for f in overdue.explanation.facts}
    assert facts["days off crossed (not counted)"] == ", ".join(f"2024-10-0{d}" for d in range(1, 8))
    assert facts["make-up workdays crossed (counted)"] == "2024-09-29, 2024-10-12"
    assert facts["deadline"] == "2024-10-24T17:30+08:00 20wd (china calendar, 09:00-12:00,13:30-17:30)"
    assert facts["clock starts"] == "2024-09-23T10:00+08:00 case.accepted a"
    state = case(report)
    assert (state.status, state.overdue_seconds, state.overdue_days) == ("completed_late", 2 * DAY + HOUR, round(15 / 7, 4))


def test_red_card_and_running_overdue_at_as_of(engine: Engine) -> None:
    report = engine.evaluate(ACCEPTED, as_of=t("2024-10-30T12:00"))
    # 10-25, 10-28, 10-29 have run at 10-29 17:30: exactly 3 working days late; MORE than 3 when the
    # next working period opens, 10-30 09:00
    assert ("licence.red-card", "2024-10-30T09:00:00+08:00", "a") in verdicts(report)
    state = case(report)
    # 10-25, 10-28, 10-29 full days and 10-30 09:00-12:00 past the deadline
    assert (state.status, state.overdue_seconds, state.remaining_seconds) == ("overdue", 3 * DAY + 3 * HOUR, 0)
    assert [v.rule for v in report.verdicts].count("licence.late-day") == 4


@pytest.mark.parametrize(("completed", "red"), [
    ("2024-10-29T17:30:00", None),  # exactly 3 working days late, at closing time
    ("2024-10-29T20:00:00", None),  # in the evening: the clock stands still, still exactly 3.0
    ("2024-10-30T09:00:00", None),  # when the next working period opens: still 3.0
    ("2024-10-30T09:00:01", "2024-10-30T09:00:00+08:00"),  # one second more than 3 working days
    ("2024-10-30T11:00:00", "2024-10-30T09:00:00+08:00"),
])
def test_more_than_3_working_days_is_strictly_more(engine: Engine, completed: str, red: str | None) -> None:
    """`after: 3wd` is 超过3个工作日: a case exactly 3.0 working days late gets no red card, on every path."""
    events = [*ACCEPTED, ev("c", "case.completed", completed)]
    as_of = t("2024-12-01T00:00")
    report = engine.evaluate(events, as_of=as_of)
    given = [v.at.isoformat() for v in report.verdicts if v.rule == "licence.red-card"]
    assert given == ([] if red is None else [red])
    session = engine.session()
    for event in events:
        session.add(event)
    assert session.report(as_of).verdicts == report.verdicts
    assert sorted(engine.evaluate_stream(events, as_of=as_of), key=lambda v: (v.at, v.id)) == report.verdicts
    overdue = case(report).overdue_seconds
    assert (overdue == 3 * DAY) is (red is None)


def test_an_allowed_pause_across_the_holiday_excludes_only_working_time(engine: Engine) -> None:
    events = [
        *ACCEPTED,
        ev("p", "case.paused", "2024-09-30T10:00", reason="hearing"),
        ev("q", "case.resumed", "2024-10-08T15:30", reason="hearing"),
    ]
    report = engine.evaluate(events, as_of=t("2024-10-20T00:00"))
    state = case(report)
    # excluded: 09-30 10:00-17:30 (6h) + 10-08 09:00-15:30 (5h) = 11 working hours; 10-01..07 are not working time
    assert state.paused_seconds == 11 * HOUR
    # 10-24 17:30 + 11h: 10-25 (7h) and 4h of 10-28 → 09:00-12:00 (3h) and 13:30-14:30
    assert (state.status, state.deadline) == ("running", t("2024-10-28T14:30"))


def test_overlapping_pauses_count_once_and_an_open_pause_stops_the_clock(engine: Engine) -> None:
    events = [
        *ACCEPTED,
        ev("p1", "case.paused", "2024-10-08T09:00", reason="hearing"),
        ev("p2", "case.paused", "2024-10-09T09:00", reason="expert_review"),
        ev("q1", "case.resumed", "2024-10-10T09:00", reason="hearing"),
    ]
    report = engine.evaluate(events, as_of=t("2024-10-15T09:00"))
    state = case(report)
    assert (state.status, state.deadline) == ("paused", None)
    assert state.paused_seconds == 6 * DAY  # 10-08..11, 10-12 (make-up Saturday), 10-14: one pause or two, counted once
    closed = engine.evaluate([*events, ev("q2", "case.resumed", "2024-10-14T09:00", reason="expert_review")], as_of=t("2024-10-15T09:00"))
    # paused 10-08 09:00 to 10-14 09:00: five working days → 10-24 17:30 + 5wd = 10-31 17:30
    assert (case(closed).status, case(closed).deadline, case(closed).paused_seconds) == ("running", t("2024-10-31T17:30"), 5 * DAY)


def test_a_pause_for_a_reason_not_allowed_does_not_stop_the_clock(engine: Engine) -> None:
    events = [*ACCEPTED, ev("p", "case.paused", "2024-10-08T10:00", reason="holiday_backlog", actor="s2")]
    report = engine.evaluate(events, as_of=t("2024-10-20T00:00"))
    (bad,) = [v for v in report.verdicts if v.rule == "licence.bad-pause"]
    assert (bad.at, bad.trigger, bad.explanation.message_zh) == (t("2024-10-08T10:00"), "p", "暂停理由holiday_backlog不在法定情形内")
    assert (case(report).status, case(report).deadline, case(report).paused_seconds) == ("running", t("2024-10-24T17:30"), 0)


def test_an_extension_granted_one_day_late_moves_nothing(engine: Engine) -> None:
    events = [*ACCEPTED, ev("x", "case.extension_granted", "2024-10-25T10:00", duration="10wd", approver="agency_head")]
    report = engine.evaluate(events, as_of=t("2024-10-26T00:00"))
    (bad,) = [v for v in report.verdicts if v.rule == "licence.bad-extension"]
    assert bad.explanation.message_zh == "延期无效：在期限2024年10月24日17:30届满后才延长"
    assert (case(report).status, case(report).deadline) == ("overdue", t("2024-10-24T17:30"))
    assert ("licence.overdue", "2024-10-24T17:30:00+08:00", "a") in verdicts(report)


def test_a_valid_extension_moves_the_deadline_and_a_wrong_approver_does_not(engine: Engine) -> None:
    granted = [*ACCEPTED, ev("x", "case.extension_granted", "2024-10-24T10:00", duration="10wd", approver="agency_head")]
    report = engine.evaluate(granted, as_of=t("2024-10-26T00:00"))
    # 10-24 + 10 working days: 10-25, 10-28..31, 11-01, 11-04..07 → 11-07 17:30
    assert (case(report).status, case(report).deadline) == ("running", t("2024-11-07T17:30"))
    assert [v.rule for v in report.verdicts if v.rule.startswith("licence.")] == ["licence.yellow-light"]  # given 10-23, it stands
    wrong = [*ACCEPTED, ev("x", "case.extension_granted", "2024-10-24T10:00", duration="10wd", approver="deputy")]
    report = engine.evaluate(wrong, as_of=t("2024-10-26T00:00"))
    assert case(report).deadline == t("2024-10-24T17:30")
    (bad,) = [v for v in report.verdicts if v.rule == "licence.bad-extension"]
    assert bad.explanation.message_zh == "延期无效：批准人deputy不是行政机关负责人"
    too_long = [*ACCEPTED, ev("x", "case.extension_granted", "2024-10-24T10:00", duration="15wd", approver="agency_head")]
    assert next(v for v in engine.evaluate(too_long, as_of=t("2024-10-26T00:00")).verdicts
                if v.rule == "licence.bad-extension").explanation.message_zh == "延期无效：累计超过最长延期10个工作日"


def test_deemed_acceptance_starts_the_clock_at_receipt(engine: Engine) -> None:
    # Received Friday 2024-09-20 10:00; the notice was due 5 working days later: 09-23..27 → 09-27 17:30.
    events = [
        ev("r", "case.received", "2024-09-20T10:00", matter="licence-x", actor="s1", unit="u1"),
        ev("n", "case.supplement_requested", "2024-10-08T10:00", items=["营业执照"]),
        ev("a", "case.accepted", "2024-10-10T10:00"),
    ]
    report = engine.evaluate(events, as_of=t("2024-10-20T00:00"))
    assert verdicts(report)[0] == ("licence.late-notice", "2024-09-27T17:30:00+08:00", "r")
    state = case(report)
    # counted from receipt: 09-23..27 (5), 09-29 (6), 09-30 (7), 10-08..11 (11), 10-12 (12), 10-14..18 (17), 10-21..23 (20)
    assert (state.start, state.deadline) == (t("2024-09-20T10:00"), t("2024-10-23T17:30"))
    facts = [f.en for f in report.verdicts[0].explanation.facts]
    assert "notice due" in facts and "notice" in facts


def test_a_notice_in_time_keeps_the_start_at_acceptance(engine: Engine) -> None:
    events = [
        ev("r", "case.received", "2024-09-20T10:00", matter="licence-x"),
        ev("n", "case.supplement_requested", "2024-09-27T17:30", items=["营业执照"]),  # at the notice deadline: in time
        ev("a", "case.accepted", "2024-10-10T10:00"),
    ]
    report = engine.evaluate(events, as_of=t("2024-10-20T00:00"))
    assert verdicts(report) == []
    assert case(report).start == t("2024-10-10T10:00")


def test_withdrawal_stops_the_clock_without_an_overdue_verdict(engine: Engine) -> None:
    report = engine.evaluate([*ACCEPTED, ev("w", "case.withdrawn", "2024-10-24T17:00")], as_of=t("2024-12-01T00:00"))
    assert verdicts(report) == [("licence.yellow-light", "2024-10-23T17:30:00+08:00", "a")]
    assert (case(report).status, case(report).stopped_at) == ("withdrawn", t("2024-10-24T17:00"))


def test_the_limit_in_force_on_the_day_the_clock_started_applies(engine: Engine) -> None:
    # housing-sale: 3 working days until 2019-06-30, then 1 (a cut on 2019-07-01)
    before = [ev("r", "case.received", "2019-06-28T10:00", matter="housing-sale"), ev("a", "case.accepted", "2019-06-28T10:00")]
    after = [ev("r", "case.received", "2019-07-01T10:00", matter="housing-sale"), ev("a", "case.accepted", "2019-07-01T10:00")]
    early = case(engine.evaluate(before, as_of=t("2019-07-01T12:00")))
    late = case(engine.evaluate(after, as_of=t("2019-07-01T12:00")))
    assert (early.limit, early.deadline) == ("3wd", t("2019-07-03T17:30"))  # Friday 06-28 + 07-01, 02, 03
    assert (late.limit, late.deadline) == ("1wd", t("2019-07-02T17:30"))


def test_half_working_days(engine: Engine) -> None:
    events = [ev("r", "case.received", "2024-09-26T10:00", matter="registration"), ev("a", "case.accepted", "2024-09-26T10:00")]
    state = case(engine.evaluate(events, as_of=t("2024-09-27T00:00")))
    # 2.5wd after Thursday 09-26: 09-27 and Sunday 09-29 (make-up) in full, then 3.5h of 09-30 → 13:30 + 0.5h = 14:00
    assert (state.limit, state.deadline, state.remaining_seconds) == ("2.5wd", t("2024-09-30T14:00"), int(2.5 * DAY))


def test_restart_on_corrected_materials(engine: Engine) -> None:
    events = [
        ev("r", "case.received", "2025-01-20T10:00", matter="info-request"),
        ev("n", "case.supplement_requested", "2025-01-22T10:00", items=["身份证明"]),
        ev("s", "case.supplement_received", "2025-02-05T10:00"),
    ]
    report = engine.evaluate(events, as_of=t("2025-02-06T00:00"))
    state = case(report, "disclosure")
    # restarts on Wednesday 2025-02-05: 02-06, 07 (2), Saturday 02-08 (3, make-up), 02-10..14 (8), 02-17..21 (13),
    # 02-24..28 (18), 03-03, 03-04 (20)
    assert (state.start, state.deadline, state.status) == (t("2025-02-05T10:00"), t("2025-03-04T17:30"), "running")
    waiting = case(engine.evaluate(events[:2], as_of=t("2025-02-06T00:00")), "disclosure")
    assert (waiting.status, waiting.deadline) == ("paused", None)


def test_a_share_elapsed_warning_across_spring_festival(engine: Engine) -> None:
    events = [ev("r", "case.received", "2025-01-20T09:00", matter="info-request")]
    report = engine.evaluate(events, as_of=t("2025-03-01T00:00"))
    # 20 working days from Monday 01-20 (09:00 counts nothing: the start day is not counted): 01-21..24 (4),
    # Sunday 01-26 (5), 01-27 (6), the days off 01-28..02-04, 02-05..07 (9), Saturday 02-08 (10), 02-10..14 (15),
    # 02-17..21 (20): due 02-21 17:30; 80 % = 16 working days: 02-17 17:30
    assert verdicts(report, "disclosure") == [
        ("disclosure.overdue", "2025-02-21T17:30:00+08:00", "r"),
        ("disclosure.share", "2025-02-17T17:30:00+08:00", "r"),
    ]


def test_materials_complete_and_natural_days_with_an_extension(engine: Engine) -> None:
    events = [
        ev("r", "case.received", "2024-08-01T10:00", matter="petition"),
        ev("n", "case.supplement_requested", "2024-08-02T10:00", items=["身份证明"]),
        ev("s", "case.supplement_received", "2024-08-05T10:00"),
        ev("x", "case.extension_granted", "2024-09-30T10:00", duration="30d", approver="head"),
    ]
    state = case(engine.evaluate(events, as_of=t("2024-10-01T00:00")), "petition")
    # from 08-05 (complete): 60 days → 10-04, a day off (the period alone would end on 10-08); the 30 days
    # extend the period's own last day, 10-04 → Sunday 11-03, a day off → Monday 11-04 at the close (民法典 art. 203)
    assert (state.start, state.measure) == (t("2024-08-05T10:00"), "elapsed_time")
    assert state.deadline == t("2024-11-04T17:30")
    unextended = case(engine.evaluate(events[:3], as_of=t("2024-10-01T00:00")), "petition")
    assert unextended.deadline == t("2024-10-08T17:30")


@pytest.mark.parametrize("cut", ["2024-10-01T00:00", "2024-10-23T18:00", "2024-10-24T17:30", "2024-10-25T09:00", "2024-10-28T12:00"])
def test_sessions_agree_with_batch_however_time_is_advanced(engine: Engine, cut: str) -> None:
    events = [
        *ACCEPTED,
        ev("p", "case.paused", "2024-09-30T10:00", reason="hearing"),
        ev("q", "case.resumed", "2024-10-08T15:30", reason="hearing"),
        ev("x", "case.extension_granted", "2024-10-25T10:00", duration="2wd", approver="agency_head"),
        ev("c", "case.completed", "2024-11-04T10:00"),
    ]
    as_of = t("2024-12-01T00:00")
    batch = engine.evaluate(events, as_of=as_of)
    session = engine.session()
    for event in events:
        if event["at"] > cut + "+08:00":
            break
        session.add(event)
    session.advance(t(cut))
    restored = Session.restore(engine, session.snapshot())
    for event in events:
        if event["at"] > cut + "+08:00":
            restored.add(event)
    report = restored.report(as_of)
    assert [v.model_dump() for v in report.verdicts] == [v.model_dump() for v in batch.verdicts]
    assert report.cases == batch.cases


def test_explain_prints_the_timeline(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / "events.jsonl"
    import json

    log.write_text("\n".join(json.dumps(e) for e in [*ACCEPTED, ev("c", "case.completed", "2024-10-29T10:00")]) + "\n", encoding="utf-8")
    code = main(["explain", "C1", "--events", str(log), "--ruleset", str(RULESET), "--as-of", "2024-12-01T00:00+08:00", "--lang", "en"])
    out = capsys.readouterr().out
    assert code in (0, None)
    assert out.splitlines()[:12] == [
        "case C1  as of 1 December 2024, 00:00",
        "",
        "test.clocks 1 · licence (Licensing decision)",
        "  status: completed late  matter: licence-x",
        "  20 September 2024, 10:00 received: r",
        "  23 September 2024, 10:00 clock starts: accepted (a)",
        "                           days off crossed (not counted): 1–7 October 2024 (National Day)",
        "                           make-up workdays crossed (counted): 29 September 2024 and 12 October 2024 (National Day)",
        "  24 October 2024, 17:30   deadline: 20 working days, on the statutory working days of China, business hours 9:00–12:00 and 13:30–17:30",
        "  29 October 2024, 10:00   completed: c",
        "                           overdue by: 2 working days 1 hour",
        "  elapsed 22 working days 1 hour, overdue 2 working days 1 hour",
    ]
    assert "  24 October 2024, 17:30  violation yellow card -5 points  case C1 past its 20 working days deadline (24 October 2024, 17:30)" in out
    code = main(["explain", "C1", "--events", str(log), "--ruleset", str(RULESET), "--as-of", "2024-12-01T00:00+08:00"])
    assert code in (0, None)
    assert capsys.readouterr().out.splitlines() == [
        "办件C1  截至2024年12月1日00:00",
        "",
        "test.clocks 1 · licence（行政许可决定）",
        "  状态：超期办结  事项：licence-x",
        "  2024年9月20日10:00  收件：r",
        "  2024年9月23日10:00  起算：受理（a）",
        "                      期间节假日（不计）：2024年10月1日至7日（国庆节）",
        "                      期间调休上班日（计入）：2024年9月29日、10月12日（国庆节）",
        "  2024年10月24日17:30 截止时间：20个工作日，按中国法定工作日计算，工作时间9:00–12:00、13:30–17:30",
        "  2024年10月29日10:00 办结：c",
        "                      超期：2个工作日又1小时",
        "  已用22个工作日又1小时，超期2个工作日又1小时",
        "",
        "结论（5项）：",
        "  2024年10月23日17:30  预警  办件C1 剩余不足1个工作日，期限2024年10月24日17:30",
        "  2024年10月24日17:30  违规 黄牌 -5分  办件C1 超过20个工作日期限（2024年10月24日17:30）",
        "  2024年10月24日17:30  违规 -2分  办件C1 超期第1个工作日",
        "  2024年10月25日17:30  违规 -2分  办件C1 超期第2个工作日",
        "  2024年10月28日17:30  违规 -2分  办件C1 超期第3个工作日",
    ]


def test_a_clock_whose_catalogue_lacks_the_matter_reports_no_state(engine: Engine) -> None:
    # 'disclosure' and 'petition' list only their own matters: a licensing case has no clock under them,
    # not even a not-started one; 'licence' (a default limit) waits for the acceptance
    report = engine.evaluate([ev("r", "case.received", "2024-09-20T10:00", matter="licence-x")], as_of=t("2024-09-23T10:00"))
    assert [(c.time_limit, c.status) for c in report.cases] == [("licence", "not_started")]


def test_verdicts_a_deemed_start_dates_in_the_past_are_given(engine: Engine) -> None:
    # The case's clocks run on 09-24 (a pause before any start: ignored) and find nothing due; when the
    # notice deadline passes (09-29 17:30, a make-up Sunday) the clock is deemed to have started at receipt, 09-23 09:00,
    # which dates the one-working-day warning (housing-sale: 1wd) back to 09-23 17:30 — still given.
    events = [
        ev("r", "case.received", "2024-09-23T09:00", matter="housing-sale"),
        ev("p", "case.paused", "2024-09-24T10:00", reason="hearing"),
    ]
    report = engine.evaluate(events, as_of=t("2024-10-09T00:00"))
    assert ("licence.yellow-light", "2024-09-23T17:30:00+08:00", "r") in verdicts(report)
    assert ("licence.late-notice", "2024-09-29T17:30:00+08:00", "r") in verdicts(report)  # 09-24..27, Sunday 09-29
