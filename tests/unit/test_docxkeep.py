"""The end of a letter's body keeps with the signature: which blocks get the keep properties."""

from __future__ import annotations

from io import BytesIO

from docx import Document
from docx.oxml.ns import qn

from sop_docs.adapters import docx as adapter
from sop_docs.adapters.docxkeep import keep_end_with_next
from sop_docs.core.naming import readable_name


def _body(*texts: str, table_last: bool = False):
    doc = Document()
    for t in texts:
        doc.add_paragraph(t)
    if table_last:
        doc.add_table(rows=2, cols=2).rows[1].cells[0].text = "Rp1.000.000"
    return doc


def _flags(p) -> tuple[bool, bool]:
    pf = p.paragraph_format
    return bool(pf.keep_with_next), bool(pf.keep_together)


def test_the_closing_is_kept_whole_and_with_the_block_before_it():
    """The last visible paragraph keeps whole and with next; the one before keeps with next only;
    trailing empty paragraphs carry the chain on; earlier text is left free."""
    doc = _body("Pertama.", "Kedua.", "Demikian pengumuman ini.", "", "")
    keep_end_with_next(doc.element.body)
    assert [_flags(p) for p in doc.paragraphs] == [
        (False, False), (True, False), (True, True), (True, False), (True, False)]


def test_a_body_ending_in_a_table_keeps_its_last_row_whole_and_with_next():
    """The last row may not split (w:cantSplit) and its paragraphs keep with next."""
    doc = _body("Rincian anggaran:", table_last=True)
    keep_end_with_next(doc.element.body)
    last = doc.tables[0].rows[-1]
    assert last._tr.trPr.find(qn("w:cantSplit")) is not None
    assert all(_flags(p)[0] for c in last.cells for p in c.paragraphs)
    assert _flags(doc.paragraphs[0])[0]
    assert doc.tables[0].rows[0]._tr.trPr is None         # the first row stays as it was


def test_concept_body_marks_the_end_of_the_writers_text():
    """What render_pengumuman embeds has the keeps on the writer's last paragraphs."""
    doc = _body("Awal.", "Isi terakhir.", "Demikian.")
    out = BytesIO()
    doc.save(out)
    body = Document(BytesIO(adapter.concept_body(out.getvalue())))
    assert [_flags(p)[0] for p in body.paragraphs] == [False, True, True]


def test_readable_name_drops_only_an_extension():
    """'x.docx' prints as 'x'; dots inside a name and names without an extension stay."""
    assert readable_name("Surat PLN pemadaman.pdf") == "Surat PLN pemadaman"
    assert readable_name("PIP-2026-0007 - Konsep - Lap. Keu. 2026.docx") == \
        "PIP-2026-0007 - Konsep - Lap. Keu. 2026"
    assert readable_name("Nota Dinas No. 12") == "Nota Dinas No. 12"
    assert readable_name("Laporan versi 1.2 final") == "Laporan versi 1.2 final"
    assert readable_name("Laporan versi 1.2") == "Laporan versi 1.2"
    assert readable_name(".docx") == ".docx"
