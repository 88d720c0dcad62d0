"""What the state-store tests run in writer processes (a module of its own, importable in a spawned process)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the sibling module, as the type checker names it
    from tests.benchmark_modules import load as load_benchmark
else:
    from benchmark_modules import load as load_benchmark

CITY = list(load_benchmark("bench_realistic").RULESETS)  # the seven rulesets of the realistic workload


def open_store(spec: tuple[str, str], engine: Any, **options: Any) -> Any:
    """A store from ``("sqlite", path)`` or ``("sql", url)``."""
    kind, where = spec
    if kind == "sqlite":
        from efficiency_rules.stores import SQLiteStore

        return SQLiteStore(engine, where, **options)
    from efficiency_rules.stores.sqlalchemy import SQLAlchemyStore

    return SQLAlchemyStore(engine, where, **options)


def writer(spec: tuple[str, str], batches: list[list[dict[str, Any]]], barrier: Any, results: Any,
           options: dict[str, Any]) -> None:
    """Add the events of each batch, waiting at the barrier before each; put (verdict ids given, attempts, errors)."""
    from efficiency_rules import EfficiencyRulesError, Engine

    given: list[str] = []
    attempts = 0
    errors: list[str] = []
    store = None
    try:
        store = open_store(spec, Engine(CITY), **options)
        for batch in batches:
            barrier.wait(timeout=600)
            for event in batch:
                try:
                    judged = store.add(event)
                except EfficiencyRulesError as error:
                    errors.append(f"{type(error).__name__}: {error}")
                    continue
                given.extend(v.id for v in judged.verdicts)
                attempts += judged.attempts
    except BaseException as error:  # told to the test, and the other writers not left waiting
        errors.append(f"{type(error).__name__}: {error}")
        barrier.abort()
        raise
    finally:
        if store is not None:
            store.close()
        results.put((given, attempts, errors))


def opener(paths: list[str], barrier: Any, results: Any) -> None:
    """Open a store on each new file at the moment the other processes open it too; put the errors."""
    from efficiency_rules import Engine
    from efficiency_rules.stores import SQLiteStore

    engine = Engine(CITY[:1])
    errors = []
    for path in paths:
        barrier.wait(timeout=60)
        try:
            SQLiteStore(engine, path).close()
        except Exception as error:  # noqa: BLE001 - counted by the test
            errors.append(f"{type(error).__name__}: {error}")
    results.put(errors)
