"""Regression oracle, small: a synthetic year judged by the seven rulesets of the realistic workload.

The verdicts of tests/benchmarks/bench_realistic.py's rulesets over a 300-case year of
tests/benchmarks/synth.py (seed 5), as the engine gave them when this test was written: their
number, the number per rule and the digest of their canonical JSON (``full``, as
bench_realistic.py defines it). A change of engine that changes any verdict — its id, time,
subjects, points, explanation — changes the digest; diff the verdicts of the larger oracle
(tests/benchmarks/oracle.json, ``--write-verdicts``) to see which.

Also: ``Engine.evaluate`` and a session fed event by event give the same report verdicts, and
``Engine.evaluate_stream`` gives exactly the verdicts of the report (accountability's at the end)
and its scores.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

import pytest

from efficiency_rules import Engine, Event, read_events

if TYPE_CHECKING:  # the sibling module, as the type checker names it
    from tests.benchmark_modules import load as load_benchmark
else:
    from benchmark_modules import load as load_benchmark



synth = load_benchmark("synth")
bench = load_benchmark("bench_realistic")

CASES, SEED, YEAR = 300, 5, 2025
AS_OF = bench.as_of_for(YEAR)

# Pinned from the engine of this test's commit (as_of 2026-01-05T00:00+08:00).
EVENTS = 1_797
VERDICTS = 1_024  # 966 clock and rule verdicts, 58 of accountability
PER_RULE: dict[str, int] = {
    "changde.accountability-2013/card-warning-talk": 41,
    "changde.accountability-2013/still-slow-after-interview": 4,
    "changde.accountability-2013/yellow-cards-to-red": 2,
    "changde.e-supervision-2013/approval.irregular-extension": 8,
    "changde.e-supervision-2013/approval.irregular-pause": 8,
    "changde.e-supervision-2013/approval.late-day": 418,
    "changde.e-supervision-2013/approval.late-supplement-notice": 2,
    "changde.e-supervision-2013/approval.red-card": 23,
    "changde.e-supervision-2013/approval.warning-light": 36,
    "changde.e-supervision-2013/approval.yellow-card": 31,
    "cn.one-time-notification/licensing-new-items": 5,
    "cn.one-time-notification/licensing-notice-within-5wd": 2,
    "cn.xzxk/deliver-within-10wd": 27,
    "cn.xzxk/licence.bad-extension": 8,
    "cn.xzxk/licence.bad-pause": 8,
    "cn.xzxk/licence.late-notice": 2,
    "cn.xzxk/licence.overdue": 25,
    "cn.xzxk/supplement-not-one-time": 5,
    "cn.xzxk/unified.overdue": 2,
    "county.points-table/admonishment-talk": 1,
    "county.points-table/findings-admonition": 8,
    "county.points-table/licence-days.late-day": 286,
    "county.points-table/not-accepted-points": 2,
    "county.points-table/unified-days.late-day": 40,
    "shijiazhuang.efficiency-revolution-2019/business-start.business-start-late": 3,
    "shijiazhuang.efficiency-revolution-2019/disclosure.disclosure-late": 5,
    "shijiazhuang.efficiency-revolution-2019/housing-fund.housing-fund-late": 4,
    "shijiazhuang.efficiency-revolution-2019/petition.petition-late": 3,
    "shijiazhuang.efficiency-revolution-2019/postal-delivery.postal-delivery-late": 1,
    "shijiazhuang.efficiency-revolution-2019/real-estate.real-estate-late": 12,
    "shijiazhuang.efficiency-revolution-2019/utility.utility-late": 2,
}
# The engine that recorded the oracle gave FULL_RECORDED (and RULES_FULL_RECORDED); since, the county
# table's clause citation was reworded, and then every message was rendered for people (20个工作日,
# 2024年10月24日17:30, 办件XK-1 in place of 20wd, ISO instants and thread keys). Both change texts and
# nothing else. Then Changde's cards changed verdicts on purpose (docs/decisions.md, "Cards by
# severity"): a red card only when MORE than 3 working days late (24 → 23), one card per approval (a
# red card replaces the case's yellow: 7 accumulated red cards → 2) and a warning talk for every card
# (31 → 41), an overdue approval after an interview counted by its red card too (3 → 4). IDS (ids,
# rules, kinds, times, points, cards, subjects) and WITHOUT_MESSAGES (the digest of the verdicts with
# their two message texts taken out) are those of that change. Then "immediate" (即时办结) became the
# same visit, 30 minutes from the start (docs/decisions.md, "Immediate is the same visit"): the year's
# four late immediate real-estate registrations are due, and dated, 30 minutes later (same ids, still
# late), which changes their times and the deadlines in their messages and explanations, and nothing else.
FULL_RECORDED = "16e56a0d735c54d2379c1090475aabc04fd7ae2eb8b6c4a3e863d5c8747d0501"
FULL = "149585f08ef4a8e2b997ad6749381abc379fd484e677492a3367b6f5f373f3fa"
RULES_FULL = "4fd7dfab51d4543de38a21ddcc7f924fe3d2957237c4d38287494b5010e9a004"  # the clock and rule verdicts
IDS = "8f30b8d73a8862984c1bb3ea10c85b9826cd5739598d0879ab86ecd8c255ad69"
RULES_IDS = "20e1ea4a106e7f86cc1a79b7ea2a34d0a524268d802a803c2eceebd1de13ba33"
WITHOUT_MESSAGES = "174272c0647ca71f901942bdcf6340372f84c9c33cfd18c65d273df69004da76"
RULES_FULL_RECORDED = "de314298d92f979737a78a1485715bcbb9388473f0c97a3bb8e4be72ec5f44e0"


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(bench.RULESETS)


@pytest.fixture(scope="module")
def events(engine: Engine) -> list[Event]:
    lines = [json.dumps(e, ensure_ascii=False, separators=(",", ":")) for e in synth.generate(cases=CASES, seed=SEED, year=YEAR)]
    return list(read_events(lines, registry=engine.registry))


@pytest.fixture(scope="module")
def evaluated(engine: Engine, events: list[Event]) -> dict[str, Any]:
    report = engine.evaluate(events, as_of=AS_OF)
    return {"report": report, "summary": bench.summarise(report.verdicts, bench.accountability_entries(engine))}


def test_the_seven_rulesets_load_together(engine: Engine) -> None:
    assert [r.id for r in engine.rulesets] == [
        "cn.xzxk", "cn.one-time-notification", "shijiazhuang.efficiency-revolution-2019", "shijiazhuang.accountability-2019",
        "changde.e-supervision-2013", "changde.accountability-2013", "county.points-table",
    ]


def test_verdicts_are_those_pinned(events: list[Event], evaluated: dict[str, Any]) -> None:
    summary = evaluated["summary"]
    assert len(events) == evaluated["report"].events == EVENTS
    assert summary["per_rule"] == PER_RULE
    assert summary["verdicts"] == VERDICTS
    assert summary["full"] == FULL
    county = [v for v in evaluated["report"].verdicts if v.ruleset == "county.points-table"]
    assert "县机关效能建设考评办法（示例，扣分标准参照各地市、县效能问责办法中的常见数值）" in {c.citation for v in county for c in v.cites}
    assert summary["rules"]["verdicts"] == 966 and summary["rules"]["full"] == RULES_FULL
    assert (summary["ids"], summary["rules"]["ids"]) == (IDS, RULES_IDS)


def test_the_verdicts_without_their_message_texts_are_those_pinned(evaluated: dict[str, Any]) -> None:
    lines = []
    for verdict in evaluated["report"].verdicts:
        dumped = verdict.model_dump(mode="json")
        del dumped["explanation"]["message_zh"], dumped["explanation"]["message_en"]
        lines.append(json.dumps(dumped, sort_keys=True, ensure_ascii=False))
    assert hashlib.sha256("\n".join(sorted(lines)).encode()).hexdigest() == WITHOUT_MESSAGES


def test_a_session_fed_event_by_event_gives_the_same_verdicts(
    engine: Engine, events: list[Event], evaluated: dict[str, Any]
) -> None:
    session = engine.session()
    for event in events:
        session.add(event)
    report = session.report(AS_OF)
    summary = bench.summarise(report.verdicts, bench.accountability_entries(engine))
    assert summary["full"] == evaluated["summary"]["full"]


def test_the_stream_gives_the_verdicts_and_scores_of_the_report(
    engine: Engine, events: list[Event], evaluated: dict[str, Any]
) -> None:
    entries = bench.accountability_entries(engine)
    stats: dict[str, Any] = {}
    streamed = bench.summarise(engine.evaluate_stream(iter(events), as_of=AS_OF, stats=stats), entries)
    assert stats["revoked"] == []  # the synthetic year revokes nothing: the stream's verdicts are the report's
    assert streamed["verdicts"] == VERDICTS and streamed["full"] == FULL
    assert streamed["rules"]["full"] == evaluated["summary"]["rules"]["full"]
    assert stats["scores"] == evaluated["report"].scores


def test_the_table_lists_a_card_after_the_verdicts_that_caused_it(evaluated: dict[str, Any]) -> None:
    from efficiency_rules._verdicts import _cause_first

    report = evaluated["report"]
    by_id = {v.id: v for v in report.verdicts}

    def cause(verdict: Any) -> str:
        return str(verdict.trigger.partition("#")[0])

    same_moment = [v for v in report.verdicts if cause(v) in by_id and by_id[cause(v)].at == v.at]
    plain = {v.id: i for i, v in enumerate(sorted(report.verdicts, key=lambda v: (v.at, v.id)))}
    assert (len(same_moment), sum(plain[cause(v)] > plain[v.id] for v in same_moment)) == (58, 32)  # id order gets 32 wrong
    ordered = _cause_first(report.verdicts)
    place = {v.id: i for i, v in enumerate(ordered)}
    assert [v.at for v in ordered] == sorted(v.at for v in report.verdicts)
    assert [v.rule for v in same_moment if place[cause(v)] > place[v.id]] == []
    lines = report.table().splitlines()  # the table lists them in that order
    assert [line.split()[1] for line in lines[1 : len(ordered) + 1]] == [v.rule for v in ordered]
