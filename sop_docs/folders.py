"""What the folders show about the cases, read without trusting them.

Two things need to know what the workspace itself says happened, independently of the database:
the start-up guard (is the database behind?) and `restore` (what happened since the copy?).
Case ids in bundle, register and outbox names; a bundle's bag-info, history and table of contents;
the rows of a sheet; the text of a letter; the letter number pattern as a regex. Everything is
read as a regular file only (`safefs`), and a damaged file shows nothing rather than failing.
"""

from __future__ import annotations

import re
import zipfile
from io import BytesIO
from pathlib import Path
from typing import Any

from sop_docs.adapters import register, safefs
from sop_docs.core.naming import case_id_in_name
from sop_docs.core.sop import Sop
from sop_docs.settings import Settings
from sop_docs.workspace import Workspace


def case_ids_shown(ws: Workspace, sop: Sop) -> dict[str, str]:
    """Every case id of this SOP the workspace shows, with where it was seen first."""
    seen: dict[str, str] = {}

    def note(name: str, where: str) -> None:
        case_id = case_id_in_name(name, sop.case_prefix)
        if case_id:
            seen.setdefault(case_id, where)

    for year in safefs.folders(ws.root / "archive"):
        for bundle in safefs.folders(year):
            note(bundle.name, f"archive/{year.name}/{bundle.name}")
    for case_id in register.case_ids(ws.register):
        note(case_id, "register.xlsx")
    for entry in safefs.walk(ws.root / "outbox"):
        note(entry.path.name, ws.rel(entry.path))
    return seen


def letter_number_regex(settings: Settings) -> re.Pattern[str] | None:
    """The letter number pattern of `[numbering]` as a regex with named groups."""
    n = settings.numbering
    parts = re.split(r"(\{[a-z_]+\})", str(n.get("pattern", "")))
    out = []
    for part in parts:
        token = part[1:-1] if part.startswith("{") else None
        if token == "no_urut":
            out.append(r"(?P<no_urut>\d+)")
        elif token == "tahun":
            out.append(r"(?P<tahun>\d{4})")
        elif token == "bulan_romawi":
            out.append(r"[IVX]+")
        elif token in ("kka", "kode_unit"):
            out.append(re.escape(str(n.get(token, ""))))
        else:
            out.append(re.escape(part))
    try:
        return re.compile("".join(out)) if "no_urut" in "".join(out) else None
    except re.error:
        return None


def bag_info(path: Path) -> dict[str, str]:
    info: dict[str, str] = {}
    try:
        text = safefs.read_bytes(path).decode("utf-8", "replace")
    except OSError:
        return info
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            info[key.strip()] = value.strip()
    return info


def sheet_rows(path: Path, sheet: str | None = None) -> list[tuple[Any, ...]]:
    """The rows below the header of a sheet (the first one by default); [] when unreadable
    (opened as every workbook from the share is: bounded in size, never a zip bomb)."""
    wb = register.open_workbook(path)
    if wb is None:
        return []
    try:
        ws = wb[sheet] if sheet else wb.worksheets[0]
        return [tuple(r) for r in ws.iter_rows(min_row=2, values_only=True) if r and r[0]]
    except KeyError:
        return []
    finally:
        wb.close()


def index_rows(path: Path) -> list[list[str]]:
    """daftar-isi.txt of a bundle: path, kind, version, what, when, sha (header left out)."""
    try:
        text = safefs.read_bytes(path).decode("utf-8", "replace")
    except OSError:
        return []
    return [line.split("\t") for line in text.splitlines()[1:] if line.count("\t") >= 5]


def docx_text(data: bytes) -> str:
    with zipfile.ZipFile(BytesIO(data)) as zf:
        xml = zf.read("word/document.xml").decode("utf-8", "replace")
    return " ".join(re.findall(r"<w:t(?:\s[^>]*)?>([^<]*)</w:t>", xml))
