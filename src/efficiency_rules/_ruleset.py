"""Loading and checking ruleset files.

A ruleset is checked whole when it loads: its structure (``_ruleset_schema``), then every name it
uses (event types, fields, references, verdict templates), its conditions (``_conditions``), and
its ranges. Every problem is collected — not just the first — and reported as
``path:line:col: rule 'id': message``. Rulesets loaded together are also checked against each
other: versions of one ruleset must have effective dates that neither overlap nor leave a gap.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from itertools import pairwise
from pathlib import Path
from typing import Any, get_args, get_origin
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ValidationError

from ._business_hours import BusinessHours
from ._calendar import Calendar
from ._calendar_data import load_year_file
from ._clocks import MATERIALS_COMPLETE, amount_in_measure, working_measure
from ._conditions import (
    PROSE_OPERATORS,
    ConditionContext,
    count_key,
    parse_condition,
    unsatisfiable,
)
from ._duration import Duration, TimeUnit
from ._errors import (
    CalendarError,
    RulesetError,
    RulesetIssue,
    RulesetNotFoundError,
    SourceError,
    SourceLocation,
    YearFileError,
    echo,
)
from ._event_fields import FieldKind, build_event_model, field_kinds, thread_field
from ._events import CORE_EVENT_TYPES, Event
from ._match import Condition
from ._registry import type_name
from ._ruleset_schema import ChargeSpec, ExpectSpec, FieldSpec, LocalizedText, RulesetSpec, RuleSpec, VerdictSpec
from ._shipped import find_shipped, resolve_ruleset_argument
from ._suggest import did_you_mean
from ._text_safety import unsafe_text
from ._yaml import YamlMap, load_yaml, location_of

__all__ = ["CompiledRule", "Ruleset", "check_paths", "load_ruleset", "load_rulesets", "ruleset_files"]

CORE_TYPES: dict[str, type[Event]] = {type_name(cls): cls for cls in CORE_EVENT_TYPES}
SCENARIO_SUFFIX = ".test.yaml"
POINTS_RANGE = (-100, 100)
# The longest limit a ruleset may state, per unit: beyond these a limit is a typo, not a policy.
LIMIT_MAXIMUM = {
    TimeUnit.WORKING_DAYS: 750,
    TimeUnit.NATURAL_DAYS: 1100,
    TimeUnit.MONTHS: 36,
    TimeUnit.HOURS: 26_400,
    TimeUnit.WORKING_HOURS: 5_250,
    TimeUnit.MINUTES: 1_584_000,
}
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
MESSAGE_FIELDS = (
    "rule", "thread", "event_type", "event_id", "actor", "unit", "at", "deadline", "within", "count",
    "limit", "matter", "overdue_by", "reason", "approver", "new_items", "card", "total",
)
#: What the message of a verdict an accountability aggregate gives may name besides (docs/accountability.md).
AGGREGATE_FIELDS = ("figure", "bound", "sample", "during")
# Fields every event has, which are not placeholders of their own (``{event_id}``, ``{at}``… say them).
_COMMON_FIELDS = frozenset(("id", "type", "at", "meta"))


def message_fields(verdict: VerdictSpec) -> tuple[str, ...]:
    """The placeholders of a verdict's message that name event fields (not among ``MESSAGE_FIELDS``)."""
    message = verdict.message
    return _fields_named(message) if isinstance(message, str) else _fields_named(message.zh, message.en or "")


@functools.lru_cache(maxsize=4096)
def _fields_named(*texts: str) -> tuple[str, ...]:
    names = {name for text in texts for name in _PLACEHOLDER.findall(text)}
    return tuple(sorted(name for name in names if name not in MESSAGE_FIELDS))


@dataclass(frozen=True)
class CompiledRule:
    """A rule ready for the engine: its trigger, condition in the neutral form, and its verdict template."""

    id: str
    title: LocalizedText
    verdict: VerdictSpec
    verdict_id: str
    trigger: str  # the event type that triggers it (for an expectation: the type that starts it)
    condition: Condition  # over the trigger's fact
    expect: ExpectSpec | None = None  # set for "this must follow within" rules
    satisfied_by: frozenset[str] = frozenset()
    excused_by: frozenset[str] = frozenset()
    news: tuple[tuple[str, str, str | None], ...] = ()  # (fact key, list field, excepted field) of its 'new' operands
    ofs: tuple[tuple[str, str, str], ...] = ()  # (fact key, event type, field) of its 'of' operands

    @property
    def message_fields(self) -> tuple[str, ...]:
        """The event fields its verdict's message names: the trigger's (for an expectation: the starting event's)."""
        return message_fields(self.verdict)


@dataclass(frozen=True)
class Ruleset:
    """A checked ruleset file: its spec, where it came from, the event types it declares, its compiled rules."""

    spec: RulesetSpec
    path: str
    event_types: Mapping[str, type[Event]]
    rules: tuple[CompiledRule, ...]
    counted_types: frozenset[str] = field(default_factory=frozenset)
    counter_conditions: Mapping[str, Condition] = field(default_factory=dict)  # accountability counters' 'where'

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def version(self) -> str:
        return self.spec.version

    def in_force(self, day: dt.date) -> bool:
        """Whether this version is in force on ``day``."""
        effective = self.spec.effective
        return effective.from_ <= day and (effective.to is None or day <= effective.to)

    def reference(self, clause: str) -> dict[str, str | None]:
        """The citation and text of a clause this ruleset enforces."""
        ref = self.spec.references[clause]
        return {"id": clause, "citation": ref.citation, "text": ref.text}

    def __repr__(self) -> str:
        return f"<Ruleset {self.id} {self.version} ({len(self.rules)} rules) from {self.path}>"


def _localized(text: Any, fallback: str) -> LocalizedText:
    if isinstance(text, LocalizedText):
        return text
    if isinstance(text, str) and text.strip():
        return LocalizedText(zh=text, en=None)
    return LocalizedText(zh=fallback, en=fallback)  # no title, or an empty one: the id stands for it


class _Checker:
    """Collects the issues of one file; positions come from the YAML tree read alongside the spec."""

    def __init__(self, path: str, raw: Any) -> None:
        self.path = path
        self.raw = raw
        self.issues: list[RulesetIssue] = []
        self.skipped: set[tuple[str, Any]] = set()  # parts already reported as malformed
        self.current_limit: str = ""  # the time limit being checked

    def add(self, where: SourceLocation, message: str, *, rule: str | None = None, context: str | None = None) -> None:
        self.issues.append(RulesetIssue(where, message, rule=rule, context=context))

    def at(self, *keys: Any, value: bool = True) -> SourceLocation:
        """The position of ``raw[k1][k2]…`` (the deepest part that exists)."""
        node, parent, last = self.raw, None, None
        for key in keys:
            if isinstance(node, dict) and key in node or isinstance(node, list) and isinstance(key, int) and key < len(node):
                parent, last, node = node, key, node[key]
            else:
                break
        if parent is None:
            return location_of(self.raw, path=self.path)
        return location_of(parent, last, path=self.path, value=value)

    def node(self, *keys: Any) -> Any:
        node = self.raw
        for key in keys:
            try:
                node = node[key]
            except (KeyError, IndexError, TypeError):
                return None
        return node


def load_ruleset(path: str | Path) -> Ruleset:
    """Read and check one ruleset file, or the shipped ruleset of an id (``cn.xzxk``, ``cn.xzxk@2019``).

    :class:`RulesetError` lists every problem with its line. A text argument that is both a path and
    a shipped id is refused as ambiguous; a :class:`~pathlib.Path` is always a path.
    """
    files = resolve_ruleset_argument(path)
    if len(files) > 1:
        refs = [r.ref for r in find_shipped(str(path))]
        raise RulesetError([RulesetIssue(
            SourceLocation(str(path)), f"{len(refs)} versions of this ruleset are shipped: name one ({', '.join(refs)}), "
            "or load them all with load_rulesets"
        )])
    ruleset, issues = _load(files[0])
    if issues or ruleset is None:
        raise RulesetError(issues)
    return ruleset


def load_rulesets(paths: Iterable[str | Path]) -> list[Ruleset]:
    """Read and check ruleset files and directories (``*.yaml`` in them, scenario files excepted).

    An entry may also be the id of a shipped ruleset (``cn.xzxk``: every shipped version of it) or
    one version (``cn.xzxk@2019``), as :func:`load_ruleset` takes it.

    Besides each file's own problems, versions of the same ruleset are checked against each
    other. Raises :class:`RulesetError` with every problem of every file.
    """
    rulesets: list[Ruleset] = []
    issues: list[RulesetIssue] = []
    entries = list(paths)
    files = list(ruleset_files(entries, problems=issues))
    if not files and not issues:
        raise RulesetError([RulesetIssue(SourceLocation(", ".join(map(str, entries)) or "."), "no ruleset files found")])
    for file in files:
        ruleset, found = _load(file)
        issues.extend(found)
        if ruleset is not None and not found:
            rulesets.append(ruleset)
    issues.extend(_check_versions(rulesets))
    if issues:
        raise RulesetError(issues)
    return rulesets


