"""Business hours (办公时间): the sessions of a working day in which working time runs."""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field

from ._errors import CalendarError

__all__ = ["BusinessHours"]

_SESSION = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–~]\s*(\d{1,2}):(\d{2})\s*$")


def _seconds(t: dt.time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


@dataclass(frozen=True)
class BusinessHours:
    """The sessions of a working day, e.g. 09:00–12:00 and 13:30–17:30 (the default).

    Hour limits counted in working time (``7.5wh``) and fractions of working days (``2.5wd``)
    run only inside these sessions; a day-based period ends at the close of the last session.
    """

    sessions: tuple[tuple[dt.time, dt.time], ...] = ((dt.time(9, 0), dt.time(12, 0)), (dt.time(13, 30), dt.time(17, 30)))
    # Worked out from the sessions: their starts and ends in seconds of the day, and the working
    # seconds before each session.
    _starts: list[int] = field(init=False, repr=False, compare=False)
    _ends: list[int] = field(init=False, repr=False, compare=False)
    _cumulative: list[int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        sessions = tuple(self.sessions)
        if not sessions:
            raise CalendarError("business hours need at least one session, e.g. '09:00-12:00,13:30-17:30'")
        previous_end = -1
        for start, end in sessions:
            if not (isinstance(start, dt.time) and isinstance(end, dt.time)):
                raise CalendarError(f"a business-hours session is two times, got {start!r}–{end!r}")
            if start.tzinfo is not None or end.tzinfo is not None:
                raise CalendarError("business hours are local wall-clock times: give them without a timezone")
            if _seconds(start) >= _seconds(end):
                raise CalendarError(f"session {start:%H:%M}–{end:%H:%M} ends before it starts")
            if _seconds(start) < previous_end:
                raise CalendarError(f"session starting {start:%H:%M} overlaps or precedes the one before it")
            previous_end = _seconds(end)
        object.__setattr__(self, "sessions", sessions)
        starts = [_seconds(s) for s, _ in sessions]
        ends = [_seconds(e) for _, e in sessions]
        cumulative = [0]
        for s, e in zip(starts, ends, strict=True):
            cumulative.append(cumulative[-1] + e - s)
        object.__setattr__(self, "_starts", starts)
        object.__setattr__(self, "_ends", ends)
        object.__setattr__(self, "_cumulative", cumulative)

    @classmethod
    def parse(cls, text: str | Iterable[str]) -> BusinessHours:
        """Read ``"09:00-12:00,13:30-17:30"`` (or a list of ``"HH:MM-HH:MM"`` strings)."""
        parts = text.split(",") if isinstance(text, str) else list(text)
        sessions = []
        for part in parts:
            match = _SESSION.match(part)
            if match is None:
                raise CalendarError(f"cannot read business-hours session {part!r}: expected HH:MM-HH:MM, e.g. 09:00-12:00")
            h1, m1, h2, m2 = (int(g) for g in match.groups())
            try:
                end = dt.time(23, 59, 59, 999999) if (h2, m2) == (24, 0) else dt.time(h2, m2)
                sessions.append((dt.time(h1, m1), end))
            except ValueError as exc:
                raise CalendarError(f"invalid time in business-hours session {part!r}: {exc}") from None
        return cls(tuple(sessions))

    @property
    def seconds_per_day(self) -> int:
        """Working seconds in one working day (7 hours = 25,200 for the default)."""
        return self._cumulative[-1]

    @property
    def opening(self) -> dt.time:
        """When the first session starts."""
        return self.sessions[0][0]

    @property
    def closing(self) -> dt.time:
        """When the last session ends: the close of business that ends a day-based period."""
        return self.sessions[-1][1]

    def elapsed(self, t: dt.time) -> int:
        """Working seconds of a working day that have passed at wall-clock time ``t``."""
        s = t.hour * 3600 + t.minute * 60 + t.second
        i = bisect_right(self._starts, s) - 1
        if i < 0:
            return 0
        return self._cumulative[i] + min(s, self._ends[i]) - self._starts[i]

    def time_at(self, offset: int) -> dt.time:
        """The wall-clock time when ``offset`` working seconds of the day have passed.

        ``0 < offset <= seconds_per_day``; an offset that ends exactly at a session's end gives
        that end (the instant the time runs out), not the next session's start.
        """
        cumulative = self._cumulative
        i = bisect_right(cumulative, offset - 1) - 1 if offset > 0 else 0
        s = self._starts[i] + offset - cumulative[i]
        return dt.time(s // 3600, s % 3600 // 60, s % 60)

    def __str__(self) -> str:
        return ",".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in self.sessions)
