"""An approach measured and not shipped: evaluation partitioned by thread over worker processes.

Run from the repository root (2 cores here)::

    python tests/benchmarks/bench_partition.py [LOG.jsonl] [--workers 2]

The reader takes each line's thread key from the raw bytes (case_id, inquiry_id or complaint_id,
by a regular expression), hashes it (crc32) to a worker, and sends the lines in batches of 2,000
over pipes; each worker parses its lines and judges them with tests/benchmarks/bench-rules.yaml in
its own session. It prints the events/s of this and of ``read_events`` alone in one process, and
the verdicts (the same as ``bench_engine.py --modes native``). docs/performance.md has the figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing as mp
import re
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from efficiency_rules import Engine, read_events

HERE = Path(__file__).resolve().parent
RULES = HERE / "bench-rules.yaml"
AS_OF = dt.datetime(2026, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=8)))
THREAD_KEY = re.compile(rb'"(case_id|inquiry_id|complaint_id)"\s*:\s*"((?:[^"\\]|\\.)*)"')
BATCH = 2000


def worker(conn: Any) -> None:
    """Judge the lines the reader sends (its share of the threads), in order; reply (events, verdicts)."""
    engine = Engine([RULES])
    parser = engine.registry.parser()

    def events() -> Iterator[Any]:
        while batch := conn.recv_bytes():
            for line in batch.split(b"\n"):
                yield parser.parse(line, None)

    stats: dict[str, int] = {}
    verdicts = sum(1 for _ in engine.evaluate_stream(events(), as_of=AS_OF, stats=stats))
    conn.send((stats["events"], verdicts))


def partitioned(path: Path, workers: int) -> tuple[int, int, float]:
    conns, procs = [], []
    for _ in range(workers):
        mine, theirs = mp.Pipe()
        process = mp.Process(target=worker, args=(theirs,))
        process.start()
        conns.append(mine)
        procs.append(process)
    batches: list[list[bytes]] = [[] for _ in range(workers)]
    started = time.perf_counter()
    with path.open("rb") as lines:
        for line in lines:
            found = THREAD_KEY.search(line)
            k = zlib.crc32(found.group(2)) % workers if found else 0
            batches[k].append(line.rstrip(b"\n"))
            if len(batches[k]) >= BATCH:
                conns[k].send_bytes(b"\n".join(batches[k]))
                batches[k].clear()
    for k, batch in enumerate(batches):
        if batch:
            conns[k].send_bytes(b"\n".join(batch))
        conns[k].send_bytes(b"")
    results = [conn.recv() for conn in conns]
    for process in procs:
        process.join()
    seconds = time.perf_counter() - started
    return sum(r[0] for r in results), sum(r[1] for r in results), seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", nargs="?", type=Path, default=Path("/tmp/bench-20000x1-1.jsonl"))
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    started = time.perf_counter()
    count = sum(1 for _ in read_events(args.file, dedupe=False))
    parse_rate = count / (time.perf_counter() - started)
    events, verdicts, seconds = partitioned(args.file, args.workers)
    print(f"parse (read_events, one process)   {parse_rate:>10,.0f} events/s")
    print(f"partitioned over {args.workers} workers        {events / seconds:>10,.0f} events/s  "
          f"({events:,} events, {verdicts:,} verdicts); ratio {events / seconds / parse_rate:.2f}")


if __name__ == "__main__":
    mp.set_start_method("fork")
    main()
