"""What PostgreSQL costs next to SQLite, and how one PostgreSQL serves many offices at once.

1. **Burst, SQLite against PostgreSQL** (same run, same machine): a fresh workspace on each, the
   watcher running (`sop_docs.watch.run`, native events) as in bench_watch.py; N materials are
   dropped at once and timed until the N-th concept skeleton is delivered. Per-case cost = (burst
   less one settle window) / N, wall clock and the process's CPU time, and the SQL statements sent
   per case. Goal: PostgreSQL within 1.3x of SQLite.
2. **Offices at once**: 1, 4 and 16 offices on one PostgreSQL database, each in its own process
   with its own workspace; at one signal every office's Kabid/Kasubag saves M materials and the
   office's service takes them in (`scan`). Cases per second in total and per office.

The benchmark starts its own throw-away cluster (tests/pgcluster.py) and removes it at the end.

Run: `python bench/bench_postgresql.py [--burst 300] [--settle 0.5] [--per-office 40]
[--offices 1,4,16]`.
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing as mp
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_watch import Watching, drop, konsep_files, material, wait
from tests.driver import Office
from tests.pgcluster import Cluster

STATEMENTS = [0]


@event.listens_for(Engine, "before_cursor_execute")
def _count(*_args: Any) -> None:
    STATEMENTS[0] += 1


def use(database: str, kantor: str) -> None:
    """Point the workspaces made from now on at `database` ("" = SQLite in the workspace)."""
    os.environ.pop("SOP_DOCS_DATABASE", None)
    os.environ.pop("SOP_DOCS_KANTOR", None)
    if database:
        os.environ.update(SOP_DOCS_DATABASE=database, SOP_DOCS_KANTOR=kantor)


def burst(base: Path, n: int, settle: float) -> tuple[float, float, float]:
    """(wall s per case, CPU s per case, statements per case) of a burst of `n` under the watcher."""
    root = base / "ws"
    Office(root).close()                     # the workspace and its database, made beforehand
    root = root.resolve()
    materials = [material(i) for i in range(n)]
    watcher = Watching(root, mode="native", settle=settle)
    fungsional = root / "outbox" / "fungsional"
    statements0 = STATEMENTS[0]
    t0, cpu0 = time.perf_counter(), time.process_time()
    for i, data in enumerate(materials):
        drop(root / "inbox" / "kabid_kasubag" / f"Bahan Informasi {i:03d}.docx", data)
    wait(lambda: len(konsep_files(fungsional)) >= n or watcher.errors, 900, "the burst",
         every=0.05)
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    statements = STATEMENTS[0] - statements0
    watcher.close(timeout=120)
    return (wall - settle) / n, cpu / n, statements / n


# -- offices at once -------------------------------------------------------------------------------

def one_office(root: Path, url: str, kode: str, m: int, go: Any, out: Any) -> None:
    try:
        logging.disable(logging.WARNING)
        use(url, kode)
        office = Office(root)
        materials = [material(i) for i in range(m)]
        out.put(("ready", kode, 0.0, 0.0))
        go.wait(300)
        t0 = time.time()
        for i, data in enumerate(materials):
            drop(root / "inbox" / "kabid_kasubag" / f"Bahan {kode} {i:03d}.docx", data)
        office.scan()
        end = time.time()
        opened = len(office.svc.db.open_cases())
        office.close()
        if opened != m:
            raise AssertionError(f"{kode}: {opened} cases opened of {m}")
        out.put(("done", kode, t0, end))
    except BaseException as exc:
        out.put(("error", kode, repr(exc), 0.0))


def offices_at_once(base: Path, url: str, count: int, m: int) -> tuple[float, list[float]]:
    """(total wall s from the signal to the last office done, each office's own seconds)."""
    ctx = mp.get_context("fork")
    go, out = ctx.Event(), ctx.Queue()
    codes = [f"o{count}_{i:02d}" for i in range(count)]
    procs = [ctx.Process(target=one_office, args=(base / k, url, k, m, go, out)) for k in codes]
    for p in procs:
        p.start()
    spans: list[tuple[float, float]] = []
    ready = 0
    t_go = 0.0
    while len(spans) < count:
        what, kode, a, b = out.get(timeout=900)
        if what == "error":
            go.set()
            raise SystemExit(f"office {kode} failed: {a}")
        if what == "ready":
            ready += 1
            if ready == count:
                t_go = time.time()
                go.set()
        else:
            spans.append((a, b))
    for p in procs:
        p.join(timeout=60)
    return max(b for _, b in spans) - t_go, [b - a for a, b in spans]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--burst", type=int, default=300)
    parser.add_argument("--settle", type=float, default=0.5)
    parser.add_argument("--per-office", type=int, default=40)
    parser.add_argument("--offices", default="1,4,16")
    args = parser.parse_args()
    logging.disable(logging.WARNING)

    with tempfile.TemporaryDirectory(prefix="bench_pg_") as tmp:
        base = Path(tmp)
        cluster = Cluster(base / "pg")
        cluster.start()
        try:
            url = cluster.create_database("sop")
            figures = {}
            for name, database in (("SQLite", ""), ("PostgreSQL", url)):
                use(database, "burst")
                (base / name).mkdir()
                figures[name] = burst(base / name, args.burst, args.settle)
            use("", "")
            print(f"burst of {args.burst} materials under the watcher (settle {args.settle:.2f} s):")
            for name, (wall, cpu, stmts) in figures.items():
                print(f"  {name:<10} {wall * 1000:7.1f} ms per case wall, {cpu * 1000:7.1f} ms CPU "
                      f"(this process), {stmts:6.1f} SQL statements per case")
            (sw, sc, _), (pw, pc, _) = figures["SQLite"], figures["PostgreSQL"]
            print(f"  ratio PostgreSQL / SQLite: {pw / sw:.2f}x wall, {pc / sc:.2f}x CPU "
                  "(goal <= 1.3x; the server's own CPU is not in the CPU figure)")

            print(f"offices at once on one PostgreSQL, {args.per_office} materials each "
                  "(each office its own process; scan):")
            for count in (int(c) for c in args.offices.split(",")):
                (base / f"o{count}").mkdir()
                total, each = offices_at_once(base / f"o{count}", url, count, args.per_office)
                cases = count * args.per_office
                print(f"  {count:>2} office(s): {cases:>4} cases in {total:6.2f} s = "
                      f"{cases / total:6.1f} cases/s total, {cases / total / count:6.2f} per "
                      f"office (each office's own span {min(each):.2f}-{max(each):.2f} s)")
        finally:
            cluster.stop()


if __name__ == "__main__":
    main()
