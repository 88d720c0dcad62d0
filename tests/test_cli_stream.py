"""`efficiency-rules evaluate --verdicts FILE`: verdicts written as JSON Lines as they become final."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from efficiency_rules import Engine, read_events
from efficiency_rules.cli import main

ROOT = Path(__file__).resolve().parents[1]
RULESET = str(ROOT / "rulesets" / "cn" / "xzxk.yaml")
CASES = str(ROOT / "examples" / "cases.jsonl")
AS_OF = "2024-12-01T00:00+08:00"


def test_verdicts_are_written_as_json_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "verdicts.jsonl"
    assert main(["evaluate", RULESET, "--events", CASES, "--as-of", AS_OF, "--verdicts", str(out)]) == 0
    stdout, stderr = capsys.readouterr()
    assert stdout == ""
    assert stderr == f"已判定35个事件，8条结论写入{out}；0个事件晚于判定时点，未判定\n"
    written = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    engine = Engine([RULESET])
    expected = engine.evaluate(read_events(CASES), as_of=dt.datetime.fromisoformat(AS_OF)).verdicts
    assert sorted(written, key=lambda v: (v["at"], v["id"])) == [v.model_dump(mode="json") for v in expected]


def test_verdicts_to_standard_output_in_english(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", RULESET, "--events", CASES, "--as-of", AS_OF, "--verdicts", "-", "--lang", "en", "--tolerance", "2h"]) == 0
    stdout, stderr = capsys.readouterr()
    assert len(stdout.splitlines()) == 8
    assert stderr == "35 events judged, 8 verdicts written to standard output; 0 events after as-of, not judged\n"


def test_a_tolerance_is_an_elapsed_time(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", RULESET, "--events", CASES, "--as-of", AS_OF, "--verdicts", "-", "--tolerance", "3wd"]) == 2
    assert "Invalid value for --tolerance: '3wd' is not an elapsed time like 30min, 2h or 1d" in capsys.readouterr().err


def test_events_out_of_order_beyond_the_tolerance_are_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = Path(CASES).read_text(encoding="utf-8").splitlines()
    shuffled = tmp_path / "late.jsonl"
    shuffled.write_text("\n".join(lines[1:] + lines[:1]) + "\n", encoding="utf-8")
    assert main(["evaluate", RULESET, "--events", str(shuffled), "--as-of", AS_OF, "--verdicts", "-"]) == 1  # a problem in the input
    assert "earlier than events already judged" in capsys.readouterr().err
    assert main(["evaluate", RULESET, "--events", str(shuffled), "--as-of", AS_OF, "--verdicts", "-", "--tolerance", "400d"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 8
