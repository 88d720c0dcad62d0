"""Turning pydantic's validation errors into :class:`EventError` messages a portal developer can act on.

Only the error path runs this: a good event never gets here. A message names the event id, the
field (a dotted path such as ``items.0``), the value given and what was expected, with a
"did you mean" where a close name exists::

    event 'e17': field 'in_scope': expected a boolean (true or false), got 'yes'

When an event has several problems the message lists them all and the error's attributes
describe the first. pydantic's own ``ValidationError`` stays reachable as ``validation_error``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import AwareDatetime, ValidationError

from ._duration import Duration
from ._errors import (
    ECHO_LIMIT,
    EventError,
    NaiveDatetimeError,
    UnknownEventTypeError,
    echo,
)
from ._events import Event
from ._suggest import did_you_mean, suggest

__all__ = ["event_id_of", "explain", "unknown_type_error"]

_BOOLEAN = "a boolean (true or false)"
_DATETIME = "an ISO 8601 date and time with a UTC offset, such as '2024-03-01T09:30:00+08:00'"
_EXPECTED_BY_ERROR = {
    "bool_type": _BOOLEAN,
    "bool_parsing": _BOOLEAN,
    "string_type": "a string",
    "string_too_short": "a non-empty string",
    "list_type": "a list",
    "dict_type": "an object",
    "model_type": "an object",
    "model_attributes_type": "an object",
    "datetime_type": _DATETIME,
    "datetime_parsing": _DATETIME,
    "datetime_from_date_parsing": _DATETIME,
    "datetime_object_invalid": _DATETIME,
}
_QUOTED = re.compile(r"'((?:[^'\\]|\\.)*)'")


def explain(exc: ValidationError, data: Any, classes: Mapping[str, type[Event]]) -> EventError:
    """The EventError for pydantic's ``exc`` raised on ``data``, validated against ``classes`` (by type name).

    The caller raises it ``from exc``.
    """
    errors = exc.errors()
    first = errors[0]
    kind = first["type"]
    known = tuple(sorted(classes))
    event_id = event_id_of(data)
    if kind == "json_invalid":
        detail = str(first["ctx"]["error"])
        if isinstance(data, (str, bytes, bytearray)) and len(data.splitlines()) <= 1:
            detail = detail.replace(" at line 1 column ", " at column ")  # one line: "line 1" would confuse
        return EventError(f"invalid JSON: {detail}", validation_error=exc)
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        given = first["input"].get("type") if isinstance(first["input"], dict) else None
        if kind == "union_tag_invalid" and isinstance(given, str):
            return unknown_type_error(given, known, event_id=event_id, validation_error=exc)
        expected = "an event type name: " + ", ".join(known)
        message = (
            f"field 'type': missing (expected {expected})"
            if kind == "union_tag_not_found"
            else f"field 'type': expected {expected}; got {_show(given)}"
        )
        return EventError(
            message, event_id=event_id, field="type", value=given, expected=expected, validation_error=exc
        )
    if not first["loc"]:
        return EventError(
            f"expected an event: a JSON object, got {_show(first['input'])}",
            value=first["input"],
            expected="a JSON object",
            validation_error=exc,
        )
    problems = [_problem(error, classes) for error in _merge_union_members(errors)]
    field, value, expected, _ = problems[0]
    texts = [text for *_, text in problems]
    message = texts[0] if len(texts) == 1 else f"{len(texts)} problems: " + "; ".join(texts)
    error_class = NaiveDatetimeError if kind == "timezone_aware" else EventError
    return error_class(message, event_id=event_id, field=field, value=value, expected=expected, validation_error=exc)


_MEMBER_TAGS = frozenset(("int", "float", "str", "bool", "none", "list", "dict", "decimal"))


def _merge_union_members(errors: list[Any]) -> list[Any]:
    """One error per field where pydantic reports each member of a union (``amount.int``, ``amount.float``)."""
    merged: list[Any] = []
    seen: dict[tuple[Any, ...], int] = {}
    for error in errors:
        loc = tuple(error["loc"])
        tag = loc[-1] if loc else None
        if len(loc) > 2 and isinstance(tag, str) and (tag in _MEMBER_TAGS or "[" in tag):
            key = loc[:-1]
            if key in seen:
                continue  # the first member's error stands for the field; its expectation is the field's
            seen[key] = len(merged)
            merged.append({**error, "loc": key, "type": "union_member"})
            continue
        merged.append(error)
    return merged


def unknown_type_error(name: Any, known: tuple[str, ...], **kw: Any) -> UnknownEventTypeError:
    """The error for an event ``type`` that is not among ``known``, with a suggestion when one is close."""
    best = suggest(name, known) if isinstance(name, str) else None
    hint = f" — did you mean {best!r}?" if best else "."
    listing = f" Known types: {', '.join(known)}." if known else " No event types are registered."
    return UnknownEventTypeError(
        f"unknown event type {echo(name)}{hint}{listing}",
        known=list(known),
        suggestion=best,
        field="type",
        value=name,
        expected="a registered event type",
        **kw,
    )


def event_id_of(data: Any) -> str | None:
    """The event's id when the data has a usable one (error path only: JSON text is parsed again)."""
    obj = loads_or_none(data) if isinstance(data, (str, bytes, bytearray)) else data
    if isinstance(obj, Mapping):
        event_id = obj.get("id")
        return event_id if isinstance(event_id, str) and event_id else None
    return obj.id if isinstance(obj, Event) else None


