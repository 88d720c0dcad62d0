"""Evaluation: events in, verdicts out — in one batch, or incrementally through a session.

The engine keeps all state: threads (a case, an inquiry…), the count of each event type in a
thread, and pending expectations with their deadlines on the ruleset's calendar. Each event
becomes a *fact* (a flat dict) per ruleset version; the backend only says which rules' conditions
the fact satisfies (``_match``). So the native and the durable backend share every semantic
decision except condition matching, and can be compared fact by fact.

Semantics (docs/rulesets.md has the author's view):

* Events are judged in order of ``at``, then ``id``. A thread is judged by each ruleset's version
  in force on the day of the thread's first event (in the ruleset's timezone).
* An ``on`` rule fires when an event of its type arrives and its conditions hold; ``count.T`` is
  the number of events of type T in the thread so far, this one included.
* An ``expect`` rule starts on its ``after`` event (where its conditions hold): one of its
  ``event`` types must follow by the deadline (``within`` on the calendar). If none has when time
  passes the deadline, the verdict is dated at the deadline; an ``unless`` event excuses it.
  An expected event exactly at the deadline is on time.
* Time passes only with events and :meth:`Session.advance`; nothing reads the wall clock.
"""

from __future__ import annotations

import copy
import datetime as dt
import heapq
import json
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._accountability import LEDGER_TYPES, apply_accountability
from ._calendar import Calendar
from ._clocks import Candidate, ClockPolicy, ClockRun, ClockTrace, case_matter, compile_clock, run_clock, trace_clock
from ._conditions import count_key, field_key
from ._dedupe import content_digest, duplicate_conflict, fingerprint, fingerprint_digest
from ._duration import Duration, TimeUnit
from ._errors import (
    DuplicateEventError,
    EfficiencyRulesError,
    EventError,
    RulesetError,
    RulesetIssue,
    SourceLocation,
)
from ._event_fields import thread_field
from ._events import Event
from ._match import Matcher, MatchRule
from ._registry import EventRegistry
from ._ruleset import CompiledRule, Ruleset, load_rulesets
from ._snapshot import dump as _dump_snapshot
from ._snapshot import load as _load_snapshot
from ._verdicts import (
    CaseState,
    Report,
    Revocation,
    RulesetRef,
    Verdict,
    iso,
    make_verdict,
    verdict_id,
)

__all__ = ["Engine", "Session"]

BACKENDS = ("native", "durable")
# Limits whose deadline depends only on the day they start (whole numbers of these units).
_DAY_UNITS = frozenset((TimeUnit.WORKING_DAYS, TimeUnit.NATURAL_DAYS, TimeUnit.MONTHS))


