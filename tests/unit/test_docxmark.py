"""The not-official mark reaches every header a page can show, above what the header held."""

from __future__ import annotations

from docx import Document

from sop_docs.adapters.docxmark import mark_document


def test_every_header_of_every_section_gets_the_line_first_and_one_watermark():
    """A first-page header, even pages and a second section with its own header: all marked,
    the existing header text kept below the mark, one watermark shape each with its own id."""
    doc = Document()
    doc.add_section()
    doc.settings.odd_and_even_pages_header_footer = True
    first, second = doc.sections
    first.different_first_page_header_footer = True
    first.header.paragraphs[0].text = "Halaman {PAGE}"
    second.header.is_linked_to_previous = False
    mark_document(doc, "KONSEP — contoh", "BUKAN NASKAH RESMI")
    headers = [first.header, first.first_page_header, first.even_page_header, second.header]
    for h in headers:
        assert h.paragraphs[0].text == "KONSEP — contoh"
        assert h._element.xml.count('string="BUKAN NASKAH RESMI"') == 1
    assert [p.text for p in first.header.paragraphs][-1] == "Halaman {PAGE}"
    ids = {h._element.xpath(".//*[local-name()='shape']/@id")[0] for h in headers}
    assert len(ids) == 4
