"""The blocks several templates share: the kop naskah dinas, the signature, a label/value table.

Why once: the pemda forms (DOMAIN.md §1, §2) must look alike, so the kop (logo at left, government
and office name, address, the closing double rule) and the bagian akhir are written in one place.
"""

from __future__ import annotations

from collections.abc import Sequence

from docx.document import Document
from docx.shared import Cm, Length, Pt

from .docxkit import keep_together, para, rule, run, table, valign_center

SIGNATURE_INDENT = Cm(8.5)


def kop(doc: Document, *, compact: bool = False) -> None:
    """Kop naskah dinas: logo left, centred government/office/address lines, double rule under
    (`compact`: no blank line after the rule, for the ½ folio disposition)."""
    t = table(doc, 1, [Cm(2.6), Cm(13.9)], borders=False)
    logo_cell, text_cell = t.rows[0].cells
    valign_center(logo_cell)
    p = para(logo_cell, align="center")
    run(p, "{{ logo }}")
    para(text_cell, "{{ kantor.pemerintah }}", align="center", bold=True, size=14)
    para(text_cell, "{{ kantor.nama }}", align="center", bold=True, size=15)
    p = para(text_cell, align="center", size=10)
    run(p, "{{ kantor.alamat }}", size=10)
    run(p, ", Telepon {{ kantor.telepon }}", size=10)
    p = para(text_cell, align="center")
    run(p, "Laman {{ kantor.laman }}", size=10)
    run(p, ", Pos-el {{ kantor.email }}", size=10)
    p = para(text_cell, align="center")
    run(p, "{{ kantor.kota|upper }}", bold=True, size=11, spacing=3)
    run(p, "   Kode Pos {{ kantor.kode_pos }}", size=10)
    p = para(doc, size=4)
    p.paragraph_format.line_spacing = Pt(4)
    rule(p)
    if not compact:
        para(doc)


def signature(
    doc: Document,
    *,
    place_date: str,
    jabatan: str,
    nama: str | None,
    pangkat: str | None,
    nip: str | None,
    left: Length = SIGNATURE_INDENT,
    before: float = 12,
    space_lines: int = 4,
) -> None:
    """The bagian akhir: place/date, jabatan in capitals ending with a comma, name, pangkat, NIP.

    Every line keeps with the next and none splits, so the block never breaks across pages (Word
    and LibreOffice both honour it); a line whose value may be empty is printed empty.
    """
    lines = [para(doc, place_date, left=left, before=before), para(doc, jabatan, left=left)]
    lines += [para(doc, left=left) for _ in range(space_lines)]
    if nama:
        lines.append(para(doc, nama, left=left, bold=True, underline=True))
    if pangkat:
        lines.append(para(doc, pangkat, left=left))
    if nip:
        lines.append(para(doc, nip, left=left))
    for i, p in enumerate(lines):
        keep_together(p, with_next=i < len(lines) - 1)


def label_table(
    doc: Document, pairs: Sequence[tuple[str, str]], widths: list[Length], *, size: float
) -> None:
    """A bordered two-column table: a bold label on the left, its docxtpl tag on the right."""
    t = table(doc, len(pairs), widths)
    for i, (label, tag) in enumerate(pairs):
        a, b = t.rows[i].cells
        para(a, label, size=size, bold=True)
        para(b, tag, size=size)
