"""The documents of record: the context each Word template is filled with, and the letter's number.

Everything a template prints comes from the case, the SOP and the office's settings; this module
gathers it in one place so the templates stay plain forms and the service stays about flow.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from babel.dates import format_date

from sop_docs.adapters import docx, identity
from sop_docs.adapters.db import CaseRow
from sop_docs.core import rincian
from sop_docs.core.naming import readable_name
from sop_docs.core.people import People
from sop_docs.core.sop import Sop
from sop_docs.settings import Settings

DOTS = "…………………………"       # a detail nobody has set: a line to fill by hand, not a guess
_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
_ZONE_NAMES = {7: "WIB", 8: "WITA", 9: "WIT"}


def tanggal(d: datetime) -> str:
    """'24 November 2026': the date as Indonesian official documents write it."""
    return format_date(d.date(), "d MMMM y", locale="id")


def pukul(d: datetime, settings: Settings) -> str:
    offset = settings.timezone.utcoffset(d)
    hours = int(offset.total_seconds() // 3600) if offset is not None else 7
    return f"{d:%H.%M} {_ZONE_NAMES.get(hours, f'UTC+{hours}')}"


def letter_number(settings: Settings, seq: int, when: datetime) -> str:
    n = settings.numbering
    return str(n["pattern"]).format(
        kka=n.get("kka", ""), no_urut=str(seq).zfill(int(n.get("digits", 3))),
        kode_unit=n.get("kode_unit", ""), bulan_romawi=_ROMAN[when.month - 1], tahun=when.year)


class Paperwork:
    def __init__(self, sop: Sop, settings: Settings, templates: Path, root: Path,
                 names: Callable[[str], str] = identity.display_name,
                 mark: str | None = None, people: People | None = None) -> None:
        self.sop, self.settings, self.templates, self.root = sop, settings, templates, root
        self.names = names
        self.mark = mark          # printed on every document while sop.toml holds examples
        self.people = people or People()

    def _official(self, role: str) -> dict[str, str]:
        o = dict(self.settings.officials.get(role, {}))
        r = self.sop.roles.get(role)
        return {"jabatan": o.get("jabatan", r.jabatan if r else ""), "nama": o.get("nama", ""),
                "pangkat": o.get("pangkat", ""), "nip": o.get("nip", "")}

    def _addressee(self, role: str, chosen: str = "") -> str:
        """'Nama (Jabatan)': the person the giver chose, else the role's official, as far as
        either is known."""
        o = self._official(role)
        jabatan = o["jabatan"] or self.sop.roles[role].name
        nama = chosen or o["nama"]
        return f"{nama} ({jabatan})" if nama else jabatan

    def name_of(self, user: str) -> str:
        """A user's full name: theirs in [[people]], else what the system knows (GECOS), else
        the user name itself."""
        person = self.people.by_user(user)
        return person.nama if person is not None else self.names(user)

    def signer(self, role: str, person: str | None = None, title: str = "",
               on: date | None = None) -> dict[str, str]:
        """The signature block of whoever acted for `role` (DOMAIN.md §2.2: the jabatan, with
        "Plt."/"Plh." before it for a stand-in as `sebagai`; nama, pangkat, NIP).

        `person` is the user who saved the decision: their nama, pangkat and NIP from [[people]]
        (a user the system knows by name only prints no pangkat/NIP rather than someone else's).
        With nobody named (an office that cannot tell who saved), the stand-in holding the role
        `on` that day signs if there is one, else the role's official from [officials.<role>].
        The jabatan is always the role's: a Plt. signs as Plt. Kepala Dinas, not as themself."""
        official = {**self._official(role), "sebagai": ""}
        if not person and on is not None:
            stand_in = self.people.stand_in(role, on)
            if stand_in is not None:
                person, title = stand_in.user, stand_in.title
        if not person:
            return official
        known = self.people.by_user(person)
        if known is not None:                    # the official's own line fills what it lacks
            same = not title and _same(known.nama, official["nama"])
            return {"jabatan": official["jabatan"], "nama": known.nama, "sebagai": title,
                    "pangkat": known.pangkat or (official["pangkat"] if same else ""),
                    "nip": known.nip or (official["nip"] if same else "")}
        nama = self.names(person)
        if not title and _same(nama, official["nama"]):
            return official
        return {"jabatan": official["jabatan"], "nama": nama, "pangkat": "", "nip": "",
                "sebagai": title}

    def without_plt(self) -> list[Path]:
        """The workspace's templates that print no Plt./Plh. before the signer's jabatan (made
        before stand-ins were printed, or restyled without it): a stand-in would sign as if
        they held the office themselves."""
        out = []
        for key, block in _SIGNED.items():
            if key not in self.sop.documents:
                continue
            path = self._template(key)
            try:
                with zipfile.ZipFile(path) as z:
                    xml = z.read("word/document.xml").decode("utf-8", "replace")
            except (OSError, KeyError, zipfile.BadZipFile):
                continue                         # a missing or broken one is reported at render
            if f"{block}.sebagai" not in xml:
                out.append(path)
        return out

    def _images(self) -> dict[str, Path]:
        logo = self.settings.office.get("logo", "")
        if logo:
            return {"logo": (self.root / logo)}
        shipped = self.templates / "logo.png"
        return {"logo": shipped} if shipped.exists() else {}

    def _common(self, case: CaseRow, now: datetime) -> dict[str, Any]:
        kind = self.sop.kind(case.kind)
        return {
            "kantor": {k: self.settings.office.get(k, "") for k in
                       ("pemerintah", "nama", "alamat", "telepon", "email", "laman", "kota",
                        "kode_pos")},
            "logo": "",
            "no_agenda": case.id,
            "perihal": case.perihal,
            "jenis": kind.name,
            "serta_merta": kind.key == "serta_merta",
            "tanggal": tanggal(now),
        }

    def _template(self, key: str) -> Path:
        return self.templates / self.sop.documents[key].template

    def render(self, key: str, case: CaseRow, now: datetime, extra: Mapping[str, Any]) -> bytes:
        ctx = {**self._common(case, now), **extra}
        return docx.render(self._template(key), ctx, images=self._images(), link=case.id,
                           mark=self.mark)

    def disposisi(self, case: CaseRow, now: datetime, *, material: str, deadline: datetime,
                  to_role: str, person: str | None = None, person_title: str = "") -> bytes:
        """The disposition as far as its giver has said (the Disposisi sheet of the register): a
        particular nobody chose is a dotted line for the hand, never a guess. Signed for whoever
        gave it (`person`, who saved the material or the sheet), else the role's official."""
        kind = self.sop.kind(case.kind)
        opened = datetime.fromisoformat(case.opened_at)
        d = case.details
        return self.render("disposisi", case, now, {
            "diterima_tanggal": tanggal(opened),
            "diterima_pukul": pukul(opened, self.settings),
            "surat_dari": d.surat_dari or DOTS,
            "nomor_surat": d.nomor_surat or DOTS,
            "tanggal_surat": (tanggal(datetime.combine(d.tanggal, datetime.min.time()))
                              if d.tanggal else d.tanggal_surat or DOTS),
            "sifat": "Biasa",
            "urgensi": kind.urgensi,
            "diteruskan_kepada": [self._addressee(to_role, d.diteruskan)],
            "harap": [
                {"teks": "Tanggapan dan Saran", "dicentang": False},
                {"teks": "Proses lebih lanjut", "dicentang": True},
                {"teks": "Koordinasi/konfirmasikan", "dicentang": False},
                {"teks": f"Siapkan konsep pengumuman {kind.name.lower()}", "dicentang": True},
            ],
            "catatan": d.catatan,
            "batas_waktu": f"{tanggal(deadline)} {pukul(deadline, self.settings)}",
            "bahan": readable_name(material),
            "pemberi": self.signer(self.sop.first_step.role, person, person_title, now.date()),
        })

    def konsep(self, case: CaseRow, now: datetime, *, deadline: datetime) -> bytes:
        kind = self.sop.kind(case.kind)
        d = case.details
        return self.render("konsep", case, now, {
            "batas_waktu": f"{tanggal(deadline)} {pukul(deadline, self.settings)}",
            "bagian_wajib": list(kind.required_parts),
            "uraian": list(kind.prompts()),
            "rincian": {k: getattr(d, k) or rincian.PROMPTS[k] for k in rincian.PROMPTS},
        })

    def nota(self, case: CaseRow, now: datetime, *, step: int, to_role: str, catatan: str,
             document: str, person: str | None = None, person_title: str = "") -> bytes:
        """The return note, signed by the reviewer who decided (`person`, a stand-in's
        `person_title`) or else the step role's official."""
        s = self.sop.step(step)
        return self.render("nota_pengembalian", case, now, {
            "tahap": s.title,
            "pemeriksa": self.sop.roles[s.role].name,
            "pemeriksa_jabatan": self._official(s.role)["jabatan"],
            "dikembalikan_kepada": self.sop.roles[to_role].name,
            "catatan": catatan or "(tanpa catatan)",
            "dokumen": readable_name(document),
            "pemeriksa_ttd": self.signer(s.role, person, person_title, now.date()),
        })

    def pengumuman(self, case: CaseRow, now: datetime, *, number: str, concept: bytes,
                   signer_role: str, person: str | None = None, person_title: str = "") -> bytes:
        """The numbered letter, signed by who approved it (`person`, with Plt./Plh. for a
        stand-in), else by the role's holder that day."""
        ctx = {**self._common(case, now), "nomor": number, "tentang": case.perihal.upper(),
               "tempat": self.settings.office.get("kota", ""),
               "penandatangan": self.signer(signer_role, person, person_title, now.date())}
        return docx.render_pengumuman(self._template("pengumuman"), ctx, concept,
                                      images=self._images(), link=case.id,
                                      mark=self.mark)


# The documents a person signs, and the name of their signature block in the template.
_SIGNED = {"pengumuman": "penandatangan", "disposisi": "pemberi",
           "nota_pengembalian": "pemeriksa_ttd"}


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


KENDALI_TEMPLATE = "Lembar Kendali.docx"
# The sheet's note on which clock judged the Status (the kind's `jam` in the SOP file).
_DASAR_KERJA = ("Status dinilai dengan waktu kerja: jam kerja kantor, tanpa hari libur, terhadap "
                "waktu baku (Mutu Baku) SOP.")
_DASAR_KALENDER = ("Status dinilai dengan waktu kalender (24 jam sehari, termasuk malam, akhir "
                   "pekan dan hari libur), karena informasi {jenis} wajib diumumkan tanpa "
                   "penundaan; satu hari waktu baku berarti 24 jam.")


def _kendali_template(templates: Path) -> Path:
    """The workspace's copy, or the package's for a workspace made before the sheet existed."""
    own = templates / KENDALI_TEMPLATE
    if own.is_file():
        return own
    return Path(__file__).resolve().parent / "templates" / KENDALI_TEMPLATE


def lembar_kendali(pw: Paperwork, case: CaseRow, now: datetime, rows: list[Any]) -> bytes:
    """The control sheet of a closed case: `rows` are `kendali.KendaliRow`s, in order."""
    def when(d: datetime) -> str:
        return f"{d:%d/%m/%Y %H.%M}"

    from sop_docs.kendali import durasi, durasi_kalender

    total = sum(r.minutes for r in rows)
    on_calendar = pw.sop.kind(case.kind).on_calendar
    ctx = {**pw._common(case, now),
           "sop": pw.sop.name,
           "nomor": case.letter_number or "-",
           "dibuka": f"{tanggal(datetime.fromisoformat(case.opened_at))} "
                     f"{pukul(datetime.fromisoformat(case.opened_at), pw.settings)}",
           "ditutup": f"{tanggal(now)} {pukul(now, pw.settings)}",
           "baris": [{"tahap": r.tahap, "peran": r.peran, "pejabat": r.pejabat,
                      "diterima": when(r.diterima), "selesai": when(r.selesai),
                      "keputusan": r.keputusan, "catatan": r.catatan,
                      "waktu": durasi(r.minutes), "waktu_kerja": durasi(r.minutes),
                      "waktu_kalender": durasi_kalender(r.calendar_minutes),
                      "standar": r.standar, "status": r.status}
                     for r in rows],
           "total_waktu": durasi(total),
           "total_waktu_kerja": durasi(total),
           "total_waktu_kalender": durasi_kalender(sum(r.calendar_minutes for r in rows)),
           "jumlah_terlambat": sum(1 for r in rows if r.late),
           "dasar_status": _DASAR_KALENDER.format(jenis=pw.sop.kind(case.kind).name) if on_calendar
                           else _DASAR_KERJA}
    return docx.render(_kendali_template(pw.templates), ctx, images=pw._images(), link=case.id,
                       mark=pw.mark)

