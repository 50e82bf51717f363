"""`laporan/Daftar Informasi Publik <year>.xlsx` (and its PDF), computed from the database.

One row per case closed in the year (the year of its closing: the day the information was made
public), grouped Berkala / Serta Merta / Setiap Saat, with the rows the office keeps in its own
sheet ("Tambahan Kantor") merged in; signed by the PPID of `[laporan]` in sop.toml. The list is
never read back: the database is the source, and only the office's sheet is read, as plain values.

Written as the registers are (`register.write`): built aside, put in place by a rename, never
while Excel or LibreOffice has the file open (a lock file beside it: `write_dip` returns None and
the caller tries again later) and never over a save made while it was being built (read again).
Cheap enough to call after each close: one query for the year's closed cases, no events, and
nothing is written when neither the rows nor the file changed since the last write.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sop_docs.adapters import dip_sheet, office, register, share, workbook
from sop_docs.adapters.blobs import fsync_dir
from sop_docs.adapters.db import CaseRow, Database
from sop_docs.adapters.office import ConversionFailed, OfficeUnavailable
from sop_docs.core import dip
from sop_docs.core.sop import Sop
from sop_docs.errors import plainly
from sop_docs.paperwork import tanggal
from sop_docs.workspace import Workspace

if TYPE_CHECKING:
    from sop_docs.service import Service

log = logging.getLogger("sop_docs")

FOLDER = "laporan"
ATTEMPTS = 3


def dip_path(ws: Workspace, year: int) -> Path:
    return ws.root / FOLDER / f"Daftar Informasi Publik {year}.xlsx"


@dataclass(frozen=True)
class DipParts:
    """What the list needs, without a whole Service (the refresher's thread has its own db)."""

    ws: Workspace
    sop: Sop
    settings: dip.DipSettings
    clock: Callable[[], datetime]
    pdf: bool = True                    # make the PDF too (needs LibreOffice)

    @classmethod
    def of(cls, svc: Service, *, pdf: bool = True) -> DipParts:
        return cls(svc.ws, svc.sop, dip.DipSettings.from_raw(svc.settings.raw), svc.clock, pdf)


def closed_case(sop: Sop, c: CaseRow) -> dip.ClosedCase:
    kind = next((k for k in sop.kinds if k.key == c.kind), None)
    return dip.ClosedCase(c.id, c.kind, kind.name if kind else c.kind, c.perihal,
                          datetime.fromisoformat(c.closed_at or c.step_entered_at), c.proofs,
                          c.letter_number)


def write_dip(source: Service | DipParts, year: int, *, db: Database | None = None
              ) -> Path | None:
    """Write the year's DIP (and its PDF); its path, or None when the file is open in Excel or
    LibreOffice (or kept changing): nothing was written, call again later. `db` is the caller's
    own connection when it runs on another thread (SQLite connections stay on theirs); by default
    the service's. OSError (the share out of reach, a full disk) is raised."""
    parts = source if isinstance(source, DipParts) else DipParts.of(source)
    if db is None:
        if isinstance(source, DipParts):
            raise TypeError("write_dip(DipParts, ...) needs db=")
        db = source.db
    path = dip_path(parts.ws, year)
    path.parent.mkdir(parents=True, exist_ok=True)
    cases = [dip.case_row(closed_case(parts.sop, c), parts.settings, tanggal)
             for c in db.closed_in_year(year)]
    for _ in range(ATTEMPTS):
        if register.is_open(path):
            log.info("%s is open; it will be updated once closed", parts.ws.rel(path))
            return None
        before = register.file_hash(path)
        wb = _existing(parts.ws, path)
        own = [r for r in map(dip.office_row, dip_sheet.office_rows(wb)) if r is not None]
        signed = f"{parts.settings.kota}, {tanggal(parts.clock())}"
        groups = dip.grouped(cases, own)
        fingerprint = hashlib.sha256(repr((groups, parts.settings, signed)).encode()).hexdigest()
        key = f"dip:{year}"
        if (before is not None and before == db.get_meta(f"{key}_hash")
                and fingerprint == db.get_meta(f"{key}_fingerprint")):
            _pdf(parts, db, path, year, groups, signed, fingerprint)
            return path
        book = dip_sheet.build(wb, year, parts.settings.office, groups, parts.settings.ppid, signed)
        if register.write(path, book, expected_hash=before, writable=True):
            with db.tx():
                db.set_meta(f"{key}_hash", register.file_hash(path) or "")
                db.set_meta(f"{key}_fingerprint", fingerprint)
            log.info("%s written (%d cases, %d rows of the office)", parts.ws.rel(path),
                     len(cases), len(own))
            _pdf(parts, db, path, year, groups, signed, fingerprint)
            return path
    log.info("%s kept changing while being written; tried again later", parts.ws.rel(path))
    return None


def _existing(ws: Workspace, path: Path):  # type: ignore[no-untyped-def]
    """The workbook as the office left it; one that cannot be read is kept aside under another
    name (what the office typed in it is not lost) and the list starts afresh."""
    try:
        return dip_sheet.load(path)
    except dip_sheet.Unreadable as e:
        aside = path.with_name(f"{path.stem} (tidak terbaca {datetime.now():%Y%m%d-%H%M%S})"
                               f"{path.suffix}")
        os.replace(path, aside)
        log.warning("%s could not be read (%s); kept as %s, written anew", ws.rel(path), e,
                    ws.rel(aside))
        return None


def _pdf(parts: DipParts, db: Database, xlsx: Path, year: int, groups: object, signed: str,
         fingerprint: str) -> None:
    """The list sheet alone as PDF beside the workbook (LibreOffice), when it shows other rows
    than the PDF there (`parts.pdf` False: not now; a later call makes it); a failure is
    logged, the workbook stands."""
    target = xlsx.with_suffix(".pdf")
    key = f"dip:{year}_pdf_fingerprint"
    if not parts.pdf or (target.exists() and db.get_meta(key) == fingerprint):
        return
    with tempfile.TemporaryDirectory(prefix="sop_docs_dip_") as tmp:
        src = Path(tmp) / f"DIP {year}.xlsx"
        only = dip_sheet.build(None, year, parts.settings.office, groups,  # type: ignore[arg-type]
                               parts.settings.ppid, signed)
        only.remove(only[dip_sheet.OFFICE_SHEET])
        src.write_bytes(workbook.to_bytes(only))
        try:
            (out,) = office.convert([src], "pdf", Path(tmp) / "out")
        except (OfficeUnavailable, ConversionFailed) as e:
            log.error("%s: the PDF could not be made (%s)", parts.ws.rel(target), plainly(e))
            return
        fd, name = tempfile.mkstemp(prefix=".dip.", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as f, out.open("rb") as pdf:
                shutil.copyfileobj(pdf, f)
                f.flush()
                share.apply(f.fileno(), writable=False)
                os.fsync(f.fileno())
            os.replace(name, target)
        except BaseException:
            Path(name).unlink(missing_ok=True)
            raise
    fsync_dir(target.parent)
    with db.tx():
        db.set_meta(key, fingerprint)
    log.info("%s written", parts.ws.rel(target))
