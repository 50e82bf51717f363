"""Does a year of history slow the watcher down while laporan/index.html is kept current?

Two runs in one process, each on a fresh workspace under the running watcher (native events), the
dashboard refreshed off the hot path by `Service.reports`:

- **no history**: an empty database;
- **history**: 20,000 closed cases of this year (each with its six finished steps) inserted in
  bulk through the database API, and measured once by the refresher before timing starts (as a
  service running all year would have them).

In each: a **burst** of 300 materials dropped at once (first drop to the 300th delivery), then the
**latency** of 30 concept drafts saved one every 0.3 s (save to delivery). Goal: history / no
history <= 1.1x for both, and the dashboard written after each.

Run: `python bench/bench_dashboard.py [--cases 20000] [--burst 300] [--drops 30] [--settle 2.0]`.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_watch import Watching, drop, konsep_files, material, wait
from sop_docs.adapters.db import CaseRow, Database
from sop_docs.bootstrap import load_sop_ref, open_service
from sop_docs.settings import load_settings
from sop_docs.workspace import init_workspace
from tests.driver import fill_concept


def add_history(db: Database, sop_id: str, year: int, cases: int) -> None:
    """`cases` closed cases spread over the year so far, six finished steps each, in one go."""
    start = datetime(year, 1, 2, 8, 0)
    span = max(1, (datetime.now() - start).days - 1)
    gaps = [timedelta(hours=3), timedelta(minutes=30), timedelta(minutes=50),
            timedelta(minutes=5), timedelta(minutes=10)]
    with db.tx():
        for seq in range(1, cases + 1):
            opened = start + timedelta(days=seq * span // cases, minutes=seq % 400)
            cid = f"PIP-{year}-{seq:05d}"
            db.insert_case(CaseRow(cid, sop_id, year, seq, "berkala", f"Riwayat {seq}",
                                   opened.isoformat(), 6, f"{cid}#0", opened.isoformat(),
                                   "closed", None, f"400.14.4.3/{seq}/DISKUMKM/{year}",
                                   ["online", "offline"], "", ""))
            db.add_event(opened.isoformat(), "opened", case_id=cid, role="kabid_kasubag",
                         step_from=1, step_to=2)
            at = opened
            for step, gap in enumerate(gaps, start=2):
                at += gap * (3 if seq % 7 == 0 else 1)
                db.add_event(at.isoformat(), "submitted" if step == 2 else "decided",
                             case_id=cid, step_from=step, step_to=step + 1,
                             decision=None if step == 2 else "Sesuai")
            db.update_case(cid, closed_at=at.isoformat(), step_entered_at=at.isoformat())
        db.set_counter(f"agenda:{sop_id}", year, cases)


def run(history: int, args: argparse.Namespace) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="bench_dash_") as tmp:
        root = (Path(tmp) / "ws").resolve()
        root.mkdir()
        sop = load_sop_ref(load_settings(root).sop_ref, root)
        init_workspace(root, sop)
        svc = open_service(root)
        t = time.perf_counter()
        if history:
            add_history(svc.db, sop.id, svc.now().year, history)
        inserted = time.perf_counter() - t
        svc.process_register()
        svc.close()
        materials = [material(n) for n in range(args.burst)]
        # the service's connection belongs to the watcher's thread
        watcher = Watching(root, mode="native", settle=args.settle, own_service=True,
                           ready_within=120)
        svc = watcher.service
        assert svc is not None
        t = time.perf_counter()
        if not svc.reports.wait_for(1, 600):
            raise SystemExit("the dashboard was never written")
        first = time.perf_counter() - t
        page = root / "laporan" / "index.html"

        inbox, fungsional = root / "inbox" / "kabid_kasubag", root / "outbox" / "fungsional"
        runs = svc.reports.runs
        t0 = time.perf_counter()
        for n, data in enumerate(materials):
            drop(inbox / f"Bahan Informasi {n:03d}.docx", data)
        wait(lambda: len(konsep_files(fungsional)) >= args.burst, 900, "the burst", every=0.05)
        burst = time.perf_counter() - t0
        t = time.perf_counter()
        if not svc.reports.wait_for(runs + 1, 120):
            raise SystemExit("the dashboard did not follow the burst")
        after_burst = time.perf_counter() - t
        assert f'<b id="jumlah-terbuka">{args.burst}</b>' in page.read_text("utf-8")
        time.sleep(args.settle + 3)                      # the register rewrite after the burst

        drafts = sorted(konsep_files(fungsional).items())[: args.drops]
        kabid = root / "outbox" / "kabid_kasubag"
        written = {cid: fill_concept(p.read_bytes(), isi=f"Konsep {cid}.") for cid, p in drafts}
        saved: dict[str, float] = {}
        delivered: dict[str, float] = {}

        def watch_deliveries() -> None:
            end = time.monotonic() + 300
            while len(delivered) < len(drafts) and time.monotonic() < end:
                now = time.perf_counter()
                for cid in konsep_files(kabid):
                    delivered.setdefault(cid, now)
                time.sleep(0.005)

        poller = threading.Thread(target=watch_deliveries, name="poller")
        poller.start()
        for cid, _ in drafts:
            saved[cid] = drop(root / "inbox" / "fungsional" / f"konsep {cid}.docx", written[cid])
            time.sleep(0.3)
        poller.join(timeout=320)
        watcher.close(timeout=120)
        latencies = sorted(delivered[c] - saved[c] for c, _ in drafts)
    return {"inserted": inserted, "first": first, "burst": burst, "after_burst": after_burst,
            "median": statistics.median(latencies), "max": latencies[-1]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--burst", type=int, default=300)
    parser.add_argument("--drops", type=int, default=30)
    parser.add_argument("--settle", type=float, default=2.0)
    args = parser.parse_args()
    bare = run(0, args)
    full = run(args.cases, args)
    for name, r in (("no history", bare), (f"{args.cases} closed cases", full)):
        print(f"{name}: history inserted in {r['inserted']:.1f} s; first dashboard "
              f"{r['first']:.1f} s after start; burst of {args.burst} delivered in "
              f"{r['burst']:.2f} s, dashboard current {r['after_burst']:.2f} s later; latency "
              f"save -> delivery median {r['median']:.3f} s, max {r['max']:.3f} s")
    b = full["burst"] / bare["burst"]
    m = full["median"] / bare["median"]
    print(f"ratio history / no history: burst {b:.2f}x, median latency {m:.2f}x "
          f"(goal <= 1.1x each): {'OK' if max(b, m) <= 1.1 else 'OVER'}")


if __name__ == "__main__":
    main()
