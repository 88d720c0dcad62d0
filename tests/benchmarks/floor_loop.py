"""The floor: one statutory clock worked out by a hand-written pure-Python loop, without the library.

``licence_overdue(path, as_of, working_days)`` reads a synth.py log line by line (``json.loads``)
and works out the licensing decision clock of rulesets/cn/xzxk.yaml (``time_limits.licence``):
20 working days from acceptance (the start day not counted), or from receipt when the applicant
was not answered within 5 working days of it (deemed acceptance); pauses for the grounds of
art. 45 not counted (other grounds change nothing); an extension counted when the agency head
granted it before the deadline, at most 10 working days in all; stopped by completion, rejection
or withdrawal. It gives the cases judged overdue and their deadlines: what the engine's
``licence.overdue`` verdicts say, and nothing else (no other clock, no rule, no explanation, no
accountability).

All arithmetic is on integers: POSIX seconds, and "working seconds" counted inside the business
hours (09:00–12:00 and 13:30–17:30, China Standard Time) of the working days the caller passes in
— the one thing taken from the library, once, before the loop: a table of which days are working
days, as a hand-written program would embed it. It is the lower bound of what judging one clock
of the realistic workload costs in Python, printed beside the engine by bench_realistic.py
(mode ``loop``), which also checks that it finds the engine's own verdicts.
"""

from __future__ import annotations

import datetime as dt
import json
from bisect import bisect_right
from collections.abc import Iterable
from pathlib import Path

#: China Standard Time, in seconds east of UTC (no daylight saving).
OFFSET = 8 * 3600
DAY = 86400
#: The business day: 09:00–12:00 and 13:30–17:30 (seconds of the day), 7 working hours.
MORNING, NOON, AFTERNOON, CLOSE = 9 * 3600, 12 * 3600, 13 * 3600 + 1800, 17 * 3600 + 1800
PER_DAY = (NOON - MORNING) + (CLOSE - AFTERNOON)
LIMIT, NOTICE, EXTENSION_CAP = 20, 5, 10  # working days
GROUNDS = frozenset(("hearing", "tender", "auction", "inspection", "testing", "quarantine", "appraisal", "expert_review"))
EXCLUDED_MATTERS = frozenset(("unified-handling", "joint-handling", "centralised-handling"))
ANSWERS = frozenset(("case.supplement_requested", "case.accepted", "case.rejected", "case.withdrawn", "case.completed"))
STOPS = frozenset(("case.completed", "case.rejected", "case.withdrawn"))
KEPT = ANSWERS | STOPS | frozenset(("case.received", "case.paused", "case.resumed", "case.extension_granted"))


