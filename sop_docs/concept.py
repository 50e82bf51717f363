"""What a concept says of its case: whether anything was written in it, and the title it sets.

Read when the Fungsional hands a concept in (intake answers what it cannot take) and when a
reviewer corrected it in place before deciding (the decision is answered instead). One reading,
so the two cannot come to different verdicts on the same document.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sop_docs import kendali
from sop_docs.adapters import docx
from sop_docs.adapters.db import CaseRow
from sop_docs.core import rincian
from sop_docs.core.rincian import Rincian
from sop_docs.core.sop import Sop

UNWRITTEN = "konsep_kosong"
DETAILS = "rincian"
NO_TABLE = "konsep ini tidak memuat tabel Rincian dengan Judul Pengumuman."


@dataclass(frozen=True)
class Reading:
    """The case's details with what the concept sets, or why it cannot be used (`reason`, one of
    UNWRITTEN / DETAILS, with `problems` in Indonesian)."""

    details: Rincian
    reason: str = ""
    problems: tuple[str, ...] = ()


def read(sop: Sop, case: CaseRow, data: bytes, today: date, *,
         blocks: Sequence[str] | None = None, handed_in: bool = True) -> Reading:
    """The reading of `data` as the case's concept. `handed_in`: a concept handed in must be
    written and carry a title (its own, or one set before); a correction in place keeps the
    details set before when it lacks the table."""
    if not sop.rincian:
        return Reading(case.details)
    if handed_in:
        found_blocks = kendali.concept_blocks(data) if blocks is None else blocks
        if kendali.untouched(found_blocks, sop.kind(case.kind)):
            return Reading(case.details, UNWRITTEN)
    try:
        rows = docx.label_rows(data)
    except ValueError:
        rows = {}
    found, problems = rincian.read(rows, today, case.details)
    if found is None:
        if case.details.judul or not handed_in:
            return Reading(case.details)
        return Reading(case.details, DETAILS, (NO_TABLE,))
    if problems:
        return Reading(case.details, DETAILS, tuple(problems))
    return Reading(found)
