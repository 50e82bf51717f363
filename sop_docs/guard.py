"""Never a fresh start over existing history: the database and the store must match the workspace.

A deleted or truncated database would silently start again at `PIP-2026-0001` and letter number
001, and a missing store would let files be removed whose only copy it held. So before the service
acts, the database must open (a garbage file is refused, not a traceback), the store must be the
one the database was made with (an identity written in both at creation), and every case the
workspace shows — bundles in archive/, rows of the register, files in the outboxes — must be known
to the database with counters at least that far. Anything else stops the service with a message
in Indonesian and English and exit code 6; the administrator restores a backup.
"""

from __future__ import annotations

import logging
import os
import stat
import uuid
from pathlib import Path
from typing import NoReturn

from sqlalchemy.exc import DatabaseError, DBAPIError

from sop_docs import folders
from sop_docs.adapters import fstype
from sop_docs.adapters.blobs import BlobStore
from sop_docs.adapters.db import Database, DatabaseBroken, LeaseLost
from sop_docs.adapters.sql import Target
from sop_docs.core.naming import case_number
from sop_docs.core.sop import Sop
from sop_docs.errors import StateMismatch
from sop_docs.workspace import Workspace

log = logging.getLogger("sop_docs")

STORE_ID = "store_id"
RESTORE_HINT = ("Pulihkan dari cadangan dengan `sop-docs restore` (lihat docs/service.md). / "
                "Restore a backup with `sop-docs restore` (see docs/service.md).")
# PostgreSQL: the office's records are another workspace's (most often `kantor` copied from
# another office's sop.toml); nothing of that office is touched
_OTHER_WORKSPACE = (
    "Catatan kantor {k} di {where} milik ruang kerja lain: apakah `kantor` di sop.toml disalin "
    "dari kantor lain? Beri kantor ini kodenya sendiri; catatan kantor {k} tidak diubah. / The "
    "records of kantor {k} belong to another workspace: was `kantor` copied from another office's "
    "sop.toml? Give this office its own code; nothing of kantor {k} was changed. (A workspace "
    "whose store was lost: put `.sop_docs/store` back from the share's backup.)")


def open_database(target: Target, *, create: bool, backup_folder: Path | None = None,
                  migrate: bool = True) -> Database:
    """The office's database; a missing one only when `create`, a broken one never."""
    path = target.shown
    if target.path is not None and not target.path.exists() and not create:
        raise StateMismatch(f"Basis data tidak ada: {path}. / The database is missing: {path}. "
                            + RESTORE_HINT)
    if target.path is None and not create:
        probe = Database(target, migrate=False)
        try:
            known = probe.office_exists()
        finally:
            probe.close()
        if not known:
            raise StateMismatch(f"Kantor {target.kantor} belum ada di basis data {path}; jalankan "
                                f"`sop-docs init`. / The office is not in the database {path} "
                                "yet; run `sop-docs init`.")
    try:
        return Database(target, backup_folder, migrate=migrate)
    except DatabaseBroken as e:
        raise StateMismatch(
            f"Basis data {path} rusak dan tidak dapat dibuka ({e}); layanan tidak dijalankan. / "
            f"The database {path} is damaged and cannot be opened ({e}); not starting. "
            + RESTORE_HINT) from e


def open_store(ws: Workspace, db: Database, *, create: bool) -> BlobStore:
    """The store the database was made with. A new workspace gets a new one; a workspace from
    before store identities adopts its store once every recorded file is found in it."""
    blobs = BlobStore(ws.store)
    recorded, found = db.get_meta(STORE_ID), blobs.identity()
    if recorded and found == recorded:
        return blobs
    if recorded:
        _not_this_store(ws, db, found)
    if found is not None:
        raise StateMismatch(
            f"Penyimpanan berkas {ws.store} milik basis data lain, sedangkan basis data {db.shown} "
            f"baru atau kosong. / The content store belongs to another database, and {db.shown} "
            "is new or empty. " + RESTORE_HINT)
    if not create:
        raise StateMismatch(f"Penyimpanan berkas belum dibuat: {ws.store}. / No content store yet.")
    missing = [sha for sha in db.document_shas() if not blobs.holds(sha)]
    if missing:
        raise StateMismatch(
            f"Penyimpanan berkas {ws.store} tidak memuat {len(missing)} berkas yang tercatat "
            f"(mis. {missing[0][:12]}). / The content store lacks {len(missing)} recorded "
            "file(s). " + RESTORE_HINT)
    identity = uuid.uuid4().hex
    blobs.create(identity)
    with db.tx():
        db.set_meta(STORE_ID, identity)
    return blobs


def _not_this_store(ws: Workspace, db: Database, found: str | None) -> NoReturn:
    what = "tidak ada" if found is None else "bukan milik basis data ini"
    english = "missing" if found is None else "not the one of this database"
    raise StateMismatch(
        f"Penyimpanan berkas {ws.store} {what}; tanpa itu berkas yang diterima bisa hilang. / "
        f"The content store {ws.store} is {english}; without it received files could be "
        "lost. " + (_OTHER_WORKSPACE.format(k=db.target.kantor, where=db.shown)
                    if db.postgresql else RESTORE_HINT))


