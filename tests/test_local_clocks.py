"""Local clocks: a step charged to whoever acts next, 'immediate' as the same visit, a hall's own
service calendar, and a limit carried by the event with extensions applied for in advance.

Business hours are 09:00-12:00 and 13:30-17:30 unless a hall states its own. 2024 National Day:
days off 10-01..07, make-up workdays Sunday 09-29 and Saturday 10-12.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from efficiency_rules import Calendar, Engine, EventError, RulesetError, Session, load_ruleset

CST = dt.timezone(dt.timedelta(hours=8))
BACKENDS = ["native", "durable"]

RULESET = """
id: test.local-clocks
title: 本地时限
version: "1"
effective: {from: 2024-01-01}
calendar:
  service_calendars:
    hall:
      title: {zh: 政务服务大厅, en: the service hall}
      days: every_day_but_holidays
      business_hours: "08:30-18:00"
event_types:
  document.step:
    thread: doc_id
    fields:
      doc_id: string
      step: {type: string, enum: [sending, signing_for]}
      next_unit: {type: string, required: false}
      next_actor: {type: string, required: false}
  task.assigned:
    thread: task_id
    fields:
      task_id: string
      limit: duration
      lead: string
      lead_unit: string
  task.extension_applied:
    thread: task_id
    fields:
      task_id: string
      duration: duration
      reason: string
      next_steps: string
  task.completed:
    thread: task_id
    fields: {task_id: string}
time_limits:
  counter:
    start: case.accepted
    stop: case.completed
    service_calendar: hall
    immediate_within: 1h
    matters:
      on-the-spot: immediate
      same-day: same_day
    overdue: [{verdict: late}]
  statutory:
    start: case.accepted
    stop: case.completed
    matters: {statutory-same-day: same_day}
    overdue: [{verdict: statutory-late}]
  default-immediate:
    start: case.accepted
    stop: case.completed
    matters: {quick: immediate}
    overdue: [{verdict: quick-late}]
  task:
    start: task.assigned
    stop: task.completed
    limit_field: limit
    charge: {actor: lead, unit: lead_unit}
    extensions: {event: task.extension_applied, verdict: extension-late}
    overdue: [{verdict: task-late}]
verdicts:
  late: {kind: violation, message: "超过{limit}（截止{deadline}）"}
  quick-late: {kind: violation, message: "超过{limit}（截止{deadline}）"}
  statutory-late: {kind: violation, message: "超过{limit}（截止{deadline}）"}
  task-late: {kind: sanction, sanction: 说明情况, message: "督办事项超过{limit}（截止{deadline}）"}
  extension-late: {kind: violation, message: "延期未提前申请（{reason}）"}
  step-late: {kind: violation, message: "公文步骤超过24小时（截止{deadline}）"}
rules:
  - id: signed-within-24h
    expect:
      after: document.step
      where: {field: step, op: "==", value: sending}
      event: document.step
      within: 24h
      charge: {unit: next_unit, actor: next_actor}
    verdict: step-late
