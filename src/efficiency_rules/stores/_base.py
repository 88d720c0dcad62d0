"""The state-store interface: one event judged against the stored state of its thread.

A :class:`StateStore` keeps, for every thread (a case, an inquiry…), the state a :class:`Session`
holds of it — written as a format-3 snapshot of a session holding that one thread — in a row with
a version number. To judge an event it loads the row of the event's thread, restores that
one-thread session, adds the event with the session's own code, and writes the new state back on
condition that the row's version is still the one it loaded; if another writer got there first,
it loads the row again and judges again. Subclasses supply the storage (``load_thread``,
``find_event``, ``write_thread``, ``due_threads``, ``iter_threads``, ``stored_verdicts``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import math
import random
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal, Self

from .._dedupe import fingerprint, fingerprint_digest
from .._engine import Engine, _require_aware
from .._errors import (
    DuplicateEventError,
    EfficiencyRulesError,
    SnapshotError,
    StoreConflictError,
    StoreError,
    UsageError,
)
from .._events import Event
from .._session import Session, assemble_report
from .._snapshot import MIN_KEY_BYTES
from .._threads import _Wake
from .._verdicts import CaseState, Report, Verdict

__all__ = ["LIGHTS", "SCHEMA_VERSION", "Judgement", "Light", "StateStore", "StoredThread", "ThreadWrite", "case_light"]

SCHEMA_VERSION = 1
"""The version of the tables this library writes (``er_schema`` records the version a database has)."""

Light = Literal["green", "yellow", "red"]
LIGHTS: Mapping[str, tuple[str, str]] = {
    "green": ("绿灯", "green light"),
    "yellow": ("黄灯", "yellow light"),
    "red": ("红灯", "red light"),
}
_RED = frozenset(("overdue", "completed_late"))
_YELLOW = frozenset(("warning",))
# what the key a thread's state is signed with is derived under (see _row_key)
_ROW_CONTEXT = b"efficiency_rules store thread 1\n"


def case_light(cases: list[CaseState]) -> Light | None:
    """A case's light from its clocks: red past a deadline, yellow after a warning, green otherwise.

    ``red`` when a clock is ``overdue`` or was ``completed_late``; else ``yellow`` when one is in
    ``warning`` (a ``warnings`` entry of its time limit has been reached); else ``green``; ``None``
    when no time limit applies to the thread.

    >>> case_light([])
    >>> from efficiency_rules import CaseState
    >>> case_light([CaseState(thread="case:1", ruleset="r", ruleset_version="1", time_limit="t", status="warning")])
    'yellow'
    """
    if not cases:
        return None
    statuses = {case.status for case in cases}
    if statuses & _RED:
        return "red"
    if statuses & _YELLOW:
        return "yellow"
    return "green"


@dataclass(frozen=True, slots=True)
class StoredThread:
    """A thread's row: its key, its version (1 when first written), its state and when it is next due.

    ``due``: the POSIX time at which time alone next gives the thread something to do (a deadline,
    a clock's next look, an event held for the tolerance), or ``None``.
    """

    thread: str
    version: int
    state: bytes
    due: float | None


@dataclass(frozen=True, slots=True)
class ThreadWrite:
    """What :meth:`StateStore.write_thread` writes in one transaction.

    The thread's row goes from ``version - 1`` to ``version`` (``version`` 1: the row is new);
    ``events`` are ``(event id, digest)`` pairs of the events this write accepts (their ids are
    unique across the store); ``verdicts`` the verdicts it gave.
    """

    thread: str
    version: int
    state: bytes
    due: float | None
    events: tuple[tuple[str, str], ...] = ()
    verdicts: tuple[Verdict, ...] = ()


@dataclass(frozen=True, slots=True)
class Judgement:
    """What adding one event to a store gave.

    ``verdicts``: those the event (and the time passing up to it in its thread) produced; ``cases``:
    the thread's case clocks as of ``as_of`` and ``light`` the case's light from them (see
    :func:`case_light`); ``repeat``: the event was stored before with the same content, and nothing
    was judged again; ``held``: it waits for the store's tolerance; ``attempts``: how many times it
    was judged (more than one when other writers changed the thread meanwhile).
    """

    thread: str
    event_id: str
    verdicts: list[Verdict]
    cases: list[CaseState]
    light: Light | None
    as_of: dt.datetime | None
    repeat: bool = False
    held: bool = False
    attempts: int = 1

    @property
    def light_zh(self) -> str | None:
        """The light as a Chinese page shows it: 绿灯, 黄灯 or 红灯 (``None`` without a time limit)."""
        return None if self.light is None else LIGHTS[self.light][0]

    def as_json(self) -> dict[str, Any]:
        """The judgement as JSON values (verdicts and case states as in reports)."""
        return {
            "thread": self.thread,
            "event_id": self.event_id,
            "repeat": self.repeat,
            "held": self.held,
            "as_of": None if self.as_of is None else self.as_of.isoformat(),
            "light": self.light,
            "light_zh": self.light_zh,
            "cases": [case.model_dump(mode="json") for case in self.cases],
            "verdicts": [verdict.model_dump(mode="json") for verdict in self.verdicts],
        }


class StateStore(ABC):
    """Per-thread session state in a database, for stateless workers that judge one event at a time.

    :meth:`add` judges an event against the stored state of its thread and saves the new state;
    :meth:`advance` gives the verdicts time brings (deadlines passed with no event) to the threads
    due; :meth:`report` works out the report of everything stored, as :meth:`Engine.evaluate`
    gives it for the same events; :meth:`light` states a case's clocks and light.

    ``key`` (at least 16 bytes, kept out of the database): each thread's state is signed with a
    key derived from it and the thread's key, and a state changed, moved to another row or signed
    otherwise is refused with a :class:`StoreError`. ``tolerance``: as :class:`Session`'s, for
    events of a thread that arrive out of order (every worker must use the same). ``retries``: how
    many times a write that meets another writer's is judged again before
    :class:`StoreConflictError`.
    """

    def __init__(self, engine: Engine, *, key: bytes | None = None, tolerance: dt.timedelta = dt.timedelta(0),
                 retries: int = 50) -> None:
        if not isinstance(engine, Engine):
            raise UsageError(f"a state store needs an Engine, got {type(engine).__name__}")
        if key is not None and (not isinstance(key, (bytes, bytearray)) or len(key) < MIN_KEY_BYTES):
            raise UsageError(
                f"the store's key must be bytes, at least {MIN_KEY_BYTES} of them (secrets.token_bytes(32)), "
                f"got {type(key).__name__ if not isinstance(key, (bytes, bytearray)) else f'{len(key)} bytes'}"
            )
        if not isinstance(tolerance, dt.timedelta) or tolerance < dt.timedelta(0):
            raise UsageError(f"tolerance must be a timedelta of zero or more, got {tolerance!r}")
        if type(retries) is not int or retries < 0:
            raise UsageError(f"retries must be a whole number of zero or more, got {retries!r}")
        self.engine = engine
        self.tolerance = tolerance
        self.retries = retries
        self._key = None if key is None else bytes(key)

    # -- storage: what a database-specific store implements ------------------------------------

    @abstractmethod
    def load_thread(self, thread: str) -> StoredThread | None:
        """The row of ``thread`` as last committed, or ``None``."""

    @abstractmethod
    def find_event(self, event_id: str) -> tuple[str, str] | None:
        """``(thread, digest)`` of the stored event with this id, or ``None``."""

    @abstractmethod
    def write_thread(self, write: ThreadWrite) -> None:
        """Write in one transaction: the thread's row (on condition that its version is ``write.version - 1``,
        or that there is none when it is 1), its new events, its verdicts.

        Raises :class:`StoreConflictError`, having written nothing, when the row's version is another
        or an event id is stored already.
        """

    @abstractmethod
    def due_threads(self, before: float) -> list[str]:
        """The threads whose ``due`` is before the POSIX time ``before``, earliest first."""

    @abstractmethod
    def iter_threads(self) -> Iterator[StoredThread]:
        """Every thread's row."""

    @abstractmethod
    def stored_verdicts(self, thread: str | None = None) -> list[Verdict]:
        """The verdicts written (of one thread, or all), in order of time, then id."""

    def close(self) -> None:  # noqa: B027 (a store with nothing to let go need not override it)
        """Let go of the database connection."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- judging --------------------------------------------------------------------------------

    def add(self, item: Event | Mapping[str, Any] | str, *, as_of: dt.datetime | None = None) -> Judgement:
        """Judge one event against its thread's stored state, save the thread, return what it gave.

        The judgement is the one a :class:`Session` holding every event would give: the same
        verdicts, refusals (an event too late for its thread is an :class:`EventError`) and
        repeats (the same id and content again gives nothing; the same id with other content, in
        any thread of the store, is a :class:`DuplicateEventError`). ``as_of``: the time the case's
        light is wanted at (default, or when ``as_of`` is earlier: the thread's time, the event's
        own); it moves nothing.
        """
        engine = self.engine
        event = engine.parse(item)
        if as_of is not None:
            _require_aware(as_of, "as_of")
        thread = engine._thread_key(event)
        ts = event.at.timestamp()
        digest = fingerprint_digest(fingerprint(event, ts)).hex()
        for attempt in range(1, self.retries + 2):
            known = self.find_event(event.id)
            if known is not None:
                owner, stored = known
                if stored != digest:
                    where = "of the same thread" if owner == thread else f"of {owner}"
                    raise DuplicateEventError(
                        f"same id as an event {where} already stored, with different content (an event id is unique "
                        "across the whole log): give the new event its own id",
                        event_id=event.id, first=None, second=event,
                    )
                row = self.load_thread(owner)
                session = self._session(owner, row)
                cases, light, when = self._light(session, as_of, clamp=True)
                return Judgement(owner, event.id, [], cases, light, when, repeat=True, attempts=attempt)
            row = self.load_thread(thread)
            session = self._session(thread, row)
            verdicts = session.add(event)
            write = ThreadWrite(thread, (row.version if row else 0) + 1, self._dump(thread, session), _due(session),
                                ((event.id, digest),), tuple(verdicts))
            try:
                self.write_thread(write)
            except StoreConflictError:
                _pause(attempt)
                continue
            cases, light, when = self._light(session, as_of, clamp=True)
            return Judgement(thread, event.id, verdicts, cases, light, when, held=event.id in session._held_ids,
                             attempts=attempt)
        raise StoreConflictError(
            f"event {event.id!r} of {thread}: the thread's row changed under each of {self.retries + 1} attempts to "
            "save it (other writers are adding its events at the same time); nothing was stored: add the event again"
        )

    def advance(self, as_of: dt.datetime) -> list[Verdict]:
        """Let time pass to ``as_of`` in every thread with something due before it; returns the verdicts given.

        A thread is due when one of its deadlines (or its clocks' next look, or an event held for the
        tolerance) is before ``as_of`` (its ``due`` column, indexed). Such a thread is then at
        ``as_of``: an event of it dated earlier is refused, as by :meth:`Session.advance`. Threads
        with nothing due are not touched. Call it from one scheduled job (or several: a thread two
        jobs advance at once is advanced once).
        """
        _require_aware(as_of, "as_of")
        as_of_ts = as_of.timestamp()
        produced: list[Verdict] = []
        for thread in self.due_threads(as_of_ts):
            produced.extend(self._advance_thread(thread, as_of, as_of_ts))
        produced.sort(key=lambda v: (v.at, v.id))
        return produced

    def _advance_thread(self, thread: str, as_of: dt.datetime, as_of_ts: float) -> list[Verdict]:
        for attempt in range(1, self.retries + 2):
            row = self.load_thread(thread)
            if row is None or row.due is None or row.due >= as_of_ts:
                return []  # advanced meanwhile by another job
            session = self._session(thread, row)
            verdicts = session.advance(as_of)
            try:
                self.write_thread(ThreadWrite(thread, row.version + 1, self._dump(thread, session), _due(session),
                                              (), tuple(verdicts)))
            except StoreConflictError:
                _pause(attempt)
                continue
            return verdicts
        raise StoreConflictError(
            f"{thread}: the thread's row changed under each of {self.retries + 1} attempts to advance it to "
            f"{as_of.isoformat()}; nothing was stored: advance again"
        )

    # -- reading --------------------------------------------------------------------------------

    def light(self, thread: str, as_of: dt.datetime | None = None) -> Judgement:
        """The case clocks and light of ``thread`` (``case:XK-1``) as of ``as_of`` (default: the thread's time).

        Nothing is saved: time passing here moves no stored state.
        """
        if as_of is not None:
            _require_aware(as_of, "as_of")
        row = self.load_thread(thread)
        if row is None:
            raise StoreError(f"no thread {thread!r} in the store: thread keys look like 'case:XK-1' (the event's "
                             "thread field without its _id, a colon, its value)")
        cases, light, when = self._light(self._session(thread, row), as_of)
        return Judgement(thread, "", [], cases, light, when)

    def report(self, as_of: dt.datetime) -> Report:
        """The report of every event stored, as of ``as_of``: what :meth:`Engine.evaluate` gives for them.

        Each thread is brought to ``as_of`` in memory (nothing is saved); accountability is worked
        out over the verdicts of all threads. ``as_of`` may not be before a thread's time (events
        judged or time advanced), as for :meth:`Session.report`.
        """
        _require_aware(as_of, "as_of")
        as_of_ts = as_of.timestamp()
        engine = self.engine
        verdicts: list[Verdict] = []
        ledger: list[Event] = []
        cases: list[CaseState] = []
        figures: list[Any] = []
        events = open_threads = ignored = 0
        for row in self.iter_threads():
            session = self._session(row.thread, row)
            self._check_as_of(row.thread, session, as_of, as_of_ts)
            ignored += sum(1 for ts, _, _ in session._held if ts > as_of_ts)
            session._finish(as_of)
            verdicts.extend(session._verdicts.values())
            ledger.extend(session._ledger)
            cases.extend(session._closed_cases)
            figures.extend(session._closed_figures)
            for thread in session._threads.values():
                if thread.log:
                    cases.extend(session._case_states(thread, as_of, figures))
                if thread.pending:
                    open_threads += 1
            events += session._events
        cases.sort(key=lambda c: (c.thread, c.ruleset, c.time_limit, c.start is None, c.start or as_of))
        verdicts.sort(key=lambda v: (v.at, v.id))
        ledger.sort(key=lambda e: (e.at.timestamp(), e.id))
        return assemble_report(engine, as_of, verdicts, ledger, figures, cases, events=events, ignored_after_as_of=ignored,
                               open_threads=open_threads)

    def verdicts(self, thread: str | None = None) -> list[Verdict]:
        """The verdicts given so far by :meth:`add` and :meth:`advance` (of one thread, or all), in order of time."""
        return self.stored_verdicts(thread)

    # -- the state of one thread ----------------------------------------------------------------

    def _row_key(self, thread: str) -> bytes | None:
        """The key a thread's state is signed with: bound to the thread, so a state moved to another row is refused."""
        if self._key is None:
            return None
        return hmac.new(self._key, _ROW_CONTEXT + thread.encode("utf-8", "surrogatepass"), hashlib.sha256).digest()

    def _session(self, thread: str, row: StoredThread | None) -> Session:
        """The one-thread session a row holds (a new one for a thread not stored yet)."""
        if row is None:
            return Session(self.engine, tolerance=self.tolerance)
        try:
            session = Session.restore(self.engine, row.state, key=self._row_key(thread))
        except SnapshotError as error:
            raise StoreError(
                f"thread {thread!r} (row version {row.version}): its stored state cannot be used: {error}"
                + (" (a state signed for another thread is refused the same way)" if self._key is not None else "")
            ) from None
        others = [key for key in session._threads if key != thread]
        if others:
            raise StoreError(f"thread {thread!r} (row version {row.version}): its stored state is of {others[0]!r}: "
                             "the row was changed (use a key to have such changes refused as they are read)")
        session.tolerance, session._tolerance_s = self.tolerance, self.tolerance.total_seconds()
        return session

    def _dump(self, thread: str, session: Session) -> bytes:
        return session.snapshot(key=self._row_key(thread))

    def _check_as_of(self, thread: str, session: Session, as_of: dt.datetime, as_of_ts: float) -> None:
        if as_of_ts < session._judged[0]:
            when = dt.datetime.fromtimestamp(session._judged[0], as_of.tzinfo).isoformat()
            raise EfficiencyRulesError(
                f"as_of {as_of.isoformat()} is before the time of thread {thread!r} ({when}): the store has judged its "
                "events up to then, so it cannot say what it would have said earlier"
            )

    def _light(self, session: Session, as_of: dt.datetime | None, *, clamp: bool = False
               ) -> tuple[list[CaseState], Light | None, dt.datetime | None]:
        """The case clocks of a one-thread session as of ``as_of`` (or its own time), worked out on a copy."""
        when = as_of if as_of is not None else session._now
        if when is None:
            return [], None, None
        when_ts = when.timestamp()
        if as_of is not None and when_ts < session._judged[0]:
            if not clamp:
                self._check_as_of(next(iter(session._threads), "?"), session, when, when_ts)
            when = session._now or when  # the event is saved: its light is at its thread's time at the earliest
        fork = session._fork()
        fork._finish(when)
        cases: list[CaseState] = []
        for thread in fork._threads.values():
            if thread.log:
                cases.extend(fork._case_states(thread, when))
        if not cases:
            cases = list(fork._closed_cases)
        return cases, case_light(cases), when


def _due(session: Session) -> float | None:
    """When time alone next gives a one-thread session something to do (a deadline, a clock's look, a held event)."""
    due = math.inf
    for ts, _, pending in session._deadlines:
        if ts < due:
            if isinstance(pending, _Wake):
                woken = session._threads.get(pending.thread)
                if woken is None or woken.wake != ts:
                    continue
            elif pending.done:
                continue
            due = ts
    if session._held:
        due = min(due, session._held[0][0])
    return None if due == math.inf else due


def _pause(attempt: int) -> None:
    """A short random wait before judging again after a conflict, growing with the attempts."""
    time.sleep(random.uniform(0, min(0.002 * 2**attempt, 0.1)))


def verdict_row(verdict: Verdict) -> tuple[str, str, str, str]:
    """``(id, rule, at, JSON)`` of a verdict, as the verdicts table holds it."""
    return verdict.id, verdict.rule, verdict.at.isoformat(), json.dumps(verdict.model_dump(mode="json"), ensure_ascii=False,
                                                                        sort_keys=True, separators=(",", ":"))
