"""A factory of the awkward files staff really save into an inbox, for any test to reuse.

`write_bad(kind, folder)` writes one file of `kind` and returns its path; `EXPECTED[kind]` is the
(kind, reason) that `sop_docs.adapters.sniff.classify` must give it. Every file is real: encrypted
files are encrypted by msoffcrypto-tool, legacy .doc and .odt files are written by LibreOffice,
the Strict file is a Word document from the shared corpus.

Test dependencies beyond the project's: `msoffcrypto-tool` (brings `olefile`); LibreOffice for the
kinds in `NEEDS_LIBREOFFICE`.
"""

from __future__ import annotations

import atexit
import io
import shutil
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

from tests.paths import CORPUS

PASSWORD = "rahasia123"

CT_MACRO = "application/vnd.ms-word.document.macroEnabled.main+xml"
CT_DOCUMENT = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"

# kind -> (Verdict.kind, Verdict.reason) that sniff.classify must return for it.
EXPECTED: dict[str, tuple[str, str | None]] = {
    "empty": ("reject", "empty"),
    "too_large": ("reject", "too_large"),
    "not_docx": ("reject", "not_docx"),
    "not_docx_png": ("reject", "not_docx"),
    "not_docx_xlsx": ("reject", "not_docx"),
    "corrupt": ("reject", "corrupt"),
    "corrupt_xml": ("reject", "corrupt"),
    "corrupt_crc": ("reject", "corrupt"),
    "encrypted": ("reject", "encrypted"),
    "encrypted_doc": ("reject", "encrypted"),
    "macro": ("reject", "macro"),
    "macro_vba": ("reject", "macro"),
    "zip_bomb": ("reject", "zip_bomb"),
    "zip_bomb_entries": ("reject", "zip_bomb"),
    "zip_bomb_ratio": ("reject", "zip_bomb"),
    "incomplete": ("reject", "incomplete"),
    "doc": ("convert", None),
    "odt": ("convert", None),
    "rtf": ("convert", None),
    "strict": ("convert", None),
    "docx": ("docx", None),
    "pdf": ("other", None),
    "png": ("other", None),
    "xlsx": ("other", None),
}
REJECT_KINDS = tuple(k for k, (kind, _) in EXPECTED.items() if kind == "reject")
CONVERT_KINDS = tuple(k for k, (kind, _) in EXPECTED.items() if kind == "convert")
NEEDS_LIBREOFFICE = frozenset({"doc", "odt", "encrypted_doc"})

_DEFAULT_NAMES = {
    "empty": "Konsep kosong.docx",
    "too_large": "Konsep besar.docx",
    "not_docx": "Konsep teks.docx",
    "not_docx_png": "Konsep gambar.docx",
    "not_docx_xlsx": "Konsep tabel.docx",
    "corrupt": "Konsep terpotong.docx",
    "corrupt_xml": "Konsep rusak.docx",
    "corrupt_crc": "Konsep crc.docx",
    "encrypted": "Konsep berpassword.docx",
    "encrypted_doc": "Konsep berpassword.doc",
    "macro": "Konsep makro.docm",
    "macro_vba": "Konsep vba.docx",
    "zip_bomb": "Konsep bom.docx",
    "zip_bomb_entries": "Konsep banyak.docx",
    "zip_bomb_ratio": "Konsep padat.docx",
    "incomplete": "Konsep setengah.docx",
    "doc": "Konsep lama.doc",
    "odt": "Konsep.odt",
    "rtf": "Konsep.rtf",
    "strict": "Konsep strict.docx",
    "docx": "Konsep.docx",
    "pdf": "Bahan.pdf",
    "png": "Bukti.png",
    "xlsx": "Data.xlsx",
}


def write_bad(kind: str, folder: Path, name: str | None = None) -> Path:
    """Write one file of `kind` (a key of `EXPECTED`) into `folder`; return its path."""
    if kind not in _WRITERS:
        raise ValueError(f"unknown kind {kind!r}; choose one of {sorted(_WRITERS)}")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (name or _DEFAULT_NAMES[kind])
    _WRITERS[kind](path)
    return path


# ------------------------------------------------------------------------------------------
# the good base document