def check_paths(paths: Iterable[str | Path]) -> tuple[list[Ruleset], list[RulesetIssue]]:
    """Like :func:`load_rulesets`, but returns the problems instead of raising (for ``efficiency-rules check``).

    It also checks what only rulesets used together can show: the rules a verdict filter names
    must be rules some ruleset checked with it gives verdicts by.
    """
    try:
        rulesets = load_rulesets(paths)
    except RulesetError as error:
        return [], error.issues
    issues = _check_filter_rules(rulesets)
    return ([], issues) if issues else (rulesets, [])


def ruleset_files(paths: Iterable[str | Path], *, problems: list[RulesetIssue] | None = None) -> Iterator[Path]:
    """The ruleset files named, found (recursively, sorted) in directories, or shipped under an id;
    scenario files in directories are skipped.

    An argument that names nothing (no file, no shipped id) or both is a
    :class:`RulesetNotFoundError`, raised once every argument has been looked at; a directory that
    cannot be read is a problem, never skipped in silence: added to ``problems`` when given, else
    raised as :class:`RulesetError`.
    """
    unknown: list[RulesetIssue] = []
    for entry in paths:
        try:
            resolved = list(resolve_ruleset_argument(entry))
        except RulesetNotFoundError as error:
            unknown.extend(error.issues)
            continue
        yield from _files_of(resolved, problems)
    if unknown:  # every argument that names nothing, at once: an error of use, whatever the files say
        raise RulesetNotFoundError(unknown)


def _files_of(resolved: list[Path], problems: list[RulesetIssue] | None) -> Iterator[Path]:
    for path in resolved:
        if path.is_dir():
            found: list[Path] = []
            refused: list[OSError] = []
            for folder, _, names in os.walk(path, onerror=refused.append):
                found += [Path(folder, name) for name in names if name.endswith((".yaml", ".yml"))
                          and not name.endswith((SCENARIO_SUFFIX, ".test.yml"))]
            unreadable = [RulesetIssue(SourceLocation(str(error.filename or path)), f"cannot read directory: {error.strerror or error}")
                          for error in refused]
            if unreadable:
                if problems is None:
                    raise RulesetError(unreadable)
                problems.extend(unreadable)
            yield from sorted(found)
        else:
            yield path


def _load(path: Path) -> tuple[Ruleset | None, list[RulesetIssue]]:
    name = str(path)
    try:
        raw = load_yaml(path)
    except SourceError as error:
        return None, [RulesetIssue(error.location or SourceLocation(name), error.message)]
    checker = _Checker(name, raw)
    if not isinstance(raw, YamlMap):
        line, column = getattr(raw, "position", (1, 1))  # where the list starts, past any comment
        checker.add(SourceLocation(name, line, column), "a ruleset file is a mapping with id, title, version, effective, rules…")
        return None, checker.issues
    for position, message in unsafe_text(raw):
        checker.add(SourceLocation(name, *position) if position else SourceLocation(name), message)
    try:
        spec = RulesetSpec.model_validate(raw)
    except ValidationError as exc:
        _structural_issues(checker, exc)
        # Check the rest too: every problem in the file is reported, not just the first.
        partial, skipped = _without_invalid_parts(raw, exc)
        try:
            spec = RulesetSpec.model_validate(partial)
        except ValidationError:
            return None, _in_file_order(checker.issues)
        checker.skipped = skipped
        _check(spec, checker)
        return None, _in_file_order(checker.issues)
    ruleset = _check(spec, checker)
    return (None if checker.issues else ruleset), _in_file_order(checker.issues)


def _in_file_order(issues: list[RulesetIssue]) -> list[RulesetIssue]:
    return sorted(issues, key=lambda i: (i.location.line or 0, i.location.column or 0))


_SECTIONS = ("references", "event_types", "time_limits", "verdicts")
_PLACEHOLDERS: dict[str, Any] = {"id": "invalid", "title": "invalid", "version": "invalid", "effective": {"from": "2000-01-01"}}


def _without_invalid_parts(raw: YamlMap, exc: ValidationError) -> tuple[dict[str, Any], set[tuple[str, Any]]]:
    """``raw`` less the rules and section entries that failed validation (and placeholders for bad headers)."""
    partial: dict[str, Any] = dict(raw)
    skipped: set[tuple[str, Any]] = set()
    bad_rules: set[int] = set()
    for error in exc.errors():
        loc = error["loc"]
        if not loc:
            continue
        head = loc[0]
        if head == "rules" and len(loc) > 1 and isinstance(loc[1], int):
            bad_rules.add(loc[1])
        elif head in _SECTIONS and len(loc) > 1 and isinstance(partial.get(head), dict):
            partial[head] = {k: v for k, v in partial[head].items() if k != loc[1]}
            skipped.add((head, loc[1]))
        elif head in _PLACEHOLDERS:
            partial[head] = _PLACEHOLDERS[head]
        elif isinstance(head, str):  # a ruleset's top-level location is a key
            partial.pop(head, None)
    if bad_rules and isinstance(raw.get("rules"), list):
        partial["rules"] = [rule for i, rule in enumerate(raw["rules"]) if i not in bad_rules]
        skipped |= {("rules", i) for i in bad_rules}
        skipped.add(("rule-indexes", tuple(i for i in range(len(raw["rules"])) if i not in bad_rules)))
    return partial, skipped


def _rule_of(checker: _Checker, loc: tuple[Any, ...]) -> str | None:
    if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
        rule = checker.node("rules", loc[1])
        rule_id = rule.get("id") if isinstance(rule, dict) else None
        if isinstance(rule_id, str):
            return rule_id
        return f"#{loc[1] + 1}"
    return None


def _context_of(loc: tuple[Any, ...]) -> str | None:
    singular = {"verdicts": "verdict", "references": "reference", "event_types": "event type", "time_limits": "time limit"}
    if len(loc) >= 2 and loc[0] in singular:
        return f"{singular[loc[0]]} {loc[1]!r}"
    return None


_TAGS = {"short", "full", "int", "float", "str", "bool", "LocalizedText", "function-after", "list[...]"}


