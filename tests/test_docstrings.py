"""The examples in the library's docstrings run and give what they show."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import efficiency_rules

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(efficiency_rules.__path__, "efficiency_rules.")
    # not the entry points and the command line's modules (they run, or need the cli extra) nor the
    # durable backend (an extra)
    if not info.name.endswith(("__main__", "_match.durable", ".cli", "pytest_plugin"))
    and not info.name.rpartition(".")[2].startswith("_cli")
)


# Modules of an extra, run where the extra is installed.
EXTRAS = {"efficiency_rules.dask": "distributed", "efficiency_rules.stores.sqlalchemy": "sqlalchemy"}


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    if name in EXTRAS:
        pytest.importorskip(EXTRAS[name], reason=f"{name} needs an extra that is not installed")
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"


@pytest.mark.parametrize(
    "name", ["efficiency_rules._calendar", "efficiency_rules._dedupe", "efficiency_rules._duration", "efficiency_rules._registry"]
)
def test_the_modules_with_examples_run_them(name: str) -> None:
    assert name in MODULES
    assert doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS).attempted > 0
