"""How long the whole annual report takes with 20,000 closed cases in the year (goal: < 30 s).

The database is filled for the bench only, through the service's own database API in one
transaction: each case opened, its concept submitted, three reviews (some returned with a Catatan,
then done again), published and closed, at times spread over the year, some steps late. Then the
figures alone, the charts alone and the whole `write_report` (figures, charts, docxtpl, the
atomic write) are timed, next to reading the events table bare with sqlite3.

Run: python bench/bench_laporan.py [CASES]
"""

from __future__ import annotations

import logging
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from sop_docs import laporan
from sop_docs.adapters.db import CaseRow
from tests.driver import Clock, Office

NOTES = ("Lengkapi dasar hukum.", "Perbaiki angka.", "Sesuaikan judul.", "Tambahkan kontak.")


def fill(office: Office, n: int, year: int) -> None:
    """`n` closed cases of `year` with their step events, written straight into the database."""
    db, sop = office.svc.db, office.svc.sop
    rng = random.Random(7)
    with db.tx():
        for i in range(n):
            cid = f"{sop.case_prefix}-{year}-{i + 1:05d}"
            kind = "serta_merta" if rng.random() < 0.2 else "berkala"
            at = datetime(year, 1, 2, 8) + timedelta(minutes=rng.randrange(0, 340 * 24 * 60))
            opened = at
            events: list[tuple] = [(at, "opened", 1, None, None)]
            step = 2
            while step <= 6:
                at += timedelta(minutes=rng.choice((5, 20, 45, 90, 600, 1700)))
                if step == 2:
                    events.append((at, "submitted", 2, None, None))
                    step = 3
                elif step < 6 and rng.random() < 0.1:
                    events.append((at, "decided", step, "Belum Sesuai", rng.choice(NOTES)))
                    step = 2 if step == 3 else 3
                else:
                    events.append((at, "decided", step, "Selesai" if step == 6 else "Sesuai", ""))
                    step += 1
            db.insert_case(CaseRow(cid, sop.id, year, i + 1, kind, f"Bahan {i}", opened.isoformat(),
                                   6, f"{cid}#0", at.isoformat(), "closed", at.isoformat(), None,
                                   [], "", ""))
            for when, k, frm, decision, catatan in events:
                db.add_event(when.isoformat(), k, case_id=cid, step_from=frm, decision=decision,
                             catatan=catatan)
        db.set_counter(f"agenda:{sop.id}", year, n)


def main() -> None:
    logging.disable(logging.WARNING)
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    year = 2026
    with tempfile.TemporaryDirectory() as tmp:
        office = Office(Path(tmp) / "ws", Clock(datetime(year + 1, 1, 10, 9)))
        t = time.perf_counter()
        fill(office, n, year)
        print(f"filled {n} closed cases in {time.perf_counter() - t:.1f} s")
        svc = office.svc
        t = time.perf_counter()
        rows = svc.db.conn.execute("SELECT * FROM events").fetchall()
        bare = time.perf_counter() - t
        t = time.perf_counter()
        fig = laporan.year_figures(svc.db, svc.sop, svc.calendar, year)
        figures = time.perf_counter() - t
        t = time.perf_counter()
        laporan.charts(fig, svc.sop)
        charts = time.perf_counter() - t
        t = time.perf_counter()
        path = laporan.write_report(svc, year)
        whole = time.perf_counter() - t
        office.close()
        print(f"events read bare (sqlite3, {len(rows)} rows): {bare:6.2f} s")
        print(f"figures (read + compute, {fig.steps_measured} steps): {figures:6.2f} s")
        print(f"charts (4 PNG, matplotlib):                  {charts:6.2f} s")
        print(f"whole report (write_report):                 {whole:6.2f} s  "
              f"({path.stat().st_size // 1024} KiB){'  OK < 30 s' if whole < 30 else '  TOO SLOW'}")
        print(f"announcements {fig.closed}, returns {sum(r.count for r in fig.returns)}, "
              f"on time {fig.steps_on_time}/{fig.steps_measured}")


if __name__ == "__main__":
    main()
