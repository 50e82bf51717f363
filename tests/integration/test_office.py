"""Real LibreOffice conversions: batches, verified outputs, no half-written files, killed on timeout."""

import shutil
from pathlib import Path

import pytest

from sop_docs.adapters import office
from sop_docs.adapters.office import ConversionFailed, OfficeUnavailable, convert, find_soffice
from sop_docs.adapters.sniff import classify
from tests.badfiles import CORPUS, write_bad

pytestmark = pytest.mark.libreoffice


def _running_with_profile(profile: Path) -> list[int]:
    """Pids of live (non-zombie) processes whose command line names `profile`."""
    found = []
    needle = str(profile).encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        state = stat[stat.rfind(")") + 2 :].split()[0]
        if needle in cmdline and state != "Z":
            found.append(int(entry.name))
    return found


def test_libreoffice_is_installed():
    """The service machine and CI must have LibreOffice; a missing one fails here, loudly."""
    assert find_soffice() is not None, office.INSTALL_HINT


def test_a_corpus_docx_becomes_a_pdf(tmp_path):
    """A real Word document converts to a complete PDF named after it."""
    [pdf] = convert([CORPUS / "tables.docx"], "pdf", tmp_path / "out")
    assert pdf == tmp_path / "out" / "tables.pdf"
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    assert b"%%EOF" in data[-2048:]


def test_a_strict_docx_becomes_an_ordinary_docx(tmp_path):
    """ISO Strict, which python-docx cannot read, comes back Transitional."""
    source = CORPUS / "strict-format.docx"
    assert classify(source).kind == "convert"
    [out] = convert([source], "docx", tmp_path)
    assert classify(out).kind == "docx"


def test_an_odt_made_by_libreoffice_becomes_a_docx(tmp_path):
    """An OpenDocument text converts to a docx python-docx can open, with the text kept."""
    from docx import Document

    odt = write_bad("odt", tmp_path / "in")
    [out] = convert([odt], "docx", tmp_path / "out")
    assert classify(out).kind == "docx"
    text = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert "laporan keuangan tahun 2026" in text


def test_a_legacy_doc_becomes_a_docx(tmp_path):
    """A Word 97-2003 file converts to a docx."""
    doc = write_bad("doc", tmp_path / "in")
    [out] = convert([doc], "docx", tmp_path / "out")
    assert out.name == "Konsep lama.docx"
    assert classify(out).kind == "docx"


def test_a_batch_of_five_converts_in_one_run(tmp_path):
    """Five documents go through one soffice start and all come out, in order."""
    names = ["tables.docx", "comments.docx", "footnotes.docx", "simple-list.docx", "underline.docx"]
    sources = [CORPUS / n for n in names]
    outputs = convert(sources, "pdf", tmp_path)
    assert [p.name for p in outputs] == [n.replace(".docx", ".pdf") for n in names]
    assert all(p.read_bytes().startswith(b"%PDF-") for p in outputs)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in outputs)


def test_sources_are_left_untouched(tmp_path):
    """Conversion works on private copies: the source bytes and folder do not change."""
    source = write_bad("docx", tmp_path / "in")
    before = source.read_bytes()
    convert([source], "pdf", tmp_path / "out")
    assert source.read_bytes() == before
    assert [p.name for p in (tmp_path / "in").iterdir()] == [source.name]


def test_a_bad_input_fails_alone_and_the_good_ones_are_delivered(tmp_path):
    """A garbage input in a batch is reported; the others still arrive, nothing half-written."""
    good = write_bad("docx", tmp_path / "in")
    bad = tmp_path / "in" / "Rusak.docx"
    bad.write_bytes(b"PK\x03\x04 this is not a document")
    with pytest.raises(ConversionFailed) as caught:
        convert([good, bad], "pdf", tmp_path / "out")
    assert caught.value.failed == [bad]
    assert caught.value.converted == [tmp_path / "out" / "Konsep.pdf"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["Konsep.pdf"]


def test_a_timeout_kills_every_process_of_the_run(tmp_path):
    """With a tiny timeout the run is killed: nothing delivered, no soffice of our profile left."""
    sources = [CORPUS / "tables.docx", CORPUS / "comments.docx"]
    with pytest.raises(ConversionFailed) as caught:
        convert(sources, "pdf", tmp_path / "out", timeout=0.3)
    assert "0.3 s" in str(caught.value)
    assert caught.value.failed == sources
    assert list((tmp_path / "out").iterdir()) == []
    assert _running_with_profile(office.profile_dir()) == []
    # The profile is still usable afterwards.
    [pdf] = convert([CORPUS / "tables.docx"], "pdf", tmp_path / "again")
    assert pdf.read_bytes().startswith(b"%PDF-")


def test_an_existing_output_is_replaced_whole(tmp_path):
    """An output of the same name is replaced atomically; no .partial file stays behind."""
    (tmp_path / "tables.pdf").write_bytes(b"old")
    [pdf] = convert([CORPUS / "tables.docx"], "pdf", tmp_path)
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert [p.name for p in tmp_path.iterdir()] == ["tables.pdf"]


def test_two_sources_with_one_output_name_are_refused(tmp_path):
    """Konsep.doc and Konsep.odt would both become Konsep.docx: refused before running."""
    a = write_bad("rtf", tmp_path, "Konsep.rtf")
    b = write_bad("docx", tmp_path, "Konsep.docx")
    with pytest.raises(ValueError, match="same name"):
        convert([a, b], "docx", tmp_path / "out")


def test_unknown_target_format_is_refused(tmp_path):
    """Only the formats sop-docs needs are offered."""
    with pytest.raises(ValueError):
        convert([CORPUS / "tables.docx"], "html", tmp_path)


def test_an_empty_batch_does_nothing(tmp_path):
    """No sources, no LibreOffice start, no output."""
    assert convert([], "pdf", tmp_path / "out") == []
    assert not (tmp_path / "out").exists()


def test_missing_libreoffice_is_a_clear_error_for_the_administrator(tmp_path, monkeypatch):
    """Without soffice the error says what to install."""
    monkeypatch.setenv("SOP_DOCS_SOFFICE", str(tmp_path / "no-such-soffice"))
    assert find_soffice() is None
    with pytest.raises(OfficeUnavailable, match="apt-get install libreoffice-writer-nogui"):
        convert([CORPUS / "tables.docx"], "pdf", tmp_path)


def test_soffice_can_be_chosen_by_environment(monkeypatch):
    """An administrator can point at a particular LibreOffice."""
    real = shutil.which("soffice")
    assert real is not None
    monkeypatch.setenv("SOP_DOCS_SOFFICE", real)
    assert find_soffice() == Path(real)
