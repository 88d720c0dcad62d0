"""Case state in the portal's own database: per-thread state stores with optimistic concurrency.

:class:`StateStore` is the interface (docs/state-store.md); :class:`SQLiteStore` keeps the state
in a SQLite file (standard library); ``efficiency_rules.stores.sqlalchemy.SQLAlchemyStore`` in any
database SQLAlchemy 2 reaches, PostgreSQL among them (extra ``sql``).
"""

from ._base import (
           LIGHTS,
           SCHEMA_VERSION,
           Judgement,
           Light,
           StateStore,
           StoredThread,
           ThreadWrite,
           case_light,
)
from .sqlite import SQLiteStore

__all__ = ["LIGHTS", "SCHEMA_VERSION", "Judgement", "Light", "SQLiteStore", "StateStore", "StoredThread", "ThreadWrite",
           "case_light"]
