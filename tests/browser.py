"""A real headless Chromium (Debian's `chromium`) for the tests, and a listener that catches any
request a page makes: the browser is pointed at it as its proxy and its resolver maps every host
to it, so a request that leaves the page arrives here instead of anywhere else."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import tempfile
import threading
from pathlib import Path

import pytest

# Chromium's own calls home (component updates, network time, sign-in), made whatever the page
# and despite --disable-background-networking in headless=new: told apart by host, never a page's.
_BROWSER_OWN = re.compile(rb"^(?:CONNECT |[A-Z]+ https?://)[a-z0-9.-]*\.(?:google\.com|"
                          rb"googleapis\.com|gvt1\.com)[:/ ]")


def chromium() -> str:
    """The browser's path; a missing browser fails the test (tools/setup.sh installs it)."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.fail("chromium is not installed: run tools/setup.sh")
    return path


class Catcher:
    """A TCP listener on 127.0.0.1 that records the first bytes of every connection."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.seen: list[bytes] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(2)
                try:
                    self.seen.append(conn.recv(4096))
                    conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                except OSError:
                    self.seen.append(b"")

    def page_requests(self) -> list[bytes]:
        """What arrived, less the browser's own calls home (their hosts are Google's)."""
        return [s for s in self.seen if not _BROWSER_OWN.match(s)]

    def close(self) -> None:
        self.sock.close()


def run(page: Path, catcher: Catcher, *args: str, timeout: float = 90) -> str:
    """Chromium on `page` (file://) with `args`; its standard output (the DOM for --dump-dom)."""
    with tempfile.TemporaryDirectory(prefix="chromium_") as profile:
        cmd = [chromium(), "--headless=new", "--no-sandbox", "--disable-gpu",
               f"--user-data-dir={profile}", "--no-first-run", "--no-default-browser-check",
               "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--disable-extensions", "--disable-default-apps",
               "--disable-client-side-phishing-detection", "--disable-domain-reliability",
               "--disable-features=NetworkTimeServiceQuerying,OptimizationHints,MediaRouter,"
               "Translate,AutofillServerCommunication", "--no-service-autorun",
               "--metrics-recording-only", "--virtual-time-budget=3000",
               f"--proxy-server=http://127.0.0.1:{catcher.port}", "--proxy-bypass-list=<-loopback>",
               f"--host-resolver-rules=MAP * 127.0.0.1:{catcher.port}",
               *args, page.resolve().as_uri()]
        done = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
        assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
        return done.stdout.decode("utf-8")
