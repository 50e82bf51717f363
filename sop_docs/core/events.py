"""The event kinds the system records, and the words staff read for them.

The database keeps short English kinds (`opened`, `decided`, ...); the Riwayat sheets of the
register, the year register and every archive bundle show them in Indonesian. `kind_of` reads a
sheet's word back (a restore replays those sheets). `acted_by` is who acted, as the sheets name
them: the full name recorded with the event (a stand-in with Plt./Plh.).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

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
    "berkala_chosen": "Jadwal Berkala dipilih",
}
_KINDS = {v: k for k, v in NAMES.items()}


def shown(kind: str) -> str:
    """What staff read for an event kind (an unknown kind as it is)."""
    return NAMES.get(kind, kind)


def kind_of(word: object) -> str:
    """The event kind a sheet's word stands for (a kind written before the words, as it is)."""
    text = str(word or "")
    return _KINDS.get(text, text)


def acted_by(event: Mapping[str, Any], names: Callable[[str], str] = str) -> str:
    """Who acted, as staff read it: "Plt. Budi Santoso" (the name recorded with the event, else
    `names` of its user, for events recorded before names were); "" when nobody is known."""
    person = _get(event, "person")
    if not person:
        return ""
    detail = _get(event, "detail")
    if isinstance(detail, str):
        try:
            detail = json.loads(detail or "{}")
        except ValueError:
            detail = {}
    nama = detail.get("nama") if isinstance(detail, Mapping) else None
    return f"{_get(event, 'person_title') or ''} {nama or names(str(person))}".strip()


def _get(event: Mapping[str, Any], key: str) -> Any:
    """A column an event row (or a plain dict) may lack."""
    try:
        return event[key]
    except (KeyError, IndexError):
        return None
