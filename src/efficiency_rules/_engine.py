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

import datetime as dt
import heapq
import json
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._calendar import Calendar
from ._conditions import count_key, field_key
from ._dedupe import Deduplicator, content_digest, duplicate_conflict
from ._errors import EfficiencyRulesError, EventError, RulesetError, RulesetIssue, SourceLocation
from ._event_fields import thread_field
from ._events import Event
from ._match import MatchRule, Matcher
from ._registry import EventRegistry
from ._ruleset import CompiledRule, Ruleset, load_rulesets
from ._verdicts import Citation, Explanation, Fact, Report, RulesetRef, Subject, Verdict, iso, verdict_id

__all__ = ["Engine", "Session"]

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


@dataclass
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


@dataclass
class _Thread:
    key: str
    versions: tuple[int, ...]
    counts: dict[str, int] = field(default_factory=dict)
    pending: list[_Pending] = field(default_factory=list)
    last_at: dt.datetime | None = None
    last_ts: float = -math.inf
    # event id -> the event (or, after a restore, its content digest): a repeat is ignored, a conflict refused
    seen: dict[str, Event | bytes] = field(default_factory=dict)
    emitted: set[str] = field(default_factory=set)  # verdict ids given on this thread


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
        self._thread_fields: dict[str, str] = {}  # event type -> the field naming its thread ("" for none)
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
        return _Version(
            ruleset=ruleset,
            calendar=calendar,
            matcher=matcher,
            rules={rule.id: rule for rule in ruleset.rules},
            by_trigger=by_trigger,
            fact_fields={t: tuple((field_key(name), name) for name in sorted(f)) for t, f in fields.items()},
            count_keys=tuple((count_key(t), t) for t in sorted(ruleset.counted_types)),
            settling=frozenset().union(*(r.satisfied_by | r.excused_by for r in ruleset.rules)),
        )

    @property
    def rulesets(self) -> list[Ruleset]:
        """The ruleset versions this engine judges with."""
        return [version.ruleset for version in self._versions]

    def session(self) -> Session:
        """A new incremental evaluation (add events, advance time, snapshot and restore)."""
        return Session(self)

    def evaluate(self, events: Iterable[Event | Mapping[str, Any] | str], *, as_of: dt.datetime) -> Report:
        """Judge ``events`` as of ``as_of``: a pure function of its inputs.

        Events may come in any order (they are sorted by ``at``, then ``id``); the same id twice
        with the same content counts once, with different content it is an error. Events dated
        after ``as_of`` are not judged (the report counts them).
        """
        _require_aware(as_of, "as_of")
        dedupe = Deduplicator()
        parsed: list[Event] = []
        for item in events:
            event = self.parse(item)
            if dedupe.check(event):
                parsed.append(event)
        parsed.sort(key=lambda e: (e.at, e.id))
        session = Session(self)
        ignored = 0
        for event in parsed:
            if event.at > as_of:
                ignored += 1
                continue
            session.add(event)
        session.advance(as_of)
        return session.report(as_of, ignored_after_as_of=ignored)

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
        number of events. Events must come in order of ``at``; up to ``tolerance`` of disorder is
        put right in a small buffer, and an event older than that is an :class:`EventError` naming
        it — never silently reordered or dropped. Events after ``as_of`` are skipped and counted in
        ``stats["ignored_after_as_of"]``; ``stats["events"]`` counts the events judged.
        """
        _require_aware(as_of, "as_of")
        session = Session(self, keep_verdicts=False)
        counts = stats if stats is not None else {}
        counts.setdefault("events", 0)
        counts.setdefault("ignored_after_as_of", 0)
        buffer: list[tuple[dt.datetime, str, int, Event]] = []
        newest: dt.datetime | None = None
        released: dt.datetime | None = None
        sequence = 0
        as_of_ts = as_of.timestamp()
        for item in events:
            event = self.parse(item)
            ts = event.at.timestamp()
            if ts > as_of_ts:
                counts["ignored_after_as_of"] += 1
                continue
            if released is not None and event.at < released:
                raise EventError(
                    f"dated {event.at.isoformat()}, earlier than events already judged (up to {released.isoformat()}) "
                    f"by more than the tolerance of {tolerance}: sort the log, or allow more tolerance",
                    event_id=event.id,
                    field="at",
                    value=event.at.isoformat(),
                )
            if not tolerance:
                released = event.at
                counts["events"] += 1
                produced = session._add(event, ts)
                if produced:
                    yield from produced
                continue
            sequence += 1
            heapq.heappush(buffer, (event.at, event.id, sequence, event))
            newest = event.at if newest is None or event.at > newest else newest
            while buffer and buffer[0][0] <= newest - tolerance:
                at, _, _, ready = heapq.heappop(buffer)
                released = at
                counts["events"] += 1
                yield from session.add(ready)
        while buffer:
            at, _, _, ready = heapq.heappop(buffer)
            counts["events"] += 1
            yield from session.add(ready)
        yield from session.advance(as_of)

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
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


class Session:
    """Incremental evaluation: :meth:`add` events in time order, :meth:`advance` time, persist with :meth:`snapshot`."""

    def __init__(self, engine: Engine, *, keep_verdicts: bool = True) -> None:
        self.engine = engine
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

    # -- input ----------------------------------------------------------------------------------

    def add(self, item: Event | Mapping[str, Any] | str) -> list[Verdict]:
        """Judge one more event; returns the verdicts it (and the time passing up to it) produced.

        Events must arrive in time order: one dated before the session's current time is an error
        naming it. An event already added to its thread (same id and content) is ignored; the same
        id with other content is a :class:`DuplicateEventError`.
        """
        event = self.engine.parse(item)
        return self._add(event, event.at.timestamp())

    def _add(self, event: Event, ts: float) -> list[Verdict]:
        at = event.at
        if ts < self._now_ts:
            raise EventError(
                f"dated {at.isoformat()}, before the session's time {self._now.isoformat()}: "  # type: ignore[union-attr]
                "a session takes events in time order (Engine.evaluate sorts them)",
                event_id=event.id,
                field="at",
                value=at.isoformat(),
            )
        # Time passes first: deadlines before this event fall due.
        produced = self._pass_time(at, ts) if self._next_due() < ts else []
        if ts > self._now_ts:
            self._now, self._now_ts = at, ts
        key = self._thread_key(event)
        thread = self._threads.get(key)
        if thread is None:
            thread = _Thread(key, self._versions_for(event))
            self._threads[key] = thread
            heapq.heappush(self._retire, (ts + self._retention_s, key))
        elif event.id in thread.seen:
            earlier = thread.seen[event.id]
            same = earlier == content_digest(event) if isinstance(earlier, bytes) else earlier == event
            if same:
                return produced  # the same event again: idempotent
            raise duplicate_conflict(
                event, first=None if isinstance(earlier, bytes) else earlier, first_where="earlier in this session", where=None
            )
        self._events += 1
        thread.seen[event.id] = event
        counts = thread.counts
        counts[event.type] = counts.get(event.type, 0) + 1
        thread.last_at = at
        thread.last_ts = ts
        for index in thread.versions:
            self._judge(thread, index, event, produced)
        return produced

    def _next_due(self) -> float:
        """The earliest time at which something falls due (a deadline, or a thread to close)."""
        due = self._deadlines[0][0] if self._deadlines else math.inf
        return min(due, self._retire[0][0]) if self._retire else due

    def advance(self, to: dt.datetime) -> list[Verdict]:
        """Let time pass to ``to``: expectations whose deadline is before ``to`` become verdicts.

        A deadline equal to ``to`` has not passed: what is expected may still come at that instant.
        """
        _require_aware(to, "to")
        now = to.timestamp()
        produced = self._pass_time(to, now)
        if now > self._now_ts:
            self._now, self._now_ts = to, now
        return produced

    def _pass_time(self, to: dt.datetime, now: float) -> list[Verdict]:
        produced: list[Verdict] = []
        while self._deadlines and self._deadlines[0][0] < now:
            pending = heapq.heappop(self._deadlines)[2]
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
            del self._threads[key]
        return produced

    # -- judging --------------------------------------------------------------------------------

    def _schedule(self, pending: _Pending) -> None:
        self._sequence += 1
        heapq.heappush(self._deadlines, (pending.deadline.timestamp(), self._sequence, pending))

    def _thread_key(self, event: Event) -> str:
        name = self.engine._thread_fields.get(event.type)
        if name is None:
            name = self.engine._thread_fields[event.type] = thread_field(type(event)) or ""
        value = getattr(event, name, None) if name else None
        if value is None:
            return f"event:{event.id}"
        return f"{name.removesuffix('_id')}:{value}"

    def _versions_for(self, event: Event) -> tuple[int, ...]:
        chosen = []
        for indexes in self.engine._by_id.values():
            for index in indexes:
                version = self.engine._versions[index]
                if version.ruleset.in_force(version.calendar.local(event.at).date()):
                    chosen.append(index)
                    break
        return tuple(chosen)

    def _fact(self, version: _Version, thread: _Thread, event: Event) -> dict[str, Any]:
        fact: dict[str, Any] = {"type": event.type}
        values = event.__dict__
        for key, name in version.fact_fields.get(event.type, ()):
            value = values.get(name)
            fact[key] = value if value is None or type(value) in _SCALARS else _scalar(value)
        counts = thread.counts
        for key, counted in version.count_keys:
            fact[key] = counts.get(counted, 0)
        return fact

    def _judge(self, thread: _Thread, index: int, event: Event, produced: list[Verdict]) -> None:
        version = self.engine._versions[index]
        if thread.pending and event.type in version.settling:
            # An event an expectation waits for (or that excuses it) settles it first.
            for pending in thread.pending:
                if pending.version == index and not pending.done:
                    rule = version.rules[pending.rule]
                    if event.type in rule.satisfied_by or event.type in rule.excused_by:
                        pending.done = True
            thread.pending = [p for p in thread.pending if not p.done]
        rules = version.by_trigger.get(event.type)
        if not rules:
            return
        fact = self._fact(version, thread, event)
        matched = version.matcher.match(thread.key, (fact,))[0]
        if not matched:
            return
        for rule in rules:
            if rule.id not in matched:
                continue
            if rule.expect is not None:
                deadline = version.calendar.deadline(event.at, rule.expect.within)
                pending = _Pending(deadline, thread.key, rule.id, index, event.id, event.at, event.actor, event.unit)
                thread.pending.append(pending)
                self._schedule(pending)
            else:
                produced.extend(self._emit(version, rule, thread.key, event.id, event.at, event.actor, event.unit, fact, None))

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
                subjects.append(Subject(role="staff", id=actor))
            elif role == "unit" and unit:
                subjects.append(Subject(role="unit", id=unit))
        local_at = version.calendar.local(at)
        facts = [Fact(zh="规则", en="rule", value=f"{rule.id} ({rule.title.zh})")]
        values: dict[str, str] = {
            "rule": rule.id, "thread": thread, "event_id": trigger, "actor": actor or "", "unit": unit or "",
            "at": iso(local_at), "event_type": rule.trigger, "deadline": "", "within": "", "count": "",
        }
        if pending is not None and rule.expect is not None:
            start = version.calendar.local(pending.start_at)
            expected = " / ".join(sorted(rule.satisfied_by))
            values.update(deadline=iso(local_at), within=str(rule.expect.within))
            facts += [
                Fact(zh="起算事件", en="started by", value=f"{rule.trigger} {trigger} at {iso(start)}"),
                Fact(zh="期限", en="limit", value=f"{rule.expect.within} ({version.calendar.name} calendar, {version.calendar.business_hours})"),
            ]
            off = version.calendar.days_off_between(start.date(), local_at.date())
            makeup = version.calendar.makeup_workdays_between(start.date(), local_at.date())
            if off:
                facts.append(Fact(zh="期间节假日", en="days off crossed", value=", ".join(d.isoformat() for d, _ in off)))
            if makeup:
                facts.append(Fact(zh="期间调休上班日", en="make-up workdays crossed", value=", ".join(d.isoformat() for d, _ in makeup)))
            facts += [
                Fact(zh="截止时间", en="deadline", value=iso(local_at)),
                Fact(zh="未发生", en="did not happen by the deadline", value=expected),
            ]
        elif fact is not None:
            facts.append(Fact(zh="触发事件", en="event", value=f"{rule.trigger} {trigger} at {iso(local_at)}"))
            for key in sorted(_keys_in(rule.condition)):
                facts.append(Fact(zh="条件事实", en="fact", value=f"{key} = {json.dumps(fact.get(key), ensure_ascii=False)}"))
                if key == count_key(rule.trigger):
                    values["count"] = str(fact[key])
        message = template.message
        zh = message if isinstance(message, str) else message.zh
        en = None if isinstance(message, str) else message.en
        verdict = Verdict(
            id=vid,
            ruleset=ruleset.id,
            ruleset_version=ruleset.version,
            rule=rule.id,
            kind=template.kind,
            thread=thread,
            at=local_at,
            subjects=subjects,
            points=None if template.points is None else float(template.points),
            card=template.card,
            sanction=template.sanction,
            cites=[Citation(**ruleset.reference(c)) for c in template.cites],  # type: ignore[arg-type]
            trigger=trigger,
            explanation=Explanation(
                message_zh=_render(zh, values), message_en=None if en is None else _render(en, values), facts=facts
            ),
        )
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

    def report(self, as_of: dt.datetime, *, ignored_after_as_of: int = 0) -> Report:
        """The report of this session as of ``as_of`` (after advancing to it)."""
        self.advance(as_of)
        return Report(
            as_of=as_of,
            rulesets=[RulesetRef(id=v.ruleset.id, version=v.ruleset.version, path=v.ruleset.path) for v in self.engine._versions],
            verdicts=self.verdicts(),
            events=self._events,
            ignored_after_as_of=ignored_after_as_of,
            open_threads=sum(1 for t in self._threads.values() if t.pending),
        )

    def snapshot(self) -> bytes:
        """The session's state as JSON bytes, to store in the portal's own database."""
        state = {
            "format": 1,
            "rulesets": [[v.ruleset.id, v.ruleset.version] for v in self.engine._versions],
            "now": self._now.isoformat() if self._now else None,
            "events": self._events,
            "threads": [
                {
                    "key": t.key,
                    "versions": list(t.versions),
                    "counts": t.counts,
                    "last_at": t.last_at.isoformat() if t.last_at else None,
                    "seen": {
                        event_id: (seen if isinstance(seen, bytes) else content_digest(seen)).hex()
                        for event_id, seen in t.seen.items()
                    },
                    "emitted": sorted(t.emitted),
                    "pending": [
                        [p.deadline.isoformat(), p.rule, p.version, p.start_id, p.start_at.isoformat(), p.actor, p.unit]
                        for p in t.pending
                        if not p.done
                    ],
                }
                for t in self._threads.values()
            ],
            "verdicts": [v.model_dump(mode="json") for v in self._verdicts.values()],
        }
        return json.dumps(state, ensure_ascii=False, sort_keys=True).encode()

    @classmethod
    def restore(cls, engine: Engine, data: bytes | str) -> Session:
        """A session continuing from :meth:`snapshot` output, on an engine with the same ruleset versions."""
        state = json.loads(data)
        expected = [[v.ruleset.id, v.ruleset.version] for v in engine._versions]
        if state.get("format") != 1 or state.get("rulesets") != expected:
            raise EfficiencyRulesError(
                f"snapshot was taken with rulesets {state.get('rulesets')}, this engine has {expected}: restore it on the same versions"
            )
        session = cls(engine)
        session._now = dt.datetime.fromisoformat(state["now"]) if state["now"] else None
        session._now_ts = session._now.timestamp() if session._now else -math.inf
        session._events = state["events"]
        for item in state["threads"]:
            thread = _Thread(item["key"], tuple(item["versions"]), dict(item["counts"]))
            thread.last_at = dt.datetime.fromisoformat(item["last_at"]) if item["last_at"] else None
            thread.last_ts = thread.last_at.timestamp() if thread.last_at else -math.inf
            thread.seen = {event_id: bytes.fromhex(digest) for event_id, digest in item["seen"].items()}  # type: ignore[misc]
            thread.emitted = set(item["emitted"])
            if thread.last_at is not None:
                heapq.heappush(session._retire, ((thread.last_at + engine.retention).timestamp(), thread.key))
            for deadline, rule, version, start_id, start_at, actor, unit in item["pending"]:
                pending = _Pending(dt.datetime.fromisoformat(deadline), thread.key, rule, version, start_id,
                                   dt.datetime.fromisoformat(start_at), actor, unit)
                thread.pending.append(pending)
                session._schedule(pending)
            session._threads[thread.key] = thread
        for raw in state["verdicts"]:
            verdict = Verdict.model_validate(raw)
            session._verdicts[verdict.id] = verdict
        return session


def _render(template: str, values: Mapping[str, str]) -> str:
    """Fill ``{name}`` placeholders (names checked when the ruleset loaded); nothing else is interpreted."""
    out = []
    i = 0
    while i < len(template):
        start = template.find("{", i)
        if start < 0:
            out.append(template[i:])
            break
        end = template.find("}", start)
        if end < 0:
            out.append(template[i:])
            break
        out.append(template[i:start])
        out.append(values.get(template[start + 1 : end], template[start : end + 1]))
        i = end + 1
    return "".join(out)

