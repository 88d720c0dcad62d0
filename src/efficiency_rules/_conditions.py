"""Reading a rule's conditions: from YAML to the neutral form backends match (see ``_match``).

Everything an author can get wrong in a condition is reported here, at its line: an operator
written in prose (以上, "at least"), an unknown field (with a suggestion), a value of the wrong
kind, a count of an unknown event type, and a set of conditions that can never all hold.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ._errors import SourceLocation, echo
from ._event_fields import FieldKind
from ._match import Condition
from ._suggest import did_you_mean
from ._yaml import location_of

__all__ = ["OPERATORS", "ConditionContext", "count_key", "field_key", "new_key", "of_key", "parse_condition"]

# The fixed operator set. Unicode comparison signs are accepted as the same operators.
OPERATORS = ("==", "!=", "<", "<=", ">", ">=", "in", "not_in", "exists", "missing")
_ALIASES = {"≥": ">=", "≤": "<=", "≠": "!=", "=": "=="}
_ORDERING = {"<", "<=", ">", ">="}
_TURNED = {"=>": ">=", "=<": "<=", "=!": "!=", "<>": "!="}

# Words that state a comparison in prose. 民法典 art. 1259: 以上、以下、以内、届满 include the number;
# 不满、超过、以外 exclude it. A ruleset must write the operator, so each word gets the operator it means.
_PROSE = {
    "以上": (">=", "以上 includes the number (民法典 art. 1259)"),
    "不少于": (">=", "不少于 includes the number"),
    "不低于": (">=", "不低于 includes the number"),
    "届满": (">=", "届满 includes the number (民法典 art. 1259)"),
    "以下": ("<=", "以下 includes the number (民法典 art. 1259)"),
    "以内": ("<=", "以内 includes the number (民法典 art. 1259)"),
    "不超过": ("<=", "不超过 includes the number"),
    "不多于": ("<=", "不多于 includes the number"),
    "超过": (">", "超过 excludes the number (民法典 art. 1259)"),
    "多于": (">", "多于 excludes the number"),
    "高于": (">", "高于 excludes the number"),
    "不满": ("<", "不满 excludes the number (民法典 art. 1259)"),
    "不足": ("<", "不足 excludes the number (民法典 art. 1259)"),
    "少于": ("<", "少于 excludes the number"),
    "低于": ("<", "低于 excludes the number"),
    "at least": (">=", "'at least' includes the number"),
    "no less than": (">=", "'no less than' includes the number"),
    "at most": ("<=", "'at most' includes the number"),
    "no more than": ("<=", "'no more than' includes the number"),
    "more than": (">", "'more than' excludes the number"),
    "greater than": (">", "'greater than' excludes the number"),
    "over": (">", "'over' excludes the number"),
    "exceeds": (">", "'exceeds' excludes the number"),
    "less than": ("<", "'less than' excludes the number"),
    "fewer than": ("<", "'fewer than' excludes the number"),
    "under": ("<", "'under' excludes the number"),
    "equals": ("==", "write the operator"),
    "is": ("==", "write the operator"),
    "eq": ("==", "write the symbol"),
    "ne": ("!=", "write the symbol"),
    "gt": (">", "write the symbol"),
    "ge": (">=", "write the symbol"),
    "gte": (">=", "write the symbol"),
    "lt": ("<", "write the symbol"),
    "le": ("<=", "write the symbol"),
    "lte": ("<=", "write the symbol"),
}


def field_key(name: str) -> str:
    """The fact key of a field of the triggering event."""
    return f"f.{name}"


#: Prose comparison words and the operator each means (for hints in error messages).
PROSE_OPERATORS = _PROSE


def of_key(event_type: str, name: str) -> str:
    """The fact key of field ``name`` of the thread's latest event of ``event_type`` (this one included)."""
    return f"of.{event_type}.{name}"


