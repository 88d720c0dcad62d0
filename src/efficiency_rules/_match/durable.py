"""The durable backend: the same conditions, decided by durable_rules' Rete network.

``DurableMatcher`` translates each rule's condition into durable_rules' Python DSL
(``durable.lang``: ``m``, ``when_all``, ``&``, ``|``, ``+``/``-`` for exists/not-exists) and asks
durable, fact by fact, which rules fire. It must agree with the native backend on every fact
(tests/test_match.py checks that with Hypothesis); this docstring records how, and why.

**Facts, not events.** A posted *event* is consumed by the first rule that fires on it: measured
here, an event satisfying five rules fires one. An asserted *fact* fires every rule it
satisfies, so each fact is asserted (``assert_fact``) into the ruleset holding the rules (one,
unless the limits below need more), the actions it triggers are run at once (``do_actions``),
and each action records its rule. A rule may fire twice for one fact (durable forwards a fact
once per true branch of an ``|``), so the answers are sets.

**Sessions.** A ``match`` call is one durable session (``sid``) named after the thread; its state
is deleted when the call returns, and every 1,024 facts within it, so live sessions never
accumulate (durable fails at the 1,025th live session per ruleset and keeps about 8 KB per fact).
Every message has a fresh id from a process-wide counter, since durable rejects a message it has
already observed in a session. Calls are serialized by one process-wide lock: durable's Python
layer is not thread-safe. durable 2.0.28 leaves a session's action context uninitialized until
an action runs in it and frees it when the session is deleted — a segfault, depending on the
heap, for a session in which nothing fired (measured) — so such a session is first sent an
*opener* message that fires a rule of its own; an empty ruleset crashes too, and the opener
rule keeps every ruleset non-empty.

**No Host, no threads, no timers.** durable's ``Host`` starts two polling threads that never stop
and run pending actions on their own (they would race ``do_actions``), and its timers read the
wall clock. This backend creates no ``Host``: it builds ``durable.engine.Ruleset`` objects
directly and runs their actions itself, synchronously. ``close()`` deletes the native ruleset
(``durable_rules_engine.delete_ruleset``, which ``Host`` never calls); so does garbage collection
of an unclosed matcher.

**Errors.** durable swallows an exception raised in an action into the session state. Here the
action records the exception before durable sees it, and ``match`` raises :class:`BackendError`
from it; a failure inside durable's own action loop is raised the same way.

**Encoding.** durable compares loosely (``5 < "x"`` compares the text ``"5"``, ``True == 1`` holds,
a missing property can read garbage), its JSON reader rejects ``1e+20`` and mangles escaped
strings, and property names are hashed. So each fact is re-encoded, and each condition translated
to match, such that every decision stays in durable's network but is exact:

* a key becomes safe property names by a bijective escape (``f.outcome`` → ``f_2e_outcome``),
  one per kind of value the rules compare it with: ``s_<key>`` for strings, ``n_<key>`` for
  numbers, ``b_<key>`` for booleans, and ``p_<key>`` (present, not ``None``) for
  ``exists``/``missing``. A column is present only when the fact's value has that kind, so a
  comparison with a value of another kind — or a missing key — never reaches durable's test;
* a string is the hex of its UTF-8 bytes behind an ``x``; a number is an order-preserving key
  (sign, binary exponent, mantissa in hex) whose string order is the exact numeric order of
  Python's ``int`` and ``float``; a boolean stays a JSON boolean. durable compares these strings
  with ``strncmp``, which then orders them exactly as Python orders the values;
* ``not`` is pushed down to the leaves (De Morgan): ``not (k < v)`` becomes
  ``-m.n_k | (m.n_k >= v)`` — "k is not a number, or is one and ≥ v" — which is exactly
  "``k < v`` does not hold" for the kinds' total orders; ``not (k in vs)`` becomes the ``&`` of
  such negated equalities; ``exists`` and ``missing`` are durable's ``+m.p_k`` and ``-m.p_k``;
* every rule tests ``m.s_type == <trigger>`` first, so durable also decides which rules a fact's
  type triggers (only the columns of that type's rules are encoded into the fact).

**Limits.** durable's network has fixed sizes: 31 expression slots per rule (each ``&``/``|``
takes two), a stack of 64 nodes per fact (65 tests that pass together under one node fail the
fact), 511 tested children per node (more and compiling never ends), 127 "not exists" or forward
children and 255 rule ends per node, 255 properties per fact. The network is modelled at
construction and the rules are cut to stay well inside: a large condition becomes several
durable rules (an ``&`` distributed over an ``|``, or a wide ``|`` halved), each reporting the
same rule, up to 256 per condition; rules that together would overflow go to further rulesets,
and a fact is asserted into each ruleset holding rules for its type. A condition beyond that, or
a type whose rules read more than 250 encoded properties, raises :class:`BackendError` when the
matcher is built. A condition that is always false has no durable rule (it can never fire); one
that is always true is just the type test.

durable_rules 2.0.28 (its last release) builds from source, runs on Python 3.11 and 3.12, and
does not import on 3.13 (it calls ``PyEval_CallObject``, removed there). It is imported only when
a ``DurableMatcher`` is built.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import operator
import sys
import threading
import warnings
import weakref
from collections.abc import Callable, Sequence
from functools import reduce
from types import SimpleNamespace
from typing import Any

from .._errors import BackendError, BackendUnavailableError, ConditionError
from . import Condition, MatchRule
from .native import BOOLEAN, FALSE, NUMBER, OPERATORS, STRING, TRUE, normalize_condition, value_kind

__all__ = ["DurableMatcher", "load_durable"]

INSTALL_HINT = 'pip install "efficiency-rules[durable]"'

# durable_rules' Python layer and C engine are not thread-safe, and on Python 3.12 the warnings
# filter set around each call is process-global: one lock for every DurableMatcher.
_LOCK = threading.RLock()
_SERIAL = itertools.count(1)  # ruleset names and message ids: unique in the process

_FACTS_PER_SESSION = 1024  # facts asserted into one session before its state is dropped
_MAX_GROUPS = 15  # '&'/'|' per durable rule: 31 expression slots, two each
_STACK_LIMIT = 64  # alpha nodes durable can have pending for one fact
_MAX_STACK = 48  # the most this module lets a ruleset need, a margin below the limit
_MAX_TESTED = 400  # tested children per alpha node (durable: 511)
_MAX_LISTED = 100  # "not exists" and forward children per alpha node (durable: 127)
_MAX_ENDS = 200  # rules ending at one alpha node (durable: 255)
_MAX_PARTS = 256  # durable rules one condition may be split into
_MAX_PROPERTIES = 250  # per message; durable's limit is 255, id, sid and i take three
_RESERVED = ("id", "sid", "i", "$s", "$forward")  # property names durable or this module uses
_OPENER = "open"  # the s_type of the message that opens a session (see DurableMatcher._end_session)

_NEGATED = {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}
_COLUMN_PREFIX = {STRING: "s_", NUMBER: "n_", BOOLEAN: "b_"}


# -- loading durable_rules -----------------------------------------------------------------------


def load_durable() -> SimpleNamespace:
    """durable_rules' modules (``engine``, ``lang``, ``core``), or :class:`BackendUnavailableError`."""
    version = sys.version_info
    if tuple(version[:2]) >= (3, 13):
        raise BackendUnavailableError(
            f"the durable backend cannot run on Python {version[0]}.{version[1]}: durable_rules "
            "(last release 2.0.28) calls the C API function PyEval_CallObject, which Python 3.13 "
            "removed, so it fails to import. Use the native backend (the default), or Python 3.11 "
            f"or 3.12 with {INSTALL_HINT}."
        )
    try:
        import durable.engine
        import durable.lang
        import durable_rules_engine
    except ImportError as exc:
        raise BackendUnavailableError(
            f"the durable backend needs durable_rules, which cannot be imported here ({exc}). "
            f"Install it with: {INSTALL_HINT} (it builds from source: a C compiler is needed)."
        ) from exc
    return SimpleNamespace(engine=durable.engine, lang=durable.lang, core=durable_rules_engine)


