"""Accountability (问责): what follows from verdicts over time, worked out when a report is made.

From the verdicts of an evaluation (less those revoked by ``verdict.revoked`` events) and the events
kept for it (organisation, rankings, interviews, the events counters count), each ruleset's
``accountability`` section gives further verdicts — thresholds in windows, escalation ladders,
ranking places held k times running, rates below target — and scores per subject per period.
Everything is recomputed from its inputs every time, so a revocation changes exactly what depended
on the revoked verdict. docs/accountability.md states the semantics.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import operator
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import pairwise
from typing import Any, TypedDict, TypeVar, cast

from ._aggregates import ClockFigure, judge_aggregates
from ._calendar import Calendar
from ._events import Event, OrgStaffAssigned, OrgUnitLeaders, RankingPublished, VerdictRevoked
from ._ruleset_schema import (
    AccountabilitySpec,
    CounterSpec,
    RollingWindow,
    VerdictFilter,
)
from ._text import Phrase, Value, card, thread_phrase
from ._verdicts import Aggregate, Score, Verdict, iso, make_verdict, verdict_id

__all__ = ["LEDGER_TYPES", "ORG_TYPES", "Counted", "Organisation", "RevocationNote", "account", "apply_accountability", "counted_by",
           "run_ledgers"]

#: The events the organisation is read from (who works where, who leads each unit).
ORG_TYPES = ("org.staff_assigned", "org.unit_leaders")

#: Event types an evaluation keeps for accountability, whatever the rulesets say.
LEDGER_TYPES = frozenset((*ORG_TYPES, "verdict.revoked", "ranking.published", "interview.held"))

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {">=": operator.ge, ">": operator.gt, "==": operator.eq, "<=": operator.le,
                                                  "<": operator.lt, "≥": operator.ge, "≤": operator.le}

#: One entry of an organisation history: (timestamp, who or where from then on, ...).
_Entry = TypeVar("_Entry", tuple[float, str], tuple[float, str | None, str | None])


class Organisation:
    """Who works where and who leads each unit, at any moment (from the org.* events among ``events``)."""

    def __init__(self, events: Iterable[Event]) -> None:
        staff: dict[str, list[tuple[float, str]]] = defaultdict(list)
        leaders: dict[str, list[tuple[float, str | None, str | None]]] = defaultdict(list)
        self.units: set[str] = set()
        self.people: set[str] = set()
        self.verdict_subjects: dict[str, dict[str, str | None]] = {}  # verdict id -> its subjects by role
        self.subject_sets: dict[tuple[tuple[str, str | None], ...], dict[str, str | None]] = {}
        for event in sorted((e for e in events if e.type in ORG_TYPES), key=lambda e: (e.at, e.id)):
            ts = event.at.timestamp()
            # The type name fixes the fields (the registry holds one class per name).
            if event.type == "org.staff_assigned":
                assigned = cast("OrgStaffAssigned", event)
                staff[assigned.staff].append((ts, assigned.unit))
                self.units.add(assigned.unit)
                self.people.add(assigned.staff)
            elif event.type == "org.unit_leaders":
                led = cast("OrgUnitLeaders", event)
                leaders[led.unit].append((ts, led.deputy, led.principal))
                self.units.add(led.unit)
        self._staff = dict(staff)
        self._leaders = dict(leaders)

    @staticmethod
    def _at(history: Sequence[_Entry] | None, ts: float) -> _Entry | None:
        if not history:
            return None
        i = bisect.bisect_right(history, (ts, "\U0010ffff", "\U0010ffff")) - 1
        return history[i] if i >= 0 else None

    def first_seen(self, role: str) -> dict[str, float]:
        """When each unit or member of staff first appears in the organisation."""
        if role == "staff":
            return {person: history[0][0] for person, history in self._staff.items()}
        seen: dict[str, float] = {}
        for unit, history in self._leaders.items():
            seen[unit] = history[0][0]
        for assignments in self._staff.values():
            for ts, unit in assignments:
                seen[unit] = min(seen.get(unit, ts), ts)
        return seen

    def unit_of(self, staff: str, ts: float) -> str | None:
        found = self._at(self._staff.get(staff), ts)
        return None if found is None else found[1]

    def leader(self, unit: str | None, role: str, ts: float) -> str | None:
        if unit is None:
            return None
        found = self._at(self._leaders.get(unit), ts)
        if found is None:
            return None
        return found[1] if role == "deputy" else found[2]


@dataclass(slots=True)
class _Item:
    """One thing a counter counts: an event or a verdict, when, and for whom."""

    id: str
    ts: float
    at: dt.datetime
    subjects: dict[str, str | None]  # role -> id
    verdict: Verdict | None = None
    value: float = 1  # what it adds to its counter: 1, or the summed field or points


@dataclass(slots=True)
class _Window:
    """One window of a counter for one subject: the items ``source[start:end]``, in time order."""

    subject: str
    key: str  # the period ("2024-09"), "to <item id>" for a rolling window, "after <event id>"
    source: list[_Item]
    start: int
    end: int
    total: float | None = None  # for a rolling window: its values added up in order from 0.0

    @property
    def rolling(self) -> bool:
        return self.key.startswith("to ")

    @property
    def count(self) -> int:
        return self.end - self.start

    @property
    def last(self) -> _Item:
        return self.source[self.end - 1]

    @property
    def items(self) -> list[_Item]:
        if self.start == 0 and self.end == len(self.source):
            return self.source
        return self.source[self.start : self.end]


@dataclass
class _Output:
    verdicts: list[Verdict] = field(default_factory=list)
    scores: list[Score] = field(default_factory=list)


def _period(day: dt.date, period: str) -> str:
    if period == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    if period == "month":
        return f"{day.year}-{day.month:02d}"
    if period == "bimonth":
        return f"{day.year}-B{(day.month + 1) // 2}"
    if period == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    if period == "half_year":
        return f"{day.year}-H{1 if day.month <= 6 else 2}"
    return str(day.year)


def _period_end(key: str, period: str, calendar: Calendar) -> dt.datetime:
    """The first instant after a period (local midnight)."""
    year = int(key[:4])
    if period == "week":
        monday = dt.date.fromisocalendar(year, int(key[6:]), 1)
        return dt.datetime.combine(monday + dt.timedelta(days=7), dt.time(0), calendar.timezone)
    if period == "year":
        first = dt.date(year + 1, 1, 1)
    else:
        if period == "month":
            last_month = int(key[5:7])
        elif period == "bimonth":
            last_month = int(key[6:]) * 2
        elif period == "quarter":
            last_month = int(key[6:]) * 3
        else:
            last_month = int(key[6:]) * 6
        first = dt.date(year + 1, 1, 1) if last_month == 12 else dt.date(year, last_month + 1, 1)
    return dt.datetime.combine(first, dt.time(0), calendar.timezone)


def _matches(verdict: Verdict, wanted: VerdictFilter | None) -> bool:
    if wanted is None:
        return True
    if wanted.ruleset is not None and verdict.ruleset != wanted.ruleset:
        return False
    if wanted.rules is not None and verdict.rule not in wanted.rules:
        return False
    if wanted.kind is not None and verdict.kind not in wanted.kind:
        return False
    return wanted.card is None or verdict.card == wanted.card


def _verdict_subjects(verdict: Verdict, org: Organisation) -> dict[str, str | None]:
    """Who a verdict concerns, by role, as the organisation stood when it was given (worked out once
    per verdict and evaluation: every counter and score of every ruleset asks)."""
    found = org.verdict_subjects.get(verdict.id)
    if found is None:
        made = _subjects_of(verdict, org)
        # many verdicts concern the same people: one (never changed) mapping for each combination
        found = org.verdict_subjects[verdict.id] = org.subject_sets.setdefault(tuple(made.items()), made)
    return found


def _subjects_of(verdict: Verdict, org: Organisation) -> dict[str, str | None]:
    ts = verdict.at.timestamp()
    found: dict[str, str | None] = {"staff": None, "unit": None, "deputy": None, "principal": None}
    for subject in verdict.subjects:
        if found.get(subject.role) is None:
            found[subject.role] = subject.id
    if found["unit"] is None and found["staff"] is not None:
        found["unit"] = org.unit_of(found["staff"], ts)
    for role in ("deputy", "principal"):
        if found[role] is None:
            found[role] = org.leader(found["unit"], role, ts)
    return found


def _event_subjects(event: Event, counter: CounterSpec, org: Organisation) -> dict[str, str | None]:
    ts = event.at.timestamp()
    values = event.__dict__
    staff = values.get(counter.subject_field) if counter.per == "staff" and counter.subject_field else event.actor
    unit = values.get(counter.subject_field) if counter.per != "staff" and counter.subject_field else event.unit
    if unit is None and staff is not None:
        unit = org.unit_of(staff, ts)
    return {"staff": staff, "unit": unit, "deputy": org.leader(unit, "deputy", ts), "principal": org.leader(unit, "principal", ts)}


class _Ledger:
    """One ruleset version's accountability over one evaluation."""

    def __init__(self, version: Any, spec: AccountabilitySpec, conditions: Mapping[str, Callable[[Event], bool]],
                 events: Sequence[Event], org: Organisation, as_of: dt.datetime) -> None:
        self.version = version
        self.ruleset = version.ruleset
        self.calendar: Calendar = version.calendar
        self.spec = spec
        self.conditions = conditions
        self.events = events
        self.org = org
        self.as_of = as_of
        self.verdicts: list[Verdict] = []  # base verdicts, then those this ledger gives, as they are given
        self.given_ids: set[str] = set()  # every verdict it gave, revoked ones included
        self.replaced: frozenset[str] = frozenset()  # cards a heavier card of the same case replaces (counted nowhere)
        # where accountability is worked out for some subjects only (_account_split.py): which verdicts to give,
        # and the cards of the base verdicts replaced by heavier ones this ledger does not see
        self.owned: Callable[[Verdict], bool] | None = None
        self.also_replaced: frozenset[str] = frozenset()
        # aggregates (_aggregates.py): the case clocks' figures and threads' keys they read, the rows they give
        self.figures: Sequence[ClockFigure] = ()
        self.thread_of: Callable[[Event], str] = lambda event: f"event:{event.id}"
        self.aggregates: list[Aggregate] = []

    # -- items -----------------------------------------------------------------------------------

    def items(self, name: str) -> list[_Item]:
        counter = self.spec.counters[name]
        found: list[_Item] = []
        if counter.event is not None:
            holds = self.conditions.get(name)
            for event in self.events:
                if event.type == counter.event and (holds is None or holds(event)):
                    value = 1.0 if counter.sum is None else float(event.__dict__.get(counter.sum) or 0)
                    found.append(_Item(event.id, event.at.timestamp(), event.at, _event_subjects(event, counter, self.org),
                                       value=value))
        if counter.verdicts is not None:
            replaced = self.replaced
            for verdict in self.verdicts:
                if _matches(verdict, counter.verdicts) and verdict.id not in replaced:
                    points = verdict.points or 0.0
                    value = 1.0 if counter.sum is None else points if counter.sum == "points" else max(0.0, -points)
                    found.append(_Item(verdict.id, verdict.at.timestamp(), verdict.at, _verdict_subjects(verdict, self.org),
                                       verdict, value))
        found.sort(key=lambda item: (item.ts, item.id))
        return found

    def windows(self, name: str) -> Iterable[_Window]:
        """Each subject's windows of a counter, subject by subject, each window's items in time order.

        Calendar windows give each period; rolling windows give, at each item, the window that ends
        with it (keyed by that item; see :func:`_rolling`); ``after`` windows the items after each
        event naming the subject, within its period.
        """
        counter = self.spec.counters[name]
        by_subject: dict[str, list[_Item]] = defaultdict(list)
        for item in self.items(name):
            subject = item.subjects.get(counter.per)
            if subject:
                by_subject[subject].append(item)
        afters: dict[str, list[Event]] = defaultdict(list)
        if counter.after is not None:
            for event in self.events:
                if event.type == counter.after.event and event.__dict__.get(counter.after.field) is not None:
                    afters[str(event.__dict__[counter.after.field])].append(event)
        for subject, items in sorted(by_subject.items()):
            if counter.after is not None:
                # items are sorted by (timestamp, id), so by `at` too (unless float timestamps of far-off
                # years tie for different moments): each event's items are found by bisection
                ats = [item.at for item in items]
                in_order = all(a <= b for a, b in pairwise(ats))
                for event in afters.get(subject, ()):
                    until = self.calendar.deadline(event.at, counter.after.within)
                    key = f"after {event.id}"
                    if in_order:  # the items in (event.at, until]
                        lo = bisect.bisect_right(ats, event.at)
                        yield _Window(subject, key, items, lo, max(lo, bisect.bisect_right(ats, until)))
                    else:
                        chosen = [i for i in items if event.at < i.at <= until]
                        yield _Window(subject, key, chosen, 0, len(chosen))
                continue
            window = counter.window
            if window is None or isinstance(window, str):
                period = window or "year"
                grouped: dict[str, list[_Item]] = defaultdict(list)
                for item in items:
                    grouped[_period(self.calendar.local(item.at).date(), period)].append(item)
                yield from (_Window(subject, key, grouped[key], 0, len(grouped[key])) for key in sorted(grouped))
                continue
            for first, end, total in _rolling(items, window, self.calendar):
                yield _Window(subject, f"to {items[end - 1].id}", items, first, end, total)

    # -- giving verdicts -------------------------------------------------------------------------

    def give(self, entry_id: str, title: str, template_name: str, subject_role: str, subject: str, item_id: str, at: dt.datetime,
             window: str, facts_given: list[tuple[str, str, str]], also: Sequence[str], values: Mapping[str, Value] | None = None,
             ) -> Verdict | None:
        if at > self.as_of:
            return None
        ruleset = self.ruleset
        template = ruleset.spec.verdicts[template_name]
        thread = f"{subject_role}:{subject}"
        vid = verdict_id(ruleset.id, ruleset.version, entry_id, thread, f"{item_id}#{window}")
        ts = at.timestamp()
        unit = subject if subject_role == "unit" else self.org.unit_of(subject, ts) if subject_role == "staff" else None
        subjects = [{"role": subject_role, "id": subject}]
        for role in also:
            other = unit if role == "unit" else self.org.leader(unit, role, ts)
            if other and {"role": role, "id": other} not in subjects:
                subjects.append({"role": role, "id": other})
        local = self.calendar.local(at)
        fill: dict[str, Value] = {"rule": entry_id, "thread": thread_phrase(thread), "event_id": item_id,
                                  "actor": subject if subject_role == "staff" else "", "unit": unit or "", "at": local, **(values or {})}
        facts = [{"zh": "规则", "en": "rule", "value": f"{entry_id} ({title})"}, {"zh": "对象", "en": "subject", "value": thread},
                 {"zh": "期间", "en": "window", "value": window}]
        verdict = make_verdict(vid=vid, ruleset=ruleset, rule=entry_id, template=template, thread=thread, at=local,
                               subjects=subjects, cites=[ruleset.reference(c) for c in template.cites], trigger=item_id,
                               values=fill, facts=facts + [{"zh": z, "en": e, "value": v} for z, e, v in facts_given])
        return verdict

    def run(self, revoked: set[str]) -> list[Verdict]:
        given: list[Verdict] = []

        def keep(verdict: Verdict | None) -> None:
            if verdict is None or (self.owned is not None and not self.owned(verdict)):
                return
            self.given_ids.add(verdict.id)
            if verdict.id not in revoked:
                given.append(verdict)
                self.verdicts.append(verdict)

        spec = self.spec
        if spec.cards.same_thread == "replace":
            self.replaced = replaced_cards(self.verdicts) | self.also_replaced
        for ranking in spec.rankings:
            title = _title(ranking.title, ranking.id)
            streak: dict[str, int] = defaultdict(int)
            rankings = [cast("RankingPublished", e) for e in self.events if e.type == "ranking.published"]
            published = sorted((e for e in rankings if e.metric == ranking.metric), key=lambda e: (e.at, e.id))
            for event in published:
                order: list[str] = list(event.order)
                if ranking.position == "first":
                    chosen = order[:1]
                elif ranking.position == "last":
                    chosen = order[-1:]
                elif ranking.position.top is not None:
                    chosen = order[: ranking.position.top]
                else:
                    chosen = order[-(ranking.position.bottom or 0):]
                held = set(chosen)
                places: dict[str, int] = {}
                for unit in list(streak):
                    if unit not in held:
                        streak[unit] = 0
                for unit in chosen:
                    streak[unit] += 1
                    if streak[unit] == ranking.consecutive:
                        streak[unit] = 0
                        if not places:
                            for place, listed in enumerate(order, start=1):
                                places.setdefault(listed, place)  # the first place a unit is listed at
                        place = places[unit]
                        keep(self.give(ranking.id, title, ranking.verdict, "unit", unit, event.id, event.at,
                                       event.period, [("排名", "ranking", f"{ranking.metric} {event.period}: {place}/{len(order)}"),
                                                      ("连续", "running", f"{ranking.consecutive}")], ranking.also,
                                       {"count": str(ranking.consecutive)}))
        for rule in spec.rules:
            title = _title(rule.title, rule.id)
            compare = _COMPARE[rule.when.op]
            value = rule.when.value
            counter = spec.counters[rule.when.counter]
            role = counter.per
            previous: dict[str, float] = {}
            totals = _names_total(self.ruleset.spec.verdicts[rule.verdict].message)  # explained when the message gives it
            if rule.when.consecutive > 1:
                self.consecutive(rule, title, compare, counter, keep)
                continue
            for w in self.windows(rule.when.counter):
                subject, window = w.subject, w.key
                if w.rolling:  # given when the total comes to hold, again after it stopped holding
                    assert w.total is not None  # a rolling window always carries its total
                    n, before = w.total, previous.get(subject, 0)
                    previous[subject] = n
                    reached = [(n, w.count - 1)] if compare(n, value) and not compare(before, value) else []
                else:
                    reached = _reached(w.items, compare, value, rule.when.repeat)
                if not reached:
                    continue
                items = w.items
                # the window's count as the report knows it (for a period ended by as_of, the period's count)
                total = f"{w.total if w.rolling else sum(x.value for x in items):g}"
                told = [("期间合计", "window total", total)] if totals else []
                for n, i in reached:
                    item = items[i]
                    counted = ", ".join(f"{x.id}@{iso(self.calendar.local(x.at))}" for x in items[: i + 1])
                    keep(self.give(rule.id, title, rule.verdict, role, subject, item.id, item.at, window,
                                   [("计数", "count", f"{rule.when.counter} = {n:g} ({rule.when.op} {value})"),
                                    ("计入", "counted", counted), *told],
                                   rule.also, {"count": f"{n:g}", "total": total, **_card_of(item)}))
        for ladder in spec.ladders:
            title = _title(ladder.title, ladder.id)
            role = spec.counters[ladder.counter].per
            for w in self.windows(ladder.counter):
                subject, window = w.subject, w.key
                steps = [(w.count, w.last)] if w.rolling else list(enumerate(w.items, start=1))
                for n, item in steps:
                    step = ladder.steps[min(n, len(ladder.steps)) - 1]
                    keep(self.give(ladder.id, title, step, role, subject, item.id, item.at, window,
                                   [("第几次", "offence", f"{n} in {window}"), ("依据", "offence of", item.id)], ladder.also,
                                   {"count": str(n), **_card_of(item)}))
        for rate in spec.rates:
            title = _title(rate.title, rate.id)
            role = spec.counters[rate.denominator].per
            period = spec.counters[rate.denominator].window
            period_name = period if isinstance(period, str) else "year"
            numerators = {(w.subject, w.key): sum(i.value for i in w.items) for w in self.windows(rate.numerator)}
            threshold = Decimal(rate.value.rstrip("%")) / 100
            compare = _COMPARE[rate.op]
            for w in self.windows(rate.denominator):
                subject, window = w.subject, w.key
                denominator = sum(i.value for i in w.items)
                if w.count < rate.min_sample or not denominator:
                    continue
                end = _period_end(window, period_name, self.calendar)
                share = Decimal(str(numerators.get((subject, window), 0))) / Decimal(str(denominator))
                if not compare(share, threshold):
                    keep(self.give(rate.id, title, rate.verdict, role, subject, f"rate-{window}", end, window,
                                   [("比率", "rate", f"{numerators.get((subject, window), 0):g}/{denominator:g} = {share:.1%}"),
                                    ("目标", "target", f"{rate.op} {rate.value}")], rate.also))
        for minimum in spec.minimums:
            self.minimum(minimum, keep)
        if spec.aggregates:
            self.aggregates = judge_aggregates(self, self.figures, self.thread_of, keep)
        return given

    def consecutive(self, rule: Any, title: str, compare: Callable[[Any, Any], bool], counter: CounterSpec,
                    keep: Callable[[Verdict | None], None]) -> None:
        """A threshold that holds at the end of k calendar periods running (a period with nothing counts as 0)."""
        period = counter.window if isinstance(counter.window, str) else "year"
        k = rule.when.consecutive
        totals: dict[str, dict[str, float]] = defaultdict(dict)
        for w in self.windows(rule.when.counter):
            totals[w.subject][w.key] = sum(item.value for item in w.items)
        for subject, by_window in sorted(totals.items()):
            key = min(by_window)
            run: list[str] = []
            while True:
                end = _period_end(key, period, self.calendar)
                if end > self.as_of:
                    break
                if compare(by_window.get(key, 0), rule.when.value):
                    run.append(key)
                    if len(run) == k:
                        keep(self.give(rule.id, title, rule.verdict, counter.per, subject, f"periods-{run[0]}..{run[-1]}", end,
                                       f"{run[0]}..{run[-1]}",
                                       [("连续期间", "periods running", ", ".join(f"{w}: {by_window.get(w, 0):g}" for w in run)),
                                        ("条件", "condition", f"{rule.when.counter} {rule.when.op} {rule.when.value}")],
                                       rule.also, {"count": str(k)}))
                        run = []
                else:
                    run = []
                key = _period(self.calendar.local(end).date(), period)

    def minimum(self, minimum: Any, keep: Callable[[Verdict | None], None]) -> None:
        """Each subject with the duty, each period ended by ``as_of``: fewer than ``at_least`` is a verdict at its end."""
        counter = self.spec.counters[minimum.counter]
        period = counter.window if isinstance(counter.window, str) else "year"
        counts = {(w.subject, w.key): sum(i.value for i in w.items) for w in self.windows(minimum.counter)}
        if minimum.subjects is not None:
            duty = minimum.subjects
            holds = self.conditions.get(f"minimum:{minimum.id}")
            holders = sorted((e.at, str(e.__dict__.get(duty.field))) for e in self.events
                             if e.type == duty.event and e.__dict__.get(duty.field) is not None and (holds is None or holds(e)))
        else:
            role = counter.per
            holders = sorted((dt.datetime.fromtimestamp(ts, dt.UTC), subject)
                             for subject, ts in self.org.first_seen(role).items())
        if not holders:
            return
        title = _title(minimum.title, minimum.id)
        key = _period(self.calendar.local(holders[0][0]).date(), period)
        having: set[str] = set()  # who has the duty before the period's end: holders are in time order
        taken = 0
        while True:
            end = _period_end(key, period, self.calendar)
            if end > self.as_of:
                break
            while taken < len(holders) and holders[taken][0] < end:
                having.add(holders[taken][1])
                taken += 1
            for subject in sorted(having):
                done = counts.get((subject, key), 0)
                if done < minimum.at_least:
                    keep(self.give(minimum.id, title, minimum.verdict, counter.per, subject, f"duty-{key}", end, key,
                                   [("应有次数", "required", f">= {minimum.at_least}"), ("实有次数", "done", f"{done:g}")],
                                   minimum.also, {"count": f"{done:g}"}))
            key = _period(self.calendar.local(end).date(), period)


