"""The session: events in order, time passing, rules and clocks judged, verdicts given, a report.

The pipeline, as :class:`Session` runs it for each event (``Engine.evaluate`` and
``Engine.evaluate_stream`` run the same):

1. **Order** (``_offer``, ``_release``): events are judged in order of ``at``, then ``id``; with a
   tolerance, events are held and put in order; an event too late for that order is refused.
2. **Time passes** (``_pass_time``): expectations whose deadline has passed become verdicts, case
   clocks due for a look are looked at, idle threads are closed.
3. **Threads** (``_add``, ``_threads.py``): the event joins its thread (case, inquiry…), which
   remembers what rules read of it: counts, first lists, latest fields, the events clocks read.
4. **Rules** (``_judge``, ``_settle``): each ruleset version's rules triggered by the event are
   matched by the backend (``_match``); an ``expect`` rule starts an expectation.
5. **Clocks** (``_clocks``, ``_clocks.py``): the case's time limits, traced once per change of the
   case and looked at when a verdict is due.
6. **Verdicts** (``_emit``, ``_emit_clock``, ``_verdicts.py``): one per rule and trigger, its
   explanation written when read.
7. **Report** (``report``, ``_report``): case clocks, and accountability (``_accountability.py``)
   worked out from the verdicts as of a moment.
"""

from __future__ import annotations

import copy
import datetime as dt
import heapq
import json
import math
import sys
from array import array
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any, cast

from . import _text as text
from ._accountability import Counted, RevocationNote, account, apply_accountability
from ._aggregates import ClockFigure
from ._clocks import (
    Candidate,
    ClockPolicy,
    ClockRun,
    ClockTrace,
    case_matter,
    charged_to,
    first_text,
    repeat_values,
    run_clock,
    trace_clock,
)
from ._conditions import count_key
from ._dedupe import content_digest, duplicate_conflict, fingerprint, fingerprint_digest
from ._engine import (
    _SCALARS,
    Engine,
    _keys_in,
    _Plan,
    _require_aware,
    _scalar,
    _Version,
)
from ._errors import (
    DateNotCoveredError,
    DuplicateEventError,
    EfficiencyRulesError,
    EventError,
    UsageError,
)
from ._events import Event, VerdictRevoked
from ._ruleset import CompiledRule
from ._snapshot import CONTENT_TEXT as _CONTENT_TEXT
from ._snapshot import dump as _dump_snapshot
from ._snapshot import load as _load_snapshot
from ._text import Language, Phrase, Value, field_value, fixed, thread_phrase
from ._threads import _Pending, _Thread, _Wake
from ._verdicts import (
    Aggregate,
    CaseState,
    Explanation,
    Report,
    Revocation,
    RulesetRef,
    Score,
    Verdict,
    engine_case_state,
    explanation_of,
    iso,
    make_case_state,
    make_verdict,
    verdict_id,
)

__all__ = ["Session"]

