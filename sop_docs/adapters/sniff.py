"""Decide what an arriving file really is, from its bytes, before any library parses it.

Staff save whatever Word, a scanner or a browser gives them, under whatever name: a password-
protected .docx is an OLE container, a .doc may be RTF or a real docx, a .docm carries macros, a
half-copied file is a truncated zip, and a crafted zip can declare gigabytes (PITFALLS.md §1.4,
§4.3, §4.4). python-docx answers all of these with one misleading error, or with a memory blow-up.
`classify` reads the magic bytes, the zip central directory and the OLE directory itself (stdlib
only, nothing is decompressed before the declared sizes are checked, nothing is decrypted) and
returns a verdict the intake can act on: take it in, convert it with LibreOffice, keep it as
material, or quarantine it with a reason that `core.notes` turns into advice for the clerk.
"""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from xml.parsers import expat

from sop_docs.adapters.ole import CompoundFile, OleError
from sop_docs.adapters.safefs import open_regular

# Verdict kinds.
DOCX = "docx"
CONVERT = "convert"
OTHER = "other"
REJECT = "reject"

# Reject reasons (each has a note in `sop_docs.core.notes`).
EMPTY = "empty"
TOO_LARGE = "too_large"
NOT_DOCX = "not_docx"
CORRUPT = "corrupt"
ENCRYPTED = "encrypted"
MACRO = "macro"
ZIP_BOMB = "zip_bomb"
INCOMPLETE = "incomplete"
REJECT_REASONS = (EMPTY, TOO_LARGE, NOT_DOCX, CORRUPT, ENCRYPTED, MACRO, ZIP_BOMB, INCOMPLETE)

# Zip-bomb limits, from the central directory's declared sizes (PITFALLS.md §4.4).
MAX_TOTAL_UNCOMPRESSED = 200 * 2**20
MAX_ENTRIES = 5000
MAX_RATIO = 100
RATIO_CHECK_FROM = 10 * 2**20  # only entries declaring more than this are ratio-checked

# Names that say "this is meant to be a Word document": their content must be one.
WORD_SUFFIXES = frozenset({".docx", ".docm", ".dotx", ".dotm", ".doc", ".dot", ".odt", ".rtf"})
# Other zip-based Office names whose packages must hold [Content_Types].xml.
_OOXML_SUFFIXES = frozenset(
    {".docx", ".docm", ".dotx", ".dotm", ".xlsx", ".xlsm", ".xltx", ".xltm", ".pptx", ".pptm",
     ".ppsx", ".ppsm", ".potx", ".potm", ".vsdx"}
)  # fmt: skip

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_RTF_MAGIC = b"{\\rtf"

_CT_WORD_DOC = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_CT_WORD_TEMPLATE = "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
_REL_OFFICE_DOC = "/officeDocument/2006/relationships/officeDocument"
_REL_OFFICE_DOC_STRICT = "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument"
_ODF_TEXT = "application/vnd.oasis.opendocument.text"

_XML_LIMIT = 8 * 2**20  # package XML we parse fully is small; a bigger [Content_Types] is hostile


@dataclass(frozen=True)
class Verdict:
    """What a file is: `kind` (docx/convert/other/reject), a reject `reason`, an English detail."""

    kind: str
    reason: str | None = None
    detail: str = ""

    @property
    def rejected(self) -> bool:
        return self.kind == REJECT


def _reject(reason: str, detail: str) -> Verdict:
    return Verdict(REJECT, reason, detail)


