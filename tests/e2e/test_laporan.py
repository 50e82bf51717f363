"""The annual Laporan Layanan Informasi Publik, over a year of history driven through the service.

The year (tests/history.py: 500+ cases with returns and late steps, on a test clock) is made once
for the module. Every figure the report prints is recounted here from the events table in plain
Python — the Lembar Kendali's rule for a step, the calendar for its time — and compared with the
text of the report's tables; the report then goes through a real LibreOffice to PDF with its charts.
"""

from __future__ import annotations

import logging
import math
import os
import statistics
import subprocess
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document
from docx.enum.text import WD_COLOR_INDEX

from sop_docs import laporan
from sop_docs.cli import main
from sop_docs.core.calendar import CALENDAR_TIME
from sop_docs.kendali import durasi, durasi_kalender
from tests.history import make_year

# the year of history (~525 cases) takes ~150 s to build alone, and CI runs the SQLite and the
# PostgreSQL passes side by side on the same CPUs
pytestmark = pytest.mark.timeout(900)

YEAR = 2026
MONTHS = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    """A workspace with a year of history and its report written; (office, report path)."""
    logging.disable(logging.WARNING)
    old = os.environ.get("SOP_DOCS_SOFFICE")
    os.environ["SOP_DOCS_SOFFICE"] = str(tmp_path_factory.mktemp("no") / "soffice")
    try:
        office = make_year(tmp_path_factory.mktemp("laporan") / "ws", YEAR)
    finally:
        if old is None:
            os.environ.pop("SOP_DOCS_SOFFICE", None)
        else:
            os.environ["SOP_DOCS_SOFFICE"] = old
        logging.disable(logging.NOTSET)
    report = laporan.write_all(office.svc, YEAR)[0]       # the report first, then the DIP …
    yield office, report
    office.close()


def expected(office):
    """The report's figures, recounted from the cases and events tables without core.figures."""
    svc = office.svc
    sop, db = svc.sop, svc.db
    cases = {r["id"]: r for r in db.conn.execute("SELECT * FROM cases")}
    calendar_kinds = {k.key for k in sop.kinds if k.on_calendar}
    spans = defaultdict(list)                      # (kind, step) -> [(minutes, late)]
    notes = defaultdict(Counter)                   # step -> normalised note -> count
    roles = defaultdict(lambda: [0, 0])
    last = {}
    for e in db.conn.execute("SELECT * FROM events ORDER BY id"):
        if e["kind"] not in ("opened", "submitted", "decided") or e["step_from"] not in sop.steps:
            continue
        case = cases[e["case_id"]]
        opened = datetime.fromisoformat(case["opened_at"])
        start = opened if e["kind"] == "opened" else last.get(e["case_id"], opened)
        at = datetime.fromisoformat(e["at"])
        last[e["case_id"]] = at
        if at.year != YEAR:
            continue
        clock = CALENDAR_TIME if case["kind"] in calendar_kinds else svc.calendar
        step = sop.step(e["step_from"])
        late = at > clock.deadline(start, step.time)
        spans[(case["kind"], step.number)].append((clock.minutes(start, at), late))
        roles[step.role][0] += 1
        roles[step.role][1] += late
        if e["decision"] == "Belum Sesuai":
            notes[step.number][" ".join((e["catatan"] or "").split()).casefold()] += 1
    months = defaultdict(lambda: [0] * 12)
    for c in cases.values():
        if c["closed_at"] and c["closed_at"].startswith(str(YEAR)):
            months[c["kind"]][int(c["closed_at"][5:7]) - 1] += 1
    opened = [c for c in cases.values() if c["opened_at"].startswith(str(YEAR))]
    return {"cases": cases, "spans": spans, "notes": notes, "roles": roles, "months": months,
            "opened": len(opened),
            "open_at_end": sum(1 for c in opened
                               if not c["closed_at"] or c["closed_at"] > f"{YEAR}-12-31T23:59:59"),
            "closed": sum(sum(v) for v in months.values())}


