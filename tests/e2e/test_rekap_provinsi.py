"""The province's view of a year: `sop-docs laporan --semua-kantor` over three real offices on one
PostgreSQL database, made by the service's own role and again by the province's read-only role
(docs/provinsi-readonly.sql), checked against what the offices did, printed by LibreOffice."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import psycopg
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from sop_docs.adapters import office as lo
from sop_docs.rekap import COLUMNS, HEADER_ROW, recap_name
from tests.driver import Office
from tests.e2e.test_dip import close_case
from tests.e2e.test_offices import READONLY_SQL, plain, sop_docs

YEAR = 2026
# office -> (cases opened in the year, of which closed); "tengah"'s one case waits a month at its
# step 2; "timur" also closes in the year a case it opened the year before (late at its step 2)
PLAN = {"barat": (3, 2), "tengah": (1, 0), "timur": (2, 1)}
LATE = {"barat": 0, "tengah": 1, "timur": 1}
FROM_LAST_YEAR = {"barat": 0, "tengah": 0, "timur": 1}
HEADINGS = [h for h, _ in COLUMNS]


@pytest.fixture(scope="module")
def offices(pg_cluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The three offices driven through the service, each a workspace and a schema; an office
    listed without a schema; (database URL, the workspaces' folder)."""
    url = pg_cluster.create_database("rekap")
    base = tmp_path_factory.mktemp("rekap")
    saved = {k: os.environ.get(k) for k in ("SOP_DOCS_DATABASE", "SOP_DOCS_KANTOR")}
    try:
        for kode, (opened, closed) in PLAN.items():
            os.environ.update(SOP_DOCS_DATABASE=url, SOP_DOCS_KANTOR=kode)
            o = Office(base / kode)
            if FROM_LAST_YEAR[kode]:
                o.clock.now = datetime(YEAR - 1, 12, 29, 9, 0)
                old = o.open_case(f"Lama {kode}")
                o.clock.now = datetime(YEAR, 11, 23, 9, 0)
                o.to_step(old, 6)
                o.add_proofs(old)
                o.decide(old, "Selesai")
                o.scan()
                assert o.svc.db.case(old).status == "closed"
            for i in range(closed):
                close_case(o, f"Selesai {kode} {i}")
            for i in range(opened - closed):
                case = o.open_case(f"Terbuka {kode} {i}")
                if kode == "tengah":
                    o.clock.advance(days=30)
                    o.to_step(case, 3)          # the concept, a month late
            o.close()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    pg_cluster.psql("INSERT INTO public.sop_docs_kantor (kode, skema, ditambah) VALUES "
                    "('hilang', 'kantor_hilang', '2026-01-01'), "
                    "('X; DROP TABLE x', 'x', '2026-01-01')", "rekap")
    yield url, base


def step_counts(url: str, kode: str) -> int:
    """The steps that ended in the year, counted from the office's events table."""
    with psycopg.connect(url.replace("+psycopg", "")) as conn:
        return conn.execute(
            f"SELECT COUNT(*) FROM kantor_{kode}.events WHERE kind IN ('opened', 'submitted', "
            "'decided') AND step_from IS NOT NULL AND at LIKE %s", (f"{YEAR}-%",)).fetchone()[0]


def rows_of(xlsx: Path) -> dict[str, dict[str, object]]:
    ws = load_workbook(xlsx)["Rekap Provinsi"]
    assert [c.value for c in ws[HEADER_ROW]] == HEADINGS
    assert ws.freeze_panes == f"B{HEADER_ROW + 1}"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    assert not any(isinstance(c.value, str) and c.value.startswith("=")
                   for row in ws.iter_rows() for c in row)
    out = {}
    for row in ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True):
        if row[0] and not str(row[0]).startswith("Catatan"):
            out[row[0]] = dict(zip(HEADINGS, row, strict=True))
    return out


