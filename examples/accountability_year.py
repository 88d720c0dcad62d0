"""A year of synthetic portal events, judged with the shipped rulesets, down to each unit's score —
and one unit's score traced verdict by verdict.

Run from the repository root (the event generator is the benchmarks' one)::

    python examples/accountability_year.py                # 2,000 cases in 2024 (the licensing ones), 10 units
    python examples/accountability_year.py --cases 20000  # a city's year
    python examples/accountability_year.py --lang en      # in English (Chinese by default)

It evaluates the national licensing ruleset (case clocks), the example first-inquiry ruleset and
the county points table (rulesets/county/points-table.yaml: points per working day late and per
unanswered inquiry, ladders, grade bands, rankings) on the generated log, prints the scores per
unit for the year, then takes the lowest-ranked unit and lists every verdict that counted against
it, so that its score can be checked by hand: base − deductions (after the caps) + bonuses.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections import Counter
from pathlib import Path

from efficiency_rules import Engine, Report, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "benchmarks"))

from synth import generate  # noqa: E402 - the benchmarks' generator, found through the path above

RULESETS = [
    ROOT / "rulesets" / "cn" / "xzxk.yaml",
    ROOT / "rulesets" / "examples" / "first-inquiry.yaml",
    ROOT / "rulesets" / "county" / "points-table.yaml",
]
CST = dt.timezone(dt.timedelta(hours=8))


def year_report(cases: int = 2000, units: int = 10, seed: int = 1) -> tuple[list[dict], Report]:
    """The generated events and their report as of the end of 2024."""
    # The licensing cases (matter "licence", ids XK-…: the national 20-working-day clock is theirs) and
    # everything that is not a case: inquiries, evaluations, complaints, rankings, the organisation.
    events = [e for e in generate(cases=cases, year=2024, seed=seed, units=units)
              if "case_id" not in e or e["case_id"].startswith("XK-")]
    engine = Engine(RULESETS)
    return events, engine.evaluate(events, as_of=dt.datetime(2025, 1, 1, tzinfo=CST))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--units", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--lang", choices=["zh", "en"], default="zh")
    args = parser.parse_args(argv)
    zh = args.lang == "zh"
    events, report = year_report(args.cases, args.units, args.seed)
    by_rule = Counter(v.rule for v in report.verdicts)
    if zh:
        print(f"{len(events):,}个事件，{len(report.verdicts):,}项结论，{len(report.cases):,}个办件时钟")
        print("各规则结论数：" + "，".join(f"{rule} {n}项" for rule, n in sorted(by_rule.items())))
    else:
        print(f"{len(events):,} events, {len(report.verdicts):,} verdicts, {len(report.cases):,} case clocks")
        print("verdicts by rule: " + ", ".join(f"{rule} {n}" for rule, n in sorted(by_rule.items())))
    print()
    year = [s for s in report.scores if s.period == "2024" and s.role == "unit"]
    for score in year:
        veto = ("（一票否决）" if zh else "  (veto)") if score.vetoed else ""
        name = score.subject + " " * (24 - sum(2 if ord(ch) > 0x2E80 else 1 for ch in score.subject))  # Chinese: two columns
        print(f"{score.rank:>3}  {name} {score.score:>7g}  −{score.deductions:g} +{score.bonuses:g}  {score.grade or '-'}{veto}")
    if not year:
        return 0
    worst = year[-1]
    verdicts = {v.id: v for v in report.verdicts}
    print(f"\n{worst.subject}：基础分{worst.base:g}，计入的结论：" if zh else f"\n{worst.subject}: base {worst.base:g}, the verdicts that count:")
    for verdict in sorted((verdicts[i] for i in worst.verdicts), key=lambda v: (v.at, v.id)):
        points = "" if verdict.points is None else f"{verdict.points:+g}"
        message = verdict.explanation.message_zh if zh or verdict.explanation.message_en is None else verdict.explanation.message_en
        print(f"  {text.instant(verdict.at, args.lang):<20}  {verdict.rule:<28} {points:>5}  {message}")
    total = -sum(verdicts[i].points or 0 for i in worst.verdicts if (verdicts[i].points or 0) < 0)
    if zh:
        capped = "" if total == worst.deductions else f"（扣分合计{total:g}分，扣至{worst.deductions:g}分为止）"
        print(f"= {worst.base:g} − {worst.deductions:g} + {worst.bonuses:g} = {worst.score:g}（{worst.grade}）{capped}")
    else:
        capped = "" if total == worst.deductions else f" (the points add up to {total:g}; deductions stop at {worst.deductions:g})"
        print(f"= {worst.base:g} − {worst.deductions:g} + {worst.bonuses:g} = {worst.score:g} ({worst.grade}){capped}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
