"""Reading JSON Lines: line numbers in errors, collecting errors, dedupe, laziness."""

from __future__ import annotations

import io
import json
import tracemalloc
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import IO, Any, Literal
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from efficiency_rules import (
    CaseAccepted,
    Deduplicator,
    DuplicateEventError,
    Event,
    EventError,
    EventRegistry,
    NaiveDatetimeError,
    UnknownEventTypeError,
    _jsonl,
    parse_event,
    read_events,
)
from efficiency_rules._dedupe import content_digest, fingerprint, fingerprint_digest

DATA = Path(__file__).parent / "data" / "events"
# mixed.jsonl, line by line: 1 e1 ok | 2 e2 ok | 3 blank | 4 bad boolean | 5 unknown type | 6 invalid JSON |
# 7 naive time | 8 e1 again, same text | 9 e2 again, other key order, spacing and offset | 10 e2 again,
# other case_id | 11 e7 ok
MIXED = DATA / "mixed.jsonl"
ERROR_LINES = [4, 5, 6, 7, 10]


def line(id_: str, **fields: Any) -> str:
    data = {"id": id_, "type": "case.accepted", "at": "2024-03-01T10:00:00+08:00", "case_id": "c1", **fields}
    return json.dumps(data, ensure_ascii=False) + "\n"


def ids(events: Iterator[Event]) -> list[str]:
    return [event.id for event in events]


# Every way of handing the reader the same file; names are what errors show as the source.
SOURCES: dict[str, Callable[[Path], Any]] = {
    "path": lambda p: p,
    "str path": lambda p: str(p),
    "binary file": lambda p: p.open("rb"),
    "text file": lambda p: p.open("r", encoding="utf-8"),
    "BytesIO": lambda p: io.BytesIO(p.read_bytes()),
    "list of str": lambda p: p.read_text(encoding="utf-8").splitlines(keepends=True),
    "generator of bytes": lambda p: iter(p.read_bytes().splitlines(keepends=True)),
}


@pytest.mark.parametrize("kind", list(SOURCES))
def test_collects_every_bad_line_and_goes_on(kind: str) -> None:
    errors: list[EventError] = []
    source = SOURCES[kind](MIXED)
    try:
        assert ids(read_events(source, errors=errors)) == ["e1", "e2", "e7"]
    finally:
        if hasattr(source, "close"):
            source.close()
    assert [e.line for e in errors] == ERROR_LINES
    assert [type(e) for e in errors] == [
        EventError,
        UnknownEventTypeError,
        EventError,
        NaiveDatetimeError,
        DuplicateEventError,
    ]
    named = kind in ("path", "str path", "binary file", "text file")
    assert {e.source for e in errors} == ({str(MIXED)} if named else {None})
    where = str(MIXED) if named else "<events>"
    assert str(errors[0]) == f"{where}:4, event 'e3': field 'in_scope': expected a boolean (true or false), got 'yes'"
    assert str(errors[1]).startswith(
        f"{where}:5, event 'e4': unknown event type 'case.acepted' — did you mean 'case.accepted'?"
    )
    assert str(errors[2]) == f"{where}:6: invalid JSON: EOF while parsing a value at column 38"
    assert str(errors[3]).startswith(
        f"{where}:7, event 'e6': field 'at': time '2024-03-05T16:00:00' has no UTC offset;"
    )
    # The conflict names the id and both lines; a re-readable source also says what differs.
    rereadable = kind in ("path", "str path", "binary file", "BytesIO")
    differs = " (differs in 'case_id')" if rereadable else ""
    assert str(errors[4]) == f"{where}:10, event 'e2': same id as line 2 but different content{differs}"


def test_first_bad_line_raises_after_the_good_ones() -> None:
    seen: list[str] = []
    with pytest.raises(EventError) as info:
        for event in read_events(MIXED):
            seen.append(event.id)
    assert seen == ["e1", "e2"]
    error = info.value
    assert str(error) == f"{MIXED}:4, event 'e3': field 'in_scope': expected a boolean (true or false), got 'yes'"
    assert (error.line, error.source, error.event_id, error.field) == (4, str(MIXED), "e3", "in_scope")
    assert isinstance(error.__cause__, ValidationError)
    assert error.errors()[0]["type"] == "bool_type"