_NO_EARLIER: tuple[int, dict[tuple[int, str], list[ClockTrace | None]], dict[tuple[int, str], float]] = (0, {}, {})


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
            raise UsageError(f"tolerance must be a timedelta of zero or more, got {tolerance!r}")
        self.engine = engine
        self.tolerance = tolerance
        self._tolerance_s = tolerance.total_seconds()
        self._threads: dict[str, _Thread] = {}
        # Heaps keyed by POSIX timestamps: comparing aware datetimes of mixed tzinfo is slow.
        self._deadlines: list[tuple[float, int, _Pending | _Wake]] = []  # (deadline, sequence, pending or wake)
        self._sequence = 0
        self._retire: list[tuple[float, str]] = []  # (when a thread may close, its key)
        self._keep = keep_verdicts
        self._verdicts: dict[str, Verdict] = {}
        self._now: dt.datetime | None = None
        self._now_ts = -math.inf
        self._retention_s = engine.retention.total_seconds()
        self._events = 0
        # the versions in force by local day, where all calendars share one timezone (see _versions_for)
        self._chosen: dict[int, tuple[int, ...]] | None = (
            {} if engine._versions and len({version.calendar.timezone for version in engine._versions}) == 1 else None)
        self._ledger: list[Event] = []  # events accountability reads (kept only when verdicts are kept, or counted)
        # A stream keeps what accountability reads of its verdicts (see Engine.evaluate_stream), not the verdicts:
        self._counted: list[Counted] | None = None
        self._given = array("Q")  # the first 64 bits of the id of every verdict the stream gave, for revocations
        self._ids: dict[str, str] = {}  # event id -> its thread, for the events of the threads held
        self._closed_cases: list[CaseState] = []  # the clocks of the threads closed, for the report
        self._closed_figures: list[ClockFigure] = []  # what aggregates read of the stopped clocks of threads closed
        # A batch (Engine.evaluate) need not look at a case's clocks the moment a verdict falls due:
        # nothing sees the order verdicts come in, only the set. A case whose clocks' meaning cannot
        # change with time alone is looked at again at its next clock event (before the event, as a
        # wake would) or at the end, and gives all the verdicts due meanwhile at once.
        self._defer = False
        self._deferred: dict[str, None] = {}
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
        """Take an event: ignore an exact repeat, refuse a conflict or one too late, hold it or judge it.

        A date beyond the calendar's data met while judging it is an error that names the event.
        """
        try:
            return self._take(event, ts)
        except DateNotCoveredError as error:
            error.for_event(event.id)
            raise

    def _take(self, event: Event, ts: float) -> list[Verdict]:
        event_id = event.id
        owner = self._ids.get(event_id)
        if owner is not None:
            thread = self._threads.get(owner)
            earlier = None if thread is None else thread.seen.get(event_id)
            if earlier is not None:
                if _same(earlier, event, ts):
                    return []
                if self.engine._thread_key(event) != owner:
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
        self._newest = max(self._newest, ts)
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
        key = self.engine._thread_key(event)
        thread = self._threads.get(key)
        if thread is None:
            thread = _Thread(key, self._versions_for(at, ts))
            self._threads[key] = thread
            heapq.heappush(retire, (ts + self._retention_s, key))
        # (a repeat of an event the session holds never gets here: _offer ignored or refused it)
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
        if (self._keep or self._counted is not None) and event.type in engine._ledger_types:
            self._ledger.append(event)
        if engine._clock_types and event.type in engine._clock_types:
            if self._deferred and key in self._deferred:
                del self._deferred[key]
                self._clocks(thread, at, ts, produced)  # what fell due before this event, as a wake would have given it
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
        self._judged = max(self._judged, (now, ""))  # an event dated before `to` comes too late now
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
            if self._keep and thread.log:  # stopped clocks: the same at any later time
                self._closed_cases.extend(self._case_states(thread, to, self._closed_figures))
            elif self.engine._aggregate_clocks and thread.log:
                self._closed_figures.extend(self._clock_figures(thread, to))
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
        """The version of each ruleset in force on the local day of ``at``.

        Where every version's calendar has the same timezone (nearly always), the answer is the
        same for every thread started on one local day: it is remembered by the day.
        """
        versions = self.engine._versions
        by_day = self._chosen
        if by_day is not None:
            day = versions[0].local_day(at, ts)
            known = by_day.get(day)
            if known is not None:
                return known
        chosen = []
        for indexes in self.engine._by_id.values():
            for index in indexes:
                version = versions[index]
                first, last = version.span
                if first <= version.local_day(at, ts) <= last:
                    chosen.append(index)
                    break
        answer = tuple(chosen)
        if by_day is not None:
            by_day[day] = answer
        return answer

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
                actor, unit = charged_to(event, rule.expect.charge)
                pending = _Pending(deadline, thread.key, rule.id, index, event.id, event.at, actor, unit)
                if rule.message_fields:
                    pending.fields = _event_fields(event, rule.message_fields)
                thread.pending.append(pending)
                self._schedule(pending, deadline_ts)
            else:
                produced.extend(self._emit(version, rule, thread.key, event.id, event.at, event.actor, event.unit, fact, None,
                                           _event_fields(event, rule.message_fields) if rule.message_fields else None))

    def _trace(self, thread: _Thread, mark: tuple[int, str], version: _Version, policy: ClockPolicy,
               now_ts: float) -> ClockTrace | None:
        """The trace of a clock over the thread's log as seen at ``now_ts``, worked out once per log and meaning.

        When the log has grown since, the earlier traces stand if the clock reads none of the new
        events (see :func:`_unread`); the earlier trace is extended by them where nothing they could
        do moves the clock's start; otherwise the log is traced again.
        """
        log = thread.log
        if thread.traced != len(log):
            thread.earlier = (thread.traced, thread.traces, thread.due)
            thread.traces = {}
            thread.due = {}
            thread.traced = len(log)
        earlier_length, earlier, earlier_due = thread.earlier
        known = thread.traces.get(mark)
        if (known is None and (previous := earlier.get(mark)) is not None and log[-1].type not in policy.relevant
                and _unread(policy, previous, log, earlier_length)):
            known = thread.traces[mark] = previous
            if (due := earlier_due.get(mark)) is not None:
                thread.due[mark] = due
        if known is not None:
            for trace in known:
                if trace is None or trace.valid_from < now_ts <= trace.valid_to:
                    return trace
        trace = None
        for candidate in earlier.get(mark) or ():
            if candidate is not None and candidate.settled:
                for event in log[earlier_length:]:
                    candidate = candidate.extended(event)
                    if candidate is None:
                        break
                trace = candidate
                break
        if trace is None:
            trace = trace_clock(policy, version.calendar, log, now_ts, _any_trace(earlier.get(mark)) or _any_trace(known))
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
            engine, log = self.engine, thread.log
            # the same for every case of the same matter under the same versions: worked out once (a thread
            # never changes the list in place)
            key = (thread.versions, tuple(first_text(log, name) for name in engine._matter_fields))
            clocks = engine._clock_lists.get(key)
            if clocks is None:
                versions = engine._versions
                clocks = [
                    (versions[i], i, policy, (i, policy.id)) for i in thread.versions for policy in versions[i].clocks
                    # a matter known from the case's first events rules some out at once (it is the first that counts)
                    if (matter := case_matter(policy, log)) is None or policy.applies_to(matter)
                ]
                if len(engine._clock_lists) >= _CLOCK_LISTS:
                    engine._clock_lists.clear()  # matters are the events' own text: keep a bounded number
                engine._clock_lists[key] = clocks
            thread.clocks = clocks
        return list(thread.clocks)

    def _clocks(self, thread: _Thread, now: dt.datetime, now_ts: float, produced: list[Verdict]) -> None:
        """Look at the thread's clocks as of ``now``: give the verdicts due, and look again when the next one may be."""
        wake = math.inf
        still_open = False
        marks = thread.clock_marks
        bounded = False  # some clock means something else from a moment on (deemed acceptance)
        for version, index, policy, mark in self._clock_list(thread):
            trace = self._trace(thread, mark, version, policy, now_ts)
            if trace is None:
                continue
            if trace.valid_to != math.inf:
                bounded = True
            if trace.stop is None and trace.stopped_at is None:
                still_open = True
            next_due = thread.due.get(mark)
            if next_due is not None and now_ts <= next_due:
                # looked at since the log last changed, and nothing is due before its next moment
                wake = min(wake, next_due)
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
        thread.earlier = _NO_EARLIER  # every trace of the shorter log has been extended or traced again
        # ``wake`` is the next moment anything can change without an event: a wake scheduled for
        # another moment is not wanted any more (``_pass_time`` passes over it)
        if self._defer and not bounded:
            if wake != math.inf:
                self._deferred[thread.key] = None
            thread.wake = math.inf
            return
        if wake != thread.wake:
            thread.wake = wake
            if wake != math.inf:
                self._sequence += 1
                heapq.heappush(self._deadlines, (wake, self._sequence, _Wake(thread.key)))

    def _case_states(self, thread: _Thread, as_of: dt.datetime, figures: list[ClockFigure] | None = None) -> list[CaseState]:
        """The thread's case clocks as a report states them; with ``figures``, what aggregates read of them is
        added to it from the same runs (see :meth:`_clock_figures`)."""
        states = []
        wanted = self.engine._aggregate_clocks if figures is not None else frozenset()
        as_of_ts = as_of.timestamp()
        for version, _, policy, mark in self._clock_list(thread):
            trace = self._trace(thread, mark, version, policy, as_of_ts)
            if trace is None:
                continue
            ruleset = version.ruleset
            values = {"thread": thread.key, "ruleset": ruleset.id, "ruleset_version": ruleset.version}
            trace.state_at(as_of, values)
            states.append(engine_case_state(values))
            if wanted and (ruleset.id, policy.id) in wanted:
                figure = _figure(thread, ruleset.id, trace.at(as_of, explain=False, offers=False))
                if figure is not None:
                    figures.append(figure)  # type: ignore[union-attr]  # wanted is empty without figures
        return states

    def _clock_figures(self, thread: _Thread, as_of: dt.datetime) -> list[ClockFigure]:
        """What aggregates read of the thread's clocks that stopped completed (of the time limits they read)."""
        wanted = self.engine._aggregate_clocks
        figures = []
        as_of_ts = as_of.timestamp()
        for version, _, policy, mark in self._clock_list(thread):
            if (version.ruleset.id, policy.id) not in wanted:
                continue
            trace = self._trace(thread, mark, version, policy, as_of_ts)
            if trace is not None:
                figure = _figure(thread, version.ruleset.id, trace.at(as_of, explain=False, offers=False))
                if figure is not None:
                    figures.append(figure)
        return figures

    def _figures(self, as_of: dt.datetime) -> list[ClockFigure]:
        """The figures of every stopped clock aggregates read: of the threads closed, and of those held."""
        if not self.engine._aggregate_clocks:
            return []
        figures = list(self._closed_figures)
        for thread in self._threads.values():
            if thread.log:
                figures.extend(self._clock_figures(thread, as_of))
        return figures

    def _emit_clock(
        self, index: int, version: _Version, policy: ClockPolicy, current: ClockTrace, candidate: Candidate, thread: _Thread,
        now: dt.datetime, now_ts: float,
    ) -> list[Verdict]:
        ruleset = version.ruleset
        rule_id = sys.intern(f"{policy.id}.{candidate.verdict}")  # one string for all verdicts of the rule
        vid = verdict_id(ruleset.id, ruleset.version, rule_id, thread.key, f"{candidate.trigger}#{candidate.key}")
        if vid in self._verdicts or vid in thread.emitted:
            return []
        # explained as things stood when it became true, however late time is seen to pass it
        moment = candidate.at if candidate.ts != now_ts else dt.datetime.fromtimestamp(now_ts, version.calendar.timezone)
        # (its own candidates are not wanted: 'since' its moment spares offering every earlier one again)
        trace = self._trace(thread, (index, policy.id), version, policy, moment.timestamp())
        template = ruleset.spec.verdicts[candidate.verdict]
        local_at = version.calendar.local(candidate.at)
        why = _ClockWhy(current, trace, now, rule_id, thread.key, local_at, candidate, template)
        verdict = make_verdict(vid=vid, ruleset=ruleset, rule=rule_id, template=template, thread=thread.key, at=local_at,
                               subjects=_subjects(template.subjects, candidate.actor, candidate.unit),
                               cites=version.template_cites(candidate.verdict), trigger=candidate.trigger, explain=why)
        if self._keep:
            self._verdicts[vid] = verdict
        elif self._counted is not None:
            self._count(verdict)
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
        fields: Mapping[str, Value] | None = None,
    ) -> list[Verdict]:
        ruleset = version.ruleset
        vid = verdict_id(ruleset.id, ruleset.version, rule.id, thread, trigger)
        state = self._threads.get(thread)
        if vid in self._verdicts or (state is not None and vid in state.emitted):
            return []
        template = rule.verdict
        subjects = _subjects(template.subjects, actor, unit)
        calendar = version.calendar
        local_at = calendar.local(at)
        facts = [_fact("规则", "rule", f"{rule.id} ({rule.title.zh})")]
        values: dict[str, Value] = {
            **(fields or (pending.fields if pending is not None else {})),
            "rule": rule.id, "thread": thread_phrase(thread), "event_id": trigger, "actor": actor or "", "unit": unit or "",
            "at": local_at, "event_type": rule.trigger,
        }
        if pending is not None and rule.expect is not None:
            start = calendar.local(pending.start_at)
            values.update(deadline=local_at, within=rule.expect.within)
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
                    new_items = values["new_items"] = fact.get("list." + key, "")
                    facts.append(_fact("新增项目", "new items", new_items))
        verdict = make_verdict(vid=vid, ruleset=ruleset, rule=rule.id, template=template, thread=thread, at=local_at,
                               subjects=subjects, cites=version.citations[rule.id], trigger=trigger, values=values, facts=facts)
        if self._keep:
            self._verdicts[vid] = verdict
        elif self._counted is not None:
            self._count(verdict)
        if state is not None:
            state.emitted.add(vid)
        return [verdict]

    def _count(self, verdict: Verdict) -> None:
        """Keep what accountability reads of a verdict the stream hands out."""
        self._given.append(_id_bits(verdict.id))
        if self.engine._counted_by(verdict):
            self._counted.append(Counted.of(verdict))  # type: ignore[union-attr]  # called only while a stream counts

    def _account_stream(self, as_of: dt.datetime) -> tuple[list[Verdict], list[Score], list[Revocation], list[Aggregate]]:
        """What a stream's accountability gives as of ``as_of``: its verdicts, the scores, the revocations.

        A revocation is ``found`` when the stream gave the verdict it names: told by the first 64 bits
        of the verdict ids given (a chance of about one in 10**13 per million verdicts of a false match).
        The stream's last step: once the figures aggregates read are taken from its open threads, it
        lets them go, so that accountability's own memory does not come on top of theirs.
        """
        figures = self._figures(as_of)
        self._threads, self._deadlines, self._retire, self._ids, self._closed_figures = {}, [], [], {}, []
        wanted = {_id_bits(cast("VerdictRevoked", e).verdict_id) for e in self._ledger if e.type == "verdict.revoked"}
        hits = {bits for bits in self._given if bits in wanted} if wanted else set()
        _, given, scores, notes, aggregates = account(self.engine, self._counted or [], self._ledger, as_of,
                                                      known=lambda vid: _id_bits(vid) in hits, figures=figures)
        given.sort(key=lambda v: (v.at, v.id))
        return given, scores, [Revocation.model_validate(note) for note in notes], aggregates

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
            twin.earlier = (thread.earlier[0], {mark: list(traces) for mark, traces in thread.earlier[1].items()},
                            dict(thread.earlier[2]))
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
        fork._closed_figures = list(self._closed_figures)
        fork._deferred = dict(self._deferred)
        fork._held = list(self._held)
        fork._held_ids = dict(self._held_ids)
        return fork

    def _finish(self, as_of: dt.datetime) -> list[Verdict]:
        """Judge the held events up to ``as_of`` (at it included) and let time pass to it."""
        as_of_ts = as_of.timestamp()
        produced = self._release(as_of_ts, inclusive=True)
        produced += self._pass_time(as_of, as_of_ts)
        deferred, self._deferred = self._deferred, {}
        for key in deferred:
            thread = self._threads.get(key)
            if thread is not None:
                self._clocks(thread, as_of, as_of_ts, produced)
        if as_of_ts > self._now_ts:
            self._now, self._now_ts = as_of, as_of_ts
        self._judged = max(self._judged, (as_of_ts, ""))
        return produced

    def _report(self, as_of: dt.datetime, *, ignored_after_as_of: int = 0, last: bool = False) -> Report:
        """The report from the session as it stands (``_finish`` brought it to ``as_of``).

        ``last``: the session is not used again (a batch), so the state of its threads is let go
        once their clocks are read, before accountability needs memory of its own.
        """
        cases = list(self._closed_cases)
        figures = list(self._closed_figures)
        for thread in self._threads.values():
            if thread.log:
                cases.extend(self._case_states(thread, as_of, figures))
        cases.sort(key=lambda c: (c.thread, c.ruleset, c.time_limit, c.start is None, c.start or as_of))
        open_threads = sum(1 for t in self._threads.values() if t.pending)
        verdicts = self.verdicts()
        if last:
            self._threads, self._deadlines, self._ids, self._closed_cases, self._verdicts = {}, [], {}, [], {}
            self._closed_figures = []
        return assemble_report(self.engine, as_of, verdicts, self._ledger, figures, cases, events=self._events,
                               ignored_after_as_of=ignored_after_as_of, open_threads=open_threads)

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
                        + ([{name: [value.zh, value.en] for name, value in p.fields.items()}] if p.fields else [])
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
        if self._closed_figures:
            state["aggregate_figures"] = [figure.to_json() for figure in self._closed_figures]
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
            thread.seen = {event_id: _digest_bytes(text, as_content) for event_id, text in item["seen"].items()}
            thread.emitted = set(item["emitted"])
            thread.log = [engine.parse(raw) for raw in item.get("log", ())]
            thread.firsts = dict(item.get("firsts", {}))
            thread.lasts = dict(item.get("lasts", {}))
            if thread.last_at is not None:
                heapq.heappush(session._retire, ((thread.last_at + engine.retention).timestamp(), thread.key))
            for deadline, rule, version, start_id, start_at, actor, unit, *named in item["pending"]:
                pending = _Pending(dt.datetime.fromisoformat(deadline), thread.key, rule, version, start_id,
                                   dt.datetime.fromisoformat(start_at), actor, unit)
                if named:  # the start event's fields its message names, as rendered when it started
                    pending.fields = {name: Phrase(zh, en) for name, (zh, en) in named[0].items()}
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
        session._closed_cases = [make_case_state(case) for case in state.get("closed_cases", ())]
        session._closed_figures = list(state.get("aggregate_figures", ()))
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
                    # What was due before the session's time was given then, as its clocks' last look
                    # knew (a snapshot does not keep when each clock last looked): a verdict whose moment a
                    # later event moves before that time is not given late, as a session never stopped
                    # does not give it. The look that follows only schedules the next.
                    for version, _, policy, mark in session._clock_list(thread):
                        trace = session._trace(thread, mark, version, policy, session._now_ts)
                        if trace is not None:
                            thread.clock_marks[mark] = (trace.start_event, session._now_ts)
                    session._clocks(thread, session._now, session._now_ts, [])
        return session


