"""What notifications cost the chain, and how soon a dropped file becomes a message.

With `sop_docs.watch.run` running (native events) on fresh workspaces, in one process, against a
real SMTP server on 127.0.0.1 (aiosmtpd, `tests/smtp.py`, in a process of its own):

1. **Latency**: materials are dropped one at a time into `inbox/kabid_kasubag/`; each is timed
   from its save (the rename that makes it appear) to the arrival of its message at the server.
2. **Burst**: 300 materials dropped at once, timed to the 300th case's delivery in
   `outbox/fungsional/`, three times: notifications **on** (the local server), the server
   **down** (nothing listens on its port), and notifications **off** (no server). Goal: on/off
   and down/off <= 1.1x. For "on", the time until the last message arrived is printed too.

Messages come from the service's composer: [[people]] names one person per role, so each opened
case tells its Fungsional (with the Konsep attached). The sender is the watcher's child process.

Run: `python bench/bench_notify.py [--burst 300] [--drops 20] [--settle 1.0]`.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_watch import drop, konsep_files, material, wait
from sop_docs import watch
from sop_docs.bootstrap import load_sop_ref, open_service
from sop_docs.settings import load_settings
from sop_docs.workspace import init_workspace
from tests.smtp import free_port, notify_toml

PEOPLE = [("Siti Aminah", "fungsional", ["siti@kantor.go.id"]),
          ("Budi Santoso", "kabid_kasubag", ["budi@kantor.go.id"]),
          ("Rina Wulandari", "sekretaris", ["rina@kantor.go.id"]),
          ("Hendra Gunawan", "kepala_dinas", ["hendra@kantor.go.id"])]


class Server:
    """The local SMTP server in a process of its own (`python -m tests.smtp`), as a real mail
    server is: its CPU is not charged to the watcher. `mails` counts what it received."""

    def __init__(self) -> None:
        self.port = free_port()
        self.mails: list[str] = []
        repo = Path(__file__).resolve().parents[1]
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.smtp", str(self.port)],
                                     cwd=repo, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None and self.proc.stdout.readline().strip() == "READY"
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if line.startswith("MAIL "):
                self.mails.append(line[5:].strip())

    def url(self) -> str:
        return f"mailto://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


class Running:
    """A workspace with its watcher running on a thread."""

    def __init__(self, base: Path, name: str, server_url: str, settle: float) -> None:
        self.root = (base / name)
        self.root.mkdir()
        (self.root / "sop.toml").write_text(notify_toml(server_url, people=PEOPLE), "utf-8")
        init_workspace(self.root, load_sop_ref(load_settings(self.root).sop_ref, self.root))
        self.root = self.root.resolve()
        self.stop, self.ready = threading.Event(), threading.Event()
        self.errors: list[BaseException] = []
        self.thread = threading.Thread(target=self._serve, args=(settle,), name=f"watch-{name}")
        self.thread.start()
        wait(lambda: self.ready.is_set() or self.errors, 60, "the watcher")
        if self.errors:
            raise self.errors[0]

    def _serve(self, settle: float) -> None:
        """The service is opened on this thread (SQLite connections stay on theirs)."""
        try:
            svc = open_service(self.root)
            try:
                svc.process_register()
                watch.run(self.root, mode="native", settle=settle, stop=self.stop,
                          ready=self.ready, service=svc)
            finally:
                svc.close()
        except BaseException as exc:
            self.errors.append(exc)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=60)
        if self.errors:
            raise self.errors[0]


def burst(base: Path, name: str, server_url: str, n: int, settle: float,
          server: Server | None = None) -> tuple[float, float | None]:
    """Seconds until `n` dropped materials are all delivered; with `server`, also until all
    their messages arrived."""
    ws = Running(base, name, server_url, settle)
    try:
        materials = [material(i) for i in range(n)]
        before = len(server.mails) if server else 0
        inbox = ws.root / "inbox" / "kabid_kasubag"
        t0 = time.perf_counter()
        for i, data in enumerate(materials):
            drop(inbox / f"Bahan Informasi {i:03d}.docx", data)
        wait(lambda: len(konsep_files(ws.root / "outbox" / "fungsional")) >= n, 900,
             f"the {name} burst", every=0.05)
        chain = time.perf_counter() - t0
        mailed = None
        if server is not None:
            wait(lambda: len(server.mails) - before >= n, 600, f"the {name} messages", every=0.02)
            mailed = time.perf_counter() - t0
        return chain, mailed
    finally:
        ws.close()


def latency(base: Path, server: Server, drops: int, settle: float) -> list[float]:
    """Seconds from each drop to its message at the server, one material at a time."""
    ws = Running(base, "latency", server.url(), settle)
    out = []
    try:
        inbox = ws.root / "inbox" / "kabid_kasubag"
        for i in range(drops):
            data = material(10_000 + i)
            before = len(server.mails)
            t = drop(inbox / f"Bahan Tunggal {i:03d}.docx", data)
            wait(lambda b=before: len(server.mails) > b, 60, "a message")
            out.append(time.perf_counter() - t)
            time.sleep(0.2)                      # the next save comes later; not synchronisation
    finally:
        ws.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--settle", type=float, default=1.0)
    parser.add_argument("--burst", type=int, default=300)
    parser.add_argument("--drops", type=int, default=20)
    args = parser.parse_args()
    logging.getLogger("sop_docs").setLevel(logging.ERROR)   # the down run warns at every try

    server = Server()
    try:
        with tempfile.TemporaryDirectory(prefix="bench_notify_") as tmp:
            base = Path(tmp)
            burst(base, "warmup", "", 20, args.settle)        # imports, templates, caches
            lat = sorted(latency(base, server, args.drops, args.settle))
            off, _ = burst(base, "off", "", args.burst, args.settle)
            on, mailed = burst(base, "on", server.url(), args.burst, args.settle, server)
            down, _ = burst(base, "down", f"mailto://127.0.0.1:{free_port()}", args.burst,
                            args.settle)
    finally:
        server.stop()
    p95 = lat[max(0, round(0.95 * len(lat)) - 1)]
    print(f"settle window: {args.settle:.2f} s; watch mode native")
    print(f"drop -> message at the SMTP server over {len(lat)} materials: median "
          f"{statistics.median(lat):.3f} s, p95 {p95:.3f} s, max {lat[-1]:.3f} s "
          f"(of which the settle window {args.settle:.2f} s)")
    print(f"burst of {args.burst} materials, all delivered: notifications off {off:.2f} s, "
          f"on {on:.2f} s, server down {down:.2f} s")
    assert mailed is not None
    print(f"with notifications on, the {args.burst}th message arrived after {mailed:.2f} s")
    print(f"ratio on/off {on / off:.2f}x, down/off {down / off:.2f}x (goal <= 1.1x)")


if __name__ == "__main__":
    main()
