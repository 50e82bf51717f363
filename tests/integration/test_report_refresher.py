"""The reports under laporan/ follow the database off the hot path: written by `scan`, and under a
watcher by a debounced thread that waits while files settle."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from sop_docs.adapters.db import Database
from sop_docs.refresher import ReportRefresher
from tests.driver import Office

pytestmark = pytest.mark.timeout(120)


def test_scan_writes_the_dashboard_listing_the_case_it_opened(tmp_path: Path) -> None:
    """A case opened by a saved file is on laporan/index.html when the scan ends (the DIP is
    there too, still empty), no temp file left beside them."""
    office = Office(tmp_path / "ws")
    try:
        case = office.open_case("Laporan Kinerja Triwulan")
        page = tmp_path / "ws" / "laporan" / "index.html"
        html = page.read_text("utf-8")
        assert f'data-case="{case}"' in html and "Laporan Kinerja Triwulan" in html
        assert '<b id="jumlah-terbuka">1</b>' in html
        assert sorted(p.name for p in page.parent.iterdir()) == [
            "Daftar Informasi Publik 2026.xlsx", "index.html"]      # no temp file beside them
    finally:
        office.close()


def _refresher(tmp_path: Path, calls: list[int], busy: threading.Event) -> ReportRefresher:
    def writer(db: Database, year: int) -> None:
        db.get_meta("x")                        # the refresher's own connection works
        calls.append(year)

    return ReportRefresher(lambda: Database(tmp_path / "db.sqlite"), [writer], lambda: 2026,
                           quiet=0.2, every=0.5, idle_every=60)


def test_a_burst_of_pokes_is_one_write_after_things_are_quiet(tmp_path: Path) -> None:
    """Fifty changes in quick succession give one write, once no change came for `quiet`."""
    calls: list[int] = []
    r = _refresher(tmp_path, calls, threading.Event())
    r.follow(lambda: False)
    assert r.wait_for(1, 5)                     # the first write at start
    for _ in range(50):
        r.poke()
        time.sleep(0.01)
    assert r.wait_for(2, 5)
    time.sleep(0.8)
    r.close()
    assert calls == [2026, 2026]


def test_nothing_is_written_while_a_file_settles(tmp_path: Path) -> None:
    """While the watch loop says a file is settling the refresher waits; it writes right after."""
    calls: list[int] = []
    settling = threading.Event()
    settling.set()
    r = _refresher(tmp_path, calls, settling)
    r.follow(settling.is_set)
    time.sleep(1.5)
    assert calls == []
    settling.clear()
    assert r.wait_for(1, 5)
    r.close()
    assert calls == [2026]


def test_a_failing_writer_does_not_stop_the_others(tmp_path: Path) -> None:
    """A report that cannot be written is logged; the next writer still runs."""
    calls: list[str] = []

    def broken(_db: Database, _year: int) -> None:
        raise OSError("disk penuh")

    r = ReportRefresher(lambda: Database(tmp_path / "db.sqlite"),
                        [broken, lambda _db, _y: calls.append("dip")], lambda: 2026)
    r.write_now(Database(tmp_path / "db.sqlite"))
    assert calls == ["dip"] and r.runs == 1
