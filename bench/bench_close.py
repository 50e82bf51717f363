"""What closing a case costs with 0 / 2,000 / 20,000 cases already closed in the year.

The claim under test (issue 9): closing costs the same however many cases closed before, because
the year register (`archive/<year>/Register <year>.xlsx`, which grows with the year) is written off
the hot path. Printed next to it, in the same run, what writing that year register costs at each
size: the time a close used to add, and now spends on a thread of its own.

With SOP_BENCH_PROOFS=real each case gets the proofs an office sends (a 12-megapixel phone photo
and a 3-page PDF) instead of a few bytes: what printing them into the bundle's print file costs.

Run: python bench/bench_close.py   (SOP_BENCH_SIZES="0,2000,20000" to change the sizes)
"""

from __future__ import annotations

import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.bench_register import fill_closed
from sop_docs import history
from tests.driver import Office

CLOSES = 3
REAL_PROOFS = os.environ.get("SOP_BENCH_PROOFS") == "real"


def real_proofs(office: Office, case: str) -> None:
    """A phone photo (4000x3000 JPEG) online and a 3-page PDF offline, as staff save them."""
    from io import BytesIO

    from PIL import Image
    from pypdf import PdfWriter

    photo = BytesIO()
    scene = Image.effect_mandelbrot((4000, 3000), (-2.0, -1.5, 1.0, 1.5), 100)  # detail, like a photo
    Image.merge("RGB", (scene, scene.rotate(180), scene.transpose(0))).save(photo, "JPEG", quality=90)
    writer = PdfWriter()
    for _ in range(3):
        writer.add_blank_page(width=595, height=842)
    pdf = BytesIO()
    writer.write(pdf)
    office.save(f"inbox/fungsional/bukti_online/{case} foto.jpg", photo.getvalue())
    office.save(f"inbox/fungsional/bukti_offline/{case} koran.pdf", pdf.getvalue())
    office.scan()


def one_size(n: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        office = Office(Path(tmp) / "ws")
        try:
            fill_closed(office, n, 2026)
            office.svc.history.quiet = 3600.0            # the thread waits: we measure the close
            cases = [office.open_case(f"Bahan {i}") for i in range(CLOSES)]
            for case in cases:
                office.to_step(case, 6)
                real_proofs(office, case) if REAL_PROOFS else office.add_proofs(case)
            times = []
            for case in cases:
                office.decide(case, "Selesai")
                t = time.perf_counter()
                office.svc.process_register()
                times.append(time.perf_counter() - t)
                assert office.svc.db.case(case).status == "closed"
            office.svc.history.close()
            t = time.perf_counter()
            history.write_due(office.svc.ws, office.svc.projection, office.svc.db)
            year = time.perf_counter() - t
            return statistics.median(times), year
        finally:
            office.close()


def main() -> None:
    logging.disable(logging.INFO)
    sizes = [int(x) for x in os.environ.get("SOP_BENCH_SIZES", "0,2000,20000").split(",")]
    print(f"{'closed before':>13} {'close (median)':>15} {'vs none':>8} {'year register':>14}")
    base = None
    for n in sizes:
        close, year = one_size(n)
        base = base or close
        print(f"{n:>13} {close * 1000:>12.0f} ms {close / base:>8.2f} {year:>12.2f} s")


if __name__ == "__main__":
    main()