_CLOCK_LISTS = 4096  # the most lists of clocks an engine keeps for matters and versions (Session._clock_list)


def _any_trace(traces: list[ClockTrace | None] | None) -> ClockTrace | None:
    """A trace among ``traces`` (of the clock over the log, or over fewer of its events), if any."""
    for trace in traces or ():
        if trace is not None:
            return trace
    return None


def _unread(policy: ClockPolicy, traces: list[ClockTrace | None], log: list[Event], start: int) -> bool:
    """Whether the clock's ``traces`` of ``log[:start]`` are its traces of the whole ``log``: the clock reads
    none of the later events' types, and what it reads of any event (the case's matter, the fields its
    messages name: each the first event's that has it) is known already or not in them."""
    relevant = policy.relevant
    for i in range(start, len(log)):
        if log[i].type in relevant:
            return False
    names = policy.message_fields
    for trace in traces:
        if trace is None or trace.matter is None:
            return False
        for name in names:
            if name not in trace.fields and any(field_value(getattr(event, name, None)) is not None for event in log[start:]):
                return False
    return True


def _figure(thread: _Thread, ruleset: str, run: ClockRun) -> ClockFigure | None:
    """What aggregates read of a clock that stopped completed (None for any other): the unit and member of staff
    of the event that started it, as its verdicts blame them."""
    if run.status not in ("completed_on_time", "completed_late") or run.stopped_at is None:
        return None
    start = next((event for event in thread.log if event.id == run.start_event), None)
    return ClockFigure(thread.key, ruleset, run.policy.id, run.matter, None if start is None else start.unit,
                       None if start is None else start.actor, run.stopped_at, run.status == "completed_on_time",
                       run.elapsed, run.seconds_per_day, run.working)


