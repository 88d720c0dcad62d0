"""A state store in any database SQLAlchemy 2 reaches — PostgreSQL above all (extra ``sql``; docs/state-store.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

from .._engine import Engine
from .._errors import BackendUnavailableError, StoreConflictError, StoreError
from .._verdicts import Verdict
from ._base import SCHEMA_VERSION, StateStore, StoredThread, ThreadWrite, verdict_row

try:
    import sqlalchemy as sa
except ImportError as exc:  # pragma: no cover - the extra is installed where this is tested
    raise BackendUnavailableError(
        "efficiency_rules.stores.sqlalchemy needs SQLAlchemy 2: pip install 'efficiency-rules[sql]' "
        f"(it brings psycopg for PostgreSQL too) ({exc})"
    ) from None

__all__ = ["MIGRATIONS", "SQLAlchemyStore", "metadata"]

metadata = sa.MetaData()
"""The store's tables (for a portal's own migration tool, e.g. Alembic's ``target_metadata``)."""

schema = sa.Table("er_schema", metadata, sa.Column("version", sa.Integer, primary_key=True, autoincrement=False))
threads = sa.Table(
    "er_threads", metadata,
    sa.Column("thread", sa.Text, primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("state", sa.LargeBinary, nullable=False),
    sa.Column("due", sa.Double, nullable=True),
    sa.Index("er_threads_due", "due", postgresql_where=sa.text("due IS NOT NULL"), sqlite_where=sa.text("due IS NOT NULL")),
)
events = sa.Table(
    "er_events", metadata,
    sa.Column("event_id", sa.Text, primary_key=True),
    sa.Column("thread", sa.Text, nullable=False),
    sa.Column("digest", sa.Text, nullable=False),
)
verdicts = sa.Table(
    "er_verdicts", metadata,
    sa.Column("verdict_id", sa.Text, primary_key=True),
    sa.Column("thread", sa.Text, nullable=False),
    sa.Column("rule", sa.Text, nullable=False),
    sa.Column("at", sa.Text, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Index("er_verdicts_thread", "thread"),
)


def _version_1(connection: sa.Connection) -> None:
    for table in (threads, events, verdicts):
        table.create(connection)


# The steps that bring the tables from version N-1 to N, by N (the same versions as the SQLite store's).
MIGRATIONS: dict[int, Callable[[sa.Connection], None]] = {1: _version_1}


class SQLAlchemyStore(StateStore):
    """Per-thread state in a database SQLAlchemy reaches: ``SQLAlchemyStore(engine, "postgresql+psycopg://…")``.

    ``database``: a URL or a SQLAlchemy ``Engine`` (the store then uses its connection pool).
    Each write is one transaction: an ``UPDATE … WHERE version = ?`` (a conflict when it changes no
    row) and ``INSERT``\\ s into the events and verdicts tables (a conflict when an event id is
    there already). Other arguments: :class:`StateStore`.
    """

    def __init__(self, engine: Engine, database: str | sa.Engine, *, key: bytes | None = None,
                 tolerance: dt.timedelta = dt.timedelta(0), retries: int = 50) -> None:
        super().__init__(engine, key=key, tolerance=tolerance, retries=retries)
        try:
            self._db = sa.create_engine(database) if isinstance(database, str) else database
        except (sa.exc.SQLAlchemyError, ValueError) as exc:
            raise StoreError(f"SQL store {database!r}: not a database URL SQLAlchemy takes: {exc}") from None
        self._owned = isinstance(database, str)
        try:
            self._migrate()
        except BaseException as exc:
            self.close()
            if isinstance(exc, sa.exc.SQLAlchemyError):
                raise StoreError(f"SQL store {self._where(self._db)}: cannot open it: {exc}") from None
            raise

    @staticmethod
    def _where(database: Any) -> str:
        url = database.url if isinstance(database, sa.Engine) else sa.engine.make_url(database) if isinstance(database, str) else database
        return url.render_as_string(hide_password=True) if isinstance(url, sa.URL) else str(url)

    def _migrate(self) -> None:
        with self._db.begin() as connection:
            if connection.dialect.name == "postgresql":  # one process migrates at a time; the others wait
                connection.execute(sa.text("SELECT pg_advisory_xact_lock(7301150115)"))
            schema.create(connection, checkfirst=True)
            current = connection.execute(sa.select(sa.func.max(schema.c.version))).scalar() or 0
            if current > SCHEMA_VERSION:
                raise StoreError(
                    f"SQL store {self._where(self._db)}: its tables are at version {current}, written by a newer version "
                    f"of efficiency_rules than this one (which knows up to {SCHEMA_VERSION}): upgrade the library"
                )
            for version in range(current + 1, SCHEMA_VERSION + 1):
                MIGRATIONS[version](connection)
                connection.execute(schema.insert().values(version=version))

    @property
    def schema_version(self) -> int:
        """The version of the tables in the database."""
        with self._db.connect() as connection:
            return int(connection.execute(sa.select(sa.func.max(schema.c.version))).scalar() or 0)

    def load_thread(self, thread: str) -> StoredThread | None:
        with self._db.connect() as connection:
            row = connection.execute(sa.select(threads.c.version, threads.c.state, threads.c.due)
                                     .where(threads.c.thread == thread)).first()
        return None if row is None else StoredThread(thread, row[0], bytes(row[1]), row[2])

    def find_event(self, event_id: str) -> tuple[str, str] | None:
        with self._db.connect() as connection:
            row = connection.execute(sa.select(events.c.thread, events.c.digest).where(events.c.event_id == event_id)).first()
        return None if row is None else (row[0], row[1])

    def write_thread(self, write: ThreadWrite) -> None:
        try:
            with self._db.begin() as connection:
                if write.version == 1:
                    connection.execute(threads.insert().values(thread=write.thread, version=1, state=write.state, due=write.due))
                else:
                    done = connection.execute(
                        threads.update()
                        .where(threads.c.thread == write.thread, threads.c.version == write.version - 1)
                        .values(version=write.version, state=write.state, due=write.due)
                    )
                    if done.rowcount != 1:
                        raise StoreConflictError(f"{write.thread}: the row is no longer at version {write.version - 1}")
                if write.events:
                    connection.execute(events.insert(), [{"event_id": event_id, "thread": write.thread, "digest": digest}
                                                         for event_id, digest in write.events])
                rows = [{"verdict_id": vid, "thread": write.thread, "rule": rule, "at": at, "body": body}
                        for vid, rule, at, body in map(verdict_row, write.verdicts)]
                if rows:
                    known = set(connection.execute(sa.select(verdicts.c.verdict_id)
                                                   .where(verdicts.c.verdict_id.in_([row["verdict_id"] for row in rows]))).scalars())
                    rows = [row for row in rows if row["verdict_id"] not in known]
                    if rows:
                        connection.execute(verdicts.insert(), rows)
        except sa.exc.IntegrityError as exc:  # the row was created, or an event id stored, by another writer
            raise StoreConflictError(f"{write.thread}: {exc.orig}") from None

    def due_threads(self, before: float) -> list[str]:
        with self._db.connect() as connection:
            return list(connection.execute(sa.select(threads.c.thread).where(threads.c.due < before)
                                           .order_by(threads.c.due, threads.c.thread)).scalars())

    def iter_threads(self) -> Iterator[StoredThread]:
        with self._db.connect() as connection:
            result = connection.execution_options(yield_per=500).execute(
                sa.select(threads.c.thread, threads.c.version, threads.c.state, threads.c.due).order_by(threads.c.thread))
            for thread, version, state, due in result:
                yield StoredThread(thread, version, bytes(state), due)

    def stored_verdicts(self, thread: str | None = None) -> list[Verdict]:
        query = sa.select(verdicts.c.body)
        if thread is not None:
            query = query.where(verdicts.c.thread == thread)
        with self._db.connect() as connection:
            found = [Verdict.model_validate_json(body) for body in connection.execute(query).scalars()]
        found.sort(key=lambda v: (v.at, v.id))
        return found

    def counts(self) -> dict[str, int]:
        """How many threads, events and verdicts the store holds."""
        with self._db.connect() as connection:
            return {name: int(connection.execute(sa.select(sa.func.count()).select_from(table)).scalar() or 0)
                    for name, table in (("threads", threads), ("events", events), ("verdicts", verdicts))}

    def close(self) -> None:
        if self._owned:
            self._db.dispose()