#: How heavy each card is: a heavier card of a case replaces a lighter one (``cards: {same_thread: replace}``).
CARD_WEIGHT = {"yellow": 1, "red": 2}


def replaced_cards(verdicts: Iterable[Verdict | Counted]) -> frozenset[str]:
    """The cards a heavier card of the same ruleset and thread replaces: those lighter than the thread's heaviest.

    One card per case, chosen by severity (根据情节轻重): a case given a yellow card at its deadline
    and a red card later counts as one red card. Cards of equal weight each count (two separate
    breaches of one case); revoked verdicts are not among ``verdicts``, so they replace nothing.
    """
    cards = [v for v in verdicts if v.card in CARD_WEIGHT]
    heaviest: dict[tuple[str, str], int] = {}
    for v in cards:
        key = (v.ruleset, v.thread)
        heaviest[key] = max(heaviest.get(key, 0), CARD_WEIGHT[v.card or ""])
    return frozenset(v.id for v in cards if CARD_WEIGHT[v.card or ""] < heaviest[(v.ruleset, v.thread)])


def _names_total(message: Any) -> bool:
    """Whether a verdict's message (text, or text per language) gives the window's ``{total}``."""
    texts = [message] if isinstance(message, str) else [message.zh, message.en or ""]
    return any("{total}" in text for text in texts)


