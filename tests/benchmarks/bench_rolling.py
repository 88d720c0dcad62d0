"""What a rolling-window counter costs as the verdicts it counts grow: 1,000, 4,000, 16,000.

Run from the repository root::

    python tests/benchmarks/bench_rolling.py [--sizes 1000,4000,16000] [--repeat 3] [--window days|working_days] [--ladder]

One unit, u1, and N late cases in 2024, evenly spread; each gives a ``late`` verdict, and an
accountability counter counts them per unit in a rolling window (``{days: 365}``, or
``{working_days: 250}`` with ``--window working_days``), so the last windows hold nearly all N.
A threshold rule reads the counter (two in a window: it comes to hold at the second verdict and
then holds, so it gives one verdict). With ``--ladder`` a ladder reads it too, and gives a verdict
at every item (its step is the count): N more verdicts to build.

For each size it prints the CPU seconds (``time.process_time``, best of ``--repeat``) of
``Engine.evaluate`` over the whole log, and of the accountability part alone
(``apply_accountability``, timed inside the same run), then the fitted exponent of each: the
slope of log(seconds) against log(N), least squares over the sizes. 1 is linear; 2 quadratic.
It prints the accountability part per counted verdict too (µs), which stays flat when it is linear.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import platform
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import efficiency_rules._engine as engine_module
from efficiency_rules import Engine

CST = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2024, 1, 1, tzinfo=CST)
AS_OF = dt.datetime(2025, 1, 1, tzinfo=CST)
WINDOWS = {"days": "{days: 365}", "working_days": "{working_days: 250}"}
RULESET = """id: bench.rolling
title: 滚动窗口
version: "1"
effective: {{from: 2004-01-01}}
references:
  r1: {{citation: 测试, text: 测试条款}}
verdicts:
  late: {{kind: violation, points: -1, subjects: [actor, unit], cites: [r1], message: "{{thread}} 超期"}}
  repeat-late: {{kind: warning, cites: [r1], message: "{{thread}} 一年内第{{count}}次超期"}}
  talk: {{kind: sanction, sanction: 诫勉谈话, cites: [r1], message: "{{thread}} 诫勉谈话"}}
rules:
  - id: late
    on: case.completed
    if: {{field: outcome, op: "==", value: late}}
    verdict: late
accountability:
  counters:
    late-rolling: {{verdicts: {{rules: [late]}}, per: unit, window: {window}}}
  rules:
    - {{id: twice-in-a-year, when: {{counter: late-rolling, op: ">=", value: 2}}, verdict: repeat-late}}
"""
LADDER = """  ladders:
    - {id: ladder, counter: late-rolling, steps: [talk]}
"""


def events(n: int) -> list[dict[str, Any]]:
    """The organisation, then ``n`` late cases of u1 spread evenly over 2024 (366 days)."""
    step = dt.timedelta(days=366) / n
    out: list[dict[str, Any]] = [{"id": "o1", "type": "org.unit_leaders", "at": "2023-12-01T09:00:00+08:00",
                                  "unit": "u1", "deputy": "d1", "principal": "p1"}]
    for i in range(n):
        at = START + step * i
        out.append({"id": f"c{i:05d}", "type": "case.completed", "at": at.isoformat(), "case_id": f"C{i:05d}",
                    "outcome": "late", "actor": "s1", "unit": "u1"})
    return out


def measure(engine: Engine, log: list[dict[str, Any]], repeat: int) -> tuple[float, float, int]:
    """Best CPU seconds of the whole evaluation and of its accountability part; verdicts given."""
    original: Callable[..., Any] = engine_module.apply_accountability
    spent = [0.0]

    def timed(*args: Any, **kwargs: Any) -> Any:
        t0 = time.process_time()
        try:
            return original(*args, **kwargs)
        finally:
            spent[0] += time.process_time() - t0

    best_total = best_part = math.inf
    verdicts = 0
    engine_module.apply_accountability = timed  # type: ignore[assignment]
    try:
        for _ in range(repeat):
            spent[0] = 0.0
            t0 = time.process_time()
            report = engine.evaluate(log, as_of=AS_OF)
            best_total = min(best_total, time.process_time() - t0)
            best_part = min(best_part, spent[0])
            verdicts = len(report.verdicts)
    finally:
        engine_module.apply_accountability = original  # type: ignore[assignment]
    return best_total, best_part, verdicts


def slope(sizes: list[int], seconds: list[float]) -> float:
    """Least-squares slope of log(seconds) against log(size)."""
    xs = [math.log(n) for n in sizes]
    ys = [math.log(max(s, 1e-9)) for s in seconds]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum((x - mx) ** 2 for x in xs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,4000,16000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--window", choices=sorted(WINDOWS), default="days")
    parser.add_argument("--ladder", action="store_true", help="a ladder reads the counter too (a verdict per item)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rolling.yaml"
        path.write_text(RULESET.format(window=WINDOWS[args.window]) + (LADDER if args.ladder else ""), encoding="utf-8")
        engine = Engine([path])
    print(f"python {platform.python_version()} on {platform.machine()}; window {WINDOWS[args.window]}; "
          f"{'a threshold and a ladder' if args.ladder else 'a threshold'}; CPU seconds, best of {args.repeat}")
    print(f"{'verdicts counted':>16} {'verdicts given':>15} {'evaluate':>10} {'accountability':>15} {'µs per counted':>15}")
    totals, parts = [], []
    for n in sizes:
        total, part, given = measure(engine, events(n), args.repeat)
        totals.append(total)
        parts.append(part)
        print(f"{n:>16,} {given:>15,} {total:>10.3f} {part:>15.3f} {part / n * 1e6:>15.1f}")
    if len(sizes) > 1:
        print(f"fitted exponent (log-log slope): evaluate {slope(sizes, totals):.2f}, "
              f"accountability {slope(sizes, parts):.2f} (1 is linear, 2 quadratic)")


if __name__ == "__main__":
    main()
