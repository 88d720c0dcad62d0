"""Calendar operations per second: add_working_days, working_days_between, deadline.

Run:  python tests/benchmarks/bench_calendar.py [--n 200000] [--repeat 5]
Prints the best of ``--repeat`` runs for each operation (single thread, one core). Target: at least
500,000 add_working_days / working_days_between calls per second.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import random
import time

from efficiency_rules import Calendar


def best_rate(label: str, fn, n: int, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    rate = n / best
    print(f"{label:<32} {rate:>12,.0f} ops/s   ({best * 1e9 / n:,.0f} ns/op)")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rng = random.Random(20261121)
    cal = Calendar.china()
    first, last = dt.date(2005, 1, 1).toordinal(), dt.date(2025, 6, 30).toordinal()
    starts = [dt.date.fromordinal(rng.randint(first, last)) for _ in range(args.n)]
    ends = [dt.date.fromordinal(rng.randint(first, last)) for _ in range(args.n)]
    amounts = [rng.randint(1, 60) for _ in range(args.n)]
    tz = dt.timezone(dt.timedelta(hours=8))
    moments = [dt.datetime.combine(d, dt.time(rng.randint(0, 23), rng.randint(0, 59)), tz) for d in starts]
    pairs = list(zip(starts, amounts, strict=True))
    spans = list(zip(starts, ends, strict=True))
    add, between, deadline = cal.add_working_days, cal.working_days_between, cal.deadline

    print(f"python {platform.python_version()} on {platform.machine()}, n={args.n:,}, best of {args.repeat}")
    a = best_rate("add_working_days", lambda: [add(s, k) for s, k in pairs], args.n, args.repeat)
    b = best_rate("working_days_between", lambda: [between(s, e) for s, e in spans], args.n, args.repeat)
    best_rate("is_working_day", lambda: [cal.is_working_day(s) for s in starts], args.n, args.repeat)
    best_rate("deadline(datetime, '20wd')", lambda: [deadline(m, "20wd") for m in moments], args.n, args.repeat)
    best_rate("deadline(datetime, '2.5wd')", lambda: [deadline(m, "2.5wd") for m in moments], args.n, args.repeat)
    target = 500_000
    print(f"target {target:,} ops/s: add_working_days {'met' if a >= target else 'MISSED'}, "
          f"working_days_between {'met' if b >= target else 'MISSED'}")


if __name__ == "__main__":
    main()