class _Bad(Exception):
    """Internal: the content is broken in a way that decides the verdict."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def classify(path: Path, *, max_bytes: int = 50 * 2**20, name: str | None = None) -> Verdict:
    """Classify the file at `path` from its content (its name only says what it is meant to be).

    `name` is the name the file was saved under, when `path` is a kept copy of it. Never raises
    for any content. An `OSError` is raised only when the file cannot be read at all (it vanished,
    another program holds it, or it is not a regular file): the caller decides what next.
    """
    path = Path(path)
    with open_regular(path) as handle:
        size = os.fstat(handle.fileno()).st_size
        if size == 0:
            return _reject(EMPTY, "the file has no content (0 bytes)")
        if size > max_bytes:
            return _reject(TOO_LARGE, f"{size} bytes, more than the limit of {max_bytes} bytes")
        data = handle.read(min(size, max_bytes) + 1)  # never a buffer bigger than needed
    if not data:
        return _reject(EMPTY, "the file has no content (0 bytes)")
    if len(data) > max_bytes:
        return _reject(TOO_LARGE, f"more than the limit of {max_bytes} bytes")
    try:
        return _classify_bytes(data, PurePosixPath(name or path.name).suffix.lower())
    except _Bad as bad:
        return _reject(bad.reason, bad.detail)
    except Exception as exc:  # content we did not foresee: never crash the intake on bytes
        return _reject(CORRUPT, f"unreadable content ({type(exc).__name__}: {exc})")


def is_complete(path: Path) -> bool:
    """True when the file looks completely written (for the stability check; never raises).

    An Office package (docx, xlsx, …) is complete once its zip central directory, written last,
    opens and lists `[Content_Types].xml`; an ODF file or other zip once it opens. Any other file
    is complete as far as its format can tell. A missing or unreadable file is not complete.
    """
    try:
        path = Path(path)
        with open_regular(path) as handle:
            head = handle.read(4)
            if not head.startswith(b"PK"):
                return True
            handle.seek(0)
            with zipfile.ZipFile(handle) as zf:
                names = set(zf.namelist())
        if path.suffix.lower() in _OOXML_SUFFIXES:
            return "[Content_Types].xml" in names
        return True
    except Exception:
        return False


# --------------------------------------------------------------------------------------------
# dispatch


def _classify_bytes(data: bytes, suffix: str) -> Verdict:
    wordish = suffix in WORD_SUFFIXES
    if data.startswith(_ZIP_MAGICS):
        return _classify_zip(data, suffix)
    if data.startswith(_OLE_MAGIC):
        return _classify_ole(data, wordish)
    if data.startswith(_RTF_MAGIC):
        if wordish:
            return Verdict(CONVERT, None, "RTF document")
        return Verdict(OTHER, None, "RTF document under a non-Word name")
    if wordish:
        return _reject(NOT_DOCX, f"named {suffix} but the content is {_describe(data)}")
    if suffix in _OOXML_SUFFIXES:
        return _reject(CORRUPT, f"named {suffix} but the content is {_describe(data)}")
    return Verdict(OTHER, None, _describe(data))


def _describe(data: bytes) -> str:
    """A short English name for what the first bytes look like."""
    known = {
        b"%PDF-": "a PDF document",
        b"\x89PNG\r\n\x1a\n": "a PNG image",
        b"\xff\xd8\xff": "a JPEG image",
        b"GIF8": "a GIF image",
        b"II*\x00": "a TIFF image",
        b"MM\x00*": "a TIFF image",
        b"BM": "a BMP image",
        b"Rar!": "a RAR archive",
        b"7z\xbc\xaf": "a 7-Zip archive",
        b"\x1f\x8b": "a gzip archive",
    }
    for magic, name in known.items():
        if data.startswith(magic):
            return name
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "a WebP image"
    head = data[:2048].lstrip(b"\xef\xbb\xbf").lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head[:512]:
        return "an HTML page"
    if head.startswith(b"<?xml"):
        return "an XML file"
    try:
        data[:4096].decode("utf-8")
    except UnicodeDecodeError:
        return "unrecognised binary data"
    return "plain text"


# --------------------------------------------------------------------------------------------
# zip packages: OOXML and ODF


def _classify_zip(data: bytes, suffix: str) -> Verdict:
    wordish = suffix in WORD_SUFFIXES
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise _Bad(CORRUPT, f"broken or truncated zip: {exc}") from exc
    with zf:
        infos = zf.infolist()
        _check_bomb(infos)
        names = [info.filename for info in infos]
        if len(set(names)) != len(names):
            raise _Bad(CORRUPT, "the zip holds two entries with the same name")
        if any(info.flag_bits & 0x1 for info in infos):
            raise _Bad(ENCRYPTED, "the zip entries are password-protected")
        if any(PurePosixPath(n).name.lower() == "vbaproject.bin" for n in names):
            raise _Bad(MACRO, "the package holds a VBA project (vbaProject.bin)")
        if "[Content_Types].xml" in names:
            return _classify_ooxml(zf, suffix)
        if "mimetype" in names:
            return _classify_odf(zf, wordish)
        if wordish or suffix in _OOXML_SUFFIXES:
            raise _Bad(INCOMPLETE, "zip without [Content_Types].xml: still being written?")
        _check_crcs(zf)
        return Verdict(OTHER, None, "a zip archive")


def zip_problem(data: bytes) -> str | None:
    """Why a zip package must not be opened by a library (unreadable, or a bomb by its declared
    sizes), or None. Nothing is decompressed."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            _check_bomb(zf.infolist())
    except _Bad as bad:
        return bad.detail
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        return f"broken or truncated zip: {exc}"
    return None


