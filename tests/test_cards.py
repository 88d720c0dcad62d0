"""Cards by severity (cards: {same_thread: replace}), the talk every card brings, and the window
totals messages may give ({total}): on the shipped Changde and Taixing rulesets, on every path —
batch, session, a restored session and the stream — and with revocations."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import pytest

from efficiency_rules import Engine, Report, Session
from efficiency_rules._accountability import Counted, replaced_cards

ROOT = Path(__file__).resolve().parents[1]
CHANGDE = [ROOT / "rulesets" / "changde" / "e-supervision-2013.yaml", ROOT / "rulesets" / "changde" / "accountability-2013.yaml"]
CST = dt.timezone(dt.timedelta(hours=8))
AS_OF = dt.datetime(2013, 12, 31, tzinfo=CST)


def ev(event_id: str, kind: str, at: str, **fields: Any) -> dict[str, Any]:
    return {"id": event_id, "type": kind, "at": at + "+08:00", **fields}


# Three approvals accepted Monday 2013-09-02, due Monday 09-30 17:30 (National Day 10-01..07 off).
# P1 and P2 completed 10-08, less than a working day late: a yellow card each. P3 completed 10-14:
# a yellow card at the deadline, and a red card at 10-11 09:00, when it is more than 3 working days late.
HISTORY = [
    ev("o1", "org.unit_leaders", "2013-01-04T09:00", unit="交通局", deputy="交通局副局长", principal="交通局局长"),
    ev("p1-acc", "case.accepted", "2013-09-02T10:00", case_id="P1", actor="w6", unit="交通局"),
    ev("p1-done", "case.completed", "2013-10-08T10:00", case_id="P1"),
    ev("p2-acc", "case.accepted", "2013-09-02T11:00", case_id="P2", actor="w6", unit="交通局"),
    ev("p2-done", "case.completed", "2013-10-08T11:00", case_id="P2"),
    ev("p3-acc", "case.accepted", "2013-09-02T09:30", case_id="P3", actor="w6", unit="交通局"),
    ev("p3-done", "case.completed", "2013-10-14T10:00", case_id="P3"),
]


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(CHANGDE)


def adding_engine(tmp_path: Path) -> Engine:
    """The Changde rulesets with `same_thread: add`: every card counts."""
    text = CHANGDE[1].read_text(encoding="utf-8")
    assert "  cards: {same_thread: replace}" in text
    copy = tmp_path / "accountability-2013.yaml"
    copy.write_text(text.replace("  cards: {same_thread: replace}", "  cards: {same_thread: add}"), encoding="utf-8")
    return Engine([CHANGDE[0], copy])


def cards(report: Report) -> list[tuple[str, str, str]]:
    """(rule, time, card) of the accountability verdicts of the unit: accumulated red cards and talks."""
    found = []
    for v in report.verdicts:
        if v.thread == "unit:交通局":
            card = next((f.value for f in v.explanation.facts if f.en == "offence of"), v.card or "")
            found.append((v.rule, v.at.isoformat(), card))
    return found


def every_path(engine: Engine, events: list[dict[str, Any]], as_of: dt.datetime = AS_OF) -> Report:
    """The batch report of the events known by ``as_of``, after checking that every other path gives
    the same verdicts and scores."""
    events = [e for e in events if dt.datetime.fromisoformat(e["at"]) <= as_of]
    batch = engine.evaluate(events, as_of=as_of)
    shuffled = list(events)
    random.Random(7).shuffle(shuffled)
    assert engine.evaluate(shuffled, as_of=as_of) == batch
    ordered = sorted(events, key=lambda e: (e["at"], e["id"]))
    session = engine.session()
    restored: Session | None = None
    for i, event in enumerate(ordered):
        if i == len(ordered) // 2:
            restored = Session.restore(engine, session.snapshot())
        session.add(event)
        if restored is not None:
            restored.add(event)
    assert session.report(as_of) == batch
    assert restored is not None and restored.report(as_of) == batch
    stats: dict[str, Any] = {}
    streamed = list(engine.evaluate_stream(ordered, as_of=as_of, stats=stats))
    revoked = set(stats["revoked"])
    assert sorted((v for v in streamed if v.id not in revoked), key=lambda v: (v.at, v.id)) == batch.verdicts
    assert stats["scores"] == batch.scores and stats["revocations"] == batch.revocations
    return batch


def test_a_red_card_replaces_the_yellow_card_of_its_case_on_every_path(engine: Engine) -> None:
    report = every_path(engine, HISTORY)
    by_case = {(v.thread, v.card): v for v in report.verdicts if v.card and v.thread.startswith("case:")}
    yellow_p3, red_p3 = by_case[("case:P3", "yellow")], by_case[("case:P3", "red")]
    # the replaced yellow card stays in the report (it was given); it counts nowhere
    assert red_p3.at.isoformat() == "2013-10-11T09:00:00+08:00"
    talks = [v for v in report.verdicts if v.rule == "card-warning-talk"]
    assert sorted((t.at.isoformat(), t.trigger) for t in talks) == sorted([
        ("2013-09-30T17:30:00+08:00", by_case[("case:P2", "yellow")].id),
        ("2013-09-30T17:30:00+08:00", by_case[("case:P1", "yellow")].id),
        ("2013-10-11T09:00:00+08:00", red_p3.id),
    ])
    assert yellow_p3.id not in {t.trigger for t in talks}
    assert [t.explanation.message_zh for t in talks][-1] == "单位：交通局 受到红牌警告（本年度第3张红、黄牌），对分管负责人进行警示约谈"
    assert [t.explanation.message_en for t in talks][-1] == "unit 交通局: a red card (card no. 3 this year); warning talk with the deputy in charge"
    assert all([(s.role, s.id) for s in t.subjects] == [("unit", "交通局"), ("deputy", "交通局副局长")] for t in talks)
    # two yellow cards count: no accumulated red card
    assert not [v for v in report.verdicts if v.rule == "yellow-cards-to-red"]


def test_before_the_red_card_comes_the_yellow_card_counts(engine: Engine) -> None:
    """Accountability is worked out as of the report: until the red card is given, the case's yellow
    card counts (it is the third, and makes an accumulated red card); once it is, the yellow stops counting."""
    before = every_path(engine, HISTORY, as_of=dt.datetime(2013, 10, 10, 12, tzinfo=CST))
    assert [v.rule for v in before.verdicts if v.rule == "yellow-cards-to-red"] == ["yellow-cards-to-red"]
    assert len([v for v in before.verdicts if v.rule == "card-warning-talk"]) == 4
    after = every_path(engine, HISTORY)
    assert not [v for v in after.verdicts if v.rule == "yellow-cards-to-red"]


def test_a_revoked_red_card_replaces_nothing(engine: Engine) -> None:
    red = next(v for v in engine.evaluate(HISTORY, as_of=AS_OF).verdicts if v.rule == "approval.red-card")
    revocation = ev("rv1", "verdict.revoked", "2013-10-20T10:00", verdict_id=red.id, reason="申诉成立")
    report = every_path(engine, [*HISTORY, revocation])
    assert red.id not in {v.id for v in report.verdicts}
    # P3's yellow card counts again: three yellow cards, an accumulated red card, four talks
    (accumulated,) = [v for v in report.verdicts if v.rule == "yellow-cards-to-red"]
    assert accumulated.at.isoformat() == "2013-09-30T17:30:00+08:00"
    talks = [v for v in report.verdicts if v.rule == "card-warning-talk"]
    assert len(talks) == 4 and accumulated.id in {t.trigger for t in talks}


def test_revoking_the_replaced_yellow_card_changes_nothing_but_its_own_verdict(engine: Engine) -> None:
    first = engine.evaluate(HISTORY, as_of=AS_OF)
    yellow = next(v for v in first.verdicts if v.rule == "approval.yellow-card" and v.thread == "case:P3")
    report = every_path(engine, [*HISTORY, ev("rv1", "verdict.revoked", "2013-10-20T10:00", verdict_id=yellow.id)])
    assert [v.id for v in report.verdicts] == [v.id for v in first.verdicts if v.id != yellow.id]
    assert report.revocations[0].found


def test_with_add_every_card_counts(engine: Engine, tmp_path: Path) -> None:
    adding = adding_engine(tmp_path)
    report = every_path(adding, HISTORY)
    # P3's yellow card counts: the third yellow card makes a red one; five cards, five talks
    assert [v.rule for v in report.verdicts if v.rule == "yellow-cards-to-red"] == ["yellow-cards-to-red"]
    assert len([v for v in report.verdicts if v.rule == "card-warning-talk"]) == 5
    # the clock's verdicts are the same whichever is chosen
    replaced = engine.evaluate(HISTORY, as_of=AS_OF)
    assert [v.id for v in report.verdicts if v.thread.startswith("case:")] == [
        v.id for v in replaced.verdicts if v.thread.startswith("case:")]


def test_the_points_of_a_replaced_card_still_count() -> None:
    """A case irregularly paused (a yellow card, −2) and then more than 3 working days late (a red
    card): the yellow card is replaced, the −2 for the irregular approval stays in the score."""
    engine = Engine(CHANGDE)
    events = [
        ev("o1", "org.unit_leaders", "2013-01-04T09:00", unit="交通局", deputy="交通局副局长", principal="交通局局长"),
        ev("a", "case.accepted", "2013-09-02T10:00", case_id="Q", actor="w6", unit="交通局"),
        ev("p", "case.paused", "2013-09-03T10:00", case_id="Q", reason="waiting_for_leader", actor="w6", unit="交通局"),
        ev("r", "case.resumed", "2013-09-03T11:00", case_id="Q"),
        ev("d", "case.completed", "2013-10-14T10:00", case_id="Q"),
    ]
    report = every_path(engine, events)
    cards_given = [(v.rule, v.card) for v in report.verdicts if v.card and v.thread == "case:Q"]
    assert cards_given == [("approval.irregular-pause", "yellow"), ("approval.yellow-card", "yellow"), ("approval.red-card", "red")]
    talks = [v.trigger for v in report.verdicts if v.rule == "card-warning-talk"]
    red = next(v for v in report.verdicts if v.rule == "approval.red-card")
    assert talks == [red.id]  # both yellow cards of the case are lighter than its red one
    (score,) = report.scores
    late_days = [v for v in report.verdicts if v.rule == "approval.late-day"]
    assert score.deductions == 2 + 2 * len(late_days)


def test_replaced_cards_are_those_lighter_than_the_heaviest_of_their_thread() -> None:
    at = dt.datetime(2013, 9, 30, 17, 30, tzinfo=CST)

    def card(vid: str, thread: str, colour: str | None, ruleset: str = "r") -> Counted:
        return Counted(vid, ruleset, "rule", thread, "violation", colour, None, at, [])

    verdicts = [card("y1", "case:A", "yellow"), card("r1", "case:A", "red"), card("y2", "case:A", "yellow"),
                card("y3", "case:B", "yellow"), card("y4", "case:B", "yellow"), card("n", "case:A", None),
                card("y5", "case:A", "yellow", ruleset="other")]
    # equal cards each count; another ruleset's cards are its own; a verdict with no card is no card
    assert replaced_cards(verdicts) == frozenset({"y1", "y2"})
    assert replaced_cards([]) == frozenset()


def test_the_naming_message_gives_the_quarter_s_count() -> None:
    engine = Engine([ROOT / "rulesets" / "taixing" / "performance-2014.yaml"])
    events = [
        ev("t1", "target.behind_schedule", "2014-07-08T10:00", target_id="FG-03", review_period="2014-Q2", key_target=False, unit="发改委"),
        ev("t2", "target.behind_schedule", "2014-07-08T10:00", target_id="FG-07", review_period="2014-Q2", key_target=True, unit="发改委"),
        ev("t3", "target.behind_schedule", "2014-09-30T10:00", target_id="FG-08", review_period="2014-Q3", key_target=False, unit="发改委"),
    ]
    for as_of, expected in ((dt.datetime(2014, 7, 9, tzinfo=CST), "2"), (dt.datetime(2014, 12, 31, tzinfo=CST), "3")):
        report = every_path(engine, events, as_of=as_of)
        (named,) = [v for v in report.verdicts if v.rule == "units-named"]
        # given at the first target, it names them all: as many as the report knows of in the quarter
        assert named.trigger == "t1"
        assert named.explanation.message_zh == f"单位：发改委 本季度共有{expected}项目标任务未完成序时进度，予以曝光"
        assert {f.en: f.value for f in named.explanation.facts}["window total"] == expected