def _card_of(item: _Item) -> dict[str, Value]:
    """``{card}`` for a message: the card of the verdict an item is (红牌 / red card), if it is one."""
    found = item.verdict.card if item.verdict is not None else None
    return {"card": Phrase(card(found, "zh"), card(found, "en"))} if found else {}


def _reached(items: Sequence[_Item], compare: Callable[[Any, Any], bool], value: float, repeat: bool) -> list[tuple[float, int]]:
    """Where the running total of a calendar or after-event window reaches a threshold: (total, index).

    Once per window (the first item at which it comes to hold), or with ``repeat`` at the value and
    every further multiple of it. The running total adds the values in order from 0.0.
    """
    reached: list[tuple[float, int]] = []
    total, before = 0.0, 0.0
    for i, item in enumerate(items):
        total += item.value
        if repeat:
            if total // value > before // value:
                reached.append((total, i))
        elif compare(total, value) and not compare(before, value):
            return [(total, i)]
        before = total
    return reached


#: Integers of up to 53 bits are exactly floats: a sum whose every partial sum stays below is exact.
_EXACT = 1 << 53


def _scaled(values: Sequence[float]) -> tuple[int, list[int]] | None:
    """(shift, integers) such that each value is its integer times 2**-shift; None if one is not finite."""
    try:
        ratios = [value.as_integer_ratio() for value in values]  # the denominator of a float is a power of two
    except (OverflowError, ValueError):
        return None
    shift = max((den.bit_length() - 1 for _, den in ratios), default=0)
    return shift, [num << (shift - den.bit_length() + 1) for num, den in ratios]