@dataclass
class _Version:
    """One ruleset version, compiled for a backend."""

    ruleset: Ruleset
    calendar: Calendar
    matcher: Matcher
    rules: dict[str, CompiledRule]
    by_trigger: dict[str, list[CompiledRule]]
    fact_fields: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)  # trigger -> (key, field) read
    count_keys: tuple[tuple[str, str], ...] = ()  # (key, event type) of the counts facts carry
    settling: frozenset[str] = frozenset()  # event types that satisfy or excuse some expectation
    span: tuple[int, int] = (0, 0)  # the ordinals of the first and last day in force
    citations: dict[str, list[dict[str, str | None]]] = field(default_factory=dict)  # rule id -> its verdict's citations
    limit_texts: dict[str, str] = field(default_factory=dict)  # expectation rule id -> its limit, as a fact shows it
    plans: dict[str, _Plan] = field(default_factory=dict)  # event type -> what an event of it does here
    # (rule id, local day) -> (deadline, its timestamp), for limits that depend only on the starting day
    deadlines: dict[tuple[str, int], tuple[dt.datetime, float]] = field(default_factory=dict)
    day: tuple[int, int] = (-1, 0)  # the last (quarter-hour, local day ordinal) looked up
    day_limits: frozenset[str] = frozenset()  # rules whose limit depends only on the day it starts
    clocks: tuple[ClockPolicy, ...] = ()  # the time limits' clocks
    clock_types: frozenset[str] = frozenset()  # the event types the clocks read
    match_one: Callable[[dict[str, Any]], list[str]] | None = None  # the matcher's single-fact path, if it has one
    cited: dict[str, list[dict[str, str | None]]] = field(default_factory=dict)  # verdict template -> its citations


    def template_cites(self, name: str) -> list[dict[str, str | None]]:
        """The citations of the verdict template ``name`` (worked out once)."""
        cites = self.cited.get(name)
        if cites is None:
            cites = self.cited[name] = [self.ruleset.reference(c) for c in self.ruleset.spec.verdicts[name].cites]
        return cites

    def plan(self, event_type: str) -> _Plan:
        """What an event of ``event_type`` does under this version (worked out once per type)."""
        rules = tuple(self.by_trigger.get(event_type, ()))
        read = set().union(*(_keys_in(rule.condition) for rule in rules))
        counts = tuple((key, counted) for key, counted in self.count_keys if key in read)
        news = tuple(sorted({n for rule in rules for n in rule.news}, key=str))
        ofs = tuple(sorted({o for rule in rules for o in rule.ofs}))
        plan = _Plan(event_type in self.settling, rules, self.fact_fields.get(event_type, ()), counts, news, ofs)
        self.plans[event_type] = plan
        return plan

    def local_day(self, at: dt.datetime, ts: float) -> int:
        """The ordinal of ``at``'s day in the calendar's timezone (``ts`` is its POSIX timestamp).

        Events come in time order, so the answer for the last quarter-hour (UTC) is remembered:
        it holds for the whole quarter-hour when the zone's offset is the same at both its ends
        and so is the day (offsets in use are whole quarter-hours, so this is nearly always).
        """
        quarter = int(ts // 900)
        day = self.day
        if day[0] == quarter:
            return day[1]
        ordinal = self.calendar.local(at).toordinal()
        zone = self.calendar.timezone
        first = dt.datetime.fromtimestamp(quarter * 900, zone)
        last = dt.datetime.fromtimestamp(quarter * 900 + 899, zone)
        if first.toordinal() == last.toordinal() == ordinal and first.utcoffset() == last.utcoffset():
            self.day = (quarter, ordinal)  # one assignment: safe to share between threads
        return ordinal

    def deadline(self, rule: CompiledRule, at: dt.datetime, ts: float) -> tuple[dt.datetime, float]:
        """When ``rule``'s expectation started at ``at`` falls due, and that instant's timestamp."""
        within = rule.expect.within  # type: ignore[union-attr]
        if rule.id in self.day_limits:
            key = (rule.id, self.local_day(at, ts))
            cached = self.deadlines.get(key)
            if cached is None:
                moment = self.calendar.deadline(at, within)
                cached = self.deadlines[key] = (moment, moment.timestamp())
            return cached
        moment = self.calendar.deadline(at, within)
        return moment, moment.timestamp()


@dataclass(frozen=True)
class _Plan:
    """What an event of one type does under one ruleset version, worked out once."""

    settles: bool  # it may satisfy or excuse a pending expectation
    rules: tuple[CompiledRule, ...]  # the rules it triggers (their conditions still to be matched)
    fields: tuple[tuple[str, str], ...]  # (fact key, event field) its rules' conditions read
    counts: tuple[tuple[str, str], ...]  # (fact key, event type) of the counts they read
    news: tuple[tuple[str, str, str | None], ...] = ()  # (fact key, list field, excepted field) of 'new' operands
    ofs: tuple[tuple[str, str, str], ...] = ()  # (fact key, event type, field) read from the thread's latest event of a type


@dataclass(slots=True, eq=False)
class _Pending:
    """An expectation waiting for its event."""

    deadline: dt.datetime
    thread: str
    rule: str
    version: int
    start_id: str
    start_at: dt.datetime
    actor: str | None
    unit: str | None
    done: bool = False


@dataclass(slots=True, eq=False)
class _Thread:
    """What the session holds of one thread (a case, an inquiry…) while it is open."""

    key: str
    versions: tuple[int, ...]
    counts: dict[str, int] = field(default_factory=dict)
    pending: list[_Pending] = field(default_factory=list)
    last_at: dt.datetime | None = None
    last_ts: float = -math.inf
    # event id -> its fingerprint (after a restore, a digest): a repeat is ignored, a conflict refused
    seen: dict[str, tuple[Any, ...] | bytes] = field(default_factory=dict)
    emitted: set[str] = field(default_factory=set)  # verdict ids given on this thread
    log: list[Event] = field(default_factory=list)  # the events its clocks read (none where no ruleset has clocks)
    clocks_open: bool = False  # a clock still runs (or may start): the thread is kept
    # (version, time limit) -> (the clock's start event, when it last ran): the verdicts due before then were given
    clock_marks: dict[tuple[int, str], tuple[str | None, float]] = field(default_factory=dict)
    wake: float = math.inf  # when its clocks next need a look
    # (version, time limit) -> the traces of its clock over the log as it is (one for each meaning the
    # events can take at different moments: see ClockTrace); cleared when the log grows
    traces: dict[tuple[int, str], list[ClockTrace | None]] = field(default_factory=dict)
    traced: int = 0  # the length of the log the traces are of
    earlier: tuple[int, dict[tuple[int, str], list[ClockTrace | None]]] = (0, {})  # the traces of a shorter log
    # (version, time limit) -> when its clock next gives a verdict (or changes meaning), while the log is unchanged
    due: dict[tuple[int, str], float] = field(default_factory=dict)
    # (version, its index, time limit, mark) of the time limits that may apply (the case's matter rules others out)
    clocks: list[tuple[_Version, int, ClockPolicy, tuple[int, str]]] | None = None
    firsts: dict[str, list[Any]] = field(default_factory=dict)  # "type|field" -> that list field of the thread's first event of it
    lasts: dict[str, dict[str, Any]] = field(default_factory=dict)  # type -> the fields rules read ('of') of its latest event of it


class _Wake:
    """A thread's clocks need a look when time reaches this entry of the deadline heap."""

    __slots__ = ("thread",)

    def __init__(self, thread: str) -> None:
        self.thread = thread


class Engine:
    """Judges events with rulesets.

    ``rulesets``: :class:`Ruleset` objects or paths of ruleset files or directories (all checked
    on load). ``backend``: ``"native"`` (default) or ``"durable"`` (extra ``durable``).
    ``default_tz``: the zone for event times written without an offset (else they are errors).
    ``retention``: a thread with nothing pending and no event for this long is closed and its
    state dropped (memory stays bounded by the threads still open); a later event for it starts
    it afresh.
    """

    def __init__(
        self,
        rulesets: Iterable[Ruleset | str | Path],
        *,
        backend: str = "native",
        default_tz: dt.tzinfo | None = None,
        retention: dt.timedelta = dt.timedelta(days=30),
    ) -> None:
        if backend not in BACKENDS:
            raise ValueError(f"unknown backend {backend!r}; choose 'native' or 'durable'")
        items = list(rulesets)
        paths = [item for item in items if not isinstance(item, Ruleset)]
        loaded = [item for item in items if isinstance(item, Ruleset)] + (load_rulesets(paths) if paths else [])
        self.backend = backend
        self.default_tz = default_tz
        self.retention = retention
        self._routes: dict[str, tuple[str, str]] = {}  # event type -> (field naming its thread or "", key prefix)
        self.registry = EventRegistry.core()
        declared_by: dict[str, str] = {}
        for ruleset in loaded:
            for name, cls in ruleset.event_types.items():
                if name in declared_by:
                    same = self.registry.get(name)
                    if same is not None and same.model_json_schema() == cls.model_json_schema():
                        continue
                    raise RulesetError([RulesetIssue(
                        SourceLocation(ruleset.path), f"event type {name!r} is also declared, differently, in {declared_by[name]}"
                    )])
                declared_by[name] = ruleset.path
                self.registry.register(cls)
        self._versions: list[_Version] = [self._compile(ruleset) for ruleset in loaded]
        self._clock_types: frozenset[str] = frozenset().union(*(v.clock_types for v in self._versions))
        self._known_classes = frozenset(self.registry)  # event classes taken as they are (already validated)
        of_fields: dict[str, set[str]] = {}
        for version in self._versions:
            for rule in version.ruleset.rules:
                for _, event_type, name in rule.ofs:
                    of_fields.setdefault(event_type, set()).add(name)
        self._of_fields = {t: tuple(sorted(f)) for t, f in of_fields.items()}  # event type -> fields 'of' operands read
        # Accountability: each version's section with its counters' conditions compiled, and the event types kept for it.
        self._ledgers: list[tuple[_Version, Any, dict[str, Callable[[Event], bool]]]] = []
        ledger_types = set(LEDGER_TYPES)
        for version in self._versions:
            section = version.ruleset.spec.accountability
            if section is None:
                continue
            conditions = {name: _event_predicate(condition) for name, condition in version.ruleset.counter_conditions.items()}
            self._ledgers.append((version, section, conditions))
            ledger_types |= {c.event for c in section.counters.values() if c.event} | {c.after.event for c in section.counters.values() if c.after}
            ledger_types |= {m.subjects.event for m in section.minimums if m.subjects is not None}
        self._ledger_types = frozenset(ledger_types)
        self._by_id: dict[str, list[int]] = {}
        for index, version in enumerate(self._versions):
            self._by_id.setdefault(version.ruleset.id, []).append(index)

    def _compile(self, ruleset: Ruleset) -> _Version:
        spec = ruleset.spec
        base = Path(ruleset.path).parent
        calendar = Calendar.china(
            extra_years=[base / name for name in spec.calendar.year_files],
            business_hours=spec.calendar.business_hours,
        )
        match_rules = [MatchRule(rule.id, rule.trigger, rule.condition) for rule in ruleset.rules]
        matcher = _make_matcher(self.backend, match_rules, name=f"{ruleset.id}@{ruleset.version}")
        by_trigger: dict[str, list[CompiledRule]] = {}
        fields: dict[str, set[str]] = {}
        for rule in ruleset.rules:
            by_trigger.setdefault(rule.trigger, []).append(rule)
            fields.setdefault(rule.trigger, set()).update(_fields_in(rule.condition))
        effective = spec.effective
        clocks = tuple(compile_clock(name, limit) for name, limit in spec.time_limits.items())
        return _Version(
            ruleset=ruleset,
            calendar=calendar,
            matcher=matcher,
            rules={rule.id: rule for rule in ruleset.rules},
            by_trigger=by_trigger,
            fact_fields={t: tuple((field_key(name), name) for name in sorted(f)) for t, f in fields.items()},
            count_keys=tuple((count_key(t), t) for t in sorted(ruleset.counted_types)),
            settling=frozenset().union(*(r.satisfied_by | r.excused_by for r in ruleset.rules)),
            match_one=getattr(matcher, "match_one", None),
            clocks=clocks,
            clock_types=frozenset().union(*(clock.relevant for clock in clocks)),
            day_limits=frozenset(
                rule.id for rule in ruleset.rules if rule.expect is not None and _day_only(rule.expect.within)
            ),
            span=(effective.from_.toordinal(), effective.to.toordinal() if effective.to else dt.date.max.toordinal()),
            citations={rule.id: [ruleset.reference(c) for c in rule.verdict.cites] for rule in ruleset.rules},
            limit_texts={
                rule.id: f"{rule.expect.within} ({calendar.name} calendar, {calendar.business_hours})"
                for rule in ruleset.rules
                if rule.expect is not None
            },
        )

    def _route(self, event_type: str) -> tuple[str, str]:
        """The field naming the thread of an event type ("" for none) and the thread key's prefix."""
        name = thread_field(self.registry[event_type]) or ""
        route = self._routes[event_type] = (name, f"{name.removesuffix('_id')}:")
        return route

    @property
    def rulesets(self) -> list[Ruleset]:
        """The ruleset versions this engine judges with."""
        return [version.ruleset for version in self._versions]

    def session(self) -> Session:
        """A new incremental evaluation (add events, advance time, snapshot and restore)."""
        return Session(self)

    def evaluate(self, events: Iterable[Event | Mapping[str, Any] | str], *, as_of: dt.datetime) -> Report:
        """Judge ``events`` as of ``as_of``: a pure function of its inputs.

        Events may come in any order (they are sorted by ``at``, then ``id``, and judged as a
        :class:`Session` judges them); the same id twice with the same content counts once, with
        different content it is an error. Events dated after ``as_of`` are not judged (the report
        counts them).
        """
        _require_aware(as_of, "as_of")
        as_of_ts = as_of.timestamp()
        parsed: list[tuple[float, str, Event]] = []
        ignored = 0
        for item in events:
            event = self.parse(item)
            ts = event.at.timestamp()
            if ts > as_of_ts:
                ignored += 1
            else:
                parsed.append((ts, event.id, event))
        parsed.sort(key=lambda entry: (entry[0], entry[1]))
        session = Session(self)
        offer = session._offer
        for ts, _, event in parsed:
            offer(event, ts)
        del parsed
        session._finish(as_of)
        return session._report(as_of, ignored_after_as_of=ignored)

    def evaluate_stream(
        self,
        events: Iterable[Event | Mapping[str, Any] | str],
        *,
        as_of: dt.datetime,
        tolerance: dt.timedelta = dt.timedelta(0),
        stats: dict[str, int] | None = None,
    ) -> Iterator[Verdict]:
        """Judge a stream of events in time order, yielding verdicts as they arise.

        For logs too large to hold: memory is bounded by the threads open at a time, not by the
        number of events. Events must come in order of ``at`` (then ``id``); up to ``tolerance`` of
        disorder is put right (see :class:`Session`), and an event older than that is an
        :class:`EventError` naming it — never silently reordered or dropped. Events after ``as_of``
        are skipped and counted in ``stats["ignored_after_as_of"]``; ``stats["events"]`` counts the
        events judged (repeats not counted).
        """
        _require_aware(as_of, "as_of")
        session = Session(self, keep_verdicts=False, tolerance=tolerance)
        counts = stats if stats is not None else {}
        counts.setdefault("events", 0)
        counts.setdefault("ignored_after_as_of", 0)
        as_of_ts = as_of.timestamp()
        known = self._known_classes
        offer = session._offer
        for item in events:
            event = item if type(item) in known else self.parse(item)  # type: ignore[assignment]
            ts = event.at.timestamp()
            if ts > as_of_ts:
                counts["ignored_after_as_of"] += 1
                continue
            produced = offer(event, ts)
            counts["events"] = session._events
            if produced:
                yield from produced
        yield from session._finish(as_of)
        counts["events"] = session._events

    def explain(
        self, events: Iterable[Event | Mapping[str, Any] | str], *, case: str, as_of: dt.datetime, language: str = "zh"
    ) -> str:
        """One case's timeline under each time limit, and its verdicts, as text a person can check by hand.

        ``case`` is a case id (``XK-1``) or a thread key (``case:XK-1``); events of other threads are
        read (and validated) but not judged.
        """
        _require_aware(as_of, "as_of")
        key = case if ":" in case else f"case:{case}"
        mine = []
        for item in events:
            event = self.parse(item)
            route = self._routes.get(event.type) or self._route(event.type)
            value = getattr(event, route[0], None) if route[0] else None
            if value is not None and route[1] + value == key:
                mine.append(event)
        if not mine:
            raise EfficiencyRulesError(f"no events of {key!r} in the events given")
        session = Session(self)
        return _explain_text(self, session, mine, key, as_of, language)

    def parse(self, item: Event | Mapping[str, Any] | str) -> Event:
        """An event of a type this engine knows (core or declared by its rulesets)."""
        if isinstance(item, Event):
            if item.type not in self.registry:
                self.registry[item.type]  # raises UnknownEventTypeError with suggestions
            return item
        return self.registry.parse(item, default_tz=self.default_tz)  # type: ignore[arg-type]

    def close(self) -> None:
        """Release backend resources (the durable backend's sessions and threads)."""
        for version in self._versions:
            version.matcher.close()


def _fields_in(condition: tuple[Any, ...]) -> set[str]:
    """The event fields a condition reads."""
    return {key[2:] for key in _keys_in(condition) if key.startswith("f.")}


def _keys_in(condition: tuple[Any, ...]) -> set[str]:
    """The fact keys a condition reads."""
    if condition[0] in ("all", "any"):
        return set().union(*(_keys_in(c) for c in condition[1])) if condition[1] else set()
    if condition[0] == "not":
        return _keys_in(condition[1])
    return {condition[2] if condition[0] == "cmp" else condition[1]}


def _make_matcher(backend: str, rules: Sequence[MatchRule], *, name: str) -> Matcher:
    if backend == "durable":
        from ._match.durable import DurableMatcher

        return DurableMatcher(rules, name=name)
    from ._match.native import NativeMatcher

    return NativeMatcher(rules)


def _require_aware(moment: dt.datetime, name: str) -> None:
    if not isinstance(moment, dt.datetime) or moment.tzinfo is None or moment.utcoffset() is None:
        raise EfficiencyRulesError(f"{name} must be a timezone-aware datetime, got {moment!r}")


_SCALARS = frozenset((str, int, float, bool))


def _scalar(value: Any) -> Any:
    """A field's value as a fact holds it: scalars as they are, an empty list or mapping as absent, others as text."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (list, tuple, dict)) and not value:
        return None  # `missing` holds for a list field left out (its default is empty) or sent empty
    return str(value)


class Session:
    """Incremental evaluation: :meth:`add` events, :meth:`advance` time, persist with :meth:`snapshot`.

    A session judges events in the order of ``at``, then ``id`` — the order :meth:`Engine.evaluate`
    sorts them in — so it gives the same verdicts as a batch of the same events. Events that come
    in that order are judged as they are added. ``tolerance`` allows for disorder in arrival: an
    event is then held until events ``tolerance`` later have come (or time is advanced past it, or
    :meth:`settle` is called), and the held events are judged in order. An event that comes after
    events it should precede have been judged is refused with an :class:`EventError` naming it:
    a session never judges in another order than the batch would.
    """

    def __init__(self, engine: Engine, *, keep_verdicts: bool = True, tolerance: dt.timedelta = dt.timedelta(0)) -> None:
        if not isinstance(tolerance, dt.timedelta) or tolerance < dt.timedelta(0):
            raise EfficiencyRulesError(f"tolerance must be a timedelta of zero or more, got {tolerance!r}")
        self.engine = engine
        self.tolerance = tolerance
        self._tolerance_s = tolerance.total_seconds()
        self._threads: dict[str, _Thread] = {}
        # Heaps keyed by POSIX timestamps: comparing aware datetimes of mixed tzinfo is slow.
        self._deadlines: list[tuple[float, int, _Pending]] = []  # (deadline, sequence, pending)
        self._sequence = 0
        self._retire: list[tuple[float, str]] = []  # (when a thread may close, its key)
        self._keep = keep_verdicts
        self._verdicts: dict[str, Verdict] = {}
        self._now: dt.datetime | None = None
        self._now_ts = -math.inf
        self._retention_s = engine.retention.total_seconds()
        self._events = 0
        self._ledger: list[Event] = []  # events accountability reads (kept only when verdicts are kept)
        self._ids: dict[str, str] = {}  # event id -> its thread, for the events of the threads held
        self._closed_cases: list[CaseState] = []  # the clocks of the threads closed, for the report
        self._held: list[tuple[float, str, Event]] = []  # events waiting for the tolerance to pass (a heap)
        self._held_ids: dict[str, Event] = {}
        self._newest = -math.inf  # the latest `at` added
        self._judged: tuple[float, str] = (-math.inf, "")  # (at, id) of the last event judged; time advanced to

    # -- input ----------------------------------------------------------------------------------

    def add(self, item: Event | Mapping[str, Any] | str) -> list[Verdict]:
        """Add one more event; returns the verdicts it (and the time passing up to it) produced.

        Without ``tolerance`` the event is judged at once; with it, the verdicts returned are those
        of the events whose tolerance has passed. An event already added (same id and content) is
        ignored; the same id with other content — in any thread the session holds — is a
        :class:`DuplicateEventError`. An event dated before events already judged (or before the
        time the session was advanced to), or at the same instant as one judged with a greater id,
        is an :class:`EventError`.
        """
        event = self.engine.parse(item)
        return self._offer(event, event.at.timestamp())

    def settle(self) -> list[Verdict]:
        """Judge every event held for the tolerance now; returns their verdicts.

        An event dated before the last of them, or at its instant with a smaller id, is refused afterwards.
        """
        return self._release(math.inf)

    def _offer(self, event: Event, ts: float) -> list[Verdict]:
        """Take an event: ignore an exact repeat, refuse a conflict or one too late, hold it or judge it."""
        event_id = event.id
        owner = self._ids.get(event_id)
        if owner is not None:
            thread = self._threads.get(owner)
            earlier = None if thread is None else thread.seen.get(event_id)
            if earlier is not None:
                if _same(earlier, event, ts):
                    return []
                route = self.engine._routes.get(event.type) or self.engine._route(event.type)
                value = getattr(event, route[0], None) if route[0] else None
                key = f"event:{event.id}" if value is None else route[1] + value
                if key != owner:
                    raise DuplicateEventError(
                        f"same id as an event of {owner} earlier in this session but different content "
                        "(an event id is unique across the whole log)",
                        event_id=event_id, first=None, second=event,
                    )
                raise duplicate_conflict(event, first=None, first_print=None if isinstance(earlier, bytes) else earlier,
                                         first_where="earlier in this session", where=None)
        held = self._held_ids.get(event_id)
        if held is not None:
            if held == event:
                return []
            raise duplicate_conflict(event, first=held, first_where="an event held in this session", where=None)
        judged_ts, judged_id = self._judged
        if ts < judged_ts or (ts == judged_ts and event_id < judged_id):
            raise self._too_late(event, ts)
        if not self._tolerance_s and not self._held:
            self._judged = (ts, event_id)
            return self._add(event, ts)
        heapq.heappush(self._held, (ts, event_id, event))
        self._held_ids[event_id] = event
        if ts > self._newest:
            self._newest = ts
        return self._release(self._newest - self._tolerance_s)

    def _too_late(self, event: Event, ts: float) -> EventError:
        judged_ts, judged_id = self._judged
        when = dt.datetime.fromtimestamp(judged_ts, event.at.tzinfo).isoformat()
        if ts == judged_ts:
            problem = (f"dated {event.at.isoformat()}, the instant of event {judged_id!r} already judged, with an id that "
                       f"sorts before it: events at one instant are judged in order of id (as Engine.evaluate sorts "
                       f"them); add them in that order, or allow a tolerance")
        else:
            problem = f"dated {event.at.isoformat()}, earlier than events already judged (up to {when})" + (
                f" by more than the tolerance of {self.tolerance}: sort the log, or allow more tolerance" if self.tolerance
                else ": events are judged in time order (Engine.evaluate sorts them); sort the log, or allow a tolerance"
            )
        return EventError(problem, event_id=event.id, field="at", value=event.at.isoformat())

    def _release(self, before: float, *, inclusive: bool = False) -> list[Verdict]:
        """Judge the held events dated before ``before`` (or at it, if ``inclusive``), in order."""
        produced: list[Verdict] = []
        held = self._held
        while held and (held[0][0] < before or (inclusive and held[0][0] == before) or before == math.inf):
            ts, event_id, event = heapq.heappop(held)
            del self._held_ids[event_id]
            self._judged = (ts, event_id)
            produced.extend(self._add(event, ts))
        return produced

    def _add(self, event: Event, ts: float) -> list[Verdict]:
        at = event.at  # in order: _offer saw to it
        # Time passes first: deadlines before this event fall due.
        deadlines, retire = self._deadlines, self._retire
        if (deadlines and deadlines[0][0] < ts) or (retire and retire[0][0] <= ts):
            produced = self._pass_time(at, ts)
        else:
            produced = []
        if ts > self._now_ts:
            self._now, self._now_ts = at, ts
        engine = self.engine
        route = engine._routes.get(event.type)
        if route is None:
            route = engine._route(event.type)
        value = getattr(event, route[0], None) if route[0] else None
        key = f"event:{event.id}" if value is None else route[1] + value
        thread = self._threads.get(key)
        if thread is None:
            thread = _Thread(key, self._versions_for(at, ts))
            self._threads[key] = thread
            heapq.heappush(retire, (ts + self._retention_s, key))
        elif event.id in thread.seen:
            earlier = thread.seen[event.id]
            if _same(earlier, event, ts):
                return produced  # the same event again: idempotent
            raise duplicate_conflict(
                event,
                first=None,
                first_print=None if isinstance(earlier, bytes) else earlier,
                first_where="earlier in this session",
                where=None,
            )
        self._events += 1
        thread.seen[event.id] = fingerprint(event, ts)
        self._ids[event.id] = key
        counts = thread.counts
        counts[event.type] = counts.get(event.type, 0) + 1
        thread.last_at = at
        thread.last_ts = ts
        remembered = engine._of_fields.get(event.type)
        if remembered:
            values = event.__dict__
            thread.lasts[event.type] = {name: _scalar(values.get(name)) for name in remembered}
        versions = engine._versions
        for index in thread.versions:
            version = versions[index]
            plan = version.plans.get(event.type)
            if plan is None:
                plan = version.plan(event.type)
            if plan.settles and thread.pending:
                self._settle(thread, index, version, event.type)
            if plan.rules:
                self._judge(thread, index, version, plan, event, ts, produced)
        if self._keep and event.type in engine._ledger_types:
            self._ledger.append(event)
        if engine._clock_types and event.type in engine._clock_types:
            thread.log.append(event)
            self._clocks(thread, at, ts, produced)
        return produced

    def advance(self, to: dt.datetime) -> list[Verdict]:
        """Let time pass to ``to``: expectations whose deadline is before ``to`` become verdicts.

        A deadline equal to ``to`` has not passed: what is expected may still come at that instant.
        """
        _require_aware(to, "to")
        now = to.timestamp()
        produced = self._release(now)
        produced += self._pass_time(to, now)
        if now > self._now_ts:
            self._now, self._now_ts = to, now
        if (now, "") > self._judged:
            self._judged = (now, "")  # an event dated before `to` comes too late now
        return produced

    def _pass_time(self, to: dt.datetime, now: float) -> list[Verdict]:
        produced: list[Verdict] = []
        while self._deadlines and self._deadlines[0][0] < now:
            due, _, pending = heapq.heappop(self._deadlines)
            if type(pending) is _Wake:
                woken = self._threads.get(pending.thread)
                if woken is not None and woken.wake == due:
                    woken.wake = math.inf
                    self._clocks(woken, to, now, produced)
                continue
            if pending.done:
                continue
            pending.done = True
            thread = self._threads.get(pending.thread)
            if thread is not None:
                thread.pending = [p for p in thread.pending if not p.done]
            produced.extend(self._missed(pending))
        retention = self.engine.retention
        retention_s = self._retention_s
        while self._retire and self._retire[0][0] <= now:
            _, key = heapq.heappop(self._retire)
            thread = self._threads.get(key)
            if thread is None:
                continue
            last = thread.last_ts
            if last + retention_s > now:
                heapq.heappush(self._retire, (last + retention_s, key))  # active since: look again later
                continue
            if thread.pending:
                latest = max(p.deadline for p in thread.pending) + retention
                heapq.heappush(self._retire, (latest.timestamp(), key))
                continue
            if thread.clocks_open:  # a clock still runs (or may start): keep it
                heapq.heappush(self._retire, (now + retention_s, key))
                continue
            if self._keep and thread.log:
                self._closed_cases.extend(self._case_states(thread, to))  # stopped clocks: the same at any later time
            del self._threads[key]
            ids = self._ids
            for event_id in thread.seen:
                if ids.get(event_id) == key:
                    del ids[event_id]
        return produced

    # -- judging --------------------------------------------------------------------------------

    def _schedule(self, pending: _Pending, deadline_ts: float) -> None:
        self._sequence += 1
        heapq.heappush(self._deadlines, (deadline_ts, self._sequence, pending))

    def _versions_for(self, at: dt.datetime, ts: float) -> tuple[int, ...]:
        """The version of each ruleset in force on the local day of ``at``."""
        chosen = []
        versions = self.engine._versions
        for indexes in self.engine._by_id.values():
            for index in indexes:
                version = versions[index]
                first, last = version.span
                if first <= version.local_day(at, ts) <= last:
                    chosen.append(index)
                    break
        return tuple(chosen)

    def _settle(self, thread: _Thread, index: int, version: _Version, event_type: str) -> None:
        """An event an expectation waits for (or that excuses it) settles it."""
        rules = version.rules
        settled = False
        for pending in thread.pending:
            if pending.version == index and not pending.done:
                rule = rules[pending.rule]
                if event_type in rule.satisfied_by or event_type in rule.excused_by:
                    pending.done = settled = True
        if settled:
            thread.pending = [p for p in thread.pending if not p.done]

    def _judge(
        self, thread: _Thread, index: int, version: _Version, plan: _Plan, event: Event, ts: float, produced: list[Verdict]
    ) -> None:
        values = event.__dict__
        fact: dict[str, Any] = {"type": event.type}
        for key, name in plan.fields:
            value = values.get(name)
            fact[key] = value if value is None or type(value) in _SCALARS else _scalar(value)
        if plan.counts:
            counts = thread.counts
            for key, counted in plan.counts:
                fact[key] = counts.get(counted, 0)
        for key, event_type, name in plan.ofs:
            fact[key] = thread.lasts.get(event_type, {}).get(name)
        for key, name, excepted in plan.news:
            values_now = list(values.get(name) or ())
            first = thread.firsts.setdefault(f"{event.type}|{name}", values_now)
            skip = set(first) | set(values.get(excepted) or () if excepted else ())
            new = [] if first is values_now else [v for v in values_now if v not in skip]
            fact[key] = len(new)
            fact["list." + key] = "、".join(str(v) for v in new)
        matched = version.match_one(fact) if version.match_one is not None else version.matcher.match(thread.key, (fact,))[0]
        if not matched:
            return
        for rule in plan.rules:
            if rule.id not in matched:
                continue
            if rule.expect is not None:
                deadline, deadline_ts = version.deadline(rule, event.at, ts)
                pending = _Pending(deadline, thread.key, rule.id, index, event.id, event.at, event.actor, event.unit)
                thread.pending.append(pending)
                self._schedule(pending, deadline_ts)
            else:
                produced.extend(self._emit(version, rule, thread.key, event.id, event.at, event.actor, event.unit, fact, None))

    def _trace(self, thread: _Thread, mark: tuple[int, str], version: _Version, policy: ClockPolicy,
               now_ts: float) -> ClockTrace | None:
        """The trace of a clock over the thread's log as seen at ``now_ts``, worked out once per log and meaning.

        When the log has grown since, the earlier trace is extended by the new events where nothing
        they could do moves the clock's start; otherwise the log is traced again.
        """
        log = thread.log
        if thread.traced != len(log):
            thread.earlier = (thread.traced, thread.traces)
            thread.traces = {}
            thread.due.clear()
            thread.traced = len(log)
        known = thread.traces.get(mark)
        if known is not None:
            for trace in known:
                if trace is None or trace.valid_from < now_ts <= trace.valid_to:
                    return trace
        trace = None
        earlier_length, earlier = thread.earlier
        for candidate in earlier.get(mark) or ():
            if candidate is not None and candidate.settled:
                for event in log[earlier_length:]:
                    candidate = candidate.extended(event)
                    if candidate is None:
                        break
                trace = candidate
                break
        if trace is None:
            trace = trace_clock(policy, version.calendar, log, now_ts)
        if trace is None:
            if case_matter(policy, log) is not None and thread.clocks is not None:
                # a matter this limit does not cover: it never will
                thread.clocks = [entry for entry in thread.clocks if entry[3] != mark]
            thread.traces[mark] = [None]
        else:
            thread.traces.setdefault(mark, []).append(trace)
        return trace

    def _clock_list(self, thread: _Thread) -> list[tuple[_Version, int, ClockPolicy, tuple[int, str]]]:
        """The time limits that may apply to the thread (a copy: looking at them may rule some out)."""
        if thread.clocks is None:
            versions, log = self.engine._versions, thread.log
            thread.clocks = [
                (versions[i], i, policy, (i, policy.id)) for i in thread.versions for policy in versions[i].clocks
                # a matter known from the case's first events rules some out at once (it is the first that counts)
                if (matter := case_matter(policy, log)) is None or policy.applies_to(matter)
            ]
        return list(thread.clocks)

    def _clocks(self, thread: _Thread, now: dt.datetime, now_ts: float, produced: list[Verdict]) -> None:
        """Look at the thread's clocks as of ``now``: give the verdicts due, and look again when the next one may be."""
        wake = math.inf
        still_open = False
        marks = thread.clock_marks
        for version, index, policy, mark in self._clock_list(thread):
            trace = self._trace(thread, mark, version, policy, now_ts)
            if trace is None:
                continue
            if trace.stop is None and trace.stopped_at is None:
                still_open = True
            next_due = thread.due.get(mark)
            if next_due is not None and now_ts <= next_due:
                # looked at since the log last changed, and nothing is due before its next moment
                if next_due < wake:
                    wake = next_due
                continue
            start_event = trace.start_event
            previous = marks.get(mark)
            given_before = previous[1] if previous is not None and previous[0] == start_event else -math.inf
            candidates = list(trace.candidates)
            next_wake, _ = trace.due(now_ts, given_before, candidates)
            if previous is None or previous[0] != start_event or previous[1] < now_ts:
                marks[mark] = (start_event, now_ts)
            thread.due[mark] = math.inf if next_wake is None else next_wake
            for candidate in candidates:
                if candidate.ts <= now_ts if candidate.on_event else candidate.ts < now_ts:
                    produced.extend(self._emit_clock(index, version, policy, trace, candidate, thread, now, now_ts))
            if next_wake is not None and next_wake < wake:
                wake = next_wake
        thread.clocks_open = still_open
        if wake < thread.wake:
            thread.wake = wake
            self._sequence += 1
            heapq.heappush(self._deadlines, (wake, self._sequence, _Wake(thread.key)))  # type: ignore[arg-type]

    def _case_states(self, thread: _Thread, as_of: dt.datetime) -> list[CaseState]:
        """The thread's case clocks as a report states them."""
        states = []
        for index, run in self._clock_states(thread, as_of):
            ruleset = self.engine._versions[index].ruleset
            states.append(CaseState.model_validate(
                {"thread": thread.key, "ruleset": ruleset.id, "ruleset_version": ruleset.version, **run.state()}
            ))
        return states

    def _clock_states(self, thread: _Thread, as_of: dt.datetime) -> list[tuple[int, ClockRun]]:
        """The thread's clocks as of ``as_of``, for a report: nothing is given or scheduled."""
        runs = []
        as_of_ts = as_of.timestamp()
        for version, index, policy, mark in self._clock_list(thread):
            trace = self._trace(thread, mark, version, policy, as_of_ts)
            if trace is not None:
                runs.append((index, trace.at(as_of, explain=False, since=(trace.start_event, as_of_ts))))
        return runs

    def _emit_clock(
        self, index: int, version: _Version, policy: ClockPolicy, current: ClockTrace, candidate: Candidate, thread: _Thread,
        now: dt.datetime, now_ts: float,
    ) -> list[Verdict]:
        ruleset = version.ruleset
        rule_id = f"{policy.id}.{candidate.verdict}"
        vid = verdict_id(ruleset.id, ruleset.version, rule_id, thread.key, f"{candidate.trigger}#{candidate.key}")
        if vid in self._verdicts or vid in thread.emitted:
            return []
        # explained as things stood when it became true, however late time is seen to pass it
        moment = candidate.at if candidate.ts != now_ts else dt.datetime.fromtimestamp(now_ts, version.calendar.timezone)
        # (its own candidates are not wanted: 'since' its moment spares offering every earlier one again)
        moment_ts = moment.timestamp()
        trace = self._trace(thread, (index, policy.id), version, policy, moment_ts)
        since = (current.start_event, moment_ts)
        template = ruleset.spec.verdicts[candidate.verdict]
        calendar = version.calendar
        local_at = calendar.local(candidate.at)
        subjects = []
        for role in template.subjects:
            if role == "actor" and candidate.actor:
                subjects.append({"role": "staff", "id": candidate.actor})
            elif role == "unit" and candidate.unit:
                subjects.append({"role": "unit", "id": candidate.unit})
        key = thread.key

        def facts() -> list[dict[str, str]]:
            # the trace is of the case's events as they were when the verdict was given: it does not change
            run = (current.at(now, explain=False, since=since) if trace is None else trace.at(moment, since=since))
            written = [_fact("规则", "rule", f"{rule_id} ({policy.title_zh})")]
            if run.matter:
                written.append(_fact("事项", "matter", run.matter))
            for entry in run.timeline:
                when = "" if entry.at is None else iso(calendar.local(entry.at))
                written.append(_fact(entry.zh, entry.en, " ".join(part for part in (when, entry.value) if part)))
            return written + [_fact(zh, en, value) for zh, en, value in candidate.facts]

        def values() -> dict[str, str]:
            return {
                "rule": rule_id, "thread": key, "event_id": candidate.trigger, "actor": candidate.actor or "",
                "unit": candidate.unit or "", "at": iso(local_at), **candidate.values,
            }

        verdict = make_verdict(vid=vid, ruleset=ruleset, rule=rule_id, template=template, thread=key, at=local_at,
                               subjects=subjects, cites=version.template_cites(candidate.verdict), trigger=candidate.trigger,
                               values=values, facts=facts)
        if self._keep:
            self._verdicts[vid] = verdict
        thread.emitted.add(vid)
        return [verdict]

    def _missed(self, pending: _Pending) -> list[Verdict]:
        version = self.engine._versions[pending.version]
        rule = version.rules[pending.rule]
        return self._emit(version, rule, pending.thread, pending.start_id, pending.deadline, pending.actor, pending.unit, None, pending)

    def _emit(
        self,
        version: _Version,
        rule: CompiledRule,
        thread: str,
        trigger: str,
        at: dt.datetime,
        actor: str | None,
        unit: str | None,
        fact: Mapping[str, Any] | None,
        pending: _Pending | None,
    ) -> list[Verdict]:
        ruleset = version.ruleset
        vid = verdict_id(ruleset.id, ruleset.version, rule.id, thread, trigger)
        state = self._threads.get(thread)
        if vid in self._verdicts or (state is not None and vid in state.emitted):
            return []
        template = rule.verdict
        subjects = []
        for role in template.subjects:
            if role == "actor" and actor:
                subjects.append({"role": "staff", "id": actor})
            elif role == "unit" and unit:
                subjects.append({"role": "unit", "id": unit})
        calendar = version.calendar
        local_at = calendar.local(at)
        facts = [_fact("规则", "rule", f"{rule.id} ({rule.title.zh})")]
        values: dict[str, str] = {
            "rule": rule.id, "thread": thread, "event_id": trigger, "actor": actor or "", "unit": unit or "",
            "at": iso(local_at), "event_type": rule.trigger,
        }
        if pending is not None and rule.expect is not None:
            start = calendar.local(pending.start_at)
            values.update(deadline=iso(local_at), within=str(rule.expect.within))
            facts += [
                _fact("起算事件", "started by", f"{rule.trigger} {trigger} at {iso(start)}"),
                _fact("期限", "limit", version.limit_texts[rule.id]),
            ]
            off = calendar.days_off_between(start.date(), local_at.date())
            makeup = calendar.makeup_workdays_between(start.date(), local_at.date())
            if off:
                facts.append(_fact("期间节假日", "days off crossed", ", ".join(d.isoformat() for d, _ in off)))
            if makeup:
                facts.append(_fact("期间调休上班日", "make-up workdays crossed", ", ".join(d.isoformat() for d, _ in makeup)))
            facts += [
                _fact("截止时间", "deadline", iso(local_at)),
                _fact("未发生", "did not happen by the deadline", " / ".join(sorted(rule.satisfied_by))),
            ]
        elif fact is not None:
            facts.append(_fact("触发事件", "event", f"{rule.trigger} {trigger} at {iso(local_at)}"))
            for key in sorted(_keys_in(rule.condition)):
                facts.append(_fact("条件事实", "fact", f"{key} = {json.dumps(fact.get(key), ensure_ascii=False)}"))
                if key == count_key(rule.trigger):
                    values["count"] = str(fact[key])
                if key.startswith("new.") and not values.get("new_items"):
                    values["new_items"] = fact.get("list." + key, "")
                    facts.append(_fact("新增项目", "new items", values["new_items"]))
        verdict = make_verdict(vid=vid, ruleset=ruleset, rule=rule.id, template=template, thread=thread, at=local_at,
                               subjects=subjects, cites=version.citations[rule.id], trigger=trigger, values=values, facts=facts)
        if self._keep:
            self._verdicts[vid] = verdict
        if state is not None:
            state.emitted.add(vid)
        return [verdict]

    # -- results and persistence ----------------------------------------------------------------

    @property
    def open_threads(self) -> int:
        """Threads whose state the session holds now (memory is proportional to this)."""
        return len(self._threads)

    def verdicts(self) -> list[Verdict]:
        """Every verdict so far, in order of time, then id (none kept with ``keep_verdicts=False``)."""
        return sorted(self._verdicts.values(), key=lambda v: (v.at, v.id))

    def report(self, as_of: dt.datetime) -> Report:
        """The report of this session as of ``as_of``: what it would say once time reaches ``as_of``.

        The session itself does not move: the events held for the tolerance stay held and time
        stays where it was (the verdicts time gives by ``as_of`` are in the report, and are given
        again, the same, when the session reaches that time). ``as_of`` may not be before the
        events already judged or the time the session was advanced to.
        """
        _require_aware(as_of, "as_of")
        as_of_ts = as_of.timestamp()
        if as_of_ts < self._judged[0]:
            raise EfficiencyRulesError(
                f"as_of {as_of.isoformat()} is before the session's time "
                f"{dt.datetime.fromtimestamp(self._judged[0], as_of.tzinfo).isoformat()}: the session has judged "
                "events since, so it cannot say what it would have said then (keep a snapshot taken at that time)"
            )
        fork = self._fork()
        ignored = sum(1 for ts, _, _ in fork._held if ts > as_of_ts)
        fork._finish(as_of)
        return fork._report(as_of, ignored_after_as_of=ignored)

    def _fork(self) -> Session:
        """A copy of the session to move on without moving this one (what is shared is not changed in place)."""
        fork = copy.copy(self)
        pendings: dict[int, _Pending] = {}
        threads = {}
        for key, thread in self._threads.items():
            twin = copy.copy(thread)
            twin.counts = dict(thread.counts)
            twin.pending = [pendings.setdefault(id(p), copy.copy(p)) for p in thread.pending]
            twin.seen = dict(thread.seen)
            twin.emitted = set(thread.emitted)
            twin.log = list(thread.log)
            twin.clock_marks = dict(thread.clock_marks)
            twin.traces = {mark: list(traces) for mark, traces in thread.traces.items()}
            twin.earlier = (thread.earlier[0], {mark: list(traces) for mark, traces in thread.earlier[1].items()})
            twin.due = dict(thread.due)
            twin.clocks = None if thread.clocks is None else list(thread.clocks)
            twin.firsts = {name: list(values) for name, values in thread.firsts.items()}
            twin.lasts = dict(thread.lasts)
            threads[key] = twin
        fork._threads = threads
        fork._deadlines = [
            (due, sequence, pending if type(pending) is _Wake else pendings.get(id(pending)) or copy.copy(pending))
            for due, sequence, pending in self._deadlines
        ]
        fork._retire = list(self._retire)
        fork._verdicts = dict(self._verdicts)
        fork._ledger = list(self._ledger)
        fork._ids = dict(self._ids)
        fork._closed_cases = list(self._closed_cases)
        fork._held = list(self._held)
        fork._held_ids = dict(self._held_ids)
        return fork

    def _finish(self, as_of: dt.datetime) -> list[Verdict]:
        """Judge the held events up to ``as_of`` (at it included) and let time pass to it."""
        as_of_ts = as_of.timestamp()
        produced = self._release(as_of_ts, inclusive=True)
        produced += self._pass_time(as_of, as_of_ts)
        if as_of_ts > self._now_ts:
            self._now, self._now_ts = as_of, as_of_ts
        if (as_of_ts, "") > self._judged:
            self._judged = (as_of_ts, "")
        return produced

    def _report(self, as_of: dt.datetime, *, ignored_after_as_of: int = 0) -> Report:
        """The report from the session as it stands (``_finish`` brought it to ``as_of``)."""
        cases = list(self._closed_cases)
        for thread in self._threads.values():
            if thread.log:
                cases.extend(self._case_states(thread, as_of))
        cases.sort(key=lambda c: (c.thread, c.ruleset, c.time_limit, c.start is None, c.start or as_of))
        verdicts, scores, revocations = self.verdicts(), [], []
        if self._ledger or self.engine._ledgers:
            verdicts, scores, revocations = apply_accountability(self.engine, verdicts, self._ledger, as_of)
        # every part is a validated model already: the report is put together, not checked again
        return Report.model_construct(
            as_of=as_of,
            rulesets=[RulesetRef(id=v.ruleset.id, version=v.ruleset.version, path=v.ruleset.path) for v in self.engine._versions],
            verdicts=verdicts,
            events=self._events,
            ignored_after_as_of=ignored_after_as_of,
            open_threads=sum(1 for t in self._threads.values() if t.pending),
            cases=cases,
            scores=list(scores),
            revocations=[Revocation.model_validate(r) for r in revocations],
        )

    def snapshot(self, *, key: bytes | None = None) -> bytes:
        """The session's state as JSON bytes, to store in the portal's own database.

        With ``key`` (at least 16 bytes; keep it out of that database) the snapshot is signed
        (HMAC-SHA256), and :meth:`restore` given the same key refuses it if anything in it was
        changed. docs/rulesets.md describes the format.
        """
        state = {
            "rulesets": [[v.ruleset.id, v.ruleset.version] for v in self.engine._versions],
            "now": self._now.isoformat() if self._now else None,
            "events": self._events,
            "threads": [
                {
                    "key": t.key,
                    "versions": list(t.versions),
                    "counts": t.counts,
                    "last_at": t.last_at.isoformat() if t.last_at else None,
                    "seen": {event_id: _digest_text(seen) for event_id, seen in t.seen.items()},
                    "emitted": sorted(t.emitted),
                    "log": [event.model_dump(mode="json") for event in t.log],
                    "firsts": t.firsts,
                    "lasts": t.lasts,
                    "pending": [
                        [p.deadline.isoformat(), p.rule, p.version, p.start_id, p.start_at.isoformat(), p.actor, p.unit]
                        for p in t.pending
                        if not p.done
                    ],
                }
                for t in self._threads.values()
            ],
            "verdicts": [v.model_dump(mode="json") for v in self._verdicts.values()],
            "ledger": [event.model_dump(mode="json") for event in self._ledger],
            "closed_cases": [case.model_dump(mode="json") for case in self._closed_cases],
            "judged": [self._judged[0] if self._judged[0] != -math.inf else None, self._judged[1]],
            "tolerance_seconds": self._tolerance_s,
            "held": [event.model_dump(mode="json") for _, _, event in sorted(self._held, key=lambda h: (h[0], h[1]))],
        }
        return _dump_snapshot(state, key=key)

    @classmethod
    def restore(cls, engine: Engine, data: bytes | str, *, key: bytes | None = None) -> Session:
        """A session continuing from :meth:`snapshot` output, on an engine with the same ruleset versions.

        ``key``: the key the snapshot was taken with (a signed snapshot needs it; with a key, an
        unsigned one is refused). Anything wrong with ``data`` is a :class:`SnapshotError`
        saying what and where, raised before the session is built.
        """
        state = _load_snapshot(engine, data, key=key)
        session = cls(engine, tolerance=dt.timedelta(seconds=state.get("tolerance_seconds") or 0))
        session._now = dt.datetime.fromisoformat(state["now"]) if state["now"] else None
        session._now_ts = session._now.timestamp() if session._now else -math.inf
        session._events = state["events"]
        for item in state["threads"]:
            thread = _Thread(item["key"], tuple(item["versions"]), dict(item["counts"]))
            thread.last_at = dt.datetime.fromisoformat(item["last_at"]) if item["last_at"] else None
            thread.last_ts = thread.last_at.timestamp() if thread.last_at else -math.inf
            # format 1 kept content digests of the events seen, format 2 marks those it carries on
            as_content = state["format"] == 1
            thread.seen = {event_id: _digest_bytes(text, as_content) for event_id, text in item["seen"].items()}  # type: ignore[misc]
            thread.emitted = set(item["emitted"])
            thread.log = [engine.parse(raw) for raw in item.get("log", ())]
            thread.firsts = dict(item.get("firsts", {}))
            thread.lasts = dict(item.get("lasts", {}))
            if thread.last_at is not None:
                heapq.heappush(session._retire, ((thread.last_at + engine.retention).timestamp(), thread.key))
            for deadline, rule, version, start_id, start_at, actor, unit in item["pending"]:
                pending = _Pending(dt.datetime.fromisoformat(deadline), thread.key, rule, version, start_id,
                                   dt.datetime.fromisoformat(start_at), actor, unit)
                thread.pending.append(pending)
                session._schedule(pending, pending.deadline.timestamp())
            session._threads[thread.key] = thread
        for raw in state["verdicts"]:
            verdict = Verdict.model_validate(raw)
            session._verdicts[verdict.id] = verdict
        session._ledger = [engine.parse(raw) for raw in state.get("ledger", ())]
        for thread in session._threads.values():
            for event_id in thread.seen:
                session._ids[event_id] = thread.key
        session._closed_cases = [CaseState.model_validate(case) for case in state.get("closed_cases", ())]
        judged = state.get("judged")
        if judged is not None:
            session._judged = (-math.inf if judged[0] is None else float(judged[0]), str(judged[1]))
        elif session._now is not None:
            session._judged = (session._now_ts, "")
        for raw in state.get("held", ()):
            event = engine.parse(raw)
            heapq.heappush(session._held, (event.at.timestamp(), event.id, event))
            session._held_ids[event.id] = event
            session._newest = max(session._newest, event.at.timestamp())
        if session._now is not None:
            for thread in session._threads.values():
                if thread.log:
                    session._clocks(thread, session._now, session._now_ts, [])  # due verdicts were given: this schedules the next look
        return session


# A digest restored from a snapshot is of the event's fingerprint (``fingerprint_digest``, 8 bytes),
# or, for events seen before format 2, of its canonical JSON (``content_digest``): those are kept
# behind this mark (9 bytes) and written behind "content:".
_CONTENT = b"c"
_CONTENT_LENGTH = 9
_CONTENT_TEXT = "content:"


def _same(earlier: tuple[Any, ...] | bytes, event: Event, ts: float) -> bool:
    """Whether ``event`` is the event a thread remembers as ``earlier`` (its fingerprint, or a restored digest)."""
    if isinstance(earlier, bytes):
        return earlier == _restored_digest(event, ts, content=len(earlier) == _CONTENT_LENGTH)
    return earlier == fingerprint(event, ts)


def _restored_digest(event: Event, ts: float, *, content: bool) -> bytes:
    """The digest of ``event`` of the kind a restored digest is, to compare them."""
    return _CONTENT + content_digest(event) if content else fingerprint_digest(fingerprint(event, ts))


def _digest_text(seen: tuple[Any, ...] | bytes) -> str:
    """How a snapshot writes what a thread remembers of an event."""
    if not isinstance(seen, bytes):
        return fingerprint_digest(seen).hex()
    return _CONTENT_TEXT + seen[1:].hex() if len(seen) == _CONTENT_LENGTH else seen.hex()


def _digest_bytes(text: str, as_content: bool) -> bytes:
    """What a snapshot's ``seen`` entry restores to (``as_content``: a format-1 snapshot, all content digests)."""
    if as_content or text.startswith(_CONTENT_TEXT):
        return _CONTENT + bytes.fromhex(text.removeprefix(_CONTENT_TEXT))
    return bytes.fromhex(text)


def _explain_text(engine: Engine, session: Session, events: list[Event], key: str, as_of: dt.datetime, language: str) -> str:
    zh = language == "zh"
    deduped = {event.id: event for event in events}
    ordered = sorted(deduped.values(), key=lambda e: (e.at, e.id))
    for event in ordered:
        if event.at <= as_of:
            session.add(event)
    session.advance(as_of)
    lines = [f"{key}  {'截至' if zh else 'as of'} {iso(as_of)}"]
    judged = [event for event in ordered if event.at <= as_of]
    log = [event for event in judged if event.type in engine._clock_types]
    runs = []
    if log:
        for index in session._versions_for(judged[0].at, judged[0].at.timestamp()):
            version = engine._versions[index]
            for policy in version.clocks:
                run = run_clock(policy, version.calendar, log, as_of)
                if run is not None:
                    runs.append((index, run))
    if not runs:
        lines.append("  （无办理时限）" if zh else "  (no time limit applies)")
    for index, run in runs:
        version = engine._versions[index]
        calendar = version.calendar
        state = run.state()
        title = run.policy.title_zh if zh else run.policy.title_en
        lines.append("")
        lines.append(f"{version.ruleset.id} {version.ruleset.version} · {run.policy.id} ({title})")
        status = state["status"]
        lines.append(f"  {'状态' if zh else 'status'}: {status}" + (f"  {'事项' if zh else 'matter'}: {run.matter}" if run.matter else ""))
        for entry in run.timeline:
            when = "" if entry.at is None else iso(calendar.local(entry.at))
            label = entry.zh if zh else entry.en
            lines.append(f"  {when:<22} {label}" + (f": {entry.value}" if entry.value else ""))
        unit = "wd" if run.working else "d"
        lines.append(
            f"  {'已用' if zh else 'elapsed'} {state['elapsed_days']:g}{unit}, {'剩余' if zh else 'remaining'} "
            f"{state['remaining_days']:g}{unit}, {'暂停' if zh else 'paused'} {state['paused_days']:g}{unit}, "
            f"{'超期' if zh else 'overdue'} {state['overdue_days']:g}{unit}"
        )
    verdicts = [v for v in session.verdicts() if v.thread == key]
    lines.append("")
    lines.append(f"{'结论' if zh else 'verdicts'} ({len(verdicts)}):")
    for verdict in verdicts:
        message = verdict.explanation.message_zh if zh or verdict.explanation.message_en is None else verdict.explanation.message_en
        points = "" if verdict.points is None else f" {verdict.points:g}"
        card = "" if verdict.card is None else f" [{verdict.card}]"
        lines.append(f"  {verdict.at:%Y-%m-%d %H:%M}  {verdict.rule}{card}{points}  {message}")
    return "\n".join(lines) + "\n"


def _day_only(within: Duration) -> bool:
    """Whether a limit's deadline depends only on the day it starts (whole days or months)."""
    if within.unit not in _DAY_UNITS or within.amount != within.amount.to_integral_value():
        return False
    return within.unit is not TimeUnit.WORKING_DAYS or within.amount >= 1  # 0wd is "same day": the hour matters


def _event_predicate(condition: Any) -> Callable[[Event], bool]:
    """A counter's condition as a predicate on events (the native matcher's compiled form)."""
    from ._match.native import compile_parts, normalize_condition

    parts = compile_parts(normalize_condition(condition, "counter"))

    def holds(event: Event) -> bool:
        fact = {"type": event.type, **{field_key(k): _scalar(v) for k, v in event.__dict__.items()}}
        return all(part(fact) for part in parts)

    return holds


def _fact(zh: str, en: str, value: str) -> dict[str, str]:
    return {"zh": zh, "en": en, "value": value}
