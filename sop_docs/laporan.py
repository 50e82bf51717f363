"""What the office must show for a year, written into laporan/: the annual Laporan Layanan
Informasi Publik (Perki 1/2021 Pasal 56), from the database alone.

`write_all(service, year)` is what `sop-docs laporan` runs: every output of the year, each its own
function (the report here; the Daftar Informasi Publik and the dashboard join it). The figures are
`core.figures`', read here from the cases and events tables in one pass; the charts are pictures
(`adapters.charts`); the document is the workspace's template filled by docxtpl like every other
(`adapters.docx`), written aside and renamed into place, never over a copy someone has open.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sop_docs.adapters import docx, safefs
from sop_docs.adapters.blobs import fsync_dir
from sop_docs.adapters.db import Database
from sop_docs.core import figures
from sop_docs.core.calendar import WorkCalendar
from sop_docs.core.figures import CaseFacts, StepEvent, YearFigures
from sop_docs.core.sop import Sop
from sop_docs.errors import SopDocsError
from sop_docs.kendali import durasi, durasi_kalender
from sop_docs.paperwork import tanggal

if TYPE_CHECKING:
    from sop_docs.service import Service

log = logging.getLogger("sop_docs")

FOLDER = "laporan"
TEMPLATE = "Laporan Layanan Informasi Publik.docx"
CHART_WIDTH_MM = 160


class ReportOpen(SopDocsError):
    """The report is open in Word or LibreOffice: writing it now would not reach the reader."""

    exit_code = 5


def report_name(year: int) -> str:
    return f"Laporan Layanan Informasi Publik {year}.docx"


# --------------------------------------------------------------------------- reading the year


def read_year(db: Database, year: int) -> tuple[dict[str, CaseFacts], list[StepEvent]]:
    """The cases and step-ending events `figures.compute` needs for `year`: every case opened or
    closed in it or with a step ending in it, and all of those cases' step-ending events."""
    lo, hi = f"{year:04d}-01-01", f"{year + 1:04d}-01-01"
    kinds = tuple(sorted(figures.ENDS_STEP))
    marks = ",".join("?" * len(kinds))
    chosen = (f"SELECT id FROM cases WHERE (opened_at >= ? AND opened_at < ?) "
              f"OR (closed_at >= ? AND closed_at < ?) UNION SELECT case_id FROM events "
              f"WHERE kind IN ({marks}) AND at >= ? AND at < ? AND case_id IS NOT NULL")
    args = (lo, hi, lo, hi, *kinds, lo, hi)
    conn = db.conn
    cases = {r[0]: CaseFacts(r[0], r[1], datetime.fromisoformat(r[2]),
                             datetime.fromisoformat(r[3]) if r[3] else None)
             for r in conn.execute(f"SELECT id, kind, opened_at, closed_at FROM cases "
                                   f"WHERE id IN ({chosen})", args)}
    events = [StepEvent(r[0], r[1], datetime.fromisoformat(r[2]), r[3], r[4] or "", r[5] or "")
              for r in conn.execute(
                  f"SELECT case_id, kind, at, step_from, decision, catatan FROM events "
                  f"WHERE kind IN ({marks}) AND case_id IN ({chosen}) AND step_from IS NOT NULL "
                  f"ORDER BY case_id, id", (*kinds, *args))]
    return cases, events


def year_figures(db: Database, sop: Sop, calendar: WorkCalendar, year: int) -> YearFigures:
    cases, events = read_year(db, year)
    return figures.compute(sop, calendar, year, cases, events)


# --------------------------------------------------------------------------- the document


def percent(part: int, whole: int) -> str:
    """'87,5%': a share as Indonesian text prints it (one decimal, comma)."""
    if not whole:
        return "-"
    return f"{100 * part / whole:.1f}".replace(".", ",") + "%"


def minutes_text(minutes: float, on_calendar: bool) -> str:
    """A duration in whole minutes (half a minute rounds up), as the Lembar Kendali prints it."""
    whole = int(minutes + 0.5)
    return durasi_kalender(whole) if on_calendar else durasi(whole)


