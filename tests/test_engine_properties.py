"""Evaluation is a function of the events: order of arrival, batch or incremental, snapshots and
backends do not change the verdicts."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from efficiency_rules import Engine, Session
from efficiency_rules.testing.strategies import event_histories

ROOT = Path(__file__).resolve().parents[1]
RULESETS = [ROOT / "rulesets" / "examples" / "first-inquiry.yaml"]
CST = dt.timezone(dt.timedelta(hours=8))
AS_OF = dt.datetime(2024, 11, 29, 0, 0, tzinfo=CST)

ENGINE = Engine(RULESETS)
histories = event_histories(ENGINE, max_events=25, threads=3)


def ordered(events: list[dict]) -> list[dict]:
    return sorted(events, key=lambda e: (dt.datetime.fromisoformat(e["at"]), e["id"]))


@given(histories, st.randoms(use_true_random=False))
def test_order_of_arrival_does_not_matter(events: list[dict], rnd: random.Random) -> None:
    shuffled = list(events)
    rnd.shuffle(shuffled)
    assert ENGINE.evaluate(shuffled, as_of=AS_OF) == ENGINE.evaluate(events, as_of=AS_OF)


@given(histories)
def test_batch_and_incremental_agree(events: list[dict]) -> None:
    session = ENGINE.session()
    produced = []
    for event in ordered(events):
        produced.extend(session.add(event))
    produced.extend(session.advance(AS_OF))
    batch = ENGINE.evaluate(events, as_of=AS_OF).verdicts
    assert sorted(produced, key=lambda v: (v.at, v.id)) == batch
    assert session.verdicts() == batch


@given(histories, st.integers(min_value=0, max_value=25))
def test_snapshot_and_restore_mid_stream(events: list[dict], cut: int) -> None:
    events = ordered(events)
    first = ENGINE.session()
    for event in events[:cut]:
        first.add(event)
    resumed = Session.restore(ENGINE, first.snapshot())
    for event in events[cut:]:
        resumed.add(event)
    assert resumed.report(AS_OF).verdicts == ENGINE.evaluate(events, as_of=AS_OF).verdicts


@given(histories)
def test_re_evaluating_never_duplicates_a_penalty(events: list[dict]) -> None:
    once = ENGINE.evaluate(events, as_of=AS_OF)
    twice = ENGINE.evaluate(events + events, as_of=AS_OF)
    assert twice.verdicts == once.verdicts
    assert len({v.id for v in once.verdicts}) == len(once.verdicts)




@settings(max_examples=30, suppress_health_check=[HealthCheck.too_slow])
@given(histories)
def test_native_and_durable_backends_agree(events: list[dict]) -> None:
    pytest.importorskip("durable", reason="the durable backend needs the 'durable' extra (Python < 3.13)")
    engine = _durable_engine()
    assert engine.evaluate(events, as_of=AS_OF) == ENGINE.evaluate(events, as_of=AS_OF)


_DURABLE: list[Engine] = []


def _durable_engine() -> Engine:
    if not _DURABLE:
        _DURABLE.append(Engine(RULESETS, backend="durable"))
    return _DURABLE[0]


# Case clocks: pauses, extensions, supplements, deemed acceptance, warnings and overdue verdicts.
CLOCKS = Engine([ROOT / "tests" / "data" / "rulesets" / "good" / "clocks.yaml"])
clock_histories = event_histories(CLOCKS, max_events=30, threads=2, days=45)


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(clock_histories, st.randoms(use_true_random=False))
def test_clocks_do_not_depend_on_the_order_of_arrival(events: list[dict], rnd: random.Random) -> None:
    shuffled = list(events)
    rnd.shuffle(shuffled)
    assert CLOCKS.evaluate(shuffled, as_of=AS_OF) == CLOCKS.evaluate(events, as_of=AS_OF)


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(clock_histories, st.integers(min_value=0, max_value=30), st.integers(min_value=0, max_value=45 * 24))
def test_clocks_agree_batch_incremental_and_restored(events: list[dict], cut: int, hours: int) -> None:
    events = ordered(events)
    session = CLOCKS.session()
    produced = []
    for event in events[:cut]:
        produced.extend(session.add(event))
    # time may be advanced anywhere up to the next event
    pause_at = dt.datetime(2024, 9, 23, 9, 0, tzinfo=CST) + dt.timedelta(hours=hours)
    if cut < len(events):
        pause_at = min(pause_at, dt.datetime.fromisoformat(events[cut]["at"]))
    if session._now is None or pause_at >= session._now:
        produced.extend(session.advance(pause_at))
    resumed = Session.restore(CLOCKS, session.snapshot())
    for event in events[cut:]:
        produced.extend(resumed.add(event))
    produced.extend(resumed.advance(AS_OF))
    batch = CLOCKS.evaluate(events, as_of=AS_OF)
    assert sorted({v.id: v for v in produced}.values(), key=lambda v: (v.at, v.id)) == batch.verdicts
    assert resumed.report(AS_OF).cases == batch.cases
