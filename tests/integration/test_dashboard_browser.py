"""The dashboard opened in a real headless Chromium: what it shows equals the database, it asks
for nothing over the network, and it prints on A4 with every table whole."""

from __future__ import annotations

import re
import subprocess
from datetime import datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from pypdf import PdfReader

from sop_docs import dashboard
from sop_docs.adapters.db import CaseRow, Database
from sop_docs.bootstrap import load_sop_ref
from sop_docs.core.calendar import WorkCalendar, clock_for
from sop_docs.kendali import control_rows
from tests.browser import Catcher, run

pytestmark = pytest.mark.timeout(300)

SOP = load_sop_ref("pengumuman_informasi_publik")
CAL = WorkCalendar()
NOW = datetime(2026, 11, 25, 10, 0)          # a Wednesday
HOSTILE = ('<script>fetch("http://evil.test/x")</script><img src="http://evil.test/p.png">'
           '<link rel="stylesheet" href="http://evil.test/s.css"> & "kutip"')


def _case(db: Database, seq: int, kind: str, opened: datetime, subject: str) -> str:
    cid = f"PIP-2026-{seq:04d}"
    db.insert_case(CaseRow(cid, "pengumuman-informasi-publik", 2026, seq, kind, subject,
                           opened.isoformat(), 2, f"{cid}#0", opened.isoformat(), "open", None,
                           None, [], "", ""))
    db.add_event(opened.isoformat(), "opened", case_id=cid, role="kabid_kasubag", step_from=1,
                 step_to=2)
    return cid


def _walk(db: Database, cid: str, start: datetime, gaps: list[timedelta], close: bool) -> None:
    """The case goes from step 2 through the chain, each step taking its gap."""
    at, step = start, 2
    for gap in gaps:
        at += gap
        kind = "submitted" if step == 2 else "decided"
        decision = None if step == 2 else ("Selesai" if step == 6 else "Sesuai")
        db.add_event(at.isoformat(), kind, case_id=cid, step_from=step, step_to=step + 1,
                     decision=decision)
        step += 1
        fields: dict[str, object] = {"step": min(step, 6), "step_entered_at": at.isoformat()}
        if step > 6 and close:
            fields.update(status="closed", closed_at=at.isoformat())
        db.update_case(cid, **fields)


def build(db: Database) -> None:
    """Closed cases over the year (some steps late), open cases at every step (some late)."""
    seq = 0
    with db.tx():
        for month in range(1, 12):
            for n in range(3 + month % 3):
                seq += 1
                opened = datetime(2026, month, 3 + n, 8, 0)
                cid = _case(db, seq, "serta_merta" if n == 2 else "berkala", opened, f"Kasus {seq}")
                slow = timedelta(hours=5) if (seq % 4 == 0) else timedelta(minutes=40)
                _walk(db, cid, opened, [timedelta(hours=3), timedelta(minutes=30), slow,
                                        timedelta(minutes=5), timedelta(minutes=10)], close=True)
        for k in range(6):
            seq += 1
            opened = NOW - timedelta(days=k * 2, hours=1)
            cid = _case(db, seq, "berkala", opened, HOSTILE if k == 0 else f"Terbuka {k}")
            _walk(db, cid, opened, [timedelta(minutes=20)] * (k % 4), close=False)


def expected(db: Database) -> dict[str, object]:
    """The same figures computed independently: each case's Lembar Kendali rows, and each open
    case's deadline on its kind's clock."""
    month: dict[int, list[int]] = {}
    year: dict[int, list[int]] = {}
    by_month: dict[int, list[int]] = {}
    for c in db.all_cases():
        for r in control_rows(SOP, db.events(c.id), datetime.fromisoformat(c.opened_at), CAL, {},
                              kind=c.kind):
            if r.selesai.year != 2026:
                continue
            for bucket, key in ((year, r.step), (by_month, r.selesai.month)):
                bucket.setdefault(key, [0, 0])[0] += 1
                bucket[key][1] += int(r.late)
            if r.selesai.month == NOW.month:
                month.setdefault(r.step, [0, 0])[0] += 1
                month[r.step][1] += int(r.late)
    late_open = 0
    for c in db.open_cases():
        step = SOP.step(c.step)
        deadline = clock_for(SOP, c.kind, CAL).deadline(
            datetime.fromisoformat(c.step_entered_at), step.time)
        late_open += deadline < NOW
    return {"open": len(db.open_cases()), "late": late_open, "month": month, "year": year,
            "by_month": by_month}


class Dom(HTMLParser):
    """Every element's attributes and text, by id, and the rows carrying data-* figures."""

    def __init__(self) -> None:
        super().__init__()
        self.text: dict[str, str] = {}
        self.cells: list[dict[str, str]] = []
        self.rows: list[dict[str, str]] = []
        self.scripts = 0
        self._open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag in ("script", "iframe", "object", "embed") or (tag == "img" and "src" in a):
            self.scripts += 1
        if tag == "td" and "data-period" in a:
            self.cells.append(a)
        if tag == "tr" and "data-month" in a:
            self.rows.append(a)
        if tag == "b" and "id" in a:
            self._open.append(a["id"])
            self.text[a["id"]] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "b" and self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        if self._open:
            self.text[self._open[-1]] += data


