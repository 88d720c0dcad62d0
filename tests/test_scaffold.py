"""`efficiency-rules new`: the scaffold passes check, its scenarios pass test, and its dates are the calendar's."""

from __future__ import annotations

from pathlib import Path

import pytest

from efficiency_rules import load_ruleset
from efficiency_rules.cli import main


def test_the_scaffold_checks_and_its_scenarios_pass(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "policy"
    assert main(["new", "city.licensing-2025", "--dir", str(target), "--title", "某市行政审批限时办结", "--from", "2024-09-27"]) == 0
    ruleset, scenarios = target / "city.licensing-2025.yaml", target / "city.licensing-2025.test.yaml"
    out, err = capsys.readouterr()
    assert out == f"{ruleset}\n{scenarios}\n"
    assert err == f"下一步：efficiency-rules check {ruleset} && efficiency-rules test {scenarios}\n"

    loaded = load_ruleset(ruleset)
    assert (loaded.id, loaded.version, str(loaded.spec.effective.from_)) == ("city.licensing-2025", "1", "2024-09-27")
    assert loaded.spec.title.zh == "某市行政审批限时办结"  # type: ignore[union-attr]
    text = scenarios.read_text(encoding="utf-8")
    # Accepted Friday 2024-09-27; 5 working days across National Day: Sun 9-29 (make-up) 1, 9-30 2,
    # 10-01..07 off, 10-08 3, 10-09 4, 10-10 5.
    assert 'deadline: "2024-10-10T17:30:00+08:00"' in text
    # extended by 5 more: 10-11 6, Sat 10-12 (make-up) 7, 10-14 8, 10-15 9, 10-16 10.
    assert 'deadline: "2024-10-16T17:30:00+08:00"' in text
    # completed late on 10-11 10:00; delivery due 3 working days later: 10-12 (make-up), 10-14, 10-15.
    assert 'at: "2024-10-15T17:30:00+08:00"' in text
    assert "# 本文件由 efficiency-rules new 生成" in ruleset.read_text(encoding="utf-8")

    assert main(["check", str(ruleset)]) == 0
    assert capsys.readouterr().out == "ok: 1 ruleset, 1 rule, 1 time limit\n"
    assert main(["test", str(target)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"PASS {scenarios}:7:5: 按时办结并送达",
        f"PASS {scenarios}:18:5: 超期办结",
        f"PASS {scenarios}:30:5: 经批准延期后按时办结，未送达",
        "3 passed, 0 failed",
    ]


def test_the_scenarios_catch_a_changed_limit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", "city.rules", "--dir", str(tmp_path)]) == 0
    ruleset = tmp_path / "city.rules.yaml"
    ruleset.write_text(ruleset.read_text(encoding="utf-8").replace("limit: 5wd", "limit: 6wd"), encoding="utf-8")
    capsys.readouterr()
    assert main(["test", "-q", str(tmp_path)]) == 1
    assert capsys.readouterr().out.splitlines()[-1] == "0 passed, 3 failed"


def test_new_refuses_to_overwrite_and_bad_ids(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", "city.rules", "--dir", str(tmp_path)]) == 0
    capsys.readouterr()
    assert main(["new", "city.rules", "--dir", str(tmp_path)]) == 2
    assert capsys.readouterr().err == (
        f"efficiency-rules: error: {tmp_path / 'city.rules.yaml'} already exists: choose another id or --dir, "
        "or move the file away\n"
    )
    assert main(["new", "City Rules", "--dir", str(tmp_path)]) == 2
    assert "is not a ruleset id: lower-case letters" in capsys.readouterr().err
    assert main(["new", "city.other", "--dir", str(tmp_path), "--from", "2024-13-01"]) == 2
    assert "'2024-13-01' is not a date written YYYY-MM-DD" in capsys.readouterr().err
