"""Make a real LibreOffice edit and save files the way staff do, for the end-to-end tests.

Why: the register and the drafts are edited by people in LibreOffice (or Excel), and what the
system must survive is what *LibreOffice* writes, not what openpyxl or python-docx would. So the
tests drive LibreOffice itself over UNO: load the document for editing (LibreOffice then writes its
``.~lock.NAME#`` file, as on a desktop), type into cells, save in the Office format, close.

How: ``soffice`` listens on a private pipe with its own profile, in its own process group;
``tests/lo_uno_worker.py`` runs under the system python (where Debian's ``python3-uno`` lives) and
takes JSON requests from us. One office and worker are shared by all calls in a pytest session
(``SOP_LO_SHARED=0`` starts one per call instead) and shut down at exit; a timeout kills both
process groups and the next call starts afresh. ``calc_hold_open`` always uses an office of its own:
it plays a second person who has the file open.

What a desktop user cannot do, these helpers refuse too (UNO alone would allow it): typing into a
locked cell of a protected sheet, typing a value outside a list dropdown (unless
``check_validation=False``, the "paste" path), saving a file another user holds open.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import json
import os
import selectors
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

__all__ = [
    "LibreOfficeError",
    "calc_edit",
    "calc_hold_open",
    "lock_file_for",
    "require_libreoffice",
    "shutdown_shared_office",
    "soffice_available",
    "writer_edit",
]

WORKER = Path(__file__).with_name("lo_uno_worker.py")
SYSTEM_PYTHON = os.environ.get("SOP_LO_PYTHON", "/usr/bin/python3")
START_TIMEOUT = 60.0
SHUTDOWN_GRACE = 10.0


class LibreOfficeError(RuntimeError):
    """LibreOffice failed, refused an edit, or did not answer in time (message says which)."""


def lock_file_for(path: Path) -> Path:
    """The lock file LibreOffice keeps next to a document it has open for editing."""
    return path.with_name(f".~lock.{path.name}#")


# -- availability ---------------------------------------------------------------------------------
def _soffice() -> str | None:
    return shutil.which("soffice")


@functools.cache
def _uno_problem() -> str | None:
    """Why the system python cannot drive UNO, or None when it can."""
    if not Path(SYSTEM_PYTHON).exists():
        return f"{SYSTEM_PYTHON} not found (set SOP_LO_PYTHON to the python that has uno)"
    proc = subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], capture_output=True, text=True, timeout=60)
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no error text"])[-1]
        return f"{SYSTEM_PYTHON} cannot import uno ({last})"
    return None


def soffice_available() -> bool:
    """True when ``soffice`` is on PATH and the system python can import ``uno``."""
    return _soffice() is not None and _uno_problem() is None


def require_libreoffice() -> None:
    """Fail the calling test (never skip it) when LibreOffice or its UNO bridge is missing."""
    import pytest

    if _soffice() is None:
        pytest.fail(
            "LibreOffice is required: `soffice` not on PATH (Debian: apt-get install "
            "libreoffice-calc libreoffice-writer)",
            pytrace=False,
        )
    problem = _uno_problem()
    if problem is not None:
        pytest.fail(
            f"LibreOffice UNO is required: {problem} (Debian: apt-get install python3-uno "
            "libreoffice-script-provider-python)",
            pytrace=False,
        )


# -- one office plus its worker -------------------------------------------------------------------
def _kill_group(proc: subprocess.Popen[Any]) -> None:
    """Terminate a process started with start_new_session, and everything it spawned."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=SHUTDOWN_GRACE)
    # The group may outlive its leader (soffice.bin under oosplash): kill it regardless.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=SHUTDOWN_GRACE)


