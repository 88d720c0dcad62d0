"""The matching backends: every condition form on both, and both against a plain reference.

The durable tests skip when durable_rules cannot be imported (it does not build on every
machine and does not import on Python 3.13); the unavailable-backend messages are tested
everywhere by simulating that.
"""

from __future__ import annotations

import math
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from efficiency_rules._errors import BackendError, BackendUnavailableError, ConditionError, EfficiencyRulesError
from efficiency_rules._match import Condition, Matcher, MatchRule
from efficiency_rules._match.native import NativeMatcher

MISSING = object()  # a key left out of the fact


def durable_matcher(rules: list[MatchRule], name: str = "test") -> Matcher:
    pytest.importorskip("durable")
    from efficiency_rules._match.durable import DurableMatcher

    return DurableMatcher(rules, name=name)


@pytest.fixture(params=["native", "durable"])
def make(request: pytest.FixtureRequest) -> Iterator[Callable[[list[MatchRule]], Matcher]]:
    """Builds a matcher of the parametrized backend; closes what it built."""
    built: list[Matcher] = []

    def build(rules: list[MatchRule]) -> Matcher:
        matcher = durable_matcher(rules) if request.param == "durable" else NativeMatcher(rules)
        built.append(matcher)
        return matcher

    yield build
    for matcher in built:
        matcher.close()


def fact_with(value: Any, key: str = "a", type_: str = "t") -> dict[str, Any]:
    return {"type": type_} if value is MISSING else {"type": type_, key: value}


def rules_on(key: str, value: Any, trigger: str = "t") -> list[MatchRule]:
    """One rule per operator, named by it: eq ne lt le gt ge."""
    names = {"==": "eq", "!=": "ne", "<": "lt", "<=": "le", ">": "gt", ">=": "ge"}
    return [MatchRule(name, trigger, ("cmp", op, key, value)) for op, name in names.items()]


# -- each form, exact answers, both backends -----------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1, ["eq", "le", "ge"]),
        (1.0, ["eq", "le", "ge"]),
        (0, ["ne", "lt", "le"]),
        (-0.5, ["ne", "lt", "le"]),
        (2.5, ["ne", "gt", "ge"]),
        (10**30, ["ne", "gt", "ge"]),
        (True, []),  # a boolean is not a number: True == 1 is false, and so is True != 1
        (False, []),
        ("1", []),  # a string against a number: false, never an error
        ("0", []),
        (None, []),
        (MISSING, []),
    ],
)
def test_number_comparisons(make: Callable[..., Matcher], value: Any, expected: list[str]) -> None:
    matcher = make(rules_on("a", 1))
    assert matcher.match("case:1", [fact_with(value)]) == [expected]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("b", ["eq", "le", "ge"]),
        ("a", ["ne", "lt", "le"]),
        ("", ["ne", "lt", "le"]),
        ("ba", ["ne", "gt", "ge"]),
        ("B", ["ne", "lt", "le"]),
        ("é", ["ne", "gt", "ge"]),  # code point order
        ("b\x00", ["ne", "gt", "ge"]),
        ('"', ["ne", "lt", "le"]),
        (1, []),
        (True, []),
        (None, []),
        (MISSING, []),
    ],
)
def test_string_comparisons(make: Callable[..., Matcher], value: Any, expected: list[str]) -> None:
    matcher = make(rules_on("a", "b"))
    assert matcher.match("case:1", [fact_with(value)]) == [expected]


@pytest.mark.parametrize(
    ("value", "expected_true", "expected_false"),
    [
        (True, ["eq", "le", "ge"], ["ne", "gt", "ge"]),
        (False, ["ne", "lt", "le"], ["eq", "le", "ge"]),
        (1, [], []),  # 1 is not True
        (0, [], []),
        ("True", [], []),
        (None, [], []),
        (MISSING, [], []),
    ],
)
def test_boolean_comparisons(
    make: Callable[..., Matcher], value: Any, expected_true: list[str], expected_false: list[str]
) -> None:
    assert make(rules_on("a", True)).match("case:1", [fact_with(value)]) == [expected_true]
    assert make(rules_on("a", False)).match("case:1", [fact_with(value)]) == [expected_false]


