"""A case's details as people set them: the title (TENTANG) and the letter the case answers.

They are written in the concept's Rincian table, the one document every role in the chain opens
and may correct in place, so whoever reviews the concept corrects them too, and only someone
holding the step can change them. Nothing here guesses: a detail nobody set stays unset, and the
documents show an empty line for the hand rather than a made-up value.
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
LABELS = {JUDUL: "judul", SURAT_DARI: "surat_dari", NOMOR_SURAT: "nomor_surat",
          TANGGAL_SURAT: "tanggal_surat", CATATAN: "catatan"}

# What each row shows before anyone writes in it; a value still reading so is unset.
PROMPTS = {
    "judul": "[Tulis judul pengumuman, mis. Pemadaman Listrik Terencana di Kantor Pelayanan]",
    "surat_dari": "[Instansi pengirim surat; kosongkan bila inisiatif sendiri]",
    "nomor_surat": "[Nomor surat; kosongkan bila tidak ada]",
    "tanggal_surat": "[Tanggal surat, mis. 23-11-2026]",
    "catatan": "[Catatan Kabid/Kasubag untuk Fungsional, bila ada]",
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
NONE_WORDS = {"", "-", "--", "—", "tidak ada", "tanpa nomor"}


@dataclass(frozen=True)
class Rincian:
    judul: str = ""
    surat_dari: str = ""
    nomor_surat: str = ""
    tanggal_surat: str = ""       # ISO date, or '' when the case answers no letter
    catatan: str = ""

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
        return date.fromisoformat(self.tanggal_surat) if self.tanggal_surat else None


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


def read(rows: Mapping[str, str], today: date) -> tuple[Rincian | None, list[str]]:
    """The details a Rincian table holds, and what is wrong with them (in Indonesian, one line
    each, naming the row). (None, []) when the document has no Rincian table at all."""
    values: dict[str, str] = {}
    for label, value in rows.items():
        key = _key(label)
        if key is not None and key not in values:
            v = _clean(value)
            values[key] = "" if is_prompt(v) else v
    if "judul" not in values:
        return None, []
    problems: list[str] = []
    judul = values.get("judul", "")
    if not judul:
        problems.append(f"'{JUDUL}' belum diisi: tulis judul pengumuman (menjadi TENTANG pada "
                        "naskah Pengumuman).")
    elif len(judul) > MAX_JUDUL:
        problems.append(f"'{JUDUL}' terlalu panjang ({len(judul)} huruf; paling banyak "
                        f"{MAX_JUDUL}). Singkatkan.")
    elif _FILE_LIKE.search(judul):
        problems.append(f"'{JUDUL}' berbunyi seperti nama berkas ('{judul}'): tulis judul "
                        "pengumuman dengan kata-kata.")
    tanggal = ""
    raw_date = values.get("tanggal_surat", "")
    if raw_date.casefold() not in NONE_WORDS:
        d = parse_date(raw_date)
        if d is None:
            problems.append(f"'{TANGGAL_SURAT}' tidak dapat dibaca ('{raw_date}'): tulis seperti "
                            "23-11-2026 atau 23 November 2026, atau kosongkan.")
        elif d > today:
            problems.append(f"'{TANGGAL_SURAT}' ({raw_date}) belum tiba: periksa tahunnya.")
        else:
            tanggal = d.isoformat()
    for key, label in ((k, s) for s, k in LABELS.items() if k not in ("judul", "tanggal_surat")):
        if len(values.get(key, "")) > MAX_FIELD:
            problems.append(f"'{label}' terlalu panjang (paling banyak {MAX_FIELD} huruf).")

    def plain(key: str) -> str:
        v = values.get(key, "")
        return "" if v.casefold() in NONE_WORDS else v[:MAX_FIELD]

    return Rincian(judul[:MAX_JUDUL], plain("surat_dari"), plain("nomor_surat"), tanggal,
                   plain("catatan")), problems
