"""A case's details as people set them: the title (TENTANG) and the disposition's particulars.

Two hands set them, each where the detail belongs. The title is written in the concept's Rincian
table, the one document every role in the chain opens and may correct in place. The disposition's
particulars (the letter it answers: sender, number, date; to whom it goes; the Kabid/Kasubag's
note) are the giver's, chosen in the Disposisi sheet of the Kabid/Kasubag's register. Nothing here
guesses: a detail nobody set stays unset, and the documents show a line for the hand instead.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date

# The labels of the concept's Rincian table (first column), as the skeleton prints them.
JUDUL = "Judul Pengumuman (TENTANG)"
SURAT_DARI = "Surat dari"
NOMOR_SURAT = "Nomor Surat"
TANGGAL_SURAT = "Tanggal Surat"
CATATAN = "Catatan Disposisi"
DITERUSKAN = "Diteruskan kepada"
LABELS = {JUDUL: "judul", SURAT_DARI: "surat_dari", NOMOR_SURAT: "nomor_surat",
          TANGGAL_SURAT: "tanggal_surat", CATATAN: "catatan", DITERUSKAN: "diteruskan"}

# What each row shows before anyone writes in it; a value still reading so is unset.
PROMPTS = {
    "judul": "[Tulis judul pengumuman, mis. Pemadaman Listrik Terencana di Kantor Pelayanan]",
    "surat_dari": "[Instansi pengirim surat; kosongkan bila inisiatif sendiri]",
    "nomor_surat": "[Nomor surat; kosongkan bila tidak ada]",
    "tanggal_surat": "[Tanggal surat, mis. 23-11-2026]",
    "catatan": "[Catatan Kabid/Kasubag untuk Fungsional, bila ada]",
    "diteruskan": "[Nama Fungsional yang ditugasi]",
}

MAX_JUDUL = 200
MAX_FIELD = 150
_MONTHS = {m: i for i, names in enumerate((
    ("januari", "jan"), ("februari", "feb", "pebruari"), ("maret", "mar"), ("april", "apr"),
    ("mei",), ("juni", "jun"), ("juli", "jul"), ("agustus", "agu", "agt", "ags"),
    ("september", "sep", "sept"), ("oktober", "okt"), ("november", "nov", "nop"),
    ("desember", "des")), start=1) for m in names}
_NUMERIC = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_WORDS = re.compile(r"^(\d{1,2})\s+([A-Za-z]+)\.?\s+(\d{4})$")
_FILE_LIKE = re.compile(
    r"(\.(docx?|pdf|jpe?g|png|heic|odt|rtf|xlsx?)$)|(^(IMG|VID|DOC|Screenshot|WhatsApp)[-_ ])",
    re.I)
NONE_WORDS = {"", "-", "--", "—", "tidak ada", "tanpa tanggal"}


def says_nothing(text: str) -> bool:
    """Empty, or a mark for 'none' ('-', 'tidak ada'): no reason a Nota Pengembalian can give."""
    return _clean(text).strip(" .").casefold() in NONE_WORDS


@dataclass(frozen=True)
class Rincian:
    judul: str = ""
    surat_dari: str = ""
    nomor_surat: str = ""
    tanggal_surat: str = ""       # ISO date; '-' when the giver said there is none; '' unset
    catatan: str = ""
    diteruskan: str = ""          # the person the disposition assigns; '' = the SOP's official
    berkala: str = ""             # the [[berkala]] item the giver picked for the case ('' none)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str | None) -> Rincian:
        try:
            d = json.loads(text or "{}")
        except ValueError:
            return cls()
        return cls(**{k: str(v) for k, v in d.items() if k in cls.__dataclass_fields__})

    @property
    def tanggal(self) -> date | None:
        try:
            return date.fromisoformat(self.tanggal_surat)
        except ValueError:
            return None


def is_prompt(text: str) -> bool:
    """A skeleton's instruction left in place: '[...]' and nothing else."""
    t = text.strip()
    return len(t) >= 2 and t[0] == "[" and t[-1] == "]"


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = "".join(c for c in text if unicodedata.category(c) not in ("Cc", "Cf") or c == " ")
    return " ".join(text.split())


