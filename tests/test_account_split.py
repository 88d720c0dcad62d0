"""Accountability split by subject (as a Dask evaluation works it out) gives what it gives in one place.

The verdicts a history's threads give are dealt into parts as threads (as partitions judge them),
each part's counted verdicts, events and clock figures into groups of units, each group worked out
on its own, and the groups put together: the verdicts accountability gives, the scores with their
ranks, the revocations and the aggregates are those of one place, whatever the number of parts
and groups — with staff moving between units, leaders changing and verdicts revoked.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from efficiency_rules import Engine, Session
from efficiency_rules._account_split import Routed, account_group, combine, group_of, route, split_of
from efficiency_rules._accountability import Counted, account
from efficiency_rules._verdicts import _subject
from efficiency_rules.testing.strategies import event_histories

if TYPE_CHECKING:  # the sibling module, as the type checker names it
    from tests.benchmark_modules import load as load_benchmark
else:
    from benchmark_modules import load as load_benchmark

ROOT = Path(__file__).resolve().parents[1]
CST = dt.timezone(dt.timedelta(hours=8))
AS_OF = dt.datetime(2024, 12, 31, 0, 0, tzinfo=CST)
CITY = Engine(load_benchmark("bench_realistic").RULESETS)  # the seven rulesets of the realistic workload


def _organisation(rnd: random.Random) -> list[dict[str, Any]]:
    """Staff assigned to units and units' leaders, changing over the history's weeks."""
    events = []
    for i in range(rnd.randint(0, 8)):
        at = dt.datetime(2024, 9, 20, 9, 0, tzinfo=CST) + dt.timedelta(days=rnd.randint(0, 45), minutes=rnd.randint(0, 600))
        if rnd.random() < 0.6:
            events.append({"id": f"org-{i}", "type": "org.staff_assigned", "at": at.isoformat(),
                           "staff": rnd.choice(["s1", "s2", "s3"]), "unit": rnd.choice(["u1", "u2", "u3"])})
        else:
            events.append({"id": f"org-{i}", "type": "org.unit_leaders", "at": at.isoformat(), "unit": rnd.choice(["u1", "u2", "u3"]),
                           "deputy": rnd.choice(["d1", "d2"]), "principal": rnd.choice(["p1", "p2"])})
    return events


def _judged(events: list[dict[str, Any]]) -> Session:
    """A session that kept what a stream keeps for accountability, with every event judged up to AS_OF."""
    session = Session(CITY, keep_verdicts=False)
    session._counted = []
    for event in sorted((CITY.parse(e) for e in events), key=lambda e: (e.at, e.id)):
        session._offer(event, event.at.timestamp())
    session._finish(AS_OF)
    return session


def _split(session: Session, parts: int, groups: int, rnd: random.Random) -> tuple[Any, ...]:
    split = split_of(CITY)
    assert split is not None
    counted = list(session._counted or [])
    ledger = list(session._ledger)
    figures = session._figures(AS_OF)
    # parts hold whole threads (as partitions judge them); each part has some of the ledger's events and figures
    part_of = {thread: rnd.randrange(parts) for thread in sorted({c.thread for c in counted} | {f.thread for f in figures})}
    everywhere = [e for e in ledger if e.type not in split.routed]
    events_of: list[list[Any]] = [[] for _ in range(parts)]
    for event in ledger:
        events_of[rnd.randrange(parts)].append(event)
    dealt = [route(CITY, split, [c for c in counted if part_of[c.thread] == p], events_of[p],
                   [f for f in figures if part_of[f.thread] == p], everywhere, AS_OF, groups) for p in range(parts)]
    results = [account_group(CITY, split, [part[g] for part in dealt], everywhere, AS_OF, g, groups) for g in range(groups)]
    ids = {c.id for c in counted}
    return combine(CITY, results, everywhere, AS_OF, ids.__contains__)


SLOW = settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large], deadline=None)


@SLOW
@given(event_histories(CITY, max_events=30, threads=4, days=40, ties=True), st.randoms(use_true_random=False),
       st.integers(1, 3), st.integers(1, 5))
def test_groups_of_subjects_give_what_one_place_gives(events: list[dict[str, Any]], rnd: random.Random, parts: int,
                                                       groups: int) -> None:
    events = [*events, *_organisation(rnd)]
    first = CITY.evaluate(events, as_of=AS_OF)
    revoked = [v for v in first.verdicts if rnd.random() < 0.25]
    events += [{"id": f"rv-{i}", "type": "verdict.revoked", "at": min(v.at + dt.timedelta(days=rnd.choice([0, 3])), AS_OF).isoformat(),
                "verdict_id": v.id} for i, v in enumerate(revoked)]
    session = _judged(events)
    counted = sorted(session._counted or [], key=lambda c: (c.at, c.id))
    ids = {c.id for c in counted}
    _, one_given, one_scores, one_notes, one_aggregates = account(CITY, counted, session._ledger, AS_OF, known=ids.__contains__,
                                                                  figures=session._figures(AS_OF))
    one_given.sort(key=lambda v: (v.at, v.id))
    given, scores, notes, aggregates = _split(session, parts, groups, rnd)
    assert given == one_given
    assert scores == one_scores
    assert notes == one_notes
    assert aggregates == one_aggregates


def test_a_case_whose_cards_fall_to_two_units_counts_its_heavier_card_only() -> None:
    """Changde: one card per case, the heavier (a red card replaces the case's yellow card). Here the case's two
    cards concern two units in different groups: the yellow card's group must still count it nowhere, so that
    only the red card's unit is called to a warning talk — as in one place."""
    assert group_of("u1", 3) != group_of("u2", 3)
    at = dt.datetime(2024, 10, 8, 17, 30, tzinfo=CST)
    cards = [Counted("v-yellow", "changde.e-supervision-2013", "approval.yellow-card", "case:C1", "violation", "yellow", None, at,
                     [_subject("unit", "u1")]),
             Counted("v-red", "changde.e-supervision-2013", "approval.red-card", "case:C1", "violation", "red", None,
                     at + dt.timedelta(days=5), [_subject("unit", "u2")])]
    split = split_of(CITY)
    assert split is not None
    dealt = route(CITY, split, cards, [], [], [], AS_OF, 3)
    assert [g.replaced for g in dealt][group_of("u1", 3)] == ["v-yellow"]
    results = [account_group(CITY, split, [dealt[g]], [], AS_OF, g, 3) for g in range(3)]
    given, _, _, _ = combine(CITY, results, [], AS_OF, lambda vid: vid in {"v-yellow", "v-red"})
    _, one, _, _, _ = account(CITY, cards, [], AS_OF, known=None)
    assert sorted(v.id for v in given) == sorted(v.id for v in one)
    assert [(v.rule, v.thread) for v in given if v.rule == "card-warning-talk"] == [("card-warning-talk", "unit:u2")]


def test_mixed_roles_are_worked_out_in_one_place() -> None:
    """A counter per member of staff beside counters per unit: the groups would not be independent."""
    mixed = Engine([ROOT / "rulesets" / "changde" / "accountability-2013.yaml", ROOT / "rulesets" / "feidong" / "discipline-2012.yaml"])
    assert split_of(mixed) is None
    by_staff = Engine([ROOT / "rulesets" / "feidong" / "discipline-2012.yaml"])
    found = split_of(by_staff)
    assert found is not None and found.role == "staff" and found.routed == frozenset({"discipline.check_failed"})
    assert split_of(Engine([ROOT / "rulesets" / "cn" / "xzxk.yaml"])) is None  # no accountability: nothing to split


def test_the_city_splits_by_unit_and_sends_counted_events_to_their_unit() -> None:
    """A verified complaint counts against the unit it names (``against_unit``), not the unit that recorded it."""
    split = split_of(CITY)
    assert split is not None and split.role == "unit"
    assert split.routed == frozenset({"evaluation.submitted", "petition.concluded", "complaint.verified", "petition.evaluated"})
    complaint = CITY.parse({"id": "c1", "type": "complaint.verified", "at": "2024-10-08T10:00:00+08:00",
                            "complaint_id": "K1", "unit": "u1", "against_unit": "u3"})
    routed = route(CITY, split, [], [complaint], [], [], AS_OF, 4)
    assert [len(group.events) for group in routed] == [1 if g == group_of("u3", 4) else 0 for g in range(4)]
    assert all(isinstance(group, Routed) for group in routed)


@pytest.mark.parametrize("groups", [1, 2, 7])
def test_group_of_is_the_same_in_every_process(groups: int) -> None:
    # crc32, not Python's salted hash: these values hold in every process and on every machine
    assert [group_of(s, 7) for s in ("u1", "u2", "水务局")] == [group_of(s, 7) for s in ("u1", "u2", "水务局")]
    assert 0 <= group_of("水务局", groups) < groups
