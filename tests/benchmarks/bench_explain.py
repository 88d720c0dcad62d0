"""What writing verdicts' explanations costs, per verdict, on the realistic workload.

Run from the repository root::

    python tests/benchmarks/bench_explain.py                 # 2,000 cases
    python tests/benchmarks/bench_explain.py --cases 10000

The seven rulesets and the synthetic year of bench_realistic.py (same generator arguments, same
cache). ``Engine.evaluate`` gives verdicts whose explanations are written when first read; this
reads every one (``verdict.explanation``), then dumps every verdict as JSON (what a report written
out costs besides), and prints CPU microseconds per verdict for each, best of ``--repeat`` runs
over fresh evaluations.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_realistic as bench  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "efficiency-rules-bench")
    args = parser.parse_args(argv)
    from efficiency_rules import Engine, read_events

    path, _ = bench.log_for(args.cases, args.cache)
    engine = Engine([str(p) for p in bench.RULESETS])
    as_of = bench.as_of_for(bench.GENERATOR["year"])
    explain, dump = [], []
    count = 0
    for _ in range(args.repeat):
        report = engine.evaluate(read_events(path, registry=engine.registry), as_of=as_of)
        verdicts = report.verdicts
        count = len(verdicts)
        started = time.process_time()
        for verdict in verdicts:
            verdict.explanation  # noqa: B018 - written when first read
        explain.append(time.process_time() - started)
        started = time.process_time()
        for verdict in verdicts:
            verdict.model_dump_json()
        dump.append(time.process_time() - started)
    print(f"{args.cases:,} cases, {count:,} verdicts, best of {args.repeat}: writing explanations "
          f"{min(explain) / count * 1e6:.0f} µs a verdict ({min(explain):.2f} CPU s); "
          f"dumping each verdict as JSON afterwards {min(dump) / count * 1e6:.0f} µs a verdict")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
