"""Case clocks (限时办结): a time limit's clock over the events of one case, as of a moment.

A clock is a pure function of the case's events and the moment asked about (``run_clock``), so
batch and incremental evaluation agree by construction: the engine re-runs a case's clock when one
of its events arrives and when time reaches the next moment something would change (a warning, a
deadline), and gives the verdicts that have become true. docs/time-limits.md states the semantics.

Time is measured in the clock's own *measure*: working seconds (business hours on working days,
``Calendar._position``) for working-day, working-hour and same-day limits, POSIX seconds for
natural days, months, hours and minutes. Excluded time (allowed pauses, supplement waits) is a
list of intervals in that measure; the deadline is where the measure, less the excluded time,
reaches the limit plus the valid extensions.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import sys
import typing
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from ._calendar import Calendar
from ._duration import Duration, TimeUnit
from ._errors import DateNotCoveredError
from ._events import Event
from ._ruleset_schema import ChargeSpec, TimeLimitSpec
from ._text import (
    Language,
    Limit,
    Phrase,
    Span,
    Value,
    calendar_description,
    dates,
    event_word,
    field_value,
    holidays,
    instant,
)
from ._text import approver as approver_text
from ._text import duration as duration_text
from ._text import limit as _limit_text
from ._text import reason as reason_text
from ._verdicts import ZERO as _ZERO
from ._verdicts import iso

__all__ = [
    "Candidate", "ClockPolicy", "ClockRun", "ClockTrace", "TimelineEntry", "case_matter", "charged_to", "compile_clock", "first_text",
    "run_clock", "trace_clock", "working_measure",
]

_WORKING_UNITS = frozenset((TimeUnit.WORKING_DAYS, TimeUnit.WORKING_HOURS, TimeUnit.SAME_DAY))
_SERVICE_UNITS = frozenset((TimeUnit.SAME_DAY, TimeUnit.IMMEDIATE))  # the limits a hall's service calendar counts
#: 'immediate' (即时办结, 当即) is the same visit: done within half an hour of the start, unless a time
#: limit states another tolerance (``immediate_within``). No policy gives a figure; half an hour is
#: the wait at a window a visit for a matter done on the spot includes (docs/time-limits.md).
IMMEDIATE_WITHIN = dt.timedelta(minutes=30)
_ROLLED_UNITS = frozenset((TimeUnit.NATURAL_DAYS, TimeUnit.MONTHS))  # periods whose last day moves off a day off

RECEIVED = "case.received"
ACCEPTED = "case.accepted"
REJECTED = "case.rejected"
WITHDRAWN = "case.withdrawn"
SUPPLEMENT_REQUESTED = "case.supplement_requested"
SUPPLEMENT_RECEIVED = "case.supplement_received"
MATERIALS_COMPLETE = "materials_complete"


def working_measure(unit: TimeUnit) -> bool:
    """Whether a limit in ``unit`` is measured in working time (else in elapsed time)."""
    return unit in _WORKING_UNITS


def amount_in_measure(duration: Duration, calendar: Calendar | None, working: bool) -> int | None:
    """``duration`` as seconds of a clock's measure, or ``None`` if it counts another kind of time.

    Without a calendar only the kind is checked (working days then count one second each).
    """
    unit, amount = duration.unit, duration.amount
    if working:
        if unit is TimeUnit.WORKING_DAYS:
            return int(amount * (calendar.business_hours.seconds_per_day if calendar is not None else 1))
        if unit is TimeUnit.WORKING_HOURS:
            return int(amount * 3600)
        return None
    factor = {TimeUnit.NATURAL_DAYS: 86400, TimeUnit.HOURS: 3600, TimeUnit.MINUTES: 60}.get(unit)
    return None if factor is None else int(amount * factor)


@dataclass(frozen=True)
class ClockPolicy:
    """A time limit of a ruleset, ready to run."""

    id: str
    title_zh: str
    title_en: str
    spec: TimeLimitSpec
    start_types: frozenset[str]
    materials_complete: bool
    stop_types: frozenset[str]
    relevant: frozenset[str]  # the event types the clock reads
    message_fields: tuple[str, ...] = ()  # the event fields its verdicts' messages name
    # the hall's own calendar for same-day and immediate limits, from its first day (None: always)
    service: tuple[dt.date | None, Calendar] | None = field(default=None, compare=False, repr=False)
    immediate: dt.timedelta = IMMEDIATE_WITHIN  # what 'immediate' allows: the same visit
    # (limit, local day ordinal, rolled) -> the deadline, for limits that depend only on the day they start
    deadlines: dict[tuple[Duration, int, bool], dt.datetime] = field(default_factory=dict, compare=False, repr=False)
    # (limit, local day ordinal, calendar) -> (origin, budget) of a clock of whole working days started that day
    budgets: dict[tuple[Duration, int, int], tuple[int, int]] = field(default_factory=dict, compare=False, repr=False)
    plans: dict[int, list[tuple[str, str, str, int, Any]]] = field(default_factory=dict, compare=False, repr=False)

    @functools.cached_property
    def answer_types(self) -> frozenset[str]:
        """The event types that answer an application within the notice period (deemed acceptance)."""
        return frozenset((SUPPLEMENT_REQUESTED, ACCEPTED, REJECTED, WITHDRAWN)) | self.stop_types

    def time_plan(self, calendar: Calendar, working: bool) -> list[tuple[str, str, str, int, Any]]:
        """The verdicts time gives in the clock's measure, worked out once: ``(kind, key, verdict, amount, extra)``.

        ``remaining``: a warning ``amount`` before the deadline; ``share``: a warning when the share
        ``extra`` has run; ``once``: overdue ``amount`` after the deadline (``extra``: that lateness
        in words); ``every``: overdue from ``amount`` after the deadline, again every ``extra``.
        """
        key = working if self.service is None or calendar is not self.service[1] else 2  # a hall's hours: its own plan
        plan = self.plans.get(key)
        if plan is None:
            plan = []
            spec, per_day = self.spec, calendar.business_hours.seconds_per_day if working else 86400
            for i, warning in enumerate(spec.warnings):
                if warning.remaining is not None:
                    plan.append(("remaining", f"warning.{i}", warning.verdict,
                                 amount_in_measure(warning.remaining, calendar, working) or 0, None))
                else:
                    plan.append(("share", f"warning.{i}", warning.verdict, 0, Decimal(warning.elapsed.rstrip("%")) / 100))  # type: ignore[union-attr]  # a warning has remaining or elapsed
            for i, entry in enumerate(spec.overdue):
                after = 0 if entry.after is None else (amount_in_measure(entry.after, calendar, working) or 0)
                every = None if entry.every is None else amount_in_measure(entry.every, calendar, working)
                if every:
                    plan.append(("every", f"overdue.{i}", entry.verdict, after, every))
                else:
                    # at the deadline itself the lateness is nothing yet: it reads "less than a minute"
                    lateness = Span(after, working, per_day, under=Span(60, working, per_day))
                    plan.append(("once", f"overdue.{i}", entry.verdict, after, lateness))
            self.plans[key] = plan
        return plan

    def deadline(self, calendar: Calendar, at: dt.datetime, limit: Duration, *, roll: bool = True) -> dt.datetime:
        """``calendar.deadline(at, limit, roll=roll)``, worked out once per starting day where only the day matters."""
        if not limit.day_only:
            if limit.unit is TimeUnit.IMMEDIATE:
                return calendar.local(at) + self.immediate
            return calendar.deadline(at, limit, roll=roll)
        key = (limit, calendar.local(at).toordinal(), roll)
        found = self.deadlines.get(key)
        if found is None:
            found = self.deadlines[key] = calendar.deadline(at, limit, roll=roll)
        return found

    def applies_to(self, matter: str | None) -> bool:
        """Whether cases of ``matter`` can have a limit here (on some day)."""
        if matter is not None and matter in self.spec.exclude_matters:
            return False
        return (matter is not None and matter in self.spec.matters) or self.spec.limit is not None or self.spec.limit_field is not None

    def limit_for(self, matter: str | None, day: dt.date | tuple[Calendar, dt.datetime]) -> Duration | None:
        """The limit of ``matter`` in force on ``day`` (the default limit where the catalogue has none).

        ``day`` may be given as (calendar, moment): the moment's local day, worked out only where
        the catalogue's entry for the matter has dates.
        """
        if matter is not None and matter in self.spec.exclude_matters:
            return None
        entry = self.spec.matters.get(matter) if matter is not None else None
        if entry is not None:
            if isinstance(entry, Duration):
                return entry
            if isinstance(day, tuple):
                day = day[0].local(day[1]).date()
            entries = entry if isinstance(entry, list) else [entry]
            for item in entries:
                if (item.from_ is None or item.from_ <= day) and (item.to is None or day <= item.to):
                    return item.limit
        return self.spec.limit


def compile_clock(
    name: str, spec: TimeLimitSpec, message_fields: tuple[str, ...] = (), service: tuple[dt.date | None, Calendar] | None = None,
) -> ClockPolicy:
    starts = [spec.start] if isinstance(spec.start, str) else list(spec.start)
    materials = MATERIALS_COMPLETE in starts
    start_types = frozenset(s for s in starts if s != MATERIALS_COMPLETE)
    relevant = set(start_types) | set(spec.stop) | {RECEIVED, ACCEPTED, REJECTED, WITHDRAWN}
    if materials or spec.supplement != "none" or spec.deemed_acceptance is not None:
        relevant |= {SUPPLEMENT_REQUESTED, SUPPLEMENT_RECEIVED}
    if spec.pauses is not None:
        relevant |= {spec.pauses.pause, spec.pauses.resume}
    if spec.extensions is not None:
        relevant.add(spec.extensions.event)
    title = spec.title
    zh = name if title is None else (title if isinstance(title, str) else title.zh)
    en = name if title is None else (title if isinstance(title, str) else (title.en or title.zh))
    immediate = IMMEDIATE_WITHIN
    if spec.immediate_within is not None:
        immediate = dt.timedelta(seconds=amount_in_measure(spec.immediate_within, None, False) or 0)
    return ClockPolicy(name, zh, en, spec, start_types, materials, frozenset(spec.stop), frozenset(relevant), message_fields,
                       service=service, immediate=immediate)


_NO_FACTS: list[tuple[str, str, str]] = []  # shared by the verdicts that add no facts (never changed)


class _NoticeFacts(Sequence[tuple[str, str, str]]):
    """The facts of a late supplement notice, written when its verdict is explained (most never are)."""

    __slots__ = ("answered", "calendar", "due", "within")

    def __init__(self, calendar: Calendar, within: Duration, due: dt.datetime, answered: Event | None) -> None:
        self.calendar, self.within, self.due, self.answered = calendar, within, due, answered

    def _facts(self) -> list[tuple[str, str, str]]:
        calendar, answered = self.calendar, self.answered
        return [("告知期限", "notice due", f"{self.within} after receipt: {iso(calendar.local(self.due))}"),
                ("告知情况", "notice", "none" if answered is None else f"{answered.type} {answered.id} at {iso(calendar.local(answered.at))}")]

    def __len__(self) -> int:
        return 2

    @typing.overload
    def __getitem__(self, index: int) -> tuple[str, str, str]: ...
    @typing.overload
    def __getitem__(self, index: slice) -> Sequence[tuple[str, str, str]]: ...
    def __getitem__(self, index: int | slice) -> tuple[str, str, str] | Sequence[tuple[str, str, str]]:
        return self._facts()[index]

    def __iter__(self) -> Iterator[tuple[str, str, str]]:
        return iter(self._facts())


@dataclass(slots=True)
class Candidate:
    """A verdict a clock gives, once time passes ``at`` (``on_event``: as soon as the event is judged)."""

    key: str  # unique within the clock: part of the verdict id
    verdict: str  # the verdict template's name
    at: dt.datetime
    ts: float
    on_event: bool
    trigger: str
    actor: str | None
    unit: str | None
    values: dict[str, Value] | Repeat = field(default_factory=dict)
    facts: Sequence[tuple[str, str, str]] = field(default_factory=list)  # extra (zh, en, value)
    base: Mapping[str, Value] | None = None  # values shared with the clock's other verdicts, under ``values``


#: A repeat of a verdict that repeats (``every``): (late by, its number, working measure?, seconds a
#: day, the period), in the clock's measure. A case late for months gives hundreds of them and a
#: report keeps each: numbers only, in a plain tuple (which the cyclic collector stops tracking once
#: it has seen it), made into the values its message is rendered with when it is read.
Repeat = tuple[int, int, bool, int, int]


def repeat_values(repeat: Repeat) -> dict[str, Value]:
    """The values the ``count``-th repeat's message is rendered with: how late, and which repeat."""
    late_by, count, working, per_day, every = repeat
    # the first repeat, given at the deadline, reads "less than" one period: it counts the first
    period = Span(every, working, per_day)
    return {"overdue_by": Span(late_by, working, per_day, under=period), "count": str(count)}


