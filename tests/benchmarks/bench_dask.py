"""The realistic workload judged by one process, by ``evaluate --workers N`` and on a LocalCluster of N processes.

Run from the repository root::

    python tests/benchmarks/bench_dask.py                                  # 50,000 cases, one run of each mode
    python tests/benchmarks/bench_dask.py --cases 10000 --runs 3
    python tests/benchmarks/bench_dask.py --cases 10000 --job report --json

The events are bench_realistic.py's synthetic year (same generator arguments, same cache), judged
with its seven rulesets as of 5 January of the next year. The job is the command's:

* ``--job verdicts`` (default): ``efficiency-rules evaluate RULESETS --events FILE --as-of … --verdicts OUT --quiet``,
  every verdict written as a JSON line (a province's nightly run);
* ``--job report``: the same with ``--format json`` instead, the whole report written to standard output.

Each mode runs in its own process, one after another:

* ``one``:     the command, in one process;
* ``workers``: the command with ``--workers N`` (N local processes);
* ``cluster``: the command's work with ``--scheduler`` (``_cli_dask.evaluate_distributed``) on a
  LocalCluster of N worker processes (one thread each) started before the clock starts.

For each: wall seconds (for ``one`` and ``workers`` the whole command, the rulesets' loading and the
workers' start included), CPU seconds of every process it ran (``os.wait4``: worker processes
included), the load average when it started, the peak RSS of its largest process,
and the output's digest: for ``verdicts`` the sha256 of its lines sorted (``ids`` in the output), for
``report`` the sha256 of the JSON text. They must be equal across modes. ``speed-up`` is one's wall
time over the mode's.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
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


def command(path: Path, out: Path, job: str) -> list[str]:
    as_of = bench.as_of_for(bench.GENERATOR["year"]).isoformat(timespec="minutes")
    base = [sys.executable, "-m", "efficiency_rules", "evaluate", *(str(p) for p in bench.RULESETS), "--events", str(path),
            "--as-of", as_of, "--quiet"]
    return base + (["--verdicts", str(out)] if job == "verdicts" else ["--format", "json"])


def cluster_child(path: Path, out: Path, job: str, workers: int) -> dict[str, Any]:
    """The ``cluster`` mode, in this (child) process: start the cluster, then time the command's work on it."""
    import logging

    from distributed import Client, LocalCluster

    from efficiency_rules._cli import _evaluated
    from efficiency_rules._cli_dask import evaluate_distributed

    as_of = bench.as_of_for(bench.GENERATOR["year"])
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                           silence_logs=logging.ERROR)
    client = Client(cluster)
    load = os.getloadavg()[0]
    started = time.perf_counter()
    report, problems, counts, sent = evaluate_distributed(
        tuple(str(p) for p in bench.RULESETS), str(path), as_of, backend="native", keep_going=False,
        verdicts_path=str(out) if job == "verdicts" else None, workers=workers, scheduler=cluster.scheduler_address,
        zh=True, quiet=True)
    if job == "report":
        out.write_text(report.to_json() + "\n", encoding="utf-8")
    else:
        _evaluated(None, problems, {"events": counts["judged"], "ignored_after_as_of": counts["after_as_of"],
                                    "revoked": counts.get("revoked", ())}, sent, output="table", lang="zh",
                   verdicts_path=str(out))
    wall = time.perf_counter() - started
    client.close()
    cluster.close()
    return {"wall_s": round(wall, 2), "load_at_start": round(load, 2)}


def _run(args: list[str], **kwargs: Any) -> tuple[float, float, int]:
    """Run a command; (its wall seconds, the CPU seconds of it and every process it waited for, its largest RSS in MiB)."""
    started = time.perf_counter()
    process = subprocess.Popen(args, **kwargs)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, args)
    return wall, usage.ru_utime + usage.ru_stime, round(usage.ru_maxrss / 1024)


def run_mode(mode: str, path: Path, workers: int, job: str, work: Path) -> dict[str, Any]:
    out = work / f"{mode}.out"
    if mode == "cluster":
        figures = work / "figures.json"
        _, cpu, rss = _run([sys.executable, __file__, "--child", "--log", str(path), "--workers", str(workers),
                            "--job", job, "--out", str(out), "--figures", str(figures)])
        result: dict[str, Any] = json.loads(figures.read_text())
    else:
        args = command(path, out, job) + (["--workers", str(workers)] if mode == "workers" else [])
        load = os.getloadavg()[0]
        if job == "verdicts":
            wall, cpu, rss = _run(args, stderr=subprocess.DEVNULL)
        else:
            with out.open("wb") as sink:
                wall, cpu, rss = _run(args, stdout=sink)
        result = {"wall_s": round(wall, 2), "load_at_start": round(load, 2)}
    result["mode"] = mode
    result["cpu_s"] = round(cpu, 1)
    result["peak_rss_mib"] = rss
    # digested in another process, so that this one stays small (a child's peak RSS starts from its parent's)
    digested = subprocess.run([sys.executable, __file__, "--digest", str(out), "--job", job], check=True,
                              capture_output=True, text=True)
    result.update(json.loads(digested.stdout))
    out.unlink()
    return result


def digest_of(out: Path, job: str) -> dict[str, Any]:
    """The output's verdict count and digest: its lines sorted (verdicts), or its bytes (report)."""
    data = out.read_bytes()
    if job == "verdicts":
        lines = data.decode("utf-8").splitlines()
        return {"verdicts": len(lines), "digest": bench.digest(lines)}
    return {"verdicts": len(json.loads(data)["verdicts"]), "digest": hashlib.sha256(data).hexdigest()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--runs", type=int, default=1, help="run every mode this many times (in turn)")
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--job", choices=("verdicts", "report"), default="verdicts")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "efficiency-rules-bench")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--log", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--figures", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--digest", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.digest:
        print(json.dumps(digest_of(args.digest, args.job)))
        return 0
    if args.child:
        args.figures.write_text(json.dumps(cluster_child(args.log, args.out, args.job, args.workers)))
        return 0
    path, info = bench.log_for(args.cases, args.cache)
    modes = [m for m in args.modes.split(",") if m]
    runs = []
    with tempfile.TemporaryDirectory(prefix="bench-dask-") as work:
        for number in range(1, args.runs + 1):
            results = {mode: run_mode(mode, path, args.workers, args.job, Path(work)) for mode in modes}
            one = results.get("one")
            for result in results.values():
                result["speed_up"] = round(one["wall_s"] / result["wall_s"], 2) if one else None
            digests = {(r["digest"], r["verdicts"]) for r in results.values()}
            runs.append({"run": number, "cases": args.cases, "events": info.get("log_lines"), "workers": args.workers,
                         "job": args.job, "cores": os.cpu_count(), "same_output": len(digests) == 1, "modes": results})
            if not args.json:
                print(f"run {number}: {args.cases:,} cases, {args.workers} workers, job {args.job}, "
                      f"same output: {len(digests) == 1}")
                for mode, r in results.items():
                    print(f"  {mode:<8} wall {r['wall_s']:>8.1f} s  cpu {r['cpu_s']:>8.1f} s  speed-up {r['speed_up']!s:>5}  "
                          f"load {r['load_at_start']:>5}  rss {r['peak_rss_mib']:>6} MiB  verdicts {r['verdicts']:,}  "
                          f"digest {r['digest'][:12]}")
                sys.stdout.flush()
    if args.json:
        print(json.dumps(runs, indent=2))
    return 0 if all(run["same_output"] for run in runs) else 1


if __name__ == "__main__":
    raise SystemExit(main())
