"""Word to PDF for the hardcopies, without paying LibreOffice's start-up for every document.

A cold `soffice --convert-to pdf` spends most of its time starting (bench/bench_pdf.py measures it),
so a burst of approvals would pay that again and again. `PdfConverter` keeps one LibreOffice running
for the whole process: it listens on a private pipe with its own hardened profile (`lo_settings`),
and a small UNO worker (`uno_worker.py`, run by the python that has `uno`, Debian's
`/usr/bin/python3`, since the package's python usually has not) loads each document hidden,
read-only, with macros and link updates off, and stores it as PDF/A-2b (the archive's format,
`lo_settings.PDF_EXPORT`; batch mode asks for the same through `office.convert`). Each document has its own
timeout, after which both process groups are killed; a LibreOffice that died is started again on
the next document. Both die with this process: soffice runs under `lo_guard.py` and the worker
watches its parent; a later process sweeps what a killed one left (`lo_orphans`). Documents are
stripped of external references before LibreOffice sees them (`externals`).
Where the `uno` bridge is missing, every call converts its documents as one batch through
`office.convert` instead (one start per call, not per document).

Documents come in and go out as bytes: conversions run on private copies in a temp folder, never on
the share, and an output is only returned once it is a complete PDF, so no half-written file is ever
delivered. `OfficeUnavailable` (with what to install) when LibreOffice is missing, `ConversionFailed`
when a document could not be converted.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import json
import logging
import os
import selectors
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

from sop_docs.adapters import externals, lo_orphans, lo_settings, office
from sop_docs.adapters.office import ConversionFailed, OfficeUnavailable

__all__ = ["ConversionFailed", "OfficeUnavailable", "PdfConverter", "is_pdf", "shared", "to_pdf"]

log = logging.getLogger(__name__)

START_TIMEOUT = 60.0
UNO_PYTHON = os.environ.get("SOP_DOCS_UNO_PYTHON", "/usr/bin/python3")

WORKER = Path(__file__).with_name("uno_worker.py")


def is_pdf(data: bytes) -> bool:
    """A complete PDF: the header at the start and the end-of-file marker near the end."""
    return data.startswith(b"%PDF-") and b"%%EOF" in data[-2048:]


@functools.cache
def uno_available() -> bool:
    """Whether UNO_PYTHON can import uno (needed for the kept-alive LibreOffice)."""
    if not Path(UNO_PYTHON).exists():
        return False
    try:
        proc = subprocess.run([UNO_PYTHON, "-c", "import uno"], capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return proc.returncode == 0


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=10)


class _Listener:
    """One listening soffice with its own profile, plus the UNO worker driving it."""

    def __init__(self, soffice: Path) -> None:
        self.tmp = lo_orphans.make_tempdir("pdf")
        profile = self.tmp / "profile"
        lo_settings.write_profile(profile, soffice)
        pipe = f"sop_docs_pdf_{lo_orphans.owner_tag()}{uuid.uuid4().hex}"
        self.pipe_socket = Path(tempfile.gettempdir()) / f"OSL_PIPE_{os.getuid()}_{pipe}"
        self._buffer = b""
        self.worker: subprocess.Popen[bytes] | None = None
        self.soffice = subprocess.Popen(
            lo_orphans.guarded(
                [str(soffice), f"-env:UserInstallation={profile.as_uri()}", "--headless",
                 "--invisible", "--norestore", "--nolockcheck", "--nodefault", "--nologo",
                 f"--accept=pipe,name={pipe};urp;"]),
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)
        settings = json.dumps({"load": lo_settings.LOAD_ARGS, "pdf": lo_settings.PDF_EXPORT})
        try:
            self.worker = subprocess.Popen(
                [UNO_PYTHON, str(WORKER), pipe, str(START_TIMEOUT), str(os.getpid()),
                 str(self.soffice.pid), str(self.tmp), settings],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                start_new_session=True)
            self._answer(START_TIMEOUT)
        except BaseException:
            self.close()
            raise

    def alive(self) -> bool:
        return self.worker is not None and self.worker.poll() is None and self.soffice.poll() is None

    def _answer(self, timeout: float) -> dict[str, object]:
        assert self.worker is not None and self.worker.stdout is not None
        fd = self.worker.stdout.fileno()
        end = time.monotonic() + timeout
        with selectors.DefaultSelector() as sel:
            sel.register(fd, selectors.EVENT_READ)
            while b"\n" not in self._buffer:
                left = end - time.monotonic()
                if left <= 0 or not sel.select(left):
                    raise TimeoutError
                chunk = os.read(fd, 65536)
                if not chunk:
                    raise EOFError
                self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        answer: dict[str, object] = json.loads(line)
        return answer

    def convert(self, src: Path, dst: Path, timeout: float) -> None:
        """Raises TimeoutError / EOFError / BrokenPipeError (the listener is then unusable) or
        RuntimeError (this document failed; the listener is fine)."""
        assert self.worker is not None and self.worker.stdin is not None
        self.worker.stdin.write((json.dumps({"src": str(src), "dst": str(dst)}) + "\n").encode())
        self.worker.stdin.flush()
        answer = self._answer(timeout)
        if not answer.get("ok"):
            raise RuntimeError(str(answer.get("error", "unknown error")))

    def close(self) -> None:
        worker, self.worker = self.worker, None
        if worker is not None:
            with contextlib.suppress(OSError, ValueError):
                assert worker.stdin is not None
                worker.stdin.close()
            _kill_group(worker)
            if worker.stdout is not None:
                worker.stdout.close()
        _kill_group(self.soffice)
        self.pipe_socket.unlink(missing_ok=True)
        shutil.rmtree(self.tmp, ignore_errors=True)


def _without_externals(name: str, data: bytes) -> bytes:
    """The docx with nothing outside it to fetch (`externals`); as it is when we cannot parse it."""
    try:
        return externals.strip_docx(data)
    except ValueError as e:
        log.warning("%s: external references not checked (%s); LibreOffice's profile blocks them", name, e)
        return data


class PdfConverter:
    """docx bytes -> PDF bytes. `keep_alive=False` (or no `uno`) batches through `office.convert`."""

    def __init__(self, *, timeout: float = 60.0, keep_alive: bool = True) -> None:
        self.timeout = timeout
        self.keep_alive = keep_alive
        self._listener: _Listener | None = None
        self._lock = threading.Lock()

    @property
    def mode(self) -> str:
        return "kept-alive" if self.keep_alive and uno_available() else "batch"

    def convert(self, docs: Sequence[tuple[str, bytes]]) -> list[bytes]:
        """The PDF of each (name, docx bytes), in order. The names only serve messages."""
        if not docs:
            return []
        soffice = office.find_soffice()
        if soffice is None:
            raise OfficeUnavailable()
        lo_orphans.sweep_once()
        with self._lock, lo_orphans.tempdir("pdf_job") as work:
            sources = []
            for i, (name, data) in enumerate(docs):
                src = work / f"{i:04d}.docx"
                src.write_bytes(_without_externals(name, data))
                sources.append(src)
            if self.mode == "kept-alive":
                return self._convert_alive(soffice, [n for n, _ in docs], sources, work)
            return self._convert_batch([n for n, _ in docs], sources, work)

    def _convert_batch(self, names: list[str], sources: list[Path], work: Path) -> list[bytes]:
        try:
            outs = office.convert(sources, "pdf", work / "out",
                                  timeout=START_TIMEOUT + self.timeout * len(sources))
        except ConversionFailed as e:
            failed = {p.name for p in e.failed}
            bad = [n for n, s in zip(names, sources, strict=True) if s.name in failed]
            raise ConversionFailed(f"PDF could not be made for {', '.join(bad)}: {e}",
                                   failed=e.failed, output=e.output) from e
        return [p.read_bytes() for p in outs]

    def _listener_for(self, soffice: Path) -> _Listener:
        if self._listener is not None and not self._listener.alive():
            log.warning("the kept-alive LibreOffice stopped; starting it again")
            self._listener.close()
            self._listener = None
        if self._listener is None:
            try:
                self._listener = _Listener(soffice)
            except (TimeoutError, EOFError, OSError, ValueError) as e:
                raise OfficeUnavailable(f"The kept-alive LibreOffice did not start ({e!r}).") from e
        return self._listener

    def _convert_alive(self, soffice: Path, names: list[str], sources: list[Path],
                       work: Path) -> list[bytes]:
        out = []
        for name, src in zip(names, sources, strict=True):
            dst = work / f"{src.stem}.pdf"
            for attempt in (1, 2):
                listener = self._listener_for(soffice)
                try:
                    listener.convert(src, dst, self.timeout)
                    break
                except TimeoutError:
                    self._drop()
                    raise ConversionFailed(
                        f"LibreOffice did not convert {name} within {self.timeout:g} s and was "
                        "stopped; the document may be damaged or unusually large.",
                        failed=[src]) from None
                except (EOFError, BrokenPipeError, OSError) as e:
                    self._drop()
                    if attempt == 2:
                        raise ConversionFailed(f"LibreOffice died converting {name} ({e!r}).",
                                               failed=[src]) from e
                    log.warning("LibreOffice died converting %s; retrying once", name)
                except RuntimeError as e:
                    raise ConversionFailed(f"LibreOffice could not convert {name}: {e}",
                                           failed=[src]) from e
            data = dst.read_bytes() if dst.exists() else b""
            if not is_pdf(data):
                raise ConversionFailed(f"LibreOffice wrote no complete PDF for {name}.", failed=[src])
            out.append(data)
        return out

    def _drop(self) -> None:
        if self._listener is not None:
            self._listener.close()
            self._listener = None

    def close(self) -> None:
        with self._lock:
            self._drop()


_shared: PdfConverter | None = None
_shared_lock = threading.Lock()


def shared() -> PdfConverter:
    """The process's converter (one kept-alive LibreOffice for the whole process; closed at exit)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = PdfConverter()
            atexit.register(_shared.close)
        return _shared


def to_pdf(docs: Sequence[tuple[str, bytes]]) -> list[bytes]:
    """Convert with the shared converter; see `PdfConverter.convert`."""
    return shared().convert(docs)
