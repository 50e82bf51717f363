"""Bad input gets a clear answer and nothing is lost: every kind of awkward file through `scan`.

Each file is saved into a real workspace the way staff save it. For every refusal the test checks the
whole answer: the original, byte-identical, in `quarantine/` beside an Indonesian note saying what
was wrong and what to do; its content in the store; an empty inbox; the register's `Pesan Sistem`
of the case concerned; the case where it was; a `quarantined` event; and that a second scan does
nothing more. Legacy and Strict documents saved as a concept are converted with LibreOffice and
taken in, as is every real Word document of the shared corpus (or it is answered with a note).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import time
import unicodedata
import zipfile
from pathlib import Path

import pytest

from sop_docs.adapters.docx import read_link
from tests.badfiles import CT_DOCUMENT, CT_MACRO, EXPECTED, REJECT_KINDS, docx_bytes, write_bad
from tests.driver import CORPUS, Office
from tests.records import copy_workspace

CASE = "PIP-2026-0001"
SUBJECT = "Laporan Keuangan 2026"
KONSEP = f"{CASE} - Konsep - {SUBJECT}.docx"
STEP2 = "2 - Penyusunan Konsep"
STEP3 = "3 - Pemeriksaan Kabid/Kasubag"
STEP6 = "6 - Publikasi dan Dokumentasi"
BASE_TEXT = "Pengumuman tentang laporan keuangan tahun 2026."

# What each note must say, in Indonesian, for each reason (the problem, in the clerk's words).
SAYS = {
    "empty": "kosong (0 byte)",
    "konsep_kosong": "belum diisi",
    "rincian": "tabel Rincian",
    "too_large": "terlalu besar",
    "not_docx": "bukan dokumen Word",
    "corrupt": "rusak atau tidak utuh",
    "encrypted": "dilindungi kata sandi",
    "macro": "berisi makro",
    "zip_bomb": "tidak wajar",
    "incomplete": "belum selesai tersimpan",
    "unlinked": "milik kasus yang mana",
    "outside_role": "bukan di folder inbox salah satu peran",
    "wrong_step": "tidak sedang menunggu dokumen",
    "duplicate": "sama persis",
    "unknown_case": "tidak ada di register",
    "conversion_failed": "gagal mengubah",
}
NEEDS_LO = frozenset({"encrypted_doc"})  # made by LibreOffice


# ------------------------------------------------------------------------------------------ set-up


def _seed(root: Path, steps: int) -> Path:
    """A workspace with case 1 opened (steps >= 2) and moved on by Sesuai to step `steps`."""
    o = Office(root)
    if steps >= 2:
        o.save(f"inbox/kabid_kasubag/{SUBJECT}.docx", CORPUS / "tables.docx")
        o.scan()
    if steps >= 3:
        o.save("inbox/fungsional/konsep.docx", o.concept())
        o.scan()
    for _ in range(max(0, steps - 3)):
        o.decide(CASE, "Sesuai")
        o.scan()
    o.close()
    return root


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    base = tmp_path_factory.mktemp("seeds")
    return {n: _seed(base / f"step{n}", n) for n in (1, 2, 6)}


def _office(seeds: dict[int, Path], tmp_path: Path, step: int, *, max_file_mb: float | None = None
            ) -> Office:
    root = tmp_path / "ws"
    copy_workspace(seeds[step], root)
    if max_file_mb is not None:
        toml = root / "sop.toml"
        toml.write_text(toml.read_text("utf-8").replace(
            "max_file_mb = 50", f"max_file_mb = {max_file_mb}"), "utf-8")
    return Office(root)


@pytest.fixture
def fresh(seeds, tmp_path):
    """A workspace without any case."""
    o = _office(seeds, tmp_path, 1)
    yield o
    o.close()


@pytest.fixture
def office(seeds, tmp_path):
    """A workspace whose case 1 waits for the Fungsional's concept (step 2)."""
    o = _office(seeds, tmp_path, 2)
    yield o
    o.close()


@pytest.fixture
def publishing(seeds, tmp_path):
    """A workspace whose case 1 is approved and waits for its proofs (step 6)."""
    o = _office(seeds, tmp_path, 6)
    yield o
    o.close()