def test_numbers_compare_exactly(make: Callable[..., Matcher]) -> None:
    big = 2**53 + 1  # not representable as a float: an int and a float must not be rounded together
    rules = [
        MatchRule("eq_float", "t", ("cmp", "==", "a", float(2**53))),
        MatchRule("gt_float", "t", ("cmp", ">", "a", float(2**53))),
        MatchRule("lt_huge", "t", ("cmp", "<", "a", 2**80 + 1)),
        MatchRule("tiny", "t", ("cmp", ">", "a", 5e-324)),
        MatchRule("inf", "t", ("cmp", "<", "a", math.inf)),
    ]
    matcher = make(rules)
    facts = [fact_with(big), fact_with(2**53), fact_with(2**80), fact_with(0.0), fact_with(-1e300), fact_with(1e-5)]
    assert matcher.match("case:1", facts) == [
        ["gt_float", "lt_huge", "tiny", "inf"],
        ["eq_float", "lt_huge", "tiny", "inf"],
        ["gt_float", "lt_huge", "tiny", "inf"],
        ["lt_huge", "inf"],
        ["lt_huge", "inf"],
        ["lt_huge", "tiny", "inf"],
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("x", ["in", "in_str"]),
        (1, ["in", "not_in_str"]),
        (1.0, ["in", "not_in_str"]),
        (True, ["in", "not_in_str"]),
        (False, ["not_in", "not_in_str"]),
        (0, ["not_in", "not_in_str"]),
        ("1", ["not_in", "not_in_str"]),
        ("y", ["not_in", "in_str"]),
        (None, ["not_in", "not_in_str"]),  # 'in' is false on a missing key, so its negation holds
        (MISSING, ["not_in", "not_in_str"]),
    ],
)
def test_in(make: Callable[..., Matcher], value: Any, expected: list[str]) -> None:
    rules = [
        MatchRule("in", "t", ("in", "a", ("x", 1, True))),
        MatchRule("not_in", "t", ("not", ("in", "a", ("x", 1, True)))),
        MatchRule("in_str", "t", ("in", "a", ("x", "y"))),
        MatchRule("not_in_str", "t", ("not", ("in", "a", ("x", "y")))),
        MatchRule("in_nothing", "t", ("in", "a", ())),
    ]
    assert make(rules).match("case:1", [fact_with(value)]) == [expected]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, ["exists", "not_missing"]),
        ("", ["exists", "not_missing"]),
        (False, ["exists", "not_missing"]),
        ("x", ["exists", "not_missing"]),
        (None, ["missing", "not_exists"]),
        (MISSING, ["missing", "not_exists"]),
    ],
)
def test_exists_and_missing(make: Callable[..., Matcher], value: Any, expected: list[str]) -> None:
    rules = [
        MatchRule("exists", "t", ("exists", "a")),
        MatchRule("missing", "t", ("missing", "a")),
        MatchRule("not_exists", "t", ("not", ("exists", "a"))),
        MatchRule("not_missing", "t", ("not", ("missing", "a"))),
    ]
    assert make(rules).match("case:1", [fact_with(value)]) == [expected]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1, ["not_lt"]),
        (0, ["not_eq"]),
        ("x", ["not_eq", "not_lt"]),  # a string is not a number: both comparisons are false
        (True, ["not_eq", "not_lt"]),
        (None, ["not_eq", "not_lt"]),
        (MISSING, ["not_eq", "not_lt"]),  # not (a == 1) holds when a is missing
    ],
)
def test_not_holds_exactly_when_its_condition_does_not(
    make: Callable[..., Matcher], value: Any, expected: list[str]
) -> None:
    rules = [
        MatchRule("not_eq", "t", ("not", ("cmp", "==", "a", 1))),
        MatchRule("not_lt", "t", ("not", ("cmp", "<", "a", 1))),
        MatchRule("not_not_eq", "t", ("not", ("not", ("cmp", "==", "a", 2)))),
    ]
    assert make(rules).match("case:1", [fact_with(value)]) == [expected]


