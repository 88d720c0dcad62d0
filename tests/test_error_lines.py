"""A problem met while judging an event names the event and, read from a file, its line."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from efficiency_rules import DateNotCoveredError, Engine, EventError, read_events
from efficiency_rules.cli import main

ROOT = Path(__file__).resolve().parent.parent
XZXK = ROOT / "rulesets" / "cn" / "xzxk.yaml"
CST = dt.timezone(dt.timedelta(hours=8))
AS_OF = dt.datetime(2026, 12, 30, tzinfo=CST)
BEYOND = ("2027-01-01 is outside the holiday data, which covers 2004–2026: whether it is a working day cannot be known, "
          "and the calendar does not guess.")


def write(tmp_path: Path, *events: dict[str, str]) -> Path:
    path = tmp_path / "events.jsonl"
    path.write_text("".join(json.dumps(event) + "\n" for event in events), encoding="utf-8")
    return path


def case(event_id: str, kind: str, at: str, **fields: str) -> dict[str, str]:
    return {"id": event_id, "type": kind, "at": at + "T10:00:00+08:00", "case_id": "A", **fields}


LATE_IN_2026 = (
    case("r1", "case.received", "2026-12-20", matter="licence-general"),
    case("a1", "case.accepted", "2026-12-21"),  # its 20 working days run into 2027, a year with no data
    case("c1", "case.completed", "2026-12-22"),
)


def test_a_date_beyond_the_calendar_names_the_event_and_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, *LATE_IN_2026)
    engine = Engine([XZXK])
    with pytest.raises(DateNotCoveredError) as info:
        engine.evaluate(read_events(path), as_of=AS_OF)
    assert str(info.value).startswith(f"{path}:2, event 'a1': {BEYOND}")
    assert (info.value.event_id, info.value.line, info.value.source) == ("a1", 2, str(path))
    with pytest.raises(DateNotCoveredError) as info:  # events not from a file: the event alone
        engine.evaluate(LATE_IN_2026, as_of=AS_OF)
    assert str(info.value).startswith(f"event 'a1': {BEYOND}")


def test_the_stream_names_the_line_of_an_event_out_of_order(tmp_path: Path) -> None:
    path = write(tmp_path, case("r1", "case.received", "2024-09-02", matter="licence-general"),
                 case("a1", "case.accepted", "2024-09-03"), case("r0", "case.received", "2024-09-01", matter="licence-general"))
    engine = Engine([XZXK])
    with pytest.raises(EventError) as info:
        list(engine.evaluate_stream(read_events(path, dedupe=False), as_of=AS_OF))
    assert str(info.value) == (
        f"{path}:3, event 'r0': dated 2024-09-01T10:00:00+08:00, earlier than events already judged (up to "
        "2024-09-03T10:00:00+08:00): events are judged in time order (Engine.evaluate sorts them); sort the log, or allow "
        "a tolerance")


def test_the_command_names_the_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, *LATE_IN_2026)
    assert main(["evaluate", str(XZXK), "--events", str(path), "--as-of", "2026-12-30T00:00+08:00"]) == 1
    assert capsys.readouterr().err.startswith(f"efficiency-rules: error: {path}:2, event 'a1': {BEYOND}")
    assert main(["evaluate", str(XZXK), "--events", str(path), "--as-of", "2026-12-30T00:00+08:00", "--verdicts", "-"]) == 1
    assert capsys.readouterr().err.startswith(f"efficiency-rules: error: {path}:2, event 'a1': {BEYOND}")
