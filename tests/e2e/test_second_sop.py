"""A second SOP is a new file, not new code: "Pengaduan Masyarakat" runs end to end on the same engine.

The SOP in tests/fixtures/sop_pengaduan.toml has its own prefix (ADU), roles (petugas, kepala_seksi) and
four steps, and reuses the shipped Word templates. One case is driven through every step with real
files and real register edits, and the folders are checked after each step.
"""

from __future__ import annotations

import shutil
import tomllib
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from sop_docs.adapters import docx as docx_adapter
from sop_docs.bootstrap import open_service
from sop_docs.core.sop import load_sop
from sop_docs.service import Service
from sop_docs.workspace import init_workspace
from tests.paths import CORPUS

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "sop_pengaduan.toml"

LOGO = Path(__file__).resolve().parents[2] / "sop_docs" / "templates" / "logo.png"

CASE = "ADU-2026-0001"
SUBJECT = "Pengaduan Jalan Rusak"
BAHAN = f"{CASE} - Bahan - {SUBJECT}.docx"
DISPOSISI = f"{CASE} - Disposisi - {SUBJECT}.docx"
KONSEP = f"{CASE} - Konsep - {SUBJECT}.docx"
NOTA = f"{CASE} - Nota Pengembalian 1 - {SUBJECT}.docx"
PENGUMUMAN = f"{CASE} - Pengumuman - {SUBJECT}.docx"
BUKTI = f"{CASE} - Bukti - tanda terima.png"


