"""Copies of the database: one a day, one before every change of its layout, and one taken from a
database that went missing while the service ran.

SQLite's online backup copies a consistent state while the service keeps working (a plain file
copy of a database in WAL mode can miss the last transactions). Copies go to a local folder and
are kept `backup_days` days (the newest few always). `sop-docs restore` puts one back
(`sop_docs.restore`).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path

from sop_docs.adapters.db import BACKUP_PREFIX as PREFIX
from sop_docs.adapters.db import Database

log = logging.getLogger("sop_docs")

ALWAYS_KEEP = 3


def take(db: Database, folder: Path, reason: str, now: datetime | None = None) -> Path:
    """A copy now, named by time and reason: `sop_docs-20261128-093000-harian.db`."""
    now = now or datetime.now()
    target = folder / f"{PREFIX}{now:%Y%m%d-%H%M%S}-{reason}.db"
    db.copy_to(target)
    log.info("database copied to %s (%s)", target, reason)
    return target


def backups(folder: Path) -> list[Path]:
    """The copies in `folder`, oldest first."""
    try:
        return sorted(p for p in folder.iterdir() if p.name.startswith(PREFIX)
                      and p.suffix == ".db" and p.is_file())
    except OSError:
        return []


def daily(db: Database, folder: Path, keep_days: int, now: datetime | None = None) -> Path | None:
    """Take the day's copy if none is younger than a day; drop copies older than `keep_days`.
    Real time, not the service's clock: it is about files on disk."""
    if db.postgresql:             # the database administrator's pg_dump (docs/service.md)
        return None
    now = now or datetime.now()
    existing = backups(folder)
    newest = existing[-1].stat().st_mtime if existing else 0.0
    made = None
    if now.timestamp() - newest >= 24 * 3600 or not existing:
        made = take(db, folder, "harian", now)
        existing.append(made)
    cutoff = (now - timedelta(days=keep_days)).timestamp()
    for old in existing[:-ALWAYS_KEEP]:
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    return made
