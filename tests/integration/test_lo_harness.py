"""The LibreOffice harness really edits and saves files the way staff do in Calc and Writer."""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
from defusedxml import ElementTree
from openpyxl.styles import Protection
from openpyxl.worksheet.datavalidation import DataValidation

from tests.lo import (
    LibreOfficeError,
    calc_edit,
    calc_hold_open,
    lock_file_for,
    require_libreoffice,
    writer_edit,
)
from tests.paths import CORPUS

pytestmark = pytest.mark.libreoffice


HEADERS = [
    "No. Agenda",
    "Tanggal Masuk",
    "Perihal",
    "Jenis",
    "Tahap",
    "Posisi",
    "Dokumen",
    "Batas Waktu",
    "Status Waktu",
    "Keputusan",
    "Catatan",
    "Pesan Sistem",
]
ROW = [
    "PIP-2026-0007",
    "2026-03-02 08:15",
    "Laporan Keuangan 2026",
    "Berkala",
    "3 - Pemeriksaan Kabid/Kasubag",
    "Kabid/Kasubag",
    "PIP-2026-0007 - Konsep - Laporan Keuangan 2026.docx",
    "2026-03-02 09:15",
    "Tepat Waktu",
    None,
    None,
    None,
]
CHOICES = '"Sesuai,Belum Sesuai,Selesai"'
CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"


@pytest.fixture(autouse=True)
def _libreoffice() -> None:
    require_libreoffice()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def register(tmp_path: Path) -> Path:
    """A small register like the system's: protected, only Keputusan/Catatan unlocked."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Kasus Terbuka"
    ws.append(HEADERS)
    ws.append(ROW)
    ws.append(["PIP-2026-0008", *ROW[1:]])
    dv = DataValidation(type="list", formula1=CHOICES, allow_blank=True, showErrorMessage=True)
    ws.add_data_validation(dv)
    dv.add("J2:J200")
    for row in range(2, 201):
        for col in ("J", "K"):
            ws[f"{col}{row}"].protection = Protection(locked=False)
    ws.protection.sheet = True
    path = tmp_path / "register.xlsx"
    wb.save(path)
    return path


def test_calc_edit_saves_a_decision_typed_into_an_unlocked_cell(register: Path) -> None:
    """A reviewer's "Sesuai" and note are saved by Calc; the rest of the register survives."""
    calc_edit(register, {("Kasus Terbuka", "J2"): "Sesuai", (0, "K2"): "Sudah sesuai, lanjutkan."})

    ws = openpyxl.load_workbook(register).active
    assert [c.value for c in ws[1]] == HEADERS
    assert ws["J2"].value == "Sesuai"
    assert ws["K2"].value == "Sudah sesuai, lanjutkan."
    assert [c.value for c in ws[2]][:9] == ROW[:9]
    assert ws["A3"].value == "PIP-2026-0008"
    assert ws["J3"].value is None
    validations = ws.data_validations.dataValidation
    assert len(validations) == 1
    assert validations[0].type == "list"
    assert validations[0].formula1 == CHOICES
    assert "J2" in validations[0].sqref and "J200" in validations[0].sqref
    assert ws.protection.sheet is True
    assert ws["J2"].protection.locked is False
    assert ws["A2"].protection.locked is True
    assert not lock_file_for(register).exists()


def test_calc_edit_refuses_a_locked_cell_as_calc_does(register: Path) -> None:
    """Typing into a locked cell of the protected sheet fails and leaves the file untouched."""
    before = sha256(register)
    with pytest.raises(LibreOfficeError, match="Protected cells can not be modified"):
        calc_edit(register, {("Kasus Terbuka", "C2"): "Perihal lain"})
    assert sha256(register) == before


def test_calc_edit_refuses_a_value_outside_the_dropdown_unless_pasted(register: Path) -> None:
    """A value not in the list is refused like Calc's stop alert; the paste path stores it."""
    before = sha256(register)
    with pytest.raises(LibreOfficeError, match="Invalid value 'sesuai'"):
        calc_edit(register, {("Kasus Terbuka", "J2"): "sesuai"})
    assert sha256(register) == before

    calc_edit(register, {("Kasus Terbuka", "J2"): "sesuai"}, check_validation=False)
    assert openpyxl.load_workbook(register).active["J2"].value == "sesuai"


def test_calc_edit_clears_a_cell_with_an_empty_string(register: Path) -> None:
    """An empty string empties the cell, as pressing Delete does."""
    calc_edit(register, {(0, "J2"): "Belum Sesuai"})
    calc_edit(register, {(0, "J2"): ""})
    assert openpyxl.load_workbook(register).active["J2"].value is None


def test_calc_hold_open_shows_the_lock_file_and_removes_it_after(register: Path) -> None:
    """While Calc holds the register open its lock file names the user; closing removes it."""
    before = sha256(register)
    with calc_hold_open(register, user_name="Kabid Uji") as lock:
        assert lock == register.with_name(".~lock.register.xlsx#")
        assert lock.exists()
        assert lock.read_text(encoding="utf-8").startswith("Kabid Uji,")
    assert not lock.exists()
    assert sha256(register) == before


