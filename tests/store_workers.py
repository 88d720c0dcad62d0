"""What the state-store tests run in writer processes (a module of its own, importable in a spawned process)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CITY = [ROOT / "rulesets" / path for path in (
    "cn/xzxk.yaml", "cn/one-time-notification.yaml", "shijiazhuang/efficiency-revolution-2019.yaml",
    "shijiazhuang/accountability-2019.yaml", "changde/e-supervision-2013.yaml", "changde/accountability-2013.yaml",
    "county/points-table.yaml",
)]


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

    engine = Engine(CITY)
    store = open_store(spec, engine, **options)
    given: list[str] = []
    attempts = 0
    errors: list[str] = []
    try:
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
    finally:
        store.close()
        results.put((given, attempts, errors))
