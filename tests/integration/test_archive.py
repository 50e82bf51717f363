"""The archive bundle builder, the control-sheet rows, the empty-parts check, and the kept-alive PDF
converter, each on real files (and a real LibreOffice where marked)."""

from __future__ import annotations

import os
import signal
from datetime import datetime
from io import BytesIO
from pathlib import Path

import bagit
import pytest
from pypdf import PdfReader

from sop_docs import archive, kendali
from sop_docs.adapters import pdf
from sop_docs.bootstrap import load_sop_ref
from sop_docs.core.calendar import WorkCalendar
from tests import pdfcheck
from tests.driver import CORPUS, TEMPLATES

SOP = load_sop_ref("pengumuman_informasi_publik")
MON = datetime(2026, 11, 23, 9, 0)   # a Monday


def ev(kind: str, at: datetime, step_from: int, decision: str | None = None, catatan: str = ""):
    return {"kind": kind, "at": at.isoformat(), "step_from": step_from, "decision": decision,
            "catatan": catatan}


def test_control_rows_measure_each_step_in_working_minutes_against_its_standard():
    """A review taking 3 office hours is late against 1 hour; a day's drafting over the night is not."""
    events = [
        ev("opened", MON, 1),
        ev("submitted", datetime(2026, 11, 24, 8, 0), 2),            # next morning: 1 working day
        ev("proof", datetime(2026, 11, 24, 8, 5), 6),                # not a step end: skipped
        ev("decided", datetime(2026, 11, 24, 11, 0), 3, "Belum Sesuai", "Perbaiki tabel."),
    ]
    rows = kendali.control_rows(SOP, events, MON, WorkCalendar(), {"kabid_kasubag": {"nama": "Siti"}})
    assert [r.step for r in rows] == [1, 2, 3]
    assert rows[0].minutes == 0 and not rows[0].late
    assert rows[1].minutes == (16 * 60 - 9 * 60) + 30 and not rows[1].late      # 09.00-16.00, 07.30-08.00
    assert rows[2].minutes == 180 and rows[2].late and rows[2].status == kendali.TERLAMBAT
    assert (rows[2].pejabat, rows[2].catatan, rows[2].standar) == ("Siti", "Perbaiki tabel.", "1 jam")
    assert kendali.durasi(185) == "3 jam 5 menit"


def test_empty_parts_are_headings_with_only_the_prompt_or_nothing_under_them():
    """Written parts, a table or a picture count as content; the prompt and the closing do not."""
    prompt = "[Tulis uraian bagian ini di sini. Hapus petunjuk ini.]"
    required = ["Bagian Satu", "Bagian Dua", "Bagian Tiga", "Bagian Empat"]
    blocks = ["Pembuka.", "a.\tBagian Satu", prompt, "b.\tbagian  dua", "Isi kedua.",
              "c. Bagian Tiga", kendali.PICTURE, "d.\tBagian Empat", "",
              "Demikian pengumuman ini disampaikan."]
    assert kendali.empty_parts(blocks, required) == ["Bagian Satu", "Bagian Empat"]
    assert kendali.empty_parts_message([]) == ""


def test_a_fresh_skeleton_reports_every_required_part_of_its_kind():
    """On the real skeleton docx every part of a serta merta concept looks empty."""
    from sop_docs.adapters import docx

    kind = SOP.kind("serta_merta")
    skeleton = docx.render(TEMPLATES / "Konsep Pengumuman.docx",
                           {"kantor": {}, "no_agenda": "PIP-2026-0001", "perihal": "x", "jenis": kind.name,
                            "serta_merta": True, "tanggal": "", "logo": "", "batas_waktu": "",
                            "bagian_wajib": list(kind.required_parts), "uraian": [],
                            "rincian": {"judul": "x"}})
    note = kendali.note_empty_parts(SOP, "serta_merta", 3, kendali.concept_blocks(skeleton))
    assert all(part in note for part in kind.required_parts)
    assert kendali.note_empty_parts(SOP, "serta_merta", 6, []) == ""   # not a review step
    assert kendali.untouched(kendali.concept_blocks(skeleton), kind)


def test_a_fresh_berkala_skeleton_is_one_announcement_whose_every_part_is_unwritten():
    """The berkala skeleton gives one prompt per part of one announcement (no Pasal 9(2) groups
    as sections); each is reported while its prompt stands, and a written one is not."""
    from docx import Document

    from sop_docs.adapters import docx

    kind = SOP.kind("berkala")
    skeleton = docx.render(TEMPLATES / "Konsep Pengumuman.docx",
                           {"kantor": {}, "no_agenda": "PIP-2026-0001", "jenis": kind.name,
                            "serta_merta": False, "tanggal": "", "logo": "", "batas_waktu": "",
                            "bagian_wajib": [], "uraian": list(kind.prompts()),
                            "rincian": {"judul": "x"}})
    blocks = kendali.concept_blocks(skeleton)
    assert kendali.untouched(blocks, kind)
    assert kendali.note_empty_parts(SOP, "berkala", 3, blocks) == (
        "Bagian wajib yang tampak kosong: Pembuka; Dasar; Isi.")
    doc = Document(BytesIO(skeleton))
    next(p for p in doc.paragraphs if p.text.startswith("[Dasar:")).text = "Dasar: UU 14/2008."
    out = BytesIO()
    doc.save(out)
    blocks = kendali.concept_blocks(out.getvalue())
    assert not kendali.untouched(blocks, kind)
    assert kendali.note_empty_parts(SOP, "berkala", 3, blocks) == (
        "Bagian wajib yang tampak kosong: Pembuka; Isi.")