# -- encoding ------------------------------------------------------------------------------------


def safe_name(text: str) -> str:
    """``text`` as letters, digits and ``_``, bijectively.

    ASCII letters and digits stay; ``_`` becomes ``__``; any other character becomes ``_``, its
    code point in hex, ``_`` (``f.outcome`` → ``f_2e_outcome``).
    """
    out = []
    for ch in text:
        if ch.isascii() and ch.isalnum():
            out.append(ch)
        elif ch == "_":
            out.append("__")
        else:
            out.append(f"_{ord(ch):x}_")
    return "".join(out)


def string_key(value: str) -> str:
    """A string as durable compares it exactly: ``x`` and the hex of its UTF-8 bytes.

    UTF-8 byte order is code point order, hex digits keep it, and only ``[0-9a-fx]`` reach
    durable's ``strncmp`` — no escapes, no NUL, nothing that sorts below the JSON quote.
    """
    return "x" + value.encode("utf-8", "surrogatepass").hex()


_EXPONENT_OFFSET = 10**7
_EXPONENT_LIMIT = 10**8  # 8 decimal digits
_COMPLEMENT = str.maketrans("0123456789abcdef", "fedcba9876543210")


def number_key(value: float) -> str:
    """A number as a string whose order is the exact numeric order (``int`` and ``float`` alike).

    A finite non-zero value is ``±2**e × 1.m``; its key is a sign letter, ``e`` in fixed width and
    the bits ``m`` in hex with trailing zeros dropped (for a negative value: the exponent and the
    digits complemented and a ``g`` closing, so larger magnitudes sort first). ``-inf`` < negative
    < zero < positive < ``+inf``: letters ``a`` to ``e``. ``1``, ``1.0`` and ``-0.0 == 0`` share a key.
    """
    if isinstance(value, float) and math.isnan(value):
        raise ValueError("NaN is not a JSON value and cannot be compared")
    if value == 0:
        return "c"
    if value in (math.inf, -math.inf):
        return "e" if value > 0 else "a"
    numerator, denominator = value.as_integer_ratio()
    negative = numerator < 0
    numerator = -numerator if negative else numerator
    width = numerator.bit_length() - 1
    exponent = width - (denominator.bit_length() - 1)
    mantissa = numerator - (1 << width)  # the bits after the leading one
    if mantissa:
        trailing = (mantissa & -mantissa).bit_length() - 1
        mantissa >>= trailing
        width -= trailing
        pad = -width % 4
        digits = format(mantissa << pad, f"0{(width + pad) // 4}x")
    else:
        digits = ""
    biased = exponent + _EXPONENT_OFFSET
    if not 0 <= biased < _EXPONENT_LIMIT:
        raise ValueError(f"number too large for the durable backend: 2**{exponent}")
    if negative:
        return f"b{_EXPONENT_LIMIT - 1 - biased:08d}{digits.translate(_COMPLEMENT)}g"
    return f"d{biased:08d}{digits}"


