"""Scenario tests: how a ruleset author proves a policy, in YAML, before it goes live.

A scenario file (``*.test.yaml``) names the ruleset files it tests and lists scenarios: the
events given, the time ``as_of``, and the verdicts expected. Expectations match partially: an
expected verdict states only the keys that matter (``rule``, ``thread``, ``points``…) and matches
any actual verdict that agrees on them. With ``only: true`` (the default) every actual verdict must
be expected; ``only: false`` allows others. A failure says which scenario, and shows a diff.

    rulesets: [first-inquiry.yaml]          # relative to this file
    scenarios:
      - name: a referral that names no unit
        as_of: 2024-10-09T00:00:00+08:00
        given:
          - {id: q4, type: inquiry.referred, at: "2024-09-27T12:00:00+08:00", inquiry_id: Q3}
        expect:
          verdicts:
            - {rule: referral-names-no-unit, thread: "inquiry:Q3", points: -0.5}
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._errors import EfficiencyRulesError, SourceError, SourceLocation
from .._yaml import YamlList, YamlMap, check_keys, load_yaml, location_of

__all__ = ["Scenario", "ScenarioFile", "ScenarioResult", "load_scenario_file", "run_scenario_file", "scenario_files"]

SUFFIXES = (".test.yaml", ".test.yml")
_FILE_KEYS = ("rulesets", "scenarios")
_SCENARIO_KEYS = ("name", "as_of", "given", "expect")
_EXPECT_KEYS = ("verdicts", "only", "none", "cases", "scores", "aggregates")
_AGGREGATE_KEYS = ("ruleset", "rule", "role", "subject", "period", "statistic", "unit", "value", "op", "bound", "count",
                   "judged", "holds", "message", "message_en", "threads", "digest")
_SCORE_KEYS = ("ruleset", "role", "subject", "period", "base", "deductions", "bonuses", "score", "grade", "vetoed", "rank")
_CASE_KEYS = (
    "thread", "ruleset", "time_limit", "matter", "status", "start", "deadline", "stopped_at", "limit", "measure",
    "elapsed_seconds", "elapsed_days", "remaining_seconds", "remaining_days", "paused_seconds", "paused_days",
    "overdue_seconds", "overdue_days",
)
_MOMENTS = ("at", "start", "deadline", "stopped_at")
_VERDICT_KEYS = ("rule", "kind", "thread", "at", "points", "card", "sanction", "subjects", "cites", "message", "ruleset", "trigger")


@dataclass(frozen=True)
class Scenario:
    """One scenario: events given, the time of judgement, the verdicts expected."""

    name: str
    as_of: dt.datetime
    given: list[Any]
    expected: list[Mapping[str, Any]]
    only: bool
    location: SourceLocation
    cases: list[Mapping[str, Any]] = field(default_factory=list)  # expected case clock states (partial)
    scores: list[Mapping[str, Any]] = field(default_factory=list)  # expected scores (partial)
    aggregates: list[Mapping[str, Any]] = field(default_factory=list)  # expected aggregates (partial)


@dataclass(frozen=True)
class ScenarioFile:
    """A scenario file: the ruleset files it tests and its scenarios."""

    path: str
    rulesets: list[Path]
    scenarios: list[Scenario]


@dataclass
class ScenarioResult:
    """The outcome of one scenario; ``diff`` explains a failure."""

    scenario: Scenario
    path: str
    passed: bool
    diff: str = ""
    verdicts: list[Any] = field(default_factory=list)

    def describe(self) -> str:
        head = f"{self.scenario.location}: scenario {self.scenario.name!r}"
        return f"{head}: {'passed' if self.passed else 'FAILED'}" + ("" if self.passed else "\n" + self.diff)


def scenario_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Scenario files named, found recursively (sorted) in directories, or shipped with a ruleset id.

    ``cn.xzxk`` names the scenario files of the shipped ruleset ``cn.xzxk``; an id nothing ships is
    a :class:`RulesetError` naming the closest ones.
    """
    from .._shipped import resolve_ruleset_argument

    for path in (found for entry in paths for found in resolve_ruleset_argument(entry, scenarios=True)):
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*.test.y*ml") if p.name.endswith(SUFFIXES))
        else:
            yield path


