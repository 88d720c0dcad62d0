"""Loading a large ruleset: reading the YAML (libyaml, and PyYAML's pure-Python reader) and checking it.

Run from the repository root (2 cores here; every figure printed is from this run)::

    python tests/benchmarks/bench_ruleset_load.py [--rules 10000]

It writes a ruleset of N one-line rules (a count compared with a number, as in
tests/test_ruleset_security.py), then times, best of 3: ``load_yaml`` as the library reads files
(libyaml, the pure-Python reader only for what libyaml would read differently), PyYAML's
pure-Python reader alone (what every file cost before), and ``load_ruleset`` (reading, checking
and compiling).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from bench_engine_floor import best  # this folder is on the path when a script here runs

from efficiency_rules import load_ruleset
from efficiency_rules._yaml import _Loader, load_yaml

HEADER = """id: bench.many-rules
title: 大量规则
version: "1"
effective: {from: 2024-01-01}
verdicts:
  v: {kind: warning, message: "x"}
rules:
"""


def pure(text: str) -> None:
    loader = _Loader(text)
    try:
        loader.get_single_data()
    finally:
        loader.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rules", type=int, default=10_000)
    args = parser.parse_args()
    lines = [
        f'  - {{id: r{i}, on: case.supplement_requested, if: {{count: case.paused, op: ">", value: {i % 7}}}, verdict: v}}'
        for i in range(args.rules)
    ]
    text = HEADER + "\n".join(lines) + "\n"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "many.yaml"
        path.write_text(text, encoding="utf-8")
        figures = {
            "load_yaml (libyaml)": best(lambda: load_yaml(path)),
            "PyYAML pure-Python reader": best(lambda: pure(text)),
            "load_ruleset (read + check)": best(lambda: load_ruleset(path)),
        }
    print(f"{args.rules:,} rules, {len(text.encode()) / 2**20:.1f} MiB")
    for name, seconds in figures.items():
        print(f"{name:<30} {seconds:6.2f} s")


if __name__ == "__main__":
    main()
