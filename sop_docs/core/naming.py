"""Names: the case id (No. Agenda) and the file names the system delivers.

A name that came from a person is never trusted as a path: it is reduced to a safe single component
(no separators, no characters Windows forbids, no reserved device names, bounded length).
"""

from __future__ import annotations

import re
import unicodedata

_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
# Characters that change how a name reads without being seen: bidirectional overrides (a
# "gpj.exe" that shows as "exe.jpg"), zero-width marks, other format and control characters.
_INVISIBLE = re.compile("[\u00ad\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\x80-\x9f]")
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
             *(f"LPT{i}" for i in range(1, 10))}
CASE_ID = re.compile(r"\b([A-Z][A-Z0-9]{1,9}-\d{4}-\d{4,})(?!\d)")


def visible(name: str) -> str:
    """A name as staff may read it in a note or the register: NFC, no invisible characters."""
    return _INVISIBLE.sub("", unicodedata.normalize("NFC", name))


def shown(name: str) -> str:
    """A name as a log line may print it: control and invisible characters escaped (\\u202e)."""
    return "".join(c if c.isprintable() and not _INVISIBLE.match(c) else
                   (f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}") for c in name)


def case_id(prefix: str, year: int, seq: int) -> str:
    return f"{prefix}-{year}-{seq:04d}"


def case_number(case_id: str) -> tuple[int, int]:
    """(year, sequence number) of a case id: `PIP-2026-0007` -> (2026, 7)."""
    year, seq = case_id.rsplit("-", 2)[1:]
    return int(year), int(seq)


def case_id_in_name(name: str, prefix: str | None = None) -> str | None:
    """The case id at the start of a file name, if any (renamed copies keep it at the front);
    with `prefix`, only an id of that SOP (`SPT-2026-0012 Surat Tugas.docx` is not one of ours)."""
    m = CASE_ID.match(unicodedata.normalize("NFC", name).strip())
    if not m or (prefix is not None and not m.group(1).startswith(f"{prefix}-")):
        return None
    return m.group(1)


def _fits(s: str, max_bytes: int) -> bool:
    """Within the byte limit of Linux (UTF-8) and Windows/SMB (UTF-16) file names alike."""
    return len(s.encode("utf-8")) <= max_bytes and len(s.encode("utf-16-le")) <= 2 * max_bytes


def safe_component(text: str, *, limit: int = 80, max_bytes: int = 200) -> str:
    """A string usable as one file-name component on Windows, macOS and Linux alike.

    Bounded in characters and in bytes (file systems count bytes: 80 CJK characters are 240),
    leaving room for the ' (2)' a clash adds and for the folder in front on Windows.
    """
    s = unicodedata.normalize("NFC", text)
    s = _INVISIBLE.sub("", s)
    s = _FORBIDDEN.sub(" ", s)
    s = re.sub(r"\s+", " ", s).strip(" .")
    if len(s) > limit:
        s = s[:limit].rstrip(" .")
    while s and not _fits(s, max_bytes):
        s = s[:-1].rstrip(" .")
    if not s or s.upper().split(".")[0] in _RESERVED:
        s = f"_{s}"[:limit].rstrip(" .") if s else "Dokumen"
        while not _fits(s, max_bytes):
            s = s[:-1]
    return s


def subject_from_name(name: str, prefix: str | None = None) -> str:
    """A readable subject (Perihal) from a file name: no extension, no id of this SOP's cases
    (another office's number is part of the subject), no underscores."""
    name = visible(name)                     # no bidi override reversing the subject
    stem = name.rsplit(".", 1)[0] if "." in name else name
    if prefix:
        stem = re.sub(rf"\b{re.escape(prefix)}-\d{{4}}-\d{{4,}}(?!\d)", "", stem, count=1)
    stem = re.sub(r"[_]+", " ", stem)
    stem = re.sub(r"\s+", " ", stem).strip(" -.")
    return stem or "Tanpa Perihal"


def readable_name(name: str) -> str:
    """A file's name as a document prints it: visible characters, no extension (`Surat PLN.pdf`
    -> `Surat PLN`); a name that is only an extension, or ends in a number (`versi 1.2`), stays."""
    name = visible(name).strip()
    stem, dot, ext = name.rpartition(".")
    if dot and stem.strip(" .") and re.fullmatch(r"(?=.*[A-Za-z])[A-Za-z0-9]{1,5}", ext):
        return stem.rstrip(" .")
    return name


def delivered_name(case: str, label: str, subject: str, ext: str) -> str:
    """`PIP-2026-0007 - Konsep - Laporan Keuangan 2026.docx`."""
    ext = re.sub(r"[^A-Za-z0-9]", "", ext)[:10].lower()
    head = f"{case} - {safe_component(label, limit=40)} - "
    tail = f".{ext}" if ext else ""
    room = 200 - len((head + tail).encode("utf-8"))
    return head + safe_component(subject, max_bytes=room) + tail


def quarantine_name(shown: str, stamp: str) -> str:
    """`20261123-090000 - <name>`: bounded in bytes, the extension kept (it still opens with a
    double-click); a name without a usable extension is kept whole."""
    stem, dot, ext = shown.rpartition(".")
    ext = safe_component(ext, limit=10, max_bytes=20) if dot and stem.strip() else ""
    if not ext or ext != shown.rpartition(".")[2]:
        stem, ext = shown, ""
    return safe_component(f"{stamp} - {stem}", limit=150, max_bytes=190 - len(ext)) + (
        f".{ext}" if ext else "")
