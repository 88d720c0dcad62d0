"""Bounded fuzzing in the suite: whatever an event or a ruleset holds, only EfficiencyRulesError escapes.

Hypothesis draws events (JSON-ish values, extreme instants, deep nesting, huge integers, lone
surrogates, values JSON has no form for) and mutates the shipped rulesets (keys deleted,
duplicated or retyped, values swapped). Each test is bounded to run in seconds in CI.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import random
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from efficiency_rules import EfficiencyRulesError, Engine, parse_event, read_events
from efficiency_rules._ruleset import check_paths

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted(p for p in (ROOT / "rulesets").rglob("*.yaml") if not p.name.endswith(".test.yaml"))
ENGINE = Engine([ROOT / "rulesets" / "cn" / "xzxk.yaml"])
AS_OF = dt.datetime(2024, 12, 1, tzinfo=dt.timezone(dt.timedelta(hours=8)))
BOUNDED = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

TYPES = ["case.received", "case.accepted", "case.completed", "case.extension_granted", "inquiry.received", "case.acepted", ""]
INSTANTS = st.one_of(
    st.sampled_from(["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59+00:00", "9999-12-31T23:59:59-12:00",
                     "2024-09-27T10:00:00+08:00", "2024-09-27T10:00:00", "2024-02-30T10:00:00+08:00", "not a time",
                     "2024-09-27T10:00:00+24:00", "2024-09-27T10:00:00.999999999+08:00"]),
    st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30),
                 timezones=st.sampled_from([dt.UTC, dt.timezone(dt.timedelta(hours=14)),
                                            dt.timezone(dt.timedelta(hours=-12))])).map(lambda d: d.isoformat()),
)
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=10 ** 4400, max_value=10 ** 4500),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=20),
    st.sampled_from(["\ud800", "a\udfffb", "\u202e", "10wd", "-3wd", "1e400"]),
)


def nested(depth: int) -> Any:
    value: Any = "leaf"
    for i in range(depth):
        value = [value] if i % 2 else {"k": value}
    return value


JSONISH = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                       max_leaves=12)
ODD = st.sampled_from([object(), b"bytes", {1, 2}, dt.date(2024, 1, 1), complex(1, 2), nested(1200), {"n": 10 ** 5000},
                       {"s": "\ud800"}, {1: "key"}, [10 ** 4400]])


@st.composite
def events(draw: st.DrawFn) -> dict[str, Any]:
    valid = draw(st.booleans())  # half the events are valid but for what is drawn below: they reach the engine
    event: dict[str, Any] = {
        "id": draw(st.text(min_size=1, max_size=12) if valid else st.one_of(st.text(max_size=12), SCALARS)),
        "type": draw(st.sampled_from(TYPES[:5]) if valid else st.one_of(st.sampled_from(TYPES), SCALARS)),
        "at": draw(INSTANTS if valid else st.one_of(INSTANTS, SCALARS)),
        "case_id": draw(st.sampled_from(["A", "B"]) if valid else st.one_of(st.sampled_from(["A", "B"]), SCALARS)),
    }
    for key in draw(st.lists(st.sampled_from(["matter", "duration", "approver", "meta", "actor", "unit", "extra", "items"]),
                             max_size=4, unique=True)):
        event[key] = draw(st.one_of(JSONISH, ODD) if key == "meta" else JSONISH)
    for key in draw(st.lists(st.sampled_from(["id", "type", "at", "case_id"]), max_size=0 if valid else 2, unique=True)):
        del event[key]
    return event


def only_library_errors(call: Any) -> Any:
    try:
        return call()
    except EfficiencyRulesError:
        return None


@BOUNDED
@given(events())
def test_parse_event_raises_only_library_errors(event: dict[str, Any]) -> None:
    only_library_errors(lambda: parse_event(event))


@BOUNDED
@given(st.lists(events(), min_size=1, max_size=5))
def test_judging_and_snapshots_raise_only_library_errors(batch: list[dict[str, Any]]) -> None:
    only_library_errors(lambda: ENGINE.evaluate(batch, as_of=AS_OF))
    only_library_errors(lambda: list(ENGINE.evaluate_stream(batch, as_of=AS_OF, tolerance=dt.timedelta(days=1))))
    session = ENGINE.session()
    for event in batch:
        only_library_errors(lambda event=event: session.add(event))
    only_library_errors(session.snapshot)


def line_of(event: dict[str, Any]) -> bytes:
    try:
        return json.dumps(event, default=str).encode("utf-8", "surrogatepass")
    except (ValueError, RecursionError):
        return b'{"id": "x", "type": ' + b"[" * 2000 + b"]" * 2000 + b"}"


@BOUNDED
@given(st.lists(st.one_of(events().map(line_of), st.binary(max_size=40)), min_size=1, max_size=6))
def test_read_events_raises_only_library_errors(lines: list[bytes]) -> None:
    source = io.BytesIO(b"\n".join(lines) + b"\n")
    only_library_errors(lambda: list(read_events(source)))
    problems: list[Any] = []
    list(read_events(io.BytesIO(source.getvalue()), errors=problems))  # --keep-going: every bad line collected, never raised
    assert all(isinstance(problem, EfficiencyRulesError) for problem in problems)


def mutate(tree: Any, rng: random.Random, replacements: list[Any]) -> Any:
    """One mutation somewhere in ``tree``: a key deleted, duplicated under another name or retyped, or a value swapped."""
    containers: list[Any] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict | list) and node:
            containers.append(node)
            for child in node.values() if isinstance(node, dict) else node:
                walk(child)

    walk(tree)
    node = rng.choice(containers)
    key = rng.choice(list(node)) if isinstance(node, dict) else rng.randrange(len(node))
    action = rng.choice(["delete", "duplicate", "retype", "swap"])
    if action == "delete":
        del node[key]
    elif action == "duplicate" and isinstance(node, dict):
        node[f"{key}_"] = node[key]
    elif action == "retype":
        value = node[key]
        node[key] = [value] if not isinstance(value, list) else {"x": value}
    else:
        node[key] = rng.choice(replacements)
    return tree


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SHIPPED), st.integers(min_value=0, max_value=2 ** 32), st.integers(min_value=1, max_value=3))
def test_mutated_shipped_rulesets_raise_only_library_errors(path: Path, seed: int, mutations: int) -> None:
    rng = random.Random(seed)
    tree = yaml.safe_load(path.read_text(encoding="utf-8"))
    replacements: list[Any] = [None, True, 0, -1, 10 ** 30, 1.5, "", "x" * 300, "以上", "3次", "20个工作日", [], {}, "case.accepted",
                                "\u202e", {"days": 0}, [None], "__doc__", "model_config"]
    for _ in range(mutations):
        tree = mutate(tree, rng, replacements)
    mutated = path.parent / f".fuzz-{path.name}"  # beside the original: relative paths (year files) still resolve
    try:
        mutated.write_text(yaml.safe_dump(tree, allow_unicode=True, sort_keys=False), encoding="utf-8")
        rulesets, issues = check_paths([mutated])
        assert all(issue.location.path for issue in issues)
        if rulesets:
            only_library_errors(lambda: Engine(rulesets).evaluate(
                [{"id": "r", "type": "case.received", "at": "2024-09-02T10:00:00+08:00", "case_id": "A", "matter": "x"},
                 {"id": "a", "type": "case.accepted", "at": "2024-09-03T10:00:00+08:00", "case_id": "A"}], as_of=AS_OF))
    finally:
        mutated.unlink(missing_ok=True)
