"""Accountability in one place against accountability by groups of units (what a Dask evaluation does).

Run from the repository root::

    python tests/benchmarks/bench_account_split.py                          # 10,000 cases; 1, 4 and 16 groups
    python tests/benchmarks/bench_account_split.py --cases 50000 --groups 1,4,16

bench_realistic.py's synthetic year (same cache) and seven rulesets. The year is judged once as a
stream judges it, keeping what accountability reads (``Counted``, the ledger's events, the stopped
clocks' figures) — not timed. Then, in CPU seconds: accountability in one place
(``_accountability.account``), and for each number of groups: dealing two thread partitions'
inputs into the groups (``route``), each group (``account_group``: the sum and the largest) and
putting them together (``combine``), with whether the verdicts, scores, revocations and aggregates
equal those of one place. The largest group is what bounds the time of a Dask evaluation's
accountability once there are workers for every group.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_realistic as bench  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--groups", default="1,4,16", help="comma list of group counts")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "efficiency-rules-bench")
    args = parser.parse_args(argv)

    from efficiency_rules import Engine
    from efficiency_rules._account_split import account_group, combine, route, split_of
    from efficiency_rules._accountability import account

    path, _ = bench.log_for(args.cases, args.cache)
    as_of = bench.as_of_for(2025)
    engine = Engine(bench.RULESETS)
    session, _ = bench.stream_session(engine, path, as_of)
    session._finish(as_of)
    counted = sorted(session._counted, key=lambda c: (c.at, c.id))
    ledger = list(session._ledger)
    figures = session._figures(as_of)
    ids = {c.id for c in counted}
    print(f"{args.cases:,} cases: {len(counted):,} counted verdicts, {len(ledger):,} ledger events, {len(figures):,} clock figures")
    split = split_of(engine)
    if split is None:
        raise SystemExit("these rulesets do not split by subject")

    clock = time.process_time
    started = clock()
    _, given, scores, notes, aggregates = account(engine, counted, ledger, as_of, known=ids.__contains__, figures=figures)
    one = clock() - started
    given.sort(key=lambda v: (v.at, v.id))
    print(f"one place: {one:.2f} CPU s ({one / max(1, len(counted)) * 1e6:.1f} µs per counted verdict); "
          f"{len(given):,} verdicts given, {len(scores):,} scores")

    everywhere = [e for e in ledger if e.type not in split.routed]
    halves = [[c for c in counted if zlib.crc32(c.thread.encode()) % 2 == part] for part in range(2)]
    for groups in (int(n) for n in args.groups.split(",")):
        started = clock()
        dealt = [route(engine, split, halves[part], ledger if part == 0 else [], figures if part == 0 else [], everywhere,
                       as_of, groups) for part in range(2)]
        routing = clock() - started
        times = []
        results = []
        for group in range(groups):
            started = clock()
            results.append(account_group(engine, split, [part[group] for part in dealt], everywhere, as_of, group, groups))
            times.append(clock() - started)
        started = clock()
        together = combine(engine, results, everywhere, as_of, ids.__contains__)
        putting = clock() - started
        same = together == (given, scores, notes, aggregates)
        print(f"{groups:>3} groups: route {routing:.2f} s, groups {sum(times):.2f} s in all (largest {max(times):.2f} s), "
              f"combine {putting:.2f} s; same as one place: {same}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