# ------------------------------------------------------------------------------------------ helpers


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def snapshot(o: Office) -> tuple[dict[str, str], list[dict[str, object]], dict[str, dict[str, object]]]:
    """Every file a person sees (by content), every event, and the register's rows."""
    files = {}
    for p in o.root.rglob("*"):
        rel = p.relative_to(o.root).as_posix()
        if p.is_file() and not rel.startswith(".sop_docs/") and rel != "register.xlsx":
            files[rel] = sha(p.read_bytes())
    return files, [dict(e) for e in o.svc.db.events()], o.rows()


def quarantined(o: Office) -> dict[str, bytes]:
    q = o.root / "quarantine"
    return {p.name: p.read_bytes() for p in q.iterdir()} if q.exists() else {}


def word_text(docx: bytes) -> str:
    """All text runs of the main document part, concatenated without white space."""
    with zipfile.ZipFile(io.BytesIO(docx)) as zf:
        main = next(n for n in zf.namelist() if re.fullmatch(r"word/document\d*\.xml", n))
        xml = zf.read(main).decode("utf-8")
    runs = re.findall(r"<w:t(?:\s[^>]*)?>([^<]*)</w:t>", xml)
    return re.sub(r"\s+", "", "".join(runs))


def assert_answered(o: Office, original: bytes, name: str, reason: str, *, case: str | None = CASE,
                    step: str = STEP2, inbox: str = "inbox/fungsional/") -> str:
    """The full answer to a refused file (see the module docstring); returns the note."""
    digest = sha(original)
    kept = [n for n, data in quarantined(o).items() if not n.endswith(".txt") and data == original]
    assert len(kept) == 1, f"the original is kept once in quarantine/: {sorted(quarantined(o))}"
    assert Path(kept[0]).suffix == Path(unicodedata.normalize("NFC", name)).suffix.strip(), \
        "the quarantined copy keeps its extension"
    assert len(kept[0].encode()) <= 240 and kept[0] == unicodedata.normalize("NFC", kept[0])
    note_path = o.root / "quarantine" / f"{kept[0]}.txt"
    assert note_path.exists(), "a note sits beside the quarantined file"
    note = note_path.read_text("utf-8")
    assert unicodedata.normalize("NFC", name) in note, "the note names the file"
    assert SAYS[reason] in note, f"the note says what was wrong ({reason}):\n{note}"
    assert "Yang perlu dilakukan:\n1. " in note, "the note says what to do"
    assert inbox in note, "the note says where to save the corrected file"
    if case and reason != "unknown_case":
        assert f"No. Agenda  : {case}" in note
    stored = o.root / ".sop_docs" / "store" / digest[:2] / digest
    if reason == "too_large":        # moved as it is, never copied (a huge file would fill the disk)
        assert not stored.exists()
        digest = f"unkept:{len(original)}"
    else:
        assert stored.read_bytes() == original
    assert not o.inbox_files(), "nothing is left in the inbox"
    events = [e for e in o.svc.db.events() if e["kind"] == "quarantined"
              and json.loads(e["detail"])["sha256"] == digest]
    assert len(events) == 1
    assert json.loads(events[0]["detail"])["reason"] == reason
    if case:
        row = o.rows()[case]
        message = str(row["Pesan Sistem"])
        assert "tidak diproses" in message and "quarantine/" in message, message
        assert unicodedata.normalize("NFC", name) in unicodedata.normalize("NFC", message)
        assert events[0]["case_id"] == case
        assert row["Tahap"] == step, "the case stayed where it was"
        assert o.svc.db.case(case).step == int(step[0])
    before = snapshot(o)
    o.scan()
    assert snapshot(o) == before, "a second scan does nothing more"
    return note


def save_bad(o: Office, kind: str, rel_folder: str, name: str | None = None) -> tuple[bytes, str]:
    """Write a file of `kind` (tests/badfiles.py) and save it into `rel_folder` as staff would."""
    made = write_bad(kind, o.root.parent / "made")
    name = name or made.name
    target = o.save(f"{rel_folder}/{name}", made)
    made.unlink()
    return target.read_bytes(), name


