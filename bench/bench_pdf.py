"""Cost of making PDFs: one cold LibreOffice start per document, against a batch of 20 in one start
(`office.convert`) and the kept-alive LibreOffice of `sop_docs.adapters.pdf`, in the same run.

Why: a burst of approvals (and every archive bundle) makes several PDFs; this shows what the
kept-alive office and batching save over `soffice --convert-to pdf` per document.

Run:  python bench/bench_pdf.py [--docs 20] [--cold 20]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sop_docs.adapters import office, pdf  # noqa: E402

TEMPLATES = ROOT / "sop_docs" / "templates"


def documents(n: int) -> list[tuple[str, bytes]]:
    """n real Word files: the shipped templates (kop, tables, logo), cycled."""
    files = sorted(TEMPLATES.glob("*.docx"))
    return [(f"{i:02d} {files[i % len(files)].name}", files[i % len(files)].read_bytes()) for i in range(n)]


def cold(docs: list[tuple[str, bytes]], soffice: Path) -> list[float]:
    """`soffice --convert-to pdf` once per document, each with a fresh profile (as a naive script)."""
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, (_, data) in enumerate(docs):
            src = Path(tmp) / f"d{i}.docx"
            src.write_bytes(data)
            profile = Path(tmp) / f"profile{i}"
            t = time.perf_counter()
            subprocess.run([str(soffice), f"-env:UserInstallation={profile.as_uri()}", "--headless",
                            "--norestore", "--convert-to", "pdf", "--outdir", tmp, str(src)],
                           check=True, capture_output=True, timeout=180)
            times.append(time.perf_counter() - t)
            assert pdf.is_pdf((Path(tmp) / f"d{i}.pdf").read_bytes())
    return times


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=20)
    ap.add_argument("--cold", type=int, default=20, help="documents converted cold (one start each)")
    args = ap.parse_args()
    soffice = office.find_soffice()
    if soffice is None:
        sys.exit(f"LibreOffice not found. {office.INSTALL_HINT}")
    docs = documents(args.docs)

    cold_times = cold(docs[: args.cold], soffice)
    cold_per_doc = statistics.mean(cold_times)

    batch = pdf.PdfConverter(keep_alive=False)
    t = time.perf_counter()
    outs = batch.convert(docs)
    batch_total = time.perf_counter() - t
    assert all(pdf.is_pdf(o) for o in outs)

    alive = pdf.PdfConverter()
    if alive.mode != "kept-alive":
        print("kept-alive LibreOffice unavailable (python3-uno missing); skipping that line")
        alive_start = alive_total = float("nan")
    else:
        t = time.perf_counter()
        alive.convert(docs[:1])                     # start-up plus the first document
        alive_start = time.perf_counter() - t
        t = time.perf_counter()
        outs = alive.convert(docs)
        alive_total = time.perf_counter() - t
        assert all(pdf.is_pdf(o) for o in outs)
        alive.close()

    n = len(docs)
    print(f"PDF conversion of {n} documents on this machine (LibreOffice {soffice})")
    print(f"  cold start per document ({len(cold_times)} runs): {cold_per_doc:6.3f} s/doc "
          f"(min {min(cold_times):.3f}, max {max(cold_times):.3f})")
    print(f"  batch of {n} in one start (office.convert):   {batch_total / n:6.3f} s/doc "
          f"({batch_total:.2f} s total)  -> {cold_per_doc / (batch_total / n):5.1f}x cheaper than cold")
    print(f"  kept-alive office, {n} docs after start-up:    {alive_total / n:6.3f} s/doc "
          f"({alive_total:.2f} s total; start-up + first doc {alive_start:.2f} s once per process)"
          f"  -> {cold_per_doc / (alive_total / n):5.1f}x cheaper than cold")


if __name__ == "__main__":
    main()
