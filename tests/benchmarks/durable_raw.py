"""The raw durable_rules baseline: bench-rules.yaml written by hand in durable_rules' own DSL.

What a portal developer would write without efficiency_rules to enforce the nine rules of
tests/benchmarks/bench-rules.yaml on a JSON Lines log: each line read with ``json.loads`` (no
validation), the conditions as durable rules (``durable.lang``: ``ruleset``, ``when_all``, ``m``,
``post``, ``delete_state``), the clock and the bookkeeping in plain Python. Only the Chinese
working-day calendar comes from this project (``Calendar.china().deadline``): it is the calendar,
not the engine. ``bench_engine.py`` runs it as the ``durable-raw`` mode; run alone (from the
repository root) it prints the verdicts by rule::

    python tests/benchmarks/durable_raw.py /tmp/bench-20000x1-1.jsonl

How it works
------------
* **Rules.** The six ``on`` rules are durable rules on ``m.type`` and the event's fields; the
  three ``expect`` rules are durable rules on their starting event (``inquiry.received`` only
  ``in_scope``), whose action schedules the expectation. The triggering types are disjoint, so
  an event fires at most one rule and is *posted* (``post``, durable's events): no fact is kept.
* **Count.** ``one-notice-only`` needs the number of ``case.supplement_requested`` of the case so
  far. A developer keeps that where the rest of the case's bookkeeping is, in Python (a dict by
  case, dropped when the case ends: completed, withdrawn or rejected), and posts it in the event
  (``count``) for durable to compare: durable's state would need one live session per case, and
  more than 1,024 cases are open at a time (see Sessions).
* **Time.** Deadlines are ``Calendar.china().deadline(start, "20wd")``; pending expectations sit in
  a heap keyed by the deadline's timestamp, and by thread (``case:<case_id>``,
  ``inquiry:<inquiry_id>``). When an event arrives, the deadlines strictly before its time fall
  due first (a verdict each unless settled); then an event that satisfies or excuses an
  expectation of its thread settles it (a dict from event type to the rules it settles); then
  the event goes to durable. At the end, deadlines before ``as_of`` fall due; events after
  ``as_of`` are skipped. durable's timers are not used: they read the wall clock.
* **Sessions.** durable allows about 1,024 live sessions per ruleset, and more threads than that
  are open at a time, so each event is judged in a session of its own (``sid`` = its thread),
  deleted (``delete_state``) as soon as it is judged. Message ids are unique: the event's ``id``.
  durable 2.0.28 crashes deleting a session in which no action ran (its action context is
  uninitialized), so after an event that fired nothing (``MessageNotHandledException``) an
  ``$end`` message is posted whose rule deletes the session from its action (``c.delete_state()``).
* **durable's quirks.** Its ``Host`` (behind ``post``) starts two polling threads that would run
  pending actions concurrently with ``post`` and has no ``close``: they are stopped at once, so
  every action runs synchronously inside ``post``. It swallows an exception raised in an action
  into the session state: each action records it, and the run raises it.
* Only events of a type some rule triggers on go to durable; the others just pass time and
  settle expectations.
"""

from __future__ import annotations

import datetime as dt
import functools
import heapq
import itertools
import json
import operator
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

CST = dt.timezone(dt.timedelta(hours=8))
AS_OF = dt.datetime(2026, 1, 1, tzinfo=CST)

#: Lawful reasons for a pause (行政许可法 art. 45), as bench-rules.yaml lists them.
PAUSE_REASONS = ("hearing", "tender", "auction", "inspection", "testing", "quarantine", "appraisal", "expert_review", "consultation")
#: The expect rules: rule id -> (limit, event types that satisfy it, event types that excuse it).
EXPECTATIONS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "completed-within-20wd": (
        "20wd",
        ("case.completed",),
        ("case.withdrawn", "case.rejected", "case.paused", "case.extension_granted"),
    ),
    "supplement-notice-within-5wd": (
        "5wd",
        ("case.supplement_requested", "case.accepted", "case.rejected"),
        ("case.withdrawn",),
    ),
    "answer-within-1wd": ("1wd", ("inquiry.answered", "inquiry.referred"), ()),
}
#: Event type -> the expect rules an event of it settles (satisfies or excuses).
SETTLES: dict[str, frozenset[str]] = {
    kind: frozenset(rule for rule, (_, satisfied, excused) in EXPECTATIONS.items() if kind in satisfied + excused)
    for _, satisfied, excused in EXPECTATIONS.values()
    for kind in satisfied + excused
}
#: The event types some durable rule triggers on: only these are posted.
POSTED = frozenset((
    "case.received", "case.accepted", "inquiry.received",  # expectations start
    "case.supplement_requested", "case.paused", "inquiry.referred", "evaluation.submitted", "complaint.verified",
    "case.extension_requested",
))
CASE_ENDS = frozenset(("case.completed", "case.withdrawn", "case.rejected"))
END = "$end"  # the type of the message that closes a session in which no rule fired

