"""The DIP's rows as data: the group a kind or a typed Jenis means, the forms a case's proofs show,
the settings' defaults, and the order of the groups."""

from __future__ import annotations

from datetime import datetime

from sop_docs.core import dip


def test_a_jenis_is_recognised_however_it_is_typed():
    """Kind keys, kind names and what an office types all find their group; nonsense finds none."""
    assert dip.jenis_of("serta_merta") == dip.jenis_of("Serta-Merta") == dip.SERTA_MERTA
    assert dip.jenis_of(" BERKALA ") == dip.jenis_of("Berkala (6 bulan)") == dip.BERKALA
    assert dip.jenis_of("setiap saat") == dip.SETIAP_SAAT
    assert dip.jenis_of("Dikecualikan") is None


def test_the_forms_follow_the_proofs_received():
    """bukti_offline is printed (Cetak), bukti_online is online; a missing proof is '-'."""
    assert dip.bentuk(["bukti_online", "bukti_offline"]) == ("Ya", "Ya")
    assert dip.bentuk(["bukti_online"]) == ("-", "Ya")
    assert dip.bentuk(["bukti_offline"]) == ("Ya", "-")
    assert dip.bentuk([]) == ("-", "-")


def test_settings_default_to_the_office_and_the_kepala_dinas():
    """Empty [laporan] values fall back to the office's name and the Kepala Dinas's jabatan."""
    raw = {"office": {"nama": "DINAS KOPERASI, USAHA KECIL DAN MENENGAH", "kota": "Pontianak"},
           "officials": {"kepala_dinas": {"jabatan": "Kepala Dinas"}},
           "laporan": {"dip_retensi": "", "ppid_nama": "Siti Aminah", "ppid_nip": "1980"}}
    s = dip.DipSettings.from_raw(raw)
    assert s.pejabat == "Dinas Koperasi, Usaha Kecil dan Menengah"
    assert s.penanggung_jawab == "Kepala Dinas"
    assert s.retensi == dip.DEFAULT_RETENSI
    assert s.ppid == dip.Signer(dip.DEFAULT_PPID_JABATAN, "Siti Aminah", "", "1980")


def test_cases_then_office_rows_in_each_group_in_print_order():
    """Berkala, Serta Merta, Setiap Saat; a case's rows before the office's; an office row with
    no or an unknown Jenis is Setiap Saat, and one without Ringkasan is no row."""
    s = dip.DipSettings.from_raw({"office": {"nama": "Dinas", "kota": "Pontianak"}})
    case = dip.case_row(dip.ClosedCase("PIP-2026-0001", "serta_merta", "Serta Merta", "Banjir",
                                       datetime(2026, 11, 24, 10), ["bukti_online"], "400/1"),
                        s, lambda d: f"{d:%d-%m-%Y}")
    assert case.waktu_tempat == "24-11-2026, Pontianak"
    assert case.keterangan == "No. Agenda PIP-2026-0001; Nomor 400/1"
    own = [dip.office_row({"jenis": "serta merta", "ringkasan": "Peringatan Dini"}),
           dip.office_row({"jenis": "", "ringkasan": "Renstra"}),
           dip.office_row({"jenis": "Lain", "ringkasan": "DPA"})]
    assert dip.office_row({"jenis": "Berkala", "ringkasan": "  "}) is None
    groups = dip.grouped([case], [r for r in own if r])
    assert [(k, [r.ringkasan for r in rows]) for k, _, _, rows in groups] == [
        (dip.BERKALA, []), (dip.SERTA_MERTA, ["Banjir", "Peringatan Dini"]),
        (dip.SETIAP_SAAT, ["Renstra", "DPA"])]
