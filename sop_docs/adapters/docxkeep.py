"""Keep the end of a letter's body on the signature's page (w:keepNext, w:keepLines).

Why: the Pengumuman's signature block keeps together and with its lines (the template), but a body
that ends near the bottom of a page would still leave the signature alone on the next one, or the
closing sentence ("Demikian ...") apart from it. Marking the body's last two blocks, and any empty
paragraphs after them, "keep with next" carries at least the end of the body over with the
signature; Word and LibreOffice both honour it. The body is staff content: only these paragraph
properties are set, its text is not touched.
"""

from __future__ import annotations

from docx.oxml.ns import qn
from lxml import etree

KEPT_BLOCKS = 2  # the closing sentence and the body block before it
_SHOWN = (qn("w:t"), qn("w:drawing"), qn("w:pict"), qn("w:object"))


def _shows_something(block: etree._Element) -> bool:
    if block.tag == qn("w:tbl"):
        return True
    return any(el.tag in _SHOWN and (el.tag != qn("w:t") or (el.text or "").strip())
               for el in block.iter(*_SHOWN))


def _keep(p, *, lines: bool) -> None:
    ppr = p.get_or_add_pPr()
    ppr.keepNext_val = True
    if lines:
        ppr.keepLines_val = True


# What may come after w:cantSplit in a w:trPr (CT_TrPrBase's sequence).
_AFTER_CANT_SPLIT = tuple(qn(f"w:{n}") for n in ("trHeight", "tblHeader", "tblCellSpacing", "jc",
                                                  "hidden", "ins", "del", "trPrChange"))


def _cant_split(tr: etree._Element) -> None:
    """The row may not break across pages (w:cantSplit, in its schema place)."""
    trpr = tr.find(qn("w:trPr"))
    if trpr is None:
        trpr = etree.Element(qn("w:trPr"))
        exceptions = tr.find(qn("w:tblPrEx"))      # the only element that may come before trPr
        if exceptions is not None:
            exceptions.addnext(trpr)
        else:
            tr.insert(0, trpr)
    if trpr.find(qn("w:cantSplit")) is not None:
        return
    cant = etree.Element(qn("w:cantSplit"))
    later = next((el for el in trpr if el.tag in _AFTER_CANT_SPLIT), None)
    if later is not None:
        later.addprevious(cant)
    else:
        trpr.append(cant)


def keep_end_with_next(body) -> None:
    """Mark the last `KEPT_BLOCKS` visible blocks of `body` (a python-docx CT_Body) and the empty
    paragraphs after them to keep with what follows. The very last one (the closing sentence) is
    also kept whole; a table's last row is kept whole and with what follows."""
    blocks = [el for el in body.iterchildren() if el.tag in (qn("w:p"), qn("w:tbl"))]
    kept = 0
    for block in reversed(blocks):
        visible = _shows_something(block)
        if block.tag == qn("w:tbl"):
            rows = block.findall(qn("w:tr"))
            if rows:
                _cant_split(rows[-1])
                for p in rows[-1].iter(qn("w:p")):
                    _keep(p, lines=True)
        else:
            _keep(block, lines=visible and kept == 0)
        if visible:
            kept += 1
            if kept == KEPT_BLOCKS:
                return
