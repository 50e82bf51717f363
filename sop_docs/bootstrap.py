"""The only place where the pieces are built and wired together."""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Callable
from datetime import date, datetime
from importlib import resources
from pathlib import Path

import holidays
from filelock import FileLock, Timeout

from sop_docs import contoh, guard, sharecheck
from sop_docs.adapters import lo_orphans, office, share
from sop_docs.adapters.sql import Target, target_of
from sop_docs.core import access as access_rules
from sop_docs.core import jadwal as jadwal_rules
from sop_docs.core import notify_settings as notify_rules
from sop_docs.core import people as people_rules
from sop_docs.core.access import Access
from sop_docs.core.calendar import WorkCalendar
from sop_docs.core.notify_settings import NotifySettings
from sop_docs.core.people import People
from sop_docs.core.sop import Sop, load_sop
from sop_docs.errors import InvalidSettings, InvalidSop, WorkspaceBusy
from sop_docs.paperwork import Paperwork
from sop_docs.service import Service
from sop_docs.settings import Settings, load_settings
from sop_docs.workspace import Workspace, ensure_folders, open_workspace

log = logging.getLogger("sop_docs")


def load_sop_ref(ref: str, root: Path | None = None) -> Sop:
    """A shipped SOP by name, or a .toml file (relative to the workspace)."""
    if ref.endswith(".toml"):
        path = Path(ref) if root is None else (root / ref)
        try:
            text = path.read_text("utf-8")
        except OSError as e:
            raise InvalidSop(f"cannot read the SOP file {path}: {e}") from e
    else:
        f = resources.files("sop_docs").joinpath(f"sops/{ref}.toml")
        if not f.is_file():
            raise InvalidSop(f"no SOP named '{ref}' is shipped with sop-docs")
        text = f.read_text("utf-8")
    try:
        return load_sop(tomllib.loads(text))
    except tomllib.TOMLDecodeError as e:
        raise InvalidSop(f"SOP {ref}: {e}") from e


def days_off(settings: Settings, around: date) -> frozenset[date]:
    """Indonesian public holidays (the `holidays` package) plus the office's own days off."""
    years = range(around.year - 1, around.year + 3)
    national = holidays.country_holidays("ID", years=years)
    return frozenset(national.keys()) | settings.days_off


def local_clock(settings: Settings) -> Callable[[], datetime]:
    tz = settings.timezone
    return lambda: datetime.now(tz).replace(tzinfo=None, microsecond=0)


def open_service(root: Path, *, clock: Callable[[], datetime] | None = None,
                 exclusive: bool = True) -> Service:
    """The service on a workspace. `exclusive=False` is for reading only (`status`)."""
    ws, settings, sop = load_office(root)
    access = load_access(settings, sop)
    people = load_people(settings, sop, access)
    notify = load_notify(settings, sop, people)
    berkala = load_berkala(settings, sop)
    target = database_target(ws, settings)
    lock = FileLock(str(ws.state / "service.lock"))
    # on PostgreSQL the lease in the database says who acts, across machines (a lock file on a
    # share does not); on SQLite the database and its lock file are on this machine
    file_lock = exclusive and not target.postgresql
    if file_lock:
        try:
            lock.acquire(timeout=0)
        except Timeout as e:
            raise WorkspaceBusy(
                f"another sop-docs process is working on {ws.root} (the watcher?); "
                "it already does what `scan` would") from e
    try:
        share.configure(settings.share_mode, settings.share_group)
    except (KeyError, OSError) as e:
        raise InvalidSettings(f"[share] group {settings.share_group!r}: no such group") from e
    try:
        if exclusive:
            guard.check_layout(ws, target)
        # PostgreSQL: the layout is changed only by the holder of the lease (a standby of a
        # newer version waits), and never by a reader (the province's role may only read)
        db = guard.open_database(target, create=exclusive, migrate=not target.postgresql,
                                 backup_folder=backup_folder(ws, settings))
        try:
            if exclusive and not db.take_lease():
                guard.check_store_owner(ws, db)     # another office's records: refused, not awaited
                raise WorkspaceBusy(
                    f"kantor {target.kantor} sedang dijalankan oleh {db.holder()}; proses ini "
                    f"menunggu. / Another sop-docs process ({db.holder()}) acts for this office.")
            if exclusive and target.postgresql:
                db.migrate()
            blobs = guard.open_store(ws, db, create=exclusive)
            guard.check_history(ws, sop, db)
        except BaseException:
            db.close()
            raise
    except BaseException:
        if file_lock:
            lock.release()
        raise
    clock = clock or local_clock(settings)
    calendar = WorkCalendar(settings.hours, days_off(settings, clock().date()))
    convert = office.to_docx if office.find_soffice() else None
    if convert is not None:
        lo_orphans.sweep_once()            # what a killed sop-docs left running goes first
    if exclusive:
        for made in ensure_folders(ws.root, sop):
            log.warning("%s was missing; made it again", made)
        private = [p for p in (db.path, backup_folder(ws, settings)) if p is not None]
        for problem in sharecheck.check(ws, sop, access, private):
            log.warning("share layout: %s (see docs/service.md)", problem)
    examples = contoh.find(ws.root, settings, ws.templates)
    if exclusive and examples:
        log.warning("sop.toml still holds %d example value(s) (%s): every document is marked "
                    "as not official until they are replaced and the service restarted; see "
                    "`sop-docs check`", len(examples), ", ".join(v.where for v in examples))
    paperwork = Paperwork(sop, settings, ws.templates, ws.root, mark=contoh.mark(examples),
                          people=people)
    if exclusive:
        for gap in [*people_rules.untold(people, sop.roles, bool(notify.server)),
                    *people_rules.incomplete_stand_ins(people)]:
            log.warning("sop.toml: %s", gap)
    if exclusive and access.stand_ins:
        for old in paperwork.without_plt():
            log.warning("%s prints no Plt./Plh. before the signer's jabatan, so a stand-in "
                        "would sign without it: remove it and run `sop-docs init` for the "
                        "current one (or add the tag of the package's copy in Word)",
                        ws.rel(old))
    return Service(ws, sop, settings, db, blobs, calendar, paperwork,
                   clock, convert,
                   on_close=lock.release if file_lock else None, access=access,
                   people=people, notify=notify, berkala=berkala)