def _rolling(items: Sequence[_Item], window: RollingWindow, calendar: Calendar) -> Iterator[tuple[int, int, float]]:
    """For each of a subject's items (in time order), the rolling window that ends with it.

    Yields ``(first, end, total)``: the window is ``items[first:end]`` (``end`` is the item's index
    plus one) and ``total`` its values added up in order from 0.0 — exactly the running total of
    that slice. An earlier item is in an item's window if it is less than ``days`` days before it,
    or on a local day after the day ``working_days`` working days before the item's local day.

    One pass, amortised O(1) an item: the window's first item only moves forward, and the total is
    kept as items enter and leave. When no item leaves, the total is the last one plus the new
    value (the very addition the running total of the slice makes). When some leave, the total is
    kept exactly, in integers: every partial sum of the slice is then exact in floating point too,
    so the running total of the slice is that exact sum, unless the values are not finite or
    their magnitudes add up to 2**53 units of their finest fraction (decimal fractions such as 0.1
    do) — then the slice is added up again, as before.
    """
    by_days = window.days is not None
    span = dt.timedelta(days=window.days or 0)
    back = -(window.working_days or 0)
    days = [] if by_days else [calendar.local(item.at).date() for item in items]
    starts: dict[dt.date, dt.date] = {}  # a local day -> the last day before its window, once per day
    scaled = _scaled([item.value for item in items])
    shift, ints = scaled if scaled is not None else (0, [])
    exact = magnitude = 0  # the window's sum and sum of magnitudes, in units of 2**-shift
    first, total = 0, 0.0
    for i, item in enumerate(items):
        was = first
        if by_days:
            since = item.at - span
            while not since < items[first].at:
                first += 1
        else:
            day = days[i]
            start = starts.get(day)
            if start is None:
                start = starts[day] = calendar.add_working_days(day, back)
            while not days[first] > start:
                first += 1
        if scaled is not None:
            for j in range(was, first):
                exact -= ints[j]
                magnitude -= abs(ints[j])
            exact += ints[i]
            magnitude += abs(ints[i])
        if first == was:
            total += item.value
        elif scaled is not None and magnitude < _EXACT:
            total = math.ldexp(float(exact), -shift)
        else:
            total = 0.0
            for x in items[first : i + 1]:
                total += x.value
        yield first, i + 1, total