# A digest restored from a snapshot is of the event's fingerprint (``fingerprint_digest``, 8 bytes),
# or, for events seen before format 2, of its canonical JSON (``content_digest``): those are kept
# behind this mark (9 bytes) and written behind "content:".
_CONTENT = b"c"
_CONTENT_LENGTH = 9


def assemble_report(engine: Engine, as_of: dt.datetime, verdicts: list[Verdict], ledger: list[Event], figures: list[Any],
                    cases: list[CaseState], *, events: int, ignored_after_as_of: int, open_threads: int) -> Report:
    """The report of threads judged as of ``as_of`` (a session's, or a store's threads together):
    accountability over their verdicts and the events it reads (``ledger``, in time order), then the
    parts put together — each a validated model already, so not checked again."""
    scores: list[Score] = []
    revocations: list[RevocationNote] = []
    aggregates: list[Aggregate] = []
    if ledger or engine._ledgers:
        verdicts, scores, revocations, aggregates = apply_accountability(engine, verdicts, ledger, as_of, figures)
    return Report.model_construct(
        as_of=as_of,
        rulesets=[RulesetRef(id=v.ruleset.id, version=v.ruleset.version, path=v.ruleset.path) for v in engine._versions],
        verdicts=verdicts,
        events=events,
        ignored_after_as_of=ignored_after_as_of,
        open_threads=open_threads,
        cases=cases,
        scores=list(scores),
        revocations=[Revocation.model_validate(r) for r in revocations],
        aggregates=aggregates,
    )


