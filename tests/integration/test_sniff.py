"""The sniffer tells real Word files from every awkward thing staff save under a Word name."""

import io
import tempfile
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sop_docs.adapters.sniff import REJECT_REASONS, classify, is_complete
from tests.badfiles import CORPUS, EXPECTED, NEEDS_LIBREOFFICE, docx_bytes, write_bad

CORPUS_FILES = sorted(CORPUS.glob("*.docx"))


def _kinds(needs_office: bool) -> list[str]:
    return [k for k in EXPECTED if (k in NEEDS_LIBREOFFICE) == needs_office]


@pytest.mark.parametrize("kind", _kinds(needs_office=False))
def test_each_awkward_file_gets_its_verdict(kind, tmp_path):
    """Every kind of file in the factory is classified as expected."""
    verdict = classify(write_bad(kind, tmp_path))
    assert (verdict.kind, verdict.reason) == EXPECTED[kind], verdict.detail


@pytest.mark.libreoffice
@pytest.mark.parametrize("kind", _kinds(needs_office=True))
def test_libreoffice_made_files_get_their_verdict(kind, tmp_path):
    """.doc and .odt written by LibreOffice, and an encrypted .doc, are classified as expected."""
    verdict = classify(write_bad(kind, tmp_path))
    assert (verdict.kind, verdict.reason) == EXPECTED[kind], verdict.detail


def test_every_reject_reason_is_produced_by_some_factory_file():
    """The factory covers every reason the sniffer can give."""
    produced = {reason for kind, reason in EXPECTED.values() if kind == "reject"}
    assert produced == set(REJECT_REASONS)


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.name)
def test_real_word_documents_are_docx_except_strict(path):
    """Documents made by Word elsewhere are plain docx; the ISO Strict one needs converting."""
    verdict = classify(path)
    expected = "convert" if path.name == "strict-format.docx" else "docx"
    assert verdict.kind == expected, verdict.detail


def test_docx_content_under_a_doc_name_is_taken_as_docx(tmp_path):
    """A docx someone renamed to .doc is still a docx: the content decides."""
    path = tmp_path / "Konsep.doc"
    path.write_bytes(docx_bytes())
    assert classify(path).kind == "docx"


def test_word_content_under_a_non_word_name_is_other_material(tmp_path):
    """A docx saved as .bin is not treated as a draft, only as material."""
    path = tmp_path / "lampiran.bin"
    path.write_bytes(docx_bytes())
    assert classify(path).kind == "other"


def test_a_password_protected_workbook_is_rejected_too(tmp_path):
    """Encryption is refused whatever the Office name: the archive must be readable."""
    verdict = classify(write_bad("encrypted", tmp_path, "Data.xlsx"))
    assert (verdict.kind, verdict.reason) == ("reject", "encrypted")


def test_zip_bomb_is_refused_without_decompressing(tmp_path):
    """A 300 MB declared entry is refused fast and with little memory (declared sizes only)."""
    path = write_bad("zip_bomb", tmp_path)
    assert path.stat().st_size <= 2**20
    tracemalloc.start()
    started = time.perf_counter()
    verdict = classify(path)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert verdict.reason == "zip_bomb"
    assert elapsed < 1.0
    assert peak < 20 * 2**20


def test_the_size_limit_is_a_parameter(tmp_path):
    """A caller may lower the size limit; the same file then counts as too large."""
    path = write_bad("docx", tmp_path)
    assert classify(path).kind == "docx"
    assert classify(path, max_bytes=path.stat().st_size - 1).reason == "too_large"


def test_missing_file_raises_os_error_so_the_caller_retries(tmp_path):
    """A vanished file is not content: it is an OSError, not a quarantine verdict."""
    with pytest.raises(FileNotFoundError):
        classify(tmp_path / "gone.docx")


def test_a_docx_with_a_dtd_is_refused(tmp_path):
    """Entity declarations (billion laughs, XXE) never reach a parser: the package is corrupt."""

    def add_dtd(data: bytes) -> bytes:
        return data.replace(b"?>", b'?><!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa">]>', 1)

    source = io.BytesIO(docx_bytes())
    out = io.BytesIO()
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            zout.writestr(info.filename, add_dtd(data) if info.filename == "word/document.xml" else data)
    path = tmp_path / "dtd.docx"
    path.write_bytes(out.getvalue())
    assert classify(path).reason == "corrupt"


# --- is_complete: the format-level check of the stability test -----------------------------


def test_a_finished_docx_is_complete(tmp_path):
    """A docx whose zip opens and lists [Content_Types].xml is complete."""
    assert is_complete(write_bad("docx", tmp_path))


def test_a_docx_cut_anywhere_is_not_complete(tmp_path):
    """A docx being written (cut at any point before its end) never counts as complete."""
    data = docx_bytes()
    path = tmp_path / "Konsep.docx"
    for cut in range(0, len(data), max(1, len(data) // 60)):
        path.write_bytes(data[:cut] if cut else b"PK")
        assert not is_complete(path), cut


def test_a_package_without_content_types_is_not_complete(tmp_path):
    """The OOXML marker part must be there."""
    assert not is_complete(write_bad("incomplete", tmp_path))


def test_non_zip_files_are_complete_and_missing_ones_are_not(tmp_path):
    """A PDF or image is as complete as its format can tell; a vanished file is not."""
    assert is_complete(write_bad("pdf", tmp_path))
    assert is_complete(write_bad("png", tmp_path))
    assert not is_complete(tmp_path / "nothing.docx")


# --- fuzzing: any bytes get a verdict -------------------------------------------------------

_FUZZ_DIR = tempfile.TemporaryDirectory(prefix="sop_docs_sniff_fuzz_")
_BASE = docx_bytes()


def _check_any(data: bytes, name: str) -> None:
    path = Path(_FUZZ_DIR.name, name)
    path.write_bytes(data)
    verdict = classify(path)
    assert verdict.kind in ("docx", "convert", "other", "reject")
    assert verdict.kind != "reject" or verdict.reason in REJECT_REASONS
    assert isinstance(is_complete(path), bool)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.binary(max_size=4096),
    st.sampled_from(["a.docx", "a.doc", "a.odt", "a.rtf", "a.pdf", "a.xlsx", "a"]),
)
def test_random_bytes_never_crash_the_sniffer(data, name):
    """Arbitrary bytes under any name give a verdict, never an exception."""
    _check_any(data, name)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(st.integers(0, len(_BASE) - 1), st.integers(0, 255)), min_size=1, max_size=20),
    st.integers(1, len(_BASE)),
)
def test_damaged_docx_never_crashes_the_sniffer(changes, length):
    """A real docx with flipped bytes and cut at any length gives a verdict, never an exception."""
    data = bytearray(_BASE)
    for offset, value in changes:
        data[offset] = value
    _check_any(bytes(data[:length]), "Konsep.docx")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(min_size=1, max_size=2048), st.integers(0, 4096))
def test_damaged_ole_never_crashes_the_sniffer(tail, offset):
    """Garbage behind an OLE signature (a broken .doc or encrypted file) gives a verdict."""
    header = bytearray(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    header[30:34] = b"\x09\x00\x06\x00"
    data = bytes(header) + bytes(offset % 1024) + tail
    _check_any(data, "Konsep.doc")
