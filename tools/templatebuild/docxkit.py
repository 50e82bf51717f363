"""The python-docx helpers every template is built from: page, paragraph, run, field, table.

Why a module of our own: python-docx leaves out what the pemda forms need (a paragraph border for
the kop's double rule, bookmarks, table widths that Word and LibreOffice both honour, Indonesian
language tags), and each of those is a little raw XML best written once. Every docxtpl tag passed
to `run` stays in that one run, so Word's run splitting never breaks a tag.
"""

from __future__ import annotations

from typing import Literal

import docx
from docx.document import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Cm, Length, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run

FONT = "Arial"
SYMBOL_FONT = "Segoe UI Symbol"  # has ☐/☒ in Word; LibreOffice falls back to DejaVu Sans
TEXT_WIDTH = Cm(16.5)  # A4 21 cm - 2.5 cm left - 2 cm right

Container = Document | _Cell
"""Where paragraphs go: the document body or a table cell."""


def new_document(title: str) -> Document:
    """An empty A4 document in the pemda house style (Arial 12, no paragraph spacing, id-ID)."""
    doc = docx.Document()
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    sec.top_margin, sec.bottom_margin = Cm(1.5), Cm(2.0)
    sec.left_margin, sec.right_margin = Cm(2.5), Cm(2.0)
    sec.header_distance, sec.footer_distance = Cm(1.0), Cm(1.0)
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(12)
    _set_east_asia(normal.element.get_or_add_rPr(), FONT)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.0
    props = doc.core_properties
    props.title = title
    props.author = "sop-docs"
    props.last_modified_by = "sop-docs"
    props.comments = "Templat docxtpl; sumber: tools/build_templates.py"
    props.language = "id-ID"
    props.subject = ""
    props.identifier = ""
    props.keywords = ""
    props.revision = 1
    _set_language(normal.element.get_or_add_rPr())
    return doc


def _set_east_asia(rpr: BaseOxmlElement, font: str) -> None:
    """Name `font` for every script, so Word does not fall back to another font for some text."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), font)


def _set_language(rpr: BaseOxmlElement) -> None:
    """Tag the text as Indonesian, so Word's spelling check does not mark every word."""
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "id-ID")
    rpr.append(lang)


def run(
    p: Paragraph,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
    size: float | None = None,
    font: str | None = None,
    spacing: float | None = None,
    color: RGBColor | None = None,
) -> Run:
    """One run of `text` (a docxtpl tag stays whole in it), formatted as asked."""
    r = p.add_run(text)
    r.bold = bold or None
    r.italic = italic or None
    r.underline = underline or None
    if size:
        r.font.size = Pt(size)
    if font:
        r.font.name = font
        _set_east_asia(r._element.get_or_add_rPr(), font)
    if color is not None:
        r.font.color.rgb = color
    if spacing:
        sp = OxmlElement("w:spacing")
        sp.set(qn("w:val"), str(int(spacing * 20)))
        r._element.get_or_add_rPr().append(sp)
    return r


def para(
    container: Container,
    text: str = "",
    *,
    align: Literal["left", "center", "right", "justify"] = "left",
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
    size: float | None = None,
    before: float = 0,
    after: float = 0,
    left: Length | None = None,
    hanging: Length | None = None,
    tabs: tuple[Length, ...] = (),
    color: RGBColor | None = None,
) -> Paragraph:
    """Add a paragraph to a document or a table cell (a cell's first empty paragraph is reused)."""
    first = container.paragraphs[0] if isinstance(container, _Cell) else None
    if first is not None and len(container.paragraphs) == 1 and first._p.pPr is None and not (first.runs):
        p = first
    else:
        p = container.add_paragraph()
    fmt = p.paragraph_format
    fmt.alignment = {
        "left": WD_ALIGN_PARAGRAPH.LEFT,
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
        "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
    }[align]
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    if left is not None:
        fmt.left_indent = left
    if hanging is not None:
        fmt.first_line_indent = -hanging
    for pos in tabs:
        fmt.tab_stops.add_tab_stop(pos, WD_TAB_ALIGNMENT.LEFT)
    if text:
        run(p, text, bold=bold, italic=italic, underline=underline, size=size, color=color)
    return p


def field(
    container: Container, label: str, tag: str, *, tab: Length, size: float = 11, bold_value: bool = False
) -> Paragraph:
    """A `Label : value` line with the value wrapping under itself (tab + hanging indent)."""
    value_at = tab + Cm(0.35)
    p = para(container, left=value_at, hanging=value_at, tabs=(tab, value_at))
    run(p, label, size=size)
    run(p, "\t:\t", size=size)
    run(p, tag, size=size, bold=bold_value)
    return p


