"""Idempotence (design §2): the same event id twice with the same content is one event.

Content is compared on the *validated* event, so key order, whitespace, string escapes and the
way a time is written (``01:00Z`` or ``09:00+08:00`` for the same instant) do not matter; a
repeat with different content is a :class:`DuplicateEventError`. Only a short digest of each
event is kept, never the event itself.
"""

from __future__ import annotations

import hashlib
import json
import operator
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from decimal import Decimal
from enum import Enum
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic_core import to_jsonable_python

from ._duration import Duration
from ._errors import DuplicateEventError
from ._events import Event

__all__ = ["Deduplicator", "content_digest", "duplicate_conflict", "fingerprint", "fingerprint_digest"]


class Deduplicator:
    """Remembers the event ids seen so far and a digest of each event's content.

    >>> from efficiency_rules._events import CaseAccepted
    >>> dedupe = Deduplicator()
    >>> event = CaseAccepted(id="e1", at="2024-03-01T09:00:00+08:00", case_id="c1")
    >>> dedupe.check(event, where=1), dedupe.check(event, where=2)
    (True, False)

    :meth:`check` says whether an event is new; a repeat of an id with other content raises
    :class:`DuplicateEventError` naming both places (``where``: a line number, or any label
    such as ``"events[3]"``). Memory per id is the id, an 8-byte digest and ``where``.
    """

    __slots__ = ("_seen",)

    def __init__(self) -> None:
        self._seen: dict[str, tuple[bytes, int | str | None]] = {}

    def check(self, event: Event, where: int | str | None = None) -> bool:
        """``True`` for a new event, ``False`` for a repeat with the same content; raises on a conflict."""
        digest = content_digest(event)
        seen = self._seen.get(event.id)
        if seen is None:
            self._seen[event.id] = (digest, where)
            return True
        if seen[0] == digest:
            return False
        raise duplicate_conflict(event, first=None, first_where=seen[1], where=where)

    def __contains__(self, event_id: object) -> bool:
        return event_id in self._seen

    def __len__(self) -> int:
        return len(self._seen)


def content_digest(event: Event) -> bytes:
    """An 8-byte digest of what ``event`` says; equal for events that differ only in how they were written.

    The canonical form is JSON of the validated fields with sorted keys and times in UTC.
    """
    text = json.dumps(event.__dict__, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_canonical)
    return hashlib.blake2b(text.encode(), digest_size=8).digest()


def fingerprint(event: Event, at: float | None = None) -> tuple[Any, ...]:
    """What ``event`` says, as a tuple of plain values: cheap to make, and holding none of the event's objects.

    Two events of one class have equal fingerprints exactly when they say the same: times as
    instants (``01:00Z`` and ``09:00+08:00`` are one), mappings whatever their key order,
    ``true`` never equal to ``1``. A session keeps one per event of an open thread, to tell a
    repeat from a conflict: made of strings, numbers and tuples, it costs the garbage collector
    nothing, where the event itself (a model, its dicts and its time zone) would be traced again
    at every collection. ``at``: the event's POSIX timestamp, when the caller has it already.

    >>> from efficiency_rules._events import CaseAccepted
    >>> fingerprint(CaseAccepted(id="e1", at="2024-03-01T09:00:00+08:00", case_id="c1"))
    (('e1', 'case.accepted', None, None, 'c1', None), 1709254800.0, ('map',))
    """
    cls = type(event)
    shape = cls.__dict__.get(_SHAPE)
    if shape is None:
        shape = _shape(cls)
        setattr(cls, _SHAPE, shape)  # on the class itself: it goes when the class goes
    plain, other, others, _ = shape
    values = event.__dict__
    instant = values["at"].timestamp() if at is None else at
    if others == 1:
        return (plain(values), instant, _frozen(other(values)))
    return (plain(values), instant, *map(_frozen, other(values)))


def fingerprint_digest(print_: tuple[Any, ...]) -> bytes:
    """An 8-byte digest of a :func:`fingerprint`, the same in every process (for snapshots)."""
    return hashlib.blake2b(repr(print_).encode(), digest_size=8).digest()


_PLAIN = frozenset((str, int, float, type(None)))
_EMPTY_MAP = ("map",)
_Getter = Callable[[dict[str, Any]], Any]
# a getter of the fields always a string, number or null; a getter of the others but 'at'; how many; the layout's names
_Shape = tuple[_Getter, _Getter, int, tuple[Any, ...]]
_SHAPE = "__fingerprint_shape__"  # the class attribute that holds a class's shape


