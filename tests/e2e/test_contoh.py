"""Example values in sop.toml never ship silently: every document is marked as not official,
the mark prints through LibreOffice, and `check`, `status`, the log and the register say so; with
the office's own values (and logo) nothing is marked."""

from __future__ import annotations

import logging
import struct
import zlib
from io import BytesIO
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from sop_docs.adapters import pdf
from sop_docs.cli import main
from sop_docs.core.contoh import MARK
from tests.driver import Office

REAL = """
[office]
alamat = "Jalan Ahmad Yani Nomor 1"
telepon = "(0561) 700000"
email = "ppid@kantor.go.id"
laman = "ppid.kantor.go.id"
logo = "templates/logo-kantor.png"
"""


def png(width: int = 40, height: int = 48) -> bytes:
    """A real (solid blue) PNG: the office's own logo, not the shipped shield."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    rows = b"".join(b"\x00" + b"\x10\x40\xa0" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def real_settings(root: Path) -> None:
    officials = "".join(
        f'\n[officials.{role}]\nnama = "Drs. PEJABAT {i}"\nnip = "1981020{i} 200901 1 00{i}"\n'
        for i, role in enumerate(("kepala_dinas", "sekretaris", "kabid_kasubag", "fungsional")))
    root.mkdir(parents=True)
    (root / "sop.toml").write_text(REAL + officials, "utf-8")
    (root / "templates").mkdir()
    (root / "templates" / "logo-kantor.png").write_bytes(png())


def header_text(data: bytes) -> str:
    doc = Document(BytesIO(data))
    return "\n".join(p.text for s in doc.sections for p in s.header.paragraphs)


def delivered(o: Office, kind: str) -> bytes:
    [path] = (o.root / "outbox" / "fungsional").glob(f"* - {kind} - *.docx")
    return path.read_bytes()


@pytest.fixture
def examples(tmp_path: Path, caplog: pytest.LogCaptureFixture):
    with caplog.at_level(logging.WARNING, logger="sop_docs"):
        o = Office(tmp_path / "ws")
    o.started_log = caplog.text
    yield o
    o.close()


@pytest.mark.libreoffice
def test_documents_made_on_example_values_are_marked_and_the_mark_prints(examples):
    """The Disposisi and the Konsep skeleton carry the mark in their header and the watermark;
    LibreOffice prints the mark on the PDF."""
    examples.open_case("Pemadaman Listrik")
    for kind in ("Disposisi", "Konsep"):
        data = delivered(examples, kind)
        assert MARK in header_text(data), kind
        assert b"BUKAN NASKAH RESMI" in _part(data, "word/header"), kind
    [printed] = pdf.to_pdf([("Disposisi.docx", delivered(examples, "Disposisi"))])
    text = " ".join(PdfReader(BytesIO(printed)).pages[0].extract_text().split())
    assert "data contoh di sop.toml belum diganti, bukan naskah resmi" in text


def _part(data: bytes, prefix: str) -> bytes:
    import zipfile

    with zipfile.ZipFile(BytesIO(data)) as z:
        return b"".join(z.read(n) for n in z.namelist() if n.startswith(prefix))


def test_the_log_status_and_register_say_documents_are_marked(examples):
    """The start logs the keys; `status` warns; the register's Petunjuk says so first."""
    assert "example value(s)" in examples.started_log
    assert "[officials.kepala_dinas] nama" in examples.started_log
    r = CliRunner().invoke(main, ["status", str(examples.root)])
    assert r.exit_code == 0, r.output
    assert "sop.toml masih berisi data contoh" in " ".join(r.output.split())
    wb = load_workbook(examples.root / "register.xlsx", read_only=True)
    first = wb["Petunjuk"]["A1"].value
    wb.close()
    assert first.startswith("PERHATIAN: sop.toml masih berisi data contoh") and MARK in first


def test_check_lists_each_example_value_with_its_key(examples):
    """One line per value, naming its section and key and what to write instead."""
    r = CliRunner().invoke(main, ["check", str(examples.root)])
    lines = r.output.splitlines()
    for where in ("[office] logo", "[office] alamat", "[office] telepon", "[office] email",
                  "[officials.kepala_dinas] nama", "[officials.kepala_dinas] nip",
                  "[officials.fungsional] nama", "[officials.sekretaris] nip"):
        assert any(line.startswith(f"sop.toml {where}: nilai contoh") for line in lines), where
    assert "13 nilai contoh di sop.toml" in r.output


def test_with_the_offices_own_values_and_logo_nothing_is_marked(tmp_path: Path):
    """Replaced values and a logo of its own: no mark, no warning, no example listed."""
    root = tmp_path / "ws"
    real_settings(root)
    o = Office(root)
    try:
        o.open_case("Pemadaman Listrik")
        for kind in ("Disposisi", "Konsep"):
            data = delivered(o, kind)
            assert MARK not in header_text(data) and b"NASKAH RESMI" not in _part(data, "word/")
        assert png() in _part(delivered(o, "Disposisi"), "word/media/"), "the office's own logo"
        cells = "\n".join(c.text for t in Document(BytesIO(delivered(o, "Disposisi"))).tables
                          for row in t.rows for c in row.cells)
        assert "Jalan Ahmad Yani Nomor 1" in cells and "NIP. 19810202 200901 1 002" in cells
        wb = load_workbook(root / "register.xlsx", read_only=True)
        assert not str(wb["Petunjuk"]["A1"].value).startswith("PERHATIAN")
        wb.close()
    finally:
        o.close()
    r = CliRunner().invoke(main, ["check", str(root)])
    assert "nilai contoh" not in r.output
