"""The engine's shortcuts for clocks give what working everything out afresh gives.

- A clock's traces stand when the log grows by events the clock does not read (``_session._unread``),
  and are extended by events that cannot move the clock's start (``ClockTrace.extended``, a stop
  sharing what it does not change), or traced again from what an earlier trace knew (the case's
  matter, its receipt, the notice deadline): generated histories and synthetic cases, judged with
  these shortcuts and without them (every clock traced from nothing whenever the log grows), give
  the same verdicts and case states.
- A case state is written from the clock's trace (``ClockTrace.state_at``): the same state as a full
  run of the clock gives (``ClockTrace.at(...).state()``), for every clock of a synthetic year, at
  moments before, during and after its cases.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from efficiency_rules import Engine, Report, _session, read_events
from efficiency_rules._clocks import ClockTrace, trace_clock
from efficiency_rules._verdicts import engine_case_state, make_case_state
from efficiency_rules.testing.strategies import event_histories

if TYPE_CHECKING:  # the sibling module, as the type checker names it
    from tests.benchmark_modules import load as load_benchmark
else:
    from benchmark_modules import load as load_benchmark

ROOT = Path(__file__).resolve().parents[1]
CST = dt.timezone(dt.timedelta(hours=8))
AS_OF = dt.datetime(2024, 11, 29, 0, 0, tzinfo=CST)
synth = load_benchmark("synth")
bench = load_benchmark("bench_realistic")

CITY = Engine(bench.RULESETS)  # the seven rulesets a city portal loads together
CLOCKS = Engine([ROOT / "tests" / "data" / "rulesets" / "good" / "clocks.yaml"])
SLOW = settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large], deadline=None)


@contextlib.contextmanager
def _afresh() -> Iterator[None]:
    """No clock's traces stand when the log grows, and none is extended: each is traced again, from
    nothing (not from what an earlier trace knew)."""
    with mock.patch.object(_session, "_unread", lambda *args: False), \
            mock.patch.object(ClockTrace, "extended", lambda self, event: None), \
            mock.patch.object(_session, "_any_trace", lambda traces: None):
        yield


def _contents(report: Report) -> tuple[list[str], list[str]]:
    return ([v.model_dump_json() for v in report.verdicts], [c.model_dump_json() for c in report.cases])


def _session_report(engine: Engine, events: list[Any], as_of: dt.datetime) -> Report:
    session = engine.session()
    for event in sorted(events, key=lambda e: (dt.datetime.fromisoformat(e["at"]) if isinstance(e, dict) else e.at,
                                                e["id"] if isinstance(e, dict) else e.id)):
        session.add(event)
    return session.report(as_of)


@pytest.mark.parametrize("engine", [CITY, CLOCKS], ids=["city", "clocks"])
def test_traces_that_stand_give_what_tracing_again_gives(engine: Engine) -> None:
    @SLOW
    @given(event_histories(engine, max_events=25, threads=3, days=40, ties=True))
    def check(events: list[dict[str, Any]]) -> None:
        batch, session = engine.evaluate(events, as_of=AS_OF), _session_report(engine, events, AS_OF)
        with _afresh():
            batch_afresh, session_afresh = engine.evaluate(events, as_of=AS_OF), _session_report(engine, events, AS_OF)
        assert _contents(batch) == _contents(batch_afresh)
        assert _contents(session) == _contents(session_afresh)

    check()


@SLOW
@given(st.integers(1, 12), st.integers(0, 2**32 - 1))
def test_synthetic_cases_are_judged_alike_with_traces_that_stand(cases: int, seed: int) -> None:
    # whole lives of cases (supplements, pauses, extensions, deliveries) as a portal records them
    events = [json.dumps(e, ensure_ascii=False) for e in synth.generate(cases=cases, seed=seed, year=2025)]
    as_of = bench.as_of_for(2025)
    batch, session = CITY.evaluate(events, as_of=as_of), _session_report(CITY, list(read_events(events, registry=CITY.registry)), as_of)
    with _afresh():
        batch_afresh = CITY.evaluate(events, as_of=as_of)
        session_afresh = _session_report(CITY, list(read_events(events, registry=CITY.registry)), as_of)
    assert _contents(batch) == _contents(batch_afresh)
    assert _contents(session) == _contents(session_afresh)


@pytest.fixture(scope="module")
def year() -> list[Any]:
    """A 300-case synthetic year (seed 5) of the realistic workload, with its deliveries and evaluations."""
    lines = [json.dumps(e, ensure_ascii=False, separators=(",", ":")) for e in synth.generate(cases=300, seed=5, year=2025)]
    return list(read_events(lines, registry=CITY.registry))


def test_a_synthetic_year_is_judged_alike_with_traces_that_stand(year: list[Any]) -> None:
    as_of = bench.as_of_for(2025)
    kept = CITY.evaluate(year, as_of=as_of)
    with _afresh():
        afresh = CITY.evaluate(year, as_of=as_of)
    assert _contents(kept) == _contents(afresh)
    assert len(kept.cases) > 1_000  # every clock of every case, closed or open
    # the clocks that stood: a delivery is read only by the postal time limit
    assert any(e.type == "case.delivered" for e in year)


def test_a_case_state_from_the_trace_is_the_state_of_a_run(year: list[Any]) -> None:
    threads: dict[str, list[Any]] = {}
    for event in sorted(year, key=lambda e: (e.at, e.id)):
        if event.type in CITY._clock_types:
            threads.setdefault(CITY._thread_key(event), []).append(event)
    moments = [dt.datetime(2025, month, 15, 10, 30, tzinfo=CST) for month in (1, 3, 6, 9, 12)] + [bench.as_of_for(2025)]
    statuses: set[str] = set()
    compared = 0
    for key, log in threads.items():
        for version in CITY._versions:
            for policy in version.clocks:
                for now in moments:
                    seen = [event for event in log if event.at <= now]
                    if not seen:
                        continue
                    trace = trace_clock(policy, version.calendar, seen, now.timestamp())
                    if trace is None:
                        continue
                    head = {"thread": key, "ruleset": version.ruleset.id, "ruleset_version": version.ruleset.version}
                    from_run = make_case_state({**head, **trace.at(now, explain=False, offers=False).state()})
                    values = dict(head)
                    trace.state_at(now, values)
                    from_trace = engine_case_state(values)
                    assert from_trace == from_run
                    assert list(from_trace.__dict__) == list(from_run.__dict__)
                    statuses.add(from_trace.status)
                    compared += 1
    assert compared > 3_000
    assert statuses >= {"not_started", "running", "warning", "overdue", "paused", "completed_on_time", "completed_late",
                        "withdrawn", "rejected"}