def test_all_any_and_nesting(make: Callable[..., Matcher]) -> None:
    a1 = ("cmp", "==", "a", 1)
    b_x = ("cmp", "==", "b", "x")
    rules = [
        MatchRule("always", "t", ("all", ())),
        MatchRule("never", "t", ("any", ())),
        MatchRule("both", "t", ("all", (a1, b_x))),
        MatchRule("either", "t", ("any", (a1, b_x))),
        MatchRule("neither", "t", ("not", ("any", (a1, b_x)))),
        MatchRule("not_both", "t", ("not", ("all", (a1, b_x)))),
        MatchRule("nested", "t", ("any", (("all", (a1, ("not", b_x))), ("all", (("missing", "a"), b_x))))),
        MatchRule("not_never", "t", ("not", ("any", ()))),
    ]
    facts: list[dict[str, Any]] = [
        {"type": "t", "a": 1, "b": "x"},
        {"type": "t", "a": 1, "b": "y"},
        {"type": "t", "b": "x"},
        {"type": "t", "a": 2},
    ]
    assert make(rules).match("case:1", facts) == [
        ["always", "both", "either", "not_never"],
        ["always", "either", "not_both", "nested", "not_never"],
        ["always", "either", "not_both", "nested", "not_never"],
        ["always", "neither", "not_both", "not_never"],
    ]


def test_rules_apply_to_their_trigger_only_and_answer_in_rule_order(make: Callable[..., Matcher]) -> None:
    rules = [
        MatchRule("z_first", "case.completed", ("cmp", ">=", "count.case.supplement_requested", 1)),
        MatchRule("on_inquiry", "inquiry.received", ("all", ())),
        MatchRule("a_second", "case.completed", ("cmp", "==", "f.outcome", "approved")),
        MatchRule("by_type", "case.completed", ("cmp", "==", "type", "case.completed")),
    ]
    facts: list[dict[str, Any]] = [
        {"type": "case.completed", "f.outcome": "approved", "count.case.supplement_requested": 2},
        {"type": "inquiry.received", "f.outcome": "approved", "count.case.supplement_requested": 2},
        {"type": "case.received", "f.outcome": "approved"},
        {"f.outcome": "approved"},
        {"type": 1},
        {"type": None},
    ]
    assert make(rules).match("case:1", facts) == [["z_first", "a_second", "by_type"], ["on_inquiry"], [], [], [], []]


def test_keys_and_threads_with_any_characters(make: Callable[..., Matcher]) -> None:
    keys = ["f.outcome", "count.case.supplement_requested", "a_b", "a__b", "a.b", 'q"uo\\te', "中文 key", ""]
    rules = [MatchRule(f"r{i}", "t", ("cmp", "==", key, i)) for i, key in enumerate(keys)]
    matcher = make(rules)
    fact = {"type": "t", **{key: i for i, key in enumerate(keys)}}
    assert matcher.match('thread "one" \\ 中', [fact]) == [[f"r{i}" for i in range(len(keys))]]
    assert matcher.match("", [dict(fact, a_b=99)]) == [[f"r{i}" for i in range(len(keys)) if i != 2]]


def test_a_condition_beyond_durables_expression_limit(make: Callable[..., Matcher]) -> None:
    # 20 negated comparisons: each is an '|' in durable, which allows 15 per rule.
    condition = ("all", tuple(("not", ("cmp", "==", f"k{i}", i)) for i in range(20)))
    nested = ("any", tuple(("all", (("cmp", ">", f"k{i}", 0), ("not", ("missing", f"k{i + 1}")))) for i in range(16)))
    matcher = make([MatchRule("wide", "t", condition), MatchRule("deep", "t", nested)])
    facts: list[dict[str, Any]] = [
        {"type": "t"},
        {"type": "t", "k7": 7},
        {"type": "t", "k7": 8, "k8": 0},
        {"type": "t", "k3": 1, "k4": "x"},
    ]
    assert matcher.match("case:1", facts) == [["wide"], [], ["wide", "deep"], ["wide", "deep"]]


