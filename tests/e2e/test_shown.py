"""What laporan/ shows stays current with the chain: a case that closes is in the DIP and on the
dashboard after the scan, the dashboard carries the berkala schedule, and `sop-docs laporan`
writes everything for a year (the report, the DIP with its PDF, the dashboard)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from openpyxl import load_workbook

from tests.driver import Office
from tests.e2e.test_jadwal_berkala import close, with_berkala


def dip_text(root: Path) -> str:
    wb = load_workbook(root / "laporan" / "Daftar Informasi Publik 2026.xlsx", read_only=True)
    text = " ".join(str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True)
                    for v in row if v is not None)
    wb.close()
    return text


def test_a_closed_case_reaches_the_dip_and_the_dashboard_shows_the_berkala_schedule(
        tmp_path: Path) -> None:
    office = with_berkala(tmp_path / "ws")
    try:
        case = office.open_case("Bahan laporan keuangan")
        office.scan()
        assert case not in dip_text(office.root), "an open case is not in the DIP"
        office.dispose(case, berkala="Ringkasan Laporan Keuangan")
        office.scan()
        close(office, case)
        assert case in dip_text(office.root)
        dip = office.root / "laporan" / "Daftar Informasi Publik 2026.xlsx"
        written = dip.stat().st_mtime_ns
        other = office.open_case("Bahan lain")                # a change that closes nothing
        office.scan()
        assert dip.stat().st_mtime_ns == written, "the DIP is left alone until a case closes"
        assert other not in dip_text(office.root)
        html = (office.root / "laporan" / "index.html").read_text("utf-8")
        assert "Ringkasan Laporan Keuangan" in html and "Prosedur Evakuasi Keadaan Darurat" in html
        assert case in html.split("Ringkasan Laporan Keuangan", 1)[1], "the case that fulfilled it"
        assert "Belum ada jadwal berkala" not in html
    finally:
        office.close()


def test_sop_docs_laporan_writes_the_report_the_dip_with_its_pdf_and_the_dashboard(
        tmp_path: Path) -> None:
    office = Office(tmp_path / "ws")
    case = office.open_case("Laporan Kinerja 2026")
    office.to_step(case, 6)
    office.add_proofs(case)
    office.decide(case, "Selesai")
    office.scan()
    office.close()
    r = subprocess.run([sys.executable, "-m", "sop_docs", "laporan", "--tahun", "2026",
                        str(office.root)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    folder = office.root / "laporan"
    for name in ("Laporan Layanan Informasi Publik 2026.docx", "Daftar Informasi Publik 2026.xlsx",
                 "Daftar Informasi Publik 2026.pdf", "index.html"):
        assert f"wrote {folder / name}" in r.stdout, r.stdout
        assert (folder / name).stat().st_size > 0
    assert (folder / "Daftar Informasi Publik 2026.pdf").read_bytes().startswith(b"%PDF")
    assert case in dip_text(office.root)


def test_the_ppid_of_laporan_signs_both_the_dip_and_the_annual_report(tmp_path: Path) -> None:
    """One PPID in sop.toml ([laporan] ppid_*) signs the DIP and the annual report alike."""
    from io import BytesIO

    from docx import Document

    from sop_docs import laporan

    root = tmp_path / "ws"
    root.mkdir()
    (root / "sop.toml").write_text(
        '[laporan]\nppid_nama = "Dra. Rahmawati Yusuf"\nppid_nip = "197203141998032004"\n',
        "utf-8")
    office = Office(root)
    try:
        doc = Document(BytesIO(laporan.render_report(office.svc, 2026)))
        text = "\n".join(p.text for p in doc.paragraphs) + "\n".join(
            c.text for t in doc.tables for r in t.rows for c in r.cells)
        assert "DRA. RAHMAWATI YUSUF" in text.upper() and "197203141998032004" in text
        office.scan()
        assert "Rahmawati Yusuf" in dip_text(root)
    finally:
        office.close()
