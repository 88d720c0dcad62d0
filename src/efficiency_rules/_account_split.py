"""Accountability worked out subject by subject, in groups that need not meet (for Dask).

Every counter, rule, ladder, rate, minimum, ranking, aggregate and score of the shipped
accountability sections is per subject: one unit (or one member of staff) at a time. Where all of
an engine's sections are per the same role, the subjects of that role can be dealt into groups and
each group worked out on its own, from:

* the verdicts counted (``Counted``) whose subject of that role is in the group;
* the events counters and aggregates count, sent to the group of the subject they count for;
* the stopped case clocks aggregates read, sent to the group of their unit (or member of staff);
* everything else accountability reads — the organisation, revocations, rankings, interviews,
  duties — which every group reads whole (a few events per unit, not per case);
* the cards among the counted verdicts that a heavier card of the same case replaces (worked out
  where the case was judged, where all its verdicts are).

A group gives only the verdicts, scores and aggregates of its own subjects: a verdict of
accountability concerns one subject of the role (its thread is ``unit:<id>``), and is counted only
for that subject. Putting the groups together then ranks the scores within each period, fills in the
subjects the organisation knows that have no verdict in a period, and tells which revocations found
their verdict — the report of one process, verdict for verdict and score for score.

Where the sections mix roles (a counter per member of staff whose verdicts a counter per unit counts;
an aggregate per matter), :func:`split_of` says so and accountability is worked out in one place.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from ._accountability import (
    ORG_TYPES,
    Counted,
    Organisation,
    RevocationNote,
    _event_subjects,
    _verdict_subjects,
    ranked_scores,
    replaced_cards,
    run_ledgers,
    score_rows,
)
from ._aggregates import ClockFigure
from ._event_fields import thread_field
from ._events import Event, VerdictRevoked
from ._verdicts import Aggregate, Score, Verdict

__all__ = ["GroupResult", "Routed", "Split", "account_group", "combine", "group_of", "route", "split_of"]

@dataclass(frozen=True)
class Split:
    """How an engine's accountability splits: by the subjects of ``role``; events of the ``routed`` types go to
    the group of the subject they are counted for, every other event the ledger keeps to every group."""

    role: str
    routed: frozenset[str]


def split_of(engine: Any) -> Split | None:
    """How the engine's accountability splits by subject, or None where it must be worked out in one place."""
    ledgers = engine._ledgers
    if not ledgers:
        return None
    roles: set[str] = set()
    counted: set[str] = set()
    everywhere: set[str] = {*ORG_TYPES, "verdict.revoked", "ranking.published"}
    for _, spec, _ in ledgers:
        for counter in spec.counters.values():
            roles.add(counter.per)
            if counter.event is not None:
                counted.add(counter.event)
            if counter.after is not None:
                everywhere.add(counter.after.event)
        if spec.scores is not None:
            roles.add(spec.scores.per)
        if spec.rankings:
            roles.add("unit")
        for minimum in spec.minimums:
            if minimum.subjects is not None:
                everywhere.add(minimum.subjects.event)
        for aggregate in spec.aggregates:
            roles.add(aggregate.per)
            if aggregate.events is not None:
                counted.add(aggregate.events.event)
    if len(roles) != 1:
        return None
    role = roles.pop()
    if role == "matter":
        return None
    # a thread of the events themselves named like accountability's (a thread field ``unit_id``) could hold cards of
    # both: not split
    prefix = f"{role}:"
    for cls in engine.registry:
        field = thread_field(cls)
        if field and f"{field.removesuffix('_id')}:" == prefix:
            return None
    return Split(role, frozenset(counted - everywhere))


def group_of(subject: str, groups: int) -> int:
    """The group of a subject: the same in every process (not Python's salted ``hash``)."""
    return zlib.crc32(subject.encode("utf-8", "surrogatepass")) % groups


@dataclass
class Routed:
    """What one part of the verdicts and events sends to one group."""

    counted: list[Counted]
    events: list[Event]  # the routed events only (every group reads the others whole)
    figures: list[ClockFigure]
    replaced: list[str]  # ids among ``counted`` that a heavier card of the same case replaces