def docx_bytes(text: str = "Pengumuman tentang laporan keuangan tahun 2026.") -> bytes:
    """A small, ordinary Transitional docx made by python-docx, with Indonesian text."""
    from docx import Document

    doc = Document()
    doc.add_heading("Konsep Pengumuman", level=1)
    doc.add_paragraph(text)
    doc.add_paragraph("Demikian pengumuman ini disampaikan untuk diketahui.")
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _rewrite_zip(source: bytes, edit: Callable[[str, bytes], bytes | None]) -> bytes:
    """Copy a zip entry by entry; `edit(name, data)` returns new data, or None to drop it."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            data = edit(info.filename, zin.read(info))
            if data is not None:
                zout.writestr(info.filename, data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _png_bytes() -> bytes:
    def chunk(tag: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(tag + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def _pdf_bytes() -> bytes:
    """A minimal one-page PDF with a correct cross-reference table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["Uraian", "Jumlah"])
    wb.active.append(["Anggaran", 1000])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# ------------------------------------------------------------------------------------------
# LibreOffice-made files, made once per test process


_cache_dir: Path | None = None


def _libreoffice_file(to: str) -> Path:
    """A .doc or .odt made by LibreOffice from the base docx (cached for the process)."""
    global _cache_dir
    if _cache_dir is None:
        _cache_dir = Path(tempfile.mkdtemp(prefix="sop_docs_badfiles_"))
        atexit.register(shutil.rmtree, _cache_dir, True)
    made = _cache_dir / f"base.{to}"
    if not made.exists():
        from sop_docs.adapters.office import convert

        source = _cache_dir / "base.docx"
        source.write_bytes(docx_bytes())
        convert([source], to, _cache_dir)
    return made


# ------------------------------------------------------------------------------------------
# writers


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _too_large(path: Path) -> None:
    """A sparse file one byte over the default 50 MiB limit: cheap on disk."""
    with path.open("wb") as handle:
        handle.write(b"PK\x03\x04")
        handle.truncate(50 * 2**20 + 1)


def _not_docx(path: Path) -> None:
    path.write_text("Ini hanya catatan teks biasa, bukan dokumen Word.\n", encoding="utf-8")


def _not_docx_png(path: Path) -> None:
    path.write_bytes(_png_bytes())


def _not_docx_xlsx(path: Path) -> None:
    path.write_bytes(_xlsx_bytes())


