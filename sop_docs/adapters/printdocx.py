"""The Word pages the combined print file adds: proof pictures, the list of unprintable proofs, and
the page-number layer; LibreOffice turns each into PDF/A-2b like every other hardcopy.

Why Word and LibreOffice rather than drawing PDF ourselves: LibreOffice embeds the fonts and writes
the PDF/A the archive needs (an unembedded Helvetica stamped by hand breaks PDF/A), lays out text in
any language, and is already the converter of every other hardcopy (`adapters.pdf`). Names of
proofs are written as plain text (python-docx escapes them): user content is data, never markup.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from io import BytesIO

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.text.paragraph import Paragraph

from sop_docs.adapters.images import Picture

__all__ = ["list_page", "page_numbers", "picture_pages"]

FONT = "Liberation Sans"         # installed with LibreOffice (tools/setup.sh); metric-compatible with Arial
A4 = (Cm(21.0), Cm(29.7))
MARGIN = Cm(1.5)
BOTTOM = Cm(2.0)                 # clear of the page number drawn 0.6 cm above the edge
ROOM = (Cm(18.0), Cm(24.0))      # the picture's box under its one-line heading
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def _clean(text: str) -> str:
    """Text Word can hold (XML forbids control characters)."""
    return _CONTROL.sub("?", text)


def _document(*, bottom: int = BOTTOM, footer: int = Cm(1.0)) -> DocumentObject:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = A4
    section.left_margin = section.right_margin = section.top_margin = MARGIN
    section.bottom_margin, section.footer_distance = bottom, footer
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(10)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    normal.paragraph_format.space_after = Pt(4)
    return doc


def _bytes(doc: DocumentObject) -> bytes:
    out = BytesIO()
    doc.save(out)
    return out.getvalue()


def _fit(picture: Picture) -> tuple[int, int]:
    """The picture's printed size: as large as its box allows, keeping its proportions."""
    scale = min(ROOM[0] / picture.width, ROOM[1] / picture.height)
    return int(picture.width * scale), int(picture.height * scale)


def picture_pages(heading: str, pictures: Sequence[Picture]) -> bytes:
    """One A4 page a picture, each under `heading` (with "halaman i dari n" when there are more)."""
    doc = _document()
    for i, picture in enumerate(pictures, start=1):
        title = doc.add_paragraph()
        title.paragraph_format.page_break_before = i > 1
        title.paragraph_format.keep_with_next = True
        suffix = f" (halaman {i} dari {len(pictures)})" if len(pictures) > 1 else ""
        title.add_run(_clean(heading + suffix)).bold = True
        holder = doc.add_paragraph()
        holder.alignment = WD_ALIGN_PARAGRAPH.CENTER
        width, height = _fit(picture)
        holder.add_run().add_picture(BytesIO(picture.data), width=width, height=height)
    return _bytes(doc)


def list_page(title: str, intro: str, lines: Sequence[str]) -> bytes:
    """A page with a title, a sentence, and one bulleted line per item."""
    doc = _document()
    head = doc.add_paragraph()
    run = head.add_run(_clean(title))
    run.bold, run.font.size = True, Pt(13)
    doc.add_paragraph(_clean(intro))
    for line in lines:
        doc.add_paragraph(_clean(f"•  {line}"))
    return _bytes(doc)


def _field(paragraph: Paragraph, code: str, half_points: int) -> None:
    """A Word field (PAGE, NUMPAGES) LibreOffice computes on each page."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), f" {code} ")
    run, props, size, text = (OxmlElement(t) for t in ("w:r", "w:rPr", "w:sz", "w:t"))
    size.set(qn("w:val"), str(half_points))
    props.append(size)
    text.text = "1"
    run.append(props)
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def page_numbers(count: int) -> bytes:
    """`count` empty A4 pages whose footer says "Halaman N dari M", bottom right, 0.6 cm above the
    edge: laid over the combined file's pages, below the 2 cm bottom margin of every document."""
    doc = _document(bottom=Cm(1.2), footer=Cm(0.6))
    footer = doc.sections[0].footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    footer.paragraph_format.space_after = Pt(0)
    footer.add_run("Halaman ").font.size = Pt(8)
    _field(footer, "PAGE", 16)
    footer.add_run(" dari ").font.size = Pt(8)
    _field(footer, "NUMPAGES", 16)
    body = doc.paragraphs[0] if doc.paragraphs else doc.add_paragraph()
    body.paragraph_format.space_after = Pt(0)
    for _ in range(count - 1):
        doc.add_paragraph().paragraph_format.page_break_before = True
    return _bytes(doc)