def pct(part, whole):
    return f"{100 * part / whole:.1f}".replace(".", ",") + "%"


def rows(doc, header0):
    """The rows (as cell texts) of the report's table whose first header cell is `header0`."""
    for t in doc.tables:
        if t.rows[0].cells[0].text.strip() == header0:
            return [[c.text.strip() for c in r.cells] for r in t.rows[1:]]
    raise AssertionError(f"no table headed {header0!r}")


def test_the_history_is_a_year_with_returns_and_late_steps(year):
    """At least 500 cases, all of them driven through the service; returns and lateness in it."""
    office, _ = year
    exp = expected(office)
    assert exp["opened"] >= 500
    assert sum(sum(n.values()) for n in exp["notes"].values()) > 50
    assert sum(late for _, late in exp["roles"].values()) > 100
    assert sum(1 for k in exp["months"].values() for m in k if m) >= 12


def test_every_figure_in_the_report_matches_an_independent_count(year):
    """Summary, announcements per month and kind, time per step, returns with their Catatan and
    late steps by role: each printed number equals the recount from the events table."""
    office, report = year
    sop = office.svc.sop
    exp = expected(office)
    doc = Document(report)
    names = {k.key: k.name for k in sop.kinds}
    role_name = {k: r.name for k, r in sop.roles.items()}

    measured = sum(len(v) for v in exp["spans"].values())
    on_time = sum(1 for v in exp["spans"].values() for _, late in v if not late)
    summary = {r[0]: r[1] for r in rows(doc, "Kasus pengumuman yang dibuka")}
    first = doc.tables[[t.rows[0].cells[0].text.strip() for t in doc.tables]
                       .index("Kasus pengumuman yang dibuka")].rows[0].cells[1].text.strip()
    assert first == str(exp["opened"])
    assert summary["Pengumuman yang selesai diumumkan (kasus ditutup)"] == str(exp["closed"])
    assert summary["Kasus yang belum selesai pada akhir tahun"] == str(exp["open_at_end"])
    assert summary["Tahap yang dikerjakan"] == str(measured)
    assert summary["Tahap yang selesai dalam Mutu Baku"] == f"{on_time} ({pct(on_time, measured)})"

    want = [[names[k], *map(str, v), str(sum(v))] for k, v in exp["months"].items()]
    totals = [sum(v[m] for v in exp["months"].values()) for m in range(12)]
    want.append(["Jumlah", *map(str, totals), str(sum(totals))])
    assert sorted(rows(doc, "Jenis")[:-1]) == sorted(want[:-1])
    assert rows(doc, "Jenis")[-1] == want[-1]

    want = []
    for k in sop.kinds:
        for n in sop.steps:
            if (k.key, n) not in exp["spans"]:
                continue
            values = sorted(m for m, _ in exp["spans"][(k.key, n)])
            ok = sum(1 for _, late in exp["spans"][(k.key, n)] if not late)
            shown = durasi_kalender if k.on_calendar else durasi
            p90 = values[math.ceil(0.9 * len(values)) - 1]
            want.append([k.name, sop.step(n).title,
                         str(sop.step(n).time) if not k.on_calendar else
                         (f"{sop.step(n).time.days} hari" if sop.step(n).time.days
                          else str(sop.step(n).time)),
                         str(len(values)), shown(math.floor(statistics.median(values) + 0.5)),
                         shown(p90), f"{pct(ok, len(values))} ({ok})"])
    langkah = [r for r in doc.tables if r.rows[0].cells[1].text.strip() == "Tahap"
               and r.rows[0].cells[0].text.strip() == "Jenis"]
    assert [[c.text.strip() for c in r.cells] for r in langkah[0].rows[1:]] == want

    returned = {n: sum(c.values()) for n, c in exp["notes"].items()}
    pengembalian = next(r for r in doc.tables if [c.text.strip() for c in r.rows[0].cells]
                    == ["Tahap", "Pemeriksa", "Dikembalikan"])
    assert [[c.text.strip() for c in r.cells] for r in pengembalian.rows[1:]] == [
        [sop.step(n).title, role_name[sop.step(n).role], str(returned[n])]
        for n in sorted(returned)]
    catatan = next(r for r in doc.tables if [c.text.strip() for c in r.rows[0].cells]
               == ["Tahap", "Catatan", "Kali"])
    printed = Counter()
    for r in catatan.rows[1:]:
        tahap, text, n = (c.text.strip() for c in r.cells)
        printed[(tahap, " ".join(text.split()).casefold())] += int(n)
    assert printed == Counter({(sop.step(n).title, note): c for n, notes in exp["notes"].items()
                               for note, c in notes.items()})
    assert f"dikembalikan {sum(returned.values())} kali" in "\n".join(
        p.text for p in doc.paragraphs)

    assert rows(doc, "Pelaksana") == [
        [role_name[r], str(exp["roles"][r][0]), str(exp["roles"][r][1]),
         pct(exp["roles"][r][1], exp["roles"][r][0])] for r in sop.roles if r in exp["roles"]]