def _fail(message: str, where: SourceLocation) -> SourceError:
    return SourceError(message, where)


def _aware(value: Any, where: SourceLocation) -> dt.datetime:
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            raise _fail(f"'as_of' must be a datetime like 2024-10-09T00:00:00+08:00, got {value!r}", where) from None
    if not isinstance(value, dt.datetime) or value.tzinfo is None:
        raise _fail(f"'as_of' must be a datetime with a UTC offset, like 2024-10-09T00:00:00+08:00, got {value!r}", where)
    return value


def load_scenario_file(path: str | Path) -> ScenarioFile:
    """Read a scenario file; :class:`SourceError` with the line of the first problem."""
    name = str(path)
    data = load_yaml(Path(path))
    if not isinstance(data, YamlMap):
        raise _fail("a scenario file is a mapping with 'rulesets' and 'scenarios'", SourceLocation(name, 1, 1))
    check_keys(data, _FILE_KEYS, path=name, what="a scenario file")
    rulesets = data.get("rulesets")
    if isinstance(rulesets, str):
        rulesets = [rulesets]
    if not isinstance(rulesets, list) or not rulesets or not all(isinstance(r, str) for r in rulesets):
        raise _fail("'rulesets' lists the ruleset files tested, relative to this file, or ids of shipped rulesets", location_of(data, "rulesets", path=name))
    base = Path(path).parent
    scenarios = data.get("scenarios")
    if not isinstance(scenarios, YamlList) or not scenarios:
        raise _fail("'scenarios' is a non-empty list", location_of(data, "scenarios", path=name))
    parsed: list[Scenario] = []
    names: set[str] = set()
    for index, raw in enumerate(scenarios):
        where = location_of(scenarios, index, path=name)
        if not isinstance(raw, YamlMap):
            raise _fail("a scenario is a mapping with name, as_of, given, expect", where)
        check_keys(raw, _SCENARIO_KEYS, path=name, what="a scenario")
        title = raw.get("name")
        if not isinstance(title, str) or not title.strip():
            raise _fail("a scenario needs a 'name'", where)
        if title in names:
            raise _fail(f"scenario name {title!r} is used twice in this file", location_of(raw, "name", path=name))
        names.add(title)
        if "as_of" not in raw:
            raise _fail("a scenario needs 'as_of', the time it is judged at", where)
        as_of = _aware(raw["as_of"], location_of(raw, "as_of", path=name))
        given = raw.get("given", [])
        if not isinstance(given, list):
            raise _fail("'given' is a list of events", location_of(raw, "given", path=name))
        expect = raw.get("expect", YamlMap())
        if not isinstance(expect, YamlMap):
            raise _fail("'expect' is a mapping: verdicts, only", location_of(raw, "expect", path=name))
        check_keys(expect, _EXPECT_KEYS, path=name, what="'expect'")
        verdicts = [] if expect.get("none") is True else _expected(expect, "verdicts", _VERDICT_KEYS, name,
                                                                    "an expected verdict", "{rule: late, points: -2}")
        only = expect.get("only", True)
        if not isinstance(only, bool):
            raise _fail("'only' is true or false", location_of(expect, "only", path=name))
        cases = _expected(expect, "cases", _CASE_KEYS, name, "an expected case state", "{thread: 'case:C1', status: overdue}")
        scores = _expected(expect, "scores", _SCORE_KEYS, name, "an expected score", "{subject: u1, period: '2024', score: 96}")
        aggregates = _expected(expect, "aggregates", _AGGREGATE_KEYS, name, "an expected aggregate",
                               "{rule: average, subject: u1, period: 2019, value: 23.5, judged: true}")
        parsed.append(Scenario(title, as_of, list(given), list(verdicts), only, where, list(cases), list(scores),
                               list(aggregates)))
    return ScenarioFile(name, _ruleset_paths(rulesets, base, location_of(data, "rulesets", path=name)), parsed)


