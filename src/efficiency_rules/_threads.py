"""Thread state: what a session holds of one thread (a case, an inquiry…) while it is open."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, final

from ._clocks import ClockPolicy, ClockTrace
from ._events import Event
from ._text import Phrase

if TYPE_CHECKING:
    from ._engine import _Version

__all__ = ["_Pending", "_Thread", "_Wake"]


@final  # the session tells the two kinds of heap entry apart by type() alone
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
    fields: dict[str, Phrase] = field(default_factory=dict)  # the start event's fields its message names


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
    # the traces of a shorter log, and when each clock was next due then (``due`` of that log)
    earlier: tuple[int, dict[tuple[int, str], list[ClockTrace | None]], dict[tuple[int, str], float]] = (0, {}, {})
    # (version, time limit) -> when its clock next gives a verdict (or changes meaning), while the log is unchanged
    due: dict[tuple[int, str], float] = field(default_factory=dict)
    # (version, its index, time limit, mark) of the time limits that may apply (the case's matter rules others out)
    clocks: list[tuple[_Version, int, ClockPolicy, tuple[int, str]]] | None = None
    firsts: dict[str, list[Any]] = field(default_factory=dict)  # "type|field" -> that list field of the thread's first event of it
    lasts: dict[str, dict[str, Any]] = field(default_factory=dict)  # type -> the fields rules read ('of') of its latest event of it


@final
class _Wake:
    """A thread's clocks need a look when time reaches this entry of the deadline heap."""

    __slots__ = ("thread",)

    def __init__(self, thread: str) -> None:
        self.thread = thread