def test_calc_edit_refuses_a_register_someone_else_has_open(register: Path) -> None:
    """A second person cannot save over a register that another LibreOffice holds open."""
    with calc_hold_open(register):
        before = sha256(register)
        with pytest.raises(LibreOfficeError, match="locked by another user"):
            calc_edit(register, {(0, "J2"): "Sesuai"})
        assert sha256(register) == before


def add_custom_property(path: Path, name: str, value: str) -> None:
    """Write docProps/custom.xml (and its relationship and content type) into a docx by hand."""
    custom = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Properties xmlns="{CUSTOM_NS}" xmlns:vt="{VT_NS}">'
        '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" '
        f'name="{name}"><vt:lpwstr>{value}</vt:lpwstr></property></Properties>'
    )
    with zipfile.ZipFile(path) as zin:
        parts = {info.filename: zin.read(info) for info in zin.infolist()}
    parts["docProps/custom.xml"] = custom.encode()
    parts["[Content_Types].xml"] = (
        parts["[Content_Types].xml"]
        .decode()
        .replace(
            "</Types>",
            '<Override PartName="/docProps/custom.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.custom-properties+xml"/></Types>',
        )
        .encode()
    )
    parts["_rels/.rels"] = (
        parts["_rels/.rels"]
        .decode()
        .replace(
            "</Relationships>",
            '<Relationship Id="rIdSop" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/custom-properties" Target="docProps/custom.xml"/>'
            "</Relationships>",
        )
        .encode()
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for name_, data in parts.items():
            zout.writestr(name_, data)


def custom_properties(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as z:
        root = ElementTree.fromstring(z.read("docProps/custom.xml"))
    return {prop.get("name"): "".join(prop.itertext()) for prop in root.findall(f"{{{CUSTOM_NS}}}property")}


def test_writer_edit_appends_a_paragraph_and_keeps_custom_properties(tmp_path: Path) -> None:
    """Writer's save keeps a Word document's text and custom property and adds the paragraph."""
    source = tmp_path / "PIP-2026-0007 - Konsep - Laporan Keuangan 2026.docx"
    shutil.copy(CORPUS / "single-paragraph.docx", source)
    add_custom_property(source, "sop_docs_case", "PIP-2026-0007")
    original = [p.text for p in docx.Document(str(source)).paragraphs]
    out = tmp_path / "disimpan.docx"

    result = writer_edit(source, append_paragraph="Data triwulan III telah ditambahkan.", out=out)

    assert result == out
    texts = [p.text for p in docx.Document(str(out)).paragraphs]
    assert texts[: len(original)] == original
    assert texts[-1] == "Data triwulan III telah ditambahkan."
    assert custom_properties(out) == {"sop_docs_case": "PIP-2026-0007"}
    assert not lock_file_for(source).exists()


def test_writer_edit_saves_in_place_by_default(tmp_path: Path) -> None:
    """Without ``out`` the edited document replaces the one opened, as Ctrl+S does."""
    source = tmp_path / "konsep.docx"
    shutil.copy(CORPUS / "simple-list.docx", source)
    add_custom_property(source, "sop_docs_case", "PIP-2026-0009")

    assert writer_edit(source, append_paragraph="Paragraf baru.") == source

    assert [p.text for p in docx.Document(str(source)).paragraphs][-1] == "Paragraf baru."
    assert custom_properties(source) == {"sop_docs_case": "PIP-2026-0009"}


def office_processes() -> set[int]:
    """Pids of every process this harness started (their command lines name sop_lo_)."""
    pids = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if b"sop_lo_" in cmdline or b"lo_uno_worker" in cmdline:
                pids.add(int(entry.name))
    return pids


def test_a_call_that_does_not_finish_in_time_kills_its_office(
    register: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On timeout the harness raises and leaves no LibreOffice process or file behind."""
    monkeypatch.setenv("SOP_LO_SHARED", "0")
    before_pids = office_processes()
    before = sha256(register)

    with pytest.raises(LibreOfficeError, match="did not finish"):
        calc_edit(register, {(0, "J2"): "Sesuai"}, timeout=0.2)

    assert office_processes() <= before_pids
    assert sha256(register) == before
    assert not lock_file_for(register).exists()


def test_calc_edit_names_a_file_that_is_not_a_workbook(tmp_path: Path) -> None:
    """A text file with an xlsx name is reported as not a spreadsheet, not edited."""
    fake = tmp_path / "register.xlsx"
    fake.write_text("bukan buku kerja", encoding="utf-8")
    with pytest.raises(LibreOfficeError, match="not a SpreadsheetDocument"):
        calc_edit(fake, {(0, "A1"): "Sesuai"})
    assert fake.read_text(encoding="utf-8") == "bukan buku kerja"