"""


def t(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text + "+08:00")


def ev(event_id: str, kind: str, at: str, **fields: Any) -> dict[str, Any]:
    return {"id": event_id, "type": kind, "at": at + "+08:00", **fields}


@pytest.fixture(scope="module")
def ruleset_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("local") / "local.yaml"
    path.write_text(RULESET, encoding="utf-8")
    return path


@pytest.fixture(scope="module", params=BACKENDS)
def engine(request: pytest.FixtureRequest, ruleset_path: Path) -> Engine:
    if request.param == "durable":
        pytest.importorskip("durable")
    return Engine([ruleset_path], backend=request.param)


def subjects(verdict: Any) -> list[tuple[str, str]]:
    return [(s.role, s.id) for s in verdict.subjects]


def only(report: Any, rule: str) -> Any:
    (found,) = [v for v in report.verdicts if v.rule == rule]
    return found


def state(report: Any, thread: str, clock: str) -> Any:
    (found,) = [c for c in report.cases if c.thread == thread and c.time_limit == clock]
    return found


# -- charged to who acts next ------------------------------------------------------------------


def test_a_step_signed_for_late_is_charged_to_the_receiving_unit(engine: Engine) -> None:
    report = engine.evaluate([
        ev("s", "document.step", "2024-10-08T11:00", doc_id="D", step="sending", unit="办公室", actor="王", next_unit="住建局"),
        ev("g", "document.step", "2024-10-09T12:00", doc_id="D", step="signing_for", unit="住建局", actor="李"),
    ], as_of=t("2024-10-20T00:00"))
    verdict = only(report, "signed-within-24h")
    assert (verdict.at, verdict.trigger) == (t("2024-10-09T11:00"), "s")
    assert subjects(verdict) == [("unit", "住建局")]  # not the sender, nor the sender's staff member


def test_a_step_naming_the_next_staff_member_charges_them_too(engine: Engine) -> None:
    report = engine.evaluate([
        ev("s", "document.step", "2024-10-08T11:00", doc_id="D", step="sending", unit="办公室", next_unit="住建局", next_actor="李"),
    ], as_of=t("2024-10-20T00:00"))
    assert subjects(only(report, "signed-within-24h")) == [("staff", "李"), ("unit", "住建局")]


def test_a_step_naming_no_one_is_charged_to_its_own_actor_and_unit(engine: Engine) -> None:
    report = engine.evaluate([
        ev("s", "document.step", "2024-10-08T11:00", doc_id="D", step="sending", unit="办公室", actor="王"),
    ], as_of=t("2024-10-20T00:00"))
    assert subjects(only(report, "signed-within-24h")) == [("staff", "王"), ("unit", "办公室")]


def test_a_restored_session_charges_the_pending_step_alike(ruleset_path: Path) -> None:
    engine = Engine([ruleset_path])
    session = engine.session()
    session.add(ev("s", "document.step", "2024-10-08T11:00", doc_id="D", step="sending", unit="办公室", next_unit="住建局"))
    restored = Session.restore(engine, session.snapshot())
    (verdict,) = restored.advance(t("2024-10-10T00:00"))
    assert subjects(verdict) == [("unit", "住建局")]


# -- immediate: the same visit -----------------------------------------------------------------


def test_immediate_allows_the_stated_tolerance(engine: Engine) -> None:
    report = engine.evaluate([
        ev("a1", "case.accepted", "2024-10-09T10:00", case_id="I1", matter="on-the-spot", unit="窗口"),
        ev("c1", "case.completed", "2024-10-09T10:55", case_id="I1"),
        ev("a2", "case.accepted", "2024-10-09T10:00", case_id="I2", matter="on-the-spot", unit="窗口"),
        ev("c2", "case.completed", "2024-10-09T11:20", case_id="I2"),
    ], as_of=t("2024-10-20T00:00"))
    assert state(report, "case:I1", "counter").status == "completed_on_time"
    late = state(report, "case:I2", "counter")
    assert (late.status, late.deadline, late.overdue_seconds) == ("completed_late", t("2024-10-09T11:00"), 1200)
    assert [(v.thread, v.at) for v in report.verdicts] == [("case:I2", t("2024-10-09T11:00"))]


def test_immediate_is_half_an_hour_where_the_time_limit_states_nothing(engine: Engine) -> None:
    report = engine.evaluate([
        ev("a", "case.accepted", "2024-10-09T17:20", case_id="Q", matter="quick"),
        ev("c", "case.completed", "2024-10-09T17:45", case_id="Q"),
    ], as_of=t("2024-10-20T00:00"))
    found = state(report, "case:Q", "default-immediate")
    # past the close of business, still the same visit: it does not move to the next day
    assert (found.status, found.deadline) == ("completed_on_time", t("2024-10-09T17:50"))


def test_the_explanation_says_what_immediate_allowed(ruleset_path: Path) -> None:
    engine = Engine([ruleset_path])
    events = [ev("a", "case.accepted", "2024-10-09T10:00", case_id="I", matter="on-the-spot"),
              ev("c", "case.completed", "2024-10-09T11:20", case_id="I")]
    text = engine.explain(events, case="I", as_of=t("2024-10-20T00:00"), language="zh")
    assert "即时，同一次办理，起算后60分钟内" in text
    assert "the same visit, within 60 minutes of the start" in engine.explain(events, case="I", as_of=t("2024-10-20T00:00"), language="en")


# -- a hall's service calendar -----------------------------------------------------------------


def test_a_same_day_matter_accepted_on_a_saturday_at_the_hall_is_due_that_day(engine: Engine) -> None:
    report = engine.evaluate([
        ev("a1", "case.accepted", "2024-10-19T10:00", case_id="S1", matter="same-day"),
        ev("c1", "case.completed", "2024-10-21T09:00", case_id="S1"),
        # a same-day limit on the statutory calendar: Monday
        ev("a2", "case.accepted", "2024-10-19T10:00", case_id="S2", matter="statutory-same-day"),
    ], as_of=t("2024-10-22T00:00"))
    hall = state(report, "case:S1", "counter")
    # the hall closes at 18:00; Sunday 10-20 is open (9.5 h) and Monday 08:30-09:00 (0.5 h)
    assert (hall.deadline, hall.overdue_seconds) == (t("2024-10-19T18:00"), 10 * 3600)
    assert state(report, "case:S2", "statutory").deadline == t("2024-10-21T17:30")


def test_the_hall_is_shut_on_the_holidays_and_after_its_hours(engine: Engine) -> None:
    report = engine.evaluate([
        ev("a1", "case.accepted", "2024-09-30T18:30", case_id="H1", matter="same-day"),
        ev("a2", "case.accepted", "2024-10-12T17:45", case_id="H2", matter="same-day"),
    ], as_of=t("2024-10-20T00:00"))
    # after the close on 09-30, National Day 10-01..07 closed: the close of 10-08
    assert state(report, "case:H1", "counter").deadline == t("2024-10-08T18:00")
    # 17:45 is within the hall's extended hours (to 18:00): still that day
    assert state(report, "case:H2", "counter").deadline == t("2024-10-12T18:00")


def test_the_explanation_names_the_hall(ruleset_path: Path) -> None:
    engine = Engine([ruleset_path])
    events = [ev("a", "case.accepted", "2024-10-19T10:00", case_id="S", matter="same-day")]
    text = engine.explain(events, case="S", as_of=t("2024-10-20T00:00"), language="zh")
    assert "当日，按政务服务大厅的服务日计算，服务时间8:30–18:00" in text
    text = engine.explain(events, case="S", as_of=t("2024-10-20T00:00"), language="en")
    assert "on the service days of the service hall, hours 8:30–18:00" in text


def test_a_service_calendar_opens_the_weekends_and_keeps_the_holidays() -> None:
    china = Calendar.china()
    hall = china.service_calendar("hall", business_hours="08:30-18:00")
    assert hall.is_working_day(dt.date(2024, 10, 19)) and not china.is_working_day(dt.date(2024, 10, 19))
    assert not hall.is_working_day(dt.date(2024, 10, 5))  # National Day
    assert hall.is_working_day(dt.date(2024, 10, 12))  # a make-up workday is open too
    weekdays = china.service_calendar("weekdays", every_day=False)
    assert weekdays.is_working_day(dt.date(2024, 10, 19)) is False
    assert weekdays.deadline(t("2024-10-18T18:00"), "same_day") == t("2024-10-21T17:30")


# -- a limit carried by the event; extensions applied for in advance ---------------------------


def test_the_task_limit_is_the_instruction_s(engine: Engine) -> None:
    report = engine.evaluate([
        # 5 working days from Monday 09-23: 24, 25, 26, 27, Sunday 29 (make-up) → 09-29 17:30
        ev("a", "task.assigned", "2024-09-23T10:00", task_id="K", limit="5wd", lead="张主任", lead_unit="发改委", unit="督查室", actor="督查员"),
    ], as_of=t("2024-10-09T00:00"))
    verdict = only(report, "task.task-late")
    assert verdict.at == t("2024-09-29T17:30")
    assert subjects(verdict) == [("staff", "张主任"), ("unit", "发改委")]
    assert verdict.sanction == "说明情况"
    assert verdict.explanation.message_zh == "督办事项超过5个工作日（截止2024年9月29日17:30）"


def test_an_extension_applied_for_in_time_moves_the_deadline(engine: Engine) -> None:
    report = engine.evaluate([
        ev("a", "task.assigned", "2024-09-23T10:00", task_id="K", limit="5wd", lead="张主任", lead_unit="发改委"),
        ev("x", "task.extension_applied", "2024-09-27T10:00", task_id="K", duration="3wd", reason="等待批复", next_steps="下周报送"),
    ], as_of=t("2024-10-20T00:00"))
    # 09-29 + 3 working days: 09-30, then 10-08, 10-09 (National Day off)
    verdict = only(report, "task.task-late")
    assert verdict.at == t("2024-10-09T17:30")
    assert verdict.explanation.message_zh == "督办事项超过5个工作日（延长3个工作日）（截止2024年10月9日17:30）"
    assert "申请延长3个工作日（x）" in engine.explain(
        [ev("a", "task.assigned", "2024-09-23T10:00", task_id="K", limit="5wd", lead="张主任", lead_unit="发改委"),
         ev("x", "task.extension_applied", "2024-09-27T10:00", task_id="K", duration="3wd", reason="等待批复", next_steps="下周报送")],
        case="task:K", as_of=t("2024-10-20T00:00"), language="zh")


def test_an_extension_applied_for_after_the_deadline_extends_nothing(engine: Engine) -> None:
    report = engine.evaluate([
        ev("a", "task.assigned", "2024-09-23T10:00", task_id="K", limit="5wd", lead="张主任", lead_unit="发改委"),
        ev("x", "task.extension_applied", "2024-09-30T10:00", task_id="K", duration="3wd", reason="等待批复", next_steps="下周报送"),
    ], as_of=t("2024-10-20T00:00"))
    assert only(report, "task.task-late").at == t("2024-09-29T17:30")
    assert only(report, "task.extension-late").explanation.message_zh == "延期未提前申请（在期限2024年9月29日17:30届满后才延长）"


def test_a_task_whose_limit_cannot_be_read_is_refused_where_it_comes_in(ruleset_path: Path) -> None:
    engine = Engine([ruleset_path])
    with pytest.raises(EventError) as info:
        engine.parse(ev("a", "task.assigned", "2024-09-23T10:00", task_id="K", limit="15 days", lead="张", lead_unit="委"))
    assert str(info.value) == ("event 'a': field 'limit': unknown unit 'days' in duration '15 days'; units are wd, d, mo, h, wh, min "
                               "— did you mean 'd'?")
    with pytest.raises(EventError) as info:
        engine.parse(ev("x", "task.extension_applied", "2024-09-27T10:00", task_id="K", duration="3wd", reason="等待批复"))
    assert str(info.value) == "event 'x': field 'next_steps': missing (expected a string)"  # no application without next steps


# -- the checker -------------------------------------------------------------------------------


def _issues(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RulesetError) as info:
        load_ruleset(path)
    return [str(issue).split(": ", 1)[1] for issue in info.value.issues]


def test_the_checker_refuses_what_cannot_work(tmp_path: Path) -> None:
    text = (RULESET
            .replace("service_calendar: hall", "service_calendar: halls")
            .replace("immediate_within: 1h", "immediate_within: 1wd")
            .replace("limit_field: limit", "limit_field: lead")
            .replace("charge: {actor: lead, unit: lead_unit}", "charge: {actor: lead, unit: lead_unti}")
            .replace("charge: {unit: next_unit, actor: next_actor}", "charge: {unit: nxt_unit}")
            .replace('business_hours: "08:30-18:00"', 'business_hours: "8h30-18h"'))
    assert _issues(tmp_path, text) == [
        "calendar: service calendar 'hall': cannot read business-hours session '8h30-18h': expected HH:MM-HH:MM, e.g. 09:00-12:00",
        "time limit 'counter': unknown service calendar 'halls' — did you mean 'hall'?",
        "time limit 'counter': 'immediate' is the same visit: its tolerance is some minutes or hours of elapsed time (e.g. 30min or 1h), got 1wd",
        "time limit 'task': field 'lead' of task.assigned is a string: a limit carried by an event is a duration field (15wd, 10d, 24h), "
        "validated when the event comes in",
        "time limit 'task': task.assigned has no field 'lead_unti' to name the unit who acts next — did you mean 'lead_unit'?; "
        "declare it on task.assigned (e.g. next_unit)",
        "rule 'signed-within-24h': document.step has no field 'nxt_unit' to name the unit who acts next — did you mean 'next_unit'?; "
        "declare it on document.step (e.g. next_unit)",
    ]