def test_conflicting_duplicate_raises_naming_both_lines(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text(line("e1") + line("e2") + line("e1", case_id="c2"), encoding="utf-8")
    with pytest.raises(DuplicateEventError) as info:
        list(read_events(path))
    error = info.value
    assert str(error) == f"{path}:3, event 'e1': same id as line 1 but different content (differs in 'case_id')"
    assert (error.line, error.event_id) == (3, "e1")
    assert isinstance(error.first, CaseAccepted) and error.first.case_id == "c1"
    assert isinstance(error.second, CaseAccepted) and error.second.case_id == "c2"


def test_duplicates_with_the_same_content_are_skipped_however_written(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    first = line("e1", meta={"a": 1, "b": {"x": 1, "y": 2}})
    reordered = json.dumps(
        {
            "meta": {"b": {"y": 2, "x": 1}, "a": 1},
            "case_id": "c1",
            "at": "2024-03-01T02:00:00Z",
            "type": "case.accepted",
            "id": "e1",
        }
    )
    escaped = line("e1", meta={"a": 1, "b": {"x": 1, "y": 2}}).replace('"c1"', '"\\u0063\\u0031"')
    path.write_text(first + reordered + "\r\n" + escaped + "  \n" + first + line("e2"), encoding="utf-8")
    for source in (path, io.StringIO(path.read_text(encoding="utf-8"))):
        errors: list[EventError] = []
        assert ids(read_events(source, errors=errors)) == ["e1", "e2"]
        assert errors == []


def test_dedupe_can_be_turned_off() -> None:
    errors: list[EventError] = []
    assert ids(read_events(MIXED, errors=errors, dedupe=False)) == ["e1", "e2", "e1", "e2", "e2", "e7"]
    assert [e.line for e in errors] == [4, 5, 6, 7]


def test_rereading_a_first_occurrence_respects_where_the_file_started(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    header = b'{"this line": "was read by the caller"}\n'
    path.write_bytes(
        header + line("e1").encode() + line("e2").encode() + line("e1", case_id="c2").encode() + line("e3").encode()
    )
    with path.open("rb") as file:
        file.readline()
        errors: list[EventError] = []
        assert ids(read_events(file, errors=errors)) == ["e1", "e2", "e3"]
    assert [str(e) for e in errors] == [
        f"{path}:3, event 'e1': same id as line 1 but different content (differs in 'case_id')"
    ]


def test_blank_lines_crlf_and_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + line("e1").encode() + b"\r\n   \n\t\r\n" + line("e2").encode().rstrip(b"\n"))
    assert ids(read_events(path)) == ["e1", "e2"]
    with path.open("r", encoding="utf-8") as file:  # the BOM is kept by the utf-8 codec
        assert ids(read_events(file)) == ["e1", "e2"]


def test_error_lines_count_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text("\n\n" + line("e1") + "\n" + line("e2", case_id=""), encoding="utf-8")
    with pytest.raises(EventError) as info:
        list(read_events(path))
    assert str(info.value) == f"{path}:5, event 'e2': field 'case_id': expected a non-empty string, got ''"


def test_default_tz_applies_to_every_line(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text(line("e1", at="2024-03-01T09:00:00") + line("e1", at="2024-03-01T01:00:00Z"), encoding="utf-8")
    events = list(read_events(path, default_tz=ZoneInfo("Asia/Shanghai")))
    assert len(events) == 1  # the same instant written two ways is one event
    assert events[0].at.utcoffset() == timedelta(hours=8)


def test_custom_types_through_the_reader(tmp_path: Path) -> None:
    registry = EventRegistry.core()

    @registry.register
    class SealUsed(Event):
        """A seal was used (用印)."""

        type: Literal["seal.used"] = "seal.used"
        document: str

    path = tmp_path / "events.jsonl"
    path.write_text(
        json.dumps({"id": "s1", "type": "seal.used", "at": "2024-03-01T09:00:00+08:00", "document": "d1"})
        + "\n"
        + json.dumps({"id": "s2", "type": "seal.used", "at": "2024-03-01T09:00:00+08:00", "documnet": "d1"})
        + "\n",
        encoding="utf-8",
    )
    errors: list[EventError] = []
    assert ids(read_events(path, registry=registry, errors=errors)) == ["s1"]
    assert [str(e) for e in errors] == [
        f"{path}:2, event 's2': 2 problems: field 'document': missing (expected a string); "
        "field 'documnet': unknown field for seal.used — did you mean 'document'?"
    ]
    with pytest.raises(UnknownEventTypeError):
        list(read_events(path))


# --- laziness and memory ------------------------------------------------------------------------


class LinesOnly:
    """A file-like object that can only be iterated; ``read`` is forbidden. Counts the lines handed out."""

    def __init__(self, lines: list[bytes]) -> None:
        self._lines = lines
        self.taken = 0

    def read(self, *args: Any) -> bytes:
        raise AssertionError("read() must not be called: the reader goes line by line")

    def __iter__(self) -> Iterator[bytes]:
        for item in self._lines:
            self.taken += 1
            yield item


class ReadlineOnly:
    """A file-like object with nothing but ``readline``."""

    def __init__(self, lines: list[str]) -> None:
        self._lines = iter(lines)

    def readline(self) -> str:
        return next(self._lines, "")


def test_the_reader_is_lazy() -> None:
    source = LinesOnly([line(f"e{n}").encode() for n in range(1, 1001)])
    events = read_events(source)
    assert source.taken == 0
    assert isinstance(events, Iterator)
    assert next(events).id == "e1"
    assert source.taken == 1
    assert next(events).id == "e2"
    assert source.taken == 2


def test_a_path_is_not_opened_until_iteration(tmp_path: Path) -> None:
    events = read_events(tmp_path / "not yet.jsonl")
    (tmp_path / "not yet.jsonl").write_text(line("e1"), encoding="utf-8")
    assert ids(events) == ["e1"]


def test_a_readline_only_source() -> None:
    assert ids(read_events(ReadlineOnly([line("e1"), "\n", line("e2")]))) == ["e1", "e2"]


def test_memory_does_not_grow_with_the_events_read() -> None:
    # 20 000 distinct events: the reader may keep a small record per id (~150 bytes), never the events
    # (~2 KB each with their datetimes, dicts and strings).
    n = 20_000
    padding = "x" * 200
    source = (line(f"event-{i:06d}", meta={"note": padding}).encode() for i in range(n))
    tracemalloc.start()
    try:
        for _ in read_events(source):
            pass
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < n * 400


def test_only_paths_and_files_are_sources() -> None:
    with pytest.raises(TypeError, match=r"wrap JSON Lines held in memory in io\.BytesIO$"):
        read_events(line("e1").encode())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"^read_events\(\) takes a path or an open file, got int$"):
        read_events(42)  # type: ignore[arg-type]


# --- Deduplicator, for events already in memory ---------------------------------------------------


def test_deduplicator_for_in_memory_events() -> None:
    dedupe = Deduplicator()
    first = parse_event(line("e1", meta={"a": 1, "b": 2}))
    same = parse_event(
        '{"meta": {"b": 2, "a": 1}, "case_id": "c1", "at": "2024-03-01T02:00:00Z", "type": "case.accepted", "id": "e1"}'
    )
    other = parse_event(line("e1", case_id="c2"))
    assert dedupe.check(first, where="events[0]") is True
    assert dedupe.check(same, where="events[1]") is False
    with pytest.raises(DuplicateEventError) as info:
        dedupe.check(other, where="events[2]")
    assert str(info.value) == "event 'e1': same id as events[0] but different content"
    assert (info.value.first, info.value.second, info.value.line) == (None, other, None)
    assert dedupe.check(parse_event(line("e2")), where=4) is True
    with pytest.raises(DuplicateEventError) as by_line:
        dedupe.check(parse_event(line("e2", case_id="c3")), where=9)
    assert str(by_line.value) == "<events>:9, event 'e2': same id as line 4 but different content"
    assert len(dedupe) == 2
    assert "e1" in dedupe and "e3" not in dedupe


def test_content_digest_ignores_notation_not_content() -> None:
    a = parse_event(line("e1", meta={"k": [1, {"x": 1, "y": 2}]}))
    b = parse_event(line("e1", at="2024-03-01T02:00:00Z", meta={"k": [1, {"y": 2, "x": 1}]}))
    c = parse_event(line("e1", meta={"k": [{"x": 1, "y": 2}, 1]}))
    d = parse_event(line("e1", at="2024-03-01T10:00:01+08:00", meta={"k": [1, {"x": 1, "y": 2}]}))
    assert len(content_digest(a)) == 8
    assert content_digest(a) == content_digest(b)
    assert content_digest(a) != content_digest(c)  # list order is content
    assert content_digest(a) != content_digest(d)



def test_fingerprints_compare_content_like_digests_and_hold_no_event_objects() -> None:
    a = parse_event(line("e1", meta={"k": [1, {"x": 1, "y": 2}]}))
    b = parse_event(line("e1", at="2024-03-01T02:00:00Z", meta={"k": [1, {"y": 2, "x": 1}]}))
    c = parse_event(line("e1", meta={"k": [{"x": 1, "y": 2}, 1]}))
    d = parse_event(line("e1", at="2024-03-01T10:00:01+08:00", meta={"k": [1, {"x": 1, "y": 2}]}))
    e = parse_event(line("e1", meta={"k": [True, {"x": 1, "y": 2}]}))
    assert fingerprint(a) == fingerprint(b) == fingerprint(a, a.at.timestamp())
    assert fingerprint(a) != fingerprint(c)  # list order is content
    assert fingerprint(a) != fingerprint(d)
    assert fingerprint(a) != fingerprint(e)  # true is not 1
    hash(fingerprint(a))

    def plain(value: Any) -> bool:
        return isinstance(value, (str, int, float, type(None))) or (isinstance(value, tuple) and all(map(plain, value)))

    assert plain(fingerprint(a))
    # the digest snapshots store: the same in every process and every version (restores compare against it)
    assert fingerprint_digest(fingerprint(a)).hex() == "b3b6df7cbc9f491a"


def test_files_we_opened_are_closed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text(line("e1") + line("e2"), encoding="utf-8")
    opened: list[IO[bytes]] = []

    def recording_open(*args: Any, **kw: Any) -> IO[bytes]:
        file = open(*args, **kw)  # noqa: SIM115 - closing it is the reader's job, under test
        opened.append(file)
        return file

    monkeypatch.setattr(_jsonl, "open", recording_open, raising=False)
    events = read_events(path)
    assert opened == []
    next(events)
    assert len(opened) == 1 and not opened[0].closed
    events.close()
    assert opened[0].closed
    assert ids(read_events(path)) == ["e1", "e2"]
    assert opened[1].closed

    handle = io.StringIO(line("e1"))
    assert ids(read_events(handle)) == ["e1"]
    assert not handle.closed  # a file the caller opened stays theirs to close

