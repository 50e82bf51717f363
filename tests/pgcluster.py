"""A throw-away PostgreSQL cluster for the tests and the benchmarks (Debian's server binaries).

    c = Cluster(tmp_path)
    c.start()                       # initdb on first start, then pg_ctl start; waits until it accepts
    url = c.create_database("x")    # postgresql+psycopg://postgres@127.0.0.1:PORT/x
    c.kill()                        # SIGKILL the postmaster (a crash); c.start() recovers
    c.restart()                     # fast stop + start, same port
    c.stop()                        # fast stop, then the cluster's files are removed

The cluster listens on 127.0.0.1 at a free port chosen at the first start (kept across restarts),
trusts every local connection, and trades durability for speed (fsync, synchronous_commit and
full_page_writes off): a killed postmaster recovers, a killed machine may not.

Root cannot run postgres: as root every server binary runs as the `postgres` user (runuser). Its
data directory, unix socket and log therefore live in a directory of their own under /tmp
(`sop-pg-*`, owned by postgres), since `base` may be a pytest tmp_path behind 0700 root
directories; `base` gets the log when the cluster stops (`postgres.log`) and, from the command line,
`cluster.json`.

The command line (what .ci/run uses):

    python3 tests/pgcluster.py start DIR   # starts a cluster, creates database `sop`, prints its URL
    python3 tests/pgcluster.py stop DIR    # stops the cluster started with that DIR
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType

SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "500",
    "shared_buffers": "64MB",
}
STATE_FILE = "cluster.json"
LOG_FILE = "postgres.log"
TIMEOUT = 60


class ClusterError(RuntimeError):
    """A server binary failed; the message carries its output and the end of the server's log."""


