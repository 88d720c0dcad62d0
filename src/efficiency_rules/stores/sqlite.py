"""A state store in a SQLite database file (standard library ``sqlite3``; docs/state-store.md)."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import time
from collections.abc import Iterator

from .._engine import Engine
from .._errors import StoreConflictError, StoreError
from .._verdicts import Verdict
from ._base import SCHEMA_VERSION, StateStore, StoredThread, ThreadWrite, verdict_row

__all__ = ["MIGRATIONS", "SQLiteStore"]

# The statements that bring the tables from version N-1 to N, by N. A new version of the tables
# adds an entry here (and the same change to the SQLAlchemy store's); opening a store applies the
# entries its database lacks, in one transaction.
MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: (
        "CREATE TABLE er_threads (thread TEXT PRIMARY KEY, version INTEGER NOT NULL, state BLOB NOT NULL, due REAL)",
        "CREATE INDEX er_threads_due ON er_threads (due) WHERE due IS NOT NULL",
        "CREATE TABLE er_events (event_id TEXT PRIMARY KEY, thread TEXT NOT NULL, digest TEXT NOT NULL)",
        ("CREATE TABLE er_verdicts (verdict_id TEXT PRIMARY KEY, thread TEXT NOT NULL, rule TEXT NOT NULL, "
         "at TEXT NOT NULL, body TEXT NOT NULL)"),
        "CREATE INDEX er_verdicts_thread ON er_verdicts (thread)",
    ),
}


class SQLiteStore(StateStore):
    """Per-thread state in a SQLite file, shared by the processes that open it (WAL journal).

    >>> from efficiency_rules import Engine
    >>> engine = Engine(["rulesets/examples/first-inquiry.yaml"])
    >>> with SQLiteStore(engine, ":memory:") as store:
    ...     judged = store.add({"id": "q1", "type": "inquiry.received", "at": "2024-09-27T10:00:00+08:00",
    ...                         "inquiry_id": "Q1", "in_scope": True, "actor": "s1", "unit": "u1"})
    ...     judged.thread, judged.verdicts
    ('inquiry:Q1', [])

    Every write is one ``BEGIN IMMEDIATE`` transaction that checks the row's version; judging
    happens outside it, so writers judge in parallel and only their writes take turns.
    ``timeout``: seconds a write waits for another process's to finish before a
    :class:`StoreError`. Other arguments: :class:`StateStore`.
    """

    def __init__(self, engine: Engine, path: str | os.PathLike[str], *, key: bytes | None = None,
                 tolerance: dt.timedelta = dt.timedelta(0), retries: int = 50, timeout: float = 60.0) -> None:
        super().__init__(engine, key=key, tolerance=tolerance, retries=retries)
        self.path = os.fspath(path)
        try:
            self._db = sqlite3.connect(self.path, timeout=timeout, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise StoreError(f"SQLite store {self.path}: cannot open it: {exc} (a path to a file this process can "
                             "write)") from None
        try:
            self._wal(timeout)
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._migrate()
        except BaseException as exc:
            self._db.close()
            if not isinstance(exc, sqlite3.Error):
                raise
            raise StoreError(f"SQLite store {self.path}: cannot open it: {exc} (a path to a file this process can "
                             "write, on a local disk: WAL needs shared memory between the processes)") from None

    def _wal(self, timeout: float) -> None:
        """Switch the file to write-ahead logging. SQLite answers "database is locked" at once, without waiting,
        when another process opens the same new file at that moment: asked again until ``timeout``."""
        waited = 0.0
        while True:
            try:
                self._db.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or waited >= timeout:
                    raise
                time.sleep(0.05)
                waited += 0.05

    def _migrate(self) -> None:
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("CREATE TABLE IF NOT EXISTS er_schema (version INTEGER PRIMARY KEY)")
            current = db.execute("SELECT MAX(version) FROM er_schema").fetchone()[0] or 0
            if current > SCHEMA_VERSION:
                raise StoreError(
                    f"SQLite store {self.path}: its tables are at version {current}, written by a newer version of "
                    f"efficiency_rules than this one (which knows up to {SCHEMA_VERSION}): upgrade the library"
                )
            for version in range(current + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS[version]:
                    db.execute(statement)
                db.execute("INSERT INTO er_schema (version) VALUES (?)", (version,))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    @property
    def schema_version(self) -> int:
        """The version of the tables in the database (``SCHEMA_VERSION`` once opened by this library)."""
        return int(self._db.execute("SELECT MAX(version) FROM er_schema").fetchone()[0])

    def load_thread(self, thread: str) -> StoredThread | None:
        row = self._db.execute("SELECT version, state, due FROM er_threads WHERE thread = ?", (thread,)).fetchone()
        return None if row is None else StoredThread(thread, row[0], bytes(row[1]), row[2])

    def find_event(self, event_id: str) -> tuple[str, str] | None:
        row = self._db.execute("SELECT thread, digest FROM er_events WHERE event_id = ?", (event_id,)).fetchone()
        return None if row is None else (row[0], row[1])

    def write_thread(self, write: ThreadWrite) -> None:
        db = self._db
        try:
            db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise StoreError(f"SQLite store {self.path}: the database stayed locked by another writer: {exc}") from None
        try:
            if write.version == 1:
                db.execute("INSERT INTO er_threads (thread, version, state, due) VALUES (?, 1, ?, ?)",
                           (write.thread, write.state, write.due))
            else:
                done = db.execute("UPDATE er_threads SET version = ?, state = ?, due = ? WHERE thread = ? AND version = ?",
                                  (write.version, write.state, write.due, write.thread, write.version - 1))
                if done.rowcount != 1:
                    raise StoreConflictError(f"{write.thread}: the row is no longer at version {write.version - 1}")
            db.executemany("INSERT INTO er_events (event_id, thread, digest) VALUES (?, ?, ?)",
                           [(event_id, write.thread, digest) for event_id, digest in write.events])
            db.executemany("INSERT INTO er_verdicts (verdict_id, thread, rule, at, body) VALUES (?, ?, ?, ?, ?) "
                           "ON CONFLICT (verdict_id) DO NOTHING",
                           [(vid, write.thread, rule, at, body) for vid, rule, at, body in map(verdict_row, write.verdicts)])
            db.execute("COMMIT")
        except sqlite3.IntegrityError as exc:  # the row was created, or an event id stored, by another writer
            db.execute("ROLLBACK")
            raise StoreConflictError(f"{write.thread}: {exc}") from None
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def due_threads(self, before: float) -> list[str]:
        rows = self._db.execute("SELECT thread FROM er_threads WHERE due < ? ORDER BY due, thread", (before,)).fetchall()
        return [row[0] for row in rows]

    def iter_threads(self) -> Iterator[StoredThread]:
        for thread, version, state, due in self._db.execute("SELECT thread, version, state, due FROM er_threads ORDER BY thread"):
            yield StoredThread(thread, version, bytes(state), due)

    def stored_verdicts(self, thread: str | None = None) -> list[Verdict]:
        if thread is None:
            rows = self._db.execute("SELECT body FROM er_verdicts").fetchall()
        else:
            rows = self._db.execute("SELECT body FROM er_verdicts WHERE thread = ?", (thread,)).fetchall()
        verdicts = [Verdict.model_validate_json(row[0]) for row in rows]
        verdicts.sort(key=lambda v: (v.at, v.id))
        return verdicts

    def counts(self) -> dict[str, int]:
        """How many threads, events and verdicts the store holds."""
        return {name: int(self._db.execute(f"SELECT COUNT(*) FROM er_{name}").fetchone()[0])
                for name in ("threads", "events", "verdicts")}

    def close(self) -> None:
        self._db.close()
