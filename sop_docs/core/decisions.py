"""Reading what a person typed in the register's Keputusan cell, forgivingly.

Paste bypasses Excel's dropdown, so the value can be anything: case, spaces and common variants are
accepted; anything else is answered with a message and moves nothing.
"""

from __future__ import annotations

import re

from sop_docs.core.case import BELUM_SESUAI, SELESAI, SESUAI

_VARIANTS = {
    "sesuai": SESUAI,
    "ok": SESUAI,
    "setuju": SESUAI,
    "belumsesuai": BELUM_SESUAI,
    "tidaksesuai": BELUM_SESUAI,
    "belum": BELUM_SESUAI,
    "selesai": SELESAI,
}


def normalise_decision(raw: object) -> str | None:
    """The canonical decision for a cell value, or None when it is not one."""
    if raw is None:
        return None
    key = re.sub(r"[\s_\-.]+", "", str(raw)).casefold()
    return _VARIANTS.get(key)
