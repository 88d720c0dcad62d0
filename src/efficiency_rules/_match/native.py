"""The native backend: each condition compiled once into closures, rules indexed by trigger.

This is the reference semantics of the neutral condition form (``_match``); the durable backend
is tested against it. Made precise:

* A value has one of three *kinds*: string (``str``), number (``int`` or ``float`` — never
  ``bool``) and boolean (``bool``). ``("cmp", op, key, v)`` holds only when ``fact[key]`` has the
  kind of ``v`` and Python's comparison of the two holds. So ``1 == 1.0`` holds, while
  ``True == 1`` and ``True != 1`` are both false, and ``"5" < 6`` is false rather than an error.
  Strings order by code point, numbers exactly (an ``int`` against a ``float`` is not rounded),
  booleans ``False < True``.
* ``("in", key, values)`` holds when ``fact[key]`` equals one of the values of its own kind.
* An absent key and ``None`` are the same thing: every ``cmp`` and ``in`` on it is false,
  ``missing`` holds, ``exists`` does not.
* ``("not", c)`` holds exactly when ``c`` does not: ``not (a == 1)`` holds when ``a`` is missing.
* NaN is not a JSON value: a condition holding NaN is rejected; a fact holding NaN is outside the
  contract (this backend then follows IEEE — NaN is unequal to everything — the durable one
  raises).

Each condition is first *normalized* (:func:`normalize_condition`): checked against the neutral
form, nested ``all``/``any`` flattened, constants folded, double negation removed. The normal
form is then compiled once into a tree of small closures over ``operator`` functions — no
``eval``, no generated source — with the parts of each ``all`` and ``any`` reordered cheapest
first, and ``match`` is a dictionary look-up of the fact's type followed, for each rule of that
type, by a loop over the parts of its top-level ``all``.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence
from typing import Any, cast

from .._errors import BackendError, ConditionError
from . import Condition, MatchRule

__all__ = [
    "BOOLEAN",
    "FALSE",
    "NUMBER",
    "OPERATORS",
    "STRING",
    "TRUE",
    "NativeMatcher",
    "compile_condition",
    "compile_parts",
    "normalize_condition",
    "value_kind",
]

Predicate = Callable[[dict[str, Any]], bool]

STRING = "string"
NUMBER = "number"
BOOLEAN = "boolean"

OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}

# The constants of the normal form: an empty ``all`` holds, an empty ``any`` does not.
TRUE: Condition = ("all", ())
FALSE: Condition = ("any", ())

_NUMBER_TYPES = (int, float)


def value_kind(value: Any) -> str | None:
    """``STRING``, ``NUMBER`` or ``BOOLEAN`` for a value that conditions can compare, else ``None``."""
    if value.__class__ is bool:
        return BOOLEAN
    if isinstance(value, str):
        return STRING
    if isinstance(value, _NUMBER_TYPES):
        return NUMBER
    return None


# -- normal form ---------------------------------------------------------------------------------


def normalize_condition(condition: Condition, rule_id: str = "?") -> Condition:
    """``condition`` checked and simplified; ``TRUE`` or ``FALSE`` when it is constant.

    In the result every ``all``/``any`` has at least two parts and none of the same form, no
    ``not`` wraps a ``not``, a constant, ``exists`` or ``missing`` (they swap), ``in`` has a
    non-empty tuple of values, and sequences are tuples. Raises :class:`ConditionError` naming the rule and the offending part.
    """
    return _normalize(condition, rule_id)


def _normalize(c: Any, rule_id: str) -> Condition:
    if not isinstance(c, (tuple, list)) or not c or not isinstance(c[0], str):
        raise _bad(rule_id, c, "a condition is a tuple whose first item names its form")
    form = c[0]
    if form in ("all", "any"):
        _arity(c, 2, rule_id)
        if not isinstance(c[1], (tuple, list)):
            raise _bad(rule_id, c, f"{form!r} takes a tuple of conditions")
        unit, absorbing = (TRUE, FALSE) if form == "all" else (FALSE, TRUE)
        parts: list[Condition] = []
        for child in c[1]:
            part = _normalize(child, rule_id)
            if part == unit:
                continue
            if part == absorbing:
                return absorbing
            if part[0] == form:
                parts.extend(part[1])
            else:
                parts.append(part)
        if len(parts) == 1:
            return parts[0]
        return (form, tuple(parts))
    if form == "not":
        _arity(c, 2, rule_id)
        inner = _normalize(c[1], rule_id)
        if inner == TRUE:
            return FALSE
        if inner == FALSE:
            return TRUE
        if inner[0] == "not":
            return cast("Condition", inner[1])
        if inner[0] == "exists":
            return ("missing", inner[1])
        if inner[0] == "missing":
            return ("exists", inner[1])
        return ("not", inner)
    if form == "cmp":
        _arity(c, 4, rule_id)
        _, op, key, value = c
        if op not in OPERATORS:
            raise _bad(rule_id, c, f"unknown operator {op!r} (expected one of {' '.join(OPERATORS)})")
        _key(key, c, rule_id)
        _value(value, c, rule_id)
        return ("cmp", op, key, value)
    if form == "in":
        _arity(c, 3, rule_id)
        _, key, values = c
        _key(key, c, rule_id)
        if not isinstance(values, (tuple, list)):  # not a set: it would merge 1 and True
            raise _bad(rule_id, c, "'in' takes a tuple of values")
        for value in values:
            _value(value, c, rule_id)
        return ("in", key, tuple(values)) if values else FALSE
    if form in ("exists", "missing"):
        _arity(c, 2, rule_id)
        _key(c[1], c, rule_id)
        return (form, c[1])
    raise _bad(rule_id, c, f"unknown form {form!r} (expected all, any, not, cmp, in, exists or missing)")


def _arity(c: Any, size: int, rule_id: str) -> None:
    if len(c) != size:
        raise _bad(rule_id, c, f"{c[0]!r} takes {size - 1} argument{'s' if size > 2 else ''}, got {len(c) - 1}")


def _key(key: Any, c: Any, rule_id: str) -> None:
    if not isinstance(key, str):
        raise _bad(rule_id, c, f"a key is a string, got {key!r}")


def _value(value: Any, c: Any, rule_id: str) -> None:
    if value_kind(value) is None:
        raise _bad(rule_id, c, f"a value is a str, int, float or bool, got {value!r}")
    if isinstance(value, float) and math.isnan(value):
        raise _bad(rule_id, c, "NaN is not a JSON value and cannot be compared")


def _bad(rule_id: str, c: Any, message: str) -> ConditionError:
    return ConditionError(f"rule {rule_id!r}: {message}: {c!r}")


# -- compilation ---------------------------------------------------------------------------------


def compile_condition(condition: Condition) -> Predicate:
    """A predicate on facts for a condition in normal form (see :func:`normalize_condition`)."""
    form = condition[0]
    if form == "all":
        return _all(tuple(compile_condition(c) for c in _cheapest_first(condition[1])))
    if form == "any":
        return _any(tuple(compile_condition(c) for c in _cheapest_first(condition[1])))
    if form == "not":
        inner = condition[1]
        # A negated comparison is one closure, not two.
        if inner[0] == "cmp":
            return _cmp(*inner[1:], negated=True)
        if inner[0] == "in":
            return _in(inner[1], inner[2], negated=True)
        return _not(compile_condition(inner))
    if form == "cmp":
        return _cmp(*condition[1:])
    if form == "in":
        return _in(condition[1], condition[2])
    if form == "exists":
        return _exists(condition[1])
    return _missing(condition[1])


def compile_parts(condition: Condition) -> tuple[Predicate, ...]:
    """Predicates that all hold exactly when ``condition`` (in normal form) holds, cheapest first.

    A top-level ``all`` is unrolled into its parts — the matcher loops over them itself, which
    saves a call per rule — and ``TRUE`` becomes no parts at all.
    """
    if condition[0] == "all":
        return tuple(compile_condition(c) for c in _cheapest_first(condition[1]))
    return (compile_condition(condition),)


def _cheapest_first(parts: tuple[Condition, ...]) -> list[Condition]:
    # Parts are pure, so their order is free: try the cheap tests (an equality is one
    # comparison) before the dear ones (kind checks, nested conditions).
    return sorted(parts, key=_cost)


def _cost(condition: Condition) -> int:
    form = condition[0]
    if form == "cmp":
        return 0 if condition[1] == "==" and value_kind(condition[3]) is not NUMBER else 2
    if form in ("exists", "missing"):
        return 1
    if form == "in":
        return 2
    if form == "not" and condition[1][0] in ("cmp", "in"):
        return 3
    return 4


def _all(parts: tuple[Predicate, ...]) -> Predicate:
    if not parts:
        return _true
    if len(parts) == 2:
        a, b = parts

        def all2(fact: dict[str, Any]) -> bool:
            return a(fact) and b(fact)

        return all2
    if len(parts) == 3:
        a, b, c = parts

        def all3(fact: dict[str, Any]) -> bool:
            return a(fact) and b(fact) and c(fact)

        return all3

    def all_n(fact: dict[str, Any]) -> bool:
        for part in parts:
            if not part(fact):
                return False
        return True

    return all_n


def _any(parts: tuple[Predicate, ...]) -> Predicate:
    if not parts:
        return _false
    if len(parts) == 2:
        a, b = parts

        def any2(fact: dict[str, Any]) -> bool:
            return a(fact) or b(fact)

        return any2

    def any_n(fact: dict[str, Any]) -> bool:
        for part in parts:
            if part(fact):
                return True
        return False

    return any_n


def _not(inner: Predicate) -> Predicate:
    def negation(fact: dict[str, Any]) -> bool:
        return not inner(fact)

    return negation


def _true(fact: dict[str, Any]) -> bool:
    return True


def _false(fact: dict[str, Any]) -> bool:
    return False


def _exists(key: str) -> Predicate:
    def exists(fact: dict[str, Any]) -> bool:
        return fact.get(key) is not None

    return exists


def _missing(key: str) -> Predicate:
    def missing(fact: dict[str, Any]) -> bool:
        return fact.get(key) is None

    return missing


def _cmp(op: str, key: str, value: Any, *, negated: bool = False) -> Predicate:
    """``fact[key] <op> value`` for a value of ``value``'s kind (or its negation)."""
    kind = value_kind(value)
    compare = OPERATORS[op]
    if kind is BOOLEAN:
        if op in ("==", "!="):
            # Booleans are singletons: equality among booleans is identity.
            wanted = value if op == "==" else not value
            if negated:

                def bool_not_equal(fact: dict[str, Any]) -> bool:
                    return fact.get(key) is not wanted

                return bool_not_equal

            def bool_equal(fact: dict[str, Any]) -> bool:
                return fact.get(key) is wanted

            return bool_equal
        if negated:

            def bool_not_order(fact: dict[str, Any]) -> bool:
                x = fact.get(key)
                return not (x.__class__ is bool and compare(x, value))

            return bool_not_order

        def bool_order(fact: dict[str, Any]) -> bool:
            x = fact.get(key)
            return x.__class__ is bool and compare(x, value)

        return bool_order
    if kind is STRING:
        if op == "==":
            # str.__eq__ is False for anything that is not an equal string, None included.
            text: str = value
            if negated:

                def str_not_equal(fact: dict[str, object]) -> bool:
                    return fact.get(key) != text

                return str_not_equal

            def str_equal(fact: dict[str, object]) -> bool:
                return fact.get(key) == text

            return str_equal
        if negated:

            def str_not_compare(fact: dict[str, Any]) -> bool:
                x = fact.get(key)
                return not (isinstance(x, str) and compare(x, value))

            return str_not_compare

        def str_compare(fact: dict[str, Any]) -> bool:
            x = fact.get(key)
            return isinstance(x, str) and compare(x, value)

        return str_compare
    if op == "==":
        # Equality first: it is usually false, and then the kind does not matter.
        if negated:

            def number_not_equal(fact: dict[str, Any]) -> bool:
                x = fact.get(key)
                return not (x == value and _is_number(x))

            return number_not_equal

        def number_equal(fact: dict[str, Any]) -> bool:
            x = fact.get(key)
            return x == value and _is_number(x)

        return number_equal
    if negated:

        def number_not_compare(fact: dict[str, Any]) -> bool:
            x = fact.get(key)
            c = x.__class__
            return not ((c is int or c is float or (c is not bool and isinstance(x, _NUMBER_TYPES))) and compare(x, value))

        return number_not_compare

    def number_compare(fact: dict[str, Any]) -> bool:
        x = fact.get(key)
        c = x.__class__
        return (c is int or c is float or (c is not bool and isinstance(x, _NUMBER_TYPES))) and compare(x, value)

    return number_compare