def _encode_value(value: Any) -> Any:
    kind = value_kind(value)
    if kind is STRING:
        return string_key(value)
    if kind is NUMBER:
        return number_key(value)
    return value


def fnv1_32(name: str) -> int:
    """durable's hash of a property name (FNV-1, 32 bits): two names with one hash are one property."""
    h = 0x811C9DC5
    for byte in name.encode():
        h = ((h ^ byte) * 16777619) & 0xFFFFFFFF
    return h


# -- translation ---------------------------------------------------------------------------------
#
# An intermediate tree, durable's shape: ("and", parts), ("or", parts), ("test", column, op, value),
# ("ex", column), ("nex", column). Columns are (key, kind) pairs until named.

Node = tuple[Any, ...]
Column = tuple[str, str]  # (fact key, kind or "present")


def _column(key: str, value: Any) -> Column:
    kind = value_kind(value)
    assert kind is not None  # normalize_condition admits only str, int, float and bool values
    return (key, kind)


def _join(form: str, parts: list[Node]) -> Node:
    flat: list[Node] = []
    for part in parts:
        flat.extend(part[1] if part[0] == form else (part,))
    return flat[0] if len(flat) == 1 else (form, tuple(flat))


def _translate(c: Condition, negated: bool) -> Node:
    """A normalized condition (or its negation) as durable's tree, ``not`` pushed to the leaves."""
    form = c[0]
    if form in ("all", "any"):
        join = "and" if (form == "all") != negated else "or"
        return _join(join, [_translate(part, negated) for part in c[1]])
    if form == "not":
        return _translate(c[1], not negated)
    if form in ("exists", "missing"):
        present = (form == "exists") != negated
        return ("ex" if present else "nex", (c[1], "present"))
    if form == "cmp":
        _, op, key, value = c
        column = _column(key, value)
        if not negated:
            return ("test", column, op, _encode_value(value))
        # Not (k op v): k has another kind (or none), or it has v's kind and the opposite holds.
        return ("or", (("nex", column), ("test", column, _NEGATED[op], _encode_value(value))))
    _, key, values = c  # "in"
    groups: dict[Column, list[Any]] = {}
    for value in values:
        encoded = _encode_value(value)
        column = _column(key, value)
        if encoded not in groups.setdefault(column, []):
            groups[column].append(encoded)
    if not negated:
        return _join("or", [("test", col, "==", v) for col, vs in groups.items() for v in vs])
    return _join(
        "and",
        [_join("or", [("nex", col), _join("and", [("test", col, "!=", v) for v in vs])]) for col, vs in groups.items()],
    )