def _same(earlier: tuple[Any, ...] | bytes, event: Event, ts: float) -> bool:
    """Whether ``event`` is the event a thread remembers as ``earlier`` (its fingerprint, or a restored digest)."""
    if isinstance(earlier, bytes):
        return earlier == _restored_digest(event, ts, content=len(earlier) == _CONTENT_LENGTH)
    # compared as text, as the reader's content digest and the snapshots' digests compare: 1 is not
    # 1.0 (nor -0.0 0.0), and NaN is NaN (tuples compare numbers by value, and NaN unequal to itself)
    return repr(earlier) == repr(fingerprint(event, ts))


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


def _explain_text(engine: Engine, session: Session, events: list[Event], key: str, as_of: dt.datetime, language: str,
                  runs: list[tuple[int, ClockRun]] | None = None) -> str:
    """What ``explain`` prints; ``runs``: those :func:`_explained_runs` gave for ``events`` in ``session``, if already run."""
    lang: Language = "zh" if language == "zh" else "en"
    zh = lang == "zh"
    if runs is None:
        runs = _explained_runs(engine, session, events, as_of)
    lines = [f"{text.thread(key, lang)}  " + (f"截至{text.instant(as_of, lang)}" if zh else f"as of {text.instant(as_of, lang)}")]
    if not runs:
        lines.append("  （无办理时限）" if zh else "  (no time limit applies)")
    for index, run in runs:
        version = engine._versions[index]
        calendar = version.calendar
        title = run.policy.title_zh if zh else run.policy.title_en
        lines.append("")
        lines.append(f"{version.ruleset.id} {version.ruleset.version} · {run.policy.id}" + (f"（{title}）" if zh else f" ({title})"))
        head = f"  {text.label('status', lang)}：{text.status(run.status, lang)}" if zh else f"  status: {text.status(run.status, lang)}"
        if run.matter:
            head += f"  事项：{run.matter}" if zh else f"  matter: {run.matter}"
        lines.append(head)
        for entry in run.timeline:
            when = "" if entry.at is None else text.instant(calendar.local(entry.at), lang)
            label = entry.zh if zh else entry.en
            shown = entry.value if entry.text is None else text.render(entry.text, lang)
            lines.append(f"  {when}{' ' * max(1, (20 if zh else 25) - _width(when))}{label}" + (("：" if zh else ": ") + shown if shown else ""))
        figures = [("elapsed", run.elapsed), ("remaining", None if run.stopped_at is not None else run.remaining),
                   ("paused", run.paused or None), ("overdue", run.overdue or None)]
        lines.append("  " + ("，" if zh else ", ").join(
            f"{text.label(name, lang)}{'' if zh else ' '}{text.span(run.span(seconds), lang)}" for name, seconds in figures if seconds is not None
        ))
    verdicts = [v for v in session.verdicts() if v.thread == key]
    lines.append("")
    lines.append(f"结论（{len(verdicts)}项）：" if zh else f"verdicts ({len(verdicts)}):")
    for verdict in verdicts:
        message = verdict.explanation.message_zh if zh or verdict.explanation.message_en is None else verdict.explanation.message_en
        points = "" if verdict.points is None else (f" {verdict.points:g}分" if zh else f" {verdict.points:g} points")
        card = "" if verdict.card is None else f" {text.card(verdict.card, lang)}"
        lines.append(f"  {text.instant(verdict.at, lang)}  {text.kind(verdict.kind, lang)}{card}{points}  {message}")
    return "\n".join(lines) + "\n"