def _is_number(x: Any) -> bool:
    c = x.__class__
    return c is int or c is float or (c is not bool and isinstance(x, _NUMBER_TYPES))


def _in(key: str, values: tuple[Any, ...], *, negated: bool = False) -> Predicate:
    """``fact[key]`` is one of ``values`` of its own kind (or is not)."""
    strings = frozenset(v for v in values if value_kind(v) is STRING)
    numbers = frozenset(v for v in values if value_kind(v) is NUMBER)
    booleans = frozenset(v for v in values if value_kind(v) is BOOLEAN)
    if not numbers and not booleans:
        if negated:

            def not_in_strings(fact: dict[str, Any]) -> bool:
                x = fact.get(key)
                return not (isinstance(x, str) and x in strings)

            return not_in_strings

        def in_strings(fact: dict[str, Any]) -> bool:
            x = fact.get(key)
            return isinstance(x, str) and x in strings

        return in_strings
    if not strings and not booleans:
        if negated:

            def not_in_numbers(fact: dict[str, Any]) -> bool:
                x = fact.get(key)
                return not (_is_number(x) and x in numbers)

            return not_in_numbers

        def in_numbers(fact: dict[str, Any]) -> bool:
            x = fact.get(key)
            return _is_number(x) and x in numbers

        return in_numbers

    def in_mixed(fact: dict[str, Any]) -> bool:
        x = fact.get(key)
        kind = value_kind(x)
        if kind is STRING:
            return x in strings
        if kind is NUMBER:
            return x in numbers
        return kind is BOOLEAN and x in booleans

    return _not(in_mixed) if negated else in_mixed