def _title(title: Any, fallback: str) -> str:
    if title is None:
        return fallback
    return title if isinstance(title, str) else title.zh


def scores(version: Any, spec: AccountabilitySpec, verdicts: Sequence[Verdict], org: Organisation, as_of: dt.datetime) -> list[Score]:
    """Scores per subject per period, with grades and ranks within each period."""
    policy = spec.scores
    if policy is None:
        return []
    return ranked_scores(version, policy, score_rows(version, policy, verdicts, org), org)


def score_rows(version: Any, policy: Any, verdicts: Sequence[Verdict], org: Organisation,
               owned: Callable[[str], bool] | None = None) -> list[dict[str, Any]]:
    """The score of each subject (of those ``owned``, if given) in each period it has verdicts in, not ranked."""
    calendar: Calendar = version.calendar
    role = policy.per
    table: dict[tuple[str, str], list[Verdict]] = defaultdict(list)
    for verdict in verdicts:
        vetoes = policy.veto is not None and _matches(verdict, policy.veto)
        if (verdict.points is None and not vetoes) or not _matches(verdict, policy.verdicts):
            continue
        subject = _verdict_subjects(verdict, org).get(role)
        if subject and (owned is None or owned(subject)):
            table[(subject, _period(calendar.local(verdict.at).date(), policy.period))].append(verdict)
    return [_score_row(version, policy, subject, period, given) for (subject, period), given in table.items()]