def macro_from(docx: bytes) -> bytes:
    """The same document saved by Word as 'Word Macro-Enabled Document' (.docm)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(CT_DOCUMENT.encode(), CT_MACRO.encode())
            z.writestr(info.filename, data)
    return out.getvalue()


# ------------------------------------------------------------------------------------------ refusals

_REJECTS = [pytest.param(k, marks=pytest.mark.libreoffice) if k in NEEDS_LO else k
            for k in REJECT_KINDS]


@pytest.mark.parametrize("kind", _REJECTS)
def test_a_refused_concept_is_quarantined_with_a_note_and_the_case_told(office, kind):
    """Every kind the sniffer refuses, saved as the concept of case 1, gets the full answer."""
    data, name = save_bad(office, kind, "inbox/fungsional", f"{CASE} - {kind} konsep" + {
        "macro": ".docm", "encrypted_doc": ".doc"}.get(kind, ".docx"))
    if kind == "incomplete":   # a copy that died long ago, not one still being written
        past = time.time() - 3600
        os.utime(office.root / "inbox" / "fungsional" / name, (past, past))
    office.scan()
    note = assert_answered(office, data, name, EXPECTED[kind][1] or "")
    assert "Keterangan teknis (untuk administrator)" in note
    assert office.outbox("kabid_kasubag") == set(), "nothing went on to the reviewer"


def broken_custom_properties() -> bytes:
    """A docx that passes every check of the sniffer but whose custom properties are not XML."""
    buffer = io.BytesIO(docx_bytes())
    with zipfile.ZipFile(buffer, "a") as zf:
        zf.writestr("docProps/custom.xml", b"<Properties><rusak")
    return buffer.getvalue()


@pytest.mark.parametrize(("inbox", "name", "case"), [
    ("inbox/fungsional/", f"{CASE} konsep.docx", CASE),
    ("inbox/kabid_kasubag/", "Bahan rusak.docx", None),
])
def test_a_document_the_libraries_cannot_parse_is_answered_and_the_scan_goes_on(
        office, inbox, name, case):
    """Content no check foresaw does not stop the scan: it is quarantined, other files go on."""
    data = broken_custom_properties()
    office.save(inbox + name, data)
    office.save("inbox/kabid_kasubag/Bahan lain.docx", docx_bytes("Bahan yang baik."))
    office.scan()
    assert sorted(office.rows()) == [CASE, "PIP-2026-0002"], "the good file was taken in"
    note = assert_answered(office, data, name, "corrupt", case=case, inbox=inbox)
    assert "XMLSyntaxError" in note


def test_a_file_still_being_written_is_left_for_later(office):
    """An incomplete package written just now is not answered yet: it may still be growing."""
    write_bad("incomplete", office.root / "inbox" / "fungsional", f"{CASE} konsep.docx")
    office.scan()
    assert len(office.inbox_files()) == 1
    assert quarantined(office) == {}
    assert [e for e in office.svc.db.events() if e["kind"] == "quarantined"] == []


def test_a_macro_enabled_copy_of_the_skeleton_is_linked_by_the_id_inside(office):
    """Saved as .docm under a new name, the skeleton still tells which case it belongs to."""
    data = macro_from(office.concept())
    office.save("inbox/fungsional/konsep saya.docm", data)
    office.scan()
    assert_answered(office, data, "konsep saya.docm", "macro")


def test_the_size_limit_comes_from_sop_toml(seeds, tmp_path):
    """With max_file_mb = 0.01, real Word documents of 13 and 49 kB are refused as too large."""
    o = _office(seeds, tmp_path, 2, max_file_mb=0.01)
    try:
        data = (CORPUS / "embedded-style-map.docx").read_bytes()
        o.save(f"inbox/fungsional/{CASE} konsep.docx", data)
        o.save("inbox/kabid_kasubag/Bahan besar.docx", CORPUS / "tables.docx")  # no case opens
        o.scan()
        note = assert_answered(o, data, f"{CASE} konsep.docx", "too_large")
        assert "Kompres Gambar" in note
        assert sorted(o.rows()) == [CASE]
        assert len([n for n in quarantined(o) if n.endswith(".txt")]) == 2
    finally:
        o.close()


def test_a_concept_that_names_no_case_is_quarantined_as_unlinked(office):
    """A Word document in the Fungsional's inbox with no id inside or in its name."""
    data = docx_bytes("Konsep tanpa nomor agenda.")
    message = office.rows()[CASE]["Pesan Sistem"]
    office.save("inbox/fungsional/Konsep tanpa kasus.docx", data)
    office.scan()
    note = assert_answered(office, data, "Konsep tanpa kasus.docx", "unlinked", case=None)
    assert "Ganti nama berkas agar diawali Nomor Agenda" in note
    assert office.rows()[CASE]["Pesan Sistem"] == message, "no case was told"
    assert office.outbox("fungsional") >= {KONSEP}


