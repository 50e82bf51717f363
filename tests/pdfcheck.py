"""What the archive asks of a PDF, read with pypdf: PDF/A identification, embedded fonts, no
encryption, no action that reaches outside.

Why: the archive keeps PDFs for years (PDF/A-2b: everything needed to render it is inside it). There
is no PDF/A validator (veraPDF) on the service machines, so the tests check the properties that
matter for sop-docs directly.
"""

from __future__ import annotations

import re
from io import BytesIO

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

# Actions that open or fetch something outside the file, or run code.
OUTSIDE_ACTIONS = frozenset({"/Launch", "/GoToR", "/GoToE", "/URI", "/JavaScript", "/ImportData",
                             "/SubmitForm", "/Sound", "/Movie", "/Rendition"})


def pdfa_id(data: bytes) -> tuple[str, str] | None:
    """(pdfaid:part, pdfaid:conformance) from the catalog's XMP metadata, or None."""
    root = PdfReader(BytesIO(data)).trailer["/Root"]
    if "/Metadata" not in root:
        return None
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    part = re.search(r"<pdfaid:part>\s*(\d)\s*<|pdfaid:part=\"(\d)\"", xmp)
    conformance = re.search(r"<pdfaid:conformance>\s*(\w)\s*<|pdfaid:conformance=\"(\w)\"", xmp)
    if not part or not conformance:
        return None
    return part.group(1) or part.group(2), conformance.group(1) or conformance.group(2)


def _walk(obj, seen: set[int]):
    """Every dictionary reachable from `obj`, each indirect object once."""
    if isinstance(obj, IndirectObject):
        if obj.idnum in seen:
            return
        seen.add(obj.idnum)
        obj = obj.get_object()
    if isinstance(obj, DictionaryObject):
        yield obj
        for key, value in obj.items():
            if key != "/Parent":
                yield from _walk(value, seen)
    elif isinstance(obj, ArrayObject):
        for value in obj:
            yield from _walk(value, seen)


def dictionaries(data: bytes) -> list[DictionaryObject]:
    reader = PdfReader(BytesIO(data))
    return list(_walk(reader.trailer, set()))


def unembedded_fonts(data: bytes) -> list[str]:
    """Base names of fonts without a FontFile, FontFile2 or FontFile3 (Type 3 fonts draw their own)."""
    missing = []
    for d in dictionaries(data):
        if d.get("/Type") != "/Font" or d.get("/Subtype") in ("/Type0", "/Type3"):
            continue                                   # Type0: its descendant font is checked
        descriptor = d.get("/FontDescriptor")
        descriptor = descriptor.get_object() if descriptor is not None else {}
        if not any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
            missing.append(str(d.get("/BaseFont")))
    return missing


def font_names(data: bytes) -> set[str]:
    return {str(d.get("/BaseFont")) for d in dictionaries(data) if d.get("/Type") == "/Font"}


def font_count(data: bytes) -> int:
    return sum(1 for d in dictionaries(data) if d.get("/Type") == "/Font")


def outside_actions(data: bytes) -> set[str]:
    """The action types in the file that reach outside it or run code."""
    found = {str(d.get("/S")) for d in dictionaries(data)} & OUTSIDE_ACTIONS
    names = PdfReader(BytesIO(data)).trailer["/Root"].get("/Names")
    if names is not None and "/EmbeddedFiles" in names.get_object():
        found.add("/EmbeddedFiles")
    return found


def assert_archival(data: bytes, *, pages: int | None = None) -> None:
    """PDF/A-2b, every font embedded, not encrypted, nothing reaching outside (and `pages` pages)."""
    reader = PdfReader(BytesIO(data))
    assert not reader.is_encrypted and "/Encrypt" not in reader.trailer
    assert pdfa_id(data) == ("2", "B")
    assert "/OutputIntents" in reader.trailer["/Root"]
    assert "/ID" in reader.trailer
    assert font_count(data) > 0 and unembedded_fonts(data) == []
    assert outside_actions(data) == set()
    if pages is not None:
        assert len(reader.pages) == pages