def _key(label: str) -> str | None:
    """The detail a table label names ('Judul Pengumuman (TENTANG) :' -> 'judul')."""
    norm = _clean(label).rstrip(":").strip().casefold()
    for shown, key in LABELS.items():
        if norm == shown.casefold() or norm.startswith(shown.split(" (")[0].casefold()):
            return key
    return None


def parse_date(text: str) -> date | None:
    """'23-11-2026', '23/11/2026', '2026-11-23', '23 November 2026', '23 Nov 2026'; None if not."""
    t = _clean(text)
    try:
        if m := _NUMERIC.match(t):
            return date(int(m[3]), int(m[2]), int(m[1]))
        if m := _ISO.match(t):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if (m := _WORDS.match(t)) and m[2].casefold() in _MONTHS:
            return date(int(m[3]), _MONTHS[m[2].casefold()], int(m[1]))
    except ValueError:
        return None
    return None


def read(rows: Mapping[str, str], today: date, before: Rincian = Rincian()
         ) -> tuple[Rincian | None, list[str]]:
    """The details a concept's Rincian table sets over `before`, and what is wrong with them (in
    Indonesian, one line each, naming the row). (None, []) when it has no Rincian table at all.
    A title left as the prompt keeps the one set before (the Kabid/Kasubag may have set it)."""
    values: dict[str, str] = {}
    for label, value in rows.items():
        key = _key(label)
        if key is not None and key not in values:
            v = _clean(value)
            values[key] = "" if is_prompt(v) else v
    if "judul" not in values:
        return None, []
    if not values["judul"] and before.judul:
        values["judul"] = before.judul
    return check(values, today, before)


def check(values: Mapping[str, str], today: date, before: Rincian = Rincian()
          ) -> tuple[Rincian, list[str]]:
    """`before` with the given details (by key) set, and what is wrong with them; a detail with a
    problem keeps its value from `before`."""
    problems: list[str] = []
    out = asdict(before)
    if "judul" in values:
        judul = _clean(values["judul"])
        if says_nothing(judul):
            problems.append(f"'{JUDUL}' belum diisi: tulis judul pengumuman (menjadi TENTANG pada "
                            "naskah Pengumuman).")
        elif len(judul) > MAX_JUDUL:
            problems.append(f"'{JUDUL}' terlalu panjang ({len(judul)} huruf; paling banyak "
                            f"{MAX_JUDUL}). Singkatkan.")
        elif _FILE_LIKE.search(judul):
            problems.append(f"'{JUDUL}' berbunyi seperti nama berkas ('{judul}'): tulis judul "
                            "pengumuman dengan kata-kata.")
        else:
            out["judul"] = judul
    if "tanggal_surat" in values:
        raw = _clean(values["tanggal_surat"])
        if raw.casefold() in NONE_WORDS:
            out["tanggal_surat"] = "-" if raw else ""
        elif (d := parse_date(raw)) is None:
            problems.append(f"'{TANGGAL_SURAT}' tidak dapat dibaca ('{raw}'): tulis seperti "
                            "23-11-2026 atau 23 November 2026, atau kosongkan.")
        elif d > today:
            problems.append(f"'{TANGGAL_SURAT}' ({raw}) belum tiba: periksa tahunnya.")
        else:
            out["tanggal_surat"] = d.isoformat()
    for label, key in LABELS.items():
        if key in ("judul", "tanggal_surat") or key not in values:
            continue
        v = _clean(values[key])
        if len(v) > MAX_FIELD:
            problems.append(f"'{label}' terlalu panjang ({len(v)} huruf; paling banyak "
                            f"{MAX_FIELD}).")
        else:
            out[key] = v              # '-' as typed: the giver said there is none
    if "berkala" in values:                    # checked against [[berkala]] by the caller
        out["berkala"] = _clean(values["berkala"])
    return Rincian(**out), problems