def _score_row(version: Any, policy: Any, subject: str, period: str, given: Sequence[Verdict]) -> dict[str, Any]:
    deductions: dict[str, float] = defaultdict(float)
    bonuses = 0.0
    vetoed = False
    for verdict in given:
        if policy.veto is not None and _matches(verdict, policy.veto):
            vetoed = True
        if verdict.points is None:
            continue
        if verdict.points < 0:
            deductions[verdict.rule] += -verdict.points
        else:
            bonuses += verdict.points
    per_rule = {rule: min(total, policy.cap_per_rule) if policy.cap_per_rule is not None else total for rule, total in deductions.items()}
    deducted = sum(per_rule.values())
    if policy.cap_per_period is not None:
        deducted = min(deducted, policy.cap_per_period)
    score = round(float(policy.base) - deducted + bonuses, 4)
    grade = None
    for band in policy.bands:
        if band.min is None or score >= band.min:
            grade = band.grade
            break
    if vetoed and policy.bands:
        grade = policy.bands[-1].grade
    return {
        "ruleset": version.ruleset.id, "ruleset_version": version.ruleset.version, "role": policy.per, "subject": subject,
        "period": period, "base": float(policy.base), "deductions": round(deducted, 4), "bonuses": round(bonuses, 4),
        "score": score, "grade": grade, "vetoed": vetoed, "verdicts": sorted(v.id for v in given),
    }