def _groups(node: Node) -> int:
    if node[0] in ("and", "or"):
        return 1 + sum(_groups(part) for part in node[1])
    return 0


# durable's alpha network has fixed sizes. Per fact it walks the network with a stack of 64
# nodes, pushing every child of a node that passes at once: 65 tests that can pass together
# under one node fail the fact (error 303, measured). Per node it keeps at most 511 tested
# children (a 512-slot table; when full, compiling loops forever — measured), 127 "not exists"
# or forward children and 255 rules ending there. The network is modelled here — durable shares
# a test with the same parent, property, operator and value; an '|' forwards each true branch to
# one node — and rules and rulesets are cut so that every size stays well inside its limit.


class _Alpha:
    """A node of the model of durable's alpha network."""

    __slots__ = ("ends", "forwards", "tests")

    def __init__(self) -> None:
        self.tests: dict[Node, _Alpha] = {}  # shared children, by test
        self.forwards: list[_Alpha] = []  # the nodes '|' branches lead to
        self.ends = 0  # rules whose tests end here


def _insert(parent: _Alpha, items: list[Node], then: _Alpha | None) -> None:
    """Add the chain ``items`` (a rule's '&') under ``parent``, linked at its end to ``then``."""
    if not items:
        if then is None:
            parent.ends += 1
        else:
            parent.forwards.append(then)
        return
    first, rest = items[0], items[1:]
    if first[0] == "and":
        _insert(parent, [*first[1], *rest], then)
    elif first[0] == "or":
        forward = _Alpha()
        for branch in first[1]:
            _insert(parent, [branch], forward)
        _insert(forward, rest, then)
    else:
        _insert(parent.tests.setdefault(first, _Alpha()), rest, then)


def _fits(pieces: list[Node]) -> bool:
    """Whether durable can hold these rules in one ruleset with room to spare."""
    root = _Alpha()
    for piece in pieces:
        _insert(root, [piece], None)
    depths: dict[int, int] = {}
    fits = True

    def depth(node: _Alpha) -> int:
        # The most nodes pending on durable's stack below ``node``; checks each node's sizes.
        nonlocal fits
        if id(node) in depths:
            return depths[id(node)]
        listed = len(node.forwards) + sum(1 for test in node.tests if test[0] == "nex")
        if len(node.tests) - listed > _MAX_TESTED or listed > _MAX_LISTED or node.ends > _MAX_ENDS:
            fits = False
        # Equality tests of one property on different values cannot pass together.
        exclusive: dict[Column, int] = {}
        others: list[int] = []
        for test, child in node.tests.items():
            if test[0] == "test" and test[2] == "==":
                exclusive[test[1]] = max(exclusive.get(test[1], 0), depth(child))
            else:
                others.append(depth(child))
        others.extend(depth(forward) for forward in node.forwards)
        pending = [*exclusive.values(), *others]
        depths[id(node)] = result = len(pending) - 1 + max(pending) if pending else 0
        return result

    return depth(root) + 1 <= _MAX_STACK and fits


