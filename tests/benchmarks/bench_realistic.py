"""The realistic workload: the seven rulesets a city portal loads together, over a synthetic year.

Run from the repository root (every figure printed is from this run; CPU time, not wall time)::

    python tests/benchmarks/bench_realistic.py                                   # 10,000 cases, every mode
    python tests/benchmarks/bench_realistic.py --cases 10000 --modes parse,evaluate,stream,session \\
        --write-verdicts /tmp/verdicts
    python tests/benchmarks/bench_realistic.py --cases 50000 --modes parse,evaluate,stream
    python tests/benchmarks/bench_realistic.py --cases 10000 --cases 50000 --cases 200000 --repeat 3 --json
    python tests/benchmarks/bench_realistic.py --cases 50000 --years 4 --modes parse,stream  # 200,000 cases, same density

Rulesets (``RULESETS``, loaded together by one ``Engine``): rulesets/cn/xzxk.yaml,
rulesets/cn/one-time-notification.yaml, rulesets/shijiazhuang/efficiency-revolution-2019.yaml,
rulesets/shijiazhuang/accountability-2019.yaml, rulesets/changde/e-supervision-2013.yaml,
rulesets/changde/accountability-2013.yaml and rulesets/county/points-table.yaml.

Events: a year of tests/benchmarks/synth.py (``--cases``, ``--seed`` 1, ``--year`` 2025 and the
generator's defaults), written once as JSON Lines and kept in a cache directory (``--cache``,
default ``$TMPDIR/efficiency-rules-bench``) under a name made of the generator's arguments and a
digest of synth.py, so a changed generator makes a new file.

``as_of`` is the end of the synthetic year plus four days: 00:00 (+08:00) on 5 January of the next
year (``as_of_for``), so deadlines of the last days of December fall due.

Modes (``--modes``, a comma list; each runs in a fresh process, so that its peak RSS is its own):

* ``json``:     ``json.loads`` of each line — the floor of reading the log;
* ``parse``:    ``read_events(path)`` in a loop (validated events, not kept);
* ``list``:     ``list(read_events(path))``: the memory of holding the log's events, against which
  ``evaluate``'s peak is measured (``x list`` in the table);
* ``loop``:     the floor beside the engine: tests/benchmarks/floor_loop.py, a hand-written pure-Python
  loop (``json.loads`` of each line, integer arithmetic) working out one clock of the seven rulesets,
  cn/xzxk's licensing decision (deemed acceptance, pauses, extensions), without the library; its
  overdue cases and deadlines are compared with the engine's ``licence.overdue`` verdicts;
* ``rules``:    ``Engine.evaluate`` with the seven rulesets stripped of their time limits (and of the two
  aggregates that average a clock's cases): everything the engine does but clocks;
* ``evaluate``: ``Engine.evaluate(read_events(path), as_of=...)`` — the report, accountability included;
* ``stream``:   ``Engine.evaluate_stream(read_events(path, dedupe=False), as_of=...)`` (memory bounded
  by open threads: the reader does not remember every id); each verdict is counted and
  folded into the digests, not kept. Stream yields verdicts as they arise, then those of the
  rulesets' accountability sections (and the scores, in ``stats``);
* ``session``:  ``engine.session()``, each event given to ``session.add``, then ``session.report(as_of)``.

For each mode: events, CPU seconds of the work (``time.process_time``; loading the rulesets is
reported apart, and in ``stream`` the time spent folding verdicts into the digests is taken out
so that modes compare), events per CPU-second, the ratio of that to ``parse`` in the same run,
peak RSS (``ru_maxrss`` of the child, read when the work is done and before the digests are
made), the verdict count and the digests:

* ``ids``:  sha256 over the sorted lines ``id|rule|kind|at ISO|points|card|subjects`` of every
  verdict (``verdict_lines``), each line followed by a newline;
* ``full``: the same over the canonical JSON of every verdict,
  ``json.dumps(v.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)``;
* ``rules``: count, ``ids`` and ``full`` of the verdicts whose rule is not an accountability entry
  (the clock and rule verdicts), so that a difference shows where it is.

``--repeat N`` runs each mode N times (each in its own process) and keeps the least CPU time;
the digests must agree between runs. ``--json`` prints the results as JSON instead of the table;
``--write-verdicts DIR`` writes each mode's verdicts as sorted canonical JSON Lines
(``DIR/verdicts-<cases>-<mode>.jsonl``) for diffing; ``--oracle FILE`` merges the results into a
regression oracle (tests/benchmarks/oracle.json); ``--results FILE`` takes results saved with
``--json`` instead of measuring (to print their table, or merge them into the oracle)::

    python tests/benchmarks/bench_realistic.py --cases 10000 --json > run.json
    python tests/benchmarks/bench_realistic.py --results run.json --oracle tests/benchmarks/oracle.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
RULESETS = [
    ROOT / "rulesets" / "cn" / "xzxk.yaml",
    ROOT / "rulesets" / "cn" / "one-time-notification.yaml",
    ROOT / "rulesets" / "shijiazhuang" / "efficiency-revolution-2019.yaml",
    ROOT / "rulesets" / "shijiazhuang" / "accountability-2019.yaml",
    ROOT / "rulesets" / "changde" / "e-supervision-2013.yaml",
    ROOT / "rulesets" / "changde" / "accountability-2013.yaml",
    ROOT / "rulesets" / "county" / "points-table.yaml",
]
CST = dt.timezone(dt.timedelta(hours=8))
MODES = ("json", "parse", "list", "loop", "rules", "evaluate", "stream", "session")
ENGINE_MODES = ("evaluate", "stream", "session")
#: The verdicts the hand-written floor (mode ``loop``, floor_loop.py) works out: ruleset and rule.
LICENCE_OVERDUE = ("cn.xzxk", "licence.overdue")
#: The generator's arguments besides ``cases`` (synth.generate's defaults, the seed and year of this benchmark).
GENERATOR = {"year": 2025, "seed": 1, "inquiries_per_case": 0.3, "units": 30, "staff_per_unit": 10}


def as_of_for(year: int) -> dt.datetime:
    """The end of the synthetic year plus four days: 00:00 +08:00 on 5 January of the next year."""
    return dt.datetime(year + 1, 1, 5, tzinfo=CST)


def stream_session(engine: Any, path: Path, as_of: dt.datetime) -> tuple[Any, int]:
    """A session judging ``path`` as ``Engine.evaluate_stream`` does (keeping what accountability reads of each
    verdict, not the verdict), every event up to ``as_of`` offered, none finished: (the session, verdicts given)."""
    from efficiency_rules import read_events
    from efficiency_rules._gc import bulk_collection
    from efficiency_rules._session import Session

    session = Session(engine, keep_verdicts=False)
    session._counted = []
    limit = as_of.timestamp()
    verdicts = 0
    with bulk_collection():
        for event in read_events(path, registry=engine.registry, dedupe=False):
            ts = event.at.timestamp()
            if ts <= limit:
                verdicts += len(session._offer(event, ts))
    return session, verdicts


# -- verdict digests ------------------------------------------------------------------------


def accountability_entries(engine: Any) -> frozenset[tuple[str, str]]:
    """``(ruleset id, entry id)`` of every accountability entry (rules, ladders, rankings, rates, minimums)."""
    found = set()
    for ruleset in engine.rulesets:
        section = ruleset.spec.accountability
        if section is None:
            continue
        for entries in (section.rules, section.ladders, section.rankings, section.rates, section.minimums):
            found.update((ruleset.id, entry.id) for entry in entries)
    return frozenset(found)


def verdict_lines(verdict: Any) -> tuple[str, str]:
    """The verdict's ``ids`` line and its canonical JSON (the ``full`` line).

    ``ids``: ``id|rule|kind|at|points|card|subjects`` with ``at`` in ISO form (``at.isoformat()``),
    points as ``format(points, "g")``, and card and points empty when absent; subjects are
    ``role:id`` joined by commas, in the verdict's order.
    """
    points = "" if verdict.points is None else format(verdict.points, "g")
    subjects = ",".join(f"{s.role}:{s.id}" for s in verdict.subjects)
    ids = f"{verdict.id}|{verdict.rule}|{verdict.kind}|{verdict.at.isoformat()}|{points}|{verdict.card or ''}|{subjects}"
    full = json.dumps(verdict.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return ids, full


def digest(lines: Iterable[str]) -> str:
    """sha256 over the lines sorted (by code point), each followed by a newline."""
    h = hashlib.sha256()
    for line in sorted(lines):
        h.update(line.encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()


def summarise(verdicts: Iterable[Any], entries: frozenset[tuple[str, str]]) -> dict[str, Any]:
    """Count, per-rule counts and digests of verdicts held in memory (small runs and tests)."""
    ids, full, rule_ids, rule_full, licence = [], [], [], [], []
    per_rule: Counter[str] = Counter()
    for verdict in verdicts:
        a, b = verdict_lines(verdict)
        if (verdict.ruleset, verdict.rule) == LICENCE_OVERDUE:
            licence.append(licence_line(verdict.thread, int(verdict.at.timestamp())))
        ids.append(a)
        full.append(b)
        per_rule[f"{verdict.ruleset}/{verdict.rule}"] += 1
        if (verdict.ruleset, verdict.rule) not in entries:
            rule_ids.append(a)
            rule_full.append(b)
    return {
        "verdicts": len(ids),
        "per_rule": dict(sorted(per_rule.items())),
        "ids": digest(ids),
        "full": digest(full),
        "rules": {"verdicts": len(rule_ids), "ids": digest(rule_ids), "full": digest(rule_full)},
        "licence": {"verdicts": len(licence), "digest": digest(licence)},
    }


def licence_line(thread: str, deadline: int) -> str:
    """A licence.overdue verdict as the floor and the engine can both write it: ``thread|deadline`` (POSIX seconds)."""
    return f"{thread}|{deadline}"


class _Spill:
    """Verdict lines written to files as they come (nothing kept), sorted and digested afterwards."""

    NAMES = ("ids", "full", "rules-ids", "rules-full")

    def __init__(self, directory: Path, entries: frozenset[tuple[str, str]]) -> None:
        self.directory = directory
        self.entries = entries
        self.files = {name: (directory / f"{name}.txt").open("w", encoding="utf-8", newline="\n") for name in self.NAMES}
        self.count = self.rules = 0
        self.per_rule: Counter[str] = Counter()
        self.licence: list[str] = []

    def add(self, verdict: Any) -> None:
        ids, full = verdict_lines(verdict)
        if (verdict.ruleset, verdict.rule) == LICENCE_OVERDUE:
            self.licence.append(licence_line(verdict.thread, int(verdict.at.timestamp())))
        files = self.files
        files["ids"].write(ids + "\n")
        files["full"].write(full + "\n")
        self.count += 1
        self.per_rule[f"{verdict.ruleset}/{verdict.rule}"] += 1
        if (verdict.ruleset, verdict.rule) not in self.entries:
            files["rules-ids"].write(ids + "\n")
            files["rules-full"].write(full + "\n")
            self.rules += 1

    def finish(self, keep_full: Path | None) -> dict[str, Any]:
        digests = {}
        for name, handle in self.files.items():
            handle.close()
            path = self.directory / f"{name}.txt"
            ordered = self.directory / f"{name}.sorted"
            _sort_file(path, ordered)
            h = hashlib.sha256()
            with ordered.open("rb") as sorted_lines:
                for block in iter(lambda: sorted_lines.read(1 << 20), b""):
                    h.update(block)
            digests[name] = h.hexdigest()
            if name == "full" and keep_full is not None:
                shutil.copyfile(ordered, keep_full)
            path.unlink()
            ordered.unlink()
        return {
            "verdicts": self.count,
            "per_rule": dict(sorted(self.per_rule.items())),
            "ids": digests["ids"],
            "full": digests["full"],
            "rules": {"verdicts": self.rules, "ids": digests["rules-ids"], "full": digests["rules-full"]},
            "licence": {"verdicts": len(self.licence), "digest": digest(self.licence)},
        }


def _sort_file(source: Path, target: Path) -> None:
    """Sort lines by bytes (for UTF-8, the same order as Python's by code point); external when ``sort`` exists."""
    tool = shutil.which("sort")
    if tool is not None:
        env = {**os.environ, "LC_ALL": "C"}
        subprocess.run([tool, "-T", str(source.parent), "-o", str(target), str(source)], check=True, env=env)
        return
    lines = source.read_text(encoding="utf-8").splitlines()
    with target.open("w", encoding="utf-8", newline="\n") as out:
        for line in sorted(lines):
            out.write(line + "\n")


# -- the modes (in the child process) -------------------------------------------------------


def _load_engine(paths: list[Path] = RULESETS) -> tuple[Any, float]:
    from efficiency_rules import Engine

    started = time.process_time()
    engine = Engine(paths)
    return engine, time.process_time() - started


def without_time_limits(work: Path) -> list[Path]:
    """The seven rulesets written to ``work`` without their time limits (mode ``rules``): everything but clocks.

    What only a time limit gives goes with them: the aggregates that average a clock's cases, and
    the verdicts only those aggregates give.
    """
    import yaml

    from efficiency_rules._yaml import load_yaml

    def plain(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: plain(item) for key, item in value.items()}
        if isinstance(value, list):
            return [plain(item) for item in value]
        return value

    paths = []
    for i, path in enumerate(RULESETS):
        data = plain(load_yaml(path))
        data.pop("time_limits", None)
        section = data.get("accountability") or {}
        dropped = [a for a in section.get("aggregates", []) if "time_limit" in (a.get("cases") or {})]
        if dropped:
            section["aggregates"] = [a for a in section["aggregates"] if a not in dropped]
            for aggregate in dropped:
                data["verdicts"].pop(aggregate["verdict"], None)
        target = work / f"{i}-{path.name}"
        target.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        paths.append(target)
    return paths


def child(mode: str, path: Path, as_of: dt.datetime, work: Path, keep_full: Path | None) -> dict[str, Any]:
    from efficiency_rules import read_events

    result: dict[str, Any] = {"mode": mode}
    engine = None
    if mode == "rules":
        engine, result["load_cpu_s"] = _load_engine(without_time_limits(work))
    elif mode != "json":
        engine, result["load_cpu_s"] = _load_engine()
    if mode == "loop":
        import floor_loop

        # the working days of the years a log of up to eight years ends with, to the end of as_of's year
        days = floor_loop.days_from_library(dt.date(as_of.year - 9, 1, 1), dt.date(as_of.year, 12, 31))
    fold_cpu = 0.0
    spill = _Spill(work, accountability_entries(engine)) if mode in (*ENGINE_MODES, "rules") else None
    report = None
    wall = time.perf_counter()
    started = time.process_time()
    if mode == "json":
        loads = json.loads
        events = 0
        with path.open("rb") as lines:
            for line in lines:
                if line.strip():
                    loads(line)
                    events += 1
    elif mode == "parse":
        events = sum(1 for _ in read_events(path, registry=engine.registry))
    elif mode == "list":
        held = list(read_events(path, registry=engine.registry))
        events = len(held)
    elif mode == "loop":
        events, overdue = floor_loop.licence_overdue(path, as_of, days)
    elif mode in ("evaluate", "rules"):
        report = engine.evaluate(read_events(path, registry=engine.registry), as_of=as_of)
        events = report.events
    elif mode == "stream":
        stats: dict[str, Any] = {}
        clock = time.process_time
        add = spill.add  # type: ignore[union-attr]
        # dedupe=False: the session checks ids itself; the reader's check would remember every id of the file
        for verdict in engine.evaluate_stream(read_events(path, registry=engine.registry, dedupe=False), as_of=as_of, stats=stats):
            before = clock()
            add(verdict)
            fold_cpu += clock() - before
        events = stats["events"]
        result["scores"] = len(stats["scores"])
    elif mode == "session":
        session = engine.session()
        add_event = session.add
        for event in read_events(path, registry=engine.registry):
            add_event(event)
        report = session.report(as_of)
        events = report.events
    else:
        raise SystemExit(f"unknown mode {mode!r}; choose from {', '.join(MODES)}")
    cpu = time.process_time() - started - fold_cpu
    result["wall_s"] = time.perf_counter() - wall
    result["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result["events"] = events
    result["cpu_s"] = cpu
    if mode == "stream":
        result["fold_cpu_s"] = fold_cpu
    if report is not None:
        for verdict in report.verdicts:
            spill.add(verdict)  # type: ignore[union-attr]
        result["cases"] = len(report.cases)
        result["scores"] = len(report.scores)
    if spill is not None:
        result.update(spill.finish(keep_full))
    if mode == "loop":
        lines = [licence_line(f"case:{case}", deadline) for case, deadline in overdue.items()]
        result["licence"] = {"verdicts": len(lines), "digest": digest(lines)}
    return result


# -- the parent -----------------------------------------------------------------------------


def _synth_digest() -> str:
    return hashlib.sha256((HERE / "synth.py").read_bytes()).hexdigest()


def log_for(cases: int, cache: Path, years: int = 1) -> tuple[Path, dict[str, Any]]:
    """The synthetic year's JSON Lines for ``cases`` (generated once, then taken from ``cache``).

    With ``years`` above 1, that many years of ``cases`` each, one after another and ending with
    the benchmark's year (each year seeded with the seed plus its offset from that year): the same
    density of open cases, a log ``years`` times as long.
    """
    args = {"cases": cases, **GENERATOR}
    code = _synth_digest()
    name = "synth-c{cases}-y{year}-s{seed}-i{inquiries_per_case}-u{units}-p{staff_per_unit}".format(**args)
    if years > 1:
        name += f"-n{years}"
    path = cache / f"{name}-{code[:12]}.jsonl"
    if not path.exists():
        sys.path.insert(0, str(HERE))
        from synth import generate

        cache.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.part")
        dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
        started = time.process_time()
        with partial.open("w", encoding="utf-8", newline="\n") as out:
            for back in range(years - 1, -1, -1):
                year_args = {**args, "year": args["year"] - back, "seed": args["seed"] + back}
                for event in generate(**year_args):
                    out.write(dumps(event))
                    out.write("\n")
        partial.replace(path)
        print(f"generated {path} in {time.process_time() - started:.1f} CPU s", file=sys.stderr)
    h = hashlib.sha256()
    lines = 0
    with path.open("rb") as log:
        for block in iter(lambda: log.read(1 << 20), b""):
            h.update(block)
            lines += block.count(b"\n")
    info = {"generator": {**args, "years": years}, "synth_sha256": code, "log": str(path), "log_sha256": h.hexdigest(),
            "log_lines": lines, "log_bytes": path.stat().st_size}
    return path, info


def run_mode(mode: str, path: Path, as_of: dt.datetime, keep_full: Path | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-realistic-") as work:
        command = [sys.executable, __file__, "--child", mode, "--file", str(path), "--as-of", as_of.isoformat(), "--work", work]
        if keep_full is not None:
            command += ["--keep-full", str(keep_full)]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"mode {mode} failed ({done.returncode}):\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(cases: int, modes: list[str], repeat: int, cache: Path, write_verdicts: Path | None,
            years: int = 1) -> dict[str, Any]:
    path, info = log_for(cases, cache, years)
    as_of = as_of_for(GENERATOR["year"])
    best: dict[str, dict[str, Any]] = {}
    for r in range(repeat):
        for mode in modes:  # modes interleaved, so that a slow spell of the machine falls on all of them
            keep = None
            if write_verdicts is not None and r == 0 and mode in ENGINE_MODES:
                write_verdicts.mkdir(parents=True, exist_ok=True)
                keep = write_verdicts / f"verdicts-{cases}-{mode}.jsonl"
            result = run_mode(mode, path, as_of, keep)
            result["runs_cpu_s"] = [result["cpu_s"]]
            result["runs_peak_rss_mib"] = [result["peak_rss_mib"]]
            earlier = best.get(mode)
            if earlier is None:
                best[mode] = result
                continue
            for key in ("verdicts", "ids", "full", "rules", "per_rule", "events"):
                if earlier.get(key) != result.get(key):
                    raise SystemExit(f"mode {mode}: run {r + 1} gave another {key} than run 1")
            runs, peaks = earlier["runs_cpu_s"] + [result["cpu_s"]], earlier["runs_peak_rss_mib"] + [result["peak_rss_mib"]]
            if result["cpu_s"] < earlier["cpu_s"]:
                best[mode] = result
            best[mode]["runs_cpu_s"], best[mode]["runs_peak_rss_mib"] = runs, peaks
    for result in best.values():
        result["events_per_cpu_s"] = result["events"] / result["cpu_s"] if result["cpu_s"] > 0 else None
    parse = best.get("parse")
    for result in best.values():
        if parse is not None and result["events_per_cpu_s"] and parse["events_per_cpu_s"]:
            result["ratio_to_parse"] = result["events_per_cpu_s"] / parse["events_per_cpu_s"]
    return {**info, "cases": cases, "as_of": as_of.isoformat(), "repeat": repeat, "modes": best,
            "comparisons": compare(best)}


def compare(modes: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Whether the modes that judge give the same verdicts (in full, and on the clock and rule subset)."""
    found: dict[str, Any] = {}
    if "loop" in modes and "evaluate" in modes:
        found["loop == evaluate (licence overdue)"] = modes["loop"]["licence"] == modes["evaluate"]["licence"]
    for other in ("stream", "session"):
        if "evaluate" in modes and other in modes:
            found[f"evaluate == {other} (full)"] = modes["evaluate"]["full"] == modes[other]["full"]
            found[f"evaluate == {other} (scores)"] = modes["evaluate"].get("scores") == modes[other].get("scores")
    return found


def print_table(run: dict[str, Any]) -> None:
    years = run["generator"].get("years", 1)
    span = f" a year for {years} years ({run['cases'] * years:,} cases)" if years > 1 else ""
    print(f"\n{run['cases']:,} cases{span}: {run['log_lines']:,} events, {run['log_bytes'] / 2**20:.1f} MiB "
          f"({Path(run['log']).name}); as_of {run['as_of']}; best of {run['repeat']}")
    head = f"{'mode':<9} {'events':>9} {'CPU s':>8} {'events/CPU-s':>13} {'x parse':>8} {'peak MiB':>9} {'verdicts':>9}  {'ids':<12}  {'full':<12}  rules: n / full"
    print(head)
    print("-" * len(head))
    for mode, r in run["modes"].items():
        ratio = f"{r['ratio_to_parse']:.3f}" if r.get("ratio_to_parse") is not None else "-"
        rate = f"{r['events_per_cpu_s']:,.0f}" if r.get("events_per_cpu_s") else "-"
        if "ids" in r:
            tail = f"{r['verdicts']:>9,}  {r['ids'][:12]}  {r['full'][:12]}  {r['rules']['verdicts']:,} / {r['rules']['full'][:12]}"
        elif "licence" in r:
            tail = f"{r['licence']['verdicts']:>9,}  (licence.overdue only)"
        else:
            tail = f"{'-':>9}"
        print(f"{mode:<9} {r['events']:>9,} {r['cpu_s']:>8.2f} {rate:>13} {ratio:>8} {r['peak_rss_mib']:>9.1f} {tail}")
    loads = [r["load_cpu_s"] for r in run["modes"].values() if "load_cpu_s" in r]
    if loads:
        print(f"loading the seven rulesets: {min(loads):.2f} CPU s (not counted above)")
    if "stream" in run["modes"]:
        print(f"stream: {run['modes']['stream']['fold_cpu_s']:.2f} CPU s of folding verdicts into digests taken out")
    if "list" in run["modes"]:
        held = run["modes"]["list"]["peak_rss_mib"]
        print("peak RSS against list(read_events): " + ", ".join(
            f"{mode} {r['peak_rss_mib'] / held:.2f}x" for mode, r in run["modes"].items() if mode in ENGINE_MODES))
    for what, same in run["comparisons"].items():
        print(f"{what}: {'same' if same else 'DIFFERENT'}")


def _engine_commit() -> str | None:
    """The last commit that changed src/ (the engine the oracle records), if this is a git checkout."""
    done = subprocess.run(["git", "-C", str(ROOT), "log", "-1", "--format=%H", "--", "src"],
                          capture_output=True, text=True, check=False)
    return done.stdout.strip() or None


def write_oracle(path: Path, runs: list[dict[str, Any]]) -> None:
    """Merge ``runs`` into the oracle file: per size, per judging mode, counts and digests."""
    oracle = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    oracle.setdefault("about", (
        "Verdicts of the seven rulesets of tests/benchmarks/bench_realistic.py over synth.py years, as the engine "
        "gave them when recorded; digests as that file's docstring defines them."
    ))
    oracle["rulesets"] = [str(p.relative_to(ROOT)) for p in RULESETS]
    sizes = oracle.setdefault("sizes", {})
    for run in runs:
        years = run["generator"].get("years", 1)
        entry = sizes.setdefault(str(run["cases"]) if years == 1 else f"{run['cases']}x{years}", {})
        entry.update({
            "generator": run["generator"], "synth_sha256": run["synth_sha256"], "log_sha256": run["log_sha256"],
            "events": run["log_lines"], "as_of": run["as_of"], "python": run.get("python"), "engine": _engine_commit(),
        })
        modes = entry.setdefault("modes", {})
        for mode, r in run["modes"].items():
            if mode not in ENGINE_MODES:
                continue
            modes[mode] = {key: r[key] for key in ("events", "verdicts", "ids", "full", "rules", "per_rule")}
            modes[mode]["measured"] = {"cpu_s": round(r["cpu_s"], 2), "events_per_cpu_s": round(r["events_per_cpu_s"]),
                                       "peak_rss_mib": round(r["peak_rss_mib"], 1)}
        entry["comparisons"] = compare(dict(modes))
    path.write_text(json.dumps(oracle, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, action="append", help="cases in the synthetic year (several allowed; default 10000)")
    parser.add_argument("--years", type=int, default=1,
                        help="years of --cases each, one after another (the same density, a longer log; default 1)")
    parser.add_argument("--modes", default=",".join(MODES), help=f"comma list of {', '.join(MODES)}")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each mode; the least CPU time is kept")
    parser.add_argument("--json", action="store_true", help="print the results as JSON instead of the table")
    parser.add_argument("--write-verdicts", type=Path, default=None, metavar="DIR", help="write each mode's verdicts as sorted JSONL")
    parser.add_argument("--oracle", type=Path, default=None, metavar="FILE", help="merge the results into this oracle file")
    parser.add_argument("--results", type=Path, default=None, metavar="FILE",
                        help="take the results from FILE (the output of --json) instead of measuring")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "efficiency-rules-bench")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--as-of", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--keep-full", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        result = child(args.child, args.file, dt.datetime.fromisoformat(args.as_of), args.work, args.keep_full)
        print(json.dumps(result))
        return 0
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    unknown = set(modes) - set(MODES)
    if unknown:
        parser.error(f"unknown modes {', '.join(sorted(unknown))}; choose from {', '.join(MODES)}")
    runs = []
    if args.results is not None:
        runs = json.loads(args.results.read_text(encoding="utf-8"))
        for run in runs if not args.json else ():
            print_table(run)
    for cases in args.cases or ([10_000] if args.results is None else []):
        run = measure(cases, modes, max(1, args.repeat), args.cache, args.write_verdicts, max(1, args.years))
        run["python"] = platform.python_version()
        runs.append(run)
        if not args.json:
            print_table(run)
    if args.json:
        print(json.dumps(runs, ensure_ascii=False, indent=2))
    if args.oracle is not None:
        write_oracle(args.oracle, runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
