"""The event types a reader accepts, and reading one event.

Reading is one pydantic ``TypeAdapter`` over the discriminated union of the registry's types:
JSON text goes straight to ``validate_json`` (no ``json.loads`` first), so a good event costs one
pass in pydantic-core. Everything else — naming the event and field in an error, suggestions,
attaching a default timezone to offset-less times — happens only after validation has failed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, tzinfo
from functools import lru_cache
from typing import Annotated, Any, ForwardRef, Literal, Union, get_args, get_origin

from pydantic import Field, TypeAdapter, ValidationError

from ._errors import EventError, EventTypeConflictError, EventTypeDefinitionError, echo
from ._events import CORE_EVENT_TYPES, Event, lone_surrogate_field
from ._explain import event_id_of, explain, loads_or_none, unknown_type_error

__all__ = ["EventRegistry", "parse_event"]


class EventRegistry:
    """The event types a reader accepts, by ``type`` name.

    >>> registry = EventRegistry.core()
    >>> @registry.register
    ... class PermitInspected(Event):
    ...     '''A permit holder's premises were inspected (涉企检查).'''
    ...     type: Literal["permit.inspected"] = "permit.inspected"
    ...     permit_id: str
    >>> registry.parse('{"id": "e1", "type": "permit.inspected", "at": "2024-03-01T09:00:00+08:00",'
    ...                ' "permit_id": "p7"}').permit_id
    'p7'

    A registry is an ordinary object, not global state: each portal or test builds its own.
    Registering a type makes the next read rebuild the validator once.
    """

    def __init__(self, types: Iterable[type[Event]] = ()) -> None:
        self._classes: dict[str, type[Event]] = {}
        self._parser: EventParser | None = None
        for cls in types:
            self.register(cls)

    @classmethod
    def core(cls) -> EventRegistry:
        """A new registry holding the core event types (design §5)."""
        return cls(CORE_EVENT_TYPES)

    def register(self, cls: type[Event]) -> type[Event]:
        """Accept events of ``cls``, a subclass of :class:`Event`; returns ``cls``, so it works as a decorator.

        Raises :class:`EventTypeDefinitionError` (a ``TypeError``) when ``cls`` is not an Event subclass, when its ``type`` is not
        declared as a single string Literal, when it drops Event's ``frozen=True,
        extra="forbid"``, or when it declares a plain ``bool`` (use ``pydantic.StrictBool``: pydantic
        would read ``"yes"`` as true); :class:`EventTypeConflictError` (a ``ValueError``) when its type
        name is already registered.
        """
        if not (isinstance(cls, type) and issubclass(cls, Event)):
            raise EventTypeDefinitionError(f"only subclasses of efficiency_rules.Event can be registered, got {cls!r}")
        name = type_name(cls)
        config = cls.model_config
        if config.get("extra") != "forbid" or not config.get("frozen"):
            raise EventTypeDefinitionError(
                f"{cls.__qualname__} must keep Event's model_config (frozen=True, extra='forbid'): "
                "events are facts that do not change, and a misspelt field must be an error"
            )
        for field_name, field in cls.model_fields.items():
            if _lax_bool(field.annotation) and not any(getattr(m, "strict", False) for m in field.metadata):
                raise EventTypeDefinitionError(
                    f"{cls.__qualname__}.{field_name}: declare booleans as pydantic.StrictBool, so that 'yes' or 1 "
                    "is an error as it is in the core types"
                )
        existing = self._classes.get(name)
        if existing is not None:
            raise EventTypeConflictError(
                f"event type {name!r} is already registered (by {existing.__module__}.{existing.__qualname__}); "
                f"cannot register {cls.__module__}.{cls.__qualname__} under the same name"
            )
        self._classes[name] = cls
        self._parser = None
        return cls

    @property
    def types(self) -> tuple[str, ...]:
        """The registered type names, sorted."""
        return tuple(sorted(self._classes))

    def get(self, name: str) -> type[Event] | None:
        """The class registered for type ``name``, or ``None``."""
        return self._classes.get(name)

    def __getitem__(self, name: str) -> type[Event]:
        """The class registered for type ``name``; :class:`UnknownEventTypeError` (a LookupError) if none."""
        try:
            return self._classes[name]
        except KeyError:
            raise unknown_type_error(name, self.types) from None

    def __contains__(self, name: object) -> bool:
        return name in self._classes

    def __iter__(self) -> Iterator[type[Event]]:
        """The registered classes, in order of type name."""
        return iter([self._classes[name] for name in self.types])

    def __len__(self) -> int:
        return len(self._classes)

    def __repr__(self) -> str:
        return f"<EventRegistry of {len(self._classes)} types: {', '.join(self.types)}>"

    def parse(self, data: dict[str, Any] | str | bytes, *, default_tz: tzinfo | None = None) -> Event:
        """Validate one event given as a dict, JSON text or UTF-8 JSON bytes.

        Times must carry a UTC offset; with ``default_tz`` (e.g. ``ZoneInfo("Asia/Shanghai")``)
        times without one are read in that zone instead. Raises :class:`EventError` (or its
        subclasses :class:`UnknownEventTypeError`, :class:`NaiveDatetimeError`) naming the event
        id, the field, the value given and what was expected.
        """
        return self.parser().parse(data, default_tz)

    def parser(self) -> EventParser:
        """The compiled validator for the types registered now (used by the JSON Lines reader)."""
        parser = self._parser
        if parser is None:
            # Sorted by name, so that registries holding the same types share one compiled parser.
            parser = self._parser = _compiled(tuple(self._classes[name] for name in self.types))
        return parser


def parse_event(
    data: dict[str, Any] | str | bytes,
    *,
    registry: EventRegistry | None = None,
    default_tz: tzinfo | None = None,
) -> Event:
    """Validate one event: a core type, or one of ``registry``'s. See :meth:`EventRegistry.parse`.

    >>> parse_event('{"id": "e1", "type": "case.accepted", "at": "2024-03-01T09:00:00+08:00",'
    ...             ' "case_id": "c1"}').case_id
    'c1'
    """
    parser = registry.parser() if registry is not None else core_parser()
    return parser.parse(data, default_tz)


def type_name(cls: type[Event]) -> str:
    """The one string in ``cls.type``'s Literal; ``TypeError`` saying how to declare it otherwise."""
    field = cls.model_fields.get("type")
    annotation = field.annotation if field is not None else None
    args = get_args(annotation) if get_origin(annotation) is Literal else ()
    if isinstance(annotation, (str, ForwardRef)):
        raise EventTypeDefinitionError(
            f"{cls.__qualname__}.type is the unresolved annotation {annotation!r}: pydantic could not resolve it "
            f"where the class was defined; import Literal at module level, or call {cls.__qualname__}.model_rebuild() "
            "with the names it needs, before registering"
        )
    if len(args) != 1 or not isinstance(args[0], str) or not args[0]:
        raise EventTypeDefinitionError(
            f"{cls.__qualname__}.type must be declared as one string Literal, such as "
            f"type: Literal['permit.inspected'] = 'permit.inspected'; got {annotation!r}"
        )
    return args[0]