def _profile_settings(user_name: str) -> str:
    """A registrymodifications.xcu naming the profile's user (shown in the lock file)."""
    given, _, surname = user_name.rpartition(" ")
    if not given:
        given, surname = surname, ""
    fields = "".join(
        f'<prop oor:name="{name}" oor:op="fuse"><value>{escape(value)}</value></prop>'
        for name, value in (("givenname", given), ("sn", surname))
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        '<item oor:path="/org.openoffice.UserProfile/Data">'
        f"{fields}</item>\n"
        "</oor:items>\n"
    )


class _Office:
    """A listening soffice with a private profile, and the UNO worker connected to it."""

    def __init__(self, *, timeout: float, user_name: str = "Reviewer") -> None:
        soffice = _soffice()
        if soffice is None:
            raise LibreOfficeError("soffice not found on PATH")
        self.lock = threading.Lock()
        self.tmp = Path(tempfile.mkdtemp(prefix="sop_lo_"))
        profile = self.tmp / "profile"
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(
            _profile_settings(user_name), encoding="utf-8"
        )
        self.log = self.tmp / "soffice.log"
        pipe = f"sop_lo_{uuid.uuid4().hex}"
        # The socket LibreOffice creates for the pipe; a killed office leaves it behind.
        self.pipe_socket = Path(tempfile.gettempdir()) / f"OSL_PIPE_{os.getuid()}_{pipe}"
        self.worker: subprocess.Popen[bytes] | None = None
        with self.log.open("wb") as log:
            self.soffice: subprocess.Popen[bytes] = subprocess.Popen(
                [
                    soffice,
                    f"-env:UserInstallation={profile.as_uri()}",
                    "--headless",
                    "--invisible",
                    "--norestore",
                    "--nodefault",
                    "--nologo",
                    f"--accept=pipe,name={pipe};urp;",
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
            try:
                self.worker = subprocess.Popen(
                    [SYSTEM_PYTHON, str(WORKER), pipe],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=log,
                    start_new_session=True,
                )
            except OSError:
                self.close()
                raise
        self._buffer = b""
        try:
            self.call("connect", timeout=timeout, deadline_s=min(timeout, START_TIMEOUT))
        except BaseException:
            self.close()
            raise

    def alive(self) -> bool:
        return self.worker is not None and self.worker.poll() is None and self.soffice.poll() is None

    def _log_tail(self) -> str:
        try:
            lines = self.log.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return ""
        return "\n".join(lines[-20:])

    def _read_line(self, timeout: float) -> bytes:
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
        return line

    def call(self, op: str, *, timeout: float, **args: Any) -> dict[str, Any]:
        """Send one request; on timeout or a dead worker, kill everything and raise."""
        with self.lock:
            if not self.alive():
                self.close()
                raise LibreOfficeError(f"LibreOffice is not running\n{self._log_tail()}")
            assert self.worker is not None and self.worker.stdin is not None
            try:
                self.worker.stdin.write((json.dumps({"op": op, **args}) + "\n").encode())
                self.worker.stdin.flush()
                answer = json.loads(self._read_line(timeout))
            except TimeoutError:
                tail = self._log_tail()
                self.close(graceful=False)
                raise LibreOfficeError(
                    f"LibreOffice did not finish {op!r} within {timeout:g} s; killed it\n{tail}"
                ) from None
            except (EOFError, BrokenPipeError):
                tail = self._log_tail()
                self.close(graceful=False)
                raise LibreOfficeError(f"LibreOffice worker died during {op!r}\n{tail}") from None
        if not answer.pop("ok"):
            detail = answer.get("traceback", "")
            raise LibreOfficeError(f"{op}: [{answer['kind']}] {answer['error']}\n{detail}".strip())
        return answer

    def close(self, *, graceful: bool = True) -> None:
        """Ask LibreOffice to quit (if graceful), then kill both process groups and clean up."""
        worker, self.worker = self.worker, None
        if worker is not None:
            if graceful and worker.poll() is None and self.soffice.poll() is None:
                with contextlib.suppress(OSError, ValueError):
                    assert worker.stdin is not None
                    worker.stdin.write(b'{"op": "terminate"}\n')
                    worker.stdin.close()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    worker.wait(timeout=SHUTDOWN_GRACE)
            _kill_group(worker)
            if worker.stdout is not None:
                worker.stdout.close()
        if graceful:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.soffice.wait(timeout=SHUTDOWN_GRACE)
        _kill_group(self.soffice)
        self.pipe_socket.unlink(missing_ok=True)
        shutil.rmtree(self.tmp, ignore_errors=True)


# -- the shared instance --------------------------------------------------------------------------
_shared: _Office | None = None
_shared_guard = threading.Lock()


def _sharing() -> bool:
    return os.environ.get("SOP_LO_SHARED", "1") != "0"


def shutdown_shared_office() -> None:
    """Stop the session's shared LibreOffice (also registered with atexit)."""
    global _shared
    with _shared_guard:
        office, _shared = _shared, None
    if office is not None:
        office.close()


atexit.register(shutdown_shared_office)


@contextlib.contextmanager
def _office(timeout: float) -> Iterator[_Office]:
    global _shared
    if not _sharing():
        office = _Office(timeout=timeout)
        try:
            yield office
        finally:
            office.close()
        return
    with _shared_guard:
        if _shared is not None and not _shared.alive():
            _shared.close()
            _shared = None
        if _shared is None:
            _shared = _Office(timeout=timeout)
        office = _shared
    yield office


# -- public helpers -------------------------------------------------------------------------------
def calc_edit(
    xlsx: Path,
    edits: Mapping[tuple[str | int, str], str],
    *,
    timeout: float = 120,
    check_validation: bool = True,
) -> None:
    """Open ``xlsx`` in Calc, type each value into its cell, save it back as xlsx, close.

    ``edits`` maps ``(sheet name or 0-based index, "C2")`` to the text typed ("" empties the
    cell). Typing follows Calc's input rules: ``"12"`` becomes a number, ``"=A1"`` a formula.
    Raises LibreOfficeError when a desktop user would be refused too (locked cell on a protected
    sheet, value outside a list dropdown with a stop alert, file held open by someone else) or
    when LibreOffice fails; then the file is left as it was.
    """
    path = Path(xlsx).resolve()
    if not path.is_file():
        raise FileNotFoundError(path)
    payload = [[sheet, ref, text] for (sheet, ref), text in edits.items()]
    with _office(timeout) as office:
        office.call(
            "calc_edit",
            timeout=timeout,
            path=str(path),
            edits=payload,
            check_validation=check_validation,
        )


@contextlib.contextmanager
def calc_hold_open(xlsx: Path, *, user_name: str = "Reviewer", timeout: float = 120) -> Iterator[Path]:
    """Keep ``xlsx`` loaded for editing in a separate LibreOffice, as a person who has it open.

    Yields the path of LibreOffice's lock file (``.~lock.NAME#``, which names ``user_name``).
    On exit the document is closed without saving and the lock file disappears.
    """
    path = Path(xlsx).resolve()
    if not path.is_file():
        raise FileNotFoundError(path)
    office = _Office(timeout=timeout, user_name=user_name)
    try:
        handle = office.call("open", timeout=timeout, path=str(path))["handle"]
        yield lock_file_for(path)
        office.call("close", timeout=timeout, handle=handle)
    finally:
        office.close()


def writer_edit(
    docx: Path,
    *,
    append_paragraph: str | None = None,
    out: Path | None = None,
    timeout: float = 120,
) -> Path:
    """Open ``docx`` in Writer, optionally append a paragraph, save as docx to ``out``, close.

    ``out`` defaults to ``docx`` itself. LibreOffice keeps the document's custom properties.
    Returns the path written.
    """
    path = Path(docx).resolve()
    if not path.is_file():
        raise FileNotFoundError(path)
    target = Path(out).resolve() if out is not None else path
    with _office(timeout) as office:
        office.call(
            "writer_edit",
            timeout=timeout,
            path=str(path),
            out=str(target),
            append_paragraph=append_paragraph,
        )
    return target
