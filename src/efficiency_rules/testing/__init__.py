"""Testing tools for portals and ruleset authors: scenario files and Hypothesis strategies.

* Scenario files (``*.test.yaml``) are run by ``efficiency-rules test`` and collected by pytest
  through the plugin in :mod:`efficiency_rules.testing.pytest_plugin`.
* :mod:`efficiency_rules.testing.strategies` holds Hypothesis strategies (needs ``hypothesis``).
"""

from ._scenarios import (
    Scenario,
    ScenarioFile,
    ScenarioResult,
    load_scenario_file,
    run_scenario_file,
    scenario_files,
)

__all__ = ["Scenario", "ScenarioFile", "ScenarioResult", "load_scenario_file", "run_scenario_file", "scenario_files"]