def _corrupt(path: Path) -> None:
    """A docx cut in half, as a copy interrupted mid-way leaves it: no central directory."""
    data = docx_bytes()
    path.write_bytes(data[: len(data) // 2])


def _corrupt_xml(path: Path) -> None:
    """A valid zip whose main document part is not well-formed XML."""

    def edit(name: str, data: bytes) -> bytes:
        if name == "word/document.xml":
            return data[: len(data) // 2]
        return data

    path.write_bytes(_rewrite_zip(docx_bytes(), edit))


def _corrupt_crc(path: Path) -> None:
    """A zip whose stored document bytes were damaged after writing: the CRC no longer matches."""
    data = bytearray(docx_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo("word/styles.xml")
    name_len, extra_len = struct.unpack_from("<HH", data, info.header_offset + 26)
    start = info.header_offset + 30 + name_len + extra_len
    for offset in range(start + 10, start + min(info.compress_size, 200)):
        data[offset] ^= 0x55
    path.write_bytes(bytes(data))


def _encrypted(path: Path) -> None:
    """A docx password-protected by msoffcrypto-tool, exactly as Word's "Encrypt with Password"."""
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(docx_bytes())).encrypt(PASSWORD, out)
    path.write_bytes(out.getvalue())


def _encrypted_doc(path: Path) -> None:
    """A LibreOffice-made .doc with FibBase.fEncrypted set (how Word 97-2003 marks a password).

    The text is not really encrypted; the sniffer only reads the flag, as Word does first.
    """
    import olefile

    shutil.copyfile(_libreoffice_file("doc"), path)
    with olefile.OleFileIO(str(path), write_mode=True) as ole:
        stream = bytearray(ole.openstream("WordDocument").read())
        flags = struct.unpack_from("<H", stream, 10)[0] | 0x0100
        struct.pack_into("<H", stream, 10, flags)
        ole.write_stream("WordDocument", bytes(stream))


def _macro(path: Path) -> None:
    """A real docx whose main content type was rewritten to the macro-enabled one (.docm)."""

    def edit(name: str, data: bytes) -> bytes:
        if name == "[Content_Types].xml":
            return data.replace(CT_DOCUMENT.encode(), CT_MACRO.encode())
        return data

    path.write_bytes(_rewrite_zip(docx_bytes(), edit))


def _macro_vba(path: Path) -> None:
    """A docx carrying a VBA project part, whatever its content type says."""
    data = bytearray(_rewrite_zip(docx_bytes(), lambda _name, d: d))
    buffer = io.BytesIO(bytes(data))
    with zipfile.ZipFile(buffer, "a") as zf:
        zf.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    path.write_bytes(buffer.getvalue())


def _zeros_docx(megabytes: int) -> bytes:
    buffer = io.BytesIO(docx_bytes())
    zero_block = bytes(2**20)
    with (
        zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf,
        zf.open("word/media/image1.bin", "w", force_zip64=True) as entry,
    ):
        for _ in range(megabytes):
            entry.write(zero_block)
    return buffer.getvalue()


def _zip_bomb(path: Path) -> None:
    """A docx declaring 300 MB of zeros in one entry; well under 1 MB on disk."""
    path.write_bytes(_zeros_docx(300))


def _zip_bomb_ratio(path: Path) -> None:
    """A docx whose one 50 MB entry of zeros compresses about 1000-fold (total under the cap)."""
    path.write_bytes(_zeros_docx(50))


def _zip_bomb_entries(path: Path) -> None:
    """A docx with more than 5000 (empty) entries."""
    buffer = io.BytesIO(docx_bytes())
    with zipfile.ZipFile(buffer, "a") as zf:
        for index in range(5001):
            zf.writestr(f"word/parts/part{index}.xml", b"")
    path.write_bytes(buffer.getvalue())


def _incomplete(path: Path) -> None:
    """A docx package without [Content_Types].xml, as a writer that has not finished leaves it."""

    def edit(name: str, data: bytes) -> bytes | None:
        return None if name == "[Content_Types].xml" else data

    path.write_bytes(_rewrite_zip(docx_bytes(), edit))


def _doc(path: Path) -> None:
    shutil.copyfile(_libreoffice_file("doc"), path)


def _odt(path: Path) -> None:
    shutil.copyfile(_libreoffice_file("odt"), path)


def _rtf(path: Path) -> None:
    path.write_bytes(
        b"{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0 Times New Roman;}}\n"
        b"\\f0\\fs24 Konsep Pengumuman\\par\n"
        b"Pengumuman tentang laporan keuangan tahun 2026.\\par\n}\n"
    )


def _strict(path: Path) -> None:
    shutil.copyfile(CORPUS / "strict-format.docx", path)


def _docx(path: Path) -> None:
    path.write_bytes(docx_bytes())


_WRITERS: dict[str, Callable[[Path], None]] = {
    "empty": _empty,
    "too_large": _too_large,
    "not_docx": _not_docx,
    "not_docx_png": _not_docx_png,
    "not_docx_xlsx": _not_docx_xlsx,
    "corrupt": _corrupt,
    "corrupt_xml": _corrupt_xml,
    "corrupt_crc": _corrupt_crc,
    "encrypted": _encrypted,
    "encrypted_doc": _encrypted_doc,
    "macro": _macro,
    "macro_vba": _macro_vba,
    "zip_bomb": _zip_bomb,
    "zip_bomb_entries": _zip_bomb_entries,
    "zip_bomb_ratio": _zip_bomb_ratio,
    "incomplete": _incomplete,
    "doc": _doc,
    "odt": _odt,
    "rtf": _rtf,
    "strict": _strict,
    "docx": _docx,
    "pdf": lambda path: path.write_bytes(_pdf_bytes()),
    "png": lambda path: path.write_bytes(_png_bytes()),
    "xlsx": lambda path: path.write_bytes(_xlsx_bytes()),
}
assert set(_WRITERS) == set(EXPECTED) == set(_DEFAULT_NAMES)
