"""The workspace's records read from outside the service (a watcher runs in another process):
SQLite or PostgreSQL, whichever the workspace's settings name."""

from __future__ import annotations

import re
import shutil
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sop_docs.adapters.db import Database
from sop_docs.adapters.sql import Rec, is_postgresql, target_of
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


def copy_workspace(src: Path, dst: Path) -> None:
    """A copy of a workspace with its records: on SQLite the database file comes along; on
    PostgreSQL the office's schema is copied into a new office, named in the copy's sop.toml."""
    shutil.copytree(src, dst)
    s = load_settings(src)
    if not is_postgresql(s.database):
        return
    new = f"t{uuid.uuid4().hex[:12]}"
    toml = dst / "sop.toml"
    toml.write_text(re.sub(r'(?m)^kantor\s*=.*$', f'kantor = "{new}"', toml.read_text("utf-8")),
                    "utf-8")
    db = records(src)
    old, c = db.target.schema, db.conn
    try:
        c.run(f'CREATE SCHEMA "kantor_{new}"')
        tables = [r[0] for r in c.execute("SELECT table_name FROM information_schema.tables "
                                          "WHERE table_schema=?", (old,))]
        for t in tables:
            c.run(f'CREATE TABLE "kantor_{new}"."{t}" (LIKE "{old}"."{t}" INCLUDING ALL)')
            c.run(f'INSERT INTO "kantor_{new}"."{t}" SELECT * FROM "{old}"."{t}"')
            if c.execute("SELECT 1 FROM information_schema.columns WHERE table_schema=? AND "
                         "table_name=? AND column_name='id' AND is_identity='YES'",
                         (old, t)).fetchone():
                c.execute(f"SELECT setval(pg_get_serial_sequence(?, 'id'), COALESCE(MAX(id), 0) "
                          f'+ 1, false) FROM "kantor_{new}"."{t}"', (f'"kantor_{new}"."{t}"',))
        c.execute("INSERT INTO public.sop_docs_kantor (kode, skema, ditambah) VALUES (?, ?, ?)",
                  (new, f"kantor_{new}", "salinan uji"))
    finally:
        db.close()