def context(fig: YearFigures, sop: Sop, settings_office: Mapping[str, Any],
            signer: Mapping[str, str], now: datetime) -> dict[str, Any]:
    """What the template prints: every figure as text, in the order of its tables."""
    kind_name = {k.key: k.name for k in sop.kinds}
    role_name = {k: r.name for k, r in sop.roles.items()}
    calendar_kinds = [k.name for k in sop.kinds if k.on_calendar]
    catatan_jam = ("Waktu dihitung dalam jam kerja kantor (tanpa hari libur)"
                   + (f"; untuk informasi {', '.join(calendar_kinds)} dalam waktu kalender "
                      "(24 jam sehari, termasuk malam dan hari libur), karena wajib diumumkan "
                      "tanpa penundaan." if calendar_kinds else "."))
    bulan = [{"jenis": kind_name.get(k, k), "n": list(v), "jumlah": sum(v)}
             for k, v in fig.by_month.items()]
    totals = [sum(v[m] for v in fig.by_month.values()) for m in range(12)]
    bulan.append({"jenis": "Jumlah", "n": totals, "jumlah": sum(totals)})
    catatan: list[dict[str, Any]] = []
    for r in fig.returns:
        catatan += [{"tahap": r.tahap, "catatan": text or "(tanpa catatan)", "jumlah": n}
                    for text, n in r.notes]
        if r.other_notes:
            catatan.append({"tahap": r.tahap, "catatan": "(catatan lain)", "jumlah": r.other_notes})
    returned = sum(r.count for r in fig.returns)
    return {
        "kantor": {k: settings_office.get(k, "") for k in
                   ("pemerintah", "nama", "alamat", "telepon", "email", "laman", "kota",
                    "kode_pos")},
        "logo": "",
        "tahun": fig.year,
        "sop": sop.name,
        "dibuat": f"{tanggal(now)} pukul {now:%H.%M}",
        "tanggal": tanggal(now),
        "ttd": dict(signer),
        "catatan_jam": catatan_jam,
        "mutu_baku": [{"tahap": s.title, "pelaksana": role_name[s.role], "mutu_baku": str(s.time)}
                      for s in sop.steps.values()],
        "ringkasan": {"dibuka": fig.opened, "diumumkan": fig.closed,
                      "belum_selesai": fig.open_at_end, "tahap": fig.steps_measured,
                      "tepat": f"{fig.steps_on_time} "
                               f"({percent(fig.steps_on_time, fig.steps_measured)})"},
        "bulan": bulan,
        "langkah": [{"jenis": kind_name.get(s.kind, s.kind), "tahap": s.tahap,
                     "mutu_baku": s.standard, "jumlah": s.count,
                     "median": minutes_text(s.median, s.on_calendar),
                     "p90": minutes_text(s.p90, s.on_calendar),
                     "tepat": f"{percent(s.on_time, s.count)} ({s.on_time})"}
                    for s in fig.steps],
        "kalimat_pengembalian": (
            f"Sepanjang tahun {fig.year} konsep dikembalikan {returned} kali."
            if returned else f"Sepanjang tahun {fig.year} tidak ada konsep yang dikembalikan."),
        "pengembalian": [{"tahap": r.tahap, "pelaksana": role_name[r.role], "jumlah": r.count}
                         for r in fig.returns],
        "catatan": catatan,
        "peran": [{"pelaksana": role_name[r.role], "jumlah": r.steps, "terlambat": r.late,
                   "persen": percent(r.late, r.steps)} for r in fig.roles],
    }