@dataclass(slots=True)
class TimelineEntry:
    """A line of a clock's timeline: labels in each language, ``value`` as the explanation's facts record
    it, and ``text`` as a person reads it (rendered in the language shown; ``value`` when none)."""

    at: dt.datetime | None
    zh: str
    en: str
    value: str = ""
    text: Value | None = None
    mark: str = ""  # what the line marks on a drawn timeline (received, start, pause, resume, extension, deadline, stop…); "" for a total


@dataclass
class ClockRun:
    """A clock as of a moment: its state, its timeline, and the verdicts it gives."""

    policy: ClockPolicy
    status: str
    matter: str | None = None
    limit: Duration | None = None
    start: dt.datetime | None = None
    start_event: str | None = None
    deadline: dt.datetime | None = None
    stopped_at: dt.datetime | None = None
    working: bool = True
    seconds_per_day: int = 86400
    elapsed: int = 0
    remaining: int = 0
    paused: int = 0
    overdue: int = 0
    extension: int = 0  # valid extensions granted, in the measure
    pause_reasons: tuple[str, ...] = ()  # the allowed pauses open at the end
    waiting_supplement: bool = False  # a supplement requested and not yet received at the end
    paused_since: dt.datetime | None = None  # when the pause open at the end began
    timeline: list[TimelineEntry] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    next_wake: float | None = None  # the next moment something changes if no event comes

    def state(self) -> dict[str, Any]:
        """The case state for a report."""
        values: dict[str, Any] = {}
        state_values(values, self.policy.id, self.matter, self.status, self.start, self.deadline, self.stopped_at, self.limit,
                     self.working, self.seconds_per_day, self.elapsed, self.remaining, self.paused, self.overdue, self.extension)
        return values

    def span(self, seconds: int) -> Span:
        """``seconds`` of this clock's measure, to render."""
        return Span(seconds, self.working, self.seconds_per_day)

    def limit_in_force(self) -> Limit | None:
        """The limit and the valid extensions granted on it."""
        if self.limit is None:
            return None
        return Limit(self.limit, self.span(self.extension) if self.extension else None)