def test_many_rules_passing_together(make: Callable[..., Matcher]) -> None:
    # durable holds at most 64 pending tests per fact: 100 rules that all pass, and one '|' of 70
    # branches that all pass, must still be answered (the backend spreads them over rulesets).
    rules = [MatchRule(f"r{i}", "t", ("exists", f"k{i}")) for i in range(100)]
    rules.append(MatchRule("wide_any", "t", ("any", tuple(("exists", f"k{i}") for i in range(70)))))
    rules.append(MatchRule("wide_in", "t", ("in", "k0", tuple(range(500)))))
    matcher = make(rules)
    every = {"type": "t", **{f"k{i}": i for i in range(100)}}
    assert matcher.match("case:1", [every, {"type": "t", "k5": "x"}]) == [
        [*(f"r{i}" for i in range(100)), "wide_any", "wide_in"],
        ["r5", "wide_any"],
    ]


def test_same_fact_twice_in_one_thread_and_across_calls(make: Callable[..., Matcher]) -> None:
    matcher = make([MatchRule("r", "t", ("cmp", "==", "a", 1))])
    fact = {"type": "t", "a": 1}
    assert matcher.match("case:1", [fact, fact, dict(fact)]) == [["r"], ["r"], ["r"]]
    assert matcher.match("case:1", [fact]) == [["r"]]
    assert matcher.match("case:1", []) == []


def test_closed_matchers_refuse_to_match(make: Callable[..., Matcher]) -> None:
    matcher = make([MatchRule("r", "t", ("all", ()))])
    assert matcher.match("case:1", [{"type": "t"}]) == [["r"]]
    matcher.close()
    matcher.close()  # twice is fine
    with pytest.raises(BackendError, match="closed"):
        matcher.match("case:1", [{"type": "t"}])


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        (("cmp", "=~", "a", 1), "unknown operator '=~'"),
        (("cmp", "==", "a"), "'cmp' takes 3 arguments"),
        (("cmp", "==", 1, 1), "a key is a string"),
        (("cmp", "==", "a", None), "a value is a str, int, float or bool"),
        (("cmp", "==", "a", [1]), "a value is a str, int, float or bool"),
        (("cmp", "==", "a", math.nan), "NaN"),
        (("in", "a", "xy"), "'in' takes a tuple of values"),
        (("all", ("cmp", "==", "a", 1)), "a condition is a tuple"),
        (("xor", ()), "unknown form 'xor'"),
        ((), "a condition is a tuple"),
        (("not",), "'not' takes 1 argument"),
    ],
)
def test_malformed_conditions_are_refused(make: Callable[..., Matcher], condition: Any, message: str) -> None:
    with pytest.raises(ConditionError, match=message) as raised:
        make([MatchRule("bad", "t", condition)])
    assert "rule 'bad'" in str(raised.value)
    assert isinstance(raised.value, ValueError)


# -- properties: native against a reference, durable against native ----------------------------

KEYS = ("a", "f.b", "count.x_y", "é k")
TRIGGERS = ("t", "u")
STRINGS = ("", "a", "b", "ab", "é", '"', "\\", " ", "!", "\x00", "1", "true", "中")
NUMBERS = (0, 1, -1, 2, 0.5, -0.0, 1.5, 2**53, 2**53 + 1, float(2**53), 10**20, 1e20, 1e-5, -(2**63), math.inf)

