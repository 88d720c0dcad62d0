"""Events at the ends of what Python's datetimes hold, and lines nested deeper than its JSON decoder
goes: a clear error with the line, and the rest of the file still read with ``errors=``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from efficiency_rules import Engine, EventError, read_events

ROOT = Path(__file__).resolve().parents[1]
DEEP = "[" * 1000 + "]" * 1000
LINES = [
    '{"id":"x","type":"case.accepted","at":"0001-01-01T00:00:00+01:00","case_id":"Z"}',
    '{"id":"y","type":"case.accepted","at":"9999-12-31T23:59:59+00:00","case_id":"Z"}',
    '{"id":"z","type":"case.accepted","at":"2024-01-01T10:00:00+08:00","case_id":"Q","meta":{"x":' + DEEP + '},"bad":1}',
    '{"id":"ok","type":"case.accepted","at":"2024-01-01T10:00:00+08:00","case_id":"Q"}',
]


def test_a_file_with_extreme_lines_reads_on_with_an_error_for_each(tmp_path: Path) -> None:
    path = tmp_path / "extreme.jsonl"
    path.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    problems: list[EventError] = []
    events = list(read_events(path, errors=problems))
    assert [e.id for e in events] == ["ok"]
    assert [str(p) for p in problems[:2]] == [
        f"{path}:1, event 'x': field 'at': 0001-01-01T00:00:00+01:00 is outside the years a time can be converted in "
        "(2 to 9998): check the year (a placeholder such as 0001-01-01 or 9999-12-31 is not a time something happened)",
        f"{path}:2, event 'y': field 'at': 9999-12-31T23:59:59+00:00 is outside the years a time can be converted in "
        "(2 to 9998): check the year (a placeholder such as 0001-01-01 or 9999-12-31 is not a time something happened)",
    ]
    assert problems[2].line == 3 and "recursion limit exceeded" in str(problems[2])


def test_an_event_at_the_end_of_time_is_refused_by_the_engine() -> None:
    engine = Engine([ROOT / "rulesets" / "cn" / "xzxk.yaml"])
    with pytest.raises(EventError, match=r"event 'x': field 'at': 0001-01-01T00:00:00\+01:00 is outside the years"):
        engine.evaluate([{"id": "x", "type": "case.accepted", "at": "0001-01-01T00:00:00+01:00", "case_id": "Z"}],
                        as_of=dt.datetime(2024, 12, 1, tzinfo=dt.UTC))
    with pytest.raises(EventError, match=r"event 'y': field 'at': 9999-12-31T23:59:59\+00:00 is outside the years"):
        engine.session().add({"id": "y", "type": "case.accepted", "at": "9999-12-31T23:59:59+00:00", "case_id": "Z"})


def test_an_unknown_backend_is_a_usage_error() -> None:
    from efficiency_rules import EfficiencyRulesError, UsageError

    with pytest.raises(UsageError, match="unknown backend 'fast'; choose 'native' or 'durable'") as info:
        Engine([ROOT / "rulesets" / "cn" / "xzxk.yaml"], backend="fast")
    assert isinstance(info.value, EfficiencyRulesError) and isinstance(info.value, ValueError)


@pytest.mark.parametrize("amount", ["100000mo", "1000000000d"])
def test_a_period_past_year_9999_is_past_the_calendar(amount: str, capsys: pytest.CaptureFixture[str]) -> None:
    from efficiency_rules.cli import main

    assert main(["calendar", "add", "2024-01-02", amount]) == 2
    assert capsys.readouterr().err.startswith("efficiency-rules: error: 2027-01-01 is outside the holiday data, which covers 2004–2026")


def test_an_as_of_at_the_end_of_time_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    from efficiency_rules.cli import main

    status = main(["evaluate", str(ROOT / "rulesets" / "cn" / "xzxk.yaml"), "--events", str(ROOT / "examples" / "cases.jsonl"),
                   "--as-of", "9999-12-31T23:00-12:00"])
    assert status == 2
    assert "Invalid value for --as-of: '9999-12-31T23:00-12:00' is outside the years a time can be converted in (2 to 9998)" in (
        capsys.readouterr().err)


@pytest.mark.parametrize(
    ("meta", "problem"),
    [
        ({"n": 10 ** 5000}, "meta.n holds an integer of more than 4,000 digits: write it as text"),
        ({"o": object()}, "meta.o is a Python object value, which JSON has no form for"),
        ({"b": [b"raw"]}, "meta.b[0] is a Python bytes value, which JSON has no form for"),
        ({"s": "a\ud800"}, "meta.s holds a lone surrogate, which UTF-8 text cannot hold"),
    ],
    ids=["huge int", "object", "bytes", "lone surrogate"],
)
def test_meta_holds_only_what_json_can(meta: dict[str, object], problem: str) -> None:
    """A value JSON has no form for is refused on the way in, not met later by a snapshot or a digest."""
    from efficiency_rules import parse_event

    event = {"id": "m", "type": "case.accepted", "at": "2024-01-01T10:00:00+08:00", "case_id": "Q", "meta": meta}
    with pytest.raises(EventError) as info:
        parse_event(event)
    assert str(info.value) == f"event 'm': field 'meta': {problem}"
    engine = Engine([ROOT / "rulesets" / "cn" / "xzxk.yaml"])
    session = engine.session()
    with pytest.raises(EventError):
        session.add(event)
    session.snapshot()  # nothing half-taken: the session is whole


def test_a_lone_surrogate_in_a_text_field_is_refused_where_it_comes_in() -> None:
    """Found by the judging-and-snapshots fuzzer: accepted, it made ``snapshot()`` fail with a UnicodeEncodeError."""
    from efficiency_rules import EventError, parse_event

    with pytest.raises(EventError) as info:
        parse_event({"id": "0", "type": "case.received", "at": "2000-01-01T00:00:00+00:00", "case_id": "A", "matter": "\ud800"})
    assert str(info.value) == "event '0': field 'matter': it holds a lone surrogate, which UTF-8 text cannot hold"


def test_a_lone_surrogate_escaped_in_a_json_line_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    good = '{"id": "e1", "type": "case.received", "at": "2024-03-01T09:00:00+08:00", "case_id": "A", "matter": "\\u4e00"}'
    bad = '{"id": "e2", "type": "case.received", "at": "2024-03-01T09:00:00+08:00", "case_id": "B", "matter": "x\\uDC80"}'
    path.write_text(good + "\n" + bad + "\n", encoding="utf-8")
    errors: list[EventError] = []
    events = list(read_events(path, errors=errors))
    assert [e.id for e in events] == ["e1"] and events[0].matter == "一"  # type: ignore[attr-defined]
    assert [str(e) for e in errors] == [f"{path}:2: invalid JSON: lone leading surrogate in hex escape at column 107"]


def test_an_event_made_in_python_with_a_lone_surrogate_is_refused_by_the_engine() -> None:
    engine = Engine(["cn.xzxk"])
    received: Any = engine.registry["case.received"]  # a class declared at run time, with a field matter
    event = received(id="e1", type="case.received", at=dt.datetime(2024, 3, 1, 9, tzinfo=dt.UTC), case_id="A",
                     matter="x\ud800")
    as_of = dt.datetime(2024, 4, 1, tzinfo=dt.UTC)
    for judge in (lambda: engine.session().add(event), lambda: engine.evaluate([event], as_of=as_of),
                  lambda: list(engine.evaluate_stream([event], as_of=as_of))):
        with pytest.raises(EventError) as info:
            judge()
        assert str(info.value) == "event 'e1': field 'matter': it holds a lone surrogate, which UTF-8 text cannot hold"