def test_a_file_outside_the_role_folders_is_quarantined(office):
    """Saved straight into inbox/ (no role folder): nobody's file, answered all the same, with
    the role folders to save into (not "save again into inbox/", which would answer it again)."""
    data = office.concept()
    office.save("inbox/Konsep.docx", data)
    office.scan()
    note = assert_answered(office, data, "Konsep.docx", "outside_role", case=None, inbox="inbox/")
    assert "inbox/fungsional/ (Fungsional)" in note and "simpan ulang ke folder inbox/." not in note


@pytest.mark.parametrize("claimed", ["PIP-2026-0099", "PIP-2025-0001"])
def test_an_unknown_case_id_is_named_in_the_note(office, claimed):
    """A concept whose name starts with an id the register does not know."""
    data = docx_bytes()
    office.save(f"inbox/fungsional/{claimed} - Konsep.docx", data)
    office.scan()
    note = assert_answered(office, data, f"{claimed} - Konsep.docx", "unknown_case", case=None)
    assert f"Nomor Agenda {claimed}" in note
    assert f"No. Agenda  : {claimed}" in note


def test_a_material_with_an_unknown_case_id_does_not_open_a_case(fresh):
    """The Kabid/Kasubag saves a file named after a case that does not exist."""
    data = docx_bytes()
    fresh.save("inbox/kabid_kasubag/PIP-2026-0042 Bahan.docx", data)
    fresh.scan()
    assert_answered(fresh, data, "PIP-2026-0042 Bahan.docx", "unknown_case", case=None,
                    inbox="inbox/kabid_kasubag/")
    assert fresh.rows() == {}


@pytest.mark.parametrize(("role", "holder"), [("sekretaris", "Sekretaris"),
                                               ("kepala_dinas", "Kepala Dinas")])
def test_a_draft_from_a_role_whose_step_it_is_not_is_refused(office, role, holder):
    """The Sekretaris (or Kepala Dinas) saves the draft while the case is at step 2."""
    data = office.concept()
    office.save(f"inbox/{role}/konsep.docx", data)
    office.scan()
    note = assert_answered(office, data, "konsep.docx", "wrong_step", inbox=f"inbox/{role}/")
    assert f"dari {holder}" in note
    assert "Posisi kasus PIP-2026-0001 sekarang: Tahap 2 - Penyusunan Konsep, dipegang Fungsional" \
        in note
    assert office.outbox("fungsional") >= {KONSEP}


def test_a_changed_concept_after_the_step_moved_on_is_refused(office):
    """The Fungsional saves a new version while the Kabid/Kasubag is already reviewing."""
    office.save("inbox/fungsional/konsep.docx", office.concept())
    office.scan()
    data = docx_bytes("Versi yang terlambat.")
    office.save(f"inbox/fungsional/{CASE} konsep versi 2.docx", data)
    office.scan()
    assert_answered(office, data, f"{CASE} konsep versi 2.docx", "wrong_step", step=STEP3)
    assert office.outbox("kabid_kasubag") == {KONSEP}


def test_the_same_concept_saved_twice_is_recognised_by_its_content(office):
    """A second save of the same bytes (even renamed, later) is not acted on twice."""
    data = office.concept()
    office.save("inbox/fungsional/konsep.docx", data)
    office.scan()
    delivered = (office.root / "outbox" / "kabid_kasubag" / KONSEP).read_bytes()
    office.clock.advance(minutes=20)
    office.save("inbox/fungsional/konsep (salinan).docx", data)
    office.scan()
    note = assert_answered(office, data, "konsep (salinan).docx", "duplicate", step=STEP3)
    assert "23 November 2026 pukul 09.00" in note, "the note says when it was first received"
    assert "inbox/fungsional/konsep.docx" in note
    assert [k for k, _ in office.events(CASE)].count("submitted") == 1
    assert (office.root / "outbox" / "kabid_kasubag" / KONSEP).read_bytes() == delivered


