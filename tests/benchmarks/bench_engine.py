"""End-to-end evaluation: JSON Lines in, verdicts out, against reading the events alone.

Run from the repository root (2 cores here; every figure printed is from this run):

    python tests/benchmarks/bench_engine.py --cases-per-year 20000 --years 1     # ~100k events
    python tests/benchmarks/bench_engine.py --cases-per-year 20000 --years 10    # ~1M events

It generates a log with tests/benchmarks/synth.py (the given number of years, one after another,
at the same daily density, so that the number of cases open at a time is the same whatever the
length), then measures, each in a fresh process so that peak memory is its own:

* ``parse``:   ``read_events`` of the file (validation included) — what any use of the log costs;
* ``floor``:   ``read_events`` and the least per-event bookkeeping any engine must do (a timestamp,
  the thread's key, the thread looked up or made, its event ids and a count per type): no rules;
* ``native``:  ``Engine.evaluate_stream`` over ``read_events`` with tests/benchmarks/bench-rules.yaml;
* ``durable``: the same on the durable_rules backend (when installed);
* ``durable-raw``: the raw durable_rules baseline, the same rules written by hand in durable_rules'
  DSL over ``json.loads`` of each line, without this library (tests/benchmarks/durable_raw.py).

Targets for ``native``: at least half the events/s of ``parse``; at least 1.5x the raw
durable_rules baseline; peak memory that does not grow with the number of events.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
RULES = HERE / "bench-rules.yaml"
CST = dt.timezone(dt.timedelta(hours=8))


def _parse(path: Path) -> tuple[int, int]:
    from efficiency_rules import Engine, read_events

    engine = Engine([RULES])
    count = 0
    for _ in read_events(path, registry=engine.registry, dedupe=False):
        count += 1
    return count, 0


def _floor(path: Path) -> tuple[int, int]:
    from bench_engine_floor import loop

    from efficiency_rules import Engine, read_events

    engine = Engine([RULES])
    return loop(read_events(path, registry=engine.registry, dedupe=False)), 0


def _engine(backend: str) -> Callable[[Path], tuple[int, int]]:
    def run(path: Path) -> tuple[int, int]:
        from efficiency_rules import Engine, read_events

        engine = Engine([RULES], backend=backend)
        stats: dict[str, int] = {}
        verdicts = 0
        as_of = dt.datetime(2026, 1, 1, tzinfo=CST)
        for _ in engine.evaluate_stream(read_events(path, registry=engine.registry, dedupe=False), as_of=as_of, stats=stats):
            verdicts += 1
        engine.close()
        return stats["events"], verdicts

    return run


def _durable_raw(path: Path) -> tuple[int, int]:
    from durable_raw import run

    return run(path)


MODES: dict[str, Callable[[Path], tuple[int, int]]] = {
    "parse": _parse,
    "floor": _floor,
    "native": _engine("native"),
    "durable": _engine("durable"),
    "durable-raw": _durable_raw,
}


def child(mode: str, path: Path) -> None:
    sys.path.insert(0, str(HERE))
    start = time.perf_counter()
    events, verdicts = MODES[mode](path)
    seconds = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"mode": mode, "events": events, "verdicts": verdicts, "seconds": seconds, "peak_mib": peak_kib / 1024}))


def generate(path: Path, *, cases_per_year: int, years: int, seed: int) -> int:
    sys.path.insert(0, str(HERE))
    from synth import generate as synth

    count = 0
    with path.open("w", encoding="utf-8") as out:
        for year in range(2025 - years + 1, 2026):
            for event in synth(cases=cases_per_year, year=year, seed=seed + year):
                out.write(json.dumps(event, ensure_ascii=False, separators=(",", ":")) + "\n")
                count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases-per-year", type=int, default=20_000)
    parser.add_argument("--years", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--file", type=Path, default=None, help="reuse this log instead of generating one")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.file)
        return
    path = args.file or Path(f"/tmp/bench-{args.cases_per_year}x{args.years}-{args.seed}.jsonl")
    if not path.exists():
        started = time.perf_counter()
        n = generate(path, cases_per_year=args.cases_per_year, years=args.years, seed=args.seed)
        print(f"generated {n:,} events ({path.stat().st_size / 2**20:.1f} MiB) in {time.perf_counter() - started:.1f} s: {path}")
    print(f"python {platform.python_version()}, {platform.machine()}, one process per mode")
    results = {}
    for mode in args.modes.split(","):
        done = subprocess.run(
            [sys.executable, __file__, "--child", mode, "--file", str(path)], capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            print(f"{mode:<14} unavailable: {done.stderr.strip().splitlines()[-1] if done.stderr.strip() else done.returncode}")
            continue
        result = json.loads(done.stdout.strip().splitlines()[-1])
        results[mode] = result
        rate = result["events"] / result["seconds"]
        print(f"{mode:<14} {result['events']:>10,} events {result['seconds']:>8.2f} s {rate:>10,.0f} events/s "
              f"peak {result['peak_mib']:>7.1f} MiB  verdicts {result['verdicts']:,}")
    if "floor" in results and "parse" in results:
        ratio = (results["floor"]["events"] / results["floor"]["seconds"]) / (results["parse"]["events"] / results["parse"]["seconds"])
        print(f"floor / parse throughput = {ratio:.2f} (what no rules at all would give)")
    if "native" in results and "parse" in results:
        ratio = (results["native"]["events"] / results["native"]["seconds"]) / (results["parse"]["events"] / results["parse"]["seconds"])
        print(f"native / parse throughput = {ratio:.2f} (target >= 0.5)")
    for baseline in ("durable", "durable-raw"):
        if "native" in results and baseline in results:
            ratio = (results["native"]["events"] / results["native"]["seconds"]) / (results[baseline]["events"] / results[baseline]["seconds"])
            print(f"native / {baseline} throughput = {ratio:.2f}" + (" (target >= 1.5)" if baseline == "durable-raw" else ""))


if __name__ == "__main__":
    main()
