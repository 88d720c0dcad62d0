"""State-store throughput: events judged per CPU-second through the SQLite store, as a ratio to a session in memory.

Run from the repository root (2 cores here)::

    python tests/benchmarks/bench_store.py [--cases 2000] [--writers 2]

On the realistic synthetic year (tests/benchmarks/synth.py, the seven city rulesets of
bench_realistic.py) it times, in one run: a :class:`Session` in memory adding every event; one
writer process adding every event through a :class:`SQLiteStore` on a new file; and ``--writers``
processes adding them at once (the events in turn, so the same cases get events from every
writer), with the tolerance that disorder needs. Each figure is events per CPU-second of the
processes that judged (``time.process_time``), and per wall-clock second (from the writers' first
event, their engines loaded, to the end of the advance). It checks that every
run's verdicts (after advancing the store to the end) are the batch's. docs/performance.md has the figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing as mp
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_realistic import GENERATOR, RULESETS, as_of_for  # noqa: E402 (after the path to this directory)
from synth import generate  # noqa: E402 (after the path to this directory)

from efficiency_rules import Engine, Session  # noqa: E402 (after the path to this directory)
from efficiency_rules.stores import SQLiteStore  # noqa: E402 (after the path to this directory)

TOLERANCE = dt.timedelta(days=30)
PER_BATCH = 200  # events each writer adds between two meetings at the barrier


def writer(path: str, batches: list[list[dict[str, Any]]], barrier: Any, results: Any) -> None:
    engine = Engine(RULESETS)
    store = SQLiteStore(engine, path, tolerance=TOLERANCE)
    cpu = time.process_time()
    judged = retries = 0
    began = None
    for batch in batches:
        barrier.wait(timeout=3600)
        began = began or time.perf_counter()  # after the engine's loading: from the first meeting on
        for event in batch:
            result = store.add(event)
            judged += 1
            retries += result.attempts - 1
    results.put((judged, retries, time.process_time() - cpu, began, time.perf_counter()))
    store.close()


def through_store(path: str, events: list[dict[str, Any]], writers: int) -> dict[str, Any]:
    context = mp.get_context("spawn")
    barrier = context.Barrier(writers)
    results = context.Queue()
    chunks = [events[i:i + writers * PER_BATCH] for i in range(0, len(events), writers * PER_BATCH)]
    processes = [context.Process(target=writer, args=(path, [chunk[w::writers] for chunk in chunks], barrier, results))
                 for w in range(writers)]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=7200) for _ in processes]
    for process in processes:
        process.join()
    return {"events": sum(o[0] for o in outcomes), "retries": sum(o[1] for o in outcomes), "cpu_s": sum(o[2] for o in outcomes),
            "wall_s": max(o[4] for o in outcomes) - min(o[3] for o in outcomes)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--writers", type=int, default=2)
    args = parser.parse_args(argv)
    as_of = as_of_for(GENERATOR["year"])
    events = list(generate(cases=args.cases, **GENERATOR))
    engine = Engine(RULESETS)
    batch = engine.evaluate(events, as_of=as_of)
    rows = []

    cpu, wall = time.process_time(), time.perf_counter()
    session = Session(engine)
    for event in events:
        session.add(event)
    session.advance(as_of)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    assert session.report(as_of).verdicts == batch.verdicts
    rows.append(("session in memory", 1, len(events), 0, cpu, wall))

    for writers in (1, args.writers):
        with tempfile.TemporaryDirectory() as work:
            path = str(Path(work) / "state.db")
            run = through_store(path, events, writers)
            store = SQLiteStore(engine, path, tolerance=TOLERANCE)
            cpu, wall = time.process_time(), time.perf_counter()
            store.advance(as_of)
            run["cpu_s"] += time.process_time() - cpu
            wall = run["wall_s"] + time.perf_counter() - wall
            report = store.report(as_of)
            assert report.verdicts == batch.verdicts, "the store's verdicts differ from the batch's"
            assert store.counts()["events"] == len(events)
            store.close()
        rows.append((f"SQLite store, {writers} writer{'s' if writers > 1 else ''}", writers, run["events"], run["retries"],
                     run["cpu_s"], wall))

    base = rows[0][2] / rows[0][4]
    print(f"{len(events):,} events of {args.cases:,} cases, {len(batch.verdicts):,} verdicts (the same in every run)")
    print(f"{'':<26} {'events/CPU-s':>13} {'ratio':>7} {'events/s wall':>14} {'CPU s':>8} {'wall s':>8} {'retries':>8}")
    for name, _, judged, retries, cpu, wall in rows:
        rate = judged / cpu
        print(f"{name:<26} {rate:>13,.0f} {rate / base:>7.3f} {judged / wall:>14,.0f} {cpu:>8.1f} {wall:>8.1f} {retries:>8}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