def _check_bomb(infos: list[zipfile.ZipInfo]) -> None:
    """Refuse hostile packages from declared sizes alone: nothing is decompressed here."""
    if len(infos) > MAX_ENTRIES:
        raise _Bad(ZIP_BOMB, f"{len(infos)} zip entries, more than {MAX_ENTRIES}")
    total = sum(info.file_size for info in infos)
    if total > MAX_TOTAL_UNCOMPRESSED:
        raise _Bad(ZIP_BOMB, f"declares {total} bytes uncompressed, over {MAX_TOTAL_UNCOMPRESSED}")
    for info in infos:
        if info.file_size > RATIO_CHECK_FROM:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > MAX_RATIO:
                raise _Bad(
                    ZIP_BOMB,
                    f"entry {info.filename!r} expands {ratio:.0f}-fold "
                    f"({info.compress_size} -> {info.file_size} bytes)",
                )


def _check_crcs(zf: zipfile.ZipFile, skip: frozenset[str] = frozenset()) -> None:
    """Stream every entry once (bounded by the declared sizes) so truncation and bad CRCs show."""
    for info in zf.infolist():
        if info.filename in skip or info.is_dir():
            continue
        try:
            with zf.open(info) as entry:
                while entry.read(1 << 20):
                    pass
        except NotImplementedError as exc:
            raise _Bad(CORRUPT, f"entry {info.filename!r}: unsupported compression") from exc
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
            raise _Bad(CORRUPT, f"entry {info.filename!r} is damaged: {exc}") from exc


def _read_small(zf: zipfile.ZipFile, name: str) -> bytes:
    info = zf.getinfo(name)
    if info.file_size > _XML_LIMIT:
        raise _Bad(CORRUPT, f"{name} declares {info.file_size} bytes, far too big for its kind")
    try:
        return zf.read(info)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        raise _Bad(CORRUPT, f"entry {name!r} is damaged: {exc}") from exc
    except NotImplementedError as exc:
        raise _Bad(CORRUPT, f"entry {name!r}: unsupported compression") from exc


class _XmlCollector:
    """A streaming expat parser that refuses DTDs (no entity tricks) and keeps chosen elements."""

    def __init__(self, wanted: tuple[str, ...] = ()) -> None:
        self.wanted = wanted
        self.found: list[tuple[str, dict[str, str]]] = []
        self.root: str | None = None
        self.parser = expat.ParserCreate(namespace_separator=" ")
        self.parser.StartElementHandler = self._start
        self.parser.StartDoctypeDeclHandler = self._doctype
        self.parser.EntityDeclHandler = self._doctype

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        if self.root is None:
            self.root = name
        local = name.rsplit(" ", 1)[-1]
        if local in self.wanted:
            self.found.append((local, attrs))

    def _doctype(self, *_args: object) -> None:
        raise ValueError("a DTD or entity declaration inside an Office package")

    def feed(self, chunk: bytes, final: bool = False) -> None:
        self.parser.Parse(chunk, final)


