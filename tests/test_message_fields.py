"""Event fields as message placeholders: a work order's own number or category in its verdict."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from efficiency_rules import Engine, RulesetError, Session, Verdict, load_ruleset

CST = dt.timezone(dt.timedelta(hours=8))
AS_OF = dt.datetime(2024, 12, 1, tzinfo=CST)

WORK_ORDERS = """\
id: demo.work-orders
title: {zh: 工单, en: Work orders}
version: "1"
effective: {from: 2024-01-01}
event_types:
  workorder.created:
    thread: order_id
    fields:
      order_id: string
      number: string
      category: {type: string, required: false}
      urgent: {type: boolean, required: false}
  workorder.closed:
    thread: order_id
    fields:
      order_id: string
verdicts:
  unclosed: {kind: violation, message: {zh: "工单{number}（{category}）未在{within}内办结（期限{deadline}）", en: "Work order {number} ({category}) not closed within {within} (due {deadline})"}}
  urgent: {kind: warning, message: "紧急工单{number}：{urgent}"}
rules:
  - id: close-within-3wd
    expect: {after: workorder.created, event: workorder.closed, within: 3wd}
    verdict: unclosed
  - id: urgent-order
    on: workorder.created
    if: {field: urgent, op: "==", value: true}
    verdict: urgent
"""

CLOCK = """\
id: demo.channel
title: {zh: 渠道, en: Channel}
version: "1"
effective: {from: 2024-01-01}
verdicts:
  late: {kind: violation, message: {zh: "{thread}（{channel}渠道收件）超过{limit}", en: "{thread} (received by {channel}) past {limit}"}}
time_limits:
  licence:
    start: case.accepted
    stop: [case.completed]
    limit: 5wd
    overdue: [{verdict: late}]
"""

CREATED = {"id": "w1", "type": "workorder.created", "at": "2024-11-04T09:00+08:00", "order_id": "A1", "number": "GD-2024-0042",
           "category": "供水", "urgent": True}


@pytest.fixture
def work_orders(tmp_path: Path) -> Engine:
    (tmp_path / "work-orders.yaml").write_text(WORK_ORDERS, encoding="utf-8")
    return Engine([tmp_path / "work-orders.yaml"])


def messages(verdicts: list[Verdict]) -> list[tuple[str, str, str | None]]:
    return [(v.rule, v.explanation.message_zh, v.explanation.message_en) for v in verdicts]


def test_the_fields_of_the_trigger_and_of_the_starting_event(work_orders: Engine) -> None:
    assert messages(work_orders.evaluate([CREATED], as_of=AS_OF).verdicts) == [
        ("urgent-order", "紧急工单GD-2024-0042：是", None),
        ("close-within-3wd", "工单GD-2024-0042（供水）未在3个工作日内办结（期限2024年11月7日17:30）",
         "Work order GD-2024-0042 (供水) not closed within 3 working days (due 7 November 2024, 17:30)"),
    ]


def test_a_missing_optional_field_leaves_its_placeholder_empty(work_orders: Engine) -> None:
    plain = {k: v for k, v in CREATED.items() if k not in ("category", "urgent")}
    assert messages(work_orders.evaluate([plain], as_of=AS_OF).verdicts) == [
        ("close-within-3wd", "工单GD-2024-0042（）未在3个工作日内办结（期限2024年11月7日17:30）",
         "Work order GD-2024-0042 () not closed within 3 working days (due 7 November 2024, 17:30)"),
    ]


def test_a_restored_session_keeps_the_starting_event_s_fields(work_orders: Engine) -> None:
    session = work_orders.session()
    session.add(CREATED)
    session.advance(dt.datetime(2024, 11, 5, tzinfo=CST))
    snapshot = session.snapshot()
    restored = Session.restore(work_orders, snapshot)
    assert messages(restored.report(AS_OF).verdicts) == messages(work_orders.evaluate([CREATED], as_of=AS_OF).verdicts)


def test_a_clock_verdict_names_a_field_of_the_case_s_first_event_with_it(tmp_path: Path) -> None:
    (tmp_path / "channel.yaml").write_text(CLOCK, encoding="utf-8")
    engine = Engine([tmp_path / "channel.yaml"])
    events = [
        {"id": "r", "type": "case.received", "at": "2024-11-04T09:00+08:00", "case_id": "C1", "matter": "m", "channel": "web"},
        {"id": "a", "type": "case.accepted", "at": "2024-11-04T10:00+08:00", "case_id": "C1"},
    ]
    assert messages(engine.evaluate(events, as_of=AS_OF).verdicts) == [
        ("licence.late", "办件C1（web渠道收件）超过5个工作日", "case C1 (received by web) past 5 working days"),
    ]


def test_an_unknown_placeholder_is_a_ruleset_error_with_its_place_and_a_suggestion(tmp_path: Path) -> None:
    path = tmp_path / "typo.yaml"
    path.write_text(WORK_ORDERS.replace("工单{number}（", "工单{numbr}（"), encoding="utf-8")
    with pytest.raises(RulesetError) as caught:
        load_ruleset(path)
    assert [str(issue) for issue in caught.value.issues] == [
        (f"{path}:18:45: verdict 'unclosed': unknown placeholder {{numbr}} in message; placeholders are {{rule}}, {{thread}}, "
        "{event_type}, {event_id}, {actor}, {unit}, {at}, {deadline}, {within}, {count}, {limit}, {matter}, {overdue_by}, "
        "{reason}, {approver}, {new_items} and the fields of the event types (declared ones included) — did you mean 'number'?")
    ]