values = st.one_of(
    st.booleans(),
    st.sampled_from(STRINGS),
    st.text(max_size=3),
    st.sampled_from(NUMBERS),
    st.integers(-3, 3),
    st.floats(-3, 3, allow_nan=False),
    st.floats(allow_nan=False),
    st.integers(),
)
leaves = st.one_of(
    st.builds(lambda op, key, value: ("cmp", op, key, value), st.sampled_from(["==", "!=", "<", "<=", ">", ">="]), st.sampled_from(KEYS), values),
    st.builds(lambda key, vs: ("in", key, tuple(vs)), st.sampled_from(KEYS), st.lists(values, max_size=4)),
    st.builds(lambda key: ("exists", key), st.sampled_from(KEYS)),
    st.builds(lambda key: ("missing", key), st.sampled_from(KEYS)),
    st.builds(lambda key: ("cmp", "==", "type", key), st.sampled_from(TRIGGERS)),
)
conditions = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.builds(lambda cs: ("all", tuple(cs)), st.lists(children, max_size=4)),
        st.builds(lambda cs: ("any", tuple(cs)), st.lists(children, max_size=4)),
        st.builds(lambda c: ("not", c), children),
    ),
    max_leaves=10,
)
rule_lists = st.lists(st.tuples(st.sampled_from(TRIGGERS), conditions), min_size=1, max_size=5).map(
    lambda pairs: [MatchRule(f"r{i}", trigger, condition) for i, (trigger, condition) in enumerate(pairs)]
)
facts = st.builds(
    lambda type_, fields: {"type": type_, **{k: v for k, v in fields.items() if v is not MISSING}},
    st.sampled_from((*TRIGGERS, "other")),
    st.fixed_dictionaries({}, optional={key: st.one_of(st.just(MISSING), st.none(), values) for key in KEYS}),
)


def reference_holds(condition: Condition, fact: dict[str, Any]) -> bool:
    """The contract, read literally: slow, and obviously right."""

    def kind(value: Any) -> str | None:
        if isinstance(value, bool):
            return "boolean"
        if isinstance(value, (int, float)):
            return "number"
        if isinstance(value, str):
            return "string"
        return None

    form = condition[0]
    if form == "all":
        return all(reference_holds(c, fact) for c in condition[1])
    if form == "any":
        return any(reference_holds(c, fact) for c in condition[1])
    if form == "not":
        return not reference_holds(condition[1], fact)
    if form == "exists":
        return fact.get(condition[1]) is not None
    if form == "missing":
        return fact.get(condition[1]) is None
    if form == "cmp":
        _, op, key, value = condition
        x = fact.get(key)
        if x is None or kind(x) != kind(value):
            return False
        return {
            "==": lambda: x == value,
            "!=": lambda: x != value,
            "<": lambda: x < value,
            "<=": lambda: x <= value,
            ">": lambda: x > value,
            ">=": lambda: x >= value,
        }[op]()
    if form == "in":
        _, key, options = condition
        x = fact.get(key)
        return x is not None and any(kind(x) == kind(v) and x == v for v in options)
    raise AssertionError(condition)


def reference_match(rules: list[MatchRule], fact: dict[str, Any]) -> list[str]:
    return [rule.rule_id for rule in rules if rule.trigger == fact.get("type") and reference_holds(rule.condition, fact)]


@given(rule_lists, st.lists(facts, max_size=6))
def test_native_matches_the_reference(rules: list[MatchRule], batch: list[dict[str, Any]]) -> None:
    assert NativeMatcher(rules).match("case:1", batch) == [reference_match(rules, fact) for fact in batch]


@settings(max_examples=300)
@given(rule_lists, st.lists(facts, max_size=6), st.text(max_size=4))
def test_durable_matches_native(rules: list[MatchRule], batch: list[dict[str, Any]], thread: str) -> None:
    matcher = durable_matcher(rules)
    try:
        assert matcher.match(thread, batch) == NativeMatcher(rules).match(thread, batch)
    finally:
        matcher.close()


# -- durable: sessions, ids, errors, threads -----------------------------------------------------


def test_durable_number_keys_order_numbers_exactly() -> None:
    pytest.importorskip("durable")
    from efficiency_rules._match.durable import number_key

    @given(st.one_of(st.integers(), st.floats(allow_nan=False)), st.one_of(st.integers(), st.floats(allow_nan=False)))
    def check(a: float, b: float) -> None:
        assert (number_key(a) < number_key(b)) == (a < b)
        assert (number_key(a) == number_key(b)) == (a == b)

    check()