def new_key(name: str, excepted: str | None = None) -> str:
    """The fact key of the number of values of list field ``name`` that the thread's first event of
    the same type did not have (less those the event lists in field ``excepted``)."""
    return f"new.{name}" if excepted is None else f"new.{name}-{excepted}"


def count_key(event_type: str) -> str:
    """The fact key of the number of events of ``event_type`` in the thread so far (this one included)."""
    return f"count.{event_type}"


@dataclass
class ConditionContext:
    """What a condition may refer to, and where to report problems."""

    path: str
    trigger: str
    fields: Mapping[str, FieldKind]
    known_types: Mapping[str, Any]
    report: Callable[[SourceLocation, str], None]
    keys: set[str] = field(default_factory=set)  # fact keys the condition reads
    counts: set[str] = field(default_factory=set)  # event types whose counts it reads
    news: set[tuple[str, str, str | None]] = field(default_factory=set)  # (key, list field, excepted field) of 'new' operands
    kinds_of: Mapping[str, Mapping[str, FieldKind]] = field(default_factory=dict)  # every known type's field kinds
    ofs: set[tuple[str, str, str]] = field(default_factory=set)  # (key, event type, field) read with 'of'

    def at(self, container: Any, key: Any = None) -> SourceLocation:
        return location_of(container, key, path=self.path)


_INVALID: Condition = ("invalid",)  # stands for a condition already reported; never reaches a backend


def parse_condition(raw: Any, ctx: ConditionContext, container: Any = None, key: Any = None) -> Condition:
    """The neutral form of ``raw`` (a list, all/any/not, or a comparison); problems go to ``ctx.report``."""
    where = ctx.at(container, key) if container is not None else ctx.at(raw)
    if isinstance(raw, list):
        return ("all", tuple(parse_condition(item, ctx, raw, i) for i, item in enumerate(raw)))
    if not isinstance(raw, dict):
        ctx.report(where, f"a condition is a mapping or a list, got {raw!r}")
        return _INVALID
    for combinator in ("all", "any"):
        if combinator in raw:
            extra = sorted(set(raw) - {combinator})
            if extra:
                ctx.report(ctx.at(raw, extra[0]), f"'{combinator}' stands alone; unexpected key {extra[0]!r}")
            items = raw[combinator]
            if not isinstance(items, list) or not items:
                ctx.report(ctx.at(raw, combinator), f"'{combinator}' takes a non-empty list of conditions")
                return _INVALID
            return (combinator, tuple(parse_condition(item, ctx, items, i) for i, item in enumerate(items)))
    if "not" in raw:
        extra = sorted(set(raw) - {"not"})
        if extra:
            ctx.report(ctx.at(raw, extra[0]), f"'not' stands alone; unexpected key {extra[0]!r}")
        return ("not", parse_condition(raw["not"], ctx, raw, "not"))
    return _comparison(raw, ctx)


def _comparison(raw: dict[str, Any], ctx: ConditionContext) -> Condition:
    allowed = ("field", "of", "count", "new", "except", "op", "value")
    for name in raw:
        if name not in allowed:
            ctx.report(
                ctx.at(raw, name),
                f"unknown key {echo(name)} in a condition; expected field, count or new, op, value, or all/any/not"
                + did_you_mean(str(name), allowed + ("all", "any", "not")),
            )
            return _INVALID
    if sum(operand in raw for operand in ("field", "count", "new")) != 1:
        ctx.report(ctx.at(raw), "a comparison names exactly one of 'field' (of the event), 'count' (of events) "
                   "or 'new' (values a list field adds to the thread's first event of its type)")
        return _INVALID
    if "except" in raw and "new" not in raw:
        ctx.report(ctx.at(raw, "except"), "'except' goes with 'new'")
        return _INVALID
    if "of" in raw and "field" not in raw:
        ctx.report(ctx.at(raw, "of"), "'of' goes with 'field': {field: in_scope, of: inquiry.received, op: ..., value: ...}")
        return _INVALID
    op = _operator(raw, ctx)
    if op is None:
        # a comparison written in words still has its other parts checked, with the operator it means:
        # every problem of the entry is reported at once (op: 以上 with value: 3次)
        words = raw.get("op")
        prose = _PROSE.get(words.strip().lower()) if isinstance(words, str) else None
        if prose is not None:
            _operands(raw, prose[0], ctx)
        return _INVALID
    return _operands(raw, op, ctx)


