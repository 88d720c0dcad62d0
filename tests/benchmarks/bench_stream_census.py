"""What a stream holds once every event of the year is judged: where its memory is.

Run from the repository root::

    python tests/benchmarks/bench_stream_census.py                 # 10,000 cases
    python tests/benchmarks/bench_stream_census.py --cases 50000
    python tests/benchmarks/bench_stream_census.py --cases 50000 --years 4   # the same density, four years

bench_realistic.py's synthetic year (same cache) and seven rulesets, judged as
``Engine.evaluate_stream`` judges them (a session that keeps no verdicts, only what accountability
reads of them), up to the last event — the moment before the stream ends its open threads and
runs accountability, where its memory is at its largest. Then the size of what the session holds,
structure by structure, and of its open threads field by field: the objects each reaches, counted
once (``sys.getsizeof``; the engine, its rulesets and calendars, and classes left out), in MiB.
Prints the threads open by kind too: what grows with the number of cases open at once.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import gc
import resource
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_realistic as bench  # noqa: E402

_LEAVES = (str, bytes, int, float, bool, type(None), dt.datetime, dt.date, dt.timedelta)
_SHARED = ("ClockPolicy", "Calendar", "Ruleset", "_Version", "Duration", "Engine", "function", "method", "builtin_function_or_method")


def _size(root: Any, seen: set[int]) -> int:
    """The bytes of the objects ``root`` reaches that are not in ``seen`` (added to it)."""
    total = 0
    stack = [root]
    while stack:
        obj = stack.pop()
        key = id(obj)
        if key in seen:
            continue
        seen.add(key)
        if isinstance(obj, type) or type(obj).__name__ in _SHARED or type(obj).__name__ == "module":
            continue
        total += sys.getsizeof(obj)
        if isinstance(obj, dict):
            stack.extend(obj.keys())
            stack.extend(obj.values())
        elif isinstance(obj, (list, tuple, set, frozenset)):
            stack.extend(obj)
        elif not isinstance(obj, _LEAVES):
            if hasattr(obj, "__dict__"):
                stack.append(obj.__dict__)
            for cls in type(obj).__mro__:
                for slot in cls.__dict__.get("__slots__", ()):
                    value = getattr(obj, slot, None)
                    if value is not None:
                        stack.append(value)
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--years", type=int, default=1, help="years of --cases each, one after another (as bench_realistic.py)")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "efficiency-rules-bench")
    args = parser.parse_args(argv)

    from efficiency_rules import Engine
    from efficiency_rules._threads import _Thread

    path, _ = bench.log_for(args.cases, args.cache, max(1, args.years))
    as_of = bench.as_of_for(2025)
    engine = Engine(bench.RULESETS)
    started = time.process_time()
    session, verdicts = bench.stream_session(engine, path, as_of)
    cpu = time.process_time() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{args.cases:,} cases: {session._events:,} events judged in {cpu:.1f} CPU s, {verdicts:,} verdicts so far; "
          f"peak RSS {peak:.0f} MiB")

    gc.collect()
    base = {id(obj) for obj in gc.get_objects() if isinstance(obj, type)} | {id(engine)}
    print("what the session holds (MiB):")
    seen = set(base)
    for name in ("_threads", "_deadlines", "_retire", "_counted", "_given", "_ids", "_ledger", "_closed_figures", "_held"):
        held = getattr(session, name)
        print(f"  {name:16} {len(held):>10,}  {_size(held, seen) / 2**20:8.1f}")
    threads = list(session._threads.values())
    kinds = Counter(key.split(":", 1)[0] for key in session._threads)
    print("threads open: " + ", ".join(f"{kind} {n:,}" for kind, n in kinds.most_common()))
    fields: Counter[str] = Counter()
    seen = set(base)
    for thread in threads:
        for field in dataclasses.fields(_Thread):
            fields[field.name] += _size(getattr(thread, field.name), seen)
    print(f"the open threads, field by field (MiB; {sum(fields.values()) / max(1, len(threads)) / 1024:.1f} KB a thread):")
    for name, size in fields.most_common(8):
        print(f"  {name:16} {size / 2**20:8.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