def _width(value: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in value)


def _explained_runs(engine: Engine, session: Session, events: list[Event], as_of: dt.datetime) -> list[tuple[int, ClockRun]]:
    """Judge one case's ``events`` as of ``as_of`` in ``session``, and run each of its clocks with a timeline."""
    deduped = {event.id: event for event in events}
    ordered = sorted(deduped.values(), key=lambda e: (e.at, e.id))
    for event in ordered:
        if event.at <= as_of:
            session.add(event)
    session.advance(as_of)
    judged = [event for event in ordered if event.at <= as_of]
    log = [event for event in judged if event.type in engine._clock_types]
    runs: list[tuple[int, ClockRun]] = []
    if log:
        for index in session._versions_for(judged[0].at, judged[0].at.timestamp()):
            version = engine._versions[index]
            for policy in version.clocks:
                run = run_clock(policy, version.calendar, log, as_of)
                if run is not None:
                    runs.append((index, run))
    return runs


def _event_fields(event: Event, names: Sequence[str]) -> dict[str, Phrase]:
    """The fields ``names`` of ``event`` that it has, rendered for a message."""
    fields = {}
    values = event.__dict__
    for name in names:
        value = field_value(values.get(name))
        if value is not None:
            fields[name] = fixed(value)
    return fields


def _subjects(roles: Sequence[str], actor: str | None, unit: str | None) -> list[dict[str, str]]:
    """Whom a verdict is against: the acting staff member and the unit, as its template names them."""
    subjects = []
    for role in roles:
        if role == "actor" and actor:
            subjects.append({"role": "staff", "id": actor})
        elif role == "unit" and unit:
            subjects.append({"role": "unit", "id": unit})
    return subjects


