"""`efficiency-rules calendar …`: plain and JSON output, errors on stderr with exit status 2."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from efficiency_rules.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def test_add_one_working_day_over_a_make_up_sunday(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "calendar", "add", "2024-09-27", "1wd") == (0, "2024-09-29\n", "")


@pytest.mark.parametrize(
    ("start", "amount", "expected"),
    [
        ("2024-09-23", "20wd", "2024-10-24"),
        ("2024-09-20", "11d", "2024-10-08"),
        ("2024-01-31", "1mo", "2024-02-29"),
        ("2024-10-08", "-3wd", "2024-09-27"),
        ("2024-09-23", "2.5wd", "2024-09-26T14:00:00+08:00"),
        ("2024-09-23T10:00+08:00", "24h", "2024-09-24T10:00:00+08:00"),
        ("2024-09-23T10:00+08:00", "20wd", "2024-10-24T17:30:00+08:00"),
        ("2024-09-23T02:00Z", "1wd", "2024-09-24T17:30:00+08:00"),
    ],
)
def test_add(capsys: pytest.CaptureFixture[str], start: str, amount: str, expected: str) -> None:
    assert run(capsys, "calendar", "add", start, amount) == (0, expected + "\n", "")


def test_add_json(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "calendar", "add", "2024-09-27", "1wd", "--json")
    assert status == 0
    assert json.loads(out) == {"start": "2024-09-27", "amount": "1wd", "result": "2024-09-29"}


def test_add_with_midnight_day_end(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "calendar", "add", "2024-09-23T10:00+08:00", "10d", "--day-end", "midnight")
    assert (status, out) == (0, "2024-10-09T00:00:00+08:00\n")


def test_is_workday(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "calendar", "is-workday", "2024-09-29")
    assert (status, out) == (0, "2024-09-29 (Sunday): working day — make-up workday (调休上班) for 国庆节 National Day\n")
    status, out, _ = run(capsys, "calendar", "is-workday", "2024-10-03", "--json")
    assert json.loads(out) == {
        "date": "2024-10-03",
        "working_day": False,
        "holiday": True,
        "makeup_workday": False,
        "name": "国庆节 National Day",
        "weekday": "Thursday",
    }


def test_between(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "calendar", "between", "2024-09-27", "2024-10-08") == (0, "3 working days\n", "")
    status, out, _ = run(capsys, "calendar", "between", "2024-09-27T10:00+08:00", "2024-10-08T10:00+08:00", "--json")
    assert status == 0 and json.loads(out)["working_seconds"] == 21 * 3600
    status, out, _ = run(capsys, "calendar", "between", "2024-09-27T10:00+08:00", "2024-09-27T14:00+08:00")
    assert (status, out) == (0, "0 working days; working time 2h30m\n")


def test_2027_fails_with_how_to_supply_the_year(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "calendar", "is-workday", "2027-03-01")
    assert status == 2
    assert out == ""
    assert err.startswith("efficiency-rules: error: 2027-03-01 is outside the holiday data, which covers 2004–2026")
    assert "Calendar.china(extra_years=['china-2027.yaml'])" in err
    assert "Traceback" not in err


def test_bad_amount_is_one_line_with_a_suggestion(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "calendar", "add", "2024-09-27", "3wds")
    assert status == 2
    assert err == "efficiency-rules: error: unknown unit 'wds' in duration '3wds'; units are wd, d, mo, h, wh, min — did you mean 'wd'?\n"


def test_hours_need_a_time_of_day(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "calendar", "add", "2024-09-27", "24h")
    assert status == 2
    assert "24h is counted from a time of day: give START as a datetime such as 2024-09-27T09:00+08:00" in err


def test_naive_datetime_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "calendar", "add", "2024-09-27T09:00", "1wd")
    assert status == 2
    assert "'2024-09-27T09:00' has no UTC offset: write it like 2024-09-27T09:00+08:00" in err


def test_installed_command_runs() -> None:
    """The console script entry point works as a module too (python -m efficiency_rules)."""
    done = subprocess.run(
        [sys.executable, "-m", "efficiency_rules", "calendar", "add", "2024-09-27", "1wd"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stdout) == (0, "2024-09-29\n")


def test_without_the_cli_extra_the_command_says_how_to_install(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "click", None)  # as if click were not installed
    monkeypatch.delitem(sys.modules, "efficiency_rules._cli", raising=False)
    assert main(["calendar", "add", "2024-09-27", "1wd"]) == 2
    assert capsys.readouterr().err == (
        'efficiency-rules: the efficiency-rules command needs the "cli" extra: pip install "efficiency-rules[cli]"\n'
    )