def route(engine: Any, split: Split, counted: Sequence[Counted], events: Iterable[Event], figures: Iterable[ClockFigure],
          everywhere: Sequence[Event], as_of: dt.datetime, groups: int) -> list[Routed]:
    """Deal one part's counted verdicts, routed events and clock figures into ``groups`` groups.

    ``counted`` must hold every counted verdict of the threads it holds (a case's cards are compared with the
    case's other cards here); ``everywhere`` is every event that every group reads (the organisation among them).
    """
    org = Organisation(e for e in everywhere if e.at <= as_of)
    role = split.role
    out = [Routed([], [], [], []) for _ in range(groups)]
    revoked = {cast("VerdictRevoked", e).verdict_id for e in everywhere if e.type == "verdict.revoked" and e.at <= as_of}
    replace = any(spec.cards.same_thread == "replace" for _, spec, _ in engine._ledgers)
    replaced = replaced_cards([c for c in counted if c.id not in revoked]) if replace else frozenset()
    for row in counted:
        subject = _verdict_subjects(cast("Verdict", row), org).get(role)
        if subject:  # a verdict with no subject of the role is counted nowhere (its card may replace: done above)
            target = out[group_of(subject, groups)]
            target.counted.append(row)
            if row.id in replaced:
                target.replaced.append(row.id)
    counters = [(counter, spec) for _, spec, _ in engine._ledgers for counter in spec.counters.values()
                if counter.event is not None and counter.event in split.routed]
    aggregates = [entry for _, spec, _ in engine._ledgers for entry in spec.aggregates]
    for event in events:
        if event.type not in split.routed or event.at > as_of:
            continue
        subjects: set[str] = set()
        for counter, _ in counters:
            if counter.event == event.type:
                subject = _event_subjects(event, counter, org).get(role)
                if subject:
                    subjects.add(str(subject))
        for entry in aggregates:
            if entry.events is not None and entry.events.event == event.type:
                values = event.__dict__
                found = (values.get(entry.subject_field) if entry.subject_field is not None
                         else event.unit if entry.per == "unit" else event.actor)
                if found:
                    subjects.add(str(found))
        for index in sorted({group_of(subject, groups) for subject in subjects}):
            out[index].events.append(event)
    for figure in figures:
        subject = figure.unit if role == "unit" else figure.actor if role == "staff" else None
        if subject:
            out[group_of(subject, groups)].figures.append(figure)
    return out


@dataclass
class GroupResult:
    """What one group gives: its subjects' verdicts, score rows (by ledger, not ranked) and aggregates, and the
    revoked ids among the verdicts it counted or gave."""

    given: list[Verdict]
    scores: list[tuple[int, list[dict[str, Any]]]]
    aggregates: list[Aggregate]
    found: set[str]


def account_group(engine: Any, split: Split, parts: Sequence[Routed], everywhere: Sequence[Event], as_of: dt.datetime,
                  group: int, groups: int) -> GroupResult:
    """Accountability for the subjects of one group, from what every part sent it (see :func:`route`)."""
    role = split.role

    def own(subject: str) -> bool:
        return group_of(subject, groups) == group

    def owned(verdict: Verdict) -> bool:
        kind, _, subject = verdict.thread.partition(":")
        return kind == role and own(subject)

    kept = sorted((e for e in [*everywhere, *(e for part in parts for e in part.events)] if e.at <= as_of),
                  key=lambda e: (e.at, e.id))
    revocations = [cast("VerdictRevoked", e) for e in kept if e.type == "verdict.revoked"]
    revoked = {e.verdict_id for e in revocations}
    counted = sorted((row for part in parts for row in part.counted), key=lambda c: (c.at, c.id))
    replaced = frozenset(vid for part in parts for vid in part.replaced)
    figures = [figure for part in parts for figure in part.figures]
    standing = [row for row in counted if row.id not in revoked]
    org = Organisation(kept)  # (kept: the events up to as_of)
    given: list[Verdict] = []
    rows: list[tuple[int, list[dict[str, Any]]]] = []
    aggregates: list[Aggregate] = []
    ledger_ids: set[str] = set()
    for index, version, spec, ledger, new, verdicts in run_ledgers(engine, standing, kept, org, as_of, revoked, figures,
                                                                   owned=owned, replaced=replaced):
        given += new
        ledger_ids |= ledger.given_ids
        aggregates += [a for a in ledger.aggregates if a.role == role and own(a.subject)]
        if spec.scores is not None:
            rows.append((index, score_rows(version, spec.scores, verdicts, org, own)))
    counted_ids = {row.id for row in counted}
    found = {vid for vid in revoked if vid in ledger_ids or vid in counted_ids}
    return GroupResult(given, rows, aggregates, found)


def combine(engine: Any, results: Sequence[GroupResult], everywhere: Sequence[Event], as_of: dt.datetime,
            known: Callable[[str], bool]) -> tuple[list[Verdict], list[Score], list[RevocationNote], list[Aggregate]]:
    """(the verdicts accountability gives, scores, revocations, aggregates) of the groups put together, as
    :func:`~efficiency_rules._accountability.account` gives them in one place. ``known`` tells whether a revoked
    id is the id of a verdict of the evaluation (counted or not)."""
    kept = sorted((e for e in everywhere if e.at <= as_of), key=lambda e: (e.at, e.id))
    org = Organisation(kept)  # (kept: the events up to as_of)
    given = sorted((v for result in results for v in result.given), key=lambda v: (v.at, v.id))
    all_scores: list[Score] = []
    for index, (version, spec, _) in enumerate(engine._ledgers):
        if spec.scores is None:
            continue
        rows = [row for result in results for at, part in result.scores if at == index for row in part]
        all_scores += ranked_scores(version, spec.scores, rows, org)
    found = set().union(*(result.found for result in results)) if results else set()
    revocations = [cast("VerdictRevoked", e) for e in kept if e.type == "verdict.revoked"]
    notes: list[RevocationNote] = [{"verdict_id": e.verdict_id, "at": e.at, "reason": e.reason, "event": e.id,
                                    "found": e.verdict_id in found or known(e.verdict_id)} for e in revocations]
    aggregates = sorted((a for result in results for a in result.aggregates),
                        key=lambda a: (a.ruleset, a.ruleset_version, a.rule, a.period, a.role, a.subject))
    return given, all_scores, notes, aggregates
