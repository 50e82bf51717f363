"""LibreOffice, as sop-docs runs it, never fetches what a document links to and never pulls a linked
file into what it writes: for .odt, .docx, .rtf and .doc, in batch runs and in the kept-alive office."""

from __future__ import annotations

import contextlib
import urllib.error
import urllib.request
import zipfile
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

from sop_docs.adapters import office, pdf
from tests import hostile
from tests.hostile import SECRET_TEXT, Secrets
from tests.lo import require_libreoffice

pytestmark = pytest.mark.libreoffice


@pytest.fixture(autouse=True)
def _libreoffice() -> None:
    require_libreoffice()


@pytest.fixture
def spy():
    with hostile.spy_server(lifetime=300) as server:
        with contextlib.suppress(urllib.error.HTTPError):     # the spy really sees a request
            urllib.request.urlopen(f"{server.url}/probe", timeout=5)
        assert server.requests == ["GET /probe"]
        server.requests.clear()
        yield server


def linked_doc(tmp_path: Path, picture_target: str) -> Path:
    """A Word 97 .doc whose picture is an INCLUDEPICTURE \\d link, written by LibreOffice itself."""
    source = hostile.odt(tmp_path / "src" / "bergambar.odt", hostile.odt_linked_picture(picture_target))
    [doc] = office.convert([source], "doc", tmp_path / "doc")
    assert "INCLUDEPICTURE".encode("utf-16-le") in doc.read_bytes()   # the link is really in it
    return doc


def test_converting_documents_that_link_to_the_web_sends_no_request(tmp_path, spy):
    """Pictures on a web server, linked from an .odt, a .docx, an .rtf and a .doc, are not fetched
    when they become docx or PDF, in a batch run or in the kept-alive office."""
    src = tmp_path / "src"
    src.mkdir()
    doc = linked_doc(tmp_path, f"{spy.url}/dari-doc.png")
    spy.requests.clear()
    odt = hostile.odt(src / "web-odt.odt", "<text:p>Konsep.</text:p><text:p>"
                      + hostile.odt_linked_picture(f"{spy.url}/dari-odt.png") + "</text:p>")
    docx = src / "web-docx.docx"
    docx.write_bytes(hostile.hostile_docx(spy.url, Secrets(tmp_path / "server")))
    rtf = hostile.rtf(src / "web-rtf.rtf", f'INCLUDEPICTURE "{spy.url}/dari-rtf.png" \\d')
    sources = [odt, docx, rtf, doc]

    office.convert(sources, "docx", tmp_path / "docx")
    office.convert(sources, "pdf", tmp_path / "pdf")
    alive = pdf.PdfConverter()
    try:
        assert alive.mode == "kept-alive"
        outs = alive.convert([("web-docx.docx", docx.read_bytes())]
                             + [(p.name, p.read_bytes()) for p in (tmp_path / "docx").iterdir()])
        assert all(pdf.is_pdf(o) for o in outs)
    finally:
        alive.close()
    assert spy.requests == []


def images_in(data: bytes) -> int:
    """How many image XObjects the PDF's pages use."""
    count = 0
    for page in PdfReader(BytesIO(data)).pages:
        xobjects = page.get("/Resources", {}).get("/XObject", {})
        count += sum(1 for x in xobjects.values() if x.get_object().get("/Subtype") == "/Image")
    return count


def assert_nothing_of(secrets: Secrets, docx: bytes | None = None, pdf_data: bytes | None = None) -> None:
    """Neither the secret picture, nor its pixels, nor the secret text is in the output."""
    if docx is not None:
        with zipfile.ZipFile(BytesIO(docx)) as z:
            members = {n: z.read(n) for n in z.namelist()}
        assert not [n for n in members if n.startswith("word/media/")], "a picture was embedded"
        everything = b"".join(members.values())
        assert secrets.picture.read_bytes() not in everything
        assert SECRET_TEXT.encode() not in everything
    if pdf_data is not None:
        assert images_in(pdf_data) == 0, "a picture was drawn into the PDF"
        text = "".join(p.extract_text() for p in PdfReader(BytesIO(pdf_data)).pages)
        assert SECRET_TEXT not in text and SECRET_TEXT.encode() not in pdf_data


def test_linked_server_files_never_reach_the_converted_document_or_its_pdf(tmp_path):
    """INCLUDEPICTURE and INCLUDETEXT in an .rtf, a linked picture and section in an .odt, linked
    pictures and fields in a .docx, an INCLUDEPICTURE link in a .doc: the server files they name
    are not read into the docx LibreOffice writes, nor into the PDF."""
    secrets = Secrets(tmp_path / "server")
    src = tmp_path / "src"
    src.mkdir()
    rtf = hostile.rtf(src / "sisip-rtf.rtf", f'INCLUDEPICTURE "{secrets.picture}"',
                      f'INCLUDETEXT "{secrets.text}"')
    odt = hostile.odt(src / "tertaut-odt.odt", "<text:p>Konsep.</text:p><text:p>"
                      + hostile.odt_linked_picture(secrets.picture.as_uri()) + "</text:p>"
                      + hostile.odt_linked_section(secrets.text.as_uri()))
    docx = src / "tertaut-docx.docx"
    linked = hostile.picture('r:link="rIdF"', 1)
    docx.write_bytes(hostile.docx_package(
        hostile.para("Konsep.") + f"<w:p>{linked}</w:p>"
        + f'<w:p><w:fldSimple w:instr=\' INCLUDETEXT "{secrets.text}" \'><w:r><w:t>[teks]</w:t></w:r>'
        "</w:fldSimple></w:p>",
        hostile.rel("rIdF", "image", secrets.picture.as_uri())))
    doc = linked_doc(tmp_path, secrets.picture.as_uri())
    sources = [rtf, odt, docx, doc]

    docx_outs = office.convert(sources, "docx", tmp_path / "docx")
    pdf_outs = office.convert(sources, "pdf", tmp_path / "pdf")
    for out in docx_outs:
        assert_nothing_of(secrets, docx=out.read_bytes())
    for out in pdf_outs:
        assert_nothing_of(secrets, pdf_data=out.read_bytes())
    alive = pdf.PdfConverter()
    try:
        for out in [docx, *docx_outs]:
            [made] = alive.convert([(out.name, out.read_bytes())])
            assert_nothing_of(secrets, pdf_data=made)
    finally:
        alive.close()