def _ruleset_paths(rulesets: list[str], base: Path, where: SourceLocation) -> list[Path]:
    """The files a scenario file tests: paths relative to it, or ids of shipped rulesets (a file here wins)."""
    from .._errors import RulesetError
    from .._shipped import find_shipped, looks_like_path

    paths: list[Path] = []
    for entry in rulesets:
        local = base / entry
        if local.exists() or looks_like_path(entry):
            paths.append(local)
            continue
        try:
            paths.extend(shipped.path for shipped in find_shipped(entry, or_path=True))
        except RulesetError as error:
            raise _fail(f"'rulesets': {entry!r}: {error.issues[0].message}", where) from None
    return paths


def _expected(expect: YamlMap, key: str, keys: tuple[str, ...], path: str, what: str, example: str) -> list[Any]:
    """The list under ``expect[key]``: mappings with only ``keys`` (partial expectations)."""
    items = expect.get(key, [])
    if not isinstance(items, list):
        raise _fail(f"'{key}' is a list of {what.removeprefix('an ')}s", location_of(expect, key, path=path))
    for i, item in enumerate(items):
        if not isinstance(item, YamlMap):
            raise _fail(f"{what} is a mapping such as {example}", location_of(items, i, path=path))
        check_keys(item, keys, path=path, what=what)
    return items


def _view(verdict: Any) -> dict[str, Any]:
    """A verdict as a scenario compares it."""
    return {
        "rule": verdict.rule,
        "ruleset": verdict.ruleset,
        "kind": verdict.kind,
        "thread": verdict.thread,
        "at": verdict.at,
        "points": verdict.points,
        "card": verdict.card,
        "sanction": verdict.sanction,
        "subjects": [{"role": s.role, "id": s.id} for s in verdict.subjects],
        "cites": [c.id for c in verdict.cites],
        "message": verdict.explanation.message_zh,
        "trigger": verdict.trigger,
    }


def _agrees(key: str, expected: Any, actual: Any) -> bool:
    if key in _MOMENTS:
        if expected is None or actual is None:
            return expected is actual
        try:
            moment = expected if isinstance(expected, dt.datetime) else dt.datetime.fromisoformat(str(expected))
        except ValueError:
            return False
        return moment.tzinfo is not None and moment == actual
    if key in ("message", "message_en"):
        return isinstance(expected, str) and expected in actual  # a part of the message is enough
    if key == "period":
        return isinstance(actual, str) and actual == str(expected)  # 2024 (a YAML number) is the period "2024"
    if isinstance(expected, (int, float)) and isinstance(actual, (int, float)) and not isinstance(expected, bool):
        return float(expected) == float(actual)
    if key in ("subjects", "cites") and isinstance(expected, list):
        return all(any(item == got for got in actual) for item in expected)
    return bool(expected == actual)


def _matches(expected: Mapping[str, Any], actual: Mapping[str, Any]) -> bool:
    return all(_agrees(key, value, actual[key]) for key, value in expected.items())


def _show(view: Mapping[str, Any], keys: Iterable[str] | None = None) -> str:
    chosen = list(keys) if keys is not None else ["rule", "thread", "at", "kind", "points", "card", "subjects"]
    parts = []
    for key in chosen:
        value = view.get(key)
        if isinstance(value, dt.datetime):
            value = value.isoformat()
        parts.append(f"{key}: {value!r}" if not isinstance(value, str) else f"{key}: {value}")
    return "{" + ", ".join(parts) + "}"


def _compare_states(expected_list: list[Mapping[str, Any]], views: list[dict[str, Any]], label: str,
                    same: Callable[[Mapping[str, Any], Mapping[str, Any]], bool], none_text: str) -> list[str]:
    """Lines of a diff for each expected state (case clock, score) no actual one agrees with; the
    actual ones that ``same`` pairs with it are shown with the keys that differ."""
    lines = []
    for expected in expected_list:
        if any(_matches(expected, view) for view in views):
            continue
        lines.append(f"  - expected {label}  {_show(expected, expected.keys())}")
        near = [view for view in views if same(expected, view)]
        for view in near:
            differs = [k for k in expected if not _agrees(k, expected[k], view[k])]
            lines.append(f"    actual {label}    {_show(view, expected.keys())}  (differs in {', '.join(differs)})")
        if not near:
            lines.append(f"    actual {' ' * len(label)}    {none_text}")
    return lines