def state_values(
    out: dict[str, Any], time_limit: str, matter: str | None, status: str, start: dt.datetime | None,
    deadline: dt.datetime | None, stopped_at: dt.datetime | None, limit: Duration | None, working: bool, per_day: int,
    elapsed: int, remaining: int, paused: int, overdue: int, extension: int,
) -> None:
    """Add to ``out`` a clock's fields of a case state, in their order (a figure of nought days is one shared zero)."""
    out["time_limit"] = time_limit
    out["matter"] = matter
    out["status"] = status
    out["start"] = start
    out["deadline"] = deadline
    out["stopped_at"] = stopped_at
    out["limit"] = None if limit is None else _state_limit(limit)
    out["measure"] = "working_time" if working else "elapsed_time"
    out["elapsed_seconds"] = elapsed
    out["elapsed_days"] = (round(elapsed / per_day, 4) or _ZERO) if elapsed else _ZERO
    out["remaining_seconds"] = remaining
    out["remaining_days"] = (round(remaining / per_day, 4) or _ZERO) if remaining else _ZERO
    out["paused_seconds"] = paused
    out["paused_days"] = (round(paused / per_day, 4) or _ZERO) if paused else _ZERO
    out["overdue_seconds"] = overdue
    out["overdue_days"] = (round(overdue / per_day, 4) or _ZERO) if overdue else _ZERO
    out["extension_seconds"] = extension
    out["extension_days"] = (round(extension / per_day, 4) or _ZERO) if extension else _ZERO


@functools.lru_cache(maxsize=256)
def _state_limit(limit: Duration) -> str:
    """A limit as a case state gives it (``20wd``): one string for all the states of the same limit."""
    return sys.intern(str(limit))


def _describe(seconds: int, working: bool, per_day: int) -> str:
    """A clock-time amount for people: ``1wd 2h30m`` in working time, ``3d 4h`` in elapsed time."""
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    days, rest = divmod(seconds, per_day)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = []
    if days:
        parts.append(f"{days}{'wd' if working else 'd'}")
    if hours:
        parts.append(f"{hours}h")
    if minutes or not parts:
        parts.append(f"{minutes}min" if not (days or hours) else f"{minutes}m" if minutes else "")
    return sign + " ".join(p for p in parts if p)