def _operands(raw: dict[str, Any], op: str, ctx: ConditionContext) -> Condition:
    if "field" in raw:
        return _field_comparison(raw, op, ctx)
    if "new" in raw:
        return _new_comparison(raw, op, ctx)
    return _count_comparison(raw, op, ctx)


def _new_comparison(raw: dict[str, Any], op: str, ctx: ConditionContext) -> Condition:
    """``{new: items, except: caused_by_supplement, op: ">=", value: 1}``: how many values of the list
    field ``items`` the thread's first event of this type did not list, less those in ``except``."""
    names: list[str | None] = []
    for operand in ("new", "except"):
        if operand not in raw:
            names.append(None)
            continue
        name = raw[operand]
        kind = ctx.fields.get(name) if isinstance(name, str) else None
        if kind is None or kind.kind != "list":
            lists = sorted(f for f, k in ctx.fields.items() if k.kind == "list")
            ctx.report(
                ctx.at(raw, operand),
                f"'{operand}' names a list field of {ctx.trigger}, got {name!r}; its list fields are "
                + (", ".join(lists) if lists else "none") + (did_you_mean(str(name), lists) if lists else ""),
            )
            return _INVALID
        names.append(name)
    new, excepted = names
    assert new is not None  # the caller saw a 'new' key, and its value names a list field
    key = new_key(new, excepted)
    condition = _whole_number_comparison(raw, op, ctx, key, what="the number of new values")
    if condition is not _INVALID:
        ctx.news.add((key, new, excepted))
    return condition


def _whole_number_comparison(raw: dict[str, Any], op: str, ctx: ConditionContext, key: str, *, what: str) -> Condition:
    """``(cmp, op, key, value)`` for a count-like operand: compared with == != < <= > >= and a whole number ≥ 0."""
    if op in ("exists", "missing", "in", "not_in"):
        ctx.report(ctx.at(raw, "op"), f"{what} is compared with == != < <= > >=, not '{op}'")
        return _INVALID
    if "value" not in raw:
        ctx.report(ctx.at(raw), f"'{op}' needs a value")
        return _INVALID
    value = raw["value"]
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        number = _NUMBER_IN_WORDS.fullmatch(value.strip()) if isinstance(value, str) else None
        hint = f": write value: {int(number.group(1))}" if number else ""
        ctx.report(ctx.at(raw, "value"), f"{what} is compared with a whole number ≥ 0, got {_shown(value)}{hint}")
        return _INVALID
    ctx.keys.add(key)
    return ("cmp", op, key, value)


# A number written with its measure word, as a policy writes it: 3次, 2 件, 5个, 10 times.
_NUMBER_IN_WORDS = re.compile(r"([0-9]+)\s*(?:次|件|个|项|条|份|人|人次|起|times?|cases?|items?)")


def _operator(raw: dict[str, Any], ctx: ConditionContext) -> str | None:
    if "op" not in raw:
        ctx.report(ctx.at(raw), f"a comparison needs 'op', one of {' '.join(OPERATORS)}")
        return None
    op = raw["op"]
    if not isinstance(op, str):
        ctx.report(ctx.at(raw, "op"), f"'op' is one of {' '.join(OPERATORS)}, got {op!r}")
        return None
    op = _ALIASES.get(op.strip(), op.strip())
    if op in OPERATORS:
        return op
    prose = _PROSE.get(op.lower())
    if prose is not None:
        symbol, why = prose
        ctx.report(ctx.at(raw, "op"), f"comparison written in words ({op!r}): write op: '{symbol}' — {why}")
        return None
    turned = _TURNED.get(op)  # "=>" is ">=" written the wrong way round, not ">"
    suggestion = f" — did you mean {turned!r}?" if turned else did_you_mean(op, OPERATORS)
    ctx.report(ctx.at(raw, "op"), f"unknown operator {op!r}; operators are {' '.join(OPERATORS)}" + suggestion)
    return None