def ranked_scores(version: Any, policy: Any, rows: Sequence[dict[str, Any]], org: Organisation) -> list[Score]:
    """The rows of the subjects with verdicts, and a full score for every other subject the organisation knows in
    each of those periods, ranked within each period."""
    out = list(rows)
    periods = sorted({row["period"] for row in out})
    present = {(row["subject"], row["period"]) for row in out}
    known = org.units if policy.per == "unit" else org.people
    for period in periods:
        for subject in known:
            if (subject, period) not in present:
                out.append(_score_row(version, policy, subject, period, ()))
    in_period: dict[str, list[float]] = defaultdict(list)
    for row in out:
        if row["score"] == row["score"]:  # a score that is not a number ranks above none
            in_period[row["period"]].append(row["score"])
    for ordered in in_period.values():
        ordered.sort()
    for row in out:  # 1 + how many in the period scored more
        ordered = in_period[row["period"]]
        row["rank"] = 1 + (len(ordered) - bisect.bisect_right(ordered, row["score"]) if row["score"] == row["score"] else 0)
    out.sort(key=lambda row: (row["period"], row["rank"], row["subject"]))
    return [Score.model_validate(row) for row in out]


class RevocationNote(TypedDict):
    """A revocation as a report lists it (the fields of ``Revocation``)."""

    verdict_id: str
    at: dt.datetime
    reason: str | None
    event: str
    found: bool


def apply_accountability(engine: Any, base: Sequence[Verdict], events: Sequence[Event], as_of: dt.datetime,
                         figures: Sequence[ClockFigure] = ()
                         ) -> tuple[list[Verdict], list[Score], list[RevocationNote], list[Aggregate]]:
    """(verdicts after revocations, with those accountability gives; scores; revocations; aggregates) as of ``as_of``."""
    kept, given, all_scores, notes, aggregates = account(engine, base, events, as_of, known=None, figures=figures)
    verdicts = [*kept, *given]
    verdicts.sort(key=lambda v: (v.at, v.id))
    return verdicts, all_scores, notes, aggregates


