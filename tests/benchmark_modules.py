"""The benchmark scripts (synthetic logs, the realistic workload's rulesets) as modules the tests import."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

BENCHMARKS = Path(__file__).resolve().parent / "benchmarks"


def load(name: str) -> ModuleType:
    """``tests/benchmarks/<name>.py`` as a module, loaded once per process."""
    qualified = f"_benchmarks_{name}"
    if qualified in sys.modules:
        return sys.modules[qualified]
    spec = importlib.util.spec_from_file_location(qualified, BENCHMARKS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look the module up by name
    spec.loader.exec_module(module)
    return module
