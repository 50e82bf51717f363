"""Merge PDF/A files into one without losing what makes them PDF/A.

Why: the archive's hardcopies are PDF/A-2b (made by LibreOffice, `lo_settings.PDF_EXPORT`), and
the bundle's combined print file is made from them with pypdf. pypdf's merge copies the pages and
their fonts but drops the catalog's XMP metadata (which carries the `pdfaid` identification) and
its OutputIntents (the colour profile PDF/A requires), and writes no file identifier, so the
combined file stops claiming PDF/A. `merge` puts them back, but only when every part claims the
same PDF/A part and conformance: a file that mixes in a plain PDF claims nothing.
`merge` also gives the result its title (Info /Title and XMP dc:title, which PDF/A requires to
agree), one bookmark a part, and lays a page-number layer over its pages.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from io import BytesIO
from xml.sax.saxutils import escape

from pypdf import PdfReader, PdfWriter, Transformation
from pypdf.errors import PdfReadError
from pypdf.generic import NameObject, StreamObject

__all__ = ["claim", "merge"]

PRODUCER = "sop-docs (pypdf)"
_PART = re.compile(rb"<pdfaid:part>\s*(\d)\s*</pdfaid:part>|pdfaid:part=[\"'](\d)[\"']")
_CONFORMANCE = re.compile(rb"<pdfaid:conformance>\s*([ABU])\s*</pdfaid:conformance>"
                          rb"|pdfaid:conformance=[\"']([ABU])[\"']")


def _claim(reader: PdfReader) -> tuple[str, str] | None:
    try:
        metadata = reader.trailer["/Root"].get("/Metadata")
        xmp = metadata.get_object().get_data() if metadata is not None else b""
    except (PdfReadError, KeyError, AttributeError, ValueError):
        return None
    part, conformance = _PART.search(xmp), _CONFORMANCE.search(xmp)
    if not part or not conformance:
        return None
    return ((part.group(1) or part.group(2)).decode(),
            (conformance.group(1) or conformance.group(2)).decode())


def claim(data: bytes) -> tuple[str, str] | None:
    """The PDF/A (part, conformance) a PDF's XMP metadata declares, e.g. ("2", "B"), or None."""
    try:
        return _claim(PdfReader(BytesIO(data)))
    except (PdfReadError, ValueError):
        return None


def _xmp(part: str, conformance: str, title: str | None) -> bytes:
    dc = ("" if title is None else
          '  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
          f'   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(title)}</rdf:li></rdf:Alt>'
          "</dc:title>\n  </rdf:Description>\n")
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '  <rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">\n'
        f"   <pdfaid:part>{part}</pdfaid:part>\n"
        f"   <pdfaid:conformance>{conformance}</pdfaid:conformance>\n"
        "  </rdf:Description>\n"
        '  <rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">\n'
        f"   <pdf:Producer>{escape(PRODUCER)}</pdf:Producer>\n"
        "  </rdf:Description>\n"
        f"{dc}"
        " </rdf:RDF>\n"
        "</x:xmpmeta>\n"
        '<?xpacket end="w"?>'
    ).encode()


def _lay_over(writer: PdfWriter, layer: bytes) -> None:
    """Page i of `layer` drawn over page i of `writer`, its bottom-right corner on the page's."""
    pages = PdfReader(BytesIO(layer)).pages
    if len(pages) != len(writer.pages):
        raise ValueError(f"the layer has {len(pages)} pages for {len(writer.pages)}")
    for page, over in zip(writer.pages, pages, strict=True):
        if page.get("/Rotate", 0):
            page.transfer_rotation_to_content()
        box, top = page.mediabox, over.mediabox
        move = Transformation().translate(float(box.right) - float(top.right),
                                          float(box.bottom) - float(top.bottom))
        page.merge_transformed_page(over, move)


def merge(pdfs: Sequence[bytes], *, title: str | None = None, bookmarks: Sequence[str] = (),
          layer: bytes | None = None) -> bytes:
    """One PDF of the given ones, in order; PDF/A like its parts when they all are the same PDF/A.

    `title` is the document's title; `bookmarks`, when given, one title a part (at its first
    page); `layer` a PDF with as many pages as the result, drawn over it (the page numbers)."""
    readers = [PdfReader(BytesIO(blob)) for blob in pdfs]
    writer = PdfWriter()
    starts = []
    for reader in readers:
        starts.append(len(writer.pages))
        writer.append(reader)
    if layer is not None:
        _lay_over(writer, layer)
    if bookmarks:
        for name, start in zip(bookmarks, starts, strict=True):
            writer.add_outline_item(title=name, page_number=start)
        writer.page_mode = "/UseOutlines"
    info = {"/Producer": PRODUCER, **({"/Title": title} if title is not None else {})}
    writer.add_metadata(info)                          # the Info dictionary the XMP below agrees with
    claims = {_claim(r) for r in readers}
    if readers and len(claims) == 1 and None not in claims:
        [(part, conformance)] = claims
        root = writer._root_object
        intents = readers[0].trailer["/Root"].get("/OutputIntents")
        if intents is not None:
            root[NameObject("/OutputIntents")] = intents.get_object().clone(writer)
        stream = StreamObject()                        # unfiltered, as PDF/A requires
        stream.set_data(_xmp(part, conformance, title))
        stream[NameObject("/Type")] = NameObject("/Metadata")
        stream[NameObject("/Subtype")] = NameObject("/XML")
        root[NameObject("/Metadata")] = writer._add_object(stream)
    writer.generate_file_identifiers()                 # the trailer /ID PDF/A asks for
    out = BytesIO()
    writer.write(out)
    return out.getvalue()
