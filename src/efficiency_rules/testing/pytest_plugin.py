"""pytest plugin: collects scenario files (``*.test.yaml``) as tests, one test per scenario.

Registered through the ``pytest11`` entry point, so it is active wherever efficiency_rules is
installed. Importing it is cheap: the engine is imported only when a scenario file is collected.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

SUFFIXES = (".test.yaml", ".test.yml")


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    """Collect ``*.test.yaml`` files."""
    if file_path.name.endswith(SUFFIXES):
        return ScenarioFileNode.from_parent(parent, path=file_path)
    return None


class ScenarioFailure(Exception):  # noqa: N818 - a failed check as pytest reports it, not an error of the library
    """A scenario whose verdicts differ from those expected."""


class ScenarioFileNode(pytest.File):
    """A scenario file: its scenarios share one engine."""

    _engine: Any = None

    def collect(self) -> Iterator[pytest.Item]:
        from ._scenarios import load_scenario_file

        self._file = load_scenario_file(self.path)
        for scenario in self._file.scenarios:
            yield ScenarioItem.from_parent(self, name=scenario.name, scenario=scenario)

    def engine(self, backend: str) -> Any:
        if self._engine is None:
            from .._engine import Engine

            self._engine = Engine(self._file.rulesets, backend=backend)
        return self._engine

    def teardown(self) -> None:
        if self._engine is not None:
            self._engine.close()
            self._engine = None


class ScenarioItem(pytest.Item):
    """One scenario of a scenario file."""

    def __init__(self, *, scenario: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scenario = scenario

    def runtest(self) -> None:
        from ._scenarios import run_scenario

        parent = self.parent
        assert isinstance(parent, ScenarioFileNode)
        result = run_scenario(parent.engine("native"), self.scenario, str(self.path))
        if not result.passed:
            raise ScenarioFailure(result.describe())

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, ScenarioFailure):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        line = (self.scenario.location.line or 1) - 1
        return self.path, line, f"scenario: {self.scenario.name}"
