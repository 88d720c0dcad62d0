"""Shijiazhuang's 2019 cuts of its promised time limits, applied to a synthetic year: which cases and units they
make late.

Run from the repository root (the event generator is the benchmarks' one)::

    python examples/compare/seed_003_cuts.py                 # 2,000 cases in 2025, the table in Chinese
    python examples/compare/seed_003_cuts.py --lang en       # in English
    python examples/compare/seed_003_cuts.py --rows 0        # the summary and the counts only
    python examples/compare/seed_003_cuts.py --format json   # the whole comparison as JSON

The same year of portal events is judged twice: with the catalogue before the cuts
(``efficiency-revolution-2019-before-cuts.yaml`` next to this file: every limit the document cuts "由…压缩至…" kept
at its old figure) and with the shipped ruleset ``shijiazhuang.efficiency-revolution-2019``, which applies the
cuts; both with the city's accountability ruleset, as the city loads them. The comparison lists the verdicts the
cuts add, by rule, unit and month, and each case that was on time under the old limit and is late under the new
one, with both deadlines.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from efficiency_rules import Comparison, compare

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "tests" / "benchmarks"))

from synth import generate  # noqa: E402 - the benchmarks' generator, found through the path above

BEFORE_CUTS = [HERE / "efficiency-revolution-2019-before-cuts.yaml", "shijiazhuang.accountability-2019"]
AFTER_CUTS = ["shijiazhuang.efficiency-revolution-2019", "shijiazhuang.accountability-2019"]
AS_OF = dt.datetime(2026, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def year_comparison(cases: int = 2000, seed: int = 0) -> Comparison:
    """The synthetic year of 2025 (``cases`` cases, the generator's ``seed``) judged before and after the cuts."""
    return compare(BEFORE_CUTS, AFTER_CUTS, generate(cases=cases, year=2025, seed=seed), as_of=AS_OF)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--lang", choices=["zh", "en"], default="zh")
    parser.add_argument("--rows", type=int, default=10, help="rows of each list to show (default 10)")
    parser.add_argument("--format", choices=["table", "json"], default="table")
    args = parser.parse_args(argv)
    comparison = year_comparison(args.cases, args.seed)
    if args.format == "json":
        print(comparison.to_json())
    else:
        print(comparison.table(language=args.lang, rows=args.rows), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
