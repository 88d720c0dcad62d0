"""Conditions that look beyond the triggering event: values a list adds ('new') and fields of an
earlier event of the thread ('of'), on both backends and across a snapshot."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from efficiency_rules import Engine, Session

CST = dt.timezone(dt.timedelta(hours=8))
AS_OF = dt.datetime(2024, 10, 1, tzinfo=CST)
RULESET = """
id: test.thread
title: 测试
version: "1"
effective: {from: 2004-01-01}
verdicts:
  not-once: {kind: violation, points: -1, message: "{thread} 补正告知新增：{new_items}"}
  buck: {kind: violation, points: -1, message: "{thread} 属本单位职责却转办"}
  bounced: {kind: violation, points: -0.5, subjects: [unit], message: "{thread} 第{count}次转办"}
rules:
  - id: one-time-notification
    on: case.supplement_requested
    if: {new: items, except: caused_by_supplement, op: ">=", value: 1}
    verdict: not-once
  - id: buck-passing
    on: inquiry.referred
    if: {field: in_scope, of: inquiry.received, op: "==", value: true}
    verdict: buck
  - id: passed-on-again
    on: inquiry.referred
    if: [{count: inquiry.referred, op: ">", value: 1}, {not: {field: in_scope, of: inquiry.received, op: "==", value: true}}]
    verdict: bounced
"""


def notice(event_id: str, day: int, items: list[str], caused: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"id": event_id, "type": "case.supplement_requested", "at": f"2024-09-{day:02d}T10:00:00+08:00", "case_id": "C1",
            "items": items, "caused_by_supplement": list(caused), "actor": "s1", "unit": "u1"}


def inquiry(event_id: str, kind: str, thread: str, day: int, **fields: Any) -> dict[str, Any]:
    return {"id": event_id, "type": kind, "at": f"2024-09-{day:02d}T10:00:00+08:00", "inquiry_id": thread, **fields}


NOTICES = [
    notice("n1", 2, ["身份证明", "营业执照"]),
    notice("n2", 5, ["营业执照", "授权书", "章程"], caused=("章程",)),  # 章程 was made necessary by what was supplied
    notice("n3", 9, ["身份证明"]),  # nothing new
    notice("n4", 10, ["租赁合同", "授权书"]),  # new against the first notice, however often asked since
]
INQUIRIES = [
    inquiry("a1", "inquiry.received", "Q1", 2, in_scope=True, actor="s1", unit="u1"),
    inquiry("a2", "inquiry.referred", "Q1", 2, to_unit="u2", actor="s1", unit="u1"),
    inquiry("b1", "inquiry.received", "Q2", 2, in_scope=False, actor="s1", unit="u1"),
    inquiry("b2", "inquiry.referred", "Q2", 3, to_unit="u2", actor="s1", unit="u1"),
    inquiry("b3", "inquiry.referred", "Q2", 4, to_unit="u3", actor="s5", unit="u2"),
    inquiry("b4", "inquiry.referred", "Q2", 5, to_unit="u4", actor="s6", unit="u3"),
]


@pytest.fixture(scope="module", params=["native", "durable"])
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    if request.param == "durable":
        pytest.importorskip("durable")
    path = Path(tmp_path_factory.mktemp("rules")) / "thread.yaml"
    path.write_text(RULESET, encoding="utf-8")
    made = Engine([path], backend=request.param)
    yield made
    made.close()


def test_new_items_name_what_the_first_notice_missed(engine: Engine) -> None:
    verdicts = engine.evaluate(NOTICES, as_of=AS_OF).verdicts
    assert [(v.trigger, v.explanation.message_zh) for v in verdicts] == [
        ("n2", "办件C1 补正告知新增：授权书"),
        ("n4", "办件C1 补正告知新增：租赁合同、授权书"),
    ]
    assert {f.en: f.value for f in verdicts[1].explanation.facts}["new items"] == "租赁合同、授权书"


def test_fields_of_an_earlier_event_and_repeated_referrals(engine: Engine) -> None:
    verdicts = engine.evaluate(INQUIRIES, as_of=AS_OF).verdicts
    assert [(v.rule, v.trigger, [(s.role, s.id) for s in v.subjects]) for v in verdicts] == [
        ("buck-passing", "a2", [("staff", "s1"), ("unit", "u1")]),  # in scope, yet referred: 推诿
        ("passed-on-again", "b3", [("unit", "u2")]),  # each unit that passed it on after the first
        ("passed-on-again", "b4", [("unit", "u3")]),
    ]


def test_a_restored_session_remembers_the_thread(engine: Engine) -> None:
    events = sorted(NOTICES + INQUIRIES, key=lambda e: (e["at"], e["id"]))
    first = engine.session()
    for event in events[:5]:
        first.add(event)
    resumed = Session.restore(engine, first.snapshot())
    for event in events[5:]:
        resumed.add(event)
    assert resumed.report(AS_OF).verdicts == engine.evaluate(events, as_of=AS_OF).verdicts


def test_a_thread_idle_for_the_retention_starts_afresh() -> None:
    """Counts are of the thread as it is held: a thread with no clock and nothing pending is closed after
    ``retention`` without an event, and an event after that opens it anew (docs/rulesets.md, "What a
    thread remembers"). A ruleset that counts over longer gaps sets a longer retention."""
    path = Path(__file__).resolve().parent / "data" / "count-without-clock.yaml"

    def case(event_id: str, kind: str, day: str, case_id: str) -> dict[str, Any]:
        return {"id": event_id, "type": kind, "at": f"2024-{day}T10:00:00+08:00", "case_id": case_id, "unit": "u1"}

    events = [
        {**case("a1", "case.received", "07-01", "A"), "matter": "m"}, case("a2", "case.accepted", "07-01", "A"),
        case("a3", "case.completed", "07-30", "A"),  # 29 days later: the thread is still open
        {**case("b1", "case.received", "07-01", "B"), "matter": "m"}, case("b2", "case.accepted", "07-01", "B"),
        case("b3", "case.completed", "08-02", "B"),  # 32 days later: closed at 30, opened anew by the completion
    ]
    fired = [v.thread for v in Engine([path]).evaluate(events, as_of=AS_OF).verdicts]
    assert fired == ["case:B"]
    assert Engine([path], retention=dt.timedelta(days=60)).evaluate(events, as_of=AS_OF).verdicts == []