def load_access(settings: Settings, sop: Sop) -> Access:
    """`[access]` of sop.toml, checked against the SOP's roles."""
    try:
        return access_rules.parse(settings.raw.get("access", {}), sop.roles)
    except ValueError as e:
        raise InvalidSettings(f"sop.toml: {e}") from e


def load_people(settings: Settings, sop: Sop, access: Access) -> People:
    """`[[people]]` of sop.toml, checked against the SOP's roles and the stand-ins."""
    try:
        return people_rules.parse(settings.raw.get("people", []), sop.roles, access.stand_ins,
                                  people_rules.header_lines(settings.text, "people"))
    except ValueError as e:
        raise InvalidSettings(f"sop.toml: {e}") from e


def load_berkala(settings: Settings, sop: Sop) -> tuple[jadwal_rules.Item, ...]:
    """`[[berkala]]` of sop.toml: the periodic information the office must announce, each
    prepared by its `role` (by default the role the disposition goes to, the concept's writer)."""
    first = sop.first_step
    writer = sop.step(first.next).role if first.next in sop.steps else first.role
    try:
        return jadwal_rules.parse(settings.raw.get("berkala", []), sop.roles, writer,
                                  people_rules.header_lines(settings.text, "berkala"))
    except ValueError as e:
        raise InvalidSettings(f"sop.toml: {e}") from e


def load_notify(settings: Settings, sop: Sop, people: People | None = None) -> NotifySettings:
    """`[notify]` of sop.toml, checked against the SOP; with `people`, every address's kind is
    one apprise knows."""
    try:
        notify = notify_rules.parse(settings.raw.get("notify", {}), sop)
    except (ValueError, TypeError) as e:
        raise InvalidSettings(f"sop.toml: {e}") from e
    if people is not None:
        from sop_docs.adapters.channels import unknown_kinds

        for p in people.persons:
            for kind in unknown_kinds(list(p.alamat)):
                raise InvalidSettings(f"sop.toml: line {p.line} ([[people]] {p.nama}): apprise "
                                      f"does not know addresses of the kind {kind}")
        for kind in unknown_kinds([notify.server, *notify.admin] if notify.server else
                                  list(notify.admin)):
            raise InvalidSettings(f"sop.toml: [notify]: apprise does not know addresses of the "
                                  f"kind {kind}")
    return notify


def load_office(root: Path) -> tuple[Workspace, Settings, Sop]:
    """The workspace, its settings and its SOP, for commands that open no service."""
    ws = open_workspace(root)
    settings = load_settings(ws.root)
    return ws, settings, load_sop_ref(settings.sop_ref, ws.root)


def database_target(ws: Workspace, settings: Settings) -> Target:
    """`[system] database` and `kantor`: a SQLite file (absolute, or relative to the workspace)
    or the office's schema in a PostgreSQL database."""
    return target_of(settings.database, settings.kantor, ws.root)


def database_path(ws: Workspace, settings: Settings) -> Path:
    """The SQLite file (what `restore` and the share check are about); refused on PostgreSQL."""
    target = database_target(ws, settings)
    if target.path is None:
        raise InvalidSettings("this workspace's database is PostgreSQL: its copies are made and "
                              "put back with pg_dump/pg_restore (docs/service.md, PostgreSQL)")
    return target.path


def backup_folder(ws: Workspace, settings: Settings) -> Path:
    """`[system] backup_folder`: absolute, or relative to the workspace."""
    path = Path(settings.backup_folder)
    return path if path.is_absolute() else ws.root / path