@pytest.fixture
def page(tmp_path: Path) -> tuple[Path, Database]:
    db = Database(tmp_path / "sop_docs.sqlite")
    build(db)
    target = dashboard.write(db, SOP, CAL, tmp_path / "laporan" / "index.html", year=2026,
                             now=NOW, office="DINAS <KOPERASI>",
                             berkala=[("Laporan Keuangan <Semester>", "6 bulan",
                                       datetime(2026, 7, 31).date(), "PIP-2026-0003", True)])
    return target, db


def test_the_dashboard_in_chromium_shows_the_databases_figures_and_a_screenshot(
        page: tuple[Path, Database], tmp_path: Path) -> None:
    """Screenshot taken; open and late counts, and every step's finished/late counts this month
    and this year, in the DOM Chromium built, equal an independent count from the events."""
    path, db = page
    want = expected(db)
    catcher = Catcher()
    try:
        shot = tmp_path / "dasbor.png"
        run(path, catcher, f"--screenshot={shot}", "--window-size=1100,1600")
        dom_text = run(path, catcher, "--dump-dom")
    finally:
        catcher.close()
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    from PIL import Image
    assert Image.open(shot).convert("L").getextrema()[0] < 100     # not a blank page
    dom = Dom()
    dom.feed(dom_text)
    assert int(dom.text["jumlah-terbuka"]) == want["open"] == 6
    assert int(dom.text["jumlah-terlambat"]) == want["late"]
    assert 0 < want["late"] < want["open"]
    assert len(dom.cells) == 2 * len(SOP.steps)
    cells = {(c["data-period"], i // 2 + 1): (int(c["data-total"]), int(c["data-late"]))
             for i, c in enumerate(dom.cells)}
    for step in SOP.steps:
        assert cells[("bulan", step)] == tuple(want["month"].get(step, [0, 0])), step
        assert cells[("tahun", step)] == tuple(want["year"].get(step, [0, 0])), step
    months = {int(r["data-month"]): (int(r["data-total"]), int(r["data-late"])) for r in dom.rows}
    assert months == {m: tuple(want["by_month"].get(m, [0, 0])) for m in range(1, 13)}
    assert sum(late for _, late in months.values()) > 0
    total = sum(t for t, _ in want["year"].values())
    late = sum(x for _, x in want["year"].values())
    assert dom.text["persen-tahun"] == f"{100 * (total - late) / total:.1f}".replace(".", ",") + "%"
    assert dom.scripts == 0                               # the hostile Perihal stayed text
    assert "&lt;script&gt;fetch(" in dom_text            # shown as the words it is
    assert "Laporan Keuangan &lt;Semester&gt;" in dom_text and "DINAS &lt;KOPERASI&gt;" in dom_text


def test_no_request_leaves_the_page_while_an_unprotected_page_is_caught(
        page: tuple[Path, Database], tmp_path: Path) -> None:
    """Every host resolves to a local listener and the proxy is that listener: the dashboard
    (a hostile Perihal included) reaches it never; a page with a remote picture and no
    Content-Security-Policy does, so the listener would have seen a leak."""
    path, _db = page
    html = path.read_text("utf-8")
    assert ('<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
            "style-src 'unsafe-inline'; img-src data:\">") in html
    assert "<script" not in html and "<img" not in html and "<link" not in html
    catcher = Catcher()
    try:
        run(path, catcher, "--dump-dom")
        run(path, catcher, f"--print-to-pdf={tmp_path / 'p.pdf'}", "--no-pdf-header-footer")
        assert catcher.page_requests() == []
        assert not any(b"evil.test" in s for s in catcher.seen)
        leaky = tmp_path / "leaky.html"
        leaky.write_text('<html><body><img src="http://leak.test/a.png"></body></html>')
        run(leaky, catcher, "--dump-dom")
        assert any(b"leak.test" in s for s in catcher.page_requests())
    finally:
        catcher.close()


def test_the_dashboard_prints_on_a4_with_every_column_on_the_page(
        page: tuple[Path, Database], tmp_path: Path) -> None:
    """Printed by Chromium: A4 pages, few of them, and every table's last column (its header
    and each open case's status) inside the page's width."""
    path, db = page
    pdf = tmp_path / "dasbor.pdf"
    catcher = Catcher()
    try:
        run(path, catcher, f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
    finally:
        catcher.close()
    reader = PdfReader(pdf)
    assert 1 <= len(reader.pages) <= 4
    for p in reader.pages:
        w, h = float(p.mediabox.width), float(p.mediabox.height)
        assert abs(w - 595.3) < 2 and abs(h - 841.9) < 2, (w, h)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          check=True).stdout.decode()
    words = " ".join(text.split())
    for last_column in ("Status", "terdekat", "tahun ini", "Tepat waktu"):  # each table's last
        assert last_column in words
    for c in db.open_cases():
        assert c.id in text
    assert text.count("Terlambat") >= expected(db)["late"]
    bbox = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True,
                          check=True).stdout.decode()
    right = [float(x) for x in re.findall(r'xMax="([\d.]+)"', bbox)]
    assert right and max(right) <= 595.3 - 20          # nothing runs past the right margin
