"""The combined print file of a closed case: every hardcopy and every proof in one PDF/A-2b, with
"Halaman N dari M" on each page, one bookmark a document, and a title.

Why: the SOP keeps a hardcopy of each case; the archivist prints one file, not twenty. Proofs come
as staff saved them: a photo or screenshot is put upright on its own A4 page (`images`), a PDF's
pages are drawn as pictures (`pdfpages`: a browser's PDF is not PDF/A and may carry scripts), a
Word document goes through LibreOffice like every hardcopy. Anything else, and anything that cannot
be read, is named on a page "Bukti yang tidak dapat dicetak" instead: one bad proof never stops a
close. The page numbers are a layer LibreOffice renders as PDF/A (fonts embedded) and pypdf lays
over the pages (`pdfa.merge`), so the result stays PDF/A-2b.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import PyPdfError

from sop_docs.adapters import images, pdfa, pdfpages, printdocx, sniff
from sop_docs.adapters.safefs import open_regular
from sop_docs.errors import SopDocsError

log = logging.getLogger("sop_docs")

Converter = Callable[[Sequence[tuple[str, bytes]]], list[bytes]]

MAX_PROOFS = 60                  # printed; more are listed (a case has a handful)
MAX_DOCX_BYTES = 30 * 2**20
UNPRINTABLE = "Bukti yang tidak dapat dicetak"
_PICTURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*", b"BM")


@dataclass(frozen=True)
class Proof:
    """One proof of publication: its bookmark title, its name in the bundle's bukti/, its file."""

    title: str
    name: str
    source: Path


@dataclass
class Pages:
    """The proofs as (bookmark title, PDF) parts, and the lines of the "not printable" page."""

    parts: list[tuple[str, bytes]] = field(default_factory=list)
    unprintable: list[str] = field(default_factory=list)


def _is_picture(data: bytes) -> bool:
    return data.startswith(_PICTURES) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")


def _proof_docx(proof: Proof, notes: list[str]) -> bytes:
    """The Word document that prints the proof; ValueError (with the reason in Indonesian) when
    it cannot be printed."""
    limit = max(images.MAX_BYTES, pdfpages.MAX_BYTES, MAX_DOCX_BYTES)
    with open_regular(proof.source) as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise ValueError("berkasnya terlalu besar untuk dicetak")
    if data.startswith(b"%PDF-"):
        try:
            drawn = pdfpages.draw(data)
            pictures = [images.printable(page) for page in drawn.pages]
        except ValueError as e:
            raise ValueError("PDF-nya rusak, terkunci sandi, terlalu besar, atau tidak dapat dibaca") from e
        if drawn.total > len(pictures):
            notes.append(f"{proof.name} — hanya {len(pictures)} dari {drawn.total} halaman yang "
                         "dicetak; halaman selebihnya lihat berkas aslinya di folder bukti/")
        return printdocx.picture_pages(proof.title, pictures)
    if _is_picture(data):
        try:
            return printdocx.picture_pages(proof.title, [images.printable(data)])
        except ValueError as e:
            raise ValueError("gambarnya rusak, terlalu besar, atau tidak dapat dibaca") from e
    verdict = sniff.classify(proof.source, max_bytes=MAX_DOCX_BYTES, name=proof.name)
    if verdict.kind == sniff.DOCX:
        return data
    raise ValueError("jenis berkas ini tidak dapat dicetak" if not verdict.rejected
                     else "berkasnya rusak atau tidak dapat dibaca")


def proof_pages(proofs: Sequence[Proof], to_pdf: Converter) -> Pages:
    """Each proof printed on its own pages, or listed with why it could not be."""
    out = Pages()
    for i, proof in enumerate(proofs):
        if i >= MAX_PROOFS:
            out.unprintable.append(f"{proof.name} — terlalu banyak bukti untuk dicetak dalam satu "
                                   "berkas; lihat berkas aslinya di folder bukti/")
            continue
        notes: list[str] = []
        try:
            docx = _proof_docx(proof, notes)
            [made] = to_pdf([(proof.name, docx)])
            _pages(made)                             # a PDF pypdf can read, or not printed
        except (ValueError, OSError, SopDocsError, PyPdfError) as e:
            log.warning("proof %s is not printed in the combined file: %s (%r)", proof.name, e,
                        e.__cause__)
            reason = str(e) if isinstance(e, ValueError) else "tidak dapat diubah menjadi PDF"
            out.unprintable.append(f"{proof.name} — {reason}; lihat berkas aslinya di folder bukti/")
            continue
        out.parts.append((proof.title, made))
        out.unprintable += notes
    return out


def _pages(pdf: bytes) -> int:
    return len(PdfReader(BytesIO(pdf)).pages)


def combine(documents: Sequence[tuple[str, bytes]], proofs: Sequence[Proof], title: str,
            to_pdf: Converter | None) -> bytes:
    """The print file: `documents` (bookmark title, PDF) in order, then the proofs, then the list
    of proofs that could not be printed, numbered and titled. Without a converter it is the
    documents only, unnumbered (still titled and bookmarked)."""
    parts = list(documents)
    if to_pdf is None:
        return pdfa.merge([p for _, p in parts], title=title, bookmarks=[t for t, _ in parts])
    printed = proof_pages(proofs, to_pdf)
    parts += printed.parts
    if printed.unprintable:
        try:
            [listed] = to_pdf([(UNPRINTABLE, printdocx.list_page(
                UNPRINTABLE,
                "Bukti berikut tersimpan utuh di folder bukti/ bundel arsip ini, tetapi tidak dapat "
                "dicetak (seluruhnya) dalam berkas ini. Buka dan cetak berkas aslinya dari folder "
                "tersebut bila diperlukan.", printed.unprintable))])
            parts.append((UNPRINTABLE, listed))
        except SopDocsError as e:
            log.error("the page listing the unprintable proofs could not be made: %s", e)
    layer = None
    total = sum(_pages(p) for _, p in parts)
    try:
        [layer] = to_pdf([("Nomor Halaman", printdocx.page_numbers(total))])
        if _pages(layer) != total:
            raise SopDocsError(f"the page-number layer has {_pages(layer)} pages for {total}")
    except SopDocsError as e:
        log.error("the combined print file is made without page numbers: %s", e)
        layer = None
    return pdfa.merge([p for _, p in parts], title=title, bookmarks=[t for t, _ in parts],
                      layer=layer)
