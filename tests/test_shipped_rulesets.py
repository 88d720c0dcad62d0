"""The shipped rulesets check clean, and their scenarios pass on both backends.

pytest itself runs every scenario on the native backend (the plugin collects ``rulesets/**/*.test.yaml``);
here they run again on durable_rules, where it is installed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from efficiency_rules._ruleset import check_paths
from efficiency_rules.testing._scenarios import run_scenario_file, scenario_files

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "rulesets"
FILES = sorted(scenario_files([SHIPPED]))


def test_the_shipped_rulesets_check_clean() -> None:
    rulesets, issues = check_paths([SHIPPED])
    assert [str(issue) for issue in issues] == []
    ids = {ruleset.id for ruleset in rulesets}
    assert {"cn.xzxk", "cn.xxgk", "cn.xinfang"} <= ids
    assert any(r.spec.time_limits for r in rulesets if r.id.startswith("shijiazhuang"))


def test_every_shipped_ruleset_has_scenarios() -> None:
    rulesets, _ = check_paths([SHIPPED])
    tested = {Path(p).resolve() for f in FILES for p in _rulesets_of(f)}
    assert sorted(str(Path(r.path).relative_to(ROOT)) for r in rulesets if Path(r.path).resolve() not in tested) == []


def _rulesets_of(path: Path) -> list[Path]:
    from efficiency_rules.testing._scenarios import load_scenario_file

    return load_scenario_file(path).rulesets


@pytest.mark.parametrize("path", FILES, ids=[str(f.relative_to(SHIPPED)) for f in FILES])
def test_scenarios_pass_on_durable(path: Path) -> None:
    pytest.importorskip("durable")
    failed = [result.describe() for result in run_scenario_file(path, backend="durable") if not result.passed]
    assert failed == []
