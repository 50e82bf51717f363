"""The Lembar Kendali (control sheet) of a case, and the check of a concept's required parts.

Both answer the SOP's own question, "was every step done, by whom, and within its standard time?",
from data the service already keeps: the case's events and the SOP file. The functions here are pure
(events, calendar and officials come in as values) so the sheet can be checked line by line in tests;
`concept_blocks` is the one reader of a docx, kept apart from `empty_parts`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from typing import Any

from sop_docs.core import events
from sop_docs.core.calendar import CALENDAR_TIME, WorkCalendar, clock_for
from sop_docs.core.sop import CaseKind, Sop

TEPAT_WAKTU = "Tepat Waktu"
TERLAMBAT = "Terlambat"
PICTURE = "[gambar]"

# Events that end a step, and what the sheet calls them when no decision was chosen.
_ENDS_STEP = {"opened": "Disposisi dibuat", "submitted": "Konsep disampaikan", "decided": ""}
_PROMPT = re.compile(r"^\[[^\]]*\]$")           # a skeleton's instruction, left as given
_BODY_MARKER = "ISI PENGUMUMAN"                  # the skeleton's separator (adapters.docx)
_CLOSING = "Demikian"
_MARKER = re.compile(r"^\s*(?:[a-z]|\d{1,2}|[ivx]{1,4})[.)]\s*", re.I)


@dataclass(frozen=True)
class KendaliRow:
    step: int
    tahap: str
    peran: str
    pejabat: str
    diterima: datetime
    selesai: datetime
    keputusan: str
    catatan: str
    minutes: int              # office working minutes
    standar: str
    late: bool                # judged on the clock of the case's kind
    calendar_minutes: int = 0

    @property
    def status(self) -> str:
        return TERLAMBAT if self.late else TEPAT_WAKTU


def durasi(minutes: int) -> str:
    """'1 jam 5 menit', '0 menit': working time as the sheet prints it."""
    h, m = divmod(max(0, minutes), 60)
    if h and m:
        return f"{h} jam {m} menit"
    return f"{h} jam" if h else f"{m} menit"


def durasi_kalender(minutes: int) -> str:
    """'1 hari 2 jam 5 menit': calendar time, where a day is 24 hours (so days are worth naming)."""
    d, rest = divmod(max(0, minutes), 24 * 60)
    if not d:
        return durasi(rest)
    return f"{d} hari" + (f" {durasi(rest)}" if rest else "")


def control_rows(sop: Sop, events: Sequence[Mapping[str, Any]], opened_at: datetime,
                 calendar: WorkCalendar, officials: Mapping[str, Mapping[str, str]],
                 names: Callable[[str], str] = str, kind: str | None = None) -> list[KendaliRow]:
    """One row per step done, in order: each event that ended a step (the case opening, a draft
    submitted, a decision acted on) closes the step the case was in since the previous one. The
    official named is who actually acted when the event knows it (`names` gives a user's name;
    a stand-in with Plt./Plh.), else the role's official from the settings. Each row has both the
    working and the calendar time taken; lateness and the standard follow the clock of `kind`."""
    clock = clock_for(sop, kind, calendar)
    rows: list[KendaliRow] = []
    since = opened_at
    for e in events:
        if e["kind"] not in _ENDS_STEP or e["step_from"] not in sop.steps:
            continue
        at = datetime.fromisoformat(e["at"])
        step = sop.step(e["step_from"])
        start = opened_at if e["kind"] == "opened" else since
        deadline = clock.deadline(start, step.time)
        rows.append(KendaliRow(
            step=step.number, tahap=step.title, peran=sop.roles[step.role].name,
            pejabat=_acted_by(e, step.role, officials, names),
            diterima=start, selesai=at,
            keputusan=e["decision"] or _ENDS_STEP[e["kind"]], catatan=e["catatan"] or "",
            minutes=calendar.working_minutes(start, at), standar=clock.standard(step.time),
            late=at > deadline, calendar_minutes=CALENDAR_TIME.minutes(start, at)))
        since = at
    return rows


def _acted_by(e: Mapping[str, Any], role: str, officials: Mapping[str, Mapping[str, str]],
              names: Callable[[str], str]) -> str:
    return events.acted_by(e, names) or str(officials.get(role, {}).get("nama", ""))


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def empty_parts(blocks: Sequence[str], required: Sequence[str]) -> list[str]:
    """The required parts whose heading is in the concept with nothing under it but the prompt.

    `blocks` are the concept's paragraphs (and tables, as their text; pictures as PICTURE) in order.
    A heading is a block that reads as a required part, with or without its list marker ("a.").
    A part's section runs to the next heading or the closing "Demikian ..." sentence.
    """
    wanted = {_norm(r): r for r in required}
    heads: list[tuple[int, str]] = []
    for i, b in enumerate(blocks):
        key = _heading(b)
        if key in wanted:
            heads.append((i, wanted[key]))
    out = []
    for n, (i, part) in enumerate(heads):
        end = heads[n + 1][0] if n + 1 < len(heads) else len(blocks)
        body = [b.strip() for b in blocks[i + 1:end]]
        closing = next((k for k, b in enumerate(body) if b.startswith("Demikian")), len(body))
        if not any(b and not _is_prompt(b) for b in body[:closing]):
            out.append(part)
    return out


def _heading(block: str) -> str:
    """A block as a required part's heading reads, without its list marker ('a.', '1)')."""
    return _norm(_MARKER.sub("", block, count=1))


