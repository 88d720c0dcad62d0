"""The engine: rulesets compiled for a backend, and the entry points that judge events with them.

``Engine`` loads and checks rulesets, registers the event types they declare, and compiles each
ruleset version (``_Version``): its calendar, its rules' matcher, what each event type does under
it (``_Plan``), its case clocks. Judging is the :class:`~efficiency_rules._session.Session`'s work
(``_session.py`` describes the pipeline); ``evaluate``, ``evaluate_stream`` and ``explain`` feed
one. The backend only says which rules' conditions a fact satisfies (``_match``), so the native and
the durable backend share every semantic decision except condition matching.

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

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

from ._accountability import LEDGER_TYPES, counted_by
from ._calendar import Calendar
from ._clocks import ClockPolicy, compile_clock
from ._conditions import count_key, field_key
from ._errors import (
    DateNotCoveredError,
    EfficiencyRulesError,
    EventError,
    RulesetError,
    RulesetIssue,
    SourceLocation,
    UsageError,
)
from ._event_fields import thread_field
from ._events import Event
from ._gc import bulk_collection
from ._jsonl import place_error
from ._match import Matcher, MatchRule
from ._registry import EventRegistry, checked_text
from ._ruleset import CompiledRule, Ruleset, load_rulesets, message_fields
from ._verdicts import (
    Report,
    Verdict,
)

if TYPE_CHECKING:
    from ._session import Session

__all__ = ["Engine"]

BACKENDS = ("native", "durable")


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
        within = rule.expect.within  # type: ignore[union-attr]  # only rules with an expectation have deadlines
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


class Engine:
    """Judges events with rulesets.

    ``rulesets``: :class:`Ruleset` objects, paths of ruleset files or directories, or ids of
    shipped rulesets (``"cn.xzxk"``, ``"cn.xzxk@2019"``), all checked on load. ``backend``: ``"native"`` (default) or ``"durable"`` (extra ``durable``).
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
            raise UsageError(f"unknown backend {backend!r}; choose 'native' or 'durable'")
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
        # the fields clocks read a case's matter from; (versions in force, the matter in each) -> the clocks that
        # may apply to such a case (see Session._clock_list)
        self._matter_fields = tuple(sorted({p.spec.matter_field for v in self._versions for p in v.clocks}))
        self._clock_lists: dict[tuple[tuple[int, ...], tuple[str | None, ...]], list[Any]] = {}
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
        aggregate_clocks: set[tuple[str, str]] = set()
        for version in self._versions:
            section = version.ruleset.spec.accountability
            if section is None:
                continue
            conditions = {name: _event_predicate(condition) for name, condition in version.ruleset.counter_conditions.items()}
            self._ledgers.append((version, section, conditions))
            ledger_types |= {c.event for c in section.counters.values() if c.event} | {c.after.event for c in section.counters.values() if c.after}
            ledger_types |= {m.subjects.event for m in section.minimums if m.subjects is not None}
            ledger_types |= {a.events.event for a in section.aggregates if a.events is not None}
            aggregate_clocks |= {(a.cases.ruleset or version.ruleset.id, a.cases.time_limit)
                                 for a in section.aggregates if a.cases is not None}
        self._ledger_types = frozenset(ledger_types)
        # (ruleset id, time limit) of the case clocks aggregates read: a session keeps a figure of each one stopped
        self._aggregate_clocks = frozenset(aggregate_clocks)
        self._counted_by = counted_by(self._ledgers)  # whether accountability reads a verdict
        self._by_id: dict[str, list[int]] = {}
        for index, version in enumerate(self._versions):
            self._by_id.setdefault(version.ruleset.id, []).append(index)

    def _compile(self, ruleset: Ruleset) -> _Version:
        spec = ruleset.spec
        base = Path(ruleset.path).parent
        calendar = Calendar.china(
            extra_years=[base / name for name in spec.calendar.year_files],
            business_hours=spec.calendar.business_hours,
            day_end=spec.calendar.day_end,
        )
        match_rules = [MatchRule(rule.id, rule.trigger, rule.condition) for rule in ruleset.rules]
        matcher = _make_matcher(self.backend, match_rules, name=f"{ruleset.id}@{ruleset.version}")
        by_trigger: dict[str, list[CompiledRule]] = {}
        fields: dict[str, set[str]] = {}
        for rule in ruleset.rules:
            by_trigger.setdefault(rule.trigger, []).append(rule)
            fields.setdefault(rule.trigger, set()).update(_fields_in(rule.condition))
        effective = spec.effective
        halls = {
            name: (hall.from_, calendar.service_calendar(
                name, business_hours=hall.business_hours, every_day=hall.days == "every_day_but_holidays",
                title=None if hall.title is None else (
                    (hall.title, hall.title) if isinstance(hall.title, str) else (hall.title.zh, hall.title.en or hall.title.zh))))
            for name, hall in spec.calendar.service_calendars.items()
        }
        clocks = tuple(
            compile_clock(name, limit, _clock_message_fields(spec, limit),
                          None if limit.service_calendar is None else halls[limit.service_calendar])
            for name, limit in spec.time_limits.items()
        )
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
                rule.id for rule in ruleset.rules if rule.expect is not None and rule.expect.within.day_only
            ),
            span=(effective.from_.toordinal(), effective.to.toordinal() if effective.to else dt.date.max.toordinal()),
            citations={rule.id: [ruleset.reference(c) for c in rule.verdict.cites] for rule in ruleset.rules},
            limit_texts={
                rule.id: f"{rule.expect.within} ({calendar.name} calendar, {calendar.business_hours})"
                for rule in ruleset.rules
                if rule.expect is not None
            },
        )

    def _thread_key(self, event: Event) -> str:
        """The key of the thread an event belongs to (``case:XK-1``; ``event:ID`` for one that names none)."""
        route = self._routes.get(event.type)
        if route is None:
            route = self._route(event.type)
        value = getattr(event, route[0], None) if route[0] else None
        return f"event:{event.id}" if value is None else route[1] + value

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
        from ._session import Session

        return Session(self)

    def evaluate(self, events: Iterable[Event | Mapping[str, Any] | str], *, as_of: dt.datetime) -> Report:
        """Judge ``events`` as of ``as_of``: a pure function of its inputs.

        Events may come in any order (they are sorted by ``at``, then ``id``, and judged as a
        :class:`Session` judges them); the same id twice with the same content counts once, with
        different content it is an error. Events dated after ``as_of`` are not judged (the report
        counts them).
        """
        _require_aware(as_of, "as_of")
        with bulk_collection():
            return self._evaluate(events, as_of)

    def _evaluate(self, events: Iterable[Event | Mapping[str, Any] | str], as_of: dt.datetime) -> Report:
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
        parsed.sort(key=lambda entry: (entry[0], entry[1]), reverse=True)
        from ._session import Session

        session = Session(self)
        session._defer = True  # a batch gives the set of verdicts, not their order: see Session._deferred
        offer = session._offer
        pop = parsed.pop
        try:
            while parsed:  # taken from the end, so that an event judged and let go by its case is freed
                ts, _, event = pop()
                offer(event, ts)
        except (DateNotCoveredError, EventError) as error:
            place_error(error, events)  # read from a file: its line too
            raise
        session._finish(as_of)
        return session._report(as_of, ignored_after_as_of=ignored, last=True)

    def evaluate_stream(
        self,
        events: Iterable[Event | Mapping[str, Any] | str],
        *,
        as_of: dt.datetime,
        tolerance: dt.timedelta = dt.timedelta(0),
        stats: dict[str, Any] | None = None,
    ) -> Iterator[Verdict]:
        """Judge a stream of events in time order, yielding verdicts as they arise.

        For logs too large to hold: memory is bounded by the threads open at a time, not by the
        number of events. Events must come in order of ``at`` (then ``id``); up to ``tolerance`` of
        disorder is put right (see :class:`Session`), and an event older than that is an
        :class:`EventError` naming it — never silently reordered or dropped. Events after ``as_of``
        are skipped and counted in ``stats["ignored_after_as_of"]``; ``stats["events"]`` counts the
        events judged (repeats not counted).

        Accountability runs too: the rule and clock verdicts come as they become final, then, at
        the end, the verdicts accountability gives as of ``as_of`` (cards, ladders, thresholds…);
        ``stats["scores"]``, ``stats["revocations"]`` and ``stats["aggregates"]`` then hold the report's
        scores, revocations and aggregates. A verdict that a later ``verdict.revoked`` event revokes has already been
        handed out when the revocation comes: ``stats["revoked"]`` lists the ids revoked, and
        accountability and scores leave them out, as :meth:`evaluate` does. For this the stream
        keeps, besides its open threads, a few dozen bytes per verdict that accountability reads
        (its id, rule, kind, card, points, time and subjects) and 8 bytes per other verdict.
        """
        _require_aware(as_of, "as_of")
        with bulk_collection():  # (while the stream is open)
            yield from self._stream(events, as_of, tolerance, stats)

    def _stream(
        self, events: Iterable[Event | Mapping[str, Any] | str], as_of: dt.datetime, tolerance: dt.timedelta,
        stats: dict[str, Any] | None,
    ) -> Iterator[Verdict]:
        from ._session import Session

        session = Session(self, keep_verdicts=False, tolerance=tolerance)
        session._counted = []
        counts = stats if stats is not None else {}
        counts.setdefault("events", 0)
        counts.setdefault("ignored_after_as_of", 0)
        as_of_ts = as_of.timestamp()
        known = self._known_classes
        offer = session._offer
        for item in events:
            # a known class is an Event (type() is checked, not isinstance: an unregistered subclass is parsed)
            event = checked_text(cast("Event", item)) if type(item) in known else self.parse(item)
            ts = event.at.timestamp()
            if ts > as_of_ts:
                counts["ignored_after_as_of"] += 1
                continue
            try:
                produced = offer(event, ts)
            except (DateNotCoveredError, EventError) as error:
                place_error(error, events)  # read from a file: its line too
                raise
            counts["events"] = session._events
            if produced:
                yield from produced
        yield from session._finish(as_of)
        counts["events"] = session._events
        given, scores, revocations, aggregates = session._account_stream(as_of)
        counts["scores"] = scores
        counts["aggregates"] = aggregates
        counts["revocations"] = revocations
        counts["revoked"] = [r.verdict_id for r in revocations]
        yield from given

    def explain(
        self, events: Iterable[Event | Mapping[str, Any] | str], *, case: str, as_of: dt.datetime, language: str = "zh"
    ) -> str:
        """One case's timeline under each time limit, and its verdicts, as text a person can check by hand.

        ``case`` is a case id (``XK-1``) or a thread key (``case:XK-1``); events of other threads are
        read (and validated) but not judged.
        """
        lang = _language(language)
        _require_aware(as_of, "as_of")
        key, mine = self._case_events(events, case)
        from ._session import Session, _explain_text

        session = Session(self)
        return _explain_text(self, session, mine, key, as_of, lang)

    def notice(
        self, events: Iterable[Event | Mapping[str, Any] | str], *, case: str, as_of: dt.datetime, language: str = "zh"
    ) -> str:
        """What a portal tells the applicant of ``case`` as of ``as_of``: one paragraph per time limit.

        ``您的申请已于2024年9月23日受理，法定办理期限20个工作日，预计于2024年10月24日前办结（已扣除国庆节假日）。``
        — for a running, extended, paused (with the reason), overdue, completed (on time or late),
        withdrawn or rejected case; ``language`` is ``zh`` or ``en``. Events as for :meth:`explain`.
        """
        from ._notice import applicant_notice
        from ._session import Session, _explained_runs

        lang = _language(language)
        _require_aware(as_of, "as_of")
        _, mine = self._case_events(events, case)
        runs = _explained_runs(self, Session(self), mine, as_of)
        if not runs:
            return "该申请不适用办理时限。\n" if lang == "zh" else "No time limit applies to this application.\n"
        return "".join(applicant_notice(run, self._versions[index].calendar, as_of, lang) + "\n" for index, run in runs)

    def _case_events(self, events: Iterable[Event | Mapping[str, Any] | str], case: str) -> tuple[str, list[Event]]:
        key = case if ":" in case else f"case:{case}"
        mine = []
        for item in events:
            event = self.parse(item)
            if self._thread_key(event) == key:
                mine.append(event)
        if not mine:
            raise EfficiencyRulesError(f"no events of {key!r} in the events given")
        return key, mine

    def parse(self, item: Event | Mapping[str, Any] | str) -> Event:
        """An event of a type this engine knows (core or declared by its rulesets)."""
        if isinstance(item, Event):
            if item.type not in self.registry:
                self.registry[item.type]  # raises UnknownEventTypeError with suggestions
            return checked_text(item)  # made in Python, it may hold what no reader lets in
        return self.registry.parse(item, default_tz=self.default_tz)  # type: ignore[arg-type]  # the registry validates any Mapping as it does a dict

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


def _clock_message_fields(spec: Any, limit: Any) -> tuple[str, ...]:
    """The event fields the messages of a time limit's verdicts name (warnings, overdue, pauses, extensions…)."""
    names = [w.verdict for w in limit.warnings] + [o.verdict for o in limit.overdue]
    names += [part.verdict for part in (limit.pauses, limit.extensions, limit.deemed_acceptance) if part is not None]
    return tuple(sorted({f for name in names if name in spec.verdicts for f in message_fields(spec.verdicts[name])}))


def _language(language: str) -> Literal["zh", "en"]:
    if language not in ("zh", "en"):
        raise UsageError(f"language must be 'zh' or 'en', got {language!r}")
    return "zh" if language == "zh" else "en"


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


def _event_predicate(condition: Any) -> Callable[[Event], bool]:
    """A counter's condition as a predicate on events (the native matcher's compiled form)."""
    from ._match.native import compile_parts, normalize_condition

    parts = compile_parts(normalize_condition(condition, "counter"))

    def holds(event: Event) -> bool:
        fact = {"type": event.type, **{field_key(k): _scalar(v) for k, v in event.__dict__.items()}}
        return all(part(fact) for part in parts)

    return holds