def test_two_copies_saved_at_once_are_taken_in_once(office):
    """The same content under two names in one scan: the first is taken in, the second answered."""
    data = office.concept()
    office.save("inbox/fungsional/a konsep.docx", data)
    office.save("inbox/fungsional/b konsep.docx", data)
    office.scan()
    assert_answered(office, data, "b konsep.docx", "duplicate", step=STEP3)
    assert office.outbox("kabid_kasubag") == {KONSEP}


def test_the_same_material_saved_twice_opens_one_case(fresh):
    fresh.save("inbox/kabid_kasubag/Laporan.docx", CORPUS / "tables.docx")
    fresh.scan()
    fresh.save("inbox/kabid_kasubag/Laporan lagi.docx", CORPUS / "tables.docx")
    fresh.scan()
    assert_answered(fresh, (CORPUS / "tables.docx").read_bytes(), "Laporan lagi.docx", "duplicate",
                    inbox="inbox/kabid_kasubag/")
    assert sorted(fresh.rows()) == [CASE]


# ------------------------------------------------------------------------------------------ proofs


def test_a_proof_without_the_case_id_is_quarantined(publishing):
    png = write_bad("png", publishing.root / "made").read_bytes()
    publishing.save("inbox/fungsional/bukti_online/laman.png", png)
    publishing.scan()
    assert_answered(publishing, png, "laman.png", "unlinked", case=None,
                    inbox="inbox/fungsional/bukti_online/")
    assert publishing.svc.db.case(CASE).proofs == []


def test_a_proof_with_an_unknown_case_id_is_quarantined(publishing):
    png = write_bad("png", publishing.root / "made").read_bytes()
    publishing.save("inbox/fungsional/bukti_offline/PIP-2026-0077 papan.png", png)
    publishing.scan()
    note = assert_answered(publishing, png, "PIP-2026-0077 papan.png", "unknown_case", case=None,
                           inbox="inbox/fungsional/bukti_offline/")
    assert "PIP-2026-0077" in note


def test_a_proof_saved_twice_counts_once(publishing):
    png = write_bad("png", publishing.root / "made").read_bytes()
    publishing.save(f"inbox/fungsional/bukti_online/{CASE} laman.png", png)
    publishing.scan()
    assert publishing.svc.db.case(CASE).proofs == ["bukti_online"]
    publishing.save(f"inbox/fungsional/bukti_online/{CASE} laman (2).png", png)
    publishing.scan()
    assert_answered(publishing, png, f"{CASE} laman (2).png", "duplicate", step=STEP6,
                    inbox="inbox/fungsional/bukti_online/")
    assert [k for k, _ in publishing.events(CASE)].count("proof") == 1


def test_a_proof_before_publication_is_refused(office):
    png = write_bad("png", office.root / "made").read_bytes()
    office.save(f"inbox/fungsional/bukti_online/{CASE} laman.png", png)
    office.scan()
    assert_answered(office, png, f"{CASE} laman.png", "wrong_step",
                    inbox="inbox/fungsional/bukti_online/")


# ------------------------------------------------------------------------------------------ quarantine names


def test_a_name_already_in_quarantine_is_never_overwritten(office):
    """An earlier file (and note) of the same name stay; the new one is kept beside them."""
    taken = "20261123-090000 - PIP-2026-0001 konsep.docx"
    q = office.root / "quarantine"
    q.mkdir(exist_ok=True)
    (q / taken).write_bytes(b"berkas lama")
    (q / f"{taken}.txt").write_text("catatan lama", "utf-8")
    data, name = save_bad(office, "not_docx", "inbox/fungsional", f"{CASE} konsep.docx")
    office.scan()
    assert_answered(office, data, name, "not_docx")
    assert (q / taken).read_bytes() == b"berkas lama"
    assert (q / f"{taken}.txt").read_text("utf-8") == "catatan lama"
    assert len(quarantined(office)) == 4


