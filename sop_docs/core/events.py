"""The event kinds the system records, and the words staff read for them.

The database keeps short English kinds (`opened`, `decided`, ...); the Riwayat sheets of the
register, the year register and every archive bundle show them in Indonesian. `kind_of` reads a
sheet's word back (a restore replays those sheets).
"""

from __future__ import annotations

NAMES = {
    "opened": "Kasus dibuka",
    "submitted": "Konsep diterima",
    "decided": "Keputusan dijalankan",
    "decision_ignored": "Keputusan tidak dijalankan",
    "proof": "Bukti diterima",
    "quarantined": "Berkas dikarantina",
    "restored": "Basis data dipulihkan",
    "disposition_changed": "Disposisi diubah",
    "disposition_ignored": "Perubahan disposisi tidak dipakai",
}
_KINDS = {v: k for k, v in NAMES.items()}


def shown(kind: str) -> str:
    """What staff read for an event kind (an unknown kind as it is)."""
    return NAMES.get(kind, kind)


def kind_of(word: object) -> str:
    """The event kind a sheet's word stands for (a kind written before the words, as it is)."""
    text = str(word or "")
    return _KINDS.get(text, text)