def account(engine: Any, base: Sequence[Verdict | Counted], events: Sequence[Event], as_of: dt.datetime,
            known: Callable[[str], bool] | None, figures: Sequence[ClockFigure] = ()
            ) -> tuple[list[Any], list[Verdict], list[Score], list[RevocationNote], list[Aggregate]]:
    """(the base verdicts not revoked, the verdicts accountability gives, scores, revocations, aggregates).

    ``base`` may hold :class:`Counted` projections instead of verdicts (a stream keeps only those);
    ``known`` then tells whether a revoked id was among the base verdicts, which ``base`` alone
    no longer shows. ``figures`` are the stopped case clocks that aggregates read.
    """
    kept = [e for e in events if e.at <= as_of]
    revocations = [cast("VerdictRevoked", e) for e in kept if e.type == "verdict.revoked"]
    revoked = {e.verdict_id for e in revocations}
    standing: list[Any] = [v for v in base if v.id not in revoked]
    org = Organisation(kept)
    all_scores: list[Score] = []
    given: list[Verdict] = []
    base_ids = {v.id for v in base}
    ledger_ids: set[str] = set()
    aggregates: list[Aggregate] = []
    for _, version, spec, ledger, new, verdicts in run_ledgers(engine, standing, kept, org, as_of, revoked, figures):
        given += new
        ledger_ids |= ledger.given_ids
        aggregates += ledger.aggregates
        all_scores += scores(version, spec, verdicts, org, as_of)

    def found(vid: str) -> bool:
        return vid in base_ids or vid in ledger_ids or (known is not None and known(vid))

    notes: list[RevocationNote] = [{"verdict_id": e.verdict_id, "at": e.at, "reason": e.reason, "event": e.id,
                                    "found": found(e.verdict_id)} for e in revocations]
    aggregates.sort(key=lambda a: (a.ruleset, a.ruleset_version, a.rule, a.period, a.role, a.subject))
    return standing, given, all_scores, notes, aggregates


def run_ledgers(engine: Any, standing: Sequence[Any], kept: Sequence[Event], org: Organisation, as_of: dt.datetime,
                revoked: set[str], figures: Sequence[ClockFigure], *, owned: Callable[[Verdict], bool] | None = None,
                replaced: frozenset[str] = frozenset()) -> Iterator[tuple[int, Any, AccountabilitySpec, _Ledger, list[Verdict], list[Any]]]:
    """Each accountability section in turn, over the ``standing`` verdicts and those the sections before it gave:
    (its index, its ruleset version, the section, its ledger, the verdicts it gave, every verdict so far).

    ``owned`` and ``replaced``: see :mod:`._account_split` (the verdicts to give; cards replaced elsewhere).
    """
    verdicts = list(standing)
    for index, (version, spec, conditions) in enumerate(engine._ledgers):
        ledger = _Ledger(version, spec, conditions, kept, org, as_of)
        ledger.verdicts = list(verdicts)
        ledger.figures, ledger.thread_of = figures, engine._thread_key
        ledger.owned, ledger.also_replaced = owned, replaced
        new = ledger.run(revoked)
        verdicts += new
        yield index, version, spec, ledger, new, verdicts


@dataclass(frozen=True, slots=True)
class Counted:
    """What accountability reads of a verdict: a stream keeps this, not the verdict and its explanation."""

    id: str
    ruleset: str
    rule: str
    thread: str
    kind: str
    card: str | None
    points: float | None
    at: dt.datetime
    subjects: list[Any]

    @classmethod
    def of(cls, verdict: Verdict) -> Counted:
        return cls(verdict.id, verdict.ruleset, verdict.rule, verdict.thread, verdict.kind, verdict.card, verdict.points, verdict.at,
                   verdict.subjects)


def counted_by(ledgers: Sequence[tuple[Any, AccountabilitySpec, Any]]) -> Callable[[Verdict], bool]:
    """Whether any counter or score of these accountability sections reads a verdict."""
    counters = [c.verdicts for _, spec, _ in ledgers for c in spec.counters.values() if c.verdicts is not None]
    policies = [spec.scores for _, spec, _ in ledgers if spec.scores is not None]
    # a card that counts nowhere itself may replace one that does
    cards = any(spec.cards.same_thread == "replace" for _, spec, _ in ledgers)

    def reads(verdict: Verdict) -> bool:
        if cards and verdict.card in CARD_WEIGHT:
            return True
        if any(_matches(verdict, wanted) for wanted in counters):
            return True
        for policy in policies:
            vetoes = policy.veto is not None and _matches(verdict, policy.veto)
            if (verdict.points is not None or vetoes) and _matches(verdict, policy.verdicts):
                return True
        return False

    return reads