def _fact(zh: str, en: str, value: str) -> dict[str, str]:
    return {"zh": zh, "en": en, "value": value}


def _id_bits(vid: str) -> int:
    """The first 64 bits of a verdict id's digest (``v-`` and 20 hex digits); 0 for another form."""
    try:
        return int(vid[2:18], 16) if vid.startswith("v-") else 0
    except ValueError:
        return 0


_NO_VALUES: Mapping[str, Any] = MappingProxyType({})  # most clock verdicts' own values: none (one mapping, not one each)


class _ClockWhy:
    """What a clock verdict's explanation is written from, when it is read: the case's trace as it
    stood when the verdict was given (a trace does not change) and the verdict's own candidate.
    One small object per verdict; the traces are shared with the case's other verdicts."""

    __slots__ = ("actor", "base", "current", "extra", "facts_given", "key", "local_at", "now", "rule_id", "template", "trace",
                 "trigger", "unit")

    def __init__(self, current: ClockTrace, trace: ClockTrace | None, now: dt.datetime, rule_id: str, key: str,
                 local_at: dt.datetime, candidate: Candidate, template: Any) -> None:
        # local_at is the moment the verdict became true (the candidate's, in the calendar's zone)
        self.current, self.trace, self.now, self.rule_id, self.key = current, trace, now, rule_id, key
        self.local_at, self.template = local_at, template
        # of the candidate, what the explanation reads (not the candidate: it is let go)
        self.trigger, self.actor, self.unit = candidate.trigger, candidate.actor, candidate.unit
        self.extra, self.base, self.facts_given = candidate.values or _NO_VALUES, candidate.base, candidate.facts

    def __call__(self) -> Explanation:
        return explanation_of(self.template, self.values(), self.facts())

    def facts(self) -> list[dict[str, str]]:
        current, calendar = self.current, self.current.calendar
        since = (current.start_event, self.local_at.timestamp())
        # (the facts are the timeline: the verdicts the clock offers are not wanted)
        run = (current.at(self.now, explain=False, since=since, offers=False) if self.trace is None
               else self.trace.at(self.local_at, since=since, offers=False))
        written = [_fact("规则", "rule", f"{self.rule_id} ({current.policy.title_zh})")]
        if run.matter:
            written.append(_fact("事项", "matter", run.matter))
        for entry in run.timeline:
            when = "" if entry.at is None else iso(calendar.local(entry.at))
            written.append(_fact(entry.zh, entry.en, " ".join(part for part in (when, entry.value) if part)))
        return written + [_fact(zh, en, value) for zh, en, value in self.facts_given]

    def values(self) -> dict[str, Value]:
        extra = self.extra
        more: Mapping[str, Value] = repeat_values(extra) if isinstance(extra, tuple) else extra
        return {
            **self.current.fields,
            "rule": self.rule_id, "thread": thread_phrase(self.key), "event_id": self.trigger, "actor": self.actor or "",
            "unit": self.unit or "", "at": self.local_at, **(self.base or {}), **more,
        }