def check_store_owner(ws: Workspace, db: Database) -> None:
    """PostgreSQL, before waiting for the office's lease: an office whose records were made with
    another workspace's store (`kantor` copied from another office's sop.toml) is refused at once,
    rather than waited for as a standby of the other office."""
    if not db.postgresql or not db.office_exists():
        return
    try:
        recorded = db.get_meta(STORE_ID)
    except DatabaseError:        # an office not yet migrated this far: open_store decides later
        return
    found = BlobStore(ws.store).identity()
    # a store that cannot be read now may be a share's blip (a standby asks every second): only
    # another store, or none in a readable .sop_docs, is refused before the lease
    absent = found is None and ws.store.parent.is_dir() and not os.path.lexists(ws.store)
    if recorded and (absent or (found is not None and found != recorded)):
        _not_this_store(ws, db, found)


def check_history(ws: Workspace, sop: Sop, db: Database) -> None:
    """Refuse a database that is behind what the workspace shows."""
    behind = []
    for case_id, where in sorted(folders.case_ids_shown(ws, sop).items()):
        year, seq = case_number(case_id)
        if db.case(case_id) is None or db.peek_number(f"agenda:{sop.id}", year) <= seq:
            behind.append(f"{case_id} ({where})")
    if behind:
        shown = ", ".join(behind[:5]) + (f" dan {len(behind) - 5} lainnya" if len(behind) > 5 else "")
        raise StateMismatch(
            f"Basis data {db.shown} tertinggal dari isi ruang kerja: kasus {shown} tidak "
            "tercatat. Layanan tidak dijalankan agar Nomor Agenda dan nomor surat tidak "
            f"terulang. / The database is behind the workspace: {len(behind)} case(s) it shows "
            "are not recorded; not starting, so that no number is reused. " + RESTORE_HINT)


def check_still_ours(db: Database, blobs: BlobStore) -> None:
    """While running: the database file is still the one opened, the store still there."""
    if db.path is None:
        try:
            same = db.office_exists()
        except DBAPIError as e:      # the server is away: not a replaced database
            raise LeaseLost(f"the connection to {db.shown} is lost: {e.orig}") from e
    else:
        try:
            same = os.stat(db.path).st_ino == db.inode
        except OSError:
            same = False
    if not same:
        raise StateMismatch(
            f"Basis data {db.shown} dihapus atau diganti saat layanan berjalan. / The database "
            "was removed or replaced while the service ran. " + RESTORE_HINT)
    if blobs.identity() != db.get_meta(STORE_ID):
        raise StateMismatch(
            f"Penyimpanan berkas {blobs.root} hilang atau diganti saat layanan berjalan. / The "
            "content store went missing or was replaced while the service ran. " + RESTORE_HINT)


# file systems that reach another machine: SQLite's locking and WAL do not hold there
_NETWORK = frozenset({"cifs", "smb", "smb2", "smb3", "smbfs", "nfs", "nfs4", "afs", "ncpfs",
                      "ceph", "glusterfs", "davfs", "fuse.sshfs", "fuse.rclone", "fuse.davfs2"})


def check_layout(ws: Workspace, target: Target, mounts: Path = Path("/proc/mounts")) -> None:
    """Refuse a layout that could lose files (docs/service.md, "Which paths are shared").

    With PostgreSQL, any machine that takes over must see the very store and folders the last
    one wrote: the store must be a real folder of the workspace, on the workspace's own file
    system (not a link, not a local disk mounted over it). With SQLite, the database file must be
    on this machine's own disk: over SMB or NFS its locks and journal do not hold."""
    if target.path is not None:
        kind = fstype.filesystem_type(target.path.parent, mounts)
        if kind in _NETWORK:
            raise StateMismatch(
                f"Basis data SQLite {target.path} ada di sistem berkas jaringan ({kind}); di sana "
                "penguncian SQLite tidak berlaku dan catatan bisa rusak. Pindahkan ke disk lokal "
                "mesin layanan, atau gunakan PostgreSQL. / The SQLite database is on a network "
                f"file system ({kind}), where its locking does not hold; move it to the service "
                "machine's local disk or use PostgreSQL (docs/service.md).")
        return
    root = os.lstat(ws.root)
    for folder in (ws.state, ws.store):
        try:
            st = os.lstat(folder)
        except FileNotFoundError:
            continue
        if not stat.S_ISDIR(st.st_mode) or st.st_dev != root.st_dev:
            what = "sebuah tautan" if stat.S_ISLNK(st.st_mode) else "di sistem berkas lain"
            raise StateMismatch(
                f"{folder} {what}, bukan folder di ruang kerja bersama; mesin cadangan tidak akan "
                f"melihat berkas yang disimpan di sana. / {folder} is "
                f"{'a link' if stat.S_ISLNK(st.st_mode) else 'on another file system'}, not a "
                "folder of the shared workspace: a machine taking over would not see the files "
                "kept there (docs/service.md, PostgreSQL: which paths are shared).")