def compare_scores(scenario: Scenario, scores: list[Any]) -> list[str]:
    """Lines of a diff for each expected score no actual one agrees with."""
    return _compare_states(
        scenario.scores, [score.model_dump() for score in scores], "score",
        lambda e, v: v["subject"] == e.get("subject") and e.get("period", v["period"]) == v["period"],
        "no score for this subject and period",
    )


def compare_aggregates(scenario: Scenario, aggregates: list[Any]) -> list[str]:
    """Lines of a diff for each expected aggregate no actual one agrees with (``message`` is part of the Chinese one)."""
    views = []
    for aggregate in aggregates:
        view = aggregate.model_dump()
        view["message"] = view.pop("message_zh")
        views.append(view)
    return _compare_states(
        scenario.aggregates, views, "aggregate",
        lambda e, v: v["subject"] == e.get("subject") and e.get("rule", v["rule"]) == v["rule"],
        "no aggregate for this subject",
    )


def compare_cases(scenario: Scenario, cases: list[Any]) -> list[str]:
    """Lines of a diff for each expected case state no actual one agrees with."""
    views = [case.model_dump() for case in cases]
    threads = ", ".join(sorted({v["thread"] for v in views}))
    return _compare_states(
        scenario.cases, views, "case",
        lambda e, v: v["thread"] == e.get("thread") and e.get("time_limit", v["time_limit"]) == v["time_limit"],
        "no clock for this case" + (f" (clocks: {threads})" if views else ""),
    )


def compare(scenario: Scenario, verdicts: list[Any]) -> tuple[bool, str]:
    """Whether ``verdicts`` meet the scenario's expectations, and a readable diff when they do not."""
    views = [_view(v) for v in verdicts]
    unmatched = list(range(len(views)))
    missing: list[Mapping[str, Any]] = []
    for expected in scenario.expected:
        found = next((i for i in unmatched if _matches(expected, views[i])), None)
        if found is None:
            missing.append(expected)
        else:
            unmatched.remove(found)
    extra = unmatched if scenario.only else []
    if not missing and not extra:
        return True, ""
    lines = []
    for expected in missing:
        lines.append(f"  - expected  {_show(expected, expected.keys())}")
        near = [views[i] for i in range(len(views)) if views[i]["rule"] == expected.get("rule")]
        for view in near:
            differs = [k for k in expected if not _agrees(k, expected[k], view[k])]
            lines.append(f"    actual    {_show(view, expected.keys())}  (differs in {', '.join(differs)})")
        if not near:
            lines.append("    actual    no verdict of this rule")
    for i in extra:
        lines.append(f"  + unexpected {_show(views[i])}")
    return False, "\n".join(lines)


def run_scenario_file(path: str | Path, *, backend: str = "native") -> list[ScenarioResult]:
    """Run every scenario of a file; a problem in the file itself raises with its line."""
    from .._engine import Engine

    file = load_scenario_file(path)
    engine = Engine(file.rulesets, backend=backend)
    results = []
    try:
        for scenario in file.scenarios:
            results.append(run_scenario(engine, scenario, file.path))
    finally:
        engine.close()
    return results


def run_scenario(engine: Any, scenario: Scenario, path: str) -> ScenarioResult:
    """Run one scenario on an engine."""
    try:
        report = engine.evaluate(scenario.given, as_of=scenario.as_of)
    except EfficiencyRulesError as error:
        return ScenarioResult(scenario, path, False, f"  ! the events given cannot be judged: {error}")
    passed, diff = compare(scenario, report.verdicts)
    case_lines = (compare_cases(scenario, report.cases) + compare_scores(scenario, report.scores)
                  + compare_aggregates(scenario, report.aggregates))
    if case_lines:
        passed = False
        diff = "\n".join(([diff] if diff else []) + case_lines)
    return ScenarioResult(scenario, path, passed, diff, report.verdicts)
