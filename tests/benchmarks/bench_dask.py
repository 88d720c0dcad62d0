"""The realistic workload on one process, on ``evaluate --workers 2`` and on a LocalCluster of 2 processes.

Run from the repository root (extra ``dask``)::

    python tests/benchmarks/bench_dask.py                      # 50,000 cases, one run of each mode
    python tests/benchmarks/bench_dask.py --cases 10000 --runs 3 --json

The events are bench_realistic.py's synthetic year (same generator arguments, same cache), judged
with its seven rulesets as of 5 January of the next year. Each mode runs in its own process, one
after another:

* ``one``:     ``Engine.evaluate(read_events(path), as_of=...)`` in one process (the report);
* ``workers``: what ``efficiency-rules evaluate … --workers N`` does (``_cli_dask.evaluate_distributed``):
  start a LocalCluster of N worker processes, judge, gather the report, stop the cluster —
  the cluster's start-up included;
* ``cluster``: ``efficiency_rules.dask.evaluate(...).to_report(client)`` on a LocalCluster of N
  processes started before the clock starts (one thread each).

For each: wall seconds of the work (rulesets loaded, and for ``cluster`` the cluster started,
before it), CPU seconds of the whole process and every process it started (``RUSAGE_CHILDREN`` of
this driver: worker processes included), the load average when it started, peak RSS, and the
verdicts' digests (``ids`` and ``full`` as bench_realistic.py defines them), which must be equal
across modes. ``speed-up`` is one's wall time over the mode's.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_realistic as bench  # noqa: E402

MODES = ("one", "workers", "cluster")


def child(mode: str, path: Path, workers: int) -> dict[str, Any]:
    """Run one mode in this process; return its figures and digests."""
    from efficiency_rules import Engine, read_events

    as_of = bench.as_of_for(bench.GENERATOR["year"])
    rulesets = [str(p) for p in bench.RULESETS]
    engine = Engine(rulesets)
    entries = bench.accountability_entries(engine)
    client = cluster = None
    if mode == "cluster":
        from distributed import Client, LocalCluster

        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0")
        client = Client(cluster)
    load = os.getloadavg()[0]
    started = time.perf_counter()
    if mode == "one":
        report = engine.evaluate(read_events(path, registry=engine.registry), as_of=as_of)
    elif mode == "workers":
        from efficiency_rules._cli_dask import evaluate_distributed

        report, problems, _, _ = evaluate_distributed(
            tuple(rulesets), str(path), as_of, backend="native", keep_going=False, verdicts_path=None,
            workers=workers, scheduler=None, zh=True, quiet=True)
        assert not problems
    else:
        from efficiency_rules import dask as on_dask

        threads = workers
        size = path.stat().st_size
        report = on_dask.evaluate(rulesets, path, as_of=as_of, partitions=4 * threads,
                                  block_size=max(1 << 20, -(-size // (2 * threads)))).to_report(client)
    wall = time.perf_counter() - started
    if client is not None:
        client.close()
        cluster.close()  # type: ignore[union-attr]
    summary = bench.summarise(report.verdicts, entries)
    return {
        "mode": mode, "events": report.events, "wall_s": round(wall, 2), "load_at_start": round(load, 2),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "verdicts": summary["verdicts"], "ids": summary["ids"], "full": summary["full"], "scores": len(report.scores),
    }


def run_mode(mode: str, path: Path, workers: int) -> dict[str, Any]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryDirectory() as work:
        out = Path(work) / "result.json"
        subprocess.run([sys.executable, __file__, "--child", mode, "--log", str(path), "--workers", str(workers),
                        "--out", str(out)], check=True)
        result: dict[str, Any] = json.loads(out.read_text())
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result["cpu_s"] = round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 1)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--runs", type=int, default=1, help="run every mode this many times (in turn)")
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "efficiency-rules-bench")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--child", choices=MODES, help=argparse.SUPPRESS)
    parser.add_argument("--log", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        args.out.write_text(json.dumps(child(args.child, args.log, args.workers)))
        return 0
    path, info = bench.log_for(args.cases, args.cache)
    modes = [m for m in args.modes.split(",") if m]
    runs = []
    for number in range(1, args.runs + 1):
        results = {mode: run_mode(mode, path, args.workers) for mode in modes}
        one = results.get("one")
        for result in results.values():
            result["speed_up"] = round(one["wall_s"] / result["wall_s"], 2) if one else None
        digests = {(r["ids"], r["full"], r["verdicts"]) for r in results.values()}
        runs.append({"run": number, "cases": args.cases, "events": info.get("log_lines"), "workers": args.workers,
                     "cores": os.cpu_count(), "same_verdicts": len(digests) == 1, "modes": results})
        if not args.json:
            print(f"run {number}: {args.cases:,} cases, {args.workers} workers, same verdicts: {len(digests) == 1}")
            for mode, r in results.items():
                print(f"  {mode:<8} wall {r['wall_s']:>8.1f} s  cpu {r['cpu_s']:>8.1f} s  speed-up {r['speed_up']:>5}  "
                      f"load {r['load_at_start']:>5}  rss {r['peak_rss_mib']:>6} MiB  verdicts {r['verdicts']:,}  "
                      f"ids {r['ids'][:12]}")
            sys.stdout.flush()
    if args.json:
        print(json.dumps(runs, indent=2))
    return 0 if all(run["same_verdicts"] for run in runs) else 1


if __name__ == "__main__":
    raise SystemExit(main())