class Days:
    """Working-day positions over a span of local days: ``working[i]`` for the ``i``-th day from ``first``."""

    def __init__(self, first: dt.date, working: Iterable[bool]) -> None:
        flags = list(working)
        self.base = (first - dt.date(1970, 1, 1)).days  # local days since the epoch of ``first``
        self.working = flags
        self.cumulative: list[int] = []  # working days up to and including day i
        self.days: list[int] = []  # the local day number (since the epoch) of the k-th working day
        n = 0
        for i, flag in enumerate(flags):
            if flag:
                n += 1
                self.days.append(self.base + i)
            self.cumulative.append(n)

    def position(self, ts: int) -> int:
        """Working seconds from the start of the table to the instant ``ts``."""
        local = ts + OFFSET
        i = local // DAY - self.base
        before = self.cumulative[i] - self.working[i]
        if not self.working[i]:
            return before * PER_DAY
        s = local % DAY
        if s <= MORNING:
            elapsed = 0
        elif s <= NOON:
            elapsed = s - MORNING
        elif s <= AFTERNOON:
            elapsed = NOON - MORNING
        elif s <= CLOSE:
            elapsed = NOON - MORNING + s - AFTERNOON
        else:
            elapsed = PER_DAY
        return before * PER_DAY + elapsed

    def end_of_day(self, ts: int) -> int:
        """The position of the close of business of ``ts``'s local day (of the last working day before it if a day off)."""
        return self.cumulative[(ts + OFFSET) // DAY - self.base] * PER_DAY

    def instant(self, position: int) -> int:
        """The earliest instant (POSIX seconds) at which ``position`` working seconds have passed."""
        k, offset = divmod(position, PER_DAY)
        if offset == 0:
            k, offset = k - 1, PER_DAY
        s = MORNING + offset if offset <= NOON - MORNING else AFTERNOON + offset - (NOON - MORNING)
        return self.days[k] * DAY + s - OFFSET


def _ts(text: str) -> int:
    return int(dt.datetime.fromisoformat(text).timestamp())


def licence_overdue(path: Path, as_of: dt.datetime, days: Days) -> tuple[int, dict[str, int]]:
    """(events read, {case id: its deadline in POSIX seconds} for every case overdue at ``as_of``)."""
    # case id -> (instant, event id, type, reason or approver, duration) of its events the clock reads
    cases: dict[str, list[tuple[int, str, str, str, str]]] = {}
    matters: dict[str, str] = {}
    events = 0
    loads = json.loads
    with path.open("rb") as lines:
        for line in lines:
            if not line.strip():
                continue
            event = loads(line)
            events += 1
            kind = event["type"]
            if kind not in KEPT:
                continue
            case = event["case_id"]
            matter = event.get("matter")
            if matter is not None and case not in matters:
                matters[case] = matter
            found = cases.get(case)
            if found is None:
                found = cases[case] = []
            found.append((_ts(event["at"]), event["id"], kind, event.get("reason") or event.get("approver") or "",
                          event.get("duration") or ""))
    now = int(as_of.timestamp())
    overdue: dict[str, int] = {}
    for case, log in cases.items():
        if matters.get(case) in EXCLUDED_MATTERS:
            continue
        log.sort()
        deadline = _deadline(log, now, days)
        if deadline is not None:
            stop = next((ts for ts, _, kind, _, _ in log if kind in STOPS), None)
            if (stop if stop is not None else now) > deadline and deadline < now:
                overdue[case] = deadline
    return events, overdue


def _deadline(log: list[tuple[int, str, str, str, str]], now: int, days: Days) -> int | None:
    """The deadline of one case's licence clock (``None``: not started, or paused at the deadline)."""
    received = next((ts for ts, _, kind, _, _ in log if kind == "case.received"), None)
    start_i: int | None = None
    for i, (_, _, kind, _, _) in enumerate(log):
        if kind == "case.accepted":
            start_i = i
            break
    if received is not None:
        notice_due = days.instant(days.end_of_day(received) + NOTICE * PER_DAY)
        answered = next((ts for ts, _, kind, _, _ in log if kind in ANSWERS), None)
        if (answered is None or answered > notice_due) and notice_due < now:
            start_i = next(i for i, (_, _, kind, _, _) in enumerate(log) if kind == "case.received")
    if start_i is None:
        return None
    origin = days.end_of_day(log[start_i][0])
    budget = LIMIT * PER_DAY
    extension = 0
    excluded: list[tuple[int, int | None]] = []
    open_grounds: set[str] = set()

    def target() -> int | None:
        end = origin + budget + extension
        for a, b in excluded:
            a = max(a, origin)
            if b is not None and b <= origin:
                continue
            if a <= end:
                if b is None:
                    return None
                end += b - a
            else:
                break
        return end

    for ts, _, kind, reason, duration in log[start_i + 1 :]:
        if kind in STOPS:
            break
        if kind == "case.paused":
            if reason in GROUNDS:
                if not open_grounds:
                    excluded.append((days.position(ts), None))
                open_grounds.add(reason)
        elif kind == "case.resumed":
            if open_grounds:
                if reason in open_grounds:
                    open_grounds.discard(reason)
                else:
                    open_grounds.clear()
                if not open_grounds:
                    a = excluded[-1][0]
                    excluded[-1] = (a, max(days.position(ts), a))
        elif kind == "case.extension_granted":
            end = target()
            due = None if end is None else days.instant(end)
            amount = int(duration[:-2]) * PER_DAY if duration.endswith("wd") and duration[:-2].isdigit() else None
            if (reason == "agency_head" and not (due is not None and ts > due) and amount is not None
                    and extension + amount <= EXTENSION_CAP * PER_DAY):
                extension += amount
    end = target()
    return None if end is None else days.instant(end)


def days_from_library(first: dt.date, last: dt.date) -> Days:
    """The working days of the statutory calendar (the library's), ``first`` to ``last`` inclusive."""
    from efficiency_rules import Calendar

    calendar = Calendar.china()
    span = (last - first).days + 1
    return Days(first, (calendar.is_working_day(first + dt.timedelta(days=i)) for i in range(span)))


def bisect_check(days: Days) -> None:
    """``instant`` inverts ``position`` at the close of every working day (tests/test_floor_loop.py)."""
    for k, day in enumerate(days.days):
        close = day * DAY + CLOSE - OFFSET
        assert days.position(close) == (k + 1) * PER_DAY
        assert days.instant((k + 1) * PER_DAY) == close
        assert bisect_right(days.days, day) == k + 1
