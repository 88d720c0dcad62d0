"""Rolling windows (``{days: N}``, ``{working_days: N}``) over many items: the verdicts they give are
pinned (tests/data/accountability-rolling.yaml), and the one-pass windowing is compared with the
plain definition — at each item, the slice of the items since N days before it — on random items."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from efficiency_rules import Calendar, Engine
from efficiency_rules._accountability import _Item, _rolling
from efficiency_rules._ruleset_schema import RollingWindow

DATA = Path(__file__).resolve().parent / "data" / "accountability-rolling.yaml"
CST = dt.timezone(dt.timedelta(hours=8))
AS_OF = dt.datetime(2025, 1, 1, tzinfo=CST)


def ev(event_id: str, kind: str, at: dt.datetime, **fields: Any) -> dict[str, Any]:
    return {"id": event_id, "type": kind, "at": at.isoformat(), **fields}


def log() -> list[dict[str, Any]]:
    """A year of cases and fees for two units, in bursts and lulls (random.random() is the same on
    every Python version for a seed), with items at the same instant and exactly a window apart."""
    rng = random.Random(20240101)
    t0 = dt.datetime(2024, 1, 2, 9, 0, tzinfo=CST)
    events = [
        ev("o1", "org.unit_leaders", t0, unit="u1", deputy="d1", principal="p1"),
        ev("o2", "org.unit_leaders", t0, unit="u2", deputy="d2", principal="p2"),
        ev("o3", "org.staff_assigned", t0, staff="s1", unit="u1"),
        ev("o4", "org.staff_assigned", t0, staff="s2", unit="u1"),
        ev("o5", "org.staff_assigned", t0, staff="s3", unit="u2"),
        ev("o6", "org.staff_assigned", dt.datetime(2024, 7, 1, 9, 0, tzinfo=CST), staff="s2", unit="u2"),
    ]
    at = t0
    for i in range(420):
        r = rng.random()
        if r < 0.08:
            gap = dt.timedelta(0)  # the same instant as the one before
        elif r < 0.6:
            gap = dt.timedelta(hours=int(rng.random() * 12), minutes=int(rng.random() * 60))
        elif r < 0.95:
            gap = dt.timedelta(days=1 + int(rng.random() * 2), minutes=int(rng.random() * 600))
        else:
            gap = dt.timedelta(days=5 + int(rng.random() * 12))
        at = at + gap
        if at >= dt.datetime(2024, 12, 28, tzinfo=CST):
            break
        r = rng.random()
        outcome = "late" if r < 0.5 else "slow" if r < 0.8 else "approved"
        staff = ("s1", "s2", "s3")[int(rng.random() * 3)]
        events.append(ev(f"c{i:03d}", "case.completed", at, case_id=f"C{i:03d}", outcome=outcome, actor=staff))
        if rng.random() < 0.45:
            amount = (120, 35.5, 0.1, 99.99, 250, 400.25, 1e-3)[int(rng.random() * 7)]
            item = "exempt" if rng.random() < 0.1 else "licence"
            unit = ("u1", "u2")[int(rng.random() * 2)]
            events.append(ev(f"f{i:03d}", "fee.collected", at + dt.timedelta(minutes=5), item=item, amount=amount, unit=unit))
    # exactly a window apart: 30 and 14 days after a late case of s1 (u1), and 7 days after that
    edge = dt.datetime(2024, 3, 4, 10, 0, tzinfo=CST)
    for k, days in enumerate((0, 7, 14, 30, 37)):
        events.append(ev(f"e{k}", "case.completed", edge + dt.timedelta(days=days), case_id=f"E{k}", outcome="late", actor="s1"))
    return events


def summary(report: Any) -> dict[str, tuple[int, str]]:
    """Per rule: how many verdicts, and a digest of all of them (ids, times, facts, points…) in report order."""
    by_rule: dict[str, list[Any]] = {}
    for verdict in report.verdicts:
        by_rule.setdefault(verdict.rule, []).append(verdict.model_dump(mode="json"))
    by_rule["scores"] = [score.model_dump(mode="json") for score in report.scores]
    return {rule: (len(dumps), hashlib.sha256(json.dumps(dumps, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16])
            for rule, dumps in sorted(by_rule.items())}


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine([DATA])


# Re-pinned when messages came to be rendered for people (单位：u1, 2024年2月29日02:58…): with the
# message texts taken out, every verdict and score is the one pinned before.
PINNED = {
    "deductions-5-in-14-days": (18, "b98fa4b5ed7cde1f"),
    "fees-over-500-in-5-wd": (11, "5ac19c4ad6b6dfaf"),
    "ladder-10wd": (164, "ef68c2eabd515a4f"),
    "ladder-30d": (164, "6ac3c240e1db0732"),
    "late": (164, "818098d9bd692ef2"),
    "late-repeat": (3, "35b57402bca8de82"),
    "late-thrice-in-30-days": (4, "fd0a5a4901eec4e2"),
    "late-twice-exactly": (4, "64410a828e03790e"),
    "late-twice-in-10-wd": (24, "66c7ee380e2e5959"),
    "once-in-10-wd": (24, "ab333638508ff41f"),
    "points-back-above-minus-1": (15, "93b78e3666314467"),
    "scores": (8, "7f19be2df8e8fac1"),
    "slow": (96, "f54703eb3f289ce5"),
}
PINNED_AFTER_REVOCATIONS = {
    "deductions-5-in-14-days": (18, "f7d1eae1ab222c14"),
    "fees-over-500-in-5-wd": (11, "5ac19c4ad6b6dfaf"),
    "ladder-10wd": (146, "2174e0b70b51d8fc"),
    "ladder-30d": (146, "de3cc12222818798"),
    "late": (146, "1a07a8b41015f28a"),
    "late-repeat": (3, "35b57402bca8de82"),
    "late-thrice-in-30-days": (4, "5fbeb6c53e8ef52e"),
    "late-twice-exactly": (4, "fa6e8ee2b85e4ab9"),
    "late-twice-in-10-wd": (25, "cb58d055a052f32d"),
    "once-in-10-wd": (25, "2db582a59c29750f"),
    "points-back-above-minus-1": (20, "344776c20ca8e4b3"),
    "scores": (8, "e8f5146e07049b58"),
    "slow": (96, "f54703eb3f289ce5"),
}


def test_rolling_windows_give_the_pinned_verdicts(engine: Engine) -> None:
    events = log()
    assert Counter(e["type"] for e in events)["case.completed"] == 316
    report = engine.evaluate(events, as_of=AS_OF)
    # thresholds come to hold, stop holding and hold again, for each subject
    fired = Counter((v.rule, v.thread) for v in report.verdicts)
    assert fired[("late-twice-in-10-wd", "staff:s1")] == fired[("once-in-10-wd", "staff:s1")] == 8
    assert (fired[("deductions-5-in-14-days", "unit:u1")], fired[("fees-over-500-in-5-wd", "unit:u2")]) == (9, 8)
    first = next(v for v in report.verdicts if v.rule == "fees-over-500-in-5-wd" and v.thread == "unit:u1")
    facts = {f.en: f.value for f in first.explanation.facts}
    assert (first.trigger, facts["window"], facts["count"]) == ("f044", "to f044", "fees-5wd = 500.341 (> 500)")
    assert facts["counted"] == ("f035@2024-02-24T02:33+08:00, f037@2024-02-26T09:27+08:00, f041@2024-02-28T12:40+08:00, "
                                "f044@2024-02-29T02:58+08:00")
    assert summary(report) == PINNED


def test_rolling_windows_after_revocations_give_the_pinned_verdicts(engine: Engine) -> None:
    events = log()
    late = [v.id for v in engine.evaluate(events, as_of=AS_OF).verdicts if v.rule == "late"]
    revoked = [ev(f"rv{i}", "verdict.revoked", AS_OF - dt.timedelta(days=1), verdict_id=vid, reason="申诉成立")
               for i, vid in enumerate(late[5::9])]
    assert summary(engine.evaluate(events + revoked, as_of=AS_OF)) == PINNED_AFTER_REVOCATIONS


# -- the one-pass windowing against the plain definition ----------------------------------------

CALENDAR = Calendar.china()
UTC = dt.UTC


def reference(items: list[_Item], window: RollingWindow, calendar: Calendar) -> list[tuple[list[str], float]]:
    """At each item, the slice of the items since the window's length before it, and the running total
    of its values: the windowing as it was written first (a slice per item, added up again)."""

    def in_rolling(item: _Item, end: _Item) -> bool:
        if window.days is not None:
            return end.at - dt.timedelta(days=window.days) < item.at
        start_day = calendar.add_working_days(calendar.local(end.at).date(), -(window.working_days or 0))
        return calendar.local(item.at).date() > start_day

    out = []
    first = 0
    for i, item in enumerate(items):
        while not in_rolling(items[first], item):
            first += 1
        total = 0.0
        for x in items[first : i + 1]:
            total += x.value
        out.append(([x.id for x in items[first : i + 1]], total))
    return out


values = st.one_of(
    st.just(1.0),                                              # a count
    st.sampled_from([-2.0, -0.5, 2.0, 0.5, -5.0, 0.0, -0.0]),  # points, deductions
    st.sampled_from([0.1, 99.99, 1e-3, 35.5, 1e16, 2.0**60, 1e-300]),  # amounts whose sums round
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-10**6, max_value=10**6).map(float),
)
moments = st.tuples(
    st.integers(min_value=0, max_value=120 * 24 * 60),      # minutes into the window of dates below
    st.sampled_from([CST, UTC, dt.timezone(dt.timedelta(hours=-5))]),
)
windows = st.one_of(st.builds(RollingWindow, days=st.integers(min_value=1, max_value=40)),
                    st.builds(RollingWindow, working_days=st.integers(min_value=1, max_value=15)))


@st.composite
def subject_items(draw: st.DrawFn) -> list[_Item]:
    """One subject's items in the order the ledger sorts them: by timestamp, then id. Several may share
    an instant; the dates cross the 2024 Spring Festival (a long run of days off and make-up workdays)."""
    start = dt.datetime(2024, 1, 20, tzinfo=CST)
    drawn = draw(st.lists(st.tuples(moments, values), max_size=60))
    found = []
    for k, ((minutes, zone), value) in enumerate(drawn):
        at = (start + dt.timedelta(minutes=minutes)).astimezone(zone)
        found.append(_Item(f"i{k:02d}", at.timestamp(), at, {"unit": "u1"}, value=value))
    found.sort(key=lambda item: (item.ts, item.id))
    return found


@settings(max_examples=400)
@given(subject_items(), windows)
def test_one_pass_rolling_windows_are_the_slices_and_their_running_totals(items: list[_Item], window: RollingWindow) -> None:
    got = [([x.id for x in items[first:end]], total) for first, end, total in _rolling(items, window, CALENDAR)]
    expected = reference(items, window, CALENDAR)
    assert [ids for ids, _ in got] == [ids for ids, _ in expected]
    # the totals bit for bit (0.1 + 0.2 is not 0.3; nan is nan; 0.0 is not -0.0)
    assert [total.hex() for _, total in got] == [total.hex() for _, total in expected]


def test_long_windows_in_one_pass_keep_exact_totals() -> None:
    # 3,000 items a day apart in a 400-day window (so items leave it from item 400 on), worth 1,
    # points of -0.5 and -2, and 0.1 (whose sums round: the slice is added up again)
    start = dt.datetime(2010, 1, 1, 9, 0, tzinfo=CST)
    for pattern in ([1.0], [-0.5, -2.0, -2.0], [0.1, 2.0]):
        items = [_Item(f"i{k:04d}", (start + dt.timedelta(days=k)).timestamp(), start + dt.timedelta(days=k), {},
                       value=pattern[k % len(pattern)]) for k in range(3000)]
        for window in (RollingWindow(days=400), RollingWindow(working_days=250)):
            got = [(first, end, total.hex()) for first, end, total in _rolling(items, window, CALENDAR)]
            expected = [(int(ids[0][1:]), int(ids[-1][1:]) + 1, total.hex()) for ids, total in reference(items, window, CALENDAR)]
            assert got == expected