def test_two_files_of_one_name_quarantined_at_once_are_both_kept(office):
    """The same name from two inboxes, refused in one scan at the same minute."""
    a = docx_bytes("Dari Sekretaris.")
    b = docx_bytes("Dari Kepala Dinas.")
    office.save("inbox/sekretaris/Konsep.docx", a)
    office.save("inbox/kepala_dinas/Konsep.docx", b)
    office.scan()
    assert_answered(office, a, "Konsep.docx", "unlinked", case=None, inbox="inbox/sekretaris/")
    assert_answered(office, b, "Konsep.docx", "unlinked", case=None, inbox="inbox/kepala_dinas/")
    assert len(quarantined(office)) == 4


# ------------------------------------------------------------------------------------------ names

NAMES = {
    "spaces": "  konsep   dengan  spasi .docx",
    "indonesian": "Pengumuman Penerimaan Calon Pegawai Pemerintah dengan Perjanjian Kerja.docx",
    "accents": "Café résumé – naïve.docx",
    "nfd": unicodedata.normalize("NFD", "Pengumuman Café été.docx"),
    "cjk": "日本語の文書 お知らせ.docx",
    "emoji": "Konsep 🎉📢 final.docx",
    "long_ascii": "Konsep " + "pengumuman informasi publik sangat panjang " * 5 + "akhir.docx",
    "long_cjk": "日本" * 40 + ".docx",
    "long_mixed": "Pengumuman informasi publik é " * 6 + "日本 🎉 dan seterusnya sampai akhir.docx",
}


def test_the_long_names_are_really_long():
    assert all(len(NAMES[k]) >= 200 or len(NAMES[k].encode()) >= 240 for k in NAMES if "long" in k)
    assert all(len(n.encode()) <= 255 for n in NAMES.values())


@pytest.mark.parametrize("key", NAMES)
def test_a_concept_under_any_name_is_taken_in(office, key):
    """The skeleton, renamed anything, is the concept: the id inside links it."""
    office.save(f"inbox/fungsional/{NAMES[key]}", office.concept())
    office.scan()
    assert office.outbox("kabid_kasubag") == {KONSEP}
    assert office.rows()[CASE]["Tahap"] == STEP3
    assert not office.inbox_files()
    assert quarantined(office) == {}


@pytest.mark.parametrize("key", NAMES)
def test_a_refused_file_under_any_name_is_kept_with_its_note(office, key):
    data = docx_bytes()
    office.save(f"inbox/fungsional/{NAMES[key]}", data)
    office.scan()
    assert_answered(office, data, NAMES[key], "unlinked", case=None)


@pytest.mark.parametrize("key", NAMES)
def test_a_material_under_any_name_opens_a_case(fresh, key):
    data = (CORPUS / "tables.docx").read_bytes()
    fresh.save(f"inbox/kabid_kasubag/{NAMES[key]}", data)
    fresh.scan()
    assert fresh.rows()[CASE]["Tahap"] == STEP2
    assert not fresh.inbox_files()
    assert quarantined(fresh) == {}
    names = fresh.outbox("fungsional")
    assert len(names) == 3 and all(n.startswith(f"{CASE} - ") for n in names)
    assert all(len(n.encode()) <= 255 and n == unicodedata.normalize("NFC", n) for n in names)


# ------------------------------------------------------------------------------------------ materials


@pytest.mark.parametrize("kind", ["pdf", "xlsx", "png", pytest.param("doc", marks=pytest.mark.libreoffice)])
def test_a_material_that_is_not_a_docx_opens_a_case_as_it_is(fresh, kind):
    """PDF, Excel, picture, legacy .doc: the material travels unchanged to the Fungsional."""
    data, _ = save_bad(fresh, kind, "inbox/kabid_kasubag", f"Bahan informasi.{kind}")
    fresh.scan()
    assert fresh.rows()[CASE]["Tahap"] == STEP2
    material = fresh.root / "outbox" / "fungsional" / f"{CASE} - Bahan - Bahan informasi.{kind}"
    assert material.read_bytes() == data
    assert not fresh.inbox_files()
    assert quarantined(fresh) == {}


# ------------------------------------------------------------------------------------------ conversion


