"""Reading events from JSON Lines, one line at a time, as portals log them.

Each line goes straight to pydantic's ``validate_json`` (bytes in, event out). Errors carry the
file and the 1-based line number; with an ``errors`` list they are collected and reading goes on,
so no line is ever lost without a trace.

Dedupe, and why it costs almost nothing
---------------------------------------
A repeated id must be skipped when its content is the same and be an error when it differs,
where "the same" means the same *validated* content (:func:`content_digest`: key order,
whitespace, string escapes and time notation do not matter). Computing that canonical digest
for every line would cost about twice as much as validating the line (a Python ``json.dumps``
with sorted keys: ~7 µs against ~3.5 µs), so when the source can be read again — a path, or a
seekable binary file — the reader keeps, per id, only Python's ``hash()`` of the raw line and
where the line is, packed into one int:

* first time an id is seen: store hash, byte offset and line number;
* the same id again with the same raw bytes: a duplicate, skipped. (Only two lines carrying the
  same id are ever compared; they collide with probability 2**-64. ``hash`` of bytes is SipHash
  with a per-process random key, so collisions cannot be crafted unless PYTHONHASHSEED is fixed);
* the same id with different bytes (another key order or spacing — or a real conflict): seek
  back, read the first line again, validate it, compare canonical digests, and seek forward
  again. Only here is the canonical form computed, and only for the rare re-sent events.

Measured by ``tests/benchmarks/bench_events.py`` (200k events, 2 cores): dedupe costs ~0.9 µs a
line, nearly all of it the dict entry for the id, which any dedupe needs.

A source that cannot be read again (a pipe, a text-mode file, a generator of lines) keeps the
canonical digest of every event instead (:class:`Deduplicator`): just as correct, about 4x
slower; pass a path or a file opened in binary mode to get the fast path.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable, Iterator
from datetime import tzinfo
from typing import IO, Any, Protocol, cast

from pydantic import ValidationError

from ._dedupe import Deduplicator, content_digest, duplicate_conflict
from ._errors import DateNotCoveredError, DuplicateEventError, EventError
from ._events import Event
from ._registry import EventParser, EventRegistry, checked_instant, core_parser

__all__ = ["EventLines", "place_error", "read_events"]


class Readable(Protocol):
    """A file-like object with at least ``readline`` (returning ``""`` or ``b""`` at the end)."""

    def readline(self) -> bytes | str: ...


Source = str | os.PathLike[str] | IO[bytes] | IO[str] | Iterable[bytes] | Iterable[str] | Readable

# Packed per-id record for re-readable sources: hash of the raw line (64 bits) | byte offset of the
# line (48 bits: files up to 256 TiB) | line number (40 bits). One int instead of a tuple of three
# saves ~110 bytes per id.
_LINE_BITS, _OFFSET_BITS = 40, 48
_HASH_SHIFT = _LINE_BITS + _OFFSET_BITS
_LINE_MASK, _OFFSET_MASK, _HASH_MASK = (1 << _LINE_BITS) - 1, (1 << _OFFSET_BITS) - 1, (1 << 64) - 1
_BOM_BYTES = b"\xef\xbb\xbf"
_BOM: dict[type, Any] = {bytes: _BOM_BYTES, str: "\ufeff"}


def read_events(
    source: Source,
    *,
    registry: EventRegistry | None = None,
    default_tz: tzinfo | None = None,
    errors: list[EventError] | None = None,
    dedupe: bool = True,
) -> EventLines:
    """The events in a JSON Lines ``source``, lazily, one line at a time.

    ``source`` is a path or an open file (binary or text; a path or a binary file is faster, see
    the module notes), or any iterable of lines. Blank lines are skipped. Every error names the
    file and the 1-based line (counted from where an open file stood). With ``errors`` (a list),
    each bad line's :class:`EventError` is appended and reading continues; without it the first
    bad line raises. With ``dedupe`` (the default), a line repeating an earlier event's id and
    content is skipped, and one repeating the id with other content is a
    :class:`DuplicateEventError` naming both lines (collected in ``errors`` like any bad line).
    To do so it remembers every id of the source (about a hundred bytes each): a stream that must
    keep its memory bounded passes ``dedupe=False`` and lets the session check ids (it remembers
    those of the threads it holds, see :class:`Session`).
    ``registry`` and ``default_tz`` are as for :func:`parse_event`.

    Nothing is read until the first event is asked for. A file opened from a path is closed when
    the iterator is exhausted or closed; an open file stays the caller's (the reader may seek back
    in it to read a line again, and puts it back where it was).
    """
    if isinstance(source, (bytes, bytearray)):
        raise TypeError("read_events() takes a path or an open file; wrap JSON Lines held in memory in io.BytesIO")
    if not isinstance(source, (str, os.PathLike)) and not (
        hasattr(source, "__iter__") or callable(getattr(source, "readline", None))
    ):
        raise TypeError(f"read_events() takes a path or an open file, got {type(source).__name__}")
    parser = registry.parser() if registry is not None else core_parser()
    lines = EventLines()
    lines._events = _read(source, parser, default_tz, errors, dedupe, lines)
    return lines


class EventLines(Iterator[Event]):
    """The events of a JSON Lines source, read lazily, each knowing the file and line it came from.

    ``line_of(event_id)`` is the 1-based line of an event read (every one while ids are remembered
    for ``dedupe``, else the latest), so that a problem found later, while judging, can name it.
    """

    def __init__(self) -> None:
        self.source: str | None = None
        self.line: int | None = None  # the line of the latest event read
        self._events: Iterator[Event] = iter(())
        self._last: str | None = None
        self._records: dict[str, int] | None = None

    def __iter__(self) -> Iterator[Event]:  # noqa: PYI034 - a loop draws from the reading itself, no call of ours per event
        return self._events

    def __next__(self) -> Event:
        return next(self._events)

    def close(self) -> None:
        """Stop reading (a file opened from a path is closed)."""
        close = getattr(self._events, "close", None)
        if close is not None:
            close()

    def line_of(self, event_id: str) -> int | None:
        """The line the event ``event_id`` was read from, when known."""
        if event_id == self._last:
            return self.line
        record = None if self._records is None else self._records.get(event_id)
        return None if record is None else record & _LINE_MASK


def place_error(error: BaseException, events: object) -> None:
    """Name the file line of the event an error found while judging names, when ``events`` were read from a file."""
    line_of = getattr(events, "line_of", None)
    event_id = getattr(error, "event_id", None)
    if line_of is None or not isinstance(event_id, str) or getattr(error, "line", None) is not None:
        return
    line = line_of(event_id)
    if line is None:
        return
    source = getattr(events, "source", None)
    if isinstance(error, DateNotCoveredError):
        error.for_event(line=line, source=source)
    elif isinstance(error, EventError):
        error.at_line(line, source)


def _read(
    source: Source, parser: EventParser, default_tz: tzinfo | None, errors: list[EventError] | None, dedupe: bool,
    where: EventLines,
) -> Iterator[Event]:
    if isinstance(source, (str, os.PathLike)):
        where.source = os.fsdecode(source)
        with open(source, "rb", buffering=1 << 16) as file:
            yield from _read_lines(file, os.fsdecode(source), file, 0, parser, default_tz, errors, dedupe, where)
        return
    name = getattr(source, "name", None)
    name = name if isinstance(name, str) else None
    where.source = name
    reread_from = cast("IO[bytes]", source) if _rereadable(source) else None
    start = reread_from.tell() if reread_from is not None else 0
    lines: Iterable[bytes | str] = source if isinstance(source, Iterable) else _readline_iter(source)
    yield from _read_lines(lines, name, reread_from, start, parser, default_tz, errors, dedupe, where)


def _read_lines(
    lines: Iterable[bytes | str],
    name: str | None,
    reread_from: IO[bytes] | None,
    start: int,
    parser: EventParser,
    default_tz: tzinfo | None,
    errors: list[EventError] | None,
    dedupe: bool,
    where: EventLines | None = None,
    first_line: int = 1,
) -> Iterator[Event]:
    validate = parser.validate_json
    raw_seen: dict[str, int] | None = {} if dedupe and reread_from is not None else None
    if where is not None:
        where._records = raw_seen
    deduplicator = Deduplicator() if dedupe and reread_from is None else None
    offset = start
    for number, line in enumerate(lines, first_line):
        here = offset
        offset += len(line)
        try:
            event = validate(line)
        except ValidationError as exc:
            try:
                recovered = _after_failure(parser, exc, line, number, default_tz)
            except EventError as error:
                _report(error.at_line(number, name), errors)
                continue
            if recovered is None:  # a blank line
                continue
            event = recovered
        if not 1 < event.at.year < 9999:
            try:
                checked_instant(event)
            except EventError as error:
                _report(error.at_line(number, name), errors)
                continue
        if raw_seen is not None:
            digest = hash(line) & _HASH_MASK
            record = raw_seen.get(event.id)
            if record is None:
                raw_seen[event.id] = digest << _HASH_SHIFT | here << _LINE_BITS | number
            elif record >> _HASH_SHIFT == digest:
                continue  # the very same line again
            else:
                first = _reread(reread_from, (record >> _LINE_BITS) & _OFFSET_MASK, parser, default_tz)  # type: ignore[arg-type]  # raw_seen is kept only for a source read again
                if content_digest(first) == content_digest(event):
                    continue  # the same event written differently
                conflict = duplicate_conflict(event, first=first, first_where=record & _LINE_MASK, where=number)
                _report(conflict.at_line(number, name), errors)
                continue
        elif deduplicator is not None:
            try:
                if not deduplicator.check(event, where=number):
                    continue
            except DuplicateEventError as conflict:
                _report(conflict.at_line(number, name), errors)
                continue
        if where is not None:
            where.line, where._last = number, event.id
        yield event


def _report(error: EventError, errors: list[EventError] | None) -> None:
    """Collect ``error`` when the caller gave a list, else raise it."""
    if errors is None:
        raise error
    errors.append(error)


def _after_failure(
    parser: EventParser, exc: ValidationError, line: bytes | str, number: int, default_tz: tzinfo | None
) -> Event | None:
    """The slow path for a line pydantic rejected: ``None`` if blank, an event if recoverable, else EventError."""
    if not line.strip():
        return None
    bom = _BOM.get(type(line))
    if number == 1 and bom is not None and line.startswith(bom):
        return parser.parse(line[len(bom) :], default_tz)
    if exc.errors()[0]["type"] == "json_invalid":
        # Again without the line ending, so that the position is the one within this line.
        return parser.parse(line.rstrip(), default_tz)
    return parser.recover(exc, line, default_tz)


def _reread(file: IO[bytes], offset: int, parser: EventParser, default_tz: tzinfo | None) -> Event:
    """The event on the line at ``offset`` of ``file``, leaving the file where it was."""
    back = file.tell()
    try:
        file.seek(offset)
        line = file.readline()
    finally:
        file.seek(back)
    line = line.removeprefix(_BOM_BYTES)
    return parser.parse(line, default_tz)


def _rereadable(source: Any) -> bool:
    """Whether ``source`` is a binary file we can seek back in (to read a line again)."""
    if isinstance(source, io.TextIOBase) or not isinstance(source, (io.BufferedIOBase, io.RawIOBase)):
        return False
    try:
        return bool(source.seekable()) and isinstance(source.tell(), int)
    except (OSError, ValueError):
        return False


def _readline_iter(source: Readable) -> Iterator[bytes | str]:
    while line := source.readline():
        yield line