def check_recap(xlsx: Path, url: str) -> None:
    rows = rows_of(xlsx)
    assert list(rows) == ["barat", "hilang", "tengah", "timur", "Jumlah"]
    steps = {kode: step_counts(url, kode) for kode in PLAN}
    for kode, (opened, closed) in PLAN.items():
        late = LATE[kode]
        on_time = steps[kode] - late
        assert rows[kode] == {
            "Kantor": kode, "Kasus Masuk": opened, "Selesai": closed + FROM_LAST_YEAR[kode],
            "Masih Terbuka": opened - closed, "Tahap Diukur": steps[kode],
            "Tahap Tepat Waktu": on_time, "Tahap Terlambat": late,
            "Tepat Waktu (%)": f"{100 * on_time / steps[kode]:.1f}".replace(".", ",") + "%",
            "Dikembalikan": 0, "Keterangan": None}, kode
    assert str(rows["hilang"]["Keterangan"]).startswith("tidak terbaca: ")
    assert rows["hilang"]["Kasus Masuk"] is None
    total = rows["Jumlah"]
    assert (total["Kasus Masuk"], total["Selesai"], total["Masih Terbuka"]) == (6, 4, 3)
    assert total["Tahap Diukur"] == sum(steps.values()) and total["Tahap Terlambat"] == 2
    assert total["Keterangan"] == "tanpa 1 kantor yang tidak terbaca"


def contents(url: str) -> dict[str, str]:
    """Every table of every schema of the database, as a digest of its rows (and the list of
    relations): what `nothing was written` is checked against."""
    out = {}
    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as conn:
        tables = conn.execute("SELECT table_schema, table_name FROM information_schema.tables "
                              "WHERE table_schema = 'public' OR table_schema LIKE 'kantor%' "
                              "ORDER BY 1, 2").fetchall()
        for schema, table in tables:
            out[f"{schema}.{table}"] = conn.execute(
                f'SELECT md5(COALESCE(string_agg(t::text, \'|\' ORDER BY t::text), \'\')) '
                f'FROM "{schema}"."{table}" t').fetchone()[0]
    return out


@pytest.mark.postgresql
def test_the_recap_holds_every_office_and_the_total(offices) -> None:
    url, base = offices
    env = {"SOP_DOCS_DATABASE": plain(url), "SOP_DOCS_KANTOR": "barat"}
    r = sop_docs("laporan", "--semua-kantor", "--tahun", str(YEAR), str(base / "barat"), env=env)
    assert r.returncode == 0, r.stderr
    xlsx = base / "barat" / "laporan" / recap_name(YEAR)
    assert f"wrote {xlsx}" in r.stdout
    check_recap(xlsx, url)
    assert not (base / "barat" / "laporan" / "Laporan Layanan Informasi Publik 2026.docx").exists()

    (pdf,) = lo.convert([xlsx], "pdf", base / "pdf")
    reader = PdfReader(pdf)
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    for kode in ("barat", "hilang", "tengah", "timur", "Jumlah", "Rekap Layanan Informasi Publik"):
        assert kode in text, text


@pytest.mark.postgresql
def test_the_province_read_only_role_makes_it_and_writes_nothing(offices, pg_cluster,
                                                                  tmp_path) -> None:
    url, _base = offices
    pg_cluster.psql("\\set owner postgres\n" + READONLY_SQL.read_text(), "rekap")
    province = f"postgresql://ppid_provinsi@127.0.0.1:{pg_cluster.port}/rekap"
    before = contents(url)
    assert {"kantor_barat.cases", "kantor_timur.events", "public.sop_docs_kantor"} <= set(before)
    reader = tmp_path / "provinsi"
    assert sop_docs("init", str(reader), env={}).returncode == 0   # the province's own workspace
    env = {"SOP_DOCS_DATABASE": province, "SOP_DOCS_KANTOR": "provinsi"}
    r = sop_docs("laporan", "--semua-kantor", "--tahun", str(YEAR), str(reader), env=env)
    assert r.returncode == 0, r.stderr
    check_recap(reader / "laporan" / recap_name(YEAR), url)
    assert contents(url) == before
    listed = pg_cluster.psql("SELECT string_agg(kode, ',' ORDER BY kode) FROM sop_docs_kantor",
                             "rekap").strip()
    assert "provinsi" not in listed             # reading adds no office


def test_with_sqlite_it_says_postgresql_is_needed(tmp_path) -> None:
    ws = tmp_path / "kantor"
    assert sop_docs("init", str(ws), env={}).returncode == 0
    r = sop_docs("laporan", "--semua-kantor", str(ws), env={})
    assert r.returncode == 6, r.stderr
    assert "membutuhkan PostgreSQL" in r.stderr and "needs PostgreSQL" in r.stderr
    assert "Traceback" not in r.stderr
    assert not (ws / "laporan" / recap_name(YEAR)).exists()
