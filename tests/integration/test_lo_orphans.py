"""A sop-docs process killed in the middle of a PDF step takes its LibreOffice with it, and the next
one removes what it left in the temp folder."""

from __future__ import annotations

import os
import re
import select
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from sop_docs.adapters import lo_orphans
from tests.lo import require_libreoffice
from tests.paths import CORPUS

ROOT = Path(__file__).resolve().parents[2]
TMP = Path(tempfile.gettempdir())

KEPT_ALIVE = """
import sys
from pathlib import Path
from sop_docs.adapters import pdf
data = Path(sys.argv[1]).read_bytes()
c = pdf.PdfConverter(timeout=120)
assert c.mode == "kept-alive"
c.convert([("a.docx", data)])
print("ready", flush=True)
while True:
    c.convert([("a.docx", data)] * 4)
"""

BATCH = """
import sys
from pathlib import Path
from sop_docs.adapters import office
sources = [Path(p) for p in sys.argv[1:]]
print("ready", flush=True)
office.convert(sources, "pdf", Path(sys.argv[1]).parent / "never", timeout=300)
"""


def start(script: str, *args: str) -> subprocess.Popen[bytes]:
    """A python process playing the service; waits until it says it is ready."""
    proc = subprocess.Popen([sys.executable, "-c", script, *args], cwd=ROOT, stdout=subprocess.PIPE,
                            start_new_session=True)
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], 120)
    if not ready or proc.stdout.readline() != b"ready\n":
        proc.kill()
        pytest.fail("the service process did not start its conversion")
    return proc


def left_by(pid: int) -> list[Path]:
    """The temp folders and pipes named after process `pid`."""
    pattern = re.compile(rf"^(?:OSL_PIPE_\d+_)?sop_docs_[a-z_]+_pid{pid}\.\d+-")
    return [p for p in TMP.iterdir() if pattern.match(p.name)]


def running_naming(paths: list[Path]) -> list[str]:
    """Command lines of live processes that name one of `paths`."""
    needles = [str(p).encode() for p in paths]
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if stat[stat.rfind(")") + 2 :].startswith("Z"):
            continue
        if any(n in cmdline for n in needles):
            found.append(cmdline.replace(b"\0", b" ").decode(errors="replace")[:160])
    return found


def wait_until_gone(paths: list[Path], within: float) -> list[str]:
    end = time.monotonic() + within
    while (left := running_naming(paths)) and time.monotonic() < end:
        time.sleep(0.1)
    return left


def kill(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL the service process alone (never its children: they must go by themselves)."""
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.stdout is not None
    proc.stdout.close()


@pytest.mark.libreoffice
def test_a_killed_service_takes_its_kept_alive_office_and_worker_with_it():
    """SIGKILL during a kept-alive conversion: within seconds no oosplash, soffice.bin or UNO worker
    of that service is left, and the next start removes its temp folders and pipe."""
    require_libreoffice()
    proc = start(KEPT_ALIVE, str(CORPUS / "tables.docx"))
    try:
        time.sleep(0.3)                             # in the middle of a batch of conversions
        leftovers = left_by(proc.pid)
        assert any(p.name.startswith("sop_docs_pdf_pid") for p in leftovers), leftovers
        assert running_naming(leftovers)            # the office and worker of that service
    finally:
        kill(proc)
    assert wait_until_gone(leftovers, within=10) == []
    lo_orphans.sweep()                              # what the next sop-docs does first
    assert [p for p in leftovers if os.path.lexists(p)] == []


@pytest.mark.libreoffice
def test_a_killed_service_takes_its_batch_conversion_with_it(tmp_path):
    """SIGKILL while `soffice --convert-to` works through a batch: the run is gone within seconds,
    and the next start removes the profile and the conversion folder."""
    require_libreoffice()
    names = ["tables.docx", "comments.docx", "footnotes.docx", "simple-list.docx", "underline.docx"]
    sources = []
    for round_ in range(8):
        for name in names:
            copy = tmp_path / f"{round_}-{name}"
            copy.write_bytes((CORPUS / name).read_bytes())
            sources.append(str(copy))
    proc = start(BATCH, *sources)
    try:
        end = time.monotonic() + 60
        while not any("soffice.bin" in c for c in running_naming(left_by(proc.pid))):
            assert time.monotonic() < end, "no soffice.bin naming the service's folders"
            time.sleep(0.05)
        leftovers = left_by(proc.pid)
    finally:
        kill(proc)
    assert wait_until_gone(leftovers, within=10) == []
    lo_orphans.sweep()
    assert [p for p in leftovers if os.path.lexists(p)] == []


def test_the_sweep_touches_only_what_dead_owners_left(tmp_path):
    """A dead owner's folder and pipe go, and the process still naming the folder is killed; so does
    a folder whose pid now belongs to another process (its start time differs). Our own folder and
    names without an owner (older sop-docs, other tools) stay."""
    dead = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    dead_tag = lo_orphans.owner_tag(dead.pid)
    dead.kill()
    dead.wait()
    gone = tmp_path / f"sop_docs_pdf_{dead_tag}abc"
    (gone / "profile").mkdir(parents=True)
    pipe = tmp_path / f"OSL_PIPE_{os.getuid()}_sop_docs_pdf_{dead_tag}0123"
    pipe.write_bytes(b"")
    orphan = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", str(gone / "profile")])
    deadline = time.monotonic() + 10     # until it has exec'd, its command line is still ours
    while str(gone).encode() not in Path(f"/proc/{orphan.pid}/cmdline").read_bytes():
        assert time.monotonic() < deadline, "the orphan never started"
        time.sleep(0.01)
    mine = tmp_path / f"sop_docs_convert_{lo_orphans.owner_tag()}xyz"
    mine.mkdir()
    old_style = tmp_path / "sop_docs_pdf_k2j4h5g6"
    old_style.mkdir()
    reused = tmp_path / f"sop_docs_pdf_pid{os.getpid()}.1-def"   # our pid, another start time
    reused.mkdir()
    try:
        removed = lo_orphans.sweep(tmp_path)
        assert orphan.wait(timeout=10) == -signal.SIGKILL
    finally:
        if orphan.poll() is None:
            orphan.kill()
    assert sorted(removed) == sorted([gone, pipe, reused])
    assert not gone.exists() and not pipe.exists() and not reused.exists()
    assert mine.is_dir() and old_style.is_dir()