def test_durable_string_keys_order_strings_by_code_point() -> None:
    pytest.importorskip("durable")
    from efficiency_rules._match.durable import string_key

    @given(st.text(), st.text())
    def check(a: str, b: str) -> None:
        assert (string_key(a) < string_key(b)) == (a < b)
        assert (string_key(a) == string_key(b)) == (a == b)

    check()


def test_durable_sessions_never_accumulate() -> None:
    """durable fails at the 1,025th live session of a ruleset: each call must delete its own."""
    matcher = durable_matcher([MatchRule("r", "t", ("cmp", ">", "a", 1)), MatchRule("s", "t", ("missing", "a"))])
    try:
        for n in range(1500):
            assert matcher.match(f"case:{n}", [{"type": "t", "a": n}, {"type": "t"}]) == [["r"] if n > 1 else [], ["s"]]
        ruleset = matcher._nets[0].ruleset  # type: ignore[attr-defined]
        with pytest.raises(Exception, match="309"):  # durable: no such session
            ruleset.get_state("tcase_3a_1499")
        # One thread with more facts than a session keeps.
        many = [{"type": "t", "a": n % 3} for n in range(2500)]
        assert matcher.match("case:big", many) == [["r"] if n % 3 == 2 else [] for n in range(2500)]
    finally:
        matcher.close()


def test_durable_sessions_where_nothing_fired_are_deleted_safely() -> None:
    """durable 2.0.28 frees an uninitialized pointer when deleting a session in which no action ran.

    Measured: this script segfaulted on every run before the backend opened such sessions with a
    message that fires (see DurableMatcher._end_session). A subprocess, so a crash fails one test.
    """
    pytest.importorskip("durable")
    code = (
        "from efficiency_rules._match import MatchRule\n"
        "from efficiency_rules._match.durable import DurableMatcher\n"
        "for n in range(20):\n"
        "    m = DurableMatcher([MatchRule('r', 't', ('exists', 'c'))], name='x')\n"
        "    assert m.match('x', [{'type': 't'}, {'type': 'u'}]) == [[], []]\n"
        "    assert m.match('y', []) == []\n"
        "    m.close()\n"
    )
    result = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]


def test_durable_surfaces_an_exception_raised_in_an_action(monkeypatch: pytest.MonkeyPatch) -> None:
    matcher = durable_matcher([MatchRule("ok", "t", ("all", ())), MatchRule("late", "t", ("cmp", ">", "a", 1))])
    from efficiency_rules._match.durable import DurableMatcher

    def boom(self: Any, rule_index: int, c: Any) -> None:
        if rule_index == 1:
            raise RuntimeError("boom in the action")
        original(self, rule_index, c)

    original = DurableMatcher._record
    try:
        monkeypatch.setattr(DurableMatcher, "_record", boom)
        with pytest.raises(BackendError, match=r"thread 'case:7', fact #1: .* rule 'late' raised RuntimeError: boom") as raised:
            matcher.match("case:7", [{"type": "t", "a": 0}, {"type": "t", "a": 2}])
        assert isinstance(raised.value.__cause__, RuntimeError)
        with pytest.raises(Exception, match="309"):  # durable: no such session
            matcher._nets[0].ruleset.get_state("tcase_3a_7")  # type: ignore[attr-defined]
        monkeypatch.undo()
        # The failed call's session is gone: the same thread matches cleanly.
        assert matcher.match("case:7", [{"type": "t", "a": 2}]) == [["ok", "late"]]
    finally:
        matcher.close()


