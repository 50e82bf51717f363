"""The workspace's records read from outside the service (a watcher runs in another process):
SQLite or PostgreSQL, whichever the workspace's settings name."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sop_docs.adapters.db import Database
from sop_docs.adapters.sql import Rec, target_of
from sop_docs.settings import load_settings


def records(root: Path) -> Database:
    """A connection of its own (never migrates: the service does that)."""
    s = load_settings(root)
    return Database(target_of(s.database, s.kantor, root), migrate=False)


def query(root: Path, sql: str, params: Sequence[Any] = ()) -> list[Rec]:
    db = records(root)
    try:
        return db.conn.execute(sql, params).fetchall()
    finally:
        db.close()
