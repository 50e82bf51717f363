"""What the database layer (SQLAlchemy Core over sqlite3 or psycopg) costs next to the bare drivers.

The unit is what one step of a case records: in one transaction, a counter taken, an event, a case
row updated and a read of the case back. Timed through `Database` (SQLite, then PostgreSQL) and
through bare `sqlite3` and bare `psycopg` sending the same statements, in the same run.

Run: `python bench/bench_db.py [--steps 3000]` (starts its own throw-away PostgreSQL cluster).
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sop_docs.adapters.db import CaseRow, Database
from sop_docs.adapters.sql import Target, target_of
from tests.pgcluster import Cluster

CASE = CaseRow(id="PIP-2026-0001", sop_id="pip", year=2026, seq=1, kind="berkala", subject="x",
               opened_at="2026-01-05T08:00:00", step=2, step_token="t", step_entered_at="2026-01-05",
               status="open", closed_at=None, letter_number=None, proofs=[], message="", catatan="")


def through_layer(db: Database, steps: int) -> float:
    with db.tx():
        db.insert_case(CASE)
    t = time.perf_counter()
    for i in range(steps):
        with db.tx():
            n = db.next_number("langkah", 2026)
            db.add_event(f"2026-01-05T08:{i % 60:02d}:00", "submitted", case_id=CASE.id,
                         role="fungsional", step_from=2, step_to=3, message=str(n))
            db.update_case(CASE.id, step=3, step_token=f"t{i}")
        assert db.case(CASE.id) is not None
    return (time.perf_counter() - t) / steps


STATEMENTS = [
    ("INSERT INTO counters (name, year, value) VALUES (?, ?, 1) ON CONFLICT (name, year) "
     "DO UPDATE SET value = counters.value + 1 RETURNING value", lambda i: ("langkah", 2026)),
    ("INSERT INTO events (at, case_id, kind, role, step_from, step_to, decision, catatan, source, "
     "message, detail, person, person_title) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
     lambda i: (f"2026-01-05T08:{i % 60:02d}:00", CASE.id, "submitted", "fungsional", 2, 3, None,
                None, None, str(i), "{}", None, "")),
    ("UPDATE cases SET step=?, step_token=? WHERE id=?", lambda i: (3, f"t{i}", CASE.id)),
]


def bare(execute: Callable[[str, tuple[object, ...]], object], begin: str, commit: Callable[[], None],
         steps: int, mark: str) -> float:
    t = time.perf_counter()
    for i in range(steps):
        execute(begin, ())
        for sql, params in STATEMENTS:
            execute(sql.replace("?", mark), params(i))
        commit()
        execute(f"SELECT * FROM cases WHERE id={mark}", (CASE.id,))
    return (time.perf_counter() - t) / steps


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=3000)
    steps = ap.parse_args().steps
    with tempfile.TemporaryDirectory(prefix="sop_bench_db_") as tmp:
        base = Path(tmp)
        lite = Database(Target(url="", path=base / "layer.db"))
        layer_sqlite = through_layer(lite, steps)
        lite.close()
        Database(Target(url="", path=base / "bare.db")).close()      # the same tables
        conn = sqlite3.connect(base / "bare.db", isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("INSERT INTO cases (id, sop_id, year, seq, kind, subject, opened_at, step, "
                     "step_token, step_entered_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                     (CASE.id, "pip", 2026, 1, "berkala", "x", CASE.opened_at, 2, "t", "x"))

        def run_sqlite(sql: str, params: tuple[object, ...]) -> object:
            return conn.execute(sql, params).fetchall()

        bare_sqlite = bare(run_sqlite, "BEGIN IMMEDIATE", lambda: conn.execute("COMMIT"),
                           steps, "?")
        conn.close()

        cluster = Cluster(base / "pg")
        cluster.start()
        try:
            url = cluster.create_database("sop")
            pgdb = Database(target_of(url, "lapisan", base))
            layer_pg = through_layer(pgdb, steps)
            pgdb.close()
            Database(target_of(url, "polos", base)).close()
            raw = psycopg.connect(host="127.0.0.1", port=cluster.port, user="postgres",
                                  dbname="sop", autocommit=True,
                                  options="-c search_path=kantor_polos")
            raw.execute("INSERT INTO cases (id, sop_id, year, seq, kind, subject, opened_at, step, "
                        "step_token, step_entered_at) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
                        (CASE.id, "pip", 2026, 1, "berkala", "x", CASE.opened_at, 2, "t", "x"))

            def run_pg(sql: str, params: tuple[object, ...]) -> object:
                cur = raw.execute(sql, params)
                return cur.fetchall() if cur.description else None

            bare_pg = bare(run_pg, "BEGIN", lambda: raw.execute("COMMIT"), steps, "%s")
            raw.close()
        finally:
            cluster.stop()
    print(f"one recorded step ({steps} steps; counter, event, case update, read back):")
    print(f"  SQLite     through Database {layer_sqlite * 1e3:6.3f} ms   bare sqlite3 "
          f"{bare_sqlite * 1e3:6.3f} ms   ratio {layer_sqlite / bare_sqlite:.2f}x")
    print(f"  PostgreSQL through Database {layer_pg * 1e3:6.3f} ms   bare psycopg "
          f"{bare_pg * 1e3:6.3f} ms   ratio {layer_pg / bare_pg:.2f}x")
    print("  (through Database each transaction also takes the office's transaction lock and, on "
          "PostgreSQL, checks the lease is its own: one more statement)")


if __name__ == "__main__":
    main()