def _parse_xml(data: bytes, name: str, wanted: tuple[str, ...] = ()) -> _XmlCollector:
    collector = _XmlCollector(wanted)
    try:
        collector.feed(data, True)
    except (expat.ExpatError, ValueError) as exc:
        raise _Bad(CORRUPT, f"{name} is not well-formed XML: {exc}") from exc
    return collector


def _parse_xml_stream(zf: zipfile.ZipFile, name: str) -> str | None:
    """Check a possibly large part for well-formedness in chunks; return its root element."""
    collector = _XmlCollector()
    try:
        with zf.open(name) as entry:
            while chunk := entry.read(1 << 20):
                collector.feed(chunk)
        collector.feed(b"", True)
    except (expat.ExpatError, ValueError) as exc:
        raise _Bad(CORRUPT, f"{name} is not well-formed XML: {exc}") from exc
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise _Bad(CORRUPT, f"entry {name!r} is damaged: {exc}") from exc
    except NotImplementedError as exc:
        raise _Bad(CORRUPT, f"entry {name!r}: unsupported compression") from exc
    return collector.root


def _classify_ooxml(zf: zipfile.ZipFile, suffix: str) -> Verdict:
    wordish = suffix in WORD_SUFFIXES
    types = _parse_xml(_read_small(zf, "[Content_Types].xml"), "[Content_Types].xml", ("Default", "Override"))
    overrides: dict[str, str] = {}
    defaults: dict[str, str] = {}
    for local, attrs in types.found:
        ctype = attrs.get("ContentType", "")
        if local == "Override":
            overrides[attrs.get("PartName", "").lstrip("/").lower()] = ctype
        else:
            defaults[attrs.get("Extension", "").lower()] = ctype
    if any("macroenabled" in ct.lower() for ct in (*overrides.values(), *defaults.values())):
        raise _Bad(MACRO, "the content type is macro-enabled (.docm/.xlsm and the like)")

    main_part, strict = _main_part(zf)
    names = {n.lower(): n for n in zf.namelist()}
    main_type = ""
    if main_part is not None:
        main_type = overrides.get(
            main_part.lower(), defaults.get(PurePosixPath(main_part).suffix.lstrip(".").lower(), "")
        )
    is_word = "wordprocessingml" in main_type
    if not is_word:
        if wordish:
            what = _ooxml_kind(main_type)
            raise _Bad(NOT_DOCX, f"named {suffix} but the package is {what}")
        _check_crcs(zf)
        return Verdict(OTHER, None, f"Office package: {_ooxml_kind(main_type)}")
    if main_part is None or main_part.lower() not in names:
        raise _Bad(CORRUPT, f"the main document part {main_part!r} is missing")
    actual = names[main_part.lower()]
    root = _parse_xml_stream(zf, actual)
    _check_crcs(zf, skip=frozenset({actual}))
    if not wordish:
        return Verdict(OTHER, None, f"a Word document under a {suffix or 'bare'} name")
    if strict or (root or "").startswith("http://purl.oclc.org/ooxml/"):
        return Verdict(CONVERT, None, "ISO Strict Office Open XML document")
    if main_type == _CT_WORD_DOC:
        return Verdict(DOCX, None, "Office Open XML (Transitional) Word document")
    if main_type == _CT_WORD_TEMPLATE:
        return Verdict(CONVERT, None, "Word template (.dotx)")
    return Verdict(CONVERT, None, f"Word package of content type {main_type}")


