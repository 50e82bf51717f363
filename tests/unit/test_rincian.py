"""The case details read from a concept's Rincian table: what counts as set, and what is refused."""

from __future__ import annotations

from datetime import date

import pytest

from sop_docs.core.rincian import JUDUL, PROMPTS, TANGGAL_SURAT, Rincian, parse_date, read

TODAY = date(2026, 11, 28)


def table(**values: str) -> dict[str, str]:
    rows = {JUDUL: PROMPTS["judul"], "Surat dari": PROMPTS["surat_dari"],
            "Nomor Surat": PROMPTS["nomor_surat"], TANGGAL_SURAT: PROMPTS["tanggal_surat"],
            "Catatan Disposisi": PROMPTS["catatan"]}
    labels = {"judul": JUDUL, "surat_dari": "Surat dari", "nomor_surat": "Nomor Surat",
              "tanggal_surat": TANGGAL_SURAT, "catatan": "Catatan Disposisi"}
    rows.update({labels[k]: v for k, v in values.items()})
    return rows


@pytest.mark.parametrize("text, expected", [
    ("23-11-2026", date(2026, 11, 23)), ("23/11/2026", date(2026, 11, 23)),
    ("2026-11-23", date(2026, 11, 23)), ("23 November 2026", date(2026, 11, 23)),
    ("3 Agt 2026", date(2026, 8, 3)), ("1 Pebruari 2026", date(2026, 2, 1)),
    ("31-02-2026", None), ("kemarin", None), ("23 Nopember", None),
])
def test_dates_are_read_as_offices_write_them(text, expected):
    assert parse_date(text) == expected


def test_a_skeleton_left_as_given_has_no_title():
    found, problems = read(table(), TODAY)
    assert found == Rincian()
    assert len(problems) == 1 and "belum diisi" in problems[0]


def test_a_filled_table_gives_every_detail():
    found, problems = read(table(judul="  Pemadaman  Listrik\u200b Terencana ",
                                 surat_dari="PT PLN (Persero) UP3 Pontianak",
                                 nomor_surat="0123/DIS.01.01/UP3-PTK/2026",
                                 tanggal_surat="23 November 2026", catatan="Segera umumkan."),
                           TODAY)
    assert problems == []
    assert found == Rincian("Pemadaman Listrik Terencana", "PT PLN (Persero) UP3 Pontianak",
                            "0123/DIS.01.01/UP3-PTK/2026", "2026-11-23", "Segera umumkan.")
    assert Rincian.from_json(found.to_json()) == found


def test_a_dash_says_there_is_none_and_empty_says_nothing():
    found, problems = read(table(judul="Jadwal Pelayanan", surat_dari="", nomor_surat="-",
                                 tanggal_surat="-"), TODAY)
    assert problems == []
    assert (found.surat_dari, found.nomor_surat, found.tanggal_surat) == ("", "-", "-")
    assert found.tanggal is None


@pytest.mark.parametrize("judul, says", [
    ("IMG-20261128-WA0003", "nama berkas"),
    ("Surat PLN pemadaman.pdf", "nama berkas"),
    ("x" * 201, "terlalu panjang"),
])
def test_a_title_that_is_a_file_name_or_too_long_is_refused(judul, says):
    _, problems = read(table(judul=judul), TODAY)
    assert len(problems) == 1 and says in problems[0]


@pytest.mark.parametrize("tanggal, says", [("32-11-2026", "tidak dapat dibaca"),
                                           ("1 Desember 2026", "belum tiba")])
def test_a_letter_date_that_is_not_one_is_refused(tanggal, says):
    found, problems = read(table(judul="Jadwal Pelayanan", tanggal_surat=tanggal), TODAY)
    assert len(problems) == 1 and says in problems[0] and TANGGAL_SURAT in problems[0]
    assert found is not None and found.tanggal_surat == ""


def test_a_document_without_the_table_says_so():
    assert read({"Nama": "Budi"}, TODAY) == (None, [])


def test_labels_are_matched_as_people_retype_them():
    found, problems = read({"judul pengumuman :": "Jadwal Pelayanan", "SURAT DARI": "Bappeda"},
                           TODAY)
    assert problems == [] and found.judul == "Jadwal Pelayanan" and found.surat_dari == "Bappeda"


@pytest.mark.parametrize("judul", ["-", "\u200b", " . ", "Tidak ada"])
def test_a_title_that_says_nothing_is_not_a_title(judul):
    """'TENTANG -' is no title: a dash, an invisible character or 'tidak ada' is answered."""
    found, problems = read(table(judul=judul), TODAY)
    assert found is not None and found.judul == ""
    assert len(problems) == 1 and "belum diisi" in problems[0]