def _kind_of_value(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return type(value).__name__


def _value_fits(value: Any, kind: FieldKind) -> bool:
    if kind.enum is not None:
        return value in kind.enum and type(value) is type(kind.enum[kind.enum.index(value)])
    actual = _kind_of_value(value)
    if kind.kind == "number":
        return actual in ("integer", "number")
    if kind.kind == "duration":
        return actual == "string"
    return actual == kind.kind


def _field_comparison(raw: dict[str, Any], op: str, ctx: ConditionContext) -> Condition:
    name = raw["field"]
    source, fields = ctx.trigger, ctx.fields
    if "of" in raw:
        source = raw["of"]
        if not isinstance(source, str) or source not in ctx.kinds_of:
            ctx.report(ctx.at(raw, "of"), f"unknown event type {source!r}" + did_you_mean(str(source), ctx.kinds_of))
            return _INVALID
        fields = ctx.kinds_of[source]
    if not isinstance(name, str):
        ctx.report(ctx.at(raw, "field"), f"'field' names a field of {source}, got {name!r}")
        return _INVALID
    kind = fields.get(name)
    if kind is None:
        ctx.report(
            ctx.at(raw, "field"),
            f"{source} has no field {echo(name)}; its fields are {', '.join(sorted(fields))}"
            + did_you_mean(name, fields),
        )
        return _INVALID
    if "of" in raw:
        key = of_key(source, name)
        ctx.ofs.add((key, source, name))
    else:
        key = field_key(name)
    ctx.keys.add(key)
    if op in ("exists", "missing"):
        if "value" in raw:
            ctx.report(ctx.at(raw, "value"), f"'{op}' takes no value")
            return _INVALID
        return (op, key)
    if not kind.comparable:
        ctx.report(ctx.at(raw, "op"), f"field {name!r} of {source} is a {kind.kind}: only exists and missing apply to it")
        return _INVALID
    if "value" not in raw:
        ctx.report(ctx.at(raw), f"'{op}' needs a value")
        return _INVALID
    value = raw["value"]
    if op in ("in", "not_in"):
        if not isinstance(value, list) or not value:
            ctx.report(ctx.at(raw, "value"), f"'{op}' takes a non-empty list of values")
            return _INVALID
        for i, item in enumerate(value):
            if not _value_fits(item, kind):
                ctx.report(ctx.at(value, i), f"field {name!r} of {source} is {kind.describe()}; {_shown(item)} can never match")
                return _INVALID
        values = tuple(value)
        return ("in", key, values) if op == "in" else ("all", (("exists", key), ("not", ("in", key, values))))
    if op in _ORDERING and not kind.ordered:
        ctx.report(ctx.at(raw, "op"), f"'{op}' compares numbers, but field {name!r} of {source} is {kind.describe()}")
        return _INVALID
    if not _value_fits(value, kind):
        if kind.enum is not None and any(type(value) is type(v) for v in kind.enum):
            problem = f"{_shown(value)} is not one of them"
        else:
            problem = f"{_shown(value)} is {_article(_kind_of_value(value))}"
        ctx.report(
            ctx.at(raw, "value"),
            f"field {name!r} of {source} is {kind.describe()}; {problem}"
            + (did_you_mean(value, [str(v) for v in kind.enum]) if kind.enum and isinstance(value, str) else ""),
        )
        return _INVALID
    return ("cmp", op, key, value)


def _shown(value: Any) -> str:
    """A value as the author wrote it in YAML: true and false, not Python's True and False."""
    return ("true" if value else "false") if isinstance(value, bool) else echo(value)


def _article(kind: str) -> str:
    return {"integer": "an integer", "boolean": "a boolean"}.get(kind, f"a {kind}")


def _count_comparison(raw: dict[str, Any], op: str, ctx: ConditionContext) -> Condition:
    event_type = raw["count"]
    if not isinstance(event_type, str) or event_type not in ctx.known_types:
        ctx.report(
            ctx.at(raw, "count"),
            f"unknown event type {echo(event_type)} to count" + did_you_mean(str(event_type), ctx.known_types),
        )
        return _INVALID
    condition = _whole_number_comparison(raw, op, ctx, count_key(event_type), what="a count")
    if condition is not _INVALID:
        ctx.counts.add(event_type)
    return condition


# -- can it ever hold? -------------------------------------------------------------------------


def unsatisfiable(condition: Condition, *, minimum_counts: Mapping[str, int]) -> str | None:
    """Why ``condition`` can never hold, or ``None``.

    Looks at the comparisons that must all hold (the top-level ``all``, flattened) and finds
    contradictions on one key: two different required values, a value both required and excluded,
    ``exists`` with ``missing``, an empty numeric range. ``minimum_counts`` gives the least value a
    count can have (a count of the triggering type is at least 1).
    """
    required = list(_conjuncts(condition))
    by_key: dict[str, list[Condition]] = {}
    for c in required:
        if c[0] == "cmp":
            by_key.setdefault(c[2], []).append(c)
        elif c[0] in ("exists", "missing", "in"):
            by_key.setdefault(c[1], []).append(c)
    for key, constraints in by_key.items():
        reason = _contradiction(key, constraints, minimum_counts.get(key))
        if reason:
            return reason
    return None


def _conjuncts(condition: Condition) -> Any:
    if condition[0] == "all":
        for item in condition[1]:
            yield from _conjuncts(item)
    else:
        yield condition


def _contradiction(key: str, constraints: list[Condition], minimum: int | None) -> str | None:
    is_count, name = key.startswith("count."), key.split(".", 1)[1]
    label = f"the count of {name!r}" if is_count else repr(name)
    if any(c[0] == "exists" for c in constraints) and any(c[0] == "missing" for c in constraints):
        return f"{label} must both exist and be missing"
    equal = {c[3] for c in constraints if c[0] == "cmp" and c[1] == "=="}
    if len(equal) > 1:
        return f"{label} must equal {' and '.join(_shown(v) for v in sorted(equal, key=str))} at once"
    if equal and any(c[0] == "missing" for c in constraints):
        return f"{label} must equal a value and be missing"
    value = next(iter(equal)) if equal else None
    for c in constraints:
        if equal and c[0] == "cmp" and c[1] == "!=" and c[3] == value:
            return f"{label} must equal {_shown(value)} and differ from it"
        if equal and c[0] == "in" and value not in c[2]:
            return f"{label} must equal {_shown(value)} and be one of {', '.join(_shown(v) for v in c[2])}"
    low, high = (minimum if minimum is not None else -math.inf), math.inf
    low_open = high_open = False
    for c in constraints:
        if c[0] != "cmp" or isinstance(c[3], (bool, str)):
            continue
        # == v is >= v and <= v: narrowing both bounds the same way keeps "> 5 and == 5" empty
        # whichever comes first.
        for op, v in ((">=", c[3]), ("<=", c[3])) if c[1] == "==" else ((c[1], c[3]),):
            if op in (">", ">=") and (v > low or (v == low and op == ">")):
                low, low_open = v, op == ">"
            elif op in ("<", "<=") and (v < high or (v == high and op == "<")):
                high, high_open = v, op == "<"
    if low > high or (low == high and (low_open or high_open)):
        bound = f" (it is at least {minimum} here)" if minimum is not None else ""
        return f"no {'count' if is_count else 'value'} of {name!r} satisfies all its comparisons{bound}"
    return None
