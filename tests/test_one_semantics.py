"""One semantics: batch, session (in order, or out of order within a tolerance), stream and a
session restored from a snapshot give the same verdicts for the same events — with events at the
same instant and event ids reused across threads in the histories — on made-up and shipped rulesets."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from efficiency_rules import DuplicateEventError, Engine, EventError, Report, Session
from efficiency_rules.testing.strategies import event_histories

if TYPE_CHECKING:  # the sibling module, as the type checker names it
    from tests.benchmark_modules import load as load_benchmark
else:
    from benchmark_modules import load as load_benchmark

ROOT = Path(__file__).resolve().parents[1]
CST = dt.timezone(dt.timedelta(hours=8))
AS_OF = dt.datetime(2024, 11, 29, 0, 0, tzinfo=CST)
WIDE = dt.timedelta(days=60)  # more than any history's spread

FIRST_INQUIRY = Engine([ROOT / "rulesets" / "examples" / "first-inquiry.yaml"])
CLOCKS = Engine([ROOT / "tests" / "data" / "rulesets" / "good" / "clocks.yaml"])
CITY = Engine(load_benchmark("bench_realistic").RULESETS)  # the seven rulesets of the realistic workload
# the local clocks on their own, so that histories are dense in them: steps charged to who acts next,
# immediate as the same visit, a hall's service calendar over weekends and National Day, limits carried
# by the event and extensions applied for
LOCAL_CLOCKS = Engine([ROOT / "rulesets" / "shijiazhuang" / "efficiency-revolution-2019.yaml"])
ENGINES = {"first-inquiry": FIRST_INQUIRY, "clocks": CLOCKS, "city": CITY, "local-clocks": LOCAL_CLOCKS}
HISTORIES = {name: event_histories(engine, max_events=25, threads=3, days=40, ties=True) for name, engine in ENGINES.items()}
SLOW = settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large], deadline=None)


def ordered(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(events, key=lambda e: (dt.datetime.fromisoformat(e["at"]), e["id"]))


def session_report(engine: Engine, events: list[dict[str, Any]], tolerance: dt.timedelta = dt.timedelta(0),
                   cut: int | None = None) -> Report:
    session = engine.session() if not tolerance else Session(engine, tolerance=tolerance)
    for i, event in enumerate(events):
        if i == cut:
            session = Session.restore(engine, session.snapshot())
        session.add(event)
    return session.report(AS_OF)


@pytest.mark.parametrize("name", sorted(ENGINES))
def test_every_path_gives_the_batch_verdicts(name: str) -> None:
    engine = ENGINES[name]

    @SLOW
    @given(HISTORIES[name], st.randoms(use_true_random=False), st.integers(0, 25))
    def check(events: list[dict[str, Any]], rnd: random.Random, cut: int) -> None:
        batch = engine.evaluate(events, as_of=AS_OF)
        shuffled = list(events)
        rnd.shuffle(shuffled)
        assert engine.evaluate(shuffled, as_of=AS_OF) == batch
        in_order = session_report(engine, ordered(events), cut=cut)
        assert in_order.verdicts == batch.verdicts
        assert in_order.cases == batch.cases and in_order.scores == batch.scores and in_order.aggregates == batch.aggregates
        # out of order within the tolerance: held and put right, then judged as the batch would
        assert session_report(engine, shuffled, WIDE, cut=cut).verdicts == batch.verdicts
        # out of order with no tolerance: refused with an error naming the event, never judged otherwise
        try:
            strict = session_report(engine, shuffled)
        except EventError as error:
            assert error.event_id in {e["id"] for e in events}
        else:
            assert strict.verdicts == batch.verdicts
        stats: dict[str, Any] = {}
        streamed = list(engine.evaluate_stream(shuffled, as_of=AS_OF, tolerance=WIDE, stats=stats))
        # the stream hands a verdict out when it is final; a later revocation is reported, and
        # accountability (given at the end) and the scores leave the revoked verdict out, as the batch does
        revoked = set(stats["revoked"])
        assert {r.verdict_id for r in batch.revocations if r.found} <= {v.id for v in streamed}
        assert sorted((v for v in streamed if v.id not in revoked), key=lambda v: (v.at, v.id)) == batch.verdicts
        assert stats["scores"] == batch.scores and stats["revocations"] == batch.revocations
        assert stats["aggregates"] == batch.aggregates

    check()


@SLOW
@given(HISTORIES["city"], st.randoms(use_true_random=False))
def test_revocations_and_accountability_agree_on_every_path(events: list[dict[str, Any]], rnd: random.Random) -> None:
    """Revoke some of a history's verdicts (and an id no verdict has), later: batch, session and
    stream agree on what stands, on the cards and ladders accountability gives, and on the scores."""
    first = CITY.evaluate(events, as_of=AS_OF)
    chosen = [v for v in first.verdicts if rnd.random() < 0.3]
    revocations = [{"id": f"rv-{i}", "type": "verdict.revoked", "at": min(v.at + dt.timedelta(days=rnd.choice([0, 1, 30])), AS_OF).isoformat(),
                    "verdict_id": v.id, "reason": "复核撤销"} for i, v in enumerate(chosen)]
    revocations.append({"id": "rv-none", "type": "verdict.revoked", "at": "2024-10-01T09:00:00+08:00",
                        "verdict_id": "v-00000000000000000000", "reason": "误填"})
    history = [*events, *revocations]
    batch = CITY.evaluate(history, as_of=AS_OF)
    assert session_report(CITY, ordered(history)) == batch
    stats: dict[str, Any] = {}
    streamed = list(CITY.evaluate_stream(ordered(history), as_of=AS_OF, stats=stats))
    revoked = set(stats["revoked"])
    assert sorted((v for v in streamed if v.id not in revoked), key=lambda v: (v.at, v.id)) == batch.verdicts
    assert stats["scores"] == batch.scores and stats["revocations"] == batch.revocations
    found = {r.verdict_id: r.found for r in batch.revocations}
    assert found.pop("v-00000000000000000000") is False
    # a rule or clock verdict revoked is found; a card revoked may be gone with the verdict it followed
    assert all(found[v.id] for v in chosen if not v.thread.startswith(("staff:", "unit:", "deputy:", "principal:")))


def test_events_at_one_instant_are_judged_in_order_of_id() -> None:
    """Two acceptances of a case at 10:00: batch and session blame the unit of the first by id, whatever came first."""
    events = [
        {"id": "b", "type": "case.accepted", "at": "2024-09-23T10:00:00+08:00", "case_id": "C1", "unit": "u2"},
        {"id": "a", "type": "case.accepted", "at": "2024-09-23T10:00:00+08:00", "case_id": "C1", "unit": "u1"},
    ]
    batch = CLOCKS.evaluate(events, as_of=AS_OF)
    (overdue,) = [v for v in batch.verdicts if v.rule == "licence.overdue"]
    assert overdue.trigger == "a"
    session = CLOCKS.session()
    session.add(events[1])
    session.add(events[0])  # "b" after "a": the order batch judges them in
    assert session.report(AS_OF).verdicts == batch.verdicts
    session = CLOCKS.session()
    session.add(events[0])
    with pytest.raises(EventError) as info:
        session.add(events[1])
    assert str(info.value) == (
        "event 'a': dated 2024-09-23T10:00:00+08:00, the instant of event 'b' already judged, with an id that sorts "
        "before it: events at one instant are judged in order of id (as Engine.evaluate sorts them); add them in that "
        "order, or allow a tolerance"
    )
    held = Session(CLOCKS, tolerance=dt.timedelta(minutes=5))
    assert held.add(events[0]) == [] and held.add(events[1]) == []
    assert held.report(AS_OF).verdicts == batch.verdicts


@SLOW
@given(HISTORIES["first-inquiry"], st.data())
def test_an_id_reused_in_another_thread_is_refused_alike(events: list[dict[str, Any]], data: st.DataObject) -> None:
    if not events:
        return
    original = data.draw(st.sampled_from(events))
    thread_field = next(k for k in original if k.endswith("_id") and k != "id")
    reused = {**original, thread_field: "ELSEWHERE", "at": data.draw(st.sampled_from([e["at"] for e in events]))}
    log = ordered(events + [reused])
    outcomes: list[object] = []
    for judge in (lambda: FIRST_INQUIRY.evaluate(log, as_of=AS_OF).verdicts, lambda: session_report(FIRST_INQUIRY, log).verdicts):
        try:
            outcomes.append(judge())
        except DuplicateEventError as error:
            assert error.event_id == original["id"]
            outcomes.append("refused")
    assert outcomes[0] == outcomes[1]


def test_a_report_does_not_move_the_session() -> None:
    events = [
        {"id": "r", "type": "case.received", "at": "2024-09-20T10:00:00+08:00", "case_id": "C1", "matter": "licence-x"},
        {"id": "a", "type": "case.accepted", "at": "2024-09-23T10:00:00+08:00", "case_id": "C1", "unit": "u1"},
    ]
    session = CLOCKS.session()
    for event in events:
        session.add(event)
    late = session.report(dt.datetime(2024, 11, 1, tzinfo=CST))
    assert [c.status for c in late.cases if c.time_limit == "licence"] == ["overdue"]
    early = session.report(dt.datetime(2024, 10, 1, tzinfo=CST))  # still possible: the session did not move
    assert [c.status for c in early.cases if c.time_limit == "licence"] == ["running"]
    assert all(v.at <= dt.datetime(2024, 10, 1, tzinfo=CST) for v in early.verdicts)
    # a completion before the first report's as_of is still taken, and judged as the batch would
    done = {"id": "c", "type": "case.completed", "at": "2024-10-25T10:00:00+08:00", "case_id": "C1"}
    session.add(done)
    assert session.report(AS_OF).verdicts == CLOCKS.evaluate([*events, done], as_of=AS_OF).verdicts
    with pytest.raises(Exception, match=r"as_of 2024-10-01T00:00:00\+08:00 is before the session's time 2024-10-25T10:00:00\+08:00"):
        session.report(dt.datetime(2024, 10, 1, tzinfo=CST))


def test_held_events_survive_a_snapshot() -> None:
    events = [
        {"id": "r", "type": "case.received", "at": "2024-09-20T10:00:00+08:00", "case_id": "C1", "matter": "licence-x"},
        {"id": "a", "type": "case.accepted", "at": "2024-09-23T10:00:00+08:00", "case_id": "C1", "unit": "u1"},
    ]
    session = Session(CLOCKS, tolerance=dt.timedelta(days=5))
    session.add(events[1])
    session.add(events[0])
    restored = Session.restore(CLOCKS, session.snapshot())
    assert restored.tolerance == dt.timedelta(days=5)
    assert restored.report(AS_OF) == CLOCKS.evaluate(events, as_of=AS_OF)


@pytest.mark.parametrize("path", ["batch", "session", "stream", "restored"])
def test_repeats_are_told_from_conflicts_alike_on_every_path(path: str) -> None:
    """NaN repeats itself (the same text), 1 is not 1.0: as the file reader's check says."""
    def received(event_id: str, case: str, meta: dict[str, Any]) -> dict[str, Any]:
        return {"id": event_id, "type": "case.received", "at": "2024-09-20T10:00:00+08:00", "case_id": case,
                "matter": "licence-x", "meta": meta}

    def judge(events: list[dict[str, Any]]) -> int:
        if path == "batch":
            return CLOCKS.evaluate(events, as_of=AS_OF).events
        if path == "stream":
            stats: dict[str, int] = {}
            list(CLOCKS.evaluate_stream(events, as_of=AS_OF, stats=stats))
            return stats["events"]
        session = CLOCKS.session()
        for event in events:
            if path == "restored":
                session = Session.restore(CLOCKS, session.snapshot())
            session.add(event)
        return session.report(AS_OF).events

    nan = received("n", "C1", {"x": float("nan")})
    assert judge([nan, dict(nan)]) == 1
    # (a restored session knows only a digest of the first: it cannot say which field differs)
    differs = "" if path == "restored" else r" \(differs in 'meta'\)"
    with pytest.raises(DuplicateEventError, match=rf"event 'o': same id as .* but different content{differs}$"):
        judge([received("o", "C2", {"x": 1}), received("o", "C2", {"x": 1.0})])
