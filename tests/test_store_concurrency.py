"""Concurrent writer processes through the SQLite store (real files) and the PostgreSQL store (a
real server): events of the same and of different cases added at once lose no event and no
verdict — the counts and the verdicts are those of Engine.evaluate over the same events."""

from __future__ import annotations

import datetime as dt
import importlib.util
import multiprocessing as mp
import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from efficiency_rules import Engine

if TYPE_CHECKING:  # the sibling module, as the type checker names it
    from tests.store_workers import CITY, open_store, opener, writer
else:
    from store_workers import CITY, open_store, opener, writer

ROOT = Path(__file__).resolve().parents[1]
CST = dt.timezone(dt.timedelta(hours=8))
AS_OF = dt.datetime(2026, 1, 5, tzinfo=CST)
TOLERANCE = dt.timedelta(days=45)  # more than two writers' batches apart in event time
DSN_VARIABLE = "EFFICIENCY_RULES_TEST_POSTGRES"


def _synth() -> Any:
    spec = importlib.util.spec_from_file_location("_benchmarks_synth", ROOT / "tests" / "benchmarks" / "synth.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


EVENTS = list(_synth().generate(cases=40, year=2025, seed=7))
ENGINE = Engine(CITY)


def split(events: list[dict[str, Any]], writers: int, per_batch: int) -> list[list[list[dict[str, Any]]]]:
    """Each writer's batches: the events in turn (the same case's go to different writers), as many batches each."""
    chunks = [events[i:i + writers * per_batch] for i in range(0, len(events), writers * per_batch)]
    return [[chunk[w::writers] for chunk in chunks] for w in range(writers)]


def run_writers(spec: tuple[str, str], writers: int = 2) -> tuple[list[str], int, list[str]]:
    context = mp.get_context("spawn")
    barrier = context.Barrier(writers)
    results = context.Queue()
    options = {"tolerance": TOLERANCE, "key": b"portal-key-" + b"0" * 21}
    processes = [context.Process(target=writer, args=(spec, batches, barrier, results, options))
                 for batches in split(EVENTS, writers, per_batch=15)]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=900) for _ in processes]
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    given = [vid for ids, _, _ in outcomes for vid in ids]
    return given, sum(attempts for _, attempts, _ in outcomes), [e for _, _, errors in outcomes for e in errors]


def check_nothing_lost(spec: tuple[str, str]) -> None:
    batch = ENGINE.evaluate(EVENTS, as_of=AS_OF)
    thread_verdicts = {v.id for v in batch.verdicts if not v.thread.startswith(("staff:", "unit:", "deputy:", "principal:"))}
    given, attempts, errors = run_writers(spec)
    assert errors == []
    assert attempts >= len(EVENTS)
    store = open_store(spec, ENGINE, tolerance=TOLERANCE, key=b"portal-key-" + b"0" * 21)
    try:
        given += [v.id for v in store.advance(AS_OF)]
        # every event stored once, every verdict given once (by the add or the advance that made it)
        assert len(given) == len(set(given))
        assert set(given) == thread_verdicts
        counts = store.counts()
        assert counts["events"] == len(EVENTS) == batch.events
        assert counts["verdicts"] == len(thread_verdicts)
        assert counts["threads"] == len({ENGINE._thread_key(ENGINE.parse(e)) for e in EVENTS})
        report = store.report(AS_OF)
        assert report.verdicts == batch.verdicts
        assert report.cases == batch.cases and report.scores == batch.scores
        assert len(batch.verdicts) > 100 and len(batch.cases) > 30  # a history with something to lose
    finally:
        store.close()


def test_concurrent_writer_processes_on_a_sqlite_file(tmp_path: Path) -> None:
    check_nothing_lost(("sqlite", str(tmp_path / "state.db")))


def test_processes_opening_one_new_file_at_once_all_open_it(tmp_path: Path) -> None:
    # SQLite refuses a switch to write-ahead logging at once ("database is locked") when another process
    # opens the same new file at that moment: measured 11 refusals in 240 openings before the store asked again
    context = mp.get_context("spawn")
    barrier = context.Barrier(4)
    results = context.Queue()
    paths = [str(tmp_path / f"state-{n}.db") for n in range(25)]
    processes = [context.Process(target=opener, args=(paths, barrier, results)) for _ in range(4)]
    for process in processes:
        process.start()
    errors = [e for _ in processes for e in results.get(timeout=300)]
    for process in processes:
        process.join(timeout=60)
    assert errors == []


@pytest.fixture
def postgres_url() -> Iterator[str]:
    dsn = os.environ.get(DSN_VARIABLE)
    if not dsn:
        pytest.skip(f"no PostgreSQL server to test against: set {DSN_VARIABLE} to its SQLAlchemy URL "
                    "(.ci/postgres start prints one; .ci/run does it)")
    try:
        import sqlalchemy as sa
    except ImportError:
        pytest.skip("the sql extra is not installed (pip install '.[sql]')")
    name = f"er_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(dsn, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.engine.make_url(dsn).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def test_concurrent_writer_processes_on_postgresql(postgres_url: str) -> None:
    check_nothing_lost(("sql", postgres_url))


def judges_as_a_batch(*specs: tuple[str, str]) -> None:
    events = EVENTS[:300]
    as_of = dt.datetime.fromisoformat(events[-1]["at"]) + dt.timedelta(days=1)
    batch = ENGINE.evaluate(events, as_of=as_of)
    for spec in specs:
        store = open_store(spec, ENGINE)
        for event in events:
            store.add(event)
        assert store.report(as_of).verdicts == batch.verdicts
        store.advance(as_of)
        assert store.counts() == {"threads": len({ENGINE._thread_key(ENGINE.parse(e)) for e in events}),
                                  "events": len(events), "verdicts": len(store.verdicts())}
        assert store.schema_version == 1
        store.close()


def test_the_sqlalchemy_store_judges_as_the_sqlite_one(tmp_path: Path) -> None:
    pytest.importorskip("sqlalchemy", reason="the sql extra is not installed (pip install '.[sql]')")
    judges_as_a_batch(("sqlite", str(tmp_path / "a.db")), ("sql", f"sqlite:///{tmp_path / 'b.db'}"))


def test_the_postgresql_store_judges_as_a_batch_and_refuses_newer_tables(postgres_url: str) -> None:
    from efficiency_rules import StoreError

    judges_as_a_batch(("sql", postgres_url))
    store = open_store(("sql", postgres_url), ENGINE)
    with store._db.begin() as connection:
        from efficiency_rules.stores.sqlalchemy import schema

        connection.execute(schema.insert().values(version=2))
    store.close()
    with pytest.raises(StoreError, match="its tables are at version 2, written by a newer version of efficiency_rules"):
        open_store(("sql", postgres_url), ENGINE)
