"""A serta merta case over a weekend, through the real service: its deadlines run on the calendar,
and its Lembar Kendali shows both the working and the calendar time of each step, judged on the
calendar (UU 14/2008 Pasal 10: "tanpa penundaan")."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import datetime
from io import BytesIO

import pytest
from click.testing import CliRunner
from docx import Document

from sop_docs.cli import main
from tests.driver import CORPUS, Clock, Office

SUBJECT = "Banjir Sungai Kapuas"
SUNDAY = datetime(2026, 11, 22, 4, 56)                # 2026-11-22 is a Sunday


def text_of(data: bytes) -> str:
    doc = Document(BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join(parts)


@pytest.fixture(scope="module")
def weekend(tmp_path_factory):
    """Received Sunday 04.56; the concept Monday 07.00 (26 hours later, before the office opens);
    reviews at 07.20, 08.00 and 08.05; proofs and Selesai at 08.15. What staff saw on the way."""
    office = Office(tmp_path_factory.mktemp("sm") / "ws", Clock(SUNDAY))
    seen: dict[str, object] = {}
    case = office.open_case(SUBJECT, src=CORPUS / "tables.docx",
                            folder="inbox/kabid_kasubag/serta_merta")
    seen["opened_row"] = office.rows()[case]
    seen["status"] = CliRunner().invoke(main, ["status", str(office.root)]).output
    office.clock.now = datetime(2026, 11, 23, 7, 0)
    office.scan()
    seen["late_row"] = office.rows()[case]
    office.save(f"inbox/fungsional/{case} konsep.docx",
                office.concept(judul=SUBJECT, isi="Air Sungai Kapuas naik; warga diminta waspada."))
    office.scan()
    for hm in ((7, 20), (8, 0), (8, 5)):
        office.clock.now = datetime(2026, 11, 23, *hm)
        office.decide(case, "Sesuai")
        office.scan()
    office.clock.now = datetime(2026, 11, 23, 8, 15)
    office.add_proofs(case)
    office.decide(case, "Selesai")
    office.scan()
    (bundle,) = (office.root / "archive" / "2026").glob(f"{case} - *")
    yield office, case, seen, bundle
    office.close()


def test_the_register_and_status_give_serta_merta_a_calendar_deadline(weekend):
    """Opened Sunday 04.56 in step 2 (1 day): due Monday 04.56, not Tuesday; late by Monday 07.00
    although the office has not yet opened; `status` shows the same deadline and says why."""
    _office, case, seen, _bundle = weekend
    opened = seen["opened_row"]
    assert opened["Jenis"] == "Serta Merta"
    assert opened["Batas Waktu"] == datetime(2026, 11, 23, 4, 56)
    assert opened["Status Waktu"] == "Tepat Waktu"
    assert seen["late_row"]["Status Waktu"] == "Terlambat"
    status = str(seen["status"])
    assert case in status and "23/11/2026 04:56" in status
    assert "Serta Merta dihitung dalam waktu kalender" in status


def test_the_control_sheet_shows_both_times_and_judges_on_the_calendar(weekend):
    """The drafting took 0 working minutes but 1 hari 2 jam 4 menit: Terlambat; the rest in time."""
    _office, _case, _seen, bundle = weekend
    (sheet,) = (bundle / "data" / "softcopy").glob("* - Lembar Kendali - *.docx")
    doc = Document(BytesIO(sheet.read_bytes()))
    steps = next(t for t in doc.tables if t.rows[0].cells[0].text == "Tahap")
    header = [c.text for c in steps.rows[0].cells]
    assert header[5:] == ["Waktu Kerja", "Waktu Kalender", "Standar / Status"]
    rows = {r.cells[0].text: [c.text for c in r.cells] for r in steps.rows[1:]}
    drafting = rows["2 - Penyusunan Konsep"]
    assert drafting[5:] == ["0 menit", "1 hari 2 jam 4 menit", "1 hari\nTerlambat"]
    assert rows["4 - Pemeriksaan Sekretaris"][5:] == ["30 menit", "40 menit", "1 jam\nTepat Waktu"]
    assert rows["3 - Pemeriksaan Kabid/Kasubag"][5:7] == ["0 menit", "20 menit"]
    text = text_of(sheet.read_bytes())
    assert "Jumlah waktu kerja: 45 menit. Jumlah waktu kalender: 1 hari 3 jam 19 menit." in text
    assert "Tahap terlambat: 1." in text
    assert "dinilai dengan waktu kalender" in text


@pytest.mark.libreoffice
def test_the_control_sheet_fits_its_page_width_in_libreoffice(weekend):
    """The hardcopy LibreOffice made: every word inside the A4 margins, no header or status split."""
    _office, _case, _seen, bundle = weekend
    (pdf,) = (bundle / "data" / "hardcopy").glob("* - Lembar Kendali - *.pdf")
    assert shutil.which("pdftotext"), "poppler-utils (pdftotext) is needed: tools/setup.sh installs it"
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True,
                          check=True, timeout=60).stdout
    page = re.search(r'<page width="([\d.]+)"', html)
    assert page is not None
    words = re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)<',
                       html)
    right = float(page.group(1)) - 2.0 / 2.54 * 72 + 2            # 2 cm right margin, 2 pt slack
    left = 2.5 / 2.54 * 72 - 2                                      # 2.5 cm left margin
    outside = [w for x0, x1, w in words if float(x0) < left or float(x1) > right]
    assert not outside, outside
    shown = {w for _x0, _x1, w in words}
    whole = {"Kalender", "Terlambat", "Tepat", "22/11/2026", "23/11/2026", "Kabid/Kasubag",
             "KABID/KASUBAG", "disampaikan", "Pemeriksaan", "Dokumentasi"}
    assert whole <= shown, whole - shown                           # no word broken by the width