# -- the matcher ---------------------------------------------------------------------------------


class NativeMatcher:
    """Matches facts against rules compiled into Python closures (the default backend).

    Construction normalizes and compiles every condition once and groups the rules by trigger;
    ``match`` looks up the fact's ``"type"`` and calls only that type's predicates, in rule order.
    Stateless between calls, so one matcher may serve many threads at once.
    """

    __slots__ = ("_by_trigger",)

    def __init__(self, rules: Sequence[MatchRule]) -> None:
        by_trigger: dict[str, list[tuple[str, tuple[Predicate, ...]]]] = {}
        for rule in rules:
            if not isinstance(rule.trigger, str):
                raise ConditionError(f"rule {rule.rule_id!r}: a trigger is an event type name, got {rule.trigger!r}")
            condition = normalize_condition(rule.condition, rule.rule_id)
            entries = by_trigger.setdefault(rule.trigger, [])
            if condition == FALSE:
                continue  # can never hold: the rule is left out, its trigger still known
            entries.append((rule.rule_id, compile_parts(condition)))
        self._by_trigger: dict[Any, tuple[tuple[str, tuple[Predicate, ...]], ...]] | None = {
            trigger: tuple(entries) for trigger, entries in by_trigger.items()
        }

    def match(self, thread: str, facts: Sequence[dict[str, Any]]) -> list[list[str]]:
        """For each fact, the ids of the rules it satisfies, in the order the rules were given."""
        by_trigger = self._by_trigger
        if by_trigger is None:
            raise BackendError("this NativeMatcher is closed")
        rules_for = by_trigger.get
        out: list[list[str]] = []
        for fact in facts:
            try:
                entries = rules_for(fact.get("type"), ())
            except TypeError:  # an unhashable "type" is no trigger
                entries = ()
            # Plain loops: a list comprehension costs a frame per fact on Python 3.11.
            ids: list[str] = []
            for rule_id, parts in entries:
                for holds in parts:
                    if not holds(fact):
                        break
                else:
                    ids.append(rule_id)
            out.append(ids)
        return out

    def match_one(self, fact: dict[str, Any]) -> list[str]:
        """The ids of the rules one fact satisfies: :meth:`match` of a single fact, without the wrapping."""
        by_trigger = self._by_trigger
        if by_trigger is None:
            raise BackendError("this NativeMatcher is closed")
        ids: list[str] = []
        for rule_id, parts in by_trigger.get(fact["type"], ()):
            for holds in parts:
                if not holds(fact):
                    break
            else:
                ids.append(rule_id)
        return ids

    def close(self) -> None:
        """Drop the compiled rules; ``match`` raises :class:`BackendError` afterwards."""
        self._by_trigger = None