def _data_loc(raw: Any, loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Pydantic's error location as keys into the YAML data, without the tags of union members.

    The data decides what is a key: a verdict or time limit may well be called 'short' or 'full'.
    """
    node, keys = raw, []
    for part in loc:
        if isinstance(node, dict) and part in node or isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            keys.append(part)
            node = node[part]
        elif isinstance(part, str) and (part in _TAGS or "[" in part or part[:1].isupper()):
            continue  # a union member's tag or model name (RollingWindow): not a key of the file
        else:  # a missing key, or below a value of the wrong kind
            keys.append(part)
            node = None
    return tuple(keys)


# What a value of the wrong kind should have been, per pydantic error type: a value that fits no
# member of a union (text or {zh, en}; an event type or a list of them) gets one message naming all.
_EXPECTED_KIND = {
    "string_type": "text",
    "model_type": "a mapping",
    "dict_type": "a mapping",
    "list_type": "a list",
    "int_type": "a number",
    "float_type": "a number",
    "bool_type": "true or false",
}


def _explained_by_other_branch(error: Mapping[str, Any], errors: list[Any]) -> bool:
    """The text branch of a union failing on a mapping or list the other branch took: that branch says what is wrong."""
    loc = error["loc"]
    if error["type"] != "string_type" or not loc or loc[-1] != "str" or not isinstance(error.get("input"), (dict, list)):
        return False
    prefix = loc[:-1]
    return any(
        len(other["loc"]) > len(prefix) + 1 and other["loc"][: len(prefix)] == prefix and other["loc"][len(prefix)] != "str"
        for other in errors
    )


def _structural_issues(checker: _Checker, exc: ValidationError) -> None:
    every = exc.errors()
    errors = [error for error in every if not _explained_by_other_branch(error, every)]
    expected: dict[tuple[Any, ...], list[str]] = {}
    for error in errors:
        if error["type"] in _EXPECTED_KIND:
            kinds = expected.setdefault(_data_loc(checker.raw, error["loc"]), [])
            if _EXPECTED_KIND[error["type"]] not in kinds:
                kinds.append(_EXPECTED_KIND[error["type"]])
    # a value that is neither one of the words allowed nor of another kind allowed: one message says both
    literal = {_data_loc(checker.raw, error["loc"]) for error in errors if error["type"] == "literal_error"}
    seen: set[tuple[Any, ...]] = set()
    for error in errors:
        loc = _data_loc(checker.raw, error["loc"])
        kind = error["type"]
        if kind in _EXPECTED_KIND and (loc in seen or loc in literal):
            continue
        seen.add(loc)
        rule, context = _rule_of(checker, loc), _context_of(loc)
        field_name = str(loc[-1]) if loc else "file"
        if kind == "extra_forbidden":
            where = checker.at(*loc, value=False)
            message = f"unknown key {echo(field_name)}" + _suggest_key(loc)
        elif kind == "missing":
            where = checker.at(*loc[:-1])
            message = f"missing key {field_name!r}"
        else:
            where = checker.at(*loc)
            # A list item is named by its list and its place, counted from 1 as an author counts.
            label = f"{loc[-2]!r} item {loc[-1] + 1}" if len(loc) >= 2 and isinstance(loc[-1], int) else repr(field_name)
            if kind in _EXPECTED_KIND:
                message = f"{label}: expected {' or '.join(expected[loc])}, got {echo(error.get('input'))}"
            else:
                message = f"{label}: {_pydantic_message(error, expected.get(loc) if kind == 'literal_error' else None)}"
        checker.add(where, message, rule=rule, context=None if rule else context)


def _pydantic_message(error: Mapping[str, Any], other_kinds: list[str] | None = None) -> str:
    message = str(error["msg"])
    ctx = error.get("ctx") or {}
    if error["type"] == "literal_error" and "expected" in ctx:
        options = re.findall(r"'([^']*)'", str(ctx["expected"]))
        value = error.get("input")
        also = f", or {' or '.join(other_kinds)}" if other_kinds else ""
        return f"expected {ctx['expected']}{also}, got {echo(value)}" + (did_you_mean(value, options) if isinstance(value, str) else "")
    if error["type"] == "string_pattern_mismatch":
        return f"{error.get('input')!r} is not a valid id (lower-case letters, digits, '.', '_' and '-', starting with a letter or digit)"
    if error["type"] == "value_error":
        return message.removeprefix("Value error, ")
    if error["type"].startswith("date_"):
        return f"expected a date written YYYY-MM-DD, got {error.get('input')!r}"
    if error["type"] == "too_short" and "min_length" in ctx:
        least = ctx["min_length"]
        return f"needs at least {least} item{'s' if least != 1 else ''}, got {error.get('input')!r}"
    return f"{message[0].lower()}{message[1:]}, got {error.get('input')!r}"


def _suggest_key(loc: tuple[Any, ...]) -> str:
    model: Any = RulesetSpec
    keyed = False  # the next part is a name the author chose (a verdict id…), even one like 'message'
    for part in loc[:-1]:
        fields = getattr(model, "model_fields", None)
        if keyed or fields is None:
            keyed = False
            continue
        chosen = None
        for name, info in fields.items():
            if (info.alias or name) == part:
                chosen = info.annotation
        if chosen is None:
            continue
        keyed = get_origin(chosen) is dict
        model = _model_in(chosen)
    fields = getattr(model, "model_fields", None)
    if not fields:
        return ""
    names = [info.alias or name for name, info in fields.items()]
    return f"; expected one of {', '.join(names)}" + did_you_mean(str(loc[-1]), names)


def _model_in(annotation: Any) -> Any:
    if hasattr(annotation, "model_fields"):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


# -- the semantic checks --------------------------------------------------------------------------


def _check(spec: RulesetSpec, checker: _Checker) -> Ruleset | None:
    effective = spec.effective
    if effective.to is not None and effective.to < effective.from_:
        checker.add(checker.at("effective", "to"), f"'to' ({effective.to}) is before 'from' ({effective.from_})")
    try:
        ZoneInfo(spec.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        checker.add(checker.at("timezone"), f"unknown timezone {spec.timezone!r}; e.g. 'Asia/Shanghai'")

    _check_year_files(spec, checker)
    _check_service_calendars(spec, checker)
    declared = _declared_types(spec, checker)
    known: dict[str, type[Event]] = {**CORE_TYPES, **declared}
    kinds = {name: field_kinds(cls) for name, cls in known.items()}

    event_fields = sorted({name for fields in kinds.values() for name in fields} - _COMMON_FIELDS - set(MESSAGE_FIELDS))
    for verdict_id, verdict in spec.verdicts.items():
        _check_verdict(verdict_id, verdict, spec, checker, event_fields)
    for kind, verdict_id in sorted(checker.skipped, key=str):
        if kind == "verdicts":
            _check_cites_of_malformed_verdict(verdict_id, spec, checker)
    for name, limit in spec.time_limits.items():
        _check_time_limit(name, limit, known, checker, spec)

    rules: list[CompiledRule] = []
    seen_ids: dict[str, int] = {}
    counted: set[str] = set()
    kept = next((indexes for kind, indexes in checker.skipped if kind == "rule-indexes"), None)
    for position, rule in enumerate(spec.rules):
        index = kept[position] if kept is not None else position  # the rule's place in the file
        if rule.id in seen_ids:
            checker.add(checker.at("rules", index, "id"), f"rule id used twice (first as rule #{seen_ids[rule.id] + 1})", rule=rule.id)
            continue
        seen_ids[rule.id] = index
        compiled = _check_rule(index, rule, spec, known, kinds, checker, counted)
        if compiled is not None:
            rules.append(compiled)
    conditions = _check_accountability(spec, known, kinds, checker, {rule.id for rule in rules})
    if checker.issues:
        return None
    return Ruleset(spec=spec, path=checker.path, event_types=declared, rules=tuple(rules), counted_types=frozenset(counted),
                   counter_conditions=conditions)


_THRESHOLD_OPS = (">=", ">", "==", "≥")


def _check_accountability(
    spec: RulesetSpec, known: Mapping[str, Any], kinds: Mapping[str, Mapping[str, FieldKind]], checker: _Checker, rule_ids: set[str]
) -> dict[str, Condition]:
    """Check the accountability section; the counters' conditions in the neutral form."""
    section = spec.accountability
    conditions: dict[str, Condition] = {}
    if section is None:
        return conditions

    def at(*keys: Any) -> SourceLocation:
        return checker.at("accountability", *keys)

    def verdict_known(name: str, *keys: Any, context: str) -> None:
        if name not in spec.verdicts and ("verdicts", name) not in checker.skipped:
            checker.add(at(*keys), f"unknown verdict {echo(name)}" + did_you_mean(name, spec.verdicts)
                        + ("" if spec.verdicts else "; declare it under 'verdicts'"), context=context)

    def counter_known(name: str, *keys: Any, context: str) -> bool:
        if name in section.counters:
            return True
        checker.add(at(*keys), f"unknown counter {name!r}" + did_you_mean(name, section.counters)
                    + ("" if section.counters else "; declare it under accountability.counters"), context=context)
        return False

    def operator_known(op: str, *keys: Any, context: str) -> None:
        if op not in _THRESHOLD_OPS:
            hint = f" (write {PROSE_OPERATORS[op.lower()][0]!r})" if op.lower() in PROSE_OPERATORS else ""
            checker.add(at(*keys), f"a threshold is compared with >= (以上) or > (超过), or ==; got {op!r}{hint}", context=context)

    entries = {e.id for group in (section.rules, section.ladders, section.rankings, section.rates, section.minimums,
                                               section.aggregates) for e in group}
    for name, counter in section.counters.items():
        context = f"counter {name!r}"
        if (counter.event is None) == (counter.verdicts is None):
            checker.add(at("counters", name), "a counter counts exactly one of 'event' (a type) or 'verdicts' (a filter)", context=context)
            continue
        if counter.event is not None:
            if not _check_type(counter.event, known, at("counters", name, "event"), checker, context=context):
                continue
            fields = kinds[counter.event]
            if counter.subject_field is not None and counter.subject_field not in fields:
                checker.add(at("counters", name, "subject_field"), f"{counter.event} has no field {counter.subject_field!r}"
                            + did_you_mean(counter.subject_field, fields), context=context)
            if counter.where is not None:
                ctx = ConditionContext(path=checker.path, trigger=counter.event, fields=fields, known_types=known,
                                       report=partial(checker.add, context=context),
                                       kinds_of=kinds)
                conditions[name] = parse_condition(checker.node("accountability", "counters", name, "where"), ctx,
                                                   checker.node("accountability", "counters", name), "where")
        elif counter.where is not None:
            checker.add(at("counters", name, "where"), "'where' goes with 'event'; filter verdicts with ruleset, rules, kind, card",
                        context=context)
        if counter.sum is not None:
            if counter.event is not None and counter.event in kinds:
                kind = kinds[counter.event].get(counter.sum)
                if kind is None or kind.kind not in ("integer", "number"):
                    checker.add(at("counters", name, "sum"), f"'sum' adds up a number field of {counter.event}, got {counter.sum!r}",
                                context=context)
            elif counter.verdicts is not None and counter.sum not in ("points", "deductions"):
                checker.add(at("counters", name, "sum"), f"a counter of verdicts sums 'points' or 'deductions', got {counter.sum!r}",
                            context=context)
        if counter.after is not None:
            _check_type(counter.after.event, known, at("counters", name, "after", "event"), checker, context=context)
            if counter.window is not None:
                checker.add(at("counters", name, "window"), "a counter has a 'window' or an 'after', not both", context=context)
    for i, rule in enumerate(section.rules):
        context = f"accountability rule {rule.id!r}"
        counter_known(rule.when.counter, "rules", i, "when", "counter", context=context)
        operator_known(rule.when.op, "rules", i, "when", "op", context=context)
        if rule.when.consecutive > 1 and rule.when.counter in section.counters and (
                rule.when.repeat or not isinstance(section.counters[rule.when.counter].window, str)):
            checker.add(at("rules", i, "when", "consecutive"), "'consecutive' counts calendar periods running: its counter needs "
                        "a calendar window (week … year), and it does not go with 'repeat'", context=context)
        if rule.when.repeat and (rule.when.op not in (">=", "≥") or rule.when.value < 1):
            checker.add(at("rules", i, "when", "repeat"), "'repeat' gives the verdict at every multiple of the value: it goes "
                        "with op '>=' and a value of at least 1", context=context)
        verdict_known(rule.verdict, "rules", i, "verdict", context=context)
    for i, ladder in enumerate(section.ladders):
        context = f"ladder {ladder.id!r}"
        counter_known(ladder.counter, "ladders", i, "counter", context=context)
        for j, step in enumerate(ladder.steps):
            verdict_known(step, "ladders", i, "steps", j, context=context)
    for i, ranking in enumerate(section.rankings):
        context = f"ranking rule {ranking.id!r}"
        verdict_known(ranking.verdict, "rankings", i, "verdict", context=context)
        if not isinstance(ranking.position, str) and (ranking.position.top is None) == (ranking.position.bottom is None):
            checker.add(at("rankings", i, "position"), "a position is first, last, {top: N} or {bottom: N}", context=context)
    for i, rate in enumerate(section.rates):
        context = f"rate {rate.id!r}"
        both = [counter_known(rate.numerator, "rates", i, "numerator", context=context),
                counter_known(rate.denominator, "rates", i, "denominator", context=context)]
        if all(both):
            num, den = section.counters[rate.numerator], section.counters[rate.denominator]
            if not isinstance(den.window, str) or num.window != den.window or num.per != den.per:
                checker.add(at("rates", i), "a rate's counters count per the same subject in the same calendar window "
                            "(month, bimonth, quarter, half_year or year)", context=context)
        operator_known(rate.op, "rates", i, "op", context=context)
        verdict_known(rate.verdict, "rates", i, "verdict", context=context)
    for i, minimum in enumerate(section.minimums):
        context = f"minimum {minimum.id!r}"
        if counter_known(minimum.counter, "minimums", i, "counter", context=context) \
                and not isinstance(section.counters[minimum.counter].window, str):
            checker.add(at("minimums", i, "counter"), "a periodic duty counts in a calendar window (week, month, bimonth, "
                        "quarter, half_year or year)", context=context)
        verdict_known(minimum.verdict, "minimums", i, "verdict", context=context)
        if minimum.subjects is not None and _check_type(minimum.subjects.event, known, at("minimums", i, "subjects", "event"),
                                                        checker, context=context):
            fields = kinds[minimum.subjects.event]
            if minimum.subjects.field not in fields:
                checker.add(at("minimums", i, "subjects", "field"), f"{minimum.subjects.event} has no field "
                            f"{minimum.subjects.field!r}" + did_you_mean(minimum.subjects.field, fields), context=context)
            if minimum.subjects.where is not None:
                ctx = ConditionContext(path=checker.path, trigger=minimum.subjects.event, fields=fields, known_types=known,
                                       report=partial(checker.add, context=context),
                                       kinds_of=kinds)
                conditions[f"minimum:{minimum.id}"] = parse_condition(
                    checker.node("accountability", "minimums", i, "subjects", "where"), ctx,
                    checker.node("accountability", "minimums", i, "subjects"), "where")
    for i, aggregate in enumerate(section.aggregates):
        conditions.update(_check_aggregate(i, aggregate, spec, known, kinds, checker, verdict_known))
    produced = rule_ids | entries | clock_rule_ids(spec)
    for keys, verdicts, context in verdict_filters(spec):
        # rules of another ruleset, or of any, are checked by `check` against the rulesets checked with it; a
        # rule named after one of this ruleset's time limits is one of its clocks' wherever it is looked for
        for i, rule in enumerate(verdicts.rules or ()):
            own = verdicts.ruleset == spec.id or verdicts.ruleset is None and rule.split(".")[0] in spec.time_limits
            if own and rule not in produced:
                checker.add(at(*keys, "rules", i), f"no rule {rule!r} in this ruleset gives verdicts"
                            + did_you_mean(rule, sorted(produced)), context=context)
    ids: dict[str, int] = {}
    for group in ("rules", "ladders", "rankings", "rates", "minimums", "aggregates"):
        for i, entry in enumerate(getattr(section, group)):
            if entry.id in ids or entry.id in rule_ids:
                checker.add(at(group, i, "id"), f"id {entry.id!r} is used twice in this ruleset", context="accountability")
            ids[entry.id] = i
    if section.scores is not None:
        bands = section.scores.bands
        minimums = [band.min for band in bands if band.min is not None]
        if minimums != sorted(minimums, reverse=True) or any(band.min is None for band in bands[:-1]):
            checker.add(at("scores", "bands"), "bands go from the highest minimum down; only the last may have no minimum",
                        context="scores")
    return conditions


_AGGREGATE_OPS = ("<", "<=", ">", ">=", "≤", "≥")


def _check_aggregate(i: int, aggregate: Any, spec: RulesetSpec, known: Mapping[str, Any],
                     kinds: Mapping[str, Mapping[str, FieldKind]], checker: _Checker,
                     verdict_known: Callable[..., None]) -> dict[str, Condition]:
    """Check one aggregate entry; the conditions of its events (``aggregate:ID``, ``aggregate-satisfying:ID``)."""
    context = f"aggregate {aggregate.id!r}"
    conditions: dict[str, Condition] = {}

    def at(*keys: Any) -> SourceLocation:
        return checker.at("accountability", "aggregates", i, *keys)

    verdict_known(aggregate.verdict, "aggregates", i, "verdict", context=context)
    if aggregate.op not in _AGGREGATE_OPS:
        hint = f" (write {PROSE_OPERATORS[aggregate.op.lower()][0]!r})" if aggregate.op.lower() in PROSE_OPERATORS else ""
        checker.add(at("op"), f"a bound is compared with <, <=, > or >= (低于 is '<', 以上 is '>='); got {aggregate.op!r}{hint}",
                    context=context)
    shares = aggregate.statistic in ("on_time", "share")
    if shares != isinstance(aggregate.value, str):
        checker.add(at("value"), ("a share's bound is a percentage such as '90%'" if shares else
                                  f"a {aggregate.statistic}'s bound is a number of days in the clock's measure, such as 20"),
                    context=context)
    if (aggregate.p is None) == (aggregate.statistic == "percentile"):
        checker.add(at("p" if aggregate.p is not None else "statistic"),
                    "'p' (such as 90) goes with statistic 'percentile', and only with it", context=context)
    if (aggregate.cases is None) == (aggregate.events is None):
        checker.add(at(), "an aggregate reads exactly one of 'cases' (case clocks of a time limit) or 'events' (threads)",
                    context=context)
        return conditions
    if aggregate.cases is not None:
        cases = aggregate.cases
        if aggregate.statistic == "share" or aggregate.satisfying is not None:
            checker.add(at("statistic"), "'share' and 'satisfying' read threads' events ('events'); for case clocks use "
                        "mean, median, percentile or on_time", context=context)
        if aggregate.subject_field is not None:
            checker.add(at("subject_field"), "'subject_field' goes with 'events'; a case clock's subject is the unit or "
                        "member of staff of its start, or its matter", context=context)
        if cases.ruleset in (None, spec.id) and cases.time_limit not in spec.time_limits:
            checker.add(at("cases", "time_limit"), f"no time limit {cases.time_limit!r} in this ruleset"
                        + did_you_mean(cases.time_limit, spec.time_limits), context=context)
        return conditions
    events = aggregate.events
    assert events is not None
    if aggregate.statistic != "share":
        checker.add(at("statistic"), f"threads' events give a 'share'; {aggregate.statistic!r} reads case clocks ('cases')",
                    context=context)
    if aggregate.satisfying is None and aggregate.statistic == "share":
        checker.add(at(), "a 'share' needs 'satisfying', the condition its threads' events satisfy", context=context)
    if not _check_type(events.event, known, at("events", "event"), checker, context=context):
        return conditions
    fields = kinds[events.event]
    if aggregate.subject_field is not None and aggregate.subject_field not in fields:
        checker.add(at("subject_field"), f"{events.event} has no field {aggregate.subject_field!r}"
                    + did_you_mean(aggregate.subject_field, fields), context=context)
    ctx = ConditionContext(path=checker.path, trigger=events.event, fields=fields, known_types=known,
                           report=partial(checker.add, context=context), kinds_of=kinds)
    node = checker.node("accountability", "aggregates", i)
    if events.where is not None:
        conditions[f"aggregate:{aggregate.id}"] = parse_condition(
            checker.node("accountability", "aggregates", i, "events", "where"), ctx,
            checker.node("accountability", "aggregates", i, "events"), "where")
    if aggregate.satisfying is not None:
        conditions[f"aggregate-satisfying:{aggregate.id}"] = parse_condition(
            checker.node("accountability", "aggregates", i, "satisfying"), ctx, node, "satisfying")
    return conditions


def _check_year_files(spec: RulesetSpec, checker: _Checker) -> None:
    """Year files are read as the engine reads them, relative to the ruleset file, and must make one calendar."""
    arrangements = []
    for i, name in enumerate(spec.calendar.year_files):
        try:
            arrangements.append(load_year_file(Path(checker.path).parent / name))
        except YearFileError as error:
            checker.add(checker.at("calendar", "year_files", i), f"year file {name!r}: {error}", context="calendar")
    if arrangements and len(arrangements) == len(spec.calendar.year_files):
        try:
            Calendar.china(extra_years=arrangements)
        except CalendarError as error:
            checker.add(checker.at("calendar", "year_files"), f"year files: {error}", context="calendar")


def clock_rule_ids(spec: RulesetSpec) -> set[str]:
    """The rule ids of the verdicts the ruleset's clocks give: ``<time limit>.<verdict>``."""
    return {f"{name}.{verdict}" for name, limit in spec.time_limits.items() for _, verdict in _clock_verdicts(limit) if verdict}


def produced_rule_ids(ruleset: Ruleset) -> set[str]:
    """Every rule id the verdicts of ``ruleset`` can carry: its rules, its clocks' verdicts, its accountability entries."""
    ids = {rule.id for rule in ruleset.rules} | clock_rule_ids(ruleset.spec)
    section = ruleset.spec.accountability
    if section is not None:
        ids |= {e.id for group in (section.rules, section.ladders, section.rankings, section.rates, section.minimums,
                                               section.aggregates) for e in group}
    return ids


def verdict_filters(spec: RulesetSpec) -> Iterator[tuple[tuple[Any, ...], Any, str]]:
    """The verdict filters of the accountability section: (keys under 'accountability', the filter, what it belongs to)."""
    section = spec.accountability
    if section is None:
        return
    for name, counter in section.counters.items():
        if counter.verdicts is not None:
            yield ("counters", name, "verdicts"), counter.verdicts, f"counter {name!r}"
    if section.scores is not None:
        for key in ("verdicts", "veto"):
            found = getattr(section.scores, key)
            if found is not None:
                yield ("scores", key), found, "scores"


def _check_filter_rules(rulesets: list[Ruleset]) -> list[RulesetIssue]:
    """Verdict filters naming rules of any ruleset (or of another one) must name a rule some ruleset loaded gives verdicts by."""
    issues: list[RulesetIssue] = []
    produced = {ruleset.id: produced_rule_ids(ruleset) for ruleset in rulesets}
    for ruleset in rulesets:
        for keys, verdicts, context in verdict_filters(ruleset.spec):
            if not verdicts.rules or verdicts.ruleset == ruleset.id:
                continue
            if verdicts.ruleset is None:
                pool = set().union(*produced.values())
                where_from = "any ruleset loaded"
            elif verdicts.ruleset in produced:
                pool = produced[verdicts.ruleset]
                where_from = f"ruleset {verdicts.ruleset!r}"
            else:
                continue  # a ruleset not loaded here: its rules are checked when it is
            for i, rule in enumerate(verdicts.rules):
                if rule not in pool:
                    tree = load_yaml_cached(ruleset.path)
                    node = tree
                    for key in ("accountability", *keys, "rules"):
                        node = node.get(key) if isinstance(node, dict) else None
                    where = location_of(node, i, path=ruleset.path) if node is not None else SourceLocation(ruleset.path)
                    issues.append(RulesetIssue(where, f"no rule {rule!r} in {where_from} gives verdicts; a time limit's verdicts "
                                               "come from rule '<time limit>.<verdict>'" + did_you_mean(rule, sorted(pool)),
                                               context=context))
    return issues


def _declared_types(spec: RulesetSpec, checker: _Checker) -> dict[str, type[Event]]:
    declared: dict[str, type[Event]] = {}
    base_fields = set(Event.model_fields)
    for name, decl in spec.event_types.items():
        context = f"event type {name!r}"
        if not re.fullmatch(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+", name):
            checker.add(checker.at("event_types", name, value=False), "an event type name is dotted lower-case words, e.g. 'document.step'", context=context)
            checker.skipped.add(("event_types", name))
            continue
        if name in CORE_TYPES:
            checker.add(checker.at("event_types", name, value=False), "is a core event type: it cannot be declared again", context=context)
            continue
        bad = False
        for field_name, field_decl in decl.fields.items():
            if field_name in RESERVED_FIELD_NAMES or field_name.startswith("model_"):
                checker.add(
                    checker.at("event_types", name, "fields", field_name, value=False),
                    f"field name {field_name!r} is reserved: an event is a pydantic model, whose methods take the names "
                    f"{', '.join(sorted(n for n in RESERVED_FIELD_NAMES if not n.startswith('model_')))} and every name "
                    "starting with 'model_': choose another name",
                    context=context,
                )
                bad = True
            elif field_name in base_fields:
                checker.add(
                    checker.at("event_types", name, "fields", field_name, value=False),
                    f"every event has a field {field_name!r} ({', '.join(Event.model_fields)}): choose another name",
                    context=context,
                )
                bad = True
            elif not field_name.isidentifier() or field_name.startswith("_"):
                checker.add(
                    checker.at("event_types", name, "fields", field_name, value=False),
                    f"field name {field_name!r} is not a plain name (letters, digits and '_', not starting with a digit or '_')",
                    context=context,
                )
                bad = True
            enum = field_decl.enum if isinstance(field_decl, FieldSpec) else None
            kind = field_decl.type if isinstance(field_decl, FieldSpec) else field_decl
            if enum is not None and kind not in _ENUM_KINDS:
                checker.add(
                    checker.at("event_types", name, "fields", field_name, "enum", value=False),
                    f"'enum' applies to string, integer and number fields, not to a {kind} field",
                    context=context,
                )
                bad = True
            elif enum is not None and not all(_enum_fits(v, kind) for v in enum):
                i, value = next((i, v) for i, v in enumerate(enum) if not _enum_fits(v, kind))
                checker.add(
                    checker.at("event_types", name, "fields", field_name, "enum", i),
                    f"enum values must all be of type {kind}, got {value!r}",
                    context=context,
                )
                bad = True
        if decl.thread is not None and decl.thread not in decl.fields:
            checker.add(
                checker.at("event_types", name, "thread"),
                f"thread field {decl.thread!r} is not one of its fields" + did_you_mean(decl.thread, decl.fields),
                context=context,
            )
            bad = True
        if bad:
            checker.skipped.add(("event_types", name))  # already reported: rules using it are not told it is unknown
        else:
            declared[name] = build_event_model(name, decl)
    return declared


_ENUM_KINDS = ("string", "integer", "number")
#: Names a declared field cannot take: the attributes and methods of every event (pydantic's BaseModel).
RESERVED_FIELD_NAMES = frozenset(name for name in dir(BaseModel) if not name.startswith("_"))


def _enum_fits(value: Any, kind: str) -> bool:
    return {"string": isinstance(value, str), "integer": isinstance(value, int) and not isinstance(value, bool),
            "number": isinstance(value, (int, float)) and not isinstance(value, bool)}.get(kind, False)


def _check_verdict(verdict_id: str, verdict: VerdictSpec, spec: RulesetSpec, checker: _Checker, event_fields: list[str]) -> None:
    context = f"verdict {verdict_id!r}"
    if verdict.points is not None and not POINTS_RANGE[0] <= verdict.points <= POINTS_RANGE[1]:
        checker.add(
            checker.at("verdicts", verdict_id, "points"),
            f"points {verdict.points} out of range {POINTS_RANGE[0]}…{POINTS_RANGE[1]}",
            context=context,
        )
    for i, clause in enumerate(verdict.cites):
        if clause not in spec.references and ("references", clause) not in checker.skipped:
            checker.add(
                checker.at("verdicts", verdict_id, "cites", i),
                f"cites unknown reference {clause!r}" + did_you_mean(clause, spec.references)
                + ("" if spec.references else "; declare it under 'references'"),
                context=context,
            )
    message = verdict.message
    section = spec.accountability
    # an aggregate's verdict names its figures too
    known = MESSAGE_FIELDS + (AGGREGATE_FIELDS if section is not None and any(a.verdict == verdict_id for a in section.aggregates)
                              else ())
    # Each text is placed at its own line: {zh: …, en: …} may span several.
    messages = [(message, ())] if isinstance(message, str) else [(message.zh, ("zh",)), (message.en or "", ("en",))]
    for text, language in messages:
        for name in _PLACEHOLDER.findall(text):
            if name not in known and name not in event_fields:
                checker.add(
                    checker.at("verdicts", verdict_id, "message", *language),
                    f"unknown placeholder {{{name}}} in message; placeholders are "
                    + ", ".join("{" + f + "}" for f in known)
                    + " and the fields of the event types (declared ones included)"
                    + did_you_mean(name, [*known, *event_fields]),
                    context=context,
                )


def _check_cites_of_malformed_verdict(verdict_id: str, spec: RulesetSpec, checker: _Checker) -> None:
    """A verdict set aside for a structural error still has its cites checked, so no problem waits for the next run."""
    node = checker.node("verdicts", verdict_id)
    cites = node.get("cites") if isinstance(node, dict) else None
    if not isinstance(cites, list):
        return
    for i, clause in enumerate(cites):
        if isinstance(clause, str) and clause not in spec.references and ("references", clause) not in checker.skipped:
            checker.add(
                checker.at("verdicts", verdict_id, "cites", i),
                f"cites unknown reference {clause!r}" + did_you_mean(clause, spec.references)
                + ("" if spec.references else "; declare it under 'references'"),
                context=f"verdict {verdict_id!r}",
            )


def _check_duration(duration: Duration, where: SourceLocation, checker: _Checker, *, rule: str | None, context: str | None) -> None:
    maximum = LIMIT_MAXIMUM.get(duration.unit)
    if maximum is not None and not (Decimal(0) < duration.amount <= maximum):
        checker.add(where, f"limit {duration} out of range: more than 0 and at most {maximum}{duration.unit.value}", rule=rule, context=context)


def _check_type(name: Any, known: Mapping[str, Any], where: SourceLocation, checker: _Checker, **scope: Any) -> bool:
    if name in known:
        return True
    if ("event_types", name) in checker.skipped:  # declared, but invalid: reported where it is declared
        return False
    checker.add(where, f"unknown event type {echo(name)}" + did_you_mean(str(name), known), **scope)
    return False


def _check_time_limit(name: str, limit: Any, known: Mapping[str, Any], checker: _Checker, spec: RulesetSpec) -> None:
    context = f"time limit {name!r}"
    checker.current_limit = name

    def at(*keys: Any) -> SourceLocation:
        return checker.at("time_limits", name, *keys)

    starts = [limit.start] if isinstance(limit.start, str) else limit.start
    for i, event_type in enumerate(starts):
        where = at("start") if isinstance(limit.start, str) else at("start", i)
        if event_type != MATERIALS_COMPLETE:
            _check_type(event_type, known, where, checker, context=context)
    for i, event_type in enumerate(limit.stop):
        _check_type(event_type, known, at("stop", i), checker, context=context)
    if limit.limit is None and not limit.matters and limit.limit_field is None:
        checker.add(at(), "needs a 'limit', a 'matters' catalogue or a 'limit_field' (a limit the starting event carries)", context=context)
    _check_local_clock(limit, starts, known, at, checker, spec, context)
    if limit.limit is not None:
        _check_duration(limit.limit, at("limit"), checker, rule=None, context=context)
        _check_promise(limit.limit, limit.legal, at("limit"), checker, context)
    if limit.legal is not None:
        _check_duration(limit.legal, at("legal"), checker, rule=None, context=context)
    for matter, entry in limit.matters.items():
        if isinstance(entry, Duration):
            _check_duration(entry, at("matters", matter), checker, rule=None, context=context)
            _check_promise(entry, limit.legal, at("matters", matter), checker, context)
            continue
        entries = entry if isinstance(entry, list) else [entry]
        spans: list[tuple[dt.date, dt.date]] = []
        for i, item in enumerate(entries):
            keys = ("matters", matter, i) if isinstance(entry, list) else ("matters", matter)
            _check_duration(item.limit, at(*keys, "limit"), checker, rule=None, context=context)
            _check_promise(item.limit, item.legal or limit.legal, at(*keys, "limit"), checker, context)
            first, last = item.from_ or dt.date.min, item.to or dt.date.max
            if first > last:
                checker.add(at(*keys), f"matter {matter!r}: 'from' {first} is after 'to' {last}", context=context)
            for other_first, other_last in spans:
                if first <= other_last and other_first <= last:
                    checker.add(at(*keys), f"matter {matter!r}: its dates overlap another entry's: which limit applies would be ambiguous",
                                context=context)
            spans.append((first, last))
    _check_matter_field(limit, known, at, checker, context)
    if limit.extensions is not None:
        _check_extension_thread(limit, known, at, checker, context)
    for i, matter in enumerate(limit.exclude_matters):
        if matter in limit.matters:
            checker.add(at("exclude_matters", i), f"matter {matter!r} is both in the catalogue and excluded", context=context)
    # each case's clock counts in its own limit's kind of time: the durations below must fit every limit's
    working_limits = {working_measure(d.unit) for d in _limits_of(limit)}

    def same_kind(duration: Duration, keys: tuple[Any, ...], what: str) -> None:
        for working in working_limits:
            if amount_in_measure(duration, None, working) is None:
                kind = "working time" if working else "elapsed time"
                checker.add(at(*keys), f"{what} {duration} does not count {kind}, as the limit does: use "
                            + ("wd or wh" if working else "d, h or min"), context=context)
                return

    for verdict_keys, verdict in _clock_verdicts(limit):
        if verdict is not None and verdict not in spec.verdicts and ("verdicts", verdict) not in checker.skipped:
            checker.add(at(*verdict_keys), f"unknown verdict {echo(verdict)}" + did_you_mean(verdict, spec.verdicts)
                        + ("" if spec.verdicts else "; declare it under 'verdicts'"), context=context)
    if limit.deemed_acceptance is not None:
        _check_duration(limit.deemed_acceptance.within, at("deemed_acceptance", "within"), checker, rule=None, context=context)
        if limit.start in (MATERIALS_COMPLETE, [MATERIALS_COMPLETE]):
            checker.add(at("deemed_acceptance"), "deemed acceptance moves the start to receipt: it needs a start on an event "
                        "such as case.accepted", context=context)
    if limit.pauses is not None:
        for key in ("pause", "resume"):
            _check_type(getattr(limit.pauses, key), known, at("pauses", key), checker, context=context)
        if limit.pauses.reasons is not None and not limit.pauses.reasons:
            checker.add(at("pauses", "reasons"), "an empty list allows no pause at all; leave 'reasons' out to allow every reason",
                        context=context)
    if limit.extensions is not None:
        _check_type(limit.extensions.event, known, at("extensions", "event"), checker, context=context)
        if limit.extensions.max is not None:
            _check_duration(limit.extensions.max, at("extensions", "max"), checker, rule=None, context=context)
            same_kind(limit.extensions.max, ("extensions", "max"), "the extension maximum")
    for i, warning in enumerate(limit.warnings):
        if (warning.remaining is None) == (warning.elapsed is None):
            checker.add(at("warnings", i), "a warning has exactly one of 'remaining' (e.g. 1wd) or 'elapsed' (e.g. 80%)", context=context)
        elif warning.remaining is not None:
            same_kind(warning.remaining, ("warnings", i, "remaining"), "the warning's remaining time")
        elif not (0 < float(warning.elapsed.rstrip("%")) < 100):
            checker.add(at("warnings", i, "elapsed"), f"a share elapsed is more than 0% and less than 100%, got {warning.elapsed}",
                        context=context)
    for i, entry in enumerate(limit.overdue):
        for key in ("after", "every"):
            duration = getattr(entry, key)
            if duration is not None:
                _check_duration(duration, at("overdue", i, key), checker, rule=None, context=context)
                same_kind(duration, ("overdue", i, key), f"'{key}'")
    used: dict[str, tuple[Any, ...]] = {}
    for verdict_keys, verdict in _clock_verdicts(limit):
        if verdict is None:
            continue
        if verdict in used:
            checker.add(at(*verdict_keys), f"verdict {verdict!r} is given twice by this time limit: verdicts are told apart by "
                        "their name (the rule id is '<time limit>.<verdict>'); declare another verdict", context=context)
        used[verdict] = verdict_keys


def _check_matter_field(
    limit: Any, known: Mapping[str, Any], at: Callable[..., SourceLocation], checker: _Checker, context: str
) -> None:
    """The matter field must be a field of an event type the clock reads (never a class attribute such as __doc__).

    Checked when the time limit names it or has a catalogue of matters: a time limit with one limit
    for every case never reads it.
    """
    named = isinstance(checker.node("time_limits", checker.current_limit), dict) and \
        "matter_field" in checker.node("time_limits", checker.current_limit)
    if not named and not limit.matters and not limit.exclude_matters:
        return
    starts = [limit.start] if isinstance(limit.start, str) else list(limit.start)
    readers = [t for t in (*starts, *limit.stop, "case.received", "case.accepted") if t in known]
    fields: set[str] = set()
    for event_type in readers:
        fields |= set(known[event_type].model_fields)
    if limit.matter_field not in fields:
        own = sorted(fields - set(Event.model_fields))
        checker.add(at("matter_field") if named else at(),
                    f"matter field {limit.matter_field!r} is not a field of the events this time limit reads "
                    f"({', '.join(t for t in dict.fromkeys(readers)) or 'none known'})"
                    + did_you_mean(limit.matter_field, own)
                    + ("" if named else "; name the field that holds the matter with 'matter_field'"), context=context)


def _check_extension_thread(
    limit: Any, known: Mapping[str, Any], at: Callable[..., SourceLocation], checker: _Checker, context: str
) -> None:
    """Extensions come as an event of the clock's own thread, with a ``duration``: else they never extend anything."""
    node = checker.node("time_limits", checker.current_limit, "extensions")
    named = isinstance(node, dict) and "event" in node
    event_type = limit.extensions.event
    starts = [limit.start] if isinstance(limit.start, str) else list(limit.start)
    start_threads = {thread_field(known[t]) for t in starts if t in known}
    if event_type not in known or not start_threads:
        return
    thread = thread_field(known[event_type])
    if thread not in start_threads:
        runs_on = ", ".join(t for t in starts if t in known)
        fields = ", ".join(sorted(f"{f!r}" for f in start_threads if f))
        candidates = [t for t in known if thread_field(known[t]) in start_threads and "duration" in known[t].model_fields]
        hint = f" — e.g. {candidates[0]!r}" if len(candidates) == 1 else (f" — one of {', '.join(candidates)}" if candidates else "")
        if named:
            message = (f"extensions come as {event_type}, whose thread is not the clock's ({runs_on}, by {fields or 'none'}): "
                       f"no extension could ever reach this clock; name an event type of the same thread{hint}")
        else:
            message = (f"this clock runs on {runs_on} (thread {fields or 'none'}), where {event_type} never comes: name the "
                       f"event type that grants extensions with extensions.event{hint}")
        checker.add(at("extensions", "event") if named else at("extensions"), message, context=context)
    elif "duration" not in known[event_type].model_fields:
        checker.add(at("extensions", "event") if named else at("extensions"),
                    f"an extension event needs a 'duration' field (how much more time), and {event_type} has none", context=context)


def _check_local_clock(
    limit: Any, starts: list[str], known: Mapping[str, Any], at: Callable[..., SourceLocation], checker: _Checker,
    spec: RulesetSpec, context: str,
) -> None:
    """A hall's service calendar, the tolerance of 'immediate', a limit carried by the starting event, and whom it charges."""
    halls = spec.calendar.service_calendars
    if limit.service_calendar is not None and limit.service_calendar not in halls:
        checker.add(at("service_calendar"), f"unknown service calendar {echo(limit.service_calendar)}" + did_you_mean(limit.service_calendar, halls)
                    + ("" if halls else "; declare it under calendar.service_calendars"), context=context)
    if limit.immediate_within is not None and (limit.immediate_within.unit not in (TimeUnit.HOURS, TimeUnit.MINUTES)
                                               or limit.immediate_within.amount <= 0):
        checker.add(at("immediate_within"), f"'immediate' is the same visit: its tolerance is some minutes or hours of elapsed "
                    f"time (e.g. 30min or 1h), got {limit.immediate_within}", context=context)
    typed = [t for t in starts if t in known]
    kinds = {t: field_kinds(known[t]) for t in typed}
    if limit.limit_field is not None:
        if MATERIALS_COMPLETE in starts:
            checker.add(at("limit_field"), "a limit carried by an event needs a start on that event, not materials_complete", context=context)
        for event_type in typed:
            kind = kinds[event_type].get(limit.limit_field)
            if kind is None:
                own = sorted(set(kinds[event_type]) - _COMMON_FIELDS)
                checker.add(at("limit_field"), f"{event_type} has no field {limit.limit_field!r} to carry the limit"
                            + did_you_mean(limit.limit_field, own) + f"; declare it on {event_type} as a duration (e.g. limit: duration)",
                            context=context)
            elif kind.kind != "duration":
                checker.add(at("limit_field"), f"field {limit.limit_field!r} of {event_type} is {kind.describe()}: a limit carried by "
                            "an event is a duration field (15wd, 10d, 24h), validated when the event comes in", context=context)
    if limit.charge is not None:
        _check_charge(limit.charge, typed, kinds, lambda *keys: at("charge", *keys), checker, {"context": context})


def _check_service_calendars(spec: RulesetSpec, checker: _Checker) -> None:
    """Each hall's hours can be read."""
    for name, hall in spec.calendar.service_calendars.items():
        if hall.business_hours is not None:
            try:
                BusinessHours.parse(hall.business_hours)
            except CalendarError as error:
                checker.add(checker.at("calendar", "service_calendars", name, "business_hours"), f"service calendar {name!r}: {error}",
                            context="calendar")


def _check_charge(
    charge: ChargeSpec, event_types: list[str], kinds: Mapping[str, Mapping[str, FieldKind]],
    at: Callable[..., SourceLocation], checker: _Checker, scope: Mapping[str, Any],
) -> None:
    """The fields naming whom a verdict is charged to are text fields of every event type that can start it."""
    for role in ("actor", "unit"):
        name = getattr(charge, role)
        if name is None:
            continue
        for event_type in event_types:
            fields = kinds.get(event_type)
            if fields is None:
                continue  # an unknown type, reported where it is named
            kind = fields.get(name)
            if kind is None:
                own = sorted(set(fields) - _COMMON_FIELDS - {"actor", "unit"})  # the event's own: charged without 'charge'
                checker.add(at(role), f"{event_type} has no field {name!r} to name the {'staff member' if role == 'actor' else 'unit'} "
                            f"who acts next" + did_you_mean(name, own) + f"; declare it on {event_type} (e.g. next_{role})", **scope)
            elif kind.kind != "string":
                checker.add(at(role), f"field {name!r} of {event_type} is {kind.describe()}: the one who acts next is named by "
                            "a string field", **scope)


def _limits_of(limit: Any) -> list[Duration]:
    found = [] if limit.limit is None else [limit.limit]
    for entry in limit.matters.values():
        if isinstance(entry, Duration):
            found.append(entry)
        else:
            found += [item.limit for item in (entry if isinstance(entry, list) else [entry])]
    return found


def _clock_verdicts(limit: Any) -> list[tuple[tuple[Any, ...], str | None]]:
    out: list[tuple[tuple[Any, ...], str | None]] = []
    if limit.deemed_acceptance is not None:
        out.append((("deemed_acceptance", "verdict"), limit.deemed_acceptance.verdict))
    if limit.pauses is not None:
        out.append((("pauses", "verdict"), limit.pauses.verdict))
    if limit.extensions is not None:
        out.append((("extensions", "verdict"), limit.extensions.verdict))
    out += [(("warnings", i, "verdict"), w.verdict) for i, w in enumerate(limit.warnings)]
    out += [(("overdue", i, "verdict"), o.verdict) for i, o in enumerate(limit.overdue)]
    return out


def _check_promise(promised: Duration, legal: Duration | None, where: SourceLocation, checker: _Checker, context: str) -> None:
    """A promised limit (承诺时限) may be stricter than the legal limit it implements, never looser."""
    if legal is None:
        return
    rank = {TimeUnit.IMMEDIATE: 0, TimeUnit.SAME_DAY: 1}
    if promised.unit in rank or legal.unit in rank:
        looser = rank.get(promised.unit, 2) > rank.get(legal.unit, 2)
    elif promised.unit == legal.unit:
        looser = promised.amount > legal.amount
    elif promised.unit is TimeUnit.NATURAL_DAYS and legal.unit is TimeUnit.WORKING_DAYS:
        looser = promised.amount > legal.amount  # N natural days never outlast N working days
    elif promised.unit is TimeUnit.WORKING_DAYS and legal.unit is TimeUnit.NATURAL_DAYS:
        checker.add(where, f"the promised limit {promised} cannot be shown within the legal limit {legal}: "
                    f"{promised.amount} working days can span more than {legal.amount} natural days (across a holiday); "
                    "state both in the same unit", context=context)
        return
    elif {promised.unit, legal.unit} <= {TimeUnit.HOURS, TimeUnit.MINUTES}:
        looser = promised.amount * (60 if promised.unit is TimeUnit.HOURS else 1) > legal.amount * (60 if legal.unit is TimeUnit.HOURS else 1)
    else:
        checker.add(where, f"the promised limit {promised} and the legal limit {legal} count different kinds of time; "
                    "state both in the same unit", context=context)
        return
    if looser:
        checker.add(where, f"the promised limit {promised} is longer than the legal limit {legal} it implements: "
                    "a promise may be stricter than the law, never looser", context=context)


def _check_rule(
    index: int,
    rule: RuleSpec,
    spec: RulesetSpec,
    known: Mapping[str, type[Event]],
    kinds: Mapping[str, Mapping[str, FieldKind]],
    checker: _Checker,
    counted: set[str],
) -> CompiledRule | None:
    before = len(checker.issues)
    scope = {"rule": rule.id}
    if rule.verdict not in spec.verdicts and ("verdicts", rule.verdict) not in checker.skipped:
        checker.add(
            checker.at("rules", index, "verdict"),
            f"unknown verdict {echo(rule.verdict)}" + did_you_mean(rule.verdict, spec.verdicts)
            + ("" if spec.verdicts else "; declare it under 'verdicts'"),
            **scope,
        )
    if (rule.on is None) == (rule.expect is None):
        checker.add(checker.at("rules", index), "a rule has exactly one of 'on' (an event) or 'expect' (something must follow)", **scope)
        return None
    if rule.expect is not None and rule.if_ is not None:
        checker.add(checker.at("rules", index, "if", value=False), "an 'expect' rule states its conditions under expect.where", **scope)

    def report(where: SourceLocation, message: str) -> None:
        checker.add(where, message, **scope)

    expect = rule.expect
    satisfied: frozenset[str] = frozenset()
    excused: frozenset[str] = frozenset()
    if expect is not None:
        trigger = expect.after
        if not _check_type(trigger, known, checker.at("rules", index, "expect", "after"), checker, **scope):
            return None
        events = [expect.event] if isinstance(expect.event, str) else expect.event
        for i, event_type in enumerate(events):
            where = checker.at("rules", index, "expect", "event") if isinstance(expect.event, str) else checker.at("rules", index, "expect", "event", i)
            _check_type(event_type, known, where, checker, **scope)
        for i, event_type in enumerate(expect.unless):
            _check_type(event_type, known, checker.at("rules", index, "expect", "unless", i), checker, **scope)
        if expect.within.unit not in (TimeUnit.IMMEDIATE, TimeUnit.SAME_DAY):
            _check_duration(expect.within, checker.at("rules", index, "expect", "within"), checker, rule=rule.id, context=None)
        if expect.charge is not None:
            _check_charge(expect.charge, [trigger], kinds, lambda *keys: checker.at("rules", index, "expect", "charge", *keys),
                          checker, scope)
        raw_condition, holder, key = expect.where, checker.node("rules", index, "expect"), "where"
        satisfied, excused = frozenset(events), frozenset(expect.unless)
    else:
        trigger = rule.on  # type: ignore[assignment]  # a rule without 'expect' has 'on' (checked above: exactly one of them)
        if not _check_type(trigger, known, checker.at("rules", index, "on"), checker, **scope):
            return None
        raw_condition, holder, key = rule.if_, checker.node("rules", index), "if"

    condition: Condition = ("all", ())
    news: tuple[tuple[str, str, str | None], ...] = ()
    ofs: tuple[tuple[str, str, str], ...] = ()
    if raw_condition is not None:
        before_condition = len(checker.issues)
        # A count of a declared type that is invalid (and reported) is not an unknown type.
        countable = {**known, **{name: None for kind, name in checker.skipped if kind == "event_types"}}
        ctx = ConditionContext(
            path=checker.path, trigger=trigger, fields=kinds[trigger], known_types=countable, report=report, kinds_of=kinds
        )
        condition = parse_condition(checker.node(*(("rules", index, "expect", "where") if expect else ("rules", index, "if"))), ctx, holder, key)
        counted |= ctx.counts
        news = tuple(sorted(ctx.news, key=str))
        ofs = tuple(sorted(ctx.ofs))
        if len(checker.issues) == before_condition:
            minimum = {count_key(trigger): 1}
            reason = unsatisfiable(condition, minimum_counts=minimum)
            if reason:
                checker.add(checker.at("rules", index, key) if not expect else checker.at("rules", index, "expect", "where"), f"can never fire: {reason}", **scope)
    if len(checker.issues) > before or rule.verdict not in spec.verdicts:  # its verdict may be invalid (and reported)
        return None
    return CompiledRule(
        id=rule.id,
        title=_localized(rule.title, rule.id),
        verdict=spec.verdicts[rule.verdict],
        verdict_id=rule.verdict,
        trigger=trigger,
        condition=condition,
        expect=expect,
        satisfied_by=satisfied,
        excused_by=excused,
        news=news,
        ofs=ofs,
    )


def _check_versions(rulesets: list[Ruleset]) -> list[RulesetIssue]:
    """Versions of one ruleset id: effective dates must neither overlap nor leave a gap."""
    issues: list[RulesetIssue] = []
    by_id: dict[str, list[Ruleset]] = {}
    for ruleset in rulesets:
        by_id.setdefault(ruleset.id, []).append(ruleset)
    for versions in by_id.values():
        versions.sort(key=lambda r: r.spec.effective.from_)
        for previous, current in pairwise(versions):
            tree = load_yaml_cached(current.path)
            effective = tree.get("effective") if isinstance(tree, dict) else None
            where = location_of(effective, "from", path=current.path) if isinstance(effective, dict) else location_of(tree, "effective", path=current.path)
            end = previous.spec.effective.to
            start = current.spec.effective.from_
            label = f"ruleset {current.id!r} version {current.version!r}"
            if previous.version == current.version:
                issues.append(RulesetIssue(
                    location_of(tree, "version", path=current.path), f"version {current.version!r} is also in {previous.path}", context=label
                ))
            elif end is None or start <= end:
                issues.append(RulesetIssue(
                    where,
                    f"effective from {start}, but version {previous.version!r} ({previous.path}) is in force "
                    f"{'with no end date' if end is None else f'until {end}'}: the dates overlap",
                    context=label,
                ))
            elif start > end + dt.timedelta(days=1):
                issues.append(RulesetIssue(
                    where,
                    f"effective from {start}, but version {previous.version!r} ({previous.path}) ends {end}: "
                    f"no version is in force {end + dt.timedelta(days=1)}…{start - dt.timedelta(days=1)}",
                    context=label,
                ))
    return issues


def load_yaml_cached(path: str) -> Any:
    """The YAML tree of a ruleset file (read again only to place cross-file problems)."""
    try:
        return load_yaml(Path(path))
    except SourceError:
        return None