def _main_part(zf: zipfile.ZipFile) -> tuple[str | None, bool]:
    """The package's main part from `_rels/.rels`, and whether the relationship is ISO Strict."""
    if "_rels/.rels" not in zf.namelist():
        return None, False
    rels = _parse_xml(_read_small(zf, "_rels/.rels"), "_rels/.rels", ("Relationship",))
    for _, attrs in rels.found:
        rel_type = attrs.get("Type", "")
        strict = rel_type == _REL_OFFICE_DOC_STRICT
        if strict or rel_type.endswith(_REL_OFFICE_DOC):
            target = attrs.get("Target", "")
            return str(PurePosixPath("/", target)).lstrip("/"), strict
    return None, False


def _ooxml_kind(content_type: str) -> str:
    if "spreadsheetml" in content_type:
        return "an Excel workbook"
    if "presentationml" in content_type:
        return "a PowerPoint presentation"
    if "drawingml" in content_type or "visio" in content_type:
        return "a drawing"
    return f"an Office package of content type {content_type or 'unknown'!r}"


def _classify_odf(zf: zipfile.ZipFile, wordish: bool) -> Verdict:
    mimetype = _read_small(zf, "mimetype").decode("ascii", "replace").strip()
    if "META-INF/manifest.xml" in zf.namelist():
        manifest = _parse_xml(
            _read_small(zf, "META-INF/manifest.xml"), "META-INF/manifest.xml", ("encryption-data",)
        )
        if manifest.found:
            raise _Bad(ENCRYPTED, "OpenDocument file with encryption-data in its manifest")
    if mimetype == _ODF_TEXT:
        if "content.xml" not in zf.namelist():
            raise _Bad(CORRUPT, "OpenDocument text without content.xml")
        _parse_xml_stream(zf, "content.xml")
        _check_crcs(zf, skip=frozenset({"content.xml"}))
        if wordish:
            return Verdict(CONVERT, None, "OpenDocument text (.odt)")
        return Verdict(OTHER, None, "OpenDocument text under a non-Word name")
    if wordish:
        raise _Bad(NOT_DOCX, f"an OpenDocument file of type {mimetype!r}, not a text document")
    _check_crcs(zf)
    return Verdict(OTHER, None, f"OpenDocument file ({mimetype})")


# --------------------------------------------------------------------------------------------
# OLE / Compound File Binary: legacy .doc and encrypted Office files


def _classify_ole(data: bytes, wordish: bool) -> Verdict:
    try:
        return _classify_cfb(data, wordish)
    except OleError as exc:
        raise _Bad(CORRUPT, str(exc)) from exc


def _classify_cfb(data: bytes, wordish: bool) -> Verdict:
    cfb = CompoundFile(data)
    names = set(cfb.entries)
    if {"EncryptionInfo", "EncryptedPackage"} <= names:
        raise _Bad(ENCRYPTED, "OLE container with EncryptionInfo and EncryptedPackage streams")
    if "WordDocument" in names:
        fib = cfb.read_start("WordDocument", 12)
        if len(fib) < 12:
            raise _Bad(CORRUPT, "WordDocument stream shorter than its header")
        ident, _, flags = struct.unpack_from("<HH6xH", fib)
        if ident != 0xA5EC:
            raise _Bad(CORRUPT, f"WordDocument stream with an unknown header 0x{ident:04x}")
        if flags & 0x0100:  # FibBase.fEncrypted
            raise _Bad(ENCRYPTED, "Word 97-2003 document with password encryption")
        if wordish:
            return Verdict(CONVERT, None, "Word 97-2003 binary document (.doc)")
        return Verdict(OTHER, None, "a Word 97-2003 document under a non-Word name")
    what = "an Excel 97-2003 workbook" if "Workbook" in names or "Book" in names else None
    what = what or ("a PowerPoint 97-2003 file" if "PowerPoint Document" in names else None)
    what = what or "an OLE container without a Word document"
    if wordish:
        raise _Bad(NOT_DOCX, f"the content is {what}")
    return Verdict(OTHER, None, what)
