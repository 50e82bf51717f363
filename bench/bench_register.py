"""How long one register decision takes, with 0 / 1,000 / 5,000 closed cases in the year.

The claim under test: closed cases stay out of the hot path, so handling a decision costs the same
however many cases closed before. Next to it, in the same run, the bare cost of what the decision
must do at minimum with openpyxl: read the register and write it back.

Run: python bench/bench_register.py
"""

from __future__ import annotations

import logging
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from openpyxl import load_workbook

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.driver import CORPUS, Office, fill_concept


def fill_closed(office: Office, n: int, year: int = 2025) -> None:
    """`n` closed cases of `year` and their events, written straight into the database."""
    db = office.svc.db
    at = datetime(year, 1, 5, 9).isoformat()
    with db.tx():
        for i in range(n):
            cid = f"PIP-{year}-{i + 1:05d}"
            db.conn.execute(
                "INSERT INTO cases (id, sop_id, year, seq, kind, subject, opened_at, step, step_token, "
                "step_entered_at, status, closed_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (cid, office.svc.sop.id, year, i + 1, "berkala", f"Arsip {i}", at, 6, f"{cid}#0",
                 at, "closed", at))
            for kind in ("opened", "submitted", "decided", "decided", "decided", "decided"):
                db.add_event(at, kind, case_id=cid, step_from=3, step_to=4, message="x" * 60)
        if n:
            db.set_counter(f"agenda:{office.svc.sop.id}", year, n)
            db.year_to_write(year)


def one_decision(office: Office, rounds: int = 8) -> list[float]:
    """Time Sesuai / Belum Sesuai at step 3-4 back and forth (register read, act, rewrite)."""
    case = "PIP-2026-0001"
    times = []
    for i in range(rounds):
        office.decide(case, "Sesuai" if i % 2 == 0 else "Belum Sesuai")
        t = time.perf_counter()
        office.svc.process_register()
        times.append(time.perf_counter() - t)
    return times


def bare_openpyxl(path: Path, rounds: int = 8) -> list[float]:
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        wb = load_workbook(path)
        wb.save(path)
        times.append(time.perf_counter() - t)
    return times


def main() -> None:
    logging.disable(logging.INFO)
    print(f"{'closed cases':>12} {'decision median':>16} {'bare openpyxl':>14} {'ratio':>6}")
    for n in (0, 1000, 5000):
        with tempfile.TemporaryDirectory() as tmp:
            office = Office(Path(tmp) / "ws")
            fill_closed(office, n)
            for i, name in enumerate(("tables.docx", "simple-list.docx", "footnotes.docx")):
                office.save(f"inbox/kabid_kasubag/Bahan {i}.docx", CORPUS / name)  # 3 open cases
            office.scan()
            skeleton = office.root / "outbox/fungsional/PIP-2026-0001 - Konsep - Bahan 0.docx"
            office.save("inbox/fungsional/k.docx", fill_concept(skeleton.read_bytes()))
            office.scan()
            d = statistics.median(one_decision(office))
            copy = Path(tmp) / "copy.xlsx"
            copy.write_bytes((office.root / "register.xlsx").read_bytes())
            b = statistics.median(bare_openpyxl(copy))
            print(f"{n:>12} {d * 1000:>13.1f} ms {b * 1000:>11.1f} ms {d / b:>6.2f}")
            office.close()


if __name__ == "__main__":
    main()