def _split(node: Node, budget: list[int]) -> list[Node]:
    """Durable rules whose ``|`` is ``node``, each within durable's limits (see ``_fits``).

    ``budget`` holds how many more pieces may be made; :class:`OverflowError` when none are left.
    """
    too_many = _groups(node) > _MAX_GROUPS
    if not too_many and _fits([node]):
        budget[0] -= 1
        if budget[0] < 0:
            raise OverflowError
        return [node]
    parts = node[1]
    if node[0] == "or":
        return [piece for part in parts for piece in _split(part, budget)]
    # An '&' of tests alone is within every limit, so this '&' has an '|' to cut.
    ors = [i for i, p in enumerate(parts) if p[0] == "or"]
    if too_many:
        # Too many '&'/'|': distribute the '&' over its smallest '|'.
        k = min(ors, key=lambda i: len(parts[i][1]))
        branches = list(parts[k][1])
    else:
        # Too many tests side by side: cut its widest '|' in two.
        k = max(ors, key=lambda i: len(parts[i][1]))
        half = len(parts[k][1]) // 2
        branches = [_join("or", list(parts[k][1][:half])), _join("or", list(parts[k][1][half:]))]
    rest = list(parts[:k] + parts[k + 1 :])
    # The branch goes right after the first test (the type test): the pieces then part ways at
    # once, and durable shares their common start instead of piling their '|' on one node.
    return [piece for branch in branches for piece in _split(_join("and", [rest[0], branch, *rest[1:]]), budget)]


def _partition(rules: list[tuple[str, int, list[Node]]]) -> list[list[tuple[int, Node]]]:
    """The rules' pieces (trigger, index, pieces), in order, cut into rulesets within durable's limits.

    Every piece starts with its type test, and the type tests of different triggers cannot pass
    together, so a ruleset fits when each trigger's pieces fit on their own. A rule's pieces are
    tried together first (checking the model costs as much as building it), then one by one.
    """
    groups: list[dict[str, list[Node]]] = [{}]
    cut: list[list[tuple[int, Node]]] = [[]]

    def room(trigger: str, pieces: list[Node]) -> bool:
        same = groups[-1].get(trigger, [])
        return (bool(same) or len(groups[-1]) < _MAX_TESTED) and _fits([*same, *pieces])

    for trigger, index, pieces in rules:
        for batch in [pieces] if room(trigger, pieces) else [[piece] for piece in pieces]:
            if cut[-1] and batch is not pieces and not room(trigger, batch):
                groups.append({})
                cut.append([])
            groups[-1].setdefault(trigger, []).extend(batch)
            cut[-1].extend((index, piece) for piece in batch)
    return cut


def _columns(node: Node) -> set[Column]:
    if node[0] in ("and", "or"):
        return set().union(*(_columns(part) for part in node[1]))
    return {node[1]}


def _column_name(column: Column) -> str:
    key, kind = column
    return ("p_" if kind == "present" else _COLUMN_PREFIX[kind]) + safe_name(key)


def _dsl(node: Node, m: Any) -> Any:
    """The tree as durable.lang expressions over the pattern ``m``."""
    form = node[0]
    if form == "and":
        return reduce(operator.and_, [_dsl(part, m) for part in node[1]])
    if form == "or":
        return reduce(operator.or_, [_dsl(part, m) for part in node[1]])
    prop = getattr(m, _column_name(node[1]))
    if form == "ex":
        return +prop
    if form == "nex":
        return -prop
    return OPERATORS[node[2]](prop, node[3])  # durable's DSL overloads the same operators


# -- the matcher ---------------------------------------------------------------------------------