def test_the_narrative_places_are_marked_for_the_office_to_write(year):
    """Each part of Pasal 56 the system cannot count has a highlighted '[Tulis di sini: …]'."""
    _, report = year
    doc = Document(report)
    marked = [p for p in doc.paragraphs if p.text.startswith("[Tulis di sini: ")]
    assert len(marked) >= 5
    assert all(r.font.highlight_color == WD_COLOR_INDEX.YELLOW for p in marked for r in p.runs)
    headings = [p.text for p in doc.paragraphs if p.text[:3] in ("I. ", "II.", "III", "IV.", "V. ")]
    assert [h.split(". ", 1)[0] for h in headings] == ["I", "II", "III", "IV", "V"]


def test_the_command_writes_the_report_for_the_year_asked(year):
    """`sop-docs laporan --tahun 2026 DIR` (beside the running service) writes the same report."""
    office, report = year
    before = Document(report)
    result = CliRunner().invoke(main, ["laporan", "--tahun", str(YEAR), str(office.root)])
    assert result.exit_code == 0, result.output
    assert str(report) in result.output
    after = Document(report)
    assert [[c.text for c in r.cells] for t in after.tables[1:] for r in t.rows] == \
        [[c.text for c in r.cells] for t in before.tables[1:] for r in t.rows]


def test_an_open_report_is_not_written_over(year):
    """While Word holds the report open (its owner file), the command says so and exits 5."""
    office, report = year
    lock = report.with_name("~$" + report.name[2:])
    lock.write_bytes(b"x")
    try:
        result = CliRunner().invoke(main, ["laporan", "--tahun", str(YEAR), str(office.root)])
    finally:
        lock.unlink()
    assert result.exit_code == 5
    assert "is open" in result.output


@pytest.mark.libreoffice
def test_the_report_prints_in_libreoffice_with_its_charts(year, tmp_path):
    """LibreOffice makes a PDF of the report; its pages carry the four charts as pictures."""
    from sop_docs.adapters import office as lo

    _, report = year
    src = tmp_path / "laporan.docx"
    src.write_bytes(report.read_bytes())
    (pdf,) = lo.convert([src], "pdf", tmp_path)
    listing = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True,
                             check=True).stdout.splitlines()[2:]
    big = [line.split() for line in listing if int(line.split()[3]) >= 1000]   # width in px
    assert len(big) >= 4, listing
    pages = sorted({int(b[0]) for b in big})
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", str(pages[0]), "-l", str(pages[0]),
                    "-singlefile", str(pdf), str(tmp_path / "page")], check=True, timeout=120)
    assert (tmp_path / "page.png").stat().st_size > 10_000
    if os.environ.get("SOP_DOCS_CONTOH"):      # refresh docs/contoh-laporan.png
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", str(pages[0]), "-l",
                        str(pages[0]), "-singlefile", str(pdf),
                        str(Path(os.environ["SOP_DOCS_CONTOH"]) / "contoh-laporan")], check=True)
