"""The Daftar Informasi Publik (DIP) as data: one row per closed case, the office's own rows, grouped.

A PPID must keep a list of the public information its office holds (UU 14/2008 Pasal 11, Perki
1/2021), in the columns every PPID uses (DOMAIN.md §3.5), grouped as Berkala / Serta Merta /
Setiap Saat and signed by the PPID. Each closed case of this SOP is one announcement, so one row;
information that never passed through the SOP (a Renstra, a DIP of its own) the office lists
itself, and those rows are merged into the same groups. Pure: the caller reads the database and
the office's sheet and formats dates.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

BERKALA, SERTA_MERTA, SETIAP_SAAT = "berkala", "serta_merta", "setiap_saat"

# (jenis, letter, heading) in the order the list prints them (DOMAIN.md §3.5).
GROUPS: tuple[tuple[str, str, str], ...] = (
    (BERKALA, "A", "Informasi yang Wajib Disediakan dan Diumumkan Secara Berkala"),
    (SERTA_MERTA, "B", "Informasi yang Wajib Diumumkan Secara Serta Merta"),
    (SETIAP_SAAT, "C", "Informasi yang Wajib Tersedia Setiap Saat"),
)
JENIS_NAMES = {BERKALA: "Berkala", SERTA_MERTA: "Serta Merta", SETIAP_SAAT: "Setiap Saat"}

# Proof folders (the SOP's `proofs`) and the form of the information they show.
ONLINE, CETAK = "online", "cetak"
YES = "Ya"

DEFAULT_RETENSI = "5 (lima) tahun"
DEFAULT_PPID_JABATAN = "Pejabat Pengelola Informasi dan Dokumentasi"


@dataclass(frozen=True)
class Signer:
    """Who signs the list: the PPID (empty nama/NIP print as a line to fill by hand)."""

    jabatan: str
    nama: str = ""
    pangkat: str = ""
    nip: str = ""


@dataclass(frozen=True)
class DipSettings:
    """`[laporan]` of sop.toml, with the defaults a fresh office gets."""

    pejabat: str                  # Pejabat/Unit/Satker yang Menguasai Informasi
    penanggung_jawab: str         # Penanggung Jawab Pembuatan atau Penerbitan Informasi
    retensi: str                  # Jangka Waktu Penyimpanan atau Retensi Arsip
    kota: str
    office: str                   # the office's name, for the title
    ppid: Signer

    @classmethod
    def from_raw(cls, raw: Mapping[str, Any]) -> DipSettings:
        """From the merged settings: `[laporan] dip_*` and `ppid_*`, else the office's name, the
        Kepala Dinas (who signs the Pengumuman) and a five-year retention."""
        office = raw.get("office", {})
        laporan = raw.get("laporan", {})
        kepala = raw.get("officials", {}).get("kepala_dinas", {})
        name = str(office.get("nama", "")).strip()

        def get(key: str, default: str) -> str:
            return str(laporan.get(key, "")).strip() or default

        pejabat = get("dip_pejabat", title_case(name))
        return cls(
            pejabat=pejabat,
            penanggung_jawab=get("dip_penanggung_jawab", str(kepala.get("jabatan", "")).strip()
                                 or pejabat),
            retensi=get("dip_retensi", DEFAULT_RETENSI),
            kota=str(office.get("kota", "")).strip(),
            office=name,
            ppid=Signer(get("ppid_jabatan", DEFAULT_PPID_JABATAN), get("ppid_nama", ""),
                        get("ppid_pangkat", ""), get("ppid_nip", "")))


@dataclass(frozen=True)
class DipRow:
    """One line of the list. `source` is the case id, or "" for a row the office wrote."""

    jenis: str
    ringkasan: str
    pejabat: str
    penanggung_jawab: str
    waktu_tempat: str
    cetak: str
    online: str
    retensi: str
    keterangan: str = ""
    source: str = ""


@dataclass(frozen=True)
class ClosedCase:
    """What the list needs of a closed case (from `CaseRow`)."""

    id: str
    kind: str                     # the SOP's kind key
    kind_name: str
    perihal: str
    closed_at: datetime
    proofs: Sequence[str]
    letter_number: str | None = None


_SMALL = {"dan", "atau", "dan/atau", "di", "ke", "dari", "yang", "untuk", "pada", "serta"}


def title_case(text: str) -> str:
    """'DINAS KOPERASI, USAHA KECIL DAN MENENGAH' -> 'Dinas Koperasi, Usaha Kecil dan Menengah'."""
    words = text.split()
    return " ".join(w.lower() if i and w.lower() in _SMALL else w[:1].upper() + w[1:].lower()
                    for i, w in enumerate(words))


def jenis_of(text: str) -> str | None:
    """The group a kind key, kind name or typed Jenis means ('Serta-Merta', 'berkala', 'Setiap
    saat'); None when it names none."""
    t = re.sub(r"[\s_\-]+", " ", str(text)).strip().casefold()
    for key, name in JENIS_NAMES.items():
        if t in (key.replace("_", " "), name.casefold()):
            return key
    if t.startswith("berkala"):
        return BERKALA
    if t.startswith("serta"):
        return SERTA_MERTA
    if t.startswith("setiap"):
        return SETIAP_SAAT
    return None


def bentuk(proofs: Iterable[str]) -> tuple[str, str]:
    """(Cetak, Online): "Ya" for each form a proof of publication shows (bukti_offline: printed,
    on a notice board; bukti_online: on the website or social media)."""
    names = [p.casefold() for p in proofs]
    online = any(ONLINE in p and "offline" not in p for p in names)
    cetak = any("offline" in p or CETAK in p for p in names)
    return (YES if cetak else "-", YES if online else "-")


def case_row(case: ClosedCase, s: DipSettings, tanggal: Callable[[datetime], str]) -> DipRow:
    """The row of a closed case: its Perihal, closed on a day in the office's city, in the forms
    its proofs show. A kind that names no group is Setiap Saat."""
    cetak, online = bentuk(case.proofs)
    where = f"{tanggal(case.closed_at)}, {s.kota}" if s.kota else tanggal(case.closed_at)
    note = f"No. Agenda {case.id}" + (f"; Nomor {case.letter_number}" if case.letter_number else "")
    return DipRow(jenis_of(case.kind) or jenis_of(case.kind_name) or SETIAP_SAAT, case.perihal,
                  s.pejabat, s.penanggung_jawab, where, cetak, online, s.retensi, note, case.id)


def office_row(values: Mapping[str, str]) -> DipRow | None:
    """A row of the office's sheet, by column key; None when it says nothing (no Ringkasan).
    A Jenis left empty or naming no group is Setiap Saat."""
    ringkasan = values.get("ringkasan", "").strip()
    if not ringkasan:
        return None
    return DipRow(jenis_of(values.get("jenis", "")) or SETIAP_SAAT, ringkasan,
                  values.get("pejabat", "").strip(), values.get("penanggung_jawab", "").strip(),
                  values.get("waktu_tempat", "").strip(), values.get("cetak", "").strip(),
                  values.get("online", "").strip(), values.get("retensi", "").strip(),
                  values.get("keterangan", "").strip())


def grouped(case_rows: Iterable[DipRow], office_rows: Iterable[DipRow]
            ) -> list[tuple[str, str, str, list[DipRow]]]:
    """(jenis, letter, heading, rows) for every group, in print order: the cases as given
    (closing order), then the office's rows in the order of its sheet."""
    rows = [*case_rows, *office_rows]
    return [(key, letter, heading, [r for r in rows if r.jenis == key])
            for key, letter, heading in GROUPS]
