"""What rules can say about an event type: its fields and their kinds, its thread, and declared types.

Core types are described by reading their pydantic annotations; types a ruleset declares in YAML
are turned into Event subclasses here, so they validate exactly like core types.
"""

from __future__ import annotations

import datetime as dt
import types
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import Field, StrictBool, StrictFloat, StrictInt, create_model

from ._duration import Duration
from ._events import Event
from ._ruleset_schema import EventTypeSpec, FieldSpec

__all__ = ["THREAD_FIELDS", "FieldKind", "build_event_model", "field_kinds", "thread_field"]

#: Fields that tie core events into threads, in order of preference.
THREAD_FIELDS = ("case_id", "inquiry_id", "complaint_id")
_COMMON = {"id", "type", "at", "unit", "actor", "meta"}


@dataclass(frozen=True, slots=True)
class FieldKind:
    """The kind of value a field holds, as conditions see it."""

    kind: str  # string, integer, number, boolean, datetime, date, duration, list, mapping
    required: bool = True
    enum: tuple[Any, ...] | None = None

    @property
    def comparable(self) -> bool:
        """Whether a condition may compare this field with a value (scalars only)."""
        return self.kind in ("string", "integer", "number", "boolean", "duration")

    @property
    def ordered(self) -> bool:
        """Whether < <= > >= make sense on it."""
        return self.kind in ("integer", "number")

    def describe(self) -> str:
        if self.enum is not None:
            return "one of " + ", ".join(repr(v) for v in self.enum)
        return {"integer": "an integer", "number": "a number", "boolean": "a boolean (true or false)"}.get(
            self.kind, f"a {self.kind}"
        )


def _kind_of(annotation: Any) -> FieldKind:
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return _kind_of(args[0])
    if origin in (Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        kinds = {_kind_of(a).kind for a in inner}
        if len(inner) == 1:
            kind = _kind_of(inner[0])
        elif kinds <= {"integer", "number"}:
            kind = FieldKind("number")  # int | float
        else:
            kind = FieldKind("mapping")
        return FieldKind(kind.kind, required=len(inner) == len(args), enum=kind.enum)
    if origin is Literal:
        if all(isinstance(a, bool) for a in args):
            return FieldKind("boolean", enum=tuple(args))
        if all(isinstance(a, int) and not isinstance(a, bool) for a in args):
            return FieldKind("integer", enum=tuple(args))
        if all(isinstance(a, (int, float)) and not isinstance(a, bool) for a in args):
            return FieldKind("number", enum=tuple(args))
        return FieldKind("string", enum=tuple(args))
    if origin in (list, tuple, set, frozenset):
        return FieldKind("list")
    if origin is dict or annotation is dict:
        return FieldKind("mapping")
    if annotation is bool:
        return FieldKind("boolean")
    if annotation is int:
        return FieldKind("integer")
    if annotation is float:
        return FieldKind("number")
    if annotation is str:
        return FieldKind("string")
    if annotation is Duration:
        return FieldKind("duration")
    if isinstance(annotation, type) and issubclass(annotation, dt.datetime):
        return FieldKind("datetime")
    if isinstance(annotation, type) and issubclass(annotation, dt.date):
        return FieldKind("date")
    return FieldKind("mapping")


def field_kinds(cls: type[Event]) -> dict[str, FieldKind]:
    """Each field of ``cls`` (common fields included) with the kind conditions see."""
    kinds = {}
    for name, info in cls.model_fields.items():
        kind = _kind_of(info.annotation)
        kinds[name] = FieldKind(kind.kind, required=kind.required and info.is_required(), enum=kind.enum)
    return kinds


def thread_field(cls: type[Event]) -> str | None:
    """The field whose value ties events of ``cls`` into a thread, or ``None`` (each event stands alone)."""
    declared = getattr(cls, "__thread_field__", None)
    if declared:
        return str(declared)
    for name in THREAD_FIELDS:
        info = cls.model_fields.get(name)
        if info is not None and info.is_required():
            return name
    return None


_SCALARS: dict[str, Any] = {
    "string": str,
    "integer": StrictInt,
    "number": StrictInt | StrictFloat,
    "boolean": StrictBool,
    "datetime": dt.datetime,
    "date": dt.date,
    "duration": Duration,
}


def _annotation(spec: FieldSpec) -> Any:
    if spec.type == "list":
        item = _SCALARS[spec.of or "string"]
        return list[item]  # type: ignore[valid-type]  # a type made at run time from the ruleset
    if spec.enum is not None:
        return Literal[tuple(spec.enum)]
    return _SCALARS[spec.type]


def build_event_model(name: str, spec: EventTypeSpec) -> type[Event]:
    """An Event subclass for a type a ruleset declares (e.g. ``document.step``)."""
    fields: dict[str, Any] = {"type": (Literal[name], name)}
    for field_name, declared in spec.fields.items():
        field_spec = declared if isinstance(declared, FieldSpec) else FieldSpec(type=declared)
        annotation = _annotation(field_spec)
        description = field_spec.description
        if field_spec.required:
            fields[field_name] = (annotation, Field(description=description))
        else:
            fields[field_name] = (annotation | None, Field(default=None, description=description))
    class_name = "".join(part.capitalize() for part in name.replace("_", ".").split("."))
    title = spec.title if isinstance(spec.title, str) else (spec.title.zh if spec.title else name)
    model = create_model(
        class_name,
        __base__=Event,
        __doc__=f"{title} (declared by a ruleset).",
        __module__="efficiency_rules.declared",
        **fields,
    )
    model.__thread_field__ = spec.thread  # type: ignore[attr-defined]  # read back by thread_field()
    return model
