"""Idempotence (design §2): the same event id twice with the same content is one event.

Content is compared on the *validated* event, so key order, whitespace, string escapes and the
way a time is written (``01:00Z`` or ``09:00+08:00`` for the same instant) do not matter; a
repeat with different content is a :class:`DuplicateEventError`. Only a short digest of each
event is kept, never the event itself.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, time, timezone
from decimal import Decimal
from enum import Enum
from typing import Any

from pydantic import BaseModel
from pydantic_core import to_jsonable_python

from ._duration import Duration
from ._errors import DuplicateEventError
from ._events import Event

__all__ = ["Deduplicator", "content_digest", "duplicate_conflict"]


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


def duplicate_conflict(
    second: Event, *, first: Event | None, first_where: int | str | None, where: int | str | None
) -> DuplicateEventError:
    """The error for ``second`` reusing the id of an earlier event (``first``, when it is at hand)."""
    differs = ""
    if first is not None:
        names = [name for name in {**first.__dict__, **second.__dict__} if _field(first, name) != _field(second, name)]
        differs = f" (differs in {', '.join(map(repr, names))})" if names else ""
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
            value = value.astimezone(timezone.utc)
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
