"""Rule matching: facts per second for the native and the durable backend.

Run from the repository root::

    PYTHONPATH=src python tests/benchmarks/bench_match.py                  # 200k facts, 20k threads
    PYTHONPATH=src python tests/benchmarks/bench_match.py --facts 20000 --backend native

A realistic ruleset — 20 rules over 8 trigger types, each of 1–3 comparisons on event fields
and per-thread counts, with ``in``, ``not``, ``any``, ``exists``/``missing`` — and seeded facts
shaped as the engine builds them (``type``, ``f.<field>``, ``count.<type>``), spread over
threads of ten facts each. Two ways of calling ``match`` are timed, best of ``--repeat``:

* per thread: ``match(thread, facts_of_the_thread)``;
* per fact: ``match(thread, [fact])``, as the engine calls it today.

Also timed for native: the per-fact cost on the target shape (a type with 3 rules of 1–3
comparisons, the fact in the CPU cache as when the engine has just built it) — target well
under 1 µs. Both backends' answers are compared fact by fact.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import random
import sys
import time
from collections.abc import Callable
from typing import Any

from efficiency_rules._match import Matcher, MatchRule
from efficiency_rules._match.native import NativeMatcher

OUTCOMES = ("approved", "rejected", "withdrawn", "transferred")
CHANNELS = ("online", "window", "mail", "phone")
RATINGS = ("satisfied", "basically_satisfied", "unsatisfied", "unresolved")

RULES = [
    # case.completed: 3 rules of 1–3 comparisons (the shape the native target is stated for)
    MatchRule("late_approval", "case.completed", ("all", (("cmp", ">", "f.elapsed_wd", 20), ("cmp", "==", "f.outcome", "approved")))),
    MatchRule("rejected_after_supplement", "case.completed", ("all", (("cmp", "==", "f.outcome", "rejected"), ("cmp", ">=", "count.case.supplement_requested", 1)))),
    MatchRule("no_unit", "case.completed", ("all", (("missing", "f.unit"), ("not", ("in", "f.channel", ("online", "mail"))), ("cmp", "<", "f.elapsed_wd", 5)))),
    # case.supplement_requested: 一次性告知 — a second notice is a violation
    MatchRule("second_notice", "case.supplement_requested", ("cmp", ">=", "count.case.supplement_requested", 2)),
    MatchRule("notice_without_items", "case.supplement_requested", ("any", (("missing", "f.items"), ("cmp", "==", "f.items", 0)))),
    MatchRule("late_notice", "case.supplement_requested", ("cmp", ">", "f.elapsed_wd", 5)),
    # case.accepted
    MatchRule("accepted_twice", "case.accepted", ("cmp", ">", "count.case.accepted", 1)),
    MatchRule("accepted_after_rejection", "case.accepted", ("cmp", ">=", "count.case.rejected", 1)),
    # case.received
    MatchRule("received", "case.received", ("all", ())),
    MatchRule("received_offline", "case.received", ("in", "f.channel", ("window", "phone"))),
    # case.extension_granted
    MatchRule("extension_without_approver", "case.extension_granted", ("missing", "f.approver")),
    MatchRule("second_extension", "case.extension_granted", ("cmp", ">=", "count.case.extension_granted", 2)),
    # inquiry.answered: 首问负责
    MatchRule("unanswered_referral", "inquiry.answered", ("all", (("cmp", "==", "f.outcome", "explained"), ("cmp", ">=", "count.inquiry.referred", 1)))),
    MatchRule("answered_in_scope", "inquiry.answered", ("cmp", "==", "f.in_scope", True)),
    # evaluation.submitted
    MatchRule("unsatisfied", "evaluation.submitted", ("in", "f.rating", ("unsatisfied", "unresolved"))),
    MatchRule("satisfied", "evaluation.submitted", ("not", ("in", "f.rating", ("unsatisfied", "unresolved")))),
    MatchRule("rated_without_case", "evaluation.submitted", ("missing", "f.case_id")),
    # complaint.verified: 问责
    MatchRule("verified_complaint", "complaint.verified", ("exists", "f.against")),
    MatchRule("repeat_complaint", "complaint.verified", ("cmp", ">=", "count.complaint.verified", 2)),
    MatchRule("complaint_on_late_case", "complaint.verified", ("all", (("cmp", ">", "f.elapsed_wd", 20), ("not", ("cmp", "==", "f.against", "unit-000"))))),
]
TYPES = sorted({rule.trigger for rule in RULES})
COUNTED = ("case.supplement_requested", "case.accepted", "case.rejected", "case.extension_granted", "inquiry.referred", "complaint.verified")


def make_facts(rng: random.Random, n: int) -> list[dict[str, Any]]:
    facts = []
    for _ in range(n):
        fact: dict[str, Any] = {"type": rng.choice(TYPES)}
        fact["f.outcome"] = rng.choice(OUTCOMES if fact["type"] == "case.completed" else ("handled", "explained"))
        fact["f.elapsed_wd"] = rng.choice((rng.randint(0, 40), rng.randint(0, 40) + 0.5))
        fact["f.unit"] = rng.choice((None, "unit-001", "unit-017"))
        fact["f.channel"] = rng.choice(CHANNELS)
        if rng.random() < 0.8:
            fact["f.items"] = rng.randint(0, 4)
        if rng.random() < 0.7:
            fact["f.approver"] = "staff-9"
        fact["f.in_scope"] = rng.random() < 0.6
        fact["f.rating"] = rng.choice(RATINGS)
        if rng.random() < 0.5:
            fact["f.case_id"] = f"C{rng.randint(0, 10**6)}"
        fact["f.against"] = rng.choice((None, "unit-000", "unit-003"))
        for counted in COUNTED:
            fact[f"count.{counted}"] = rng.choice((0, 0, 1, 2, 3))
        facts.append(fact)
    return facts


def best_time(run: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - t0)
    return best, result


def bench(label: str, matcher: Matcher, threads: list[tuple[str, list[dict[str, Any]]]], n: int, repeat: int) -> list[list[str]]:
    def per_thread() -> list[list[str]]:
        out: list[list[str]] = []
        for thread, facts in threads:
            out.extend(matcher.match(thread, facts))
        return out

    def per_fact() -> list[list[str]]:
        out: list[list[str]] = []
        for thread, facts in threads:
            for fact in facts:
                out.extend(matcher.match(thread, [fact]))
        return out

    seconds, answers = best_time(per_thread, repeat)
    print(f"{label:<8} per thread  {n / seconds:>12,.0f} facts/s   ({seconds * 1e6 / n:8.2f} µs/fact)")
    seconds, again = best_time(per_fact, repeat)
    print(f"{label:<8} per fact    {n / seconds:>12,.0f} facts/s   ({seconds * 1e6 / n:8.2f} µs/fact)")
    assert again == answers
    return answers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--facts", type=int, default=200_000)
    parser.add_argument("--per-thread", type=int, default=10, help="facts per thread (default 10: 20k threads)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--backend", choices=("both", "native", "durable"), default="both")
    args = parser.parse_args()
    rng = random.Random(20261121)
    facts = make_facts(rng, args.facts)
    threads = [(f"case:{k // args.per_thread}", facts[k : k + args.per_thread]) for k in range(0, len(facts), args.per_thread)]
    fired = {}
    print(f"command: PYTHONPATH=src python {' '.join(sys.argv)}")
    print(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cpus; "
          f"{len(RULES)} rules over {len(TYPES)} types; {args.facts:,} facts in {len(threads):,} threads; "
          f"best of {args.repeat}")

    if args.backend in ("both", "native"):
        native = NativeMatcher(RULES)
        fired["native"] = bench("native", native, threads, args.facts, args.repeat)
        # The target shape, with the fact in the CPU cache as it is when the engine has just
        # built it (the runs above stream 200k facts from memory: mostly cache misses).
        hot = [f for f in facts if f["type"] == "case.completed"][:64] * 200
        seconds, _ = best_time(lambda: native.match("case:1", hot), max(args.repeat, 20))
        single, _ = best_time(lambda: [native.match("case:1", [f]) for f in hot], max(args.repeat, 20))
        print(f"native   target shape (3 rules of 1–3 comparisons, fact in cache): "
              f"{seconds * 1e9 / len(hot):,.0f} ns/fact per thread, {single * 1e9 / len(hot):,.0f} ns/fact per fact "
              f"(target: well under 1 µs)")
    if args.backend in ("both", "durable"):
        from efficiency_rules._match.durable import DurableMatcher

        durable = DurableMatcher(RULES, name="bench")
        try:
            fired["durable"] = bench("durable", durable, threads, args.facts, args.repeat)
        finally:
            durable.close()
    if len(fired) == 2:
        assert fired["native"] == fired["durable"], "the backends disagree"
        print(f"both backends gave the same answers for all {args.facts:,} facts "
              f"({sum(map(len, fired['native'])):,} rule firings)")


if __name__ == "__main__":
    main()