def fake_pdf(docs):
    """A converter for tests that need no LibreOffice: a one-page PDF per document."""
    from io import BytesIO

    from pypdf import PdfWriter

    out = []
    for _ in docs:
        w = PdfWriter()
        w.add_blank_page(width=595, height=842)
        buf = BytesIO()
        w.write(buf)
        out.append(buf.getvalue())
    return out


def a_plan(tmp_path: Path) -> archive.BundlePlan:
    src = tmp_path / "src"
    src.mkdir()
    files = {}
    for name in ("tables.docx", "simple-list.docx"):
        files[name] = src / name
        files[name].write_bytes((CORPUS / name).read_bytes())
    (src / "proof.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 32)
    docs = [
        {"kind": "disposisi", "name": "X - Disposisi - S.docx", "sha256": "tables.docx", "version": 1},
        {"kind": "konsep", "name": "X - Konsep - S.docx", "sha256": "simple-list.docx", "version": 1},
        {"kind": "konsep", "name": "X - Konsep - S.docx", "sha256": "tables.docx", "version": 2},
        {"kind": "bukti_online", "name": "X - Bukti Online - =1+1.png", "sha256": "proof.png",
         "version": 1},
    ]
    return archive.plan("X", docs, lambda sha: src / sha, proof_kinds={"bukti_online"},
                        record_kinds={"disposisi"},
                        history=[(MON, "1 - A", "2 - B", "Kabid", "opened", "", "", "=HYPERLINK(1)", "")],
                        info={"SOP-Docs-Case-Id": "X"})


def test_a_bundle_is_a_valid_bag_and_building_it_again_changes_nothing(tmp_path):
    """Softcopy versions, proofs, hardcopy with the combined PDF, history; idempotent."""
    final = tmp_path / "archive" / "2026" / "X - S"
    p = a_plan(tmp_path)
    assert archive.build(final, p, fake_pdf)
    bagit.Bag(str(final)).validate()
    names = {f.relative_to(final / "data").as_posix() for f in (final / "data").rglob("*") if f.is_file()}
    assert names == {"softcopy/v1 - X - Disposisi - S.docx", "softcopy/v1 - X - Konsep - S.docx",
                     "softcopy/v2 - X - Konsep - S.docx", "bukti/X - Bukti Online - =1+1.png",
                     "hardcopy/X - Disposisi - S.pdf", "hardcopy/X - Konsep - S (disetujui).pdf",
                     "hardcopy/X - Berkas Cetak Lengkap.pdf", "riwayat.xlsx", "daftar-isi.txt"}
    # the disposition, the concept as approved (v2), the page listing the unreadable proof
    assert len(PdfReader(final / "data" / "hardcopy" / "X - Berkas Cetak Lengkap.pdf").pages) == 3
    from openpyxl import load_workbook

    cell = load_workbook(final / "data" / "riwayat.xlsx").active["H2"]
    assert cell.data_type == "s" and cell.value == "=HYPERLINK(1)"       # text, never a formula
    before = (final / "manifest-sha256.txt").read_bytes()
    assert archive.build(final, p, fake_pdf)
    assert (final / "manifest-sha256.txt").read_bytes() == before


def test_an_approved_concept_libreoffice_refuses_is_left_out_of_the_hardcopy_not_the_rest(tmp_path):
    """The concept staff wrote fails to convert: the bundle is made, with the system's documents
    printed and the concept only in softcopy/."""
    from sop_docs.adapters.office import ConversionFailed

    final = tmp_path / "archive" / "2026" / "X - S"

    def refuses_the_concept(docs):
        if any("(disetujui)" in name for name, _ in docs):
            raise ConversionFailed("LibreOffice could not convert it")
        return fake_pdf(docs)

    assert archive.build(final, a_plan(tmp_path), refuses_the_concept)
    hard = {f.name for f in (final / "data" / "hardcopy").iterdir()}
    assert hard == {"X - Disposisi - S.pdf", "X - Berkas Cetak Lengkap.pdf"}
    assert (final / "data" / "softcopy" / "v2 - X - Konsep - S.docx").is_file()


def test_a_crash_mid_build_leaves_only_a_hidden_partial_folder_and_the_next_run_finishes(tmp_path):
    """The converter dies half-way: no bundle appears, verify sees none; the retry replaces the partial."""
    final = tmp_path / "archive" / "2026" / "X - S"
    p = a_plan(tmp_path)

    def crash(docs):
        raise RuntimeError("power cut")

    with pytest.raises(RuntimeError):
        archive.build(final, p, crash)
    assert not final.exists()
    assert [d.name for d in final.parent.iterdir()] == [".X - S.partial"]
    assert archive.find_bundles(tmp_path / "archive") == []
    assert archive.build(final, p, fake_pdf)
    assert [d.name for d in final.parent.iterdir()] == ["X - S"]
    bagit.Bag(str(final)).validate()


def test_check_bundle_names_changed_missing_added_and_tag_tampered_files(tmp_path):
    final = tmp_path / "archive" / "2026" / "X - S"
    archive.build(final, a_plan(tmp_path), fake_pdf)
    assert archive.check_bundle(final, "b") == []
    (final / "data" / "extra.txt").write_text("x")
    (final / "data" / "softcopy" / "v1 - X - Konsep - S.docx").unlink()
    problems = "\n".join(archive.check_bundle(final, "b"))
    assert "tambahan" in problems and "extra.txt" in problems
    assert "hilang" in problems and "v1 - X - Konsep - S.docx" in problems
    (final / "data" / "extra.txt").unlink()
    info = final / "bag-info.txt"
    (final / "data" / "softcopy" / "v1 - X - Konsep - S.docx").write_bytes((CORPUS / "simple-list.docx")
                                                                          .read_bytes())
    assert archive.check_bundle(final, "b") == []
    info.write_text(info.read_text().replace("SOP-Docs-Case-Id: X", "SOP-Docs-Case-Id: Y"))
    assert "bag-info.txt" in "\n".join(archive.check_bundle(final, "b"))


@pytest.mark.libreoffice
def test_the_kept_alive_converter_survives_a_killed_office_and_a_timeout():
    """A dead LibreOffice is started again; a document over its timeout is killed, the next converts."""
    data = (CORPUS / "tables.docx").read_bytes()
    c = pdf.PdfConverter(timeout=60)
    try:
        assert c.mode == "kept-alive", "python3-uno is needed for the kept-alive LibreOffice"
        (first,) = c.convert([("a.docx", data)])
        assert pdf.is_pdf(first)
        listener = c._listener
        assert listener is not None
        os.killpg(listener.soffice.pid, signal.SIGKILL)
        listener.soffice.wait(timeout=10)
        assert all(pdf.is_pdf(b) for b in c.convert([("b.docx", data), ("c.docx", data)]))
        c.timeout = 0.001
        with pytest.raises(pdf.ConversionFailed, match="within"):
            c.convert([("slow.docx", data)])
        assert c._listener is None                      # killed, nothing left running
        c.timeout = 60
        assert pdf.is_pdf(c.convert([("d.docx", data)])[0])
    finally:
        c.close()


@pytest.mark.libreoffice
def test_batch_mode_converts_through_office_convert_and_generated_templates_convert():
    """Without the kept-alive office, one soffice run converts all; the Lembar Kendali converts too."""
    tpl = TEMPLATES / "Lembar Kendali.docx"
    c = pdf.PdfConverter(keep_alive=False)
    outs = c.convert([("kendali.docx", tpl.read_bytes()), ("t.docx", (CORPUS / "tables.docx").read_bytes())])
    assert c.mode == "batch" and all(pdf.is_pdf(b) for b in outs)


@pytest.mark.libreoffice
def test_pdfs_for_the_archive_are_pdfa_2b_in_both_converter_modes_and_so_is_their_combination():
    """Kept-alive and batch LibreOffice write PDF/A-2b with every font embedded; the combined print
    file keeps the pages, the fonts and the PDF/A identification, which pypdf alone would drop."""
    docs = [("kendali.docx", (TEMPLATES / "Lembar Kendali.docx").read_bytes()),
            ("pengumuman.docx", (TEMPLATES / "Pengumuman.docx").read_bytes()),
            ("tables.docx", (CORPUS / "tables.docx").read_bytes())]
    made = []
    for keep_alive in (True, False):
        c = pdf.PdfConverter(keep_alive=keep_alive)
        try:
            outs = c.convert(docs)
        finally:
            c.close()
        for out in outs:
            pdfcheck.assert_archival(out)
        made += outs
    combined = archive.combine(made)
    pdfcheck.assert_archival(combined, pages=sum(len(PdfReader(BytesIO(m)).pages) for m in made))
    for m in made:
        assert pdfcheck.font_names(m) <= pdfcheck.font_names(combined)


def test_a_combined_file_with_a_plain_pdf_in_it_claims_no_pdfa():
    """Only a combination of PDF/A parts says it is PDF/A; pages are all there either way."""
    plain = fake_pdf([("a", b"")])[0]
    combined = archive.combine([plain, plain])
    assert pdfcheck.pdfa_id(combined) is None
    assert len(PdfReader(BytesIO(combined)).pages) == 2
