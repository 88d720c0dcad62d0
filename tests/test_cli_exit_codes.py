"""The command's exit status: 0 ok, 1 problems in the input, 2 an error of use, 3 a bug, 4 output not written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from efficiency_rules import cli as command
from efficiency_rules.cli import main

ROOT = Path(__file__).resolve().parent.parent
RULESET = str(ROOT / "rulesets" / "cn" / "xzxk.yaml")
BAD = str(ROOT / "tests" / "data" / "rulesets" / "bad" / "unknown-field.yaml")
CASES = str(ROOT / "examples" / "cases.jsonl")
AS_OF = "2024-12-01T00:00+08:00"
BUG = ("this is a bug in efficiency-rules, not a problem of your input: please report it on the efficiency-rules issue "
       "tracker with the command you ran and its input (--debug shows the traceback)")


def test_ok_is_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", RULESET]) == 0
    assert capsys.readouterr().out == "ok: 1 ruleset, 2 rules, 2 time limits\n"


def test_problems_in_the_input_are_1(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["check", BAD]) == 1
    events = tmp_path / "events.jsonl"
    events.write_text('{"id": "x", "type": "case.acepted", "at": "2024-09-27T10:00:00+08:00", "case_id": "A"}\n', encoding="utf-8")
    assert main(["evaluate", RULESET, "--events", str(events), "--as-of", AS_OF]) == 1
    err = capsys.readouterr().err
    assert f"efficiency-rules: error: {events}:1, event 'x': unknown event type 'case.acepted'" in err


def test_an_error_of_use_is_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check"]) == 2  # click's own: a missing argument
    assert main(["evaluate", RULESET, "--events", CASES, "--as-of", "tomorrow"]) == 2
    assert main(["calendar", "add", "2024-09-27", "3wds"]) == 2  # the calendar's input is its arguments
    assert capsys.readouterr().err.endswith(
        "efficiency-rules: error: unknown unit 'wds' in duration '3wds'; units are wd, d, mo, h, wh, min — did you mean 'wd'?\n")


def test_an_internal_error_is_3_and_one_line(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from efficiency_rules import _ruleset

    def broken(paths: object) -> object:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(_ruleset, "check_paths", broken)
    assert main(["check", RULESET]) == 3
    assert capsys.readouterr().err == f"efficiency-rules: internal error: ZeroDivisionError: division by zero; {BUG}\n"
    assert main(["--debug", "check", RULESET]) == 3
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):\n")
    assert 'raise ZeroDivisionError("division by zero")' in err
    assert err.endswith(f"efficiency-rules: internal error: ZeroDivisionError: division by zero; {BUG}\n")
    assert command.EXIT_INTERNAL == 3


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("args", [["calendar", "add", "2024-09-27", "1wd"], ["check", RULESET]])
def test_output_to_a_full_disk_is_4_and_one_line(args: list[str]) -> None:
    with open("/dev/full", "w", encoding="utf-8") as full:
        done = subprocess.run([sys.executable, "-m", "efficiency_rules", *args], stdout=full, stderr=subprocess.PIPE,
                              text=True, check=False)
    assert (done.returncode, done.stderr) == (4, "efficiency-rules: error: cannot write the output: No space left on device\n")
