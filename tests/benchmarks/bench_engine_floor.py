"""What the engine costs per event beyond reading its input, and the floor under it.

Run from the repository root (2 cores here; every figure printed is from this run)::

    python tests/benchmarks/bench_engine_floor.py [--file LOG.jsonl]

The log (default: the 1-year log ``bench_engine.py`` writes, generated if missing) is read and
validated once, into memory; then each of these runs over the same events (best of 3):

* ``loop``:  a bare Python loop doing the least any engine must — a timestamp, the thread's key, a
  dict look-up of the thread, a count per type — the floor of per-event bookkeeping in Python;
* ``idle``:  ``Engine.evaluate_stream`` with a ruleset whose one rule never fires (threads, dedupe,
  time passing and retirement, but no matching, no deadlines, no verdicts);
* ``bench``: ``Engine.evaluate_stream`` with tests/benchmarks/bench-rules.yaml.

It prints microseconds per event; reading and validating the log (``read_events``) is printed too,
for comparison.
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

from efficiency_rules import Engine, Event, read_events

HERE = Path(__file__).resolve().parent
CST = dt.timezone(dt.timedelta(hours=8))
AS_OF = dt.datetime(2026, 1, 1, tzinfo=CST)
IDLE = """id: bench.idle
title: 空规则
version: "1"
effective: {from: 2004-01-01}
verdicts:
  v: {kind: warning, message: "x"}
rules:
  - {id: never, on: ranking.published, if: {field: metric, op: "==", value: none-such}, verdict: v}
"""


def loop(events: Iterable[Event]) -> int:
    """The least per-event bookkeeping any engine must do; returns the number of events."""
    threads: dict[str, tuple[set[str], dict[str, int]]] = {}
    count = 0
    for event in events:
        count += 1
        event.at.timestamp()
        value = getattr(event, "case_id", None) or getattr(event, "inquiry_id", None)
        key = f"case:{value}" if value else f"event:{event.id}"
        thread = threads.get(key)
        if thread is None:
            thread = threads[key] = (set(), {})
        thread[0].add(event.id)
        counts = thread[1]
        counts[event.type] = counts.get(event.type, 0) + 1
    return count


def best(run, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--file", type=Path, default=Path("/tmp/bench-20000x1-1.jsonl"))
    args = parser.parse_args()
    if not args.file.exists():
        subprocess.run([sys.executable, str(HERE / "bench_engine.py"), "--modes", "parse"], check=True)
    started = time.perf_counter()
    events = list(read_events(args.file, dedupe=False))
    reading = time.perf_counter() - started
    n = len(events)
    with tempfile.TemporaryDirectory() as tmp:
        idle_path = Path(tmp) / "idle.yaml"
        idle_path.write_text(IDLE, encoding="utf-8")
        idle = Engine([idle_path])
        bench = Engine([HERE / "bench-rules.yaml"])
        figures = {
            "read_events (into a list)": reading,
            "loop (the floor)": best(lambda: loop(events)),
            "idle engine": best(lambda: sum(1 for _ in idle.evaluate_stream(events, as_of=AS_OF))),
            "bench-rules engine": best(lambda: sum(1 for _ in bench.evaluate_stream(events, as_of=AS_OF))),
        }
    print(f"{n:,} events from {args.file}")
    for name, seconds in figures.items():
        print(f"{name:<28} {seconds / n * 1e6:6.2f} µs/event")


if __name__ == "__main__":
    main()