def bin_dir() -> Path:
    """The newest /usr/lib/postgresql/<version>/bin holding pg_ctl."""
    found = []
    for d in Path("/usr/lib/postgresql").glob("*/bin"):
        version = tuple(int(p) for p in re.findall(r"\d+", d.parent.name))
        if version and (d / "pg_ctl").is_file():
            found.append((version, d))
    if not found:
        raise ClusterError(
            "no PostgreSQL server under /usr/lib/postgresql/*/bin (bash tools/setup.sh installs it)"
        )
    return max(found)[1]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _alive(pid: int) -> bool:
    """A process that is there and not a zombie (PID 1 may be slow to reap an orphan)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def _children(pid: int) -> list[int]:
    kids = []
    for p in Path("/proc").iterdir():
        if not p.name.isdigit():
            continue
        try:
            ppid = int((p / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if ppid == pid:
            kids.append(int(p.name))
    return kids


def _clean_env() -> dict[str, str]:
    """The environment without PG* variables (a PGHOST or PGDATABASE of the caller's must not leak)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.setdefault("LANG", "C.UTF-8")
    return env


class Cluster:
    """One throw-away cluster; see the module's docstring."""

    def __init__(self, base: Path) -> None:
        self.base = Path(base)
        self.bin = bin_dir()
        self.port: int = 0
        self.home: Path | None = None  # the sop-pg-* directory: data/, the socket, the log
        self.pid: int | None = None  # the postmaster's, while it runs
        self.as_root = os.geteuid() == 0

    # -- the paths ---------------------------------------------------------------------------

    @property
    def data_dir(self) -> Path:
        if self.home is None:
            raise ClusterError("the cluster was never started")
        return self.home / "data"

    @property
    def log_file(self) -> Path:
        return self.data_dir.parent / LOG_FILE

    # -- what the callers use ----------------------------------------------------------------

    def start(self) -> None:
        """initdb on the first start; then start the server and wait until it accepts connections."""
        if self.home is None:
            self._init()
        if self.running():
            return
        first = self.port == 0
        for attempt in range(3):
            if first:
                self.port = free_port()
                self._write_port()
            try:
                self._ctl("start", "-w", "-t", str(TIMEOUT), "-l", str(self.log_file))
                break
            except ClusterError:
                # another process took the port between free_port() and the bind: choose again
                if first and attempt < 2 and "Address already in use" in self._log_tail():
                    continue
                raise
        self._wait_ready()
        self.pid = self._postmaster_pid()

    def stop(self) -> None:
        """Stop the server (fast) and remove its files; the log is kept as base/postgres.log."""
        if self.home is None:
            return
        if self.running():
            try:
                self._ctl("stop", "-m", "fast", "-w", "-t", str(TIMEOUT))
            except ClusterError:
                self.kill()
        self._wait_gone()
        self.pid = None
        with contextlib.suppress(OSError):
            self.base.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(self.log_file, self.base / LOG_FILE)
        shutil.rmtree(self.home, ignore_errors=True)
        self.home = None

    def kill(self) -> None:
        """SIGKILL the postmaster, as a crash would, and wait until its children have gone too."""
        pid = self._postmaster_pid()
        if pid is None or not _alive(pid):
            return
        kids = _children(pid)
        os.kill(pid, signal.SIGKILL)
        self._wait_gone([pid, *kids])
        self.pid = None
        # The dead postmaster is a zombie until whoever adopted it (PID 1) reaps it, and a zombie
        # still answers kill(pid, 0): pg_ctl would call it running and the next postmaster would
        # refuse its postmaster.pid. Wait for the reaping; a PID 1 that never reaps gets the stale
        # file removed (safe: every process of the cluster is gone).
        deadline = time.monotonic() + 5
        while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        if Path(f"/proc/{pid}").exists():
            (self.data_dir / "postmaster.pid").unlink(missing_ok=True)

    def restart(self) -> None:
        """A fast (clean) stop and a start, on the same port."""
        if self.running():
            self._ctl("stop", "-m", "fast", "-w", "-t", str(TIMEOUT))
            self._wait_gone()
        self.start()

    def url(self, dbname: str = "sop", user: str = "postgres") -> str:
        return f"postgresql+psycopg://{user}@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, name: str) -> str:
        self.psql(f'CREATE DATABASE "{name.replace(chr(34), chr(34) * 2)}"')
        return self.url(name)

    def psql(self, sql: str, dbname: str = "postgres") -> str:
        """Run SQL (any number of statements, each on its own) as the superuser; its output unaligned,
        tuples only (`SELECT 1, 2` gives "1|2\\n"). Raises ClusterError on the first error."""
        cmd = [str(self.bin / "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
               "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", dbname, "-f", "-"]
        r = subprocess.run(cmd, input=sql, capture_output=True, text=True, env=_clean_env(),
                           timeout=TIMEOUT, check=False)
        if r.returncode != 0:
            raise ClusterError(f"psql failed ({r.returncode}): {r.stderr.strip()}\nSQL: {sql}")
        return r.stdout

    def running(self) -> bool:
        """pg_ctl status: a postmaster runs on this data directory."""
        if self.home is None:
            return False
        r = self._run([str(self.bin / "pg_ctl"), "-D", str(self.data_dir), "status"], check=False)
        pid = self._postmaster_pid()
        return r.returncode == 0 and pid is not None and _alive(pid)

    def pids(self) -> list[int]:
        """Every live process of this cluster: the postmaster (known, or any process naming this data
        directory on its command line) and its children."""
        if self.home is None and self.pid is None:
            return []
        roots = {self.pid} if self.pid is not None and _alive(self.pid) else set()
        if self.home is not None:
            needle = str(self.data_dir).encode()
            for p in Path("/proc").iterdir():
                if p.name.isdigit():
                    with contextlib.suppress(OSError):
                        if needle in (p / "cmdline").read_bytes() and _alive(int(p.name)):
                            roots.add(int(p.name))
        found = set(roots)
        for r in roots:
            found.update(k for k in _children(r) if _alive(k))
        return sorted(found)

    def __enter__(self) -> Cluster:
        self.start()
        return self

    def __exit__(self, t: type[BaseException] | None, v: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    # -- the command line's state --------------------------------------------------------------

    def save(self) -> Path:
        """base/cluster.json: enough for `Cluster.load(base)` in another process to stop it."""
        self.base.mkdir(parents=True, exist_ok=True)
        state = {"pid": self.pid, "port": self.port, "home": str(self.home),
                 "data_dir": str(self.data_dir), "bin": str(self.bin), "url": self.url()}
        path = self.base / STATE_FILE
        path.write_text(json.dumps(state, indent=2) + "\n")
        return path

    @classmethod
    def load(cls, base: Path) -> Cluster:
        state = json.loads((Path(base) / STATE_FILE).read_text())
        c = cls(base)
        c.bin = Path(state["bin"])
        c.port = int(state["port"])
        c.home = Path(state["home"])
        c.pid = state["pid"]
        return c

    # -- inside --------------------------------------------------------------------------------

    def _as_server(self, cmd: list[str]) -> list[str]:
        return ["runuser", "-u", "postgres", "--", *cmd] if self.as_root else cmd

    def _run(self, cmd: list[str], *, check: bool = True) -> subprocess.CompletedProcess[str]:
        # cwd: the server user must be able to enter it (root's own cwd may be closed to postgres)
        cwd = self.home if self.home is not None and self.home.is_dir() else Path("/")
        r = subprocess.run(self._as_server(cmd), capture_output=True, text=True, env=_clean_env(),
                           cwd=cwd, timeout=TIMEOUT + 30, check=False)
        if check and r.returncode != 0:
            raise ClusterError(
                f"{' '.join(cmd)} failed ({r.returncode}):\n{r.stdout}{r.stderr}\n"
                f"--- {LOG_FILE} ---\n{self._log_tail()}"
            )
        return r

    def _ctl(self, *args: str) -> None:
        self._run([str(self.bin / "pg_ctl"), "-D", str(self.data_dir), *args])

    def _init(self) -> None:
        home = Path(tempfile.mkdtemp(prefix="sop-pg-"))
        if self.as_root:
            try:
                pw = pwd.getpwnam("postgres")
            except KeyError:
                shutil.rmtree(home)
                raise ClusterError("running as root, and there is no user `postgres` to run the "
                                   "server as (bash tools/setup.sh installs it)") from None
            os.chown(home, pw.pw_uid, pw.pw_gid)
        os.chmod(home, 0o700)
        self.home = home
        initdb = [str(self.bin / "initdb"), "-D", str(self.data_dir), "--auth=trust", "-U", "postgres",
                  "--encoding=UTF8", "--no-instructions", "--no-sync"]
        try:
            try:
                self._run([*initdb, "--locale=C.UTF-8"])
            except ClusterError:  # a libc without C.UTF-8
                shutil.rmtree(self.data_dir, ignore_errors=True)
                self._run([*initdb, "--locale=C"])
            with (self.data_dir / "postgresql.conf").open("a") as f:
                f.write("\n# tests/pgcluster.py: a throw-away cluster\n")
                f.write("listen_addresses = '127.0.0.1'\n")
                f.write(f"unix_socket_directories = '{home}'\n")
                for k, v in SETTINGS.items():
                    f.write(f"{k} = {v}\n")
        except BaseException:
            shutil.rmtree(home, ignore_errors=True)
            self.home = None
            raise

    def _write_port(self) -> None:
        # postgresql.auto.conf, the file ALTER SYSTEM writes: the last port line wins
        with (self.data_dir / "postgresql.auto.conf").open("a") as f:
            f.write(f"port = {self.port}\n")

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + TIMEOUT
        isready = [str(self.bin / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port),
                   "-U", "postgres", "-d", "postgres"]
        while True:
            r = subprocess.run(isready, env=_clean_env(), check=False)
            if r.returncode == 0:
                return
            if time.monotonic() > deadline:
                raise ClusterError(f"no connection on port {self.port} in {TIMEOUT} s\n{self._log_tail()}")
            time.sleep(0.1)

    def _postmaster_pid(self) -> int | None:
        if self.home is not None:
            with contextlib.suppress(OSError, ValueError, IndexError):
                return int((self.data_dir / "postmaster.pid").read_text().splitlines()[0])
        return self.pid

    def _wait_gone(self, pids: list[int] | None = None) -> None:
        """Wait until the processes (default: all of this cluster's) have exited; SIGKILL stragglers."""
        deadline, killed = time.monotonic() + 15, False
        while True:
            left = [p for p in pids if _alive(p)] if pids is not None else self.pids()
            if not left:
                return
            if time.monotonic() > deadline:
                if killed:
                    raise ClusterError(f"postgres processes {left} outlive SIGKILL")
                for p in left:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(p, signal.SIGKILL)
                deadline, killed, pids = time.monotonic() + 15, True, left
            time.sleep(0.05)

    def _log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except (OSError, ClusterError):
            return ""


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("start", "stop"):
        print("usage: python3 tests/pgcluster.py start|stop DIR", file=sys.stderr)
        return 2
    command, base = argv[0], Path(argv[1]).resolve()
    if command == "start":
        c = Cluster(base)
        c.start()
        try:
            url = c.create_database("sop")
            c.save()
        except BaseException:
            c.stop()
            raise
        print(url)
        return 0
    if not (base / STATE_FILE).is_file():
        print(f"no {STATE_FILE} in {base}: nothing to stop", file=sys.stderr)
        return 0
    Cluster.load(base).stop()
    (base / STATE_FILE).unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