@dataclass(slots=True, eq=False)
class ClockTrace:
    """What a case's events settle about a clock, before asking about a moment (``trace_clock``).

    A trace holds for every moment whose POSIX time ``t`` has ``valid_from < t <= valid_to``: only
    the deemed acceptance of a case (its start moves to receipt once the notice deadline passes
    unanswered) makes the same events mean something else at another moment. :meth:`at` gives the
    clock as of a moment: cheap arithmetic on the trace.
    """

    policy: ClockPolicy
    calendar: Calendar
    matter: str | None
    valid_from: float
    valid_to: float
    timeline: list[TimelineEntry]
    candidates: list[Candidate]  # verdicts the events give (deemed acceptance, pauses, extensions)
    wake: float | None  # the notice deadline, while it has not passed
    received: Event | None = None  # the case's first receipt (the first line of the timeline), if any
    notice_due: dt.datetime | None = None  # the deadline to answer an application (deemed acceptance), if any
    started: bool = False
    status: str = "not_started"  # before the clock starts (withdrawn, rejected) or "running"
    stopped_at: dt.datetime | None = None
    limit: Duration | None = None
    start: dt.datetime | None = None
    start_event: str | None = None
    actor: str | None = None
    unit: str | None = None
    working: bool = True
    per_day: int = 86400
    origin: int = 0
    total: int = 0  # the limit plus valid extensions, in the measure
    extension: int = 0
    excluded: list[tuple[int, int | None]] = field(default_factory=list)  # [start, end or None) in the measure, in order
    paused_open: bool = False  # an allowed pause or a supplement wait is still open
    paused_since: dt.datetime | None = None  # when the open pause or supplement wait began
    stop: Event | None = None
    deadline: dt.datetime | None = None
    values: dict[str, Value] = field(default_factory=dict)  # the values every verdict of time is rendered with
    fields: dict[str, Value] = field(default_factory=dict)  # event fields messages name: the case's first event with each
    schedule: list[tuple[Any, ...]] | None = None  # see _scheduled
    # caches for repeated verdicts: (an earlier given_before, the first repeat not before it) by the
    # first repeat's position; the moments of repeats lately asked for, by position
    hints: dict[int, tuple[float, int]] = field(default_factory=dict)
    moments: dict[int, dt.datetime | None] = field(default_factory=dict)
    summary: tuple[list[TimelineEntry], list[TimelineEntry]] | None = None  # see _summary

    # the state of the events' loop, kept so that one more event extends the trace (``extended``)
    budget: int = 0
    open_reasons: set[str] = field(default_factory=set)
    waiting_supplement: bool = False
    extension_cap: int | None = None
    settled: bool = False  # no later event can move the start: the trace may be extended

    def extended(self, event: Event) -> ClockTrace | None:
        """This trace with one more event (later than all it has seen), or ``None`` if it must be traced again."""
        if not self.settled or self.valid_from != -math.inf or self.valid_to != math.inf:
            return None
        if self.stop is not None:
            return self  # events after the stop do not count
        twin = _copy_trace(self)
        if event.type in self.policy.stop_types:
            # a stop moves nothing the events before it settled: only what time gives ends there. The
            # twin shares what it does not change (a stopped trace is never extended: see above), and
            # the verdicts due once keep their moments, those from the stop on dropped as _scheduled drops them
            twin.stop = event
            twin.summary = None
            schedule = self.schedule
            if schedule is not None:
                stop_ts = event.at.timestamp()
                twin.schedule = [item for item in schedule if item[0] is None or item[0] < stop_ts]
            return twin
        twin.timeline = list(self.timeline)
        twin.candidates = list(self.candidates)
        twin.excluded = list(self.excluded)
        twin.open_reasons = set(self.open_reasons)
        twin.schedule = twin.summary = None
        twin.hints, twin.moments = {}, {}
        twin._apply(event)
        twin._finish()
        return twin

    def _origin_and_budget(self, at: dt.datetime) -> tuple[int, int]:
        """Where the clock's measure starts, and the limit in the measure, for a clock started at ``at``."""
        limit, calendar = self.limit, self.calendar
        assert limit is not None
        if limit.unit is TimeUnit.WORKING_DAYS and limit.day_only:
            # whole working days count from the end of the start's business day: both depend on the day alone
            key = (limit, calendar.local(at).toordinal(), id(calendar))
            budgets = self.policy.budgets
            found = budgets.get(key)
            if found is None:
                found = budgets[key] = self._measured_limit(at)
            return found
        return self._measured_limit(at)

    def _measured_limit(self, at: dt.datetime) -> tuple[int, int]:
        limit, calendar = self.limit, self.calendar
        assert limit is not None
        # a period of days ends on its plain last day; _with_roll moves it off a day off once extended
        nominal = self.policy.deadline(calendar, at, limit, roll=limit.unit not in _ROLLED_UNITS)
        if limit.unit is TimeUnit.WORKING_DAYS and limit.amount > 0:
            # the start day is not counted: counting begins at the end of its business day
            i = calendar._index(calendar.local(at).date())
            origin = int(calendar._cumulative[i]) * self.per_day
        else:
            origin = self.of(at)
        return origin, self.of(nominal) - origin

    def _open_excluded(self, at_m: int) -> None:
        excluded = self.excluded
        if not excluded or excluded[-1][1] is not None:
            excluded.append((at_m, None))

    def _close_excluded(self, at_m: int) -> None:
        excluded = self.excluded
        if excluded and excluded[-1][1] is None:
            start = excluded[-1][0]
            excluded[-1] = (start, max(at_m, start))

    def _apply(self, event: Event) -> None:
        """One event after the start (in time order): a stop, a pause or resumption, a supplement, an extension."""
        policy, calendar, timeline = self.policy, self.calendar, self.timeline
        spec = policy.spec
        pauses, extensions = spec.pauses, spec.extensions
        kind = event.type
        if kind in policy.stop_types:
            self.stop = event
            return
        open_reasons = self.open_reasons
        if pauses is not None and kind == pauses.pause:
            reason = getattr(event, "reason", None) or ""
            if pauses.reasons is None or reason in pauses.reasons:
                if not open_reasons and not self.waiting_supplement:
                    self._open_excluded(self.of(event.at))
                    self.paused_since = event.at
                open_reasons.add(reason)
                timeline.append(TimelineEntry(event.at, "暂停（不计时）", "paused (clock stopped)", f"{event.id}: {reason}",
                                              _pause_text(event.id, reason), "pause"))
            else:
                timeline.append(TimelineEntry(event.at, "暂停理由不属法定情形，继续计时", "pause reason not allowed: the clock runs on",
                                              f"{event.id}: {reason}", _pause_text(event.id, reason), "pause_refused"))
                if pauses.verdict is not None:
                    allowed = ", ".join(pauses.reasons)
                    self.candidates.append(Candidate(
                        f"pause:{event.id}", pauses.verdict, event.at, event.at.timestamp(), True, event.id, event.actor, event.unit,
                        {"reason": Phrase(reason_text(reason, "zh"), reason_text(reason, "en"))},
                        [("暂停", "pause", f"{event.id} at {iso(calendar.local(event.at))}: {reason}"), ("允许的理由", "allowed reasons", allowed)],
                    ))
            return
        if pauses is not None and kind == pauses.resume:
            if not open_reasons:
                return
            reason = getattr(event, "reason", None)
            if reason in open_reasons:
                open_reasons.discard(reason)
            else:
                open_reasons.clear()
            if not open_reasons and not self.waiting_supplement:
                self._close_excluded(self.of(event.at))
                self.paused_since = None
            timeline.append(TimelineEntry(event.at, "恢复计时", "resumed", event.id, Phrase(event.id, event.id), "resume"))
            return
        if kind == SUPPLEMENT_REQUESTED and spec.supplement != "none" and not self.waiting_supplement:
            self.waiting_supplement = True
            if not open_reasons:
                self._open_excluded(self.of(event.at))
                self.paused_since = event.at
            timeline.append(TimelineEntry(event.at, "要求补正（等待申请人）", "supplement requested (waiting for the applicant)", event.id, mark="pause"))
            return
        if kind == SUPPLEMENT_RECEIVED and self.waiting_supplement:
            self.waiting_supplement = False
            if spec.supplement == "restart":
                self.origin, self.budget = self._origin_and_budget(event.at)
                self.excluded.clear()
                open_reasons.clear()
                self.paused_since = None
                self.extension = 0
                self.start, self.start_event = event.at, event.id
                timeline.append(TimelineEntry(event.at, "收到补正材料，期限重新起算", "corrected materials received: the period restarts", event.id, mark="restart"))
            else:
                if not open_reasons:
                    self._close_excluded(self.of(event.at))
                    self.paused_since = None
                timeline.append(TimelineEntry(event.at, "收到补正材料，恢复计时", "supplement received: the clock runs again", event.id, mark="resume"))
            return
        if extensions is not None and kind == extensions.event:
            limit = self.limit
            duration = getattr(event, "duration", None)
            approver = getattr(event, "approver", None) or ""
            target = self.deadline_measure(self._with_roll(self.budget + self.extension))
            due = None if target is None else self.moment(target)
            amount = None if duration is None else amount_in_measure(Duration.parse(duration), calendar, self.working)
            problems = []  # (label, as the facts record it, in Chinese, in English)
            granted = None if duration is None else Duration.parse(duration)
            if extensions.approvers is not None and approver not in extensions.approvers:
                allowed_zh = "、".join(approver_text(a, "zh") for a in extensions.approvers)
                allowed_en = " or ".join(approver_text(a, "en") for a in extensions.approvers)
                problems.append(("审批人不符", f"approver {approver!r} is not one of {', '.join(extensions.approvers)}",
                                 f"批准人{approver_text(approver, 'zh') or '空缺'}不是{allowed_zh}",
                                 f"approved by {approver_text(approver, 'en') or 'nobody'}, not {allowed_en}"))
            if extensions.before_deadline and due is not None and event.at > due:
                local_due = calendar.local(due)
                problems.append(("超过期限后才延期", f"granted after the deadline {iso(local_due)}",
                                 f"在期限{instant(local_due, 'zh')}届满后才延长", f"granted after the deadline of {instant(local_due, 'en')}"))
            if amount is None:
                problems.append(("延期单位与期限不符", f"{duration} does not count the same kind of time as the limit {limit}",
                                 f"延长的{_shown(granted, 'zh')}与期限{_shown(limit, 'zh')}计时方式不同",
                                 f"{_shown(granted, 'en')} does not count the same kind of time as the limit of {_shown(limit, 'en')}"))
            elif self.extension_cap is not None and extensions.max is not None and self.extension + amount > self.extension_cap:
                problems.append(("超过最长延期", f"in all more than the maximum {extensions.max}",
                                 f"累计超过最长延期{duration_text(extensions.max, 'zh')}",
                                 f"more in all than the longest extension, {duration_text(extensions.max, 'en')}"))
            granted_text = _extension_text(event.id, granted, approver)
            if problems:
                timeline.append(TimelineEntry(event.at, "延期无效，期限不变", "extension not valid: the deadline stands",
                                              f"{event.id}: +{duration} by {approver}; " + "; ".join(p[1] for p in problems),
                                              Phrase(granted_text.zh + "；" + "；".join(p[2] for p in problems),
                                                     granted_text.en + "; " + "; ".join(p[3] for p in problems)), "extension_refused"))
                if extensions.verdict is not None:
                    self.candidates.append(Candidate(
                        f"extension:{event.id}", extensions.verdict, event.at, event.at.timestamp(), True, event.id, event.actor, event.unit,
                        {"approver": Phrase(approver_text(approver, "zh"), approver_text(approver, "en")),
                         "reason": Phrase("；".join(p[2] for p in problems), "; ".join(p[3] for p in problems)),
                         "within": str(duration) if granted is None else granted},
                        [("延期", "extension", f"{event.id} at {iso(calendar.local(event.at))}: +{duration} by {approver}")]
                        + [(zh, "why not valid", en) for zh, en, _, _ in problems],
                    ))
            else:
                self.extension += amount  # type: ignore[operator]  # no problems: the amount is known
                timeline.append(TimelineEntry(event.at, "延期（经批准）", "extension granted", f"{event.id}: +{duration} by {approver}",
                                              granted_text, "extension"))

    def _finish(self) -> None:
        """Settle what the events so far give: the excluded time, the total, the deadline, the values of verdicts."""
        self.total = self._with_roll(self.budget + self.extension)
        self.paused_open = bool(self.open_reasons or self.waiting_supplement)
        target = self.deadline_measure(self.total)
        self.deadline = None if target is None else self.moment(target)
        assert self.limit is not None
        in_force = Limit(self.limit, Span(self.extension, self.working, self.per_day) if self.extension else None)
        self.values = {"limit": in_force, "matter": self.matter or "", "within": in_force,
                       "deadline": "" if self.deadline is None else self.calendar.local(self.deadline)}
        self.schedule = self.summary = None

    def _with_roll(self, total: int) -> int:
        """``total`` clock time, and more if the period's last day is a day off: it ends on the next working day.

        民法典 art. 203 applies to the last day of every period of days or months: the limit's, and
        the extended period's (信访工作条例 art. 34: the extension is added to the last day as it
        was, then the new last day moves off a holiday).
        """
        limit = self.limit
        if limit is None or limit.unit not in _ROLLED_UNITS:
            return total
        target = self.deadline_measure(total)
        if target is None:
            return total
        end = self.moment(target)
        rolled = self.calendar.last_day_end(end)
        if rolled == end:
            return total
        rolled_m = self.of(rolled)
        excluded = 0
        for a, b in self.excluded:
            low: int = target if a is None else max(a, target)
            high: int = rolled_m if b is None else min(b, rolled_m)
            if high > low:
                excluded += high - low
        return total + rolled_m - target - excluded

    def deadline_measure(self, target_elapsed: int) -> int | None:
        """Where the measure stands when ``target_elapsed`` of clock time has run, given the excluded time."""
        origin = self.origin
        target = origin + target_elapsed
        for a, b in self.excluded:
            a_ = max(a, origin)
            if b is not None and b <= origin:
                continue
            if a_ <= target:
                if b is None:
                    return None
                target += b - a_
            else:
                break
        return target

    def excluded_until(self, limit_m: int) -> int:
        total = 0
        origin = self.origin
        for a, b in self.excluded:
            a_ = max(a, origin)
            b_ = limit_m if b is None else min(b, limit_m)
            if b_ > a_:
                total += b_ - a_
        return total

    def of(self, moment: dt.datetime) -> int:
        return self.calendar._position(moment) if self.working else int(moment.timestamp())

    def moment(self, value: int) -> dt.datetime:
        if self.working:
            return self.calendar._moment(value)
        return dt.datetime.fromtimestamp(value, self.calendar.timezone)

    def at_elapsed(self, x: int) -> dt.datetime | None:
        target_m = self.deadline_measure(max(0, x))
        return None if target_m is None else self.moment(target_m)

    def past_elapsed(self, x: int) -> dt.datetime | None:
        """The first instant after which more than ``x`` of clock time has run ("more than 3 working days late").

        In working time the clock stands still outside business hours: ``x`` is reached at closing
        time, and passed only when the next working period opens. A case stopped before that
        instant (or at it) has run ``x`` and no more.
        """
        later = self.at_elapsed(x + 1)  # one second of clock time past x, in the working period where x is passed
        return None if later is None else later - dt.timedelta(seconds=1)

    def at(self, now: dt.datetime, *, explain: bool = True, since: tuple[str | None, float] | None = None,
           offers: bool = True) -> ClockRun:
        """The clock as of ``now`` (a moment in this trace's validity): see :func:`run_clock`.

        Without ``offers`` only the state is worked out (no candidates, no next wake): for a report.
        """
        policy = self.policy
        if not self.started:
            run = ClockRun(policy, self.status, matter=self.matter, timeline=list(self.timeline),
                           candidates=list(self.candidates), stopped_at=self.stopped_at)
            run.next_wake = self.wake
            return run
        limit, working, per_day = self.limit, self.working, self.per_day
        assert limit is not None
        run = ClockRun(policy, "running", matter=self.matter, limit=limit, start=self.start, start_event=self.start_event,
                       working=working, seconds_per_day=per_day, timeline=list(self.timeline), candidates=list(self.candidates))
        stop = self.stop
        end = stop.at if stop is not None else now
        run.deadline = self.deadline
        run.elapsed, run.paused, run.remaining, run.overdue, run.status = self._figures(end)
        run.extension = self.extension
        if stop is None:
            run.pause_reasons = tuple(sorted(self.open_reasons))
            run.waiting_supplement = self.waiting_supplement
            run.paused_since = self.paused_since
        else:
            run.stopped_at = stop.at

        if offers:
            given_before = since[1] if since is not None and since[0] == run.start_event else -math.inf
            next_wake, warned = self.due(now.timestamp(), given_before, run.candidates)
            if warned and run.status == "running":
                run.status = "warning"
        else:
            next_wake = None
            if run.status == "running" and self._warned(now.timestamp()):
                run.status = "warning"
        run.next_wake = next_wake
        if explain:
            self._summarise(run, end)
        return run

    def _figures(self, end: dt.datetime) -> tuple[int, int, int, int, str]:
        """A started clock's elapsed, paused, remaining and overdue time at ``end`` (its stop, or now), and its
        status before warnings are counted."""
        end_m = self.of(end)
        paused = self.excluded_until(end_m)
        elapsed = max(0, end_m - self.origin - paused)
        total, deadline, stop = self.total, self.deadline, self.stop
        late = deadline is not None and end > deadline
        if stop is not None:
            status = ("withdrawn" if stop.type == WITHDRAWN else "rejected" if stop.type == REJECTED
                      else "completed_late" if late else "completed_on_time")
        else:
            status = "overdue" if late else "paused" if self.paused_open else "running"
        return elapsed, paused, max(0, total - elapsed), max(0, elapsed - total) if late else 0, status

    def _warned(self, now_ts: float) -> bool:
        """Whether a warning has been given before ``now_ts``."""
        return any(item[0] is not None and item[5] and item[0] < now_ts for item in self._scheduled())

    def state_at(self, now: dt.datetime, out: dict[str, Any]) -> None:
        """Add to ``out`` the clock's fields of a case state as of ``now``: ``at(now, explain=False,
        offers=False).state()``, worked out without the run."""
        if not self.started:
            state_values(out, self.policy.id, self.matter, self.status, None, None, self.stopped_at, None, True, 86400,
                         0, 0, 0, 0, 0)
            return
        stop = self.stop
        elapsed, paused, remaining, overdue, status = self._figures(stop.at if stop is not None else now)
        if status == "running" and self._warned(now.timestamp()):
            status = "warning"
        state_values(out, self.policy.id, self.matter, status, self.start, self.deadline, None if stop is None else stop.at,
                     self.limit, self.working, self.per_day, elapsed, remaining, paused, overdue, self.extension)

    def _scheduled(self) -> list[tuple[Any, ...]]:
        """The verdicts time gives, in the ruleset's order: warnings, then overdue entries.

        A verdict due once is ``(ts, moment, key, verdict, values, is_warning)``; one that repeats
        is ``(None, first_x, every, key, verdict, after)``. Worked out once per trace.
        """
        if self.schedule is not None:
            return self.schedule
        total = self.total
        stop_ts = self.stop.at.timestamp() if self.stop is not None else math.inf
        schedule: list[tuple[Any, ...]] = []
        for kind, key, verdict, amount, extra in self.policy.time_plan(self.calendar, self.working):
            if kind == "every":
                schedule.append((None, total + amount, extra, key, verdict, amount))
                continue
            x = total - amount if kind == "remaining" else int(total * extra) if kind == "share" else total + amount
            moment = self.at_elapsed(x) if kind != "once" or not amount else self.past_elapsed(x)
            if moment is not None and (ts := moment.timestamp()) < stop_ts:  # else it never comes
                values = self.values if kind != "once" else {**self.values, "overdue_by": extra}
                schedule.append((ts, moment, key, verdict, values, kind != "once"))
        self.schedule = schedule
        return schedule

    def due(self, now_ts: float, given_before: float, out: list[Candidate]) -> tuple[float | None, bool]:
        """Append to ``out`` the verdicts time gives from ``given_before`` until before ``now_ts``.

        Returns when the next one is due (or the notice deadline passes), if ever, and whether a
        warning has been given by ``now_ts``.
        """
        wake = self.wake
        warned = False
        if not self.started:
            return wake, warned
        stop_ts: float | None = None  # worked out when a verdict that repeats needs it
        trigger, actor, unit = self.start_event or "", self.actor, self.unit
        for item in self._scheduled():
            ts = item[0]
            if ts is not None:
                if ts >= now_ts:
                    if wake is None or ts < wake:
                        wake = ts
                    continue
                warned = warned or item[5]
                if ts >= given_before:
                    out.append(Candidate(item[2], item[3], item[1], ts, False, trigger, actor, unit, {}, _NO_FACTS, item[4]))
                continue
            _, first_x, every, key, verdict, after = item
            if stop_ts is None:
                stop_ts = self.stop.at.timestamp() if self.stop is not None else math.inf
            k = self._first_repeat(first_x, every, given_before)
            while True:
                moment = self.repeat_moment(first_x + (k - 1) * every)
                if moment is None:
                    break
                ts = moment.timestamp()
                if ts >= stop_ts:
                    break
                if ts >= now_ts:
                    if wake is None or ts < wake:
                        wake = ts
                    break
                values: Repeat = (after + (k - 1) * every, k, self.working, self.per_day, every)
                out.append(Candidate(f"{key}.{k}", verdict, moment, ts, False, trigger, actor, unit, values, _NO_FACTS, self.values))
                k += 1
        return wake, warned

    def _first_repeat(self, first_x: int, every: int, given_before: float) -> int:
        """The first repeat ``k`` (from 1) of a verdict due at ``first_x + (k - 1) * every`` not dated before ``given_before``.

        Those before it were given at an earlier run. Positions in the measure order the repeats
        without making instants: a repeat whose position is before that of ``given_before`` is
        before it; the few at the boundary are checked as instants.
        """
        if given_before == -math.inf:
            return 1
        hints = self.hints
        hint = hints.get(first_x)
        if hint is not None and hint[0] <= given_before:
            k = hint[1]  # the answer for an earlier time: this one's is the same or later
        else:
            try:
                boundary = self.of(dt.datetime.fromtimestamp(given_before, self.calendar.timezone))
            except DateNotCoveredError:
                return 1
            low, high = 1, max(1, (boundary - self.origin - first_x) // every + 2)
            while low < high:  # the first k whose position is not before the boundary (or never comes)
                middle = (low + high) // 2
                position = self.deadline_measure(first_x + (middle - 1) * every)
                if position is not None and position < boundary:
                    low = middle + 1
                else:
                    high = middle
            k = low
        while True:  # at the boundary: compare the instants themselves
            try:
                moment = self.repeat_moment(first_x + (k - 1) * every)
            except DateNotCoveredError:
                break  # beyond the calendar's data: after `given_before`, a time already judged
            if moment is None or moment.timestamp() >= given_before:
                break
            k += 1
        hints[first_x] = (given_before, k)
        return k

    def repeat_moment(self, x: int) -> dt.datetime | None:
        """``at_elapsed(x)`` for a repeated verdict, remembered: the next one is asked for at every look."""
        moments = self.moments
        if x in moments:
            return moments[x]
        if len(moments) > 32:
            moments.clear()
        moment = moments[x] = self.at_elapsed(x)
        return moment

    def _summarise(self, run: ClockRun, end: dt.datetime) -> None:
        """The timeline's end: holidays crossed, totals, the deadline, the stop and how late."""
        working, per_day = self.working, self.per_day
        days, tail = self._summary()
        timeline = run.timeline
        timeline.extend(days)
        if run.paused:
            timeline.append(TimelineEntry(None, "不计时的暂停合计", "excluded time in all", _describe(run.paused, working, per_day),
                                          Span(run.paused, working, per_day)))
        timeline.extend(tail)
        deadline = self.deadline
        if run.overdue or (deadline is not None and end > deadline):
            timeline.append(TimelineEntry(None, "超期", "overdue by", _describe(run.overdue, working, per_day), Span(run.overdue, working, per_day)))

    def _summary(self) -> tuple[list[TimelineEntry], list[TimelineEntry]]:
        """The parts of the timeline's end that hold at every moment of the trace, worked out once:
        the days off and make-up days crossed; the extensions, the deadline and the stop."""
        summary = self.summary
        if summary is not None:
            return summary
        calendar, deadline = self.calendar, self.deadline
        working, per_day = self.working, self.per_day
        days: list[TimelineEntry] = []
        tail: list[TimelineEntry] = []
        if deadline is not None:
            local_start, local_deadline = calendar.local(self.start).date(), calendar.local(deadline).date()  # type: ignore[arg-type]  # a clock with a deadline has started
            off = calendar.days_off_between(local_start, local_deadline)
            makeup = calendar.makeup_workdays_between(local_start, local_deadline)
            if off:
                days.append(TimelineEntry(None, "期间节假日（不计）", "days off crossed (not counted)", ", ".join(d.isoformat() for d, _ in off),
                                          _days_text(tuple(off))))
            if makeup:
                days.append(TimelineEntry(None, "期间调休上班日（计入）", "make-up workdays crossed (counted)",
                                          ", ".join(d.isoformat() for d, _ in makeup), _days_text(tuple(makeup))))
            if self.extension:
                tail.append(TimelineEntry(None, "延期合计", "extensions in all", _describe(self.extension, working, per_day),
                                          Span(self.extension, working, per_day)))
            assert self.limit is not None
            in_force = Limit(self.limit, Span(self.extension, working, per_day) if self.extension else None)
            hours = _hours_text(calendar.business_hours)
            if self.limit.unit is TimeUnit.IMMEDIATE:  # the same visit, as the time limit allows it
                allowed = Duration(Decimal(int(self.policy.immediate.total_seconds()) // 60), TimeUnit.MINUTES)
                how_zh, how_en = f"同一次办理，起算后{duration_text(allowed, 'zh')}内", f"the same visit, within {duration_text(allowed, 'en')} of the start"
            else:
                how_zh = calendar_description(calendar.name, hours, "zh", working, calendar.title)
                how_en = calendar_description(calendar.name, hours, "en", working, calendar.title)
            tail.append(TimelineEntry(deadline, "截止时间", "deadline", f"{self.limit} ({calendar.name} calendar, {hours})",
                                      Phrase(f"{_limit_text(in_force, 'zh')}，{how_zh}", f"{_limit_text(in_force, 'en')}, {how_en}"), "deadline"))
        stop = self.stop
        if stop is not None:
            names = {WITHDRAWN: ("撤回（停止计时）", "withdrawn (clock stopped)"), REJECTED: ("不予受理/驳回", "rejected")}
            zh, en = names.get(stop.type, ("办结", "completed"))
            said = stop.type in (WITHDRAWN, REJECTED, "case.completed")  # the label says what the event was
            tail.append(TimelineEntry(stop.at, zh, en, f"{stop.type} {stop.id}", Phrase(stop.id, stop.id) if said else _event_text(stop), "stop"))
        summary = self.summary = (days, tail)
        return summary


@functools.lru_cache(maxsize=64)
def _hours_text(hours: Any) -> str:
    """``09:00-12:00,13:30-17:30``: a calendar's business hours as explanations name them."""
    return str(hours)


def _event_text(event: Event) -> Phrase:
    """``受理（e07）``; ``accepted (e07)``."""
    return Phrase(f"{event_word(event.type, 'zh')}（{event.id}）", f"{event_word(event.type, 'en')} ({event.id})")


def _pause_text(event_id: str, reason: str) -> Phrase:
    """``因听证暂停（e03）``; ``for a hearing (e03)``."""
    return Phrase(f"因{reason_text(reason, 'zh') or '未说明的理由'}暂停（{event_id}）", f"for {reason_text(reason, 'en') or 'no reason given'} ({event_id})")


def _extension_text(event_id: str, granted: Duration | None, approver: str) -> Phrase:
    """``经行政机关负责人批准延长10个工作日（e15）``; ``10 working days more, approved by the head of the agency (e15)``."""
    if not approver:  # an extension applied for, with no approval named: ``申请延长5个工作日（e15）``
        return Phrase(f"申请延长{_shown(granted, 'zh')}（{event_id}）", f"{_shown(granted, 'en')} more, applied for ({event_id})")
    who_zh, who_en = approver_text(approver, "zh") or "未写明的人", approver_text(approver, "en") or "nobody named"
    return Phrase(f"经{who_zh}批准延长{_shown(granted, 'zh')}（{event_id}）", f"{_shown(granted, 'en')} more, approved by {who_en} ({event_id})")


def _shown(value: Duration | None, language: Language) -> str:
    if value is None:
        return "未写明的时间" if language == "zh" else "an unstated time"
    return duration_text(value, language)


@functools.lru_cache(maxsize=1024)
def _days_text(named: tuple[tuple[dt.date, str], ...]) -> Phrase:
    """``2024年10月1日至7日（国庆节）``; ``1–7 October 2024 (National Day)``."""
    days = [d for d, _ in named]
    return Phrase(f"{dates(days, 'zh')}（{'、'.join(holidays(named, 'zh'))}）", f"{dates(days, 'en')} ({', '.join(holidays(named, 'en'))})")


_TRACE_FIELDS = tuple(f.name for f in fields(ClockTrace))


def _copier(names: Sequence[str]) -> Callable[[ClockTrace], ClockTrace]:
    """A function copying a trace field by field, one plain attribute access each: what ``extended``
    starts from, once per event of every open case. Written out as ``dataclasses`` writes a class's
    ``__init__`` (a loop of ``getattr``/``setattr`` over the fields costs several times more)."""
    body = "\n".join(f"    twin.{name} = trace.{name}" for name in names)
    namespace: dict[str, Any] = {"new": object.__new__, "ClockTrace": ClockTrace}
    exec(f"def copy(trace):\n    twin = new(ClockTrace)\n{body}\n    return twin", namespace)  # noqa: S102  # the names are the dataclass's own fields
    copy: Callable[[ClockTrace], ClockTrace] = namespace["copy"]
    return copy


_copy_trace = _copier(_TRACE_FIELDS)


def charged_to(event: Event, charge: ChargeSpec | None) -> tuple[str | None, str | None]:
    """(staff member, unit) a verdict started by ``event`` is charged to: who acts next, where the event names them.

    Without ``charge``, or when the event carries none of its fields, the event's own actor and unit.
    """
    if charge is None:
        return event.actor, event.unit
    values = event.__dict__
    actor = values.get(charge.actor) if charge.actor is not None else None
    unit = values.get(charge.unit) if charge.unit is not None else None
    if not actor and not unit:
        return event.actor, event.unit
    return (str(actor) if actor else None), (str(unit) if unit else None)


def case_matter(policy: ClockPolicy, events: Sequence[Event]) -> str | None:
    """The case's matter as the policy reads it: the field of the first event that has it."""
    return first_text(events, policy.spec.matter_field)


def first_text(events: Sequence[Event], name: str) -> str | None:
    """The field ``name`` of the first of ``events`` that has it as text."""
    for event in events:
        value = event.__dict__.get(name)  # a field, never a class attribute such as __doc__
        if isinstance(value, str):
            return value
    return None


def trace_clock(policy: ClockPolicy, calendar: Calendar, events: Sequence[Event], now_ts: float,
                earlier: ClockTrace | None = None) -> ClockTrace | None:
    """What ``events`` (one case's, in time order) settle about ``policy``'s clock, as seen at ``now_ts``.

    ``None`` when the case has no limit under this policy (its matter has none and there is no
    default). The result holds for every moment in its ``valid_from``/``valid_to`` range.
    ``earlier`` is a trace of the same clock over fewer of the same events, if one is at hand: what
    later events cannot change (the case's matter once known, its receipt, the notice deadline) is
    taken from it instead of being worked out again.
    """
    spec = policy.spec
    if earlier is not None and earlier.matter is not None:
        matter: str | None = earlier.matter  # the first event's that has it: the same (and it applies)
    else:
        matter = case_matter(policy, events)
        if not policy.applies_to(matter):
            return None
    timeline: list[TimelineEntry] = []
    received = None if earlier is None or not earlier.timeline else earlier.received  # the first receipt: the same
    if received is not None and (first := earlier.timeline[0]).mark == "received":  # type: ignore[union-attr]  # not None
        timeline.append(first)  # a trace with a receipt begins with it
    else:
        received = None
        for event in events:
            if event.type == RECEIVED:
                received = event
                break
        if received is not None:
            timeline.append(TimelineEntry(received.at, "收件", "received", f"{received.id}", Phrase(received.id, received.id), "received"))
    valid_from, valid_to = -math.inf, math.inf

    # -- when the clock starts ---------------------------------------------------------------
    start_index: int | None = None
    start_at: dt.datetime | None = None
    how = ""
    deemed_candidate: Candidate | None = None
    wake: float | None = None
    if policy.materials_complete and received is not None:
        # complete at receipt, unless a supplement was requested: then when it is supplied
        requested = False
        for i, event in enumerate(events):
            if event.type == SUPPLEMENT_REQUESTED:
                requested = True
            elif event.type == SUPPLEMENT_RECEIVED and requested:
                start_index, start_at, how = i, event.at, "materials complete"
                break
        if not requested:
            start_index, start_at, how = events.index(received), received.at, "materials complete at receipt"
    if start_index is None and policy.start_types:
        for i, event in enumerate(events):
            if event.type in policy.start_types:
                start_index, start_at, how = i, event.at, event.type
                break
    deemed = spec.deemed_acceptance
    answered: Event | None = None
    notice_due: dt.datetime | None = None
    if deemed is not None and received is not None:
        notice_due = earlier.notice_due if earlier is not None and earlier.received is received else None
        if notice_due is None:
            notice_due = policy.deadline(calendar, received.at, deemed.within)
        answers = policy.answer_types
        answered = next((e for e in events if e.type in answers), None)
        in_time = answered is not None and answered.at <= notice_due
        if not in_time:
            due_ts = notice_due.timestamp()
            if due_ts < now_ts:
                valid_from = due_ts
                start_index, start_at, how = events.index(received), received.at, "deemed"
                timeline.append(TimelineEntry(notice_due, "补正告知期限届满", "supplement notice due", f"{deemed.within}",
                                              Phrase(f"收件后{duration_text(deemed.within, 'zh')}", f"{duration_text(deemed.within, 'en')} after receipt")))
            else:
                valid_to = due_ts
                wake = due_ts
            if deemed.verdict is not None:
                deemed_candidate = Candidate(
                    "deemed", deemed.verdict, notice_due, due_ts, False, received.id, received.actor, received.unit,
                    {"deadline": calendar.local(notice_due), "within": deemed.within},
                    _NoticeFacts(calendar, deemed.within, notice_due, answered),
                )
    candidates: list[Candidate] = [] if deemed_candidate is None else [deemed_candidate]
    trace = ClockTrace(policy, calendar, matter, valid_from, valid_to, timeline, candidates, wake)
    trace.received, trace.notice_due = received, notice_due
    for name in policy.message_fields:
        for event in events:
            value = field_value(getattr(event, name, None))
            if value is not None:
                trace.fields[name] = value
                break

    if start_index is None or start_at is None:
        if events and policy.limit_for(matter, (calendar, events[0].at)) is None:
            return None  # the case's matter has no limit here: no clock, started or not
        for event in events:
            if event.type in policy.stop_types:
                trace.status = "withdrawn" if event.type == WITHDRAWN else "rejected" if event.type == REJECTED else "not_started"
                trace.stopped_at = event.at
                break
        return trace

    start_event = events[start_index]
    limit = policy.limit_for(matter, (calendar, start_at))
    if spec.limit_field is not None:
        carried = getattr(start_event, spec.limit_field, None)  # the instruction's own limit, validated with the event
        if isinstance(carried, Duration):
            limit = carried
    if limit is None:
        return None
    service = policy.service
    if service is not None and limit.unit in _SERVICE_UNITS and (service[0] is None or service[0] <= calendar.local(start_at).date()):
        calendar = trace.calendar = service[1]  # the hall's days and hours
    working = working_measure(limit.unit)
    trace.started, trace.status, trace.limit, trace.working = True, "running", limit, working
    trace.per_day = calendar.business_hours.seconds_per_day if working else 86400
    trace.start, trace.start_event = start_at, start_event.id
    trace.actor, trace.unit = charged_to(start_event, spec.charge)
    if how == "deemed":
        timeline.append(TimelineEntry(start_at, "视为受理（自收件之日起算）", "deemed accepted at receipt", start_event.id, mark="start"))
    else:
        timeline.append(TimelineEntry(start_at, "起算", "clock starts", f"{start_event.type} {start_event.id}", _event_text(start_event), "start"))
    trace.origin, trace.budget = trace._origin_and_budget(start_at)
    trace.excluded = []
    trace.open_reasons = set()
    extensions = spec.extensions
    trace.extension_cap = None if extensions is None or extensions.max is None else amount_in_measure(extensions.max, calendar, working)
    # what can change where the clock starts: then a later event means tracing again, not extending
    trace.settled = (
        how in policy.start_types and not policy.materials_complete and matter is not None and received is not None
        and (deemed is None or answered is not None)
    )
    for event in events[start_index + 1 :]:
        if trace.stop is not None:
            break
        trace._apply(event)
    trace._finish()
    return trace


def run_clock(
    policy: ClockPolicy, calendar: Calendar, events: Sequence[Event], now: dt.datetime, *, explain: bool = True,
    since: tuple[str | None, float] | None = None,
) -> ClockRun | None:
    """The clock of ``policy`` over one case's ``events`` (in time order, none after ``now``).

    ``None`` when the case has no limit under this policy (its matter has none and there is no
    default). Candidates include verdicts not yet due (``at`` not before ``now``): the engine
    gives each once time has passed it. Without ``explain`` the timeline's summary (holidays
    crossed, totals, deadline, how late) is left out: the state and the candidates are the same.
    ``since`` is (the clock's start event, a POSIX time) of an earlier run that gave every verdict
    due before that time: when this run's clock starts at the same event, candidates dated before
    it are left out, so a case late for months is not offered all its past verdicts again. (A start
    that moved — deemed acceptance, complete materials, a restart — can date verdicts in the past:
    then nothing is left out.) A verdict that repeats (``every``) is offered for every repeat due
    before ``now``: there is no cap on their number.
    """
    trace = trace_clock(policy, calendar, events, now.timestamp())
    return None if trace is None else trace.at(now, explain=explain, since=since)
