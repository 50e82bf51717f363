"""Run one LibreOffice command and take it down with us when the sop-docs process that asked for it dies.

Why: `soffice` is a launcher (oosplash) that forks the real office (soffice.bin); when sop-docs is
killed (SIGKILL, OOM, a crash) nothing it started notices, and a death signal set on the launcher
alone would leave soffice.bin running. So sop-docs starts this small script in a process group of
its own (`lo_orphans.guarded`), and the script starts the command in that same group, watches its
parent, and kills the whole group the moment the parent is gone. A timeout in sop-docs kills the
group the same way (`os.killpg`). On exit the script returns the command's exit status.

Usage: python -I lo_guard.py PARENT_PID -- COMMAND [ARG...]
Standard library only; runs under any python 3.
"""

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time

POLL = 0.1
PR_SET_PDEATHSIG = 1


def _die_with_us() -> None:
    """In the child: on Linux, get SIGKILL when this guard dies (the launcher's own death signal)."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _kill_group() -> None:
    try:
        os.killpg(os.getpgid(0), signal.SIGKILL)   # the command's processes and this guard
    except OSError:
        os._exit(1)


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[1] != "--":
        sys.stderr.write(__doc__ or "")
        return 2
    parent = int(argv[0])
    if os.getppid() != parent:
        return 1                                   # our owner died before we started
    child = subprocess.Popen(argv[2:], preexec_fn=_die_with_us)  # single-threaded: preexec is safe
    while True:
        try:
            code = child.wait(timeout=POLL)
            return code if code >= 0 else 128 - code
        except subprocess.TimeoutExpired:
            if os.getppid() != parent:
                _kill_group()
                time.sleep(1)
                return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