def core_parser() -> EventParser:
    """The compiled validator for the core types."""
    return _compiled(_CORE_BY_NAME)


_CORE_BY_NAME = tuple(sorted(CORE_EVENT_TYPES, key=type_name))


@lru_cache(maxsize=32)
def _compiled(classes: tuple[type[Event], ...]) -> EventParser:
    # A cache of immutable compiled validators (building one takes tens of milliseconds), not
    # shared mutable state: each registry still owns its own set of types.
    return EventParser(classes)


class EventParser:
    """A validator compiled for a fixed tuple of event classes; immutable once built."""

    #: JSON text or bytes to an event; raises pydantic's ValidationError (the JSON Lines reader calls it directly).
    validate_json: Callable[[str | bytes | bytearray], Event]
    #: A dict (or an event) to an event; raises pydantic's ValidationError.
    validate_python: Callable[[Any], Event]

    def __init__(self, classes: tuple[type[Event], ...]) -> None:
        self.classes: dict[str, type[Event]] = {type_name(cls): cls for cls in classes}
        if classes:
            union = Annotated[Union[classes], Field(discriminator="type")]  # type: ignore[valid-type]  # noqa: UP007 - a union of the classes registered at run time
            # pydantic-core's validator itself: TypeAdapter.validate_json is a Python wrapper that
            # only forwards its default arguments, and costs ~0.4 µs a call (~10% of a line).
            validator = TypeAdapter(union).validator
            self.validate_json = validator.validate_json
            self.validate_python = validator.validate_python
        else:
            self.validate_json = self.validate_python = self._nothing_registered

    def parse(self, data: Any, default_tz: tzinfo | None) -> Event:
        """Validate ``data`` (a dict, JSON text or bytes); a good event is one pydantic call."""
        try:
            if isinstance(data, (str, bytes, bytearray)):
                event = self.validate_json(data)
            else:
                tag = data.get("type") if type(data) is dict else None
                if type(tag) is int and tag.bit_length() > 14_000:  # pydantic-core fails writing it as it looks it up
                    expected = "an event type name: " + ", ".join(sorted(self.classes))
                    raise EventError(f"field 'type': expected {expected}; got {echo(tag)}", event_id=event_id_of(data),
                                     field="type", value=tag, expected=expected)
                event = self.validate_python(data)
        except ValidationError as exc:
            event = self.recover(exc, data, default_tz)
        if not isinstance(data, (str, bytes, bytearray)):
            checked_text(event)  # (JSON text cannot bring a lone surrogate: pydantic's parser refuses one)
        return checked_instant(event)

    def recover(self, exc: ValidationError, data: Any, default_tz: tzinfo | None) -> Event:
        """After ``exc``: the event read with ``default_tz`` attached to offset-less times, or raise EventError."""
        errors = exc.errors()
        if default_tz is not None and any(error["type"] == "timezone_aware" for error in errors):
            obj = loads_or_none(data) if isinstance(data, (str, bytes, bytearray)) else data
            if isinstance(obj, dict):
                for error in errors:
                    if error["type"] == "timezone_aware":  # loc is (type name, field, …)
                        obj = _replace_at(obj, error["loc"][1:], lambda value: _attach_tz(value, default_tz))
                try:
                    return self.validate_python(obj)
                except ValidationError as again:
                    raise explain(again, obj, self.classes) from again
        raise explain(exc, data, self.classes) from exc

    def _nothing_registered(self, data: Any) -> Event:
        obj = loads_or_none(data) if isinstance(data, (str, bytes, bytearray)) else data
        raise unknown_type_error(obj.get("type") if isinstance(obj, dict) else None, (), event_id=event_id_of(obj))


