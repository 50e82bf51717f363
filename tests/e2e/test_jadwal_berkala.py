"""The berkala schedule as the office sees it: items listed in sop.toml, one picked for a case in
the Disposisi sheet, the case closed, and the register's Jadwal Berkala sheet showing who
fulfilled what and when it is next due; an item never announced is Terlambat."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from sop_docs.bootstrap import open_service
from sop_docs.errors import InvalidSettings
from tests.driver import Office

BERKALA = """
[[berkala]]
judul = "Ringkasan Laporan Keuangan"
periode = "6 bulan"

[[berkala]]
judul = "Prosedur Evakuasi Keadaan Darurat"
periode = [1, 7]
mulai = 2026-01-01

[[berkala]]
judul = "Ringkasan Laporan Keuangan Semester I 2026"
periode = "tahunan"
role = "kabid_kasubag"
"""


def with_berkala(root: Path, text: str = BERKALA) -> Office:
    """A workspace whose sop.toml lists `text`'s [[berkala]] items (the service restarted)."""
    office = Office(root)
    office.close()
    with (root / "sop.toml").open("a", encoding="utf-8") as f:
        f.write(text)
    office.svc = open_service(root, clock=office.clock)
    office.svc.process_register()
    return office


@pytest.fixture
def office(tmp_path: Path):
    o = with_berkala(tmp_path / "ws")
    yield o
    o.close()


def schedule(office: Office) -> dict[str, dict[str, object]]:
    """The Jadwal Berkala sheet of register.xlsx, by item, with the Status cell's fill."""
    wb = load_workbook(office.root / "register.xlsx")
    ws = wb["Jadwal Berkala"]
    header = [c.value for c in ws[1]]
    out = {}
    for row in ws.iter_rows(min_row=2):
        values = dict(zip(header, (c.value for c in row), strict=True))
        values["fill"] = row[header.index("Status")].fill.fgColor.rgb
        out[str(values["Informasi Berkala"])] = values
    assert ws.protection.sheet, "the generated sheet is locked"
    wb.close()
    return out


def close(office: Office, case: str) -> None:
    office.to_step(case, 6)
    office.add_proofs(case)
    office.decide(case, "Selesai")
    office.scan()
    assert office.svc.db.case(case).status == "closed", office.rows().get(case)


def test_an_item_picked_in_the_disposisi_sheet_is_fulfilled_when_its_case_closes(office):
    case = office.open_case("Bahan laporan keuangan")
    before = schedule(office)["Ringkasan Laporan Keuangan"]
    assert (before["Jatuh Tempo Berikutnya"], before["Status"]) == ("31 Desember 2026",
                                                                    "Terjadwal")
    assert before["Disiapkan oleh"] == "Fungsional", "the writer of the concept by default"
    office.dispose(case, berkala="Ringkasan Laporan Keuangan")
    office.scan()
    assert office.svc.db.case(case).details.berkala == "Ringkasan Laporan Keuangan"
    assert ("berkala_chosen", None) in office.events(case)
    close(office, case)
    row = schedule(office)["Ringkasan Laporan Keuangan"]
    assert row["Terakhir Dipenuhi (No. Agenda)"] == case
    assert row["Tanggal Dipenuhi"] == "23 November 2026"
    assert (row["Jatuh Tempo Berikutnya"], row["Status"]) == ("30 Juni 2027", "Terjadwal")
    # the pick won: the Perihal names another item, which stays unfulfilled
    other = schedule(office)["Ringkasan Laporan Keuangan Semester I 2026"]
    assert other["Terakhir Dipenuhi (No. Agenda)"] in (None, "")


def test_with_nothing_picked_a_berkala_case_whose_perihal_is_the_title_fulfils_it(office):
    case = office.open_case("Bahan semester")
    close(office, case)       # the concept's title: Ringkasan Laporan Keuangan Semester I 2026
    row = schedule(office)["Ringkasan Laporan Keuangan Semester I 2026"]
    assert row["Terakhir Dipenuhi (No. Agenda)"] == case
    assert row["Jatuh Tempo Berikutnya"] == "31 Desember 2027"
    assert row["Disiapkan oleh"] == "Kabid/Kasubag"


