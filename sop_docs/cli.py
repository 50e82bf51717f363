"""The `sop-docs` command: thin wrappers over the service, for the administrator.

Errors the administrator can act on are printed as one line (no traceback) with a distinct exit code.
"""

from __future__ import annotations

import errno
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.table import Table

from sop_docs.errors import SopDocsError, StateMismatch, StorageFull, WorkspaceBusy

if TYPE_CHECKING:
    from sop_docs.service import Service

log = logging.getLogger("sop_docs")


def _setup_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(message)s", stream=sys.stderr)


def _friendly(fn: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except SopDocsError as e:
            click.echo(f"sop-docs: {e}", err=True)
            sys.exit(e.exit_code)
        except OSError as e:
            if e.errno != errno.ENOSPC:
                raise
            click.echo(f"sop-docs: disk penuh / disk full ({e.filename or e}): nothing was "
                       "changed; free space and run it again.", err=True)
            sys.exit(StorageFull.exit_code)
    return run


@contextmanager
def _reading(directory: Path) -> Iterator[Service]:
    """The service for reading only (`status`, `verify`): it runs beside a watcher."""
    from sop_docs.bootstrap import open_service

    svc = open_service(directory, exclusive=False)
    try:
        yield svc
    finally:
        svc.close()


DIR = click.argument("directory", required=False, default=".",
                     type=click.Path(file_okay=False, path_type=Path))


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log more detail.")
def main(verbose: bool) -> None:
    """Run the office's SOP on its shared folders."""
    _setup_logging(verbose)


@main.command()
@DIR
@_friendly
def init(directory: Path) -> None:
    """Make DIRECTORY a workspace: folders, templates, settings, empty register.

    Example: sop-docs init /srv/ppid
    """
    from sop_docs.bootstrap import load_sop_ref, open_service
    from sop_docs.settings import load_settings
    from sop_docs.workspace import init_workspace

    directory.mkdir(parents=True, exist_ok=True)
    settings = load_settings(directory)
    made = init_workspace(directory, load_sop_ref(settings.sop_ref, directory))
    svc = open_service(directory)
    try:
        svc.process_register()
        where = svc.db.shown if svc.db.postgresql else ""
    finally:
        svc.close()
    click.echo(f"Workspace ready at {directory.resolve()} ({len(made)} item(s) created).")
    if where:
        click.echo(f"Kantor tercatat di / The office's records are in {where}.")


@main.command()
@DIR
@_friendly
def scan(directory: Path) -> None:
    """Take in everything waiting (inbox files, register decisions), act, and exit.

    Example: sop-docs scan /srv/ppid
    """
    from sop_docs import delivery
    from sop_docs.bootstrap import open_service

    svc = open_service(directory)
    try:
        svc.scan()
        delivery.send_once(svc)      # what is due, for a few seconds at most; the rest waits
    finally:
        svc.close()


@main.command()
@DIR
@click.option("--polling/--native", "polling", default=None,
              help="Force polling (network shares) or native events. [sop.toml: watch.mode]")
@click.option("--settle", type=float, default=None,
              help="Seconds a file must stay unchanged before it is taken in. [watch.settle_seconds]")
@click.option("--rescan", type=float, default=None,
              help="Seconds between full rescans, the net for missed events. [watch.rescan_seconds]")
@click.option("--poll-interval", type=float, default=None,
              help="Seconds between looks in polling mode. [watch.poll_seconds]")
@_friendly
def watch(directory: Path, polling: bool | None, settle: float | None, rescan: float | None,
          poll_interval: float | None) -> None:
    """Do what `scan` does, continuously, until stopped (the service).

    Settings come from the workspace's sop.toml [watch]; flags override them.

    Example: sop-docs watch /srv/ppid
    """
    from sop_docs import watch as watch_mode
    from sop_docs.settings import load_settings
    from sop_docs.workspace import open_workspace

    s = load_settings(open_workspace(directory).root)
    mode = s.watch_mode if polling is None else ("polling" if polling else "native")
    watch_mode.run(directory, mode=mode, settle=s.settle_seconds if settle is None else settle,
                   rescan_every=s.rescan_seconds if rescan is None else rescan,
                   poll_interval=s.poll_seconds if poll_interval is None else poll_interval)


@main.command()
@DIR
@click.option("--semua-kantor", "everywhere", is_flag=True,
              help="Every office of the PostgreSQL database (the province's view; reads only).")
@_friendly
def status(directory: Path, everywhere: bool) -> None:
    """Show the open cases: step, holder, deadline, late or not.

    Example: sop-docs status /srv/ppid
    """
    from sop_docs.adapters.outbox import Outbox

    if everywhere:
        _status_everywhere(directory)
        return
    with _reading(directory) as svc:
        rows = svc.register_rows()
        access = svc.access
        marked = svc.paperwork.mark
        on_calendar = {k.name for k in svc.sop.kinds if k.on_calendar}
        standing = _stand_ins_today(svc)
        unsent = Outbox(svc.db).unsent()
    console = Console(width=None if sys.stdout.isatty() else 160)  # piped: one row per case
    _print_unsent(console, unsent)
    if marked:
        console.print("[bold yellow]Peringatan: sop.toml masih berisi data contoh; setiap "
                      f"dokumen diberi tanda \"{marked}\". Lihat `sop-docs check`. "
                      "(Example values in sop.toml: documents are marked as not official.)[/]")
    if access.mode == "none":
        console.print('[bold yellow]Peringatan: authorization = "none" — keputusan tidak tercatat '
                      "atas nama orang dan siapa pun yang dapat menyimpan register dapat "
                      "memutuskan. (Decisions are not attributed to people.)[/]")
    elif not access.mapped:
        console.print("[bold yellow]Peringatan: belum ada orang yang dipetakan ke peran "
                      "(\\[access.roles] di sop.toml); keputusan hanya dijaga oleh izin folder "
                      "keputusan/. (No people mapped to roles.)[/]")
    for line in standing:
        console.print(line)
    if not rows:
        console.print("Tidak ada kasus terbuka. (No open cases.)")
        return
    table = Table(title=f"Kasus terbuka — {len(rows)}")
    for col in ("No. Agenda", "Perihal", "Jenis", "Tahap", "Posisi", "Batas Waktu", "Status Waktu"):
        table.add_column(col)
    late = 0
    for r in rows:
        late += r.late
        style = "bold red" if r.late else None
        table.add_row(r.case_id, r.subject, r.kind, r.step, r.holder,
                      _fmt(r.deadline), "Terlambat" if r.late else "Tepat Waktu", style=style)
    console.print(table)
    if late:
        console.print(f"[bold red]{late} kasus terlambat.[/]")
    if shown := sorted(on_calendar & {r.kind for r in rows}):
        console.print(f"Batas Waktu {', '.join(shown)} dihitung dalam waktu kalender (24 jam sehari, "
                      "termasuk malam, akhir pekan dan hari libur); yang lain dalam jam kerja kantor.")


def _stand_ins_today(svc: Service) -> list[str]:
    """'Kepala Dinas hari ini: Plt. <nama> (sampai 4 Desember 2026).' for each role a stand-in
    holds today: whose decision counts and who signs."""
    from sop_docs.paperwork import tanggal

    today = svc.now()
    out = []
    for role, r in svc.sop.roles.items():
        s = svc.people.stand_in(role, today.date())
        if s is not None:
            until = tanggal(datetime.combine(s.end, datetime.min.time()))
            out.append(f"{r.name} hari ini: {s.title} {svc.paperwork.name_of(s.user)} "
                       f"(sampai {until}).")
    return out


@main.command()
@DIR
@_friendly
def verify(directory: Path) -> None:
    """Check every archive bundle (BagIt checksums) against the database; exit 1 on any problem.

    Example: sop-docs verify /srv/ppid
    """
    with _reading(directory) as svc:
        report = svc.verify()
    for problem in report.problems:
        click.echo(problem)
    if report.problems:
        click.echo(f"{len(report.problems)} problem(s) in {report.bundles} bundle(s).", err=True)
        sys.exit(1)
    click.echo(f"OK: {report.bundles} bundle(s) checked, all files intact and matching the database.")


@main.command()
@DIR
@_friendly
def migrate(directory: Path) -> None:
    """Bring the database's layout up to this version of sop-docs (SQLite: a copy is taken first).

    Example: sop-docs migrate /srv/ppid
    """
    from sop_docs.adapters.db import Database
    from sop_docs.bootstrap import backup_folder, database_target, load_office

    ws, settings, _sop = load_office(directory)
    target = database_target(ws, settings)
    probe = Database(target, migrate=False)
    try:
        if target.postgresql and not probe.office_exists():    # a mistyped kantor: no new office
            raise StateMismatch(f"Kantor {target.kantor} belum ada di basis data {target.shown}; "
                                "jalankan `sop-docs init`. / The office is not in the database "
                                "yet; run `sop-docs init`.")
        pending = probe.pending_migrations()
        if pending and not probe.take_lease():                 # the layout is the holder's
            raise WorkspaceBusy(f"kantor {target.kantor} sedang dijalankan oleh {probe.holder()}; "
                                "hentikan dulu / stop its watchers first, then migrate.")
        if not pending:
            click.echo(f"{target.shown}: sudah mutakhir / up to date.")
            return
        probe.backup_folder = backup_folder(ws, settings)
        probe.migrate()
    finally:
        probe.close()
    click.echo(f"{target.shown}: {len(pending)} perubahan diterapkan / applied: {', '.join(pending)}")


@main.command()
@click.option("--tahun", "year", type=click.IntRange(2000, 2999), default=None,
              help="The year reported (default: this year).")
@click.option("--semua-kantor", "everywhere", is_flag=True,
              help="The province's recap of every office of the PostgreSQL database "
                   "(laporan/Rekap Provinsi <year>.xlsx; reads only).")
@DIR
@_friendly
def laporan(directory: Path, year: int | None, everywhere: bool) -> None:
    """Write what the office must show for a year into laporan/ (the annual Laporan Layanan
    Informasi Publik, the Daftar Informasi Publik with its PDF, the dashboard index.html), from
    the database; runs beside the watcher (which keeps the DIP and the dashboard current).

    With --semua-kantor, only the province's recap: one row per office of the PostgreSQL
    database with its year's figures, written to laporan/Rekap Provinsi <year>.xlsx.

    Example: sop-docs laporan --tahun 2026 /srv/ppid
    """
    from sop_docs import laporan as reports

    if everywhere:
        click.echo(f"wrote {_recap_everywhere(directory, year)}")
        return
    with _reading(directory) as svc:
        written = reports.write_all(svc, year or svc.clock().year)
    for path in written:
        click.echo(f"wrote {path}")


@main.command()
@DIR
@_friendly
def check(directory: Path) -> None:
    """Report what in the folders is wider than the share layout (docs/service.md); exit 1 if any.

    Also lists the example values sop.toml still holds (they mark every document as not
    official; they do not change the exit code: a try-out office runs on them).

    Example: sop-docs check /srv/ppid
    """
    from sop_docs import contoh, sharecheck
    from sop_docs.bootstrap import (
        backup_folder,
        database_target,
        load_access,
        load_notify,
        load_office,
        load_people,
    )
    from sop_docs.core.people import incomplete_stand_ins, untold

    ws, settings, sop = load_office(directory)
    examples = contoh.find(ws.root, settings, ws.templates)
    for v in examples:
        click.echo(f"sop.toml {v.where}: nilai contoh — {v.explanation}")
    if examples:
        click.echo(f"{len(examples)} nilai contoh di sop.toml: setiap dokumen diberi tanda "
                   f"\"{contoh.mark(examples)}\" sampai semuanya diganti dan layanan "
                   "dijalankan ulang.")
    access = load_access(settings, sop)
    people = load_people(settings, sop, access)
    notify = load_notify(settings, sop, people)
    for gap in [*untold(people, sop.roles, bool(notify.server)), *incomplete_stand_ins(people)]:
        click.echo(f"sop.toml {gap}")
    private = [p for p in (database_target(ws, settings).path, backup_folder(ws, settings)) if p]
    problems = sharecheck.check(ws, sop, access, private)
    for line in problems:
        click.echo(line)
    if access.mode == "none":
        click.echo('authorization = "none": decisions are not attributed to people')
    if problems:
        click.echo(f"{len(problems)} thing(s) wider than the layout of docs/service.md.", err=True)
        sys.exit(1)
    click.echo("OK: the folders are no wider than the layout of docs/service.md.")


@main.command()
@DIR
@click.option("--backup", "chosen", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              default=None, help="The database copy to put back (default: the newest).")
@_friendly
def restore(directory: Path, chosen: Path | None) -> None:
    """Put a database copy back, then replay what the folders show happened since.

    The database that was there is kept beside it. Stop the watcher first.

    Example: sop-docs restore /srv/ppid
    """
    from sop_docs.bootstrap import backup_folder, database_path, load_office, local_clock
    from sop_docs.restore import restore as do_restore

    ws, settings, sop = load_office(directory)
    report = do_restore(ws, sop, settings, database_path(ws, settings),
                        backup_folder(ws, settings), chosen, local_clock(settings)())
    click.echo(f"Restored from {report.backup}.")
    if report.kept_as:
        click.echo(f"The database that was there is kept as {report.kept_as}.")
    click.echo(f"Replayed from the folders: {len(report.cases_added)} case(s) added, "
               f"{len(report.cases_updated)} brought up to date, {report.documents} document(s), "
               f"{report.events} event(s).")
    for name, value in sorted(report.counters.items()):
        click.echo(f"Counter {name} raised to {value}.")
    for warning in report.warnings:
        click.echo(f"WARNING: {warning}", err=True)
    click.echo("Start the service again (or run `sop-docs scan`).")


def _print_unsent(console: Console, unsent: list[Any]) -> None:
    """The notifications not (yet) delivered: how many, the oldest, and each one given up on."""
    from rich.markup import escape

    from sop_docs.adapters.channels import redact

    if not unsent:
        return
    failed = [r for r in unsent if r["status"] == "failed"]
    oldest = min(unsent, key=lambda r: r["created_at"])
    console.print(f"Pemberitahuan belum terkirim: {len(unsent)} ({len(failed)} gagal); yang "
                  f"tertua sejak {escape(oldest['created_at'])} kepada "
                  f"{escape(oldest['person'] or '-')} <{escape(redact(oldest['address']))}>. "
                  "(Notifications not sent yet.)")
    for r in failed:
        console.print(f"[bold red]Gagal[/] setelah {r['attempts']} percobaan: "
                      f"{escape(r['person'] or '-')} <{escape(redact(r['address']))}> — "
                      f"\"{escape(r['subject'])}\" ({escape(r['error'])})")


@main.command()
@DIR
@click.option("--test", "test", is_flag=True, help="Send a test message to every address.")
@_friendly
def notify(directory: Path, test: bool) -> None:
    """Send a test message to every address in sop.toml ([[people]] and [notify] admin), directly
    (not through the outbox), and print OK or the error per address; exit 1 if any failed.

    Example: sop-docs notify --test /srv/ppid
    """
    from sop_docs import delivery

    if not test:
        raise click.UsageError("say what to do: --test")
    with _reading(directory) as svc:
        targets = [(p.nama, a) for p in svc.people.persons for a in p.alamat]
        targets += [("administrator", a) for a in svc.notify.admin]
        results = delivery.send_test(svc, targets)
    if not results:
        click.echo("Tidak ada alamat di sop.toml ([[people]] alamat, [notify] admin): tidak ada "
                   "yang diuji. (No address to test.)")
        sys.exit(1)
    for (nama, _address), (shown, error) in zip(targets, results, strict=True):
        click.echo(f"{'OK   ' if error is None else 'GAGAL'} {nama} <{shown}>"
                   + ("" if error is None else f": {error}"))
    failed = sum(error is not None for _shown, error in results)
    click.echo(f"{len(results) - failed} terkirim, {failed} gagal.")
    if failed:
        sys.exit(1)


def _status_everywhere(directory: Path) -> None:
    """`status --semua-kantor`: one table of every office's open cases, then one line per office."""
    from sop_docs import provinsi
    from sop_docs.bootstrap import database_target, days_off, load_office, local_clock
    from sop_docs.core.calendar import WorkCalendar

    ws, settings, sop = load_office(directory)
    clock = local_clock(settings)
    calendar = WorkCalendar(settings.hours, days_off(settings, clock().date()))
    found = provinsi.offices(database_target(ws, settings), sop, calendar, clock)
    console = Console(width=None if sys.stdout.isatty() else 200)
    rows = [c for o in found for c in o.open_cases]
    table = Table(title=f"Kasus terbuka di {len(found)} kantor — {len(rows)}")
    for col in ("Kantor", "No. Agenda", "Perihal", "Jenis", "Tahap", "Posisi", "Batas Waktu",
                "Status Waktu"):
        table.add_column(col)
    for c in rows:
        table.add_row(c.kantor, c.id, c.perihal, c.jenis, c.tahap, c.posisi, _fmt(c.batas),
                      "Terlambat" if c.terlambat else ("Tepat Waktu" if c.batas else ""),
                      style="bold red" if c.terlambat else None)
    console.print(table)
    for o in found:
        late = sum(c.terlambat for c in o.open_cases)
        line = (f"{o.kode}: {len(o.open_cases)} terbuka, {late} terlambat, "
                f"{o.closed_this_year} selesai tahun ini")
        console.print(line if not o.error else f"{o.kode}: tidak terbaca ({o.error})")


def _recap_everywhere(directory: Path, year: int | None) -> Path:
    """`laporan --semua-kantor`: the year's figures of every office, in one workbook."""
    from datetime import date

    from sop_docs import provinsi, rekap
    from sop_docs.bootstrap import database_target, days_off, load_office, local_clock
    from sop_docs.core.calendar import WorkCalendar

    ws, settings, sop = load_office(directory)
    now = local_clock(settings)()
    year = year or now.year
    calendar = WorkCalendar(settings.hours, days_off(settings, date(year, 6, 30)))
    target = database_target(ws, settings)
    found = provinsi.years(target, sop, calendar, year)
    return rekap.write(ws.root, found, year, sop, target.shown.split(" (kantor")[0], now)


def _fmt(d: datetime | None) -> str:
    return d.strftime("%d/%m/%Y %H:%M") if d else ""


if __name__ == "__main__":
    main()
