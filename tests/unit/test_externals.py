"""What a document links to outside is taken out before LibreOffice or docxcompose see it."""

from __future__ import annotations

from pathlib import Path

import pytest

from sop_docs.adapters import externals
from tests.hostile import (
    Secrets,
    dangling_ids,
    docx_package,
    external_non_hyperlinks,
    hostile_docx,
    para,
    parts,
    rel,
    rtf,
)

URL = "http://127.0.0.1:9"


@pytest.fixture
def secrets(tmp_path: Path) -> Secrets:
    return Secrets(tmp_path / "server")


def test_external_relationships_go_with_what_uses_them_and_hyperlinks_stay(secrets):
    """Web and server pictures, VML, OLE links, a sub-document and an attached template are gone;
    the hyperlink, an embedded picture and the text stay; no id is left pointing nowhere."""
    clean = externals.strip_docx(hostile_docx(URL, secrets))
    assert external_non_hyperlinks(clean) == []
    assert dangling_ids(clean) == []
    files = parts(clean)
    document = files["word/document.xml"].decode()
    assert 'r:embed="rIdLocal"' in document and "word/media/local.png" in files
    assert "r:link" not in document and "w:subDoc" not in document and "w:object" not in document
    assert "v:imagedata" not in document
    assert "attachedTemplate" not in files["word/settings.xml"].decode()
    assert 'w:hyperlink r:id="rIdLink"' in document
    for text in ("Konsep dengan tautan ke luar.", "Situs resmi", "Tautan rusak", "Akhir konsep."):
        assert text in document
    assert str(secrets.picture) not in document and "127.0.0.1" not in document


def test_linking_fields_keep_their_shown_text_but_lose_the_instruction(secrets):
    """INCLUDEPICTURE / INCLUDETEXT (simple) and an INCLUDE+TEXT split over runs (complex)."""
    document = parts(externals.strip_docx(hostile_docx(URL, secrets)))["word/document.xml"].decode()
    assert "INCLUDE" not in document and "fldSimple" not in document
    assert "[gambar]" in document and "[teks]" in document and "[teks web]" in document


def test_ordinary_fields_and_a_clean_document_are_left_as_they_are():
    """PAGE and HYPERLINK fields are not linking fields; a clean document comes back byte for byte."""
    body = (para("Biasa.") + '<w:p><w:fldSimple w:instr=" PAGE "><w:r><w:t>1</w:t></w:r></w:fldSimple></w:p>'
            '<w:p><w:fldSimple w:instr=\' HYPERLINK "https://ppid.example.go.id" \'><w:r><w:t>x</w:t>'
            "</w:r></w:fldSimple></w:p>")
    data = docx_package(body, rel("rIdLink", "hyperlink", "https://ppid.example.go.id/"))
    assert externals.strip_docx(data) == data


def test_cleaning_twice_changes_nothing_more(secrets):
    once = externals.strip_docx(hostile_docx(URL, secrets))
    assert externals.strip_docx(once) == once


def test_a_target_that_is_a_url_counts_as_external_even_without_target_mode():
    """A relationship saying it is internal but naming http://... or a UNC path is treated as outside."""
    body = para("x") + '<w:p><w:subDoc r:id="rIdA"/></w:p><w:p><w:subDoc r:id="rIdB"/></w:p>'
    rels = (rel("rIdA", "subDocument", f"{URL}/a.docx", external=False)
            + rel("rIdB", "subDocument", "\\\\server\\share\\b.docx", external=False))
    clean = externals.strip_docx(docx_package(body, rels))
    assert "subDoc" not in parts(clean)["word/document.xml"].decode()
    assert dangling_ids(clean) == []


def test_rtf_linking_fields_are_renamed_and_others_kept(tmp_path):
    """The first word of a field instruction is what LibreOffice's RTF reader acts on."""
    path = rtf(tmp_path / "k.rtf", 'INCLUDEPICTURE "/srv/x.png" \\d', 'includetext "/srv/y.txt"',
               'HYPERLINK "http://example.org/import/link"', "PAGE")
    data = path.read_bytes()
    clean = externals.strip_rtf(data)
    assert b"SOPDOCS_BLOCKED_INCLUDEPICTURE" in clean and b"SOPDOCS_BLOCKED_includetext" in clean
    assert b'HYPERLINK "http://example.org/import/link"' in clean and b"fldinst PAGE" in clean
    assert externals.strip_rtf(clean) == clean


@pytest.mark.parametrize("instruction", [
    rb"{\*\fldinst {\rtlch\fcs1 INCLUDEPICTURE \"/srv/x.png\"}}",
    rb"{\*\fldinst\b\i INCLUDEPICTURE \"/srv/x.png\"}",
    rb"{\*\fldinst  IMPORT /srv/x.png}",
    rb"{\*\fldinst DDEAUTO Excel \"/srv/x.xls\"}",
])
def test_rtf_fields_hidden_behind_control_words_or_groups_are_found(instruction):
    data = b"{\\rtf1\\ansi {\\field" + instruction + b"{\\fldrslt x}}}"
    assert b"SOPDOCS_BLOCKED_" in externals.strip_rtf(data)


def test_strip_file_cleans_docx_and_rtf_in_place_and_leaves_other_files(tmp_path, secrets):
    docx_file = tmp_path / "a.docx"
    docx_file.write_bytes(hostile_docx(URL, secrets))
    rtf_file = rtf(tmp_path / "b.rtf", f'INCLUDEPICTURE "{secrets.picture}"')
    junk = tmp_path / "c.docx"
    junk.write_bytes(b"PK\x03\x04 not really a zip")
    assert externals.strip_file(docx_file) and externals.strip_file(rtf_file)
    assert not externals.strip_file(junk) and junk.read_bytes() == b"PK\x03\x04 not really a zip"
    assert not externals.strip_file(docx_file)          # already clean


def test_an_unreadable_package_is_a_value_error():
    with pytest.raises(ValueError):
        externals.strip_docx(b"PK\x03\x04 broken")


def test_references_are_found_whatever_prefix_the_relationships_namespace_has():
    """Word writes r:, other tools may write any prefix; a part with no rels file has no valid id."""
    body = (para("x") + '<w:p><w:subDoc xmlns:q="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships" q:id="rIdA"/></w:p>')
    clean = externals.strip_docx(docx_package(body, rel("rIdA", "subDocument", f"{URL}/a.docx")))
    assert "subDoc" not in parts(clean)["word/document.xml"].decode()
    assert dangling_ids(clean) == []
