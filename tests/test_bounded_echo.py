"""What an error repeats of a bad value is bounded: a name of ten megabytes costs milliseconds and a short message."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from efficiency_rules import EventError, UnknownEventTypeError, parse_event
from efficiency_rules._errors import echo
from efficiency_rules._ruleset import check_paths

HUGE = "x" * 10_000_000
AT = "2024-09-27T10:00:00+08:00"


def test_echo_shows_80_characters_and_counts_the_rest() -> None:
    assert echo("short") == "'short'"
    assert echo("y" * 80) == repr("y" * 80)
    assert echo("y" * 85) == repr("y" * 80) + "…(5 more)"
    assert echo(10 ** 5000) == "an integer of 5001 digits"
    assert echo(list(range(100))) == "a list of 100 items"
    assert echo(b"z" * 100) == repr(b"z" * 80) + "…(20 more)"


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        ({"id": "e", "type": HUGE, "at": AT, "case_id": "A"},
         f"event 'e': unknown event type {'x' * 80!r}…(9999920 more). Known types: "),
        ({"id": "e", "type": "case.accepted", "at": AT, "case_id": "A", HUGE: 1},
         f"event 'e': field {'x' * 80!r}…(9999920 more): unknown field for case.accepted"),
        ({"id": "e", "type": "case.accepted", "at": HUGE, "case_id": "A"},
         "event 'e': field 'at': expected an ISO 8601 date and time with a UTC offset, such as '2024-03-01T09:30:00+08:00', "
         f"got {'x' * 80!r}…(9999920 more)"),
        ({"id": HUGE, "type": "case.acepted", "at": AT, "case_id": "A"},
         f"event {'x' * 80!r}…(9999920 more): unknown event type 'case.acepted' — did you mean 'case.accepted'?"),
    ],
    ids=["type", "field name", "value", "event id"],
)
def test_a_huge_name_or_value_is_shown_by_its_start(event: dict[str, Any], expected: str) -> None:
    started = time.perf_counter()
    with pytest.raises(EventError) as info:
        parse_event(event)
    assert time.perf_counter() - started < 2.0  # was 2 s and 450 MB for the type alone, under no load
    assert str(info.value).startswith(expected)
    assert len(str(info.value)) < 1000
    if isinstance(info.value, UnknownEventTypeError) and event["type"] == HUGE:
        assert info.value.suggestion is None  # a word that long is no misspelling of a type


def test_a_huge_name_in_a_ruleset_is_shown_by_its_start(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    name = "y" * 1_000_000
    path.write_text('id: test.huge\ntitle: 测试\nversion: "1"\neffective: {from: 2024-01-01}\nverdicts:\n'
                    "  v: {kind: violation, message: x}\nrules:\n"
                    f"  - {{id: r, on: {name}, verdict: v}}\n", encoding="utf-8")
    started = time.perf_counter()
    _, issues = check_paths([path])
    assert time.perf_counter() - started < 5.0
    assert [str(issue) for issue in issues] == [f"{path}:8:17: rule 'r': unknown event type {'y' * 80!r}…(999920 more)"]
