"""Decisions: what a reviewer typed in a register row — a step of the case, or an answer in Pesan Sistem.

Each row's Keputusan is read forgivingly, checked against the
step the row was written for (a stale copy never acts twice, a decision on a row whose step changed
is ignored), and becomes a core `Decide` command. The documents the transition asks for (a Nota
Pengembalian, the numbered Pengumuman and its PDF) are filled, and the draft travels as its holder
left it (corrected in place or not). Anything that cannot be done is answered in the row's Pesan
Sistem and leaves the case where it was. A decision counts only from the register of the role
that owns the step, saved by someone holding that role (`authority`); who took it is recorded.
Reading and writing the workbooks is `registers`'.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from sop_docs import archive, concept
from sop_docs.adapters import docx, identity, pdf, register, safefs, sniff
from sop_docs.adapters.blobs import BlobStore, sha256_file
from sop_docs.adapters.db import CaseRow, Database, Row
from sop_docs.archiving import Archiving
from sop_docs.authority import Authority
from sop_docs.core import rincian
from sop_docs.core.case import BELUM_SESUAI, SELESAI, Decide, Transition, advance
from sop_docs.core.decisions import normalise_decision
from sop_docs.core.naming import delivered_name
from sop_docs.core.rincian import Rincian
from sop_docs.core.sop import Sop
from sop_docs.drafts import DRAFT, NOTA, draft_placement, travel
from sop_docs.errors import IllegalMove
from sop_docs.paperwork import Paperwork, letter_number
from sop_docs.projection import Channel
from sop_docs.record import (
    Change,
    Deliver,
    Op,
    Place,
    Recorder,
    Repoint,
    transition_change,
)
from sop_docs.settings import Settings
from sop_docs.workspace import Workspace

log = logging.getLogger("sop_docs")


@dataclass(frozen=True)
class DraftNow:
    """The draft a decision is about: its content, its document row, and whether it was edited."""

    sha: str
    doc_id: int
    name: str
    edited: bool = False


@dataclass(frozen=True)
class Ruling:
    """A decision that may be acted on: the cell, the case, the canonical value, the transition."""

    cell: register.DecisionCell
    case: CaseRow
    value: str
    t: Transition
    seen_key: str
    now: datetime
    person: str | None = None
    title: str = ""

    @property
    def source(self) -> str:
        return self.cell.source


class Decisions:
    def __init__(self, ws: Workspace, sop: Sop, settings: Settings, db: Database, blobs: BlobStore,
                 paperwork: Paperwork, recorder: Recorder, archiving: Archiving,
                 authority: Authority, clock: Callable[[], datetime]) -> None:
        self.ws, self.sop, self.settings, self.db, self.blobs = ws, sop, settings, db, blobs
        self.paperwork, self.recorder, self.archiving = paperwork, recorder, archiving
        self.authority, self.clock = authority, clock

    def decide(self, cell: register.DecisionCell, channel: Channel) -> None:
        """Act on one row of a register that carries decisions, or answer it in its Pesan Sistem."""
        ruling = self._rule(cell, channel)
        if ruling is None:
            return
        draft = draft_placement(self.db, ruling.case.id)
        current = self._current_draft(ruling.case, draft)
        if current is None:
            return                               # being saved right now: try again next pass
        if current.doc_id == 0 and not ruling.t.closed:
            holder = self.sop.step(ruling.case.step).role
            self._answer(ruling.case, cell, ruling.now, ruling.seen_key,
                         f"Keputusan '{ruling.value}' belum dapat dijalankan: konsep kasus ini tidak "
                         "ditemukan, baik di outbox maupun di catatan sistem. Simpan konsepnya ke "
                         f"folder inbox/{holder}/, lalu pilih lagi.")
            return
        if current.edited and draft is not None:
            step = self.sop.step(ruling.case.step)
            verdict = self.authority.judge(self.ws.root / draft["path"], step.role,
                                           ruling.now.date(), f"perbaikan konsep tahap {step.number}",
                                           verb="dibuat", carrier="konsep di outbox")
            if not verdict.ok:
                self._refuse(ruling, verdict.refusal)
                return
        disk_sha = current.sha
        if current.edited:                       # corrected in place: link it before it travels
            try:
                current = replace(current, sha=self.blobs.put_bytes(
                    docx.set_link(self.blobs.read(disk_sha), ruling.case.id)))
            except ValueError:
                self._answer(ruling.case, cell, ruling.now, ruling.seen_key,
                             f"Keputusan '{ruling.value}' belum dijalankan: dokumen di outbox "
                             f"({draft['name'] if draft else ''}) tidak dapat dibaca sebagai "
                             "dokumen Word. Simpan ulang sebagai .docx lalu pilih lagi.")
                return
        if current.edited and self.sop.rincian:  # the reviewer may have corrected the details
            details = self._corrected_details(ruling, current.sha)
            if details is None:
                return
            ruling = replace(ruling, case=replace(ruling.case, rincian=details.to_json()))
        change = self._change(ruling, draft, current, disk_sha)
        if current.edited and self.sop.rincian:
            change.case["rincian"] = ruling.case.rincian
        self.recorder.apply(change)
        log.info("%s: %s at step %s -> step %s%s", ruling.case.id, ruling.value, ruling.case.step,
                 ruling.t.state.step, " (closed)" if ruling.t.closed else "")

    def _corrected_details(self, r: Ruling, sha: str) -> Rincian | None:
        """The details of a concept corrected in place, or None once the decision is answered
        (the correction made the title unusable)."""
        reading = concept.read(self.sop, r.case, self.blobs.read(sha), r.now.date(),
                               handed_in=False)
        if reading.reason:
            self._refuse(r, f"Keputusan '{r.value}' belum dijalankan: tabel Rincian pada konsep "
                         f"di outbox perlu diperbaiki. {' '.join(reading.problems)} Perbaiki, "
                         "simpan konsepnya, lalu simpan register lagi.")
            return None
        return reading.details

    def hold(self, cell: register.DecisionCell, why: str) -> None:
        """The decision could not be carried out for the service's own trouble: it stays in its
        row (a role's register is left as its holder saved it; the one register of "none" is
        written back with it), Pesan Sistem says so, and it is tried again."""
        case = self.db.case(cell.case_id)
        if case is None or case.status != "open" or not cell.keputusan:
            return
        message = (f"Keputusan '{cell.keputusan}' belum dapat dijalankan karena gangguan sistem "
                   f"({why}); keputusan tetap di sini dan dicoba lagi otomatis. Administrator "
                   "sudah diberi tahu.")
        with self.db.tx():
            self.db.update_case(case.id, keputusan=cell.keputusan, catatan=cell.catatan,
                                message=message)

    def not_here(self, cell: register.DecisionCell, channel: Channel,
                 registers: Mapping[str, str]) -> None:
        """A decision typed into a register that carries none (the overview): answered, naming
        the register of the role that holds the case (`registers`: role -> its register)."""
        case = self.db.case(cell.case_id)
        typed = cell.keputusan or cell.misplaced
        if case is None or case.status != "open" or not typed:
            return
        role = self.sop.step(case.step).role
        where = registers.get(role, "register peran Anda")
        seen_key = f"{cell.keputusan}|{cell.catatan}|{cell.misplaced}|{channel.key}"
        if self.db.decision_seen(cell.token, seen_key):
            return
        self._answer(case, cell, self.clock(), seen_key,
                     f"Keputusan '{typed}' di {self.ws.rel(channel.path)} tidak dijalankan: "
                     f"register ini hanya ikhtisar. {self.sop.roles[role].name} memilih keputusan "
                     f"di {where}.")

    def _rule(self, cell: register.DecisionCell, channel: Channel) -> Ruling | None:
        """The decision to act on, or None once it is answered (or needs nothing)."""
        now = self.clock()
        case = self.db.case(cell.case_id)
        if case is None or case.status != "open":
            log.info("register row %s: case %s is not open; ignored", cell.row, cell.case_id)
            return None
        value = normalise_decision(cell.keputusan) if cell.keputusan else None
        # what was typed, and what the case held then: the same words on a changed case count anew
        # who saved it counts too: the holder's own save after a refused one is new
        uid = identity.uid_of(channel.path)
        seen_key = (f"{cell.keputusan}|{cell.catatan}|{','.join(case.proofs)}"
                    f"|{'' if uid is None else uid}")
        if self.db.decision_seen(cell.token, seen_key):
            return None                          # already acted on (a stale copy of the register)
        if not cell.keputusan and cell.misplaced:
            self._answer(case, cell, now, f"{seen_key}|{cell.misplaced}",
                         f"'{cell.misplaced}' ditulis di kolom Pesan Sistem, yang hanya untuk jawaban "
                         "sistem; keputusan tidak dijalankan. Pilih keputusan di kolom Keputusan.")
            return None
        if not cell.keputusan:
            if cell.token == case.step_token and cell.catatan != case.catatan:
                with self.db.tx():               # a note without a decision is kept for later
                    self.db.update_case(case.id, catatan=cell.catatan)
            return None
        if cell.token != case.step_token:
            message = (f"Keputusan '{cell.keputusan}' diabaikan: tahap kasus sudah berubah "
                       f"(sekarang {self.sop.step(case.step).title}). Pilih ulang bila perlu.")
        elif value is None:
            message = (f"Keputusan '{cell.keputusan}' tidak dikenali: pilih Sesuai, Belum "
                       f"Sesuai, atau {SELESAI}. Kasus tetap di tahap ini.")
        elif (value == BELUM_SESUAI and rincian.says_nothing(cell.catatan)
              and self.sop.step(case.step).kind == "review"):
            message = (f"Keputusan '{BELUM_SESUAI}' belum dijalankan: tulis di kolom Catatan apa "
                       "yang perlu diperbaiki (catatan itu dikirim dalam Nota Pengembalian), lalu "
                       "simpan register lagi. Kasus tetap di tahap ini.")
        else:
            try:
                t = advance(self.sop, case.state, Decide(value))
            except IllegalMove as e:
                message = f"Keputusan '{value}' tidak dijalankan: {e}"
            else:
                return self._authorised(Ruling(cell, case, value, t, seen_key, now), channel)
        self._answer(case, cell, now, seen_key, message)
        return None

    def _authorised(self, r: Ruling, channel: Channel) -> Ruling | None:
        """The ruling, with who took it, if the register that carries it may decide this step."""
        step = self.sop.step(r.case.step)
        if channel.role is not None and channel.role != step.role:
            self._refuse(r, f"Keputusan tahap {step.number} diambil oleh "
                         f"{self.sop.roles[step.role].name}, bukan di register "
                         f"{self.sop.roles[channel.role].name}. Tidak dijalankan.")
            return None
        verdict = self.authority.judge(channel.path, step.role, r.now.date(),
                                       f"keputusan tahap {step.number}")
        if not verdict.ok:
            self._refuse(r, verdict.refusal)
            return None
        return replace(r, person=verdict.person, title=verdict.title)

    def _refuse(self, r: Ruling, message: str) -> None:
        log.warning("%s: %s (register row %s)", r.case.id, message, r.cell.row)
        self._answer(r.case, r.cell, r.now, r.seen_key, message)

    def _current_draft(self, case: CaseRow, draft: Row | None) -> DraftNow | None:
        """The draft as its holder left it (corrected in place or not); None while mid-save."""
        if draft is None:
            row = self.db.latest_document(case.id, DRAFT)
            return DraftNow(row["sha256"], row["id"], row["name"]) if row else DraftNow("", 0, "")
        kept = DraftNow(draft["sha256"], draft["doc_id"], draft["name"])
        path = self.ws.root / draft["path"]
        if safefs.kind(path) != safefs.FILE:      # removed, or replaced by a link or a FIFO
            log.warning("%s: %s is no longer a file in the outbox; the last kept version is used",
                        case.id, draft["path"])
            return kept
        if sha256_file(path) == kept.sha:
            return kept
        if not sniff.is_complete(path):
            log.info("%s: %s is being saved; decision waits", case.id, draft["path"])
            return None
        return replace(kept, sha=self.blobs.put_file(path), edited=True)

    def _change(self, r: Ruling, draft: Row | None, current: DraftNow, disk_sha: str) -> Change:
        """The event of an accepted decision: documents filled, the draft moved or archived."""
        case, t, now = r.case, r.t, r.now
        produced, numbers, fields = self._documents(r, draft, current)
        if "message" in fields:
            t = replace(t, message=fields.pop("message"))
        step = self.sop.step(case.step)
        change = transition_change(case, t, now, kind="decided", role=step.role,
                                   source=f"{r.source} baris {r.cell.row}", decision=r.value,
                                   catatan=r.cell.catatan)
        change.numbers, change.decision_seen = numbers, (r.cell.token, r.seen_key)
        change.person, change.person_title = r.person, r.title
        change.case.update(fields)
        final = any(self.sop.documents[k].numbered for k in t.produce)
        travelling = not (final or t.closed) and t.deliver_to is not None
        ops: list[Op] = []
        moving: Deliver | Place = Place(current.doc_id, current.sha, current.name, t.deliver_to or "")
        if current.edited and draft is not None:  # the reviewer corrected it in place
            ops.append(Repoint(draft["doc_id"], disk_sha))
            moving = Deliver(DRAFT, current.sha, current.name, None, case.step, "edited",
                             draft["path"], disk_sha)
            if travelling:
                moving = replace(moving, to=t.deliver_to)
            else:
                ops.append(moving)           # kept as a version; it travels no further
        if t.closed:
            closing = {"kind": "decided", "step_from": case.step, "at": now.isoformat(),
                       "decision": r.value, "catatan": r.cell.catatan, "person": r.person,
                       "person_title": r.title}
            ops += self.archiving.closing(case, closing, now)
        else:
            ops += travel(t.deliver_to, moving if travelling else None, produced)
        change.ops = ops
        return change

    def _documents(self, r: Ruling, draft: Row | None, current: DraftNow
                   ) -> tuple[list[Deliver], dict[str, int], dict[str, str]]:
        """The documents the transition asks for (return note, the numbered letter and its PDF,
        others), the counters they take, and the case fields they set."""
        case, t, now = r.case, r.t, r.now
        step = self.sop.step(case.step)
        to = t.deliver_to
        produced: list[Deliver] = []
        numbers: dict[str, int] = {}
        fields: dict[str, str] = {}
        if t.return_note:
            data = self.paperwork.nota(case, now, step=case.step, to_role=to or step.role,
                                       catatan=r.cell.catatan,
                                       document=draft["name"] if draft else "",
                                       person=r.person, person_title=r.title)
            produced.append(Deliver(NOTA, self.blobs.put_bytes(data), self._nota_name(case), to,
                                    case.step))
        for key in t.produce:
            spec = self.sop.documents[key]
            if spec.numbered:
                counter = f"letter:{self.sop.id}"
                numbers[counter] = self.db.peek_number(counter, now.year)
                fields["letter_number"] = letter_number(self.settings, numbers[counter], now)
                produced += self._letter(r, key, fields, current, to)
            else:
                data = self.paperwork.render(key, case, now, {})
                produced.append(Deliver(key, self.blobs.put_bytes(data),
                                        delivered_name(case.id, spec.label, case.subject, "docx"),
                                        to, case.step))
        return produced, numbers, fields

    def _letter(self, r: Ruling, key: str, fields: dict[str, str], current: DraftNow,
                to: str | None) -> list[Deliver]:
        """The numbered Pengumuman and, beside it, its PDF (SPEC step 4), signed by who approved
        it (a stand-in as Plt./Plh.). Without LibreOffice the docx still goes and the register
        says so (`fields["message"]`)."""
        case, now, t = r.case, r.now, r.t
        spec = self.sop.documents[key]
        name = delivered_name(case.id, spec.label, case.subject, "docx")
        letter = self.paperwork.pengumuman(case, now, number=fields["letter_number"],
                                           concept=self.blobs.read(current.sha),
                                           signer_role=self.sop.step(case.step).role,
                                           person=r.person, person_title=r.title)
        out = [Deliver(key, self.blobs.put_bytes(letter), name, to, case.step)]
        try:
            (hardcopy,) = pdf.to_pdf([(name, letter)])
        except pdf.OfficeUnavailable as e:
            log.error("%s: no PDF of the letter: %s", case.id, e)
            fields["message"] = (f"{t.message} PDF pengumuman tidak dapat dibuat karena "
                                 "LibreOffice belum terpasang di server; berkas Word tetap dikirim.")
        except pdf.ConversionFailed as e:
            log.error("%s: no PDF of the letter: %s", case.id, e)
            fields["message"] = (f"{t.message} PDF pengumuman tidak dapat dibuat "
                                 "(konversi LibreOffice gagal); berkas Word tetap dikirim.")
        else:
            out.append(Deliver(key + archive.PDF_SUFFIX, self.blobs.put_bytes(hardcopy),
                               name.rsplit(".", 1)[0] + ".pdf", to, case.step))
        return out

    def _nota_name(self, case: CaseRow) -> str:
        n = self.db.count_documents(case.id, NOTA) + 1
        label = self.sop.documents[NOTA].label
        return delivered_name(case.id, f"{label} {n}", case.subject, "docx")

    def _answer(self, case: CaseRow, cell: register.DecisionCell, now: datetime, seen_key: str,
                message: str) -> None:
        """The decision is not acted on: the row's Pesan Sistem says why, once."""
        self.recorder.apply(Change(
            now, "decision_ignored", case.id, source=f"{cell.source} baris {cell.row}",
            decision=cell.keputusan, catatan=cell.catatan, message=message,
            case={"message": message, "keputusan": ""}, decision_seen=(cell.token, seen_key)))
        log.info("%s: register row %s: %s", case.id, cell.row, message)
