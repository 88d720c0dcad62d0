"""Hypothesis strategies that generate valid event histories for an engine's rulesets.

>>> from efficiency_rules import Engine
>>> from efficiency_rules.testing.strategies import event_histories
>>> strategy = event_histories(Engine(["rulesets/examples/first-inquiry.yaml"]), max_events=10)

Each history is a list of event dicts (the JSON contract) that validate with the engine's
registry: only the event types the rulesets mention, threads drawn from a small pool so that
events meet in one case or inquiry, times within business days near ``start``, and field values
drawn from the constants the rules compare them with (so conditions both hold and fail).
Histories shrink towards fewer events, earlier times and the first constants.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from .._clocks import compile_clock
from .._event_fields import FieldKind, field_kinds, thread_field

__all__ = ["event_histories"]

CST = dt.timezone(dt.timedelta(hours=8))
_DURATIONS = ("1wd", "5wd", "10wd", "15d", "30d")


def _constants(engine: Any) -> dict[tuple[str, str], list[Any]]:
    """Values the rules compare each (event type, field) with."""
    found: dict[tuple[str, str], list[Any]] = {}

    def walk(trigger: str, condition: tuple[Any, ...]) -> None:
        kind = condition[0]
        if kind in ("all", "any"):
            for item in condition[1]:
                walk(trigger, item)
        elif kind == "not":
            walk(trigger, condition[1])
        elif kind == "cmp" and condition[2].startswith("f."):
            found.setdefault((trigger, condition[2][2:]), []).append(condition[3])
        elif kind == "in" and condition[1].startswith("f."):
            found.setdefault((trigger, condition[1][2:]), []).extend(condition[2])

    for ruleset in engine.rulesets:
        for rule in ruleset.rules:
            walk(rule.trigger, rule.condition)
        section = ruleset.spec.accountability
        for aggregate in section.aggregates if section is not None else ():
            for key in (f"aggregate:{aggregate.id}", f"aggregate-satisfying:{aggregate.id}"):
                if aggregate.events is not None and key in ruleset.counter_conditions:
                    walk(aggregate.events.event, ruleset.counter_conditions[key])
        for limit in ruleset.spec.time_limits.values():
            # matters of the catalogue, allowed pause reasons and approvers (and one of each that is not)
            for event_type in ("case.received", "case.accepted"):
                found.setdefault((event_type, limit.matter_field), []).extend([*limit.matters, "other-matter"])
            if limit.pauses is not None:
                reasons = [*(limit.pauses.reasons or ()), "unlisted_reason"]
                found.setdefault((limit.pauses.pause, "reason"), []).extend(reasons)
                found.setdefault((limit.pauses.resume, "reason"), []).extend(reasons)
            if limit.extensions is not None:
                found.setdefault((limit.extensions.event, "approver"), []).extend([*(limit.extensions.approvers or ()), "someone"])
    return found


def _types_used(engine: Any) -> list[str]:
    used: set[str] = set()
    for ruleset in engine.rulesets:
        used |= set(ruleset.counted_types)
        for rule in ruleset.rules:
            used.add(rule.trigger)
            used |= set(rule.satisfied_by) | set(rule.excused_by)
            used |= {event_type for _, event_type, _ in rule.ofs}
        for name, limit in ruleset.spec.time_limits.items():
            used |= compile_clock(name, limit).relevant
        section = ruleset.spec.accountability
        used |= {a.events.event for a in section.aggregates if a.events is not None} if section is not None else set()
    return sorted(used)


def _value(kind: FieldKind, constants: list[Any]) -> st.SearchStrategy[Any]:
    if kind.enum is not None:
        return st.sampled_from(kind.enum)
    base: st.SearchStrategy[Any]
    if kind.kind == "boolean":
        base = st.booleans()
    elif kind.kind == "integer":
        base = st.integers(min_value=0, max_value=10)
    elif kind.kind == "number":
        base = st.integers(min_value=0, max_value=10) | st.floats(min_value=0, max_value=10, allow_nan=False)
    elif kind.kind == "duration":
        base = st.sampled_from(_DURATIONS)
    elif kind.kind == "list":
        base = st.lists(st.sampled_from(("身份证明", "营业执照", "申请表", "授权书")), min_size=1, max_size=3, unique=True)
    elif kind.kind in ("datetime", "date"):
        base = st.just("2024-09-02T09:00:00+08:00" if kind.kind == "datetime" else "2024-09-02")
    else:
        base = st.sampled_from(("甲", "乙", "other"))
    fitting = [c for c in constants if kind.kind != "integer" or isinstance(c, int)]
    return st.sampled_from(fitting) | base if fitting else base


def event_histories(
    engine: Any,
    *,
    min_events: int = 0,
    max_events: int = 20,
    threads: int = 3,
    start: dt.datetime = dt.datetime(2024, 9, 23, 9, 0, tzinfo=CST),
    days: int = 30,
    ties: bool = False,
) -> st.SearchStrategy[list[dict[str, Any]]]:
    """Lists of valid event dicts for ``engine``'s rulesets (see the module docstring).

    ``threads`` is the number of distinct case / inquiry ids drawn from; times fall within
    ``days`` natural days after ``start`` (keep them inside the calendar's covered years). With
    ``ties``, many events share an instant (a few instants are drawn again and again).
    """
    if not 0 <= min_events <= max_events:
        raise InvalidArgument(f"need 0 <= min_events <= max_events, got {min_events} and {max_events}")
    if threads < 1:
        raise InvalidArgument(f"threads must be at least 1, got {threads}")
    if days < 1:
        raise InvalidArgument(f"days must be at least 1, got {days}")
    if start.tzinfo is None:
        raise InvalidArgument("start must be timezone-aware")
    types = _types_used(engine)
    if not types:
        raise InvalidArgument("the engine's rulesets mention no event types to generate")
    constants = _constants(engine)
    registry = engine.registry
    per_type: dict[str, st.SearchStrategy[dict[str, Any]]] = {}
    for name in types:
        cls = registry[name]
        thread = thread_field(cls)
        fields: dict[str, st.SearchStrategy[Any]] = {}
        optional: dict[str, st.SearchStrategy[Any]] = {}
        for field_name, kind in field_kinds(cls).items():
            if field_name in ("id", "type", "at", "meta"):
                continue
            if field_name == thread:
                strategy: st.SearchStrategy[Any] = st.integers(0, threads - 1).map(lambda i: f"T{i}")
            elif field_name == "actor":
                strategy = st.sampled_from(("s1", "s2", "s3"))
            elif field_name == "unit":
                strategy = st.sampled_from(("u1", "u2"))
            else:
                strategy = _value(kind, constants.get((name, field_name), []))
            (fields if kind.required and field_name not in ("actor", "unit") else optional)[field_name] = strategy
        per_type[name] = st.fixed_dictionaries({"type": st.just(name), **fields}, optional=optional)
    minutes = st.integers(min_value=0, max_value=days * 24 * 60 - 1)
    if ties:
        minutes = st.one_of(minutes, st.sampled_from(sorted({0, 90, 24 * 60 + 60, (days // 2) * 24 * 60 + 300, days * 24 * 60 - 1})))
    event = st.tuples(st.one_of(*per_type.values()), minutes)

    def build(items: list[tuple[dict[str, Any], int]]) -> list[dict[str, Any]]:
        return [
            {"id": f"e{i}", "at": (start + dt.timedelta(minutes=offset)).isoformat(), **body}
            for i, (body, offset) in enumerate(items)
        ]

    return st.lists(event, min_size=min_events, max_size=max_events).map(build)