def charts(fig: YearFigures, sop: Sop) -> dict[str, bytes]:
    """The report's four charts as PNG (matplotlib is loaded only when a report is made)."""
    from sop_docs.adapters import charts as plot

    kind_name = {k.key: k.name for k in sop.kinds}
    role_name = {k: r.name for k, r in sop.roles.items()}
    months = [m[:3] for m in figures.MONTHS]
    out = {"grafik_bulan": plot.stacked_bars(
        months, {kind_name.get(k, k): v for k, v in fig.by_month.items()},
        title=f"Pengumuman per bulan, {fig.year}", ylabel="Pengumuman")}
    numbers = sorted({s.step for s in fig.steps})
    share = {kind_name.get(k.key, k.key): [next((s.share_on_time for s in fig.steps
                                                 if s.kind == k.key and s.step == n), 0.0)
                                           for n in numbers]
             for k in sop.kinds if any(s.kind == k.key for s in fig.steps)}
    out["grafik_tepat"] = plot.grouped_bars(
        [f"Tahap {n}" for n in numbers], share, title="Tahap selesai dalam Mutu Baku",
        ylabel="Tepat waktu", percent=True)
    out["grafik_kembali"] = plot.grouped_bars(
        [f"Tahap {r.step}" for r in fig.returns] or ["-"],
        {"Dikembalikan": [r.count for r in fig.returns] or [0]},
        title="Konsep dikembalikan (Belum Sesuai) per tahap", ylabel="Kali")
    out["grafik_peran"] = plot.grouped_bars(
        [role_name[r.role] for r in fig.roles] or ["-"],
        {"Tahap terlambat": [r.late for r in fig.roles] or [0]},
        title="Tahap yang melewati Mutu Baku, menurut pelaksana", ylabel="Tahap")
    return out


def signer(svc: Service) -> dict[str, str]:
    """Who signs: the PPID of `[laporan]` (the one who signs the DIP) when the office names one,
    else the head of the office."""
    ppid = svc.settings.raw.get("laporan", {}) or {}
    if str(ppid.get("ppid_nama", "")).strip():
        return {"jabatan": str(ppid.get("ppid_jabatan", "") or "PPID"),
                "nama": str(ppid["ppid_nama"]), "pangkat": str(ppid.get("ppid_pangkat", "")),
                "nip": str(ppid.get("ppid_nip", "")), "sebagai": ""}
    return svc.paperwork.signer("kepala_dinas", on=svc.clock().date()) \
        if "kepala_dinas" in svc.sop.roles else \
        {"jabatan": "PPID", "nama": "", "pangkat": "", "nip": "", "sebagai": ""}


def template_path(svc: Service) -> Path:
    """The workspace's copy (the office may restyle it), or the package's for an older workspace."""
    own = svc.ws.templates / TEMPLATE
    return own if own.is_file() else Path(__file__).resolve().parent / "templates" / TEMPLATE


def render_report(svc: Service, year: int) -> bytes:
    now = svc.clock()
    fig = year_figures(svc.db, svc.sop, svc.calendar, year)
    ctx = context(fig, svc.sop, svc.settings.office, signer(svc), now)
    pictures = {k: (v, CHART_WIDTH_MM) for k, v in charts(fig, svc.sop).items()}
    return docx.render(template_path(svc), ctx, images=svc.paperwork._images(),
                       mark=svc.paperwork.mark, pictures=pictures)


def write_file(target: Path, data: bytes) -> None:
    """Write aside and rename into place (readers see the old file or the new, never half);
    refused while the file is open in Word or LibreOffice."""
    target.parent.mkdir(parents=True, exist_ok=True)
    lock = safefs.office_lock(target)
    if lock is not None:
        raise ReportOpen(f"{target.name} is open ({lock.name}); close it and run `sop-docs "
                         "laporan` again")
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, target)
    fsync_dir(target.parent)


def write_report(svc: Service, year: int) -> Path:
    """laporan/Laporan Layanan Informasi Publik <year>.docx, made anew from the database."""
    target = svc.root / FOLDER / report_name(year)
    write_file(target, render_report(svc, year))
    log.info("wrote %s", svc.ws.rel(target))
    return target


def write_all(svc: Service, year: int) -> list[Path]:
    """Everything the office must show for `year`, regenerated: the annual report, the DIP (with
    its PDF) and the dashboard; the paths written (a DIP open in Excel is left, and said so)."""
    written = [write_report(svc, year)]
    dip = svc.shown.dip(svc.db, year, pdf=True)
    if dip is None:
        log.warning("the Daftar Informasi Publik %d is open in Excel or LibreOffice: not "
                    "written; close it and run `sop-docs laporan` again", year)
    else:
        written += [dip, dip.with_suffix(".pdf")] if dip.with_suffix(".pdf").exists() else [dip]
    written.append(svc.shown.dashboard(svc.db, year))
    return written
