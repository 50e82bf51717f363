"""Marking a filled document as not official: a red line at the top of every page's header and a
diagonal watermark behind the text, both in the header so they print on every page in Word and in
LibreOffice (which reads Word's watermark shape as a Fontwork text).

Why in the adapter and not in the templates: an office may restyle its templates in Word and drop
any tag; a mark added after filling cannot be lost that way, and no template changes for it.
"""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

from docx.document import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.shared import Pt, RGBColor

_V = "urn:schemas-microsoft-com:vml"
_O = "urn:schemas-microsoft-com:office:office"
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W10 = "urn:schemas-microsoft-com:office:word"
RED = RGBColor(0xC0, 0x00, 0x00)

# Word's own watermark ("Design > Watermark"): a VML WordArt shape anchored in the header, centred
# on the page, turned 45 degrees, half-transparent grey.
_WATERMARK = (
    f'<w:p xmlns:w="{_W}" xmlns:v="{_V}" xmlns:o="{_O}" xmlns:w10="{_W10}"><w:r><w:pict>'
    '<v:shapetype id="_x0000_t136" coordsize="21600,21600" o:spt="136" adj="10800" '
    'path="m@7,l@8,m@5,21600l@6,21600e"><v:formulas><v:f eqn="sum #0 0 10800"/>'
    '<v:f eqn="prod #0 2 1"/><v:f eqn="sum 21600 0 @1"/><v:f eqn="sum 0 0 @2"/>'
    '<v:f eqn="sum 21600 0 @3"/><v:f eqn="if @0 @3 0"/><v:f eqn="if @0 21600 @1"/>'
    '<v:f eqn="if @0 0 @2"/><v:f eqn="if @0 @4 21600"/><v:f eqn="mid @5 @6"/>'
    '<v:f eqn="mid @8 @5"/><v:f eqn="mid @7 @8"/><v:f eqn="mid @6 @7"/>'
    '<v:f eqn="sum @6 0 @5"/></v:formulas><v:path textpathok="t" o:connecttype="custom" '
    'o:connectlocs="@9,0;@10,10800;@11,21600;@12,10800" o:connectangles="270,180,90,0"/>'
    '<v:textpath on="t" fitshape="t"/><v:handles><v:h position="#0,bottomRight" '
    'xrange="6629,14971"/></v:handles><o:lock v:ext="edit" text="t" shapetype="t"/>'
    '</v:shapetype><v:shape id="SopDocsContohWatermark{n}" o:spid="_x0000_s{spid}" '
    'type="#_x0000_t136" style="position:absolute;margin-left:0;margin-top:0;width:470pt;'
    'height:70pt;rotation:315;z-index:-251657216;mso-position-horizontal:center;'
    'mso-position-horizontal-relative:margin;mso-position-vertical:center;'
    'mso-position-vertical-relative:margin" o:allowincell="f" fillcolor="#d0d0d0" '
    'stroked="f"><v:fill opacity=".5"/><v:textpath style="font-family:&quot;Liberation Sans'
    '&quot;;font-size:1pt" string={text}/><w10:wrap anchorx="margin" anchory="margin"/>'
    '</v:shape></w:pict></w:r></w:p>'
)


def _headers(doc: Document):  # type: ignore[no-untyped-def]
    """Every header a page of `doc` can show: each section's own (the first section's always)."""
    even = doc.settings.odd_and_even_pages_header_footer
    for i, section in enumerate(doc.sections):
        kinds = [section.header]
        if section.different_first_page_header_footer:
            kinds.append(section.first_page_header)
        if even:
            kinds.append(section.even_page_header)
        for header in kinds:
            if i == 0 or not header.is_linked_to_previous:
                yield header


def mark_document(doc: Document, line: str, watermark: str) -> None:
    """Put `line` (red, bold, centred) first in every header of `doc`, with `watermark` behind."""
    for n, header in enumerate(_headers(doc), start=1):     # one shape id per header, as Word
        first = header.paragraphs[0] if header.paragraphs else header.add_paragraph()
        p = first.insert_paragraph_before()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.space_after = Pt(0)
        r = p.add_run(line)
        r.bold = True
        r.font.size = Pt(9)
        r.font.color.rgb = RED
        p._p.addnext(parse_xml(_WATERMARK.format(text=quoteattr(watermark), n=n, spid=2048 + n)))
