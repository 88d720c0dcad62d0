"""Where a Dask evaluation spends its time, task by task (extra ``dask``).

Run from the repository root::

    python tests/benchmarks/bench_dask_tasks.py                 # 2,000 cases
    python tests/benchmarks/bench_dask_tasks.py --cases 10000

bench_realistic.py's synthetic year and seven rulesets, on a LocalCluster of ``--workers`` processes
(one thread each) started beforehand: ``efficiency_rules.dask.evaluate`` with ``4 × workers``
partitions, the thread partitions computed first, then ``to_report``. Prints the wall time of each
phase and, from the scheduler's task stream (``distributed.get_task_stream``), the seconds each kind
of task spent computing and transferring its inputs, summed over tasks.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_realistic as bench  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "efficiency-rules-bench")
    args = parser.parse_args(argv)
    from distributed import Client, LocalCluster, get_task_stream

    from efficiency_rules import dask as on_dask

    path, _ = bench.log_for(args.cases, args.cache)
    as_of = bench.as_of_for(bench.GENERATOR["year"])
    rulesets = [str(p) for p in bench.RULESETS]
    with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster, \
            Client(cluster) as client:
        size = os.path.getsize(path)
        with get_task_stream(client) as stream:
            started = time.perf_counter()
            report = on_dask.evaluate(rulesets, path, as_of=as_of, partitions=4 * args.workers,
                                      block_size=max(1 << 20, -(-size // (2 * args.workers))))
            built = time.perf_counter()
            client.gather(client.compute(report.parts()))
            judged = time.perf_counter()
            result = report.to_report(client)
            done = time.perf_counter()
        spent: Counter[tuple[str, str]] = Counter()
        tasks: Counter[tuple[str, str]] = Counter()
        for task in stream.data:
            key = task["key"][0] if isinstance(task["key"], tuple) else task["key"]
            name = str(key).rsplit("-", 1)[0]
            for part in task["startstops"]:
                spent[(name, part["action"])] += part["stop"] - part["start"]
                tasks[(name, part["action"])] += 1
    print(f"{args.cases:,} cases, {len(result.verdicts):,} verdicts, {args.workers} workers: building the graph "
          f"{built - started:.1f} s, reading and judging the thread partitions {judged - built:.1f} s, "
          f"to_report (accountability, gathering) {done - judged:.1f} s (wall)")
    for (name, action), seconds in spent.most_common(12):
        print(f"  {seconds:7.2f} s  {tasks[(name, action)]:4d} × {name} ({action})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