def rule(p: Paragraph, *, style: str = "thickThinSmallGap", size: int = 24, side: str = "bottom") -> None:
    """Put a border line under (or over) a paragraph: the kop's closing double rule."""
    ppr = p._p.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    edge = OxmlElement(f"w:{side}")
    edge.set(qn("w:val"), style)
    edge.set(qn("w:sz"), str(size))
    edge.set(qn("w:space"), "1")
    edge.set(qn("w:color"), "000000")
    bdr.append(edge)
    # pBdr must come before spacing/ind/jc in CT_PPr's sequence.
    anchor = None
    for name in ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:spacing", "w:ind", "w:jc"):
        anchor = ppr.find(qn(name))
        if anchor is not None:
            break
    if anchor is not None:
        anchor.addprevious(bdr)
    else:
        ppr.append(bdr)


def bookmark(p: Paragraph, name: str, bid: int = 90) -> None:
    """Mark paragraph `p` with bookmark `name`, so the adapter can find it after any editing."""
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(bid))
    start.set(qn("w:name"), name)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(bid))
    p._p.insert(1 if p._p.pPr is not None else 0, start)
    p._p.append(end)


def table(doc: Document, rows: int, widths: list[Length], *, borders: bool = True) -> Table:
    """A centred table of fixed column `widths` (Word and LibreOffice both keep them)."""
    t = doc.add_table(rows=rows, cols=len(widths))
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    if borders:
        t.style = doc.styles["Table Grid"]
    else:
        _no_borders(t)
    tblw = t._tbl.tblPr.find(qn("w:tblW"))
    if tblw is None:
        tblw = OxmlElement("w:tblW")
        t._tbl.tblPr.append(tblw)
    tblw.set(qn("w:w"), str(int(sum(w for w in widths) / 635)))
    tblw.set(qn("w:type"), "dxa")
    for i, w in enumerate(widths):
        t.columns[i].width = w
        for cell in t.columns[i].cells:
            cell.width = w
    _cell_margins(t, top=60, bottom=60, left=100, right=100)
    return t


def _no_borders(t: Table) -> None:
    """No lines at all: the kop is laid out with a table but must not look like one."""
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        e = OxmlElement(f"w:{edge}")
        e.set(qn("w:val"), "nil")
        borders.append(e)
    t._tbl.tblPr.append(borders)


def _cell_margins(t: Table, **dxa: int) -> None:
    """The same inner margins in every cell (twentieths of a point), so text does not touch lines."""
    mar = OxmlElement("w:tblCellMar")
    for side in ("top", "left", "bottom", "right"):
        e = OxmlElement(f"w:{side}")
        e.set(qn("w:w"), str(dxa[side]))
        e.set(qn("w:type"), "dxa")
        mar.append(e)
    t._tbl.tblPr.append(mar)


def valign_center(cell: _Cell) -> None:
    """Centre the cell's content vertically (the kop's logo beside its text lines)."""
    v = OxmlElement("w:vAlign")
    v.set(qn("w:val"), "center")
    cell._tc.get_or_add_tcPr().append(v)


def page_size(doc: Document, width: Length, height: Length, *, margins: Length) -> None:
    """Set the paper (orientation follows from the sides) and one margin on every side."""
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.LANDSCAPE if width > height else WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = width, height
    sec.top_margin = sec.bottom_margin = sec.left_margin = sec.right_margin = margins


def keep_together(p: Paragraph, *, with_next: bool = True) -> None:
    """Never split `p` across pages and (unless the last of a block) keep it on the next one's page;
    Word and LibreOffice both honour w:keepLines and w:keepNext."""
    p.paragraph_format.keep_together = True
    if with_next:
        p.paragraph_format.keep_with_next = True


def _field(p: Paragraph, instruction: str, shown: str, size: float) -> None:
    """A complex field (PAGE, NUMPAGES) with `shown` as its last result; the reader recomputes it."""

    def fld_char(kind: str) -> None:
        fc = OxmlElement("w:fldChar")
        fc.set(qn("w:fldCharType"), kind)
        run(p, "", size=size)._element.append(fc)

    fld_char("begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run(p, "", size=size)._element.append(instr)
    fld_char("separate")
    run(p, shown, size=size)
    fld_char("end")


def page_numbers(doc: Document, *, size: float = 9) -> None:
    """A centred footer 'Halaman N dari M' (PAGE / NUMPAGES fields) on every page."""
    footer = doc.sections[0].footer
    footer.is_linked_to_previous = False
    p = footer.paragraphs[0]
    p.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run(p, "Halaman ", size=size)
    _field(p, "PAGE", "1", size)
    run(p, " dari ", size=size)
    _field(p, "NUMPAGES", "1", size)