_SERIAL = itertools.count(1)  # durable's rulesets are process-wide: one name per run


class _Pending:
    """An expectation waiting for its event (or its deadline)."""

    __slots__ = ("deadline", "rule", "settled", "thread")

    def __init__(self, deadline: float, rule: str, thread: str) -> None:
        self.deadline = deadline
        self.rule = rule
        self.thread = thread
        self.settled = False


class Baseline:
    """One run: the durable ruleset and the Python bookkeeping around it."""

    def __init__(self) -> None:
        from durable.engine import MessageNotHandledException
        from durable.lang import delete_state, get_host, post

        from efficiency_rules import Calendar

        self.calendar = Calendar.china()
        self.verdicts: Counter[str] = Counter()
        self.heap: list[tuple[float, int, _Pending]] = []
        self.pending: dict[str, list[_Pending]] = {}  # thread -> its expectations not yet settled
        self.supplements: dict[str, int] = {}  # case_id -> case.supplement_requested so far
        self.now = AS_OF  # the time of the event being judged
        self.failures: list[BaseException] = []
        self._sequence = itertools.count()
        self.name = f"bench_raw_{next(_SERIAL)}"
        self._define()
        _stop_polling(get_host())  # registers the ruleset, then silences the Host's threads
        self._post = functools.partial(post, self.name)
        self._delete = functools.partial(delete_state, self.name)
        self._not_handled = MessageNotHandledException

    # -- the rules, in durable's DSL -------------------------------------------------------------

    def _define(self) -> None:
        from durable.lang import m, ruleset, when_all

        guard = self._guard

        def emit(rule: str) -> None:
            self.verdicts[rule] += 1

        with ruleset(self.name):
            # on: case.supplement_requested, if count(case.supplement_requested) >= 2
            @when_all((m.type == "case.supplement_requested") & (m.count >= 2))
            @guard
            def one_notice_only(c: Any) -> None:
                emit("one-notice-only")

            # on: case.paused, if reason not in the lawful reasons
            @when_all(functools.reduce(operator.and_, [m.reason != r for r in PAUSE_REASONS], m.type == "case.paused"))
            @guard
            def pause_reason_allowed(c: Any) -> None:
                emit("pause-reason-allowed")

            @when_all((m.type == "inquiry.referred") & -m.to_unit)
            @guard
            def referral_names_unit(c: Any) -> None:
                emit("referral-names-unit")

            @when_all((m.type == "evaluation.submitted") & (m.rating == "unresolved"))
            @guard
            def unresolved_evaluation(c: Any) -> None:
                emit("unresolved-evaluation")

            @when_all(m.type == "complaint.verified")
            @guard
            def verified_complaint(c: Any) -> None:
                emit("verified-complaint")

            @when_all((m.type == "case.extension_requested") & -m.reason)
            @guard
            def extension_needs_reason(c: Any) -> None:
                emit("extension-needs-reason")

            # expect: the starting events schedule their expectation
            @when_all(m.type == "case.accepted")
            @guard
            def completed_within_20wd(c: Any) -> None:
                self.expect("completed-within-20wd", c.m.sid)

            @when_all(m.type == "case.received")
            @guard
            def supplement_notice_within_5wd(c: Any) -> None:
                self.expect("supplement-notice-within-5wd", c.m.sid)

            @when_all((m.type == "inquiry.received") & (m.in_scope == True))  # noqa: E712 - durable's DSL: == builds the test
            @guard
            def answer_within_1wd(c: Any) -> None:
                self.expect("answer-within-1wd", c.m.sid)

            @when_all(m.type == END)
            @guard
            def end(c: Any) -> None:
                c.delete_state()

    def _guard(self, action: Callable[[Any], None]) -> Callable[[Any], None]:
        """durable swallows an action's exception into the session state: record it first."""

        @functools.wraps(action)
        def guarded(c: Any) -> None:
            try:
                action(c)
            except BaseException as exc:
                self.failures.append(exc)
                raise

        return guarded

    # -- the bookkeeping --------------------------------------------------------------------------

    def expect(self, rule: str, thread: str) -> None:
        deadline = self.calendar.deadline(self.now, EXPECTATIONS[rule][0]).timestamp()
        pending = _Pending(deadline, rule, thread)
        self.pending.setdefault(thread, []).append(pending)
        heapq.heappush(self.heap, (deadline, next(self._sequence), pending))

    def pass_time(self, now: float) -> None:
        """Deadlines strictly before ``now`` fall due: a verdict for each expectation not settled."""
        heap = self.heap
        while heap and heap[0][0] < now:
            pending = heapq.heappop(heap)[2]
            if pending.settled:
                continue
            self.verdicts[pending.rule] += 1
            waiting = self.pending[pending.thread]
            waiting.remove(pending)
            if not waiting:
                del self.pending[pending.thread]

    def settle(self, thread: str, rules: frozenset[str]) -> None:
        waiting = self.pending.get(thread)
        if not waiting:
            return
        left = []
        for pending in waiting:
            if pending.rule in rules:
                pending.settled = True
            else:
                left.append(pending)
        if left:
            self.pending[thread] = left
        else:
            del self.pending[thread]

    def judge(self, event: dict[str, Any], thread: str) -> None:
        """Post the event to durable in a session of its own, run its rule, delete the session."""
        event["sid"] = thread
        try:
            self._post(event)
        except self._not_handled:
            self._post({"id": event["id"] + END, "sid": thread, "type": END})  # deletes the session
        else:
            self._delete(thread)
        if self.failures:
            raise RuntimeError(f"event {event['id']}: a durable action raised") from self.failures[0]

    def run(self, path: Path, as_of: dt.datetime = AS_OF) -> int:
        """Judge the log at ``path`` as of ``as_of``; the number of events judged (verdicts: ``self.verdicts``)."""
        as_of_ts = as_of.timestamp()
        events = 0
        loads, parse = json.loads, dt.datetime.fromisoformat
        supplements = self.supplements
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                event = loads(line)
                at = parse(event["at"])
                ts = at.timestamp()
                if ts > as_of_ts:
                    continue
                events += 1
                if self.heap and self.heap[0][0] < ts:
                    self.pass_time(ts)
                self.now = at
                kind = event["type"]
                case_id = event.get("case_id")
                if case_id is not None:
                    thread = f"case:{case_id}"
                elif "inquiry_id" in event:
                    thread = f"inquiry:{event['inquiry_id']}"
                elif "complaint_id" in event:
                    thread = f"complaint:{event['complaint_id']}"
                else:
                    thread = f"event:{event['id']}"
                rules = SETTLES.get(kind)
                if rules is not None:
                    self.settle(thread, rules)
                if kind == "case.supplement_requested":
                    event["count"] = supplements[case_id] = supplements.get(case_id, 0) + 1
                elif kind in CASE_ENDS:
                    supplements.pop(case_id, None)
                if kind in POSTED:
                    self.judge(event, thread)
        self.pass_time(as_of_ts)
        return events


def _stop_polling(host: Any) -> None:
    """Stop the two polling threads a durable ``Host`` starts (and never stops).

    They call ``start_action`` every 0.2 s and would run an action posted from this thread
    concurrently with its ``post`` (and its session's deletion). Each is a chain of
    ``threading.Timer``: cancel the pending one until no new one replaces it.
    """
    for attribute in ("_d_timer", "_t_timer"):
        while True:
            timer = getattr(host, attribute)
            timer.cancel()
            timer.join()
            if getattr(host, attribute) is timer:
                break


def run(path: Path) -> tuple[int, int]:
    """``bench_engine``'s mode: (events judged, verdicts)."""
    baseline = Baseline()
    events = baseline.run(path)
    return events, sum(baseline.verdicts.values())


def main() -> None:
    baseline = Baseline()
    events = baseline.run(Path(sys.argv[1]))
    print(f"{events:,} events, {sum(baseline.verdicts.values()):,} verdicts")
    for rule, n in sorted(baseline.verdicts.items()):
        print(f"  {rule:<30} {n:>8,}")


if __name__ == "__main__":
    main()