class Clock:
    """The service's clock, moved on by the test: no sleeps, reproducible deadlines."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)


def files(folder: Path) -> set[str]:
    """Names of the files directly in `folder` (ignoring Office litter there is none of here)."""
    return {p.name for p in folder.iterdir() if p.is_file()} if folder.is_dir() else set()


def inbox_files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in (root / "inbox").rglob("*") if p.is_file())


def open_row(root: Path, case: str) -> dict[str, object] | None:
    wb = load_workbook(root / "register.xlsx", read_only=True)
    try:
        ws = wb["Kasus Terbuka"]
        rows = list(ws.iter_rows(values_only=True))
    finally:
        wb.close()
    header = rows[0]
    for r in rows[1:]:
        if r[0] == case:
            return dict(zip(header, r, strict=False))
    return None


def decide(root: Path, case: str, keputusan: str, catatan: str = "") -> None:
    """What a reviewer does in Excel: type a decision in Keputusan (J) and a note in Catatan (K),
    in the register of the role that holds the case (keputusan/<role>/)."""
    path = next(p for p in sorted((root / "keputusan").glob("*/*.xlsx"))
                if case in {r[0] for r in load_workbook(p, read_only=True)["Kasus Terbuka"]
                            .iter_rows(min_row=2, values_only=True)})
    wb = load_workbook(path)
    ws = wb["Kasus Terbuka"]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == case:
            row[9].value = keputusan
            row[10].value = catatan or None
            break
    else:
        raise AssertionError(f"{case} has no row in the register")
    wb.save(path)
    wb.close()


def write_concept(src: Path, dest: Path, text: str) -> None:
    """What the Petugas does in Word: open the delivered document, write, save it into the inbox."""
    doc = Document(str(src))
    closing = [p for p in doc.paragraphs if p.text.startswith("Demikian")]
    if closing:
        closing[0].insert_paragraph_before(text)
    else:
        doc.add_paragraph(text)
    dest.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(dest))


def all_text(path: Path) -> str:
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts += [c.text for c in row.cells]
    return "\n".join(parts)


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[tuple[Path, Service, Clock]]:
    root = tmp_path / "kantor"
    root.mkdir()
    shutil.copyfile(FIXTURE, root / "sop_pengaduan.toml")
    (root / "sop.toml").write_text('[system]\nsop = "sop_pengaduan.toml"\n', encoding="utf-8")
    sop = load_sop(tomllib.loads(FIXTURE.read_text("utf-8")))
    made = init_workspace(root, sop)
    assert "sop.toml" not in made, "init keeps the office's own settings"
    clock = Clock(datetime(2026, 3, 9, 9, 0))          # a Monday morning in Pontianak
    svc = open_service(root, clock=clock)
    try:
        yield root, svc, clock
    finally:
        svc.close()


def test_the_second_sop_loads_from_its_file_with_its_own_shape():
    """Four steps, two roles, one proof, prefix ADU: nothing of the shipped SOP is assumed."""
    sop = load_sop(tomllib.loads(FIXTURE.read_text("utf-8")))
    assert sop.case_prefix == "ADU"
    assert set(sop.roles) == {"petugas", "kepala_seksi"}
    assert sorted(sop.steps) == [1, 2, 3, 4]
    assert (sop.step(3).sesuai, sop.step(3).belum_sesuai) == (4, 2)
    assert sop.proof_folders() == {"petugas": ("bukti",)}
    assert sop.intake_roles() == {"petugas"}


def test_init_makes_the_folders_of_the_second_sop_only(workspace):
    """Inboxes and outboxes for petugas and kepala_seksi, the proof folder, and no PIP role folders."""
    root, _svc, _clock = workspace
    assert {p.name for p in (root / "inbox").iterdir()} == {"petugas", "kepala_seksi"}
    assert {p.name for p in (root / "outbox").iterdir()} == {"petugas", "kepala_seksi"}
    assert (root / "inbox" / "petugas" / "bukti").is_dir()
    assert (root / "templates" / "Lembar Disposisi.docx").is_file()


def test_one_complaint_goes_through_every_step_and_ends_in_the_archive(workspace):
    """Intake, draft, a return, a redraft, approval with the numbered letter, proof, Selesai, archive."""
    root, svc, clock = workspace
    petugas_in, petugas_out = root / "inbox" / "petugas", root / "outbox" / "petugas"
    seksi_out = root / "outbox" / "kepala_seksi"

    # Step 1: the complaint letter arrives; the case opens and goes to step 2 with the petugas.
    shutil.copyfile(CORPUS / "single-paragraph.docx", petugas_in / f"{SUBJECT}.docx")
    svc.scan()
    assert inbox_files(root) == []
    assert files(petugas_out) == {BAHAN, DISPOSISI, KONSEP}
    assert files(seksi_out) == set()
    assert docx_adapter.read_link((petugas_out / KONSEP).read_bytes()) == CASE
    row = open_row(root, CASE)
    assert row is not None
    assert row["Tahap"] == "2 - Penyusunan Tanggapan"
    assert row["Posisi"] == "Petugas"
    assert row["Jenis"] == "Biasa"
    assert row["Perihal"] == SUBJECT
    assert "Petugas Layanan Pengaduan" in all_text(petugas_out / DISPOSISI)

    # Step 2: the petugas writes the reply in the skeleton and saves it, renamed, into its inbox.
    clock.advance(90)
    write_concept(petugas_out / KONSEP, petugas_in / "tanggapan.docx", "Jalan akan diperbaiki bulan depan.")
    svc.scan()
    assert inbox_files(root) == []
    assert files(petugas_out) == {BAHAN, DISPOSISI}
    assert files(seksi_out) == {KONSEP}
    row = open_row(root, CASE)
    assert row is not None
    assert (row["Tahap"], row["Posisi"]) == ("3 - Pemeriksaan Kepala Seksi", "Kepala Seksi")

    # Step 3, Belum Sesuai: back to the petugas (step 2) with a return note carrying the Catatan.
    clock.advance(20)
    decide(root, CASE, "Belum Sesuai", "Sebutkan tanggal perbaikan.")
    svc.scan()
    assert files(seksi_out) == set()
    assert files(petugas_out) == {BAHAN, DISPOSISI, KONSEP, NOTA}
    assert "Sebutkan tanggal perbaikan." in all_text(petugas_out / NOTA)
    row = open_row(root, CASE)
    assert row is not None
    assert row["Tahap"] == "2 - Penyusunan Tanggapan"
    assert row["Keputusan"] is None

    # Step 2 again: the corrected reply goes back to the Kepala Seksi; the return note is taken away.
    clock.advance(30)
    write_concept(petugas_out / KONSEP, petugas_in / f"{CASE} - Konsep revisi.docx",
                  "Perbaikan dimulai tanggal 1 April 2026.")
    svc.scan()
    assert inbox_files(root) == []
    assert files(petugas_out) == {BAHAN, DISPOSISI}
    assert files(seksi_out) == {KONSEP}
    assert "1 April 2026" in all_text(seksi_out / KONSEP)

    # Step 3, Sesuai: the numbered letter is made from the approved reply and goes to the petugas.
    clock.advance(15)
    decide(root, CASE, "sesuai ")
    svc.scan()
    assert files(seksi_out) == set()
    assert files(petugas_out) == {BAHAN, DISPOSISI, PENGUMUMAN, PENGUMUMAN.replace(".docx", ".pdf")}
    letter = all_text(petugas_out / PENGUMUMAN)
    assert "Perbaikan dimulai tanggal 1 April 2026." in letter
    assert "/001/" in letter                    # the first letter number of the year
    assert docx_adapter.read_link((petugas_out / PENGUMUMAN).read_bytes()) == CASE
    row = open_row(root, CASE)
    assert row is not None
    assert (row["Tahap"], row["Posisi"]) == ("4 - Penyampaian Tanggapan", "Petugas")

    # Step 4: Selesai before the proof is refused, and the register says what is missing.
    clock.advance(5)
    decide(root, CASE, "Selesai")
    svc.scan()
    row = open_row(root, CASE)
    assert row is not None
    assert row["Tahap"] == "4 - Penyampaian Tanggapan"
    assert "bukti" in str(row["Pesan Sistem"])
    assert not (root / "archive" / "2026").exists()

    # The proof arrives in its folder, then Selesai closes the case.
    clock.advance(5)
    shutil.copyfile(LOGO, petugas_in / "bukti" / f"{CASE} tanda terima.png")
    svc.scan()
    assert inbox_files(root) == []
    assert BUKTI in files(petugas_out)
    clock.advance(5)
    decide(root, CASE, "Selesai")
    svc.scan()

    assert open_row(root, CASE) is None
    assert inbox_files(root) == []
    assert files(petugas_out) == set()
    assert files(seksi_out) == set()
    bundle = root / "archive" / "2026" / f"{CASE} - {SUBJECT}"
    assert bundle.is_dir()
    softcopy = files(bundle / "data" / "softcopy")
    assert {f"v1 - {n}" for n in (BAHAN, DISPOSISI, PENGUMUMAN)} <= softcopy
    assert BUKTI in files(bundle / "data" / "bukti")
    history = softcopy
    assert any("Konsep" in n for n in history), history
    assert any("Nota Pengembalian" in n for n in history), history
    assert list((root / "quarantine").iterdir()) == []
