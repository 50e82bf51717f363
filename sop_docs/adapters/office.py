"""Headless LibreOffice: the one place sop-docs converts documents (docx -> PDF, .doc/.odt/.rtf/
Strict -> docx).

LibreOffice fails in quiet ways when driven carelessly (PITFALLS.md §6): runs sharing a profile
fail with rc=1 and no message, odd inputs hang it at 100 % CPU or on an invisible dialog, and it
may exit 0 without writing anything. So every batch runs in one soffice start with our own
profile, in its own process group that is killed on timeout, on private copies of the inputs;
each output is verified and only then moved into place through a `.partial` name and
`os.replace`, so the destination never holds a half-written file.

The documents are untrusted: the profile is hardened (`lo_settings`: nothing remote or linked is
loaded, no macro runs), each private copy and each docx written is stripped of external references
(`externals`), and soffice runs under `lo_guard.py`, so it dies with this process; what a killed
process left behind is swept by the next one (`lo_orphans`).
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Sequence
from pathlib import Path

from sop_docs.adapters import externals, lo_orphans, lo_settings
from sop_docs.adapters.blobs import copy_atomically
from sop_docs.adapters.sniff import DOCX, classify
from sop_docs.errors import SopDocsError

log = logging.getLogger(__name__)

INSTALL_HINT = (
    "Install LibreOffice on the machine that runs sop-docs, e.g. on Debian/Ubuntu: "
    "`apt-get install libreoffice-writer-nogui libreoffice-calc-nogui` "
    "(or set SOP_DOCS_SOFFICE to the full path of the soffice program)."
)

# Target format -> LibreOffice filter.
_FILTERS = {
    "pdf": lo_settings.batch_pdf_filter(),       # PDF/A-2b: every PDF we make goes to the archive
    "docx": "docx:MS Word 2007 XML",
    "doc": "doc:MS Word 97",
    "odt": "odt:writer8",
}

_CANDIDATES = (
    "/usr/bin/soffice",
    "/usr/lib/libreoffice/program/soffice",
    "/opt/libreoffice/program/soffice",
    "/snap/bin/libreoffice",
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
    r"C:\Program Files\LibreOffice\program\soffice.exe",
    r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
)


class OfficeUnavailable(SopDocsError):
    """LibreOffice (`soffice`) is missing or cannot start, so nothing can be converted."""

    def __init__(self, detail: str = "") -> None:
        message = "LibreOffice (soffice) was not found or could not be started."
        if detail:
            message += f" {detail}"
        super().__init__(f"{message} {INSTALL_HINT}")


class ConversionFailed(SopDocsError):
    """LibreOffice did not produce a valid output for some inputs (or timed out, and was killed).

    `converted` lists the outputs that were verified and moved into place anyway, `failed` the
    sources without one; the sources themselves are never touched.
    """

    def __init__(
        self,
        message: str,
        *,
        failed: Sequence[Path] = (),
        converted: Sequence[Path] = (),
        output: str = "",
    ) -> None:
        super().__init__(message)
        self.failed = list(failed)
        self.converted = list(converted)
        self.output = output


def find_soffice() -> Path | None:
    """The LibreOffice program to run: $SOP_DOCS_SOFFICE, then PATH, then the usual places."""
    configured = os.environ.get("SOP_DOCS_SOFFICE")
    if configured:
        path = Path(configured)
        return path if path.is_file() and os.access(path, os.X_OK) else None
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return Path(found)
    for candidate in _CANDIDATES:
        path = Path(candidate)
        if path.is_file() and os.access(path, os.X_OK):
            return path
    return None


# One reusable profile per process; conversions in this process take turns on it (a profile
# used by two soffice runs at once makes one of them fail silently).
_profile_lock = threading.Lock()
_profile: tuple[int, Path] | None = None


def profile_dir() -> Path:
    """This process's private, hardened LibreOffice profile (`lo_settings`; made on first use,
    removed at exit, swept by a later process if this one is killed)."""
    global _profile
    if _profile is None or _profile[0] != os.getpid():
        path = lo_orphans.make_tempdir("lo_profile")
        lo_settings.write_profile(path, find_soffice())
        _profile = (os.getpid(), path)
        atexit.register(shutil.rmtree, path, True)
    return _profile[1]


def _strip_externals(path: Path, label: str) -> None:
    """Take out what `path` links to outside (`externals`); left as it is when we cannot parse it."""
    try:
        externals.strip_file(path)
    except (ValueError, OSError) as exc:
        log.warning("%s: external references not checked (%s); LibreOffice's profile blocks them",
                    label, exc)


def convert(sources: Sequence[Path], to: str, outdir: Path, *, timeout: float = 120) -> list[Path]:
    """Convert `sources` to `to` ("pdf" or "docx"; also "doc", "odt") in one LibreOffice run.

    Returns the outputs in `outdir`, in the order of `sources`, each named after its source's stem
    (an existing file of that name is replaced). Raises `OfficeUnavailable` when LibreOffice is
    missing, `ConversionFailed` when any output is missing or invalid (the valid ones are still
    delivered, see its `converted`) or when the run exceeds `timeout` seconds (then nothing is
    delivered and no process of the run is left).
    """
    if to not in _FILTERS:
        raise ValueError(f"cannot convert to {to!r}; choose one of {sorted(_FILTERS)}")
    sources = [Path(s) for s in sources]
    if not sources:
        return []
    outdir = Path(outdir)
    targets = [outdir / f"{src.stem}.{to}" for src in sources]
    if len({t.name.lower() for t in targets}) != len(targets):
        raise ValueError("two sources would give outputs of the same name; convert them apart")
    soffice = find_soffice()
    if soffice is None:
        raise OfficeUnavailable()
    outdir.mkdir(parents=True, exist_ok=True)
    lo_orphans.sweep_once()

    with _profile_lock, lo_orphans.tempdir("convert") as work:
        indir, rawdir = work / "in", work / "out"
        indir.mkdir()
        rawdir.mkdir()
        inputs = []
        for index, src in enumerate(sources):
            private = indir / f"{index:04d}{src.suffix.lower()}"
            shutil.copyfile(src, private)
            _strip_externals(private, src.name)
            inputs.append(private)
        try:
            output = _run(soffice, inputs, _FILTERS[to], rawdir, timeout)
        except subprocess.TimeoutExpired:
            raise ConversionFailed(
                f"LibreOffice did not finish converting {len(sources)} file(s) within "
                f"{timeout:g} s and was stopped. A document may be damaged or unusually large; "
                "try it alone, or raise the conversion timeout.",
                failed=sources,
            ) from None

        delivered: list[Path] = []
        failed: list[Path] = []
        problems: list[str] = []
        for src, private, target in zip(sources, inputs, targets, strict=True):
            raw = rawdir / f"{private.stem}.{to}"
            problem = _verify(raw, to)
            if problem:
                failed.append(src)
                problems.append(f"{src.name}: {problem}")
                continue
            if to == "docx":
                _strip_externals(raw, src.name)
            copy_atomically(raw, target)
            delivered.append(target)
    if failed:
        raise ConversionFailed(
            f"LibreOffice could not convert {len(failed)} of {len(sources)} file(s) to {to}: "
            + "; ".join(problems)
            + (f". LibreOffice said: {output.strip()[-500:]}" if output.strip() else ""),
            failed=failed,
            converted=delivered,
            output=output,
        )
    return delivered


def _run(soffice: Path, inputs: list[Path], filt: str, rawdir: Path, timeout: float) -> str:
    """One soffice start over the whole batch; returns its console output.

    On timeout the run's whole process group is killed before `TimeoutExpired` propagates.
    """
    cmd = lo_orphans.guarded([
        str(soffice),
        f"-env:UserInstallation={profile_dir().as_uri()}",
        "--headless",
        "--invisible",
        "--norestore",
        "--nolockcheck",
        "--nodefault",
        "--nologo",
        "--convert-to",
        filt,
        "--outdir",
        str(rawdir),
        *(str(p) for p in inputs),
    ])
    kwargs: dict[str, object] = {}
    if sys.platform == "win32":
        kwargs["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP
    else:
        kwargs["start_new_session"] = True
    try:
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            cwd=rawdir,
            **kwargs,  # type: ignore[call-overload]
        )
    except OSError as exc:
        raise OfficeUnavailable(f"Starting {soffice} failed: {exc}.") from exc
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_tree(proc)
        raise
    return out.decode("utf-8", "replace")


def _kill_tree(proc: subprocess.Popen[bytes]) -> None:
    """Kill the whole process group of a run and wait until none of it is left running."""
    if sys.platform == "win32":
        subprocess.run(["taskkill", "/F", "/T", "/PID", str(proc.pid)], capture_output=True, check=False)
        proc.kill()
        proc.communicate()
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate()
    deadline = time.monotonic() + 10
    while _group_running(proc.pid) and time.monotonic() < deadline:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        time.sleep(0.05)


def _group_running(pgid: int) -> bool:
    """Whether any non-zombie process is still in process group `pgid`."""
    proc_root = Path("/proc")
    if not proc_root.is_dir():
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return False
        return True
    for entry in proc_root.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) > 2 and fields[2] == str(pgid) and fields[0] != "Z":
            return True
    return False


def _verify(raw: Path, to: str) -> str | None:
    """None when `raw` is a complete file of format `to`, else what is wrong with it."""
    try:
        size = raw.stat().st_size
    except FileNotFoundError:
        return "no output was written"
    if size == 0:
        return "the output is empty"
    try:
        with raw.open("rb") as handle:
            head = handle.read(8)
            handle.seek(max(0, size - 2048))
            tail = handle.read()
        if to == "pdf":
            if not head.startswith(b"%PDF-") or b"%%EOF" not in tail:
                return "the output is not a complete PDF"
            return None
        if to == "doc":
            ok = head == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
            return None if ok else "the output is not a Word 97 document"
        with zipfile.ZipFile(raw) as zf:
            names = set(zf.namelist())
            if zf.testzip() is not None:
                return "the output zip is damaged"
        if to == "odt":
            return None if "mimetype" in names else "the output is not an OpenDocument file"
    except (OSError, zipfile.BadZipFile) as exc:
        return f"the output is unreadable ({exc})"
    verdict = classify(raw, max_bytes=2**31)
    if verdict.kind != DOCX:
        return f"the output is not an ordinary docx ({verdict.reason}: {verdict.detail})"
    return None


def to_docx(src: Path, suffix: str) -> bytes:
    """A legacy or Strict document as an ordinary docx, made by LibreOffice in a private folder."""
    with lo_orphans.tempdir("conv") as tmp:
        local = tmp / f"dokumen{suffix if suffix in ('.doc', '.odt', '.rtf') else '.docx'}"
        shutil.copyfile(src, local)
        out = convert([local], "docx", tmp / "out")
        return out[0].read_bytes()
