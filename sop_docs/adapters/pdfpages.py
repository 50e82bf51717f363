"""The pages of a proof PDF as pictures, drawn by poppler's pdftoppm.

Why pictures and not the pages themselves: a PDF a member of staff saved from a browser or a
scanner is not PDF/A (fonts left out, transparency groups, JavaScript, links, forms), and the
combined print file must stay PDF/A-2b. Drawn as pictures, only what the page shows reaches the
print file; poppler runs no JavaScript and fetches nothing. pdftoppm runs in its own process group
with a timeout, on a private copy, and only the first MAX_PAGES pages are drawn. Any failure is a
`ValueError`: the caller lists the proof as not printable.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

__all__ = ["MAX_BYTES", "MAX_PAGES", "Drawn", "draw"]

MAX_BYTES = 50 * 2**20
MAX_PAGES = 20
DPI = 120                        # enough to read a printed screenshot; keeps the print file small
TIMEOUT = 60.0


@dataclass(frozen=True)
class Drawn:
    """The first pages of a PDF as JPEG pictures, and how many pages the PDF has."""

    pages: list[bytes]
    total: int


def _run(cmd: list[str], timeout: float) -> subprocess.CompletedProcess[bytes]:
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise ValueError(f"{Path(cmd[0]).name} took more than {timeout:g} s") from None
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def draw(data: bytes, *, max_pages: int = MAX_PAGES, dpi: int = DPI, timeout: float = TIMEOUT) -> Drawn:
    """Draw the first `max_pages` pages of the PDF in `data`; ValueError when it cannot be drawn."""
    pdftoppm, pdfinfo = shutil.which("pdftoppm"), shutil.which("pdfinfo")
    if pdftoppm is None or pdfinfo is None:
        raise ValueError("poppler-utils (pdftoppm, pdfinfo) is not installed")
    if len(data) > MAX_BYTES:
        raise ValueError(f"{len(data)} bytes, more than the limit of {MAX_BYTES}")
    if not data.startswith(b"%PDF-"):
        raise ValueError("not a PDF")
    with tempfile.TemporaryDirectory(prefix="sop_docs_pdfpages_") as tmp:
        src = Path(tmp) / "in.pdf"
        src.write_bytes(data)
        info = _run([pdfinfo, str(src)], timeout)
        found = re.search(rb"^Pages:\s+(\d+)", info.stdout, re.MULTILINE)
        if info.returncode != 0 or not found or int(found.group(1)) == 0:
            raise ValueError(f"pdfinfo could not read it: {info.stderr.decode(errors='replace')[:200]}")
        total = int(found.group(1))
        last = min(total, max_pages)
        drawn = _run([pdftoppm, "-q", "-r", str(dpi), "-jpeg", "-jpegopt", "quality=85",
                      "-f", "1", "-l", str(last), str(src), str(Path(tmp) / "p")], timeout * 2)
        pictures = sorted(Path(tmp).glob("p-*.jpg"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
        if drawn.returncode != 0 or len(pictures) != last:
            raise ValueError(f"pdftoppm drew {len(pictures)} of {last} pages "
                             f"(rc {drawn.returncode}): {drawn.stderr.decode(errors='replace')[:200]}")
        return Drawn([p.read_bytes() for p in pictures], total)