def _shape(cls: type[Event]) -> _Shape:
    """How to take ``cls``'s fields apart: the always-plain ones as one tuple; the others (but ``at``), to freeze."""
    plain = [name for name, info in cls.model_fields.items() if _always_plain(info.annotation)]
    others = [name for name in cls.model_fields if name not in plain and name != "at"]
    return _getter(plain, as_tuple=True), _getter(others, as_tuple=len(others) != 1), len(others), (tuple(plain), *others)


def _differing(cls: type[Event], first: tuple[Any, ...], second: tuple[Any, ...]) -> list[str]:
    """The fields in which two fingerprints of ``cls`` differ, in the class's order."""
    if len(first) != len(second) or len(first[0]) != len(second[0]):
        return ["type"]  # another class altogether
    plain, *others = cls.__dict__[_SHAPE][3]
    names = [name for name, a, b in zip(plain, first[0], second[0], strict=True) if repr(a) != repr(b)]
    names += [name for name, a, b in zip(["at", *others], first[1:], second[1:], strict=True) if repr(a) != repr(b)]
    return [name for name in cls.model_fields if name in names]


def _getter(names: list[str], *, as_tuple: bool) -> _Getter:
    if len(names) == 1 and as_tuple:
        name = names[0]
        return lambda values: (values[name],)
    return operator.itemgetter(*names) if names else (lambda values: ())


def _always_plain(annotation: Any) -> bool:
    """Whether a field of this type always holds a string, an int, a float or None (never a bool)."""
    if annotation in _PLAIN:
        return True
    origin = get_origin(annotation)
    if origin is Literal:
        return all(type(value) in _PLAIN for value in get_args(annotation))
    if origin is Annotated:
        return _always_plain(get_args(annotation)[0])
    if origin is Union or origin is UnionType:
        return all(_always_plain(arg) for arg in get_args(annotation))
    return False


def _frozen(value: Any) -> Any:
    """A plain, hashable stand-in for a field value that is not a string, number or null."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is dict and not value:
        return _EMPTY_MAP
    if isinstance(value, datetime):
        return value.isoformat() if value.tzinfo is None or value.utcoffset() is None else value.timestamp()
    if kind is bool:
        return ("bool", value)
    if isinstance(value, dict):
        return ("map", *sorted((str(key), _frozen(item)) for key, item in value.items()))
    if isinstance(value, (list, tuple)):
        return ("list", *[_frozen(item) for item in value])
    if isinstance(value, BaseModel):
        return ("model", *[_frozen(item) for item in value.__dict__.values()])
    if isinstance(value, (set, frozenset)):
        return ("set", *sorted((_frozen(item) for item in value), key=repr))
    return ("value", kind.__name__, json.dumps(_canonical(value), sort_keys=True, ensure_ascii=False, default=_canonical))


def duplicate_conflict(
    second: Event,
    *,
    first: Event | None,
    first_where: int | str | None,
    where: int | str | None,
    first_print: tuple[Any, ...] | None = None,
) -> DuplicateEventError:
    """The error for ``second`` reusing the id of an earlier event (``first``, or its fingerprint, when at hand)."""
    differs = ""
    names: list[str] = []
    if first is not None:
        names = [name for name in {**first.__dict__, **second.__dict__} if _field(first, name) != _field(second, name)]
    elif first_print is not None:
        names = _differing(type(second), first_print, fingerprint(second))
    if names:
        differs = f" (differs in {', '.join(map(repr, names))})"
    return DuplicateEventError(
        f"same id as {_place(first_where)} but different content{differs}",
        event_id=second.id,
        line=where if isinstance(where, int) else None,
        first=first,
        second=second,
    )


def _field(event: Event, name: str) -> Any:
    return event.__dict__.get(name)


def _place(where: int | str | None) -> str:
    if isinstance(where, int):
        return f"line {where}"
    return where if where is not None else "an earlier event"


def _canonical(value: Any) -> Any:
    """JSON for what ``json.dumps`` cannot write itself (called only for such values)."""
    if isinstance(value, datetime):
        if value.utcoffset() is not None:
            value = value.astimezone(UTC)
        return value.isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, BaseModel):
        return value.__dict__
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    if isinstance(value, Decimal):
        return str(value.normalize())
    if isinstance(value, Duration):
        return str(value)  # normalised text: 2.50wd and 2.5wd are both "2.5wd"
    return to_jsonable_python(value)