_NAIVE_DATETIME = TypeAdapter(datetime)


def checked_text(event: Event) -> Event:
    """``event``, if every text field can be written as UTF-8; else an :class:`EventError` naming the
    field. A lone surrogate, accepted, would make a snapshot or a report fail later."""
    name = lone_surrogate_field(event)
    if name is None:
        return event
    raise EventError(f"field {name!r}: it holds a lone surrogate, which UTF-8 text cannot hold", event_id=event.id,
                     field=name, expected="text that UTF-8 can hold")


def checked_instant(event: Event) -> Event:
    """``event``, if its time can be read in any time zone (years 2 to 9998); else an :class:`EventError`.

    Python's datetimes end at years 1 and 9999: a time at either end cannot be converted to UTC or
    to a ruleset's zone, and no portal records one.
    """
    if 1 < event.at.year < 9999:
        return event
    text = event.at.isoformat()
    raise EventError(
        f"field 'at': {text} is outside the years a time can be converted in (2 to 9998): "
        "check the year (a placeholder such as 0001-01-01 or 9999-12-31 is not a time something happened)",
        event_id=event.id, field="at", value=text, expected="a time in the years 2 to 9998",
    )


def _lax_bool(annotation: Any) -> bool:
    """Whether a plain ``bool`` (which pydantic reads "yes" into) is in ``annotation``: alone, optional, in a list…"""
    if annotation is bool:
        return True
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Literal:
        return False
    if origin is Annotated:
        return not any(getattr(meta, "strict", False) for meta in args[1:]) and _lax_bool(args[0])
    return any(_lax_bool(arg) for arg in args)


def _replace_at(obj: Any, path: tuple[Any, ...], change: Any) -> Any:
    """A copy of ``obj`` with the value at ``path`` replaced by ``change(value)``; ``obj`` is not modified."""
    if not path:
        return change(obj)
    head, rest = path[0], path[1:]
    if isinstance(obj, dict) and head in obj:
        copy: Any = dict(obj)
    elif isinstance(obj, list) and isinstance(head, int) and -len(obj) <= head < len(obj):
        copy = list(obj)
    else:
        return obj
    copy[head] = _replace_at(obj[head], rest, change)
    return copy


def _attach_tz(value: Any, default_tz: tzinfo) -> Any:
    """A naive time (text or datetime) read in ``default_tz``; anything unreadable is left for pydantic to report."""
    try:
        naive = _NAIVE_DATETIME.validate_python(value)
    except ValidationError:
        return value
    if naive.tzinfo is not None:
        return naive
    localize = getattr(default_tz, "localize", None)  # a pytz zone must not be attached with replace()
    return localize(naive) if callable(localize) else naive.replace(tzinfo=default_tz)