def test_durable_surfaces_a_failure_inside_its_action_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    matcher = durable_matcher([MatchRule("ok", "t", ("all", ()))])
    import durable.engine

    def broken_clock() -> float:
        raise OSError("clock unavailable")

    try:
        monkeypatch.setattr(durable.engine, "_unix_now", broken_clock)
        with pytest.raises(BackendError, match="durable_rules failed running actions: clock unavailable") as raised:
            matcher.match("case:1", [{"type": "t"}])
        assert isinstance(raised.value.__cause__, OSError)
        with pytest.raises(Exception, match="309"):  # the failed call's session is gone all the same
            matcher._nets[0].ruleset.get_state("tcase_3a_1")  # type: ignore[attr-defined]
        monkeypatch.undo()
        assert matcher.match("case:1", [{"type": "t"}]) == [["ok"]]
    finally:
        matcher.close()


def test_durable_refuses_a_nan_fact() -> None:
    matcher = durable_matcher([MatchRule("r", "t", ("cmp", "<", "a", 1))])
    try:
        with pytest.raises(BackendError, match=r"thread 'case:1', fact #0, key 'a': NaN"):
            matcher.match("case:1", [{"type": "t", "a": math.nan}])
    finally:
        matcher.close()


def test_durable_close_and_garbage_collection_delete_the_native_rulesets() -> None:
    import gc

    matcher = durable_matcher([MatchRule(f"r{i}", "t", ("exists", f"k{i}")) for i in range(100)])
    assert matcher.rulesets > 1  # type: ignore[attr-defined]  # 100 tests passing together: > 64
    core = matcher._durable.core  # type: ignore[attr-defined]
    handles = [net.ruleset._handle for net in matcher._nets]  # type: ignore[attr-defined]
    matcher.close()
    for handle in handles:
        with pytest.raises(core.error, match="111"):  # durable: invalid handle
            core.get_state(handle, "x")
    dropped = durable_matcher([MatchRule("r", "t", ("all", ()))])
    handle = dropped._nets[0].ruleset._handle  # type: ignore[attr-defined]
    del dropped
    gc.collect()
    with pytest.raises(core.error, match="111"):
        core.get_state(handle, "x")


def test_durable_starts_no_threads() -> None:
    before = threading.active_count()
    matcher = durable_matcher([MatchRule("r", "t", ("all", ()))])
    try:
        assert matcher.match("case:1", [{"type": "t"}]) == [["r"]]
        assert threading.active_count() == before
    finally:
        matcher.close()


def test_durable_matchers_can_be_used_from_many_threads() -> None:
    matchers = [durable_matcher([MatchRule("r", "t", ("cmp", "==", "a", n))], name="same") for n in range(4)]
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for k in range(200):
                assert matchers[n].match(f"case:{k}", [{"type": "t", "a": n}, {"type": "t", "a": -1}]) == [["r"], []]
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    workers = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    for matcher in matchers:
        matcher.close()
    assert errors == []


# -- durable unavailable -------------------------------------------------------------------------


def test_durable_on_python_3_13_says_why_it_cannot_work(monkeypatch: pytest.MonkeyPatch) -> None:
    from efficiency_rules._match.durable import DurableMatcher

    monkeypatch.setattr(sys, "version_info", (3, 13, 0, "final", 0))
    monkeypatch.setitem(sys.modules, "durable", None)  # the version is checked before any import
    with pytest.raises(BackendUnavailableError) as raised:
        DurableMatcher([], name="x")
    message = str(raised.value)
    assert "Python 3.13" in message and "PyEval_CallObject" in message and "native backend" in message
    assert isinstance(raised.value, ImportError) and isinstance(raised.value, EfficiencyRulesError)


def test_durable_not_installed_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    from efficiency_rules._match.durable import DurableMatcher

    monkeypatch.setattr(sys, "version_info", (3, 12, 4, "final", 0))
    for name in ("durable", "durable.engine", "durable.lang", "durable_rules_engine"):
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(BackendUnavailableError, match=r'pip install "efficiency-rules\[durable\]"') as raised:
        DurableMatcher([], name="x")
    assert isinstance(raised.value.__cause__, ImportError)


def test_importing_the_durable_backend_does_not_import_durable() -> None:
    code = "import sys, efficiency_rules._match.durable; sys.exit('durable' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
