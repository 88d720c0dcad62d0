"""What the power-connection averages cost a stream: memory and time with and without the aggregates.

Run from the repository root::

    python tests/benchmarks/bench_aggregates.py [--cases 10000] [--suppliers 20] [--repeat 3]

N low- and high-voltage connections of 2019 (accepted on working days, connected 5–40 natural days
later, each supplier's share alike) are judged by ``shijiazhuang.efficiency-revolution-2019`` as a
stream (``Engine.evaluate_stream``, as of 2020-01-31) and in a batch (``Engine.evaluate``): once as
shipped (two averages per supplier per year), once with its ``accountability`` section taken out.
It prints, for each, the CPU seconds (``time.process_time``, best of ``--repeat``) and the stream's
peak of traced memory (``tracemalloc``), and the memory one kept figure takes (a list of N).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

import yaml

from efficiency_rules import Engine
from efficiency_rules._aggregates import ClockFigure

CST = dt.timezone(dt.timedelta(hours=8))
AS_OF = dt.datetime(2020, 1, 31, tzinfo=CST)
RULESET = Path(__file__).resolve().parents[2] / "rulesets" / "shijiazhuang" / "efficiency-revolution-2019.yaml"


def history(cases: int, suppliers: int) -> list[dict[str, Any]]:
    rnd = random.Random(2019)
    events = []
    for n in range(cases):
        day = dt.date(2019, 1, 2) + dt.timedelta(days=rnd.randrange(320))
        accepted = dt.datetime.combine(day, dt.time(9 + rnd.randrange(8)), CST)
        matter = "power-low-voltage" if rnd.random() < 0.8 else "power-high-voltage"
        done = accepted + dt.timedelta(hours=rnd.randrange(5 * 24, 40 * 24))
        case_id = f"P{n:06d}"
        events += [{"id": f"{case_id}-a", "type": "case.accepted", "at": accepted.isoformat(), "case_id": case_id,
                    "matter": matter, "unit": f"供电{n % suppliers:02d}"},
                   {"id": f"{case_id}-c", "type": "case.completed", "at": done.isoformat(), "case_id": case_id}]
    events.sort(key=lambda e: (e["at"], e["id"]))
    return events


def best(repeat: int, run: Any) -> float:
    times = []
    for _ in range(repeat):
        start = time.process_time()
        run()
        times.append(time.process_time() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--suppliers", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    events = history(args.cases, args.suppliers)
    spec = yaml.safe_load(RULESET.read_text(encoding="utf-8"))
    del spec["accountability"]
    with tempfile.TemporaryDirectory() as folder:
        plain_path = Path(folder) / "plain.yaml"
        plain_path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
        engines = {"with aggregates": Engine([RULESET]), "without": Engine([plain_path])}
        for name, engine in engines.items():
            stats: dict[str, Any] = {}

            def stream(engine: Engine = engine, stats: dict[str, Any] = stats) -> None:
                for _ in engine.evaluate_stream(events, as_of=AS_OF, stats=stats):
                    pass

            stream_s = best(args.repeat, stream)
            batch_s = best(args.repeat, lambda engine=engine: engine.evaluate(events, as_of=AS_OF))
            tracemalloc.start()
            stream()
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            rows = stats.get("aggregates", [])
            print(f"{name:16} {args.cases} cases: stream {stream_s:.2f} s, batch {batch_s:.2f} s, "
                  f"stream peak {peak / 2**20:.1f} MiB, {len(rows)} aggregate rows, "
                  f"{sum(1 for r in rows if r.verdict)} verdicts")
    figure = ClockFigure("case:P000001", "shijiazhuang.efficiency-revolution-2019", "power-connection", "power-low-voltage",
                         "供电01", None, AS_OF, True, 1_234_567, 86400, False)
    tracemalloc.start()
    kept = [ClockFigure(f"case:P{n:06d}", figure.ruleset, figure.time_limit, figure.matter, figure.unit, None,
                        dt.datetime(2019, 5, 1, 9, tzinfo=CST) + dt.timedelta(minutes=n), n % 2 == 0, 1_000_000 + n, 86400, False)
            for n in range(args.cases)]
    size = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    print(f"a kept figure: {size / len(kept):.0f} bytes (its thread id and stop time its own, the rest shared)")


if __name__ == "__main__":
    main()