def loads_or_none(data: str | bytes | bytearray) -> Any:
    """``json.loads(data)``, or ``None`` when it is not JSON."""
    try:
        return json.loads(data)
    except (ValueError, RecursionError):  # nested deeper than Python's decoder goes: read as not JSON here
        return None


def _problem(error: Any, classes: Mapping[str, type[Event]]) -> tuple[str, Any, str, str]:
    """(field path, value given, what was expected, sentence) for one pydantic error."""
    type_name, *path = error["loc"]
    field = ".".join(str(part) for part in path)
    kind, value = error["type"], error["input"]
    cls = classes.get(type_name)
    if kind == "missing":
        expected = _describe_field(cls, path)
        return field, None, expected, f"field {echo(field)}: missing (expected {expected})"
    if kind == "extra_forbidden":
        names = list(cls.model_fields) if cls is not None and len(path) == 1 else []
        hint = did_you_mean(str(path[-1]), names)
        if not hint and names:
            hint = f" (its fields are {', '.join(names)})"
        return field, value, f"a field of {type_name}", f"field {echo(field)}: unknown field for {type_name}{hint}"
    if kind == "timezone_aware":
        text = value.isoformat() if isinstance(value, datetime) else str(value)
        fix = (
            f"add a UTC offset (e.g. '{text}+08:00') or pass default_tz=ZoneInfo(\"Asia/Shanghai\") "
            "to read times without one in that zone"
        )
        return field, value, "a time with a UTC offset", f"field {field!r}: time {text!r} has no UTC offset; {fix}"
    if kind == "value_error":  # a validator's own message, e.g. Duration's "unknown unit 'x' in …"
        reason = str(error["ctx"]["error"]) if "ctx" in error else error["msg"]
        return field, value, _describe_field(cls, path), f"field {field!r}: {reason}"
    if kind == "literal_error":
        expected = error["ctx"]["expected"]
        hint = did_you_mean(value, _QUOTED.findall(expected)) if isinstance(value, str) else ""
        return field, value, expected, f"field {field!r}: expected {expected}, got {_show(value)}{hint}"
    if kind == "union_member":  # merged by _merge_union_members: say what the field takes, not what one member did
        expected = _describe_field(cls, path)
        return field, value, expected, f"field {field!r}: expected {expected}, got {_show(value)}"
    if kind == "too_short" and error.get("ctx", {}).get("field_type") == "List":
        n = error["ctx"]["min_length"]
        expected = f"a list of at least {n} item{'s' if n != 1 else ''}"
    else:
        expected = _EXPECTED_BY_ERROR.get(kind) or _from_message(error["msg"])
    return field, value, expected, f"field {field!r}: expected {expected}, got {_show(value)}"


def _from_message(msg: str) -> str:
    """pydantic's "Input should be a valid integer" → "a valid integer"."""
    for prefix in ("Input should be ", "Input should have "):
        if msg.startswith(prefix):
            return msg[len(prefix) :]
    return msg[:1].lower() + msg[1:]


def _describe_field(cls: type[Event] | None, path: list[Any]) -> str:
    """What a top-level field should hold, in words, from its annotation."""
    field = cls.model_fields.get(str(path[0])) if cls is not None and len(path) == 1 else None
    return _describe_type(field.annotation) if field is not None else "a value"


def _describe_type(annotation: Any) -> str:
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return _describe_type(args[0])
    if origin is Literal:
        quoted = [repr(a) for a in args]
        return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
    if origin is Union or origin is UnionType:
        words = list(dict.fromkeys(_describe_type(a) for a in args if a is not type(None)))
        if set(words) == {"an integer", "a number"}:
            return "a number"  # int or float: any number
        return " or ".join(words)
    if origin is list:
        inner = _describe_type(args[0]) if args else ""
        return f"a list of {inner.removeprefix('a ').removeprefix('an ')}s" if inner else "a list"
    simple = {
        bool: _BOOLEAN,
        str: "a string",
        int: "an integer",
        float: "a number",
        Duration: "a duration such as '10wd', '15d' or '24h'",
        datetime: _DATETIME,
        AwareDatetime: _DATETIME,
        dict: "an object",
    }
    if origin is dict:
        return "an object"
    try:
        return simple[annotation]
    except (KeyError, TypeError):
        return getattr(annotation, "__name__", None) or str(annotation)


def _show(value: Any) -> str:
    """A value as a message shows it: strings quoted, other values as JSON, long ones cut short (see ``echo``)."""
    if isinstance(value, str):
        return echo(value)
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError, RecursionError):  # an integer of over 4,300 digits, a cycle, a lone surrogate…
        return echo(value)
    return text if len(text) <= ECHO_LIMIT else f"{text[:ECHO_LIMIT]}…({len(text) - ECHO_LIMIT} more)"