@pytest.mark.libreoffice
def test_legacy_and_strict_concepts_are_converted_and_taken_in(fresh):
    """.doc, .odt, .rtf and ISO-Strict docx, one per case at step 2, each becomes the concept."""
    kinds = ("doc", "odt", "rtf", "strict")
    for i, _ in enumerate(kinds):
        fresh.save(f"inbox/kabid_kasubag/Bahan {i + 1}.docx", docx_bytes(f"Bahan nomor {i + 1}."))
    fresh.scan()
    for i, _ in enumerate(kinds):                   # titled by the Kabid: concepts of their own
        fresh.dispose(f"PIP-2026-000{i + 1}", judul=f"Pengumuman nomor {i + 1}")
    fresh.scan()
    sent = {}
    for i, kind in enumerate(kinds):
        cid = f"PIP-2026-000{i + 1}"
        sent[cid], _ = save_bad(fresh, kind, "inbox/fungsional",
                                f"{cid} konsep.{ {'strict': 'docx'}.get(kind, kind)}")
    fresh.scan()
    assert not fresh.inbox_files()
    assert quarantined(fresh) == {}, "nothing was refused"
    for i, kind in enumerate(kinds):
        cid = f"PIP-2026-000{i + 1}"
        assert fresh.rows()[cid]["Tahap"] == STEP3, kind
        konsep = fresh.root / "outbox" / "kabid_kasubag" / f"{cid} - Konsep - Bahan {i + 1}.docx"
        data = konsep.read_bytes()
        assert read_link(data) == cid
        expected = "Test" if kind == "strict" else re.sub(r"\s+", "", BASE_TEXT)
        assert expected in word_text(data), kind
        digest = sha(sent[cid])
        assert (fresh.root / ".sop_docs" / "store" / digest[:2] / digest).read_bytes() == sent[cid]


@pytest.mark.parametrize("soffice", ["/nonexistent/soffice", "/bin/false"])
def test_a_failed_conversion_is_quarantined_with_a_note(seeds, tmp_path, monkeypatch, soffice):
    """LibreOffice missing, or failing without output: the .rtf concept is answered, not lost."""
    monkeypatch.setenv("SOP_DOCS_SOFFICE", soffice)
    o = _office(seeds, tmp_path, 2)
    try:
        data, name = save_bad(o, "rtf", "inbox/fungsional", f"{CASE} konsep.rtf")
        o.scan()
        note = assert_answered(o, data, name, "conversion_failed")
        assert "Simpan Sebagai" in note
    finally:
        o.close()


# ------------------------------------------------------------------------------------------ the corpus

CORPUS_DOCS = sorted(p.name for p in CORPUS.glob("*.docx"))


@pytest.mark.parametrize("doc", [pytest.param(d, marks=pytest.mark.libreoffice) if d.startswith("strict")
                                 else d for d in CORPUS_DOCS])
def test_every_real_word_document_is_taken_in_intact_or_answered(office, doc):
    """Each corpus document as the concept of case 1: content intact at the reviewer, or a note.
    The Kabid/Kasubag named the case in the Disposisi sheet, so a concept written without the
    skeleton's Rincian table keeps that title."""
    office.dispose(CASE, judul="Ringkasan Laporan Keuangan 2026")
    office.scan()
    original = (CORPUS / doc).read_bytes()
    office.save(f"inbox/fungsional/{CASE} - {doc}", original)
    office.scan()
    if quarantined(office):
        [event] = [e for e in office.svc.db.events() if e["kind"] == "quarantined"]
        assert_answered(office, original, f"{CASE} - {doc}", json.loads(event["detail"])["reason"])
        return
    assert not office.inbox_files()
    assert office.rows()[CASE]["Tahap"] == STEP3
    delivered = (office.root / "outbox" / "kabid_kasubag" / KONSEP).read_bytes()
    assert read_link(delivered) == CASE
    assert word_text(original) in word_text(delivered)
    with zipfile.ZipFile(io.BytesIO(original)) as a, zipfile.ZipFile(io.BytesIO(delivered)) as b:
        if "strict" not in doc:   # only the case link was added: every part is as it was
            linking = {"[Content_Types].xml", "_rels/.rels", "docProps/custom.xml"}
            for n in set(a.namelist()) - linking:
                assert a.read(n) == b.read(n), n