class _Net:
    """One durable ruleset of a matcher, and its session in the current ``match`` call."""

    __slots__ = ("acted", "live", "ruleset", "size")

    def __init__(self, ruleset: Any) -> None:
        self.ruleset = ruleset
        self.live = False  # a session exists in durable
        self.acted = False  # an action has run in that session
        self.size = 0  # messages asserted into it


class DurableMatcher:
    """Matches facts with durable_rules (extra ``durable``); answers exactly as :class:`NativeMatcher`.

    ``name`` goes into the durable rulesets' names (with a process-wide serial number, since
    durable_rules' rulesets are process-global). Raises :class:`BackendUnavailableError` when
    durable_rules cannot be imported (not installed, or Python ≥ 3.13). See the module docstring
    for the translation, the sessions, the threads it does not start and the limits.
    """

    def __init__(self, rules: Sequence[MatchRule], *, name: str) -> None:
        durable = load_durable()
        self._durable = durable
        self._rule_ids = [rule.rule_id for rule in rules]
        self.name = f"{safe_name(name)}-{next(_SERIAL)}"
        # Python 3.12 deprecates a call durable makes for every action (datetime.utcfromtimestamp).
        self._quiet = tuple(sys.version_info[:2]) >= (3, 12)
        pieces: list[tuple[str, int, list[Node]]] = []
        slots_by_trigger: dict[str, dict[str, list[str | None]]] = {}
        for index, rule in enumerate(rules):
            if not isinstance(rule.trigger, str):
                raise ConditionError(f"rule {rule.rule_id!r}: a trigger is an event type name, got {rule.trigger!r}")
            condition = normalize_condition(rule.condition, rule.rule_id)
            slots_by_key = slots_by_trigger.setdefault(rule.trigger, {"type": [None, None, None, None]})
            if condition == FALSE:
                continue  # never holds: no durable rule could fire for it
            type_test: Node = ("test", ("type", STRING), "==", string_key(rule.trigger))
            try:
                body = None if condition == TRUE else _translate(condition, False)
            except ValueError as exc:  # a number too large to encode
                raise ConditionError(f"rule {rule.rule_id!r}: {exc}") from exc
            tree = type_test if body is None else _join("and", [type_test, body])
            try:
                pieces.append((rule.trigger, index, _split(tree, [_MAX_PARTS])))
            except OverflowError:
                raise BackendError(
                    f"rule {rule.rule_id!r}: its condition is too large for durable_rules, which allows "
                    f"{_MAX_GROUPS} '&'/'|' per rule and {_STACK_LIMIT} tests passing together; meeting "
                    f"both would take more than {_MAX_PARTS} durable rules"
                ) from None
            for key, kind in _columns(tree):
                slots = slots_by_key.setdefault(key, [None, None, None, None])
                slots[("present", STRING, NUMBER, BOOLEAN).index(kind)] = _column_name((key, kind))
        self._plans = {trigger: self._plan(trigger, slots) for trigger, slots in slots_by_trigger.items()}
        self._nets: list[_Net] = []
        handles: list[int] = []  # the native rulesets, deleted with the matcher or by close()
        self._finalizer = weakref.finalize(self, _delete_rulesets, durable.core, handles)
        with _LOCK:  # durable's table of rulesets is process-global
            self._routes = self._build(_partition(pieces), [rule.trigger for rule in rules], name, handles)
        self._closed = False
        self._pairs: list[tuple[int, int]] = []
        self._failure: tuple[int, BaseException] | None = None

    def _build(
        self, groups: list[list[tuple[int, Node]]], triggers: list[str], name: str, handles: list[int]
    ) -> dict[str, tuple[int, ...]]:
        """One durable ruleset per group of pieces; the rulesets that hold each trigger's rules."""
        durable = self._durable
        this = weakref.ref(self)
        routes: dict[str, list[int]] = {}
        for number, group in enumerate(groups):
            # The opener: a rule only the session-opening message fires (no string_key lacks the
            # "x"); it also keeps a ruleset non-empty, which durable needs (it crashes otherwise).
            opener = durable.lang.when_all(durable.lang.m.s_type == _OPENER)
            opener(_action(this, number, None))
            definition = {"open": opener.define()}
            for part, (index, piece) in enumerate(group):
                durable_rule = durable.lang.when_all(_dsl(piece, durable.lang.m))
                durable_rule(_action(this, number, index))
                definition[f"r{index}_{part}"] = durable_rule.define()
                nets = routes.setdefault(triggers[index], [])
                if number not in nets:
                    nets.append(number)
            try:
                ruleset = durable.engine.Ruleset(f"{self.name}_{number}", None, definition)
            except durable.core.error as exc:
                raise BackendError(f"durable_rules rejected the rules of {name!r}: {exc}") from exc
            self._nets.append(_Net(ruleset))
            handles.append(ruleset._handle)
        return {trigger: tuple(nets) for trigger, nets in routes.items()}

    def _plan(self, trigger: str, slots_by_key: dict[str, list[str | None]]) -> tuple[tuple[Any, ...], ...]:
        """What to encode for a fact of ``trigger``: (key, present, string, number, boolean column)."""
        names = [name for slots in slots_by_key.values() for name in slots if name]
        if len(names) > _MAX_PROPERTIES:
            raise BackendError(
                f"rules for {trigger!r} read {len(names)} encoded properties; durable allows {_MAX_PROPERTIES}"
            )
        seen: dict[int, str] = {fnv1_32(name): name for name in _RESERVED}
        for name in names:
            other = seen.setdefault(fnv1_32(name), name)
            if other != name:
                raise BackendError(f"rules for {trigger!r}: properties {other!r} and {name!r} share durable's hash")
        return tuple((key, *slots) for key, slots in slots_by_key.items())

    @property
    def rulesets(self) -> int:
        """How many durable rulesets the rules needed (one unless durable's limits forced more)."""
        return len(self._nets)

    def match(self, thread: str, facts: Sequence[dict[str, Any]]) -> list[list[str]]:
        """For each fact, the ids of the rules durable fired for it, in the order the rules were given."""
        with _LOCK:
            if self._closed:
                raise BackendError(f"DurableMatcher {self.name!r} is closed")
            if not self._quiet:
                return self._match(thread, facts)
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"durable\.engine")
                return self._match(thread, facts)

    def _match(self, thread: str, facts: Sequence[dict[str, Any]]) -> list[list[str]]:
        not_handled = self._durable.engine.MessageNotHandledException
        refused = (self._durable.engine.MessageObservedException, self._durable.core.error)
        sid = "t" + safe_name(str(thread))
        pairs: list[tuple[int, int]] = []
        self._pairs = pairs
        self._failure = None
        nets = self._nets
        try:
            for index, fact in enumerate(facts):
                message = self._message(fact, index, sid, thread)
                fact_type = fact.get("type")
                for number in self._routes.get(fact_type, (0,)) if isinstance(fact_type, str) else (0,):
                    net = nets[number]
                    message["id"] = str(next(_SERIAL))
                    net.live = True
                    net.size += 1
                    try:
                        state = net.ruleset.assert_fact(message)
                    except not_handled:
                        state = None  # no rule's network reached: the fact satisfies none here
                    except refused as exc:
                        raise BackendError(f"thread {thread!r}, fact #{index}: durable_rules refused it: {_text(exc)}") from exc
                    if state is not None:
                        self._run_actions(net, state, thread, index)
                    if net.size == _FACTS_PER_SESSION:
                        self._end_session(net, sid, thread)  # the facts so far are judged: drop them
        except BaseException:
            for net in nets:
                with contextlib.suppress(Exception):  # the first error is the one to report
                    self._end_session(net, sid, thread)
            raise
        for net in nets:
            self._end_session(net, sid, thread)
        fired: list[set[int]] = [set() for _ in facts]
        for fact_index, rule_index in pairs:
            fired[fact_index].add(rule_index)
        rule_ids = self._rule_ids
        return [[rule_ids[i] for i in sorted(indexes)] for indexes in fired]

    def _message(self, fact: dict[str, Any], index: int, sid: str, thread: str) -> dict[str, Any]:
        message: dict[str, Any] = {"id": "", "sid": sid, "i": index}
        fact_type = fact.get("type")
        plan = self._plans.get(fact_type) if isinstance(fact_type, str) else None
        if plan is None:
            if isinstance(fact_type, str):
                message["s_type"] = string_key(fact_type)  # no rule of this type: durable says so
            return message
        for key, present, string, number, boolean in plan:
            value = fact.get(key)
            if value is None:
                continue
            if present:
                message[present] = 1
            kind = value_kind(value)
            if kind is STRING:
                if string:
                    message[string] = string_key(value)
            elif kind is NUMBER:
                if number:
                    try:
                        message[number] = number_key(value)
                    except ValueError as exc:
                        raise BackendError(f"thread {thread!r}, fact #{index}, key {key!r}: {exc}") from exc
            elif kind is BOOLEAN and boolean:
                message[boolean] = value
        return message

    def _record(self, rule_index: int, c: Any) -> None:
        """Called by the action of rule ``rule_index``: the fact it fired for is ``c.m``."""
        self._pairs.append((c.m.i, rule_index))

    def _run_actions(self, net: _Net, state: int, thread: str, index: int) -> None:
        """Run the actions a message queued in its session, now; raise what they raised."""
        completion: list[Any] = []
        net.ruleset.do_actions(state, lambda error, _state: completion.append(error))
        if self._failure is not None:
            rule_index, exc = self._failure
            raise BackendError(
                f"thread {thread!r}, fact #{index}: the durable_rules action of rule "
                f"{self._rule_ids[rule_index]!r} raised {type(exc).__name__}: {exc}"
            ) from exc
        error = completion[0] if completion else None
        if error is not None:
            cause = error if isinstance(error, BaseException) else None
            raise BackendError(f"thread {thread!r}, fact #{index}: durable_rules failed running actions: {error}") from cause

    def _end_session(self, net: _Net, sid: str, thread: str) -> None:
        """Delete the session's state in durable, if there is one.

        durable 2.0.28 leaves a new session's action context uninitialized until an action runs
        in it, and deleting the session frees that context: garbage, a crash (measured: a
        session whose facts fired nothing segfaults, depending on the heap). So a session in
        which nothing fired first gets the opener message: starting its action sets the context.
        Should durable refuse even the opener, the session is left alive rather than risk that.
        """
        if not net.live:
            return
        error = None
        if not net.acted:
            state = net.ruleset.assert_fact({"id": str(next(_SERIAL)), "sid": sid, "s_type": _OPENER})
            completion: list[Any] = []
            net.ruleset.do_actions(state, lambda failure, _state: completion.append(failure))
            error = completion[0] if completion else None
        net.ruleset.delete_state(sid)
        net.live = net.acted = False
        net.size = 0
        if error is not None:
            cause = error if isinstance(error, BaseException) else None
            raise BackendError(f"thread {thread!r}: durable_rules failed running actions: {error}") from cause

    def close(self) -> None:
        """Delete the native rulesets; ``match`` raises :class:`BackendError` afterwards.

        There are no threads to stop: this backend never creates a durable ``Host``.
        """
        with _LOCK:
            self._closed = True
            self._nets = []
            self._finalizer()


def _action(matcher: weakref.ref[DurableMatcher], net: int, rule_index: int | None) -> Callable[[Any], None]:
    """The durable action of one rule (``None``: the opener): report the firing, or its error.

    durable would swallow an exception here into the session state; it is kept for ``match`` to
    raise, then re-raised so durable's own bookkeeping stays as designed. One parameter exactly:
    durable treats an action with two as asynchronous.
    """

    def action(c: Any) -> None:
        owner = matcher()
        if owner is None or owner._closed:
            return
        owner._nets[net].acted = True
        if rule_index is None:
            return
        try:
            owner._record(rule_index, c)
        except BaseException as exc:
            if owner._failure is None:
                owner._failure = (rule_index, exc)
            raise

    return action


def _delete_rulesets(core: Any, handles: list[int]) -> None:
    with _LOCK:
        for handle in handles:
            core.delete_ruleset(handle)


def _text(exc: BaseException) -> str:
    return getattr(exc, "message", None) or str(exc)
