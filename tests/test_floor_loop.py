"""The floors the realistic benchmark prints beside the engine judge what the engine judges.

``loop`` (tests/benchmarks/floor_loop.py) is a hand-written loop for cn/xzxk's licensing clock: on
synthetic years it must find exactly the engine's ``licence.overdue`` verdicts (the same cases, the
same deadlines), or it is not the floor of that work. ``rules`` strips the seven rulesets of their
time limits: the verdicts of plain rules must stay what the full rulesets give.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from efficiency_rules import Calendar, Engine, read_events

if TYPE_CHECKING:  # the sibling module, as the type checker names it
    from tests.benchmark_modules import load as load_benchmark
else:
    from benchmark_modules import load as load_benchmark

synth = load_benchmark("synth")
bench = load_benchmark("bench_realistic")
floor = load_benchmark("floor_loop")

YEAR = 2025
AS_OF = bench.as_of_for(YEAR)
CST = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(scope="module")
def days() -> Any:
    return floor.days_from_library(dt.date(YEAR - 1, 12, 1), dt.date(YEAR + 1, 12, 31))


def _year(tmp_path: Path, cases: int, seed: int) -> Path:
    path = tmp_path / f"year-{cases}-{seed}.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for event in synth.generate(cases=cases, seed=seed, year=YEAR):
            out.write(json.dumps(event, ensure_ascii=False, separators=(",", ":")) + "\n")
    return path


def test_working_positions_and_instants_invert(days: Any) -> None:
    floor.bisect_check(days)
    # 2025-10-09 (Thursday, the first working day after the National Day holiday) at 10:00 local
    ten = int(dt.datetime(2025, 10, 9, 10, 0, tzinfo=CST).timestamp())
    closes = floor.Days.instant(days, floor.Days.end_of_day(days, ten))
    assert dt.datetime.fromtimestamp(closes, CST) == dt.datetime(2025, 10, 9, 17, 30, tzinfo=CST)
    # 20 working days counted from the day after: from 2025-09-30 they cross the eight days off of 1–8
    # October and the make-up working day of Saturday 11 October, as the library's calendar counts them
    start_at = dt.datetime(2025, 9, 30, 15, 0, tzinfo=CST)
    due = floor.Days.instant(days, floor.Days.end_of_day(days, int(start_at.timestamp())) + 20 * floor.PER_DAY)
    assert dt.datetime.fromtimestamp(due, CST) == dt.datetime(2025, 11, 4, 17, 30, tzinfo=CST) == Calendar.china().deadline(start_at, "20wd")


@pytest.mark.parametrize(("cases", "seed", "overdue"), [(300, 5, 25), (2_000, 11, 129)])
def test_the_hand_written_loop_finds_the_engines_overdue_licences(
    tmp_path: Path, days: Any, cases: int, seed: int, overdue: int
) -> None:
    path = _year(tmp_path, cases, seed)
    engine = Engine([bench.RULESETS[0]])  # cn/xzxk
    report = engine.evaluate(read_events(path, registry=engine.registry), as_of=AS_OF)
    given = {v.thread.removeprefix("case:"): int(v.at.timestamp()) for v in report.verdicts if (v.ruleset, v.rule) == bench.LICENCE_OVERDUE}
    events, found = floor.licence_overdue(path, AS_OF, days)
    assert events == report.events
    assert len(found) == overdue
    assert found == given


def test_the_rulesets_without_time_limits_give_no_clock_verdicts_and_keep_the_licensing_rules(tmp_path: Path) -> None:
    stripped = Engine(bench.without_time_limits(tmp_path))
    full = Engine(bench.RULESETS)
    assert [r.id for r in stripped.rulesets] == [r.id for r in full.rulesets]
    assert all(not r.spec.time_limits for r in stripped.rulesets)
    assert {a.id for r in stripped.rulesets if r.spec.accountability for a in r.spec.accountability.aggregates} == {
        "petition-first-contact-rate", "petition-satisfaction-rate"}  # the two power-connection averages went with their clock
    lines = [json.dumps(e, ensure_ascii=False, separators=(",", ":")) for e in synth.generate(cases=300, seed=5, year=YEAR)]

    def xzxk_rules(engine: Engine) -> list[str]:
        report = engine.evaluate(read_events(lines, registry=engine.registry), as_of=AS_OF)
        assert report.events == 1_797
        return sorted(bench.verdict_lines(v)[1] for v in report.verdicts if v.ruleset == "cn.xzxk" and "." not in v.rule)

    # The rules of cn/xzxk give the same verdicts with or without its clocks. (Not every ruleset's: without a
    # clock to keep it open, a case with no event for 30 days is closed — Engine(retention=...) — and a
    # count rule then sees only the events after the gap, as docs/decisions.md says of threads.)
    kept = xzxk_rules(full)
    assert len(kept) == 32  # 27 licences not delivered within 10 working days, 5 supplements asked for again
    assert xzxk_rules(stripped) == kept