def _is_prompt(block: str) -> bool:
    """An instruction left as given ('[...]'); a picture is content, though shown bracketed."""
    return block != PICTURE and bool(_PROMPT.match(block))


def _body(blocks: Sequence[str]) -> list[str]:
    """What follows the skeleton's ISI PENGUMUMAN separator (all of it when there is none)."""
    for i, b in enumerate(blocks):
        if b.strip() == _BODY_MARKER:
            return list(blocks[i + 1:])
    return list(blocks)


def unwritten_uraian(blocks: Sequence[str], kind: CaseKind) -> list[str]:
    """The plain parts (`uraian`) whose prompt paragraph still stands in the concept's body."""
    body = {_norm(b) for b in _body(blocks)}
    return [u.split(":", 1)[0] for u, p in zip(kind.uraian, kind.prompts(), strict=True)
            if _norm(p) in body]


def untouched(blocks: Sequence[str], kind: CaseKind) -> bool:
    """True when the body holds nothing the writer wrote: only prompts, the required headings and
    the closing sentence the skeleton came with (a skeleton saved back unchanged)."""
    heads = {_norm(r) for r in kind.required_parts}
    for b in _body(blocks):
        t = b.strip()
        if not t or _is_prompt(t) or t.startswith(_CLOSING):
            continue
        if _heading(t) in heads:
            continue
        return False
    return True


def empty_parts_message(parts: Sequence[str]) -> str:
    if not parts:
        return ""
    return "Bagian wajib yang tampak kosong: " + "; ".join(parts) + "."


def concept_blocks(docx: bytes) -> list[str]:
    """The body of a docx as block texts, in order (tables joined, pictures as PICTURE)."""
    from docx import Document
    from docx.oxml.ns import qn

    try:
        body = Document(BytesIO(docx)).element.body
    except Exception:  # an unreadable concept has no parts to check; intake judged it already
        return []
    out = []
    for el in body.iterchildren():
        if el.tag == qn("w:p"):
            text = "".join(el.xpath(".//w:t/text()"))
            if not text.strip() and el.xpath(".//w:drawing | .//w:pict"):
                text = PICTURE
            out.append(text)
        elif el.tag == qn("w:tbl"):
            out.append(" ".join(t for t in el.xpath(".//w:t/text()") if t.strip()))
    return out


def note_empty_parts(sop: Sop, kind: str, to_step: int, blocks: Sequence[str]) -> str:
    """The register's note for a concept (its `concept_blocks`) reaching a review step: '' when
    nothing looks empty."""
    if to_step not in sop.steps or sop.step(to_step).kind != "review":
        return ""
    k = sop.kind(kind)
    if not k.required_parts and not k.uraian:
        return ""
    return empty_parts_message([*unwritten_uraian(blocks, k), *empty_parts(blocks, k.required_parts)])