def test_an_item_never_announced_since_its_start_is_terlambat_and_highlighted(office):
    row = schedule(office)["Prosedur Evakuasi Keadaan Darurat"]
    assert (row["Periode"], row["Jatuh Tempo Berikutnya"], row["Status"]) == (
        "Januari, Juli", "31 Januari 2026", "Terlambat")
    assert row["fill"].endswith("F8CBAD")
    assert schedule(office)["Ringkasan Laporan Keuangan"]["fill"] != row["fill"]


def test_the_disposisi_column_offers_the_items_and_refuses_a_title_not_listed(office):
    case = office.open_case("Bahan lain")
    path = sorted((office.root / "keputusan" / "kabid_kasubag").glob("Register *.xlsx"))[0]
    wb = load_workbook(path)
    ws = wb["Disposisi"]
    assert ws.cell(1, 10).value == "Jadwal Berkala"
    (dv,) = [d for d in ws.data_validations.dataValidation if "J2" in str(d.sqref)]
    assert dv.formula1 == "'Jadwal Berkala'!$A$2:$A$4" and dv.showErrorMessage
    assert [r[0] for r in wb["Jadwal Berkala"].iter_rows(min_row=2, values_only=True)] == [
        "Ringkasan Laporan Keuangan", "Prosedur Evakuasi Keadaan Darurat",
        "Ringkasan Laporan Keuangan Semester I 2026"]
    wb.close()
    office.dispose(case, berkala="Laporan Keuangan")         # typed past the dropdown
    office.scan()
    assert office.svc.db.case(case).details.berkala == ""
    assert "tidak ada dalam daftar jadwal berkala" in str(
        office.rows()[case]["Pesan Sistem"])
    office.dispose(case, berkala="ringkasan laporan  keuangan")   # case and spacing aside
    office.scan()
    assert office.svc.db.case(case).details.berkala == "Ringkasan Laporan Keuangan"


def test_a_typo_in_sop_toml_stops_the_start_with_the_line_named(tmp_path):
    office = Office(tmp_path / "ws")
    office.close()
    text = (tmp_path / "ws" / "sop.toml").read_text("utf-8")
    line = text.count("\n") + 3
    with (tmp_path / "ws" / "sop.toml").open("a", encoding="utf-8") as f:
        f.write('\n\n[[berkala]]\njudul = "Profil Dinas"\nperiode = "6 bulam"\n')
    with pytest.raises(InvalidSettings, match=rf"sop.toml: line {line} \(\[\[berkala\]\] number "
                                              r"1\): periode '6 bulam' is not understood"):
        open_service(tmp_path / "ws", clock=office.clock)


def test_without_berkala_items_the_register_has_no_schedule_and_the_column_is_locked(tmp_path):
    office = Office(tmp_path / "ws")
    try:
        office.open_case("Bahan")
        path = sorted((office.root / "keputusan" / "kabid_kasubag").glob("Register *.xlsx"))[0]
        wb = load_workbook(path)
        assert "Jadwal Berkala" not in wb.sheetnames
        assert wb["Disposisi"].cell(2, 10).protection.locked
        wb.close()
    finally:
        office.close()


def test_a_disposisi_sheet_written_before_the_column_reads_no_pick(tmp_path):
    """A register saved by the version before the Jadwal Berkala column: its Pesan Sistem (now
    where the column is) is not taken for a pick, and what each row showed is still read."""
    from datetime import date

    from openpyxl import Workbook

    from sop_docs.adapters import disposisi_sheet

    wb = Workbook()
    values = {"judul": "Profil", "jenis": "Berkala", "surat_dari": "", "nomor_surat": "",
              "tanggal_surat": date(2026, 11, 2), "diteruskan": "Siti", "catatan": "",
              "berkala": ""}
    disposisi_sheet.add_sheet(wb, [disposisi_sheet.DisposisiRow(
        "PIP-2026-0001", "1 - Disposisi", values, "Disposisi diperbarui.")], ["Berkala"], [])
    wb["Disposisi"].delete_cols(10)                   # the layout before the column
    wb.save(tmp_path / "old.xlsx")
    (cell,) = disposisi_sheet.read(tmp_path / "old.xlsx")
    assert cell.values["berkala"] == "" and cell.values["diteruskan"] == "Siti"
    assert cell.written is not None and cell.written["judul"] == "Profil"
