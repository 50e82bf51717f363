"""The service layer: take in a file or a decision, ask the core what it means, record, then act.

Every change follows one order. (1) The received file is copied into the content store. (2) The core
decides (`core.case.advance`). (3) Documents are filled and stored. (4) One database transaction
records the event, the case's new state, where each document now belongs, and the file operations
that make the folders match (`ops`). (5) The operations are carried out and ticked off one by one.
A crash anywhere is finished by `recover()`, which replays the operations not yet ticked off; each
operation is idempotent, and none deletes a file whose content is not in the store.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import sqlite3
import tempfile
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path, PurePosixPath

from sop_docs import archive, kendali
from sop_docs.adapters import docx, pdf, register, sniff
from sop_docs.adapters.blobs import BlobStore, sha256_file
from sop_docs.adapters.db import CaseRow, Database
from sop_docs.core import notes
from sop_docs.core.calendar import WorkCalendar
from sop_docs.core.case import SELESAI, AddProof, CaseState, Decide, Submit, Transition, advance, open_case
from sop_docs.core.decisions import normalise_decision
from sop_docs.core.intake import is_ignored
from sop_docs.core.naming import case_id, case_id_in_name, delivered_name, safe_component, subject_from_name
from sop_docs.core.sop import Sop
from sop_docs.errors import IllegalMove, SopDocsError
from sop_docs.journal import Journal
from sop_docs.paperwork import Paperwork, lembar_kendali, letter_number
from sop_docs.projection import DRAFT, RegisterProjection, draft_placement
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
class Arrival:
    """A settled file in an inbox, and what its place says about it."""

    path: Path
    rel: str
    role: str | None
    folder: str | None          # the subfolder below the role's inbox, if any


class Service:
    def __init__(self, ws: Workspace, sop: Sop, settings: Settings, db: Database,
                 blobs: BlobStore, calendar: WorkCalendar, paperwork: Paperwork,
                 clock: Callable[[], datetime], convert: Callable[[Path, str], bytes] | None,
                 on_close: Callable[[], None] | None = None) -> None:
        self.ws, self.sop, self.settings, self.db, self.blobs = ws, sop, settings, db, blobs
        self.calendar, self.paperwork, self.clock, self._convert = calendar, paperwork, clock, convert
        self.root = ws.root
        self._on_close = on_close
        self.journal = Journal(ws.root, db, blobs, {"bundle": self._build_bundle})
        self.projection = RegisterProjection(ws, sop, db, calendar, clock)

    # ------------------------------------------------------------------ entry points
    def scan(self) -> None:
        """One full pass: finish what a crash left, take in every waiting file, act on decisions."""
        self.recover()
        for path in self.pending_inbox_files():
            # a disk error is logged by take_in; the file stays in the inbox for the next pass
            with contextlib.suppress(OSError):
                self.take_in(path)
        self.process_register()

    def close(self) -> None:
        self.db.close()
        if self._on_close is not None:
            self._on_close()

    def now(self) -> datetime:
        return self.clock()

    def recover(self) -> None:
        """Carry out every recorded operation not yet done (after a crash, or a failed move)."""
        self.journal.recover()

    def register_rows(self) -> list[register.RegisterRow]:
        return self.projection.rows()

    def pending_inbox_files(self) -> list[Path]:
        """Every file waiting in an inbox, oldest first: agenda numbers follow the order of saving."""
        inbox = self.root / "inbox"
        out = []
        for p in inbox.rglob("*"):
            rel = p.relative_to(inbox).parts
            if any(is_ignored(part) for part in rel):
                continue
            try:
                st = p.stat()
            except OSError:
                continue                           # gone meanwhile
            if p.is_file():
                out.append((st.st_mtime_ns, p))
        return [p for _, p in sorted(out)]

    # ------------------------------------------------------------------ intake
    def _arrival(self, path: Path) -> Arrival:
        rel = path.relative_to(self.root / "inbox").parts
        role = rel[0] if len(rel) > 1 and rel[0] in self.sop.roles else None
        folder = rel[1] if len(rel) > 2 else None
        return Arrival(path, self.ws.rel(path), role, folder)

    def take_in(self, path: Path) -> None:
        """Take in one settled file. Never raises for bad input: it is answered instead."""
        if not path.is_file():
            return
        a = self._arrival(path)
        sha = self.blobs.put_file(path)          # kept before anything else happens to it
        log.info("received %s (%s)", a.rel, sha[:12])
        last = self.db.conn.execute("SELECT COALESCE(MAX(id), 0) FROM events").fetchone()[0]
        try:
            self._take_in(a, sha)
        except IllegalMove as e:
            cid = self._linked_case(a, sha)
            case = self.db.case(cid) if cid else None
            where = str(e)
            if case is not None and case.step in self.sop.steps:   # where it is, in the SOP's words
                step = self.sop.step(case.step)
                where = f"Tahap {step.title}, dipegang {self.sop.roles[step.role].name}"
            self._quarantine(a, sha, "wrong_step", detail=where, case=cid)
        except OSError:
            log.exception("could not take in %s; it stays in the inbox", a.rel)
            raise
        except Exception as e:
            # content no check foresaw (a docx whose parts the libraries cannot parse): if nothing
            # was recorded yet, answer it, or it would stop every later scan at this file
            if self.db.conn.execute("SELECT COALESCE(MAX(id), 0) FROM events").fetchone()[0] != last:
                log.exception("could not finish taking in %s", a.rel)
                raise
            log.exception("could not take in %s; quarantined", a.rel)
            self._quarantine(a, sha, "corrupt", detail=f"{type(e).__name__}: {e}",
                             case=self._linked_case(a, sha))

    def _linked_case(self, a: Arrival, sha: str) -> str | None:
        """The case a file belongs to: the id stamped inside (any Word package, whatever its name
        or verdict: a skeleton saved as .docm still says whose it is), else the id its name starts
        with. Files over the size limit are not read."""
        cid = None
        stored = self.blobs.path(sha)
        try:
            if stored.stat().st_size <= self.settings.max_file_bytes:
                with stored.open("rb") as f:
                    zipped = f.read(4) == b"PK\x03\x04"
                cid = docx.read_link(stored.read_bytes()) if zipped else None
        except (OSError, ValueError):
            cid = None
        return cid or case_id_in_name(a.path.name)

    def _take_in(self, a: Arrival, sha: str) -> None:
        verdict = sniff.classify(a.path, max_bytes=self.settings.max_file_bytes)
        if verdict.kind == "reject":
            # an unfinished package is answered only once nobody has written to it for a while
            # (the watcher hands it over after its own grace period; `scan` sees its age)
            stale_after = 60.0
            if verdict.reason == "incomplete" and (
                    datetime.now().timestamp() - a.path.stat().st_mtime < stale_after):
                log.info("%s is still being written; left in place", a.rel)
                return
            self._quarantine(a, sha, verdict.reason or "corrupt", detail=verdict.detail,
                             case=self._linked_case(a, sha))
            return
        if a.role is None:
            self._quarantine(a, sha, "unlinked", detail="Berkas tidak berada di folder peran.")
            return
        linked = self._linked_case(a, sha)
        proofs = self.sop.proof_folders().get(a.role, ())
        intake = a.role in self.sop.intake_roles() and (
            a.folder is None or a.folder in {k.key for k in self.sop.kinds})
        case = self.db.case(linked) if linked else None
        if linked and (case is None or case.status != "open"):
            if intake and case is None and case_id_in_name(a.path.name) is None:
                case = None   # an id inside a foreign document: treat as new material
            else:
                self._quarantine(a, sha, "unknown_case", case=linked)
                return
        if case is None:
            if intake:
                if self._duplicate(a, sha, None):
                    return
                self._open(a, sha, stamp=verdict.kind == "docx")
            else:
                self._quarantine(a, sha, "unlinked")
            return
        if self._duplicate(a, sha, case):
            return
        if a.folder in proofs:
            self._proof(a, sha, case, a.folder)
            return
        data = self.blobs.read(sha)
        if verdict.kind == "convert":
            converted = self._converted(a, sha, case.id)
            if converted is None:
                return
            data = converted
        elif verdict.kind != "docx":
            self._quarantine(a, sha, "not_docx", detail=verdict.detail, case=case.id)
            return
        self._submit(a, sha, case, data)

    def _converted(self, a: Arrival, sha: str, case: str | None = None) -> bytes | None:
        """A legacy/ODF/RTF/Strict document as a docx, or None once it is quarantined."""
        if self._convert is None:
            self._quarantine(a, sha, "conversion_failed", case=case,
                             detail="LibreOffice (soffice) is not installed on the server.")
            return None
        try:
            return self._convert(self.blobs.path(sha), a.path.suffix.lower())
        except SopDocsError as e:
            self._quarantine(a, sha, "conversion_failed", detail=str(e), case=case)
            return None

    def _duplicate(self, a: Arrival, sha: str, case: CaseRow | None) -> bool:
        """True (and answered) when this content was already accepted for the case it concerns.

        For a case: accepted at this same step, or at any earlier step while the case is now not
        waiting for this role (a second save after the case moved on is a copy, not a late
        version). The case back at this role (after a return) may take the same bytes again.
        Without a case, the same material that opened a case still open is a duplicate.
        """
        waits_for = (self.sop.step(case.step).role
                     if case is not None and case.step in self.sop.steps else None)
        for r in self.db.accepted_before(sha):
            same = (case is None and r["case_id"] is not None
                    and (c := self.db.case(r["case_id"])) is not None and c.status == "open"
                    and r["token"] == "intake") or (
                case is not None and r["case_id"] == case.id
                and (r["token"] == case.step_token or waits_for != a.role))
            if same:
                self._quarantine(a, sha, "duplicate", detail=r["path"], case=r["case_id"],
                                 received_at=datetime.fromisoformat(r["at"]))
                return True
        return False

    def _quarantine(self, a: Arrival, sha: str, reason: str, *, detail: str = "",
                    case: str | None = None, received_at: datetime | None = None) -> None:
        """Move the file to quarantine/ (never over another file) beside an Indonesian note, and
        tell the case concerned (if known) in the register; recorded first, like every step."""
        shown = unicodedata.normalize("NFC", a.path.name)   # macOS clients save NFD names
        role_name = self.sop.roles[a.role].name if a.role else "pengirim"
        note = notes.quarantine_note(reason, shown, role_name=role_name, detail=detail,
                                     case_id=case, received_at=received_at,
                                     inbox=PurePosixPath(a.rel).parent.as_posix() + "/")
        message = notes.register_message(reason, shown)
        now = self.now()
        stamp = now.strftime("%Y%m%d-%H%M%S")
        stem, dot, ext = shown.rpartition(".")
        ext = safe_component(ext, limit=10, max_bytes=20) if dot and stem.strip() else ""
        if not ext or ext != shown.rpartition(".")[2]:
            stem, ext = shown, ""             # no usable extension: keep the name whole
        # bounded in bytes, the extension kept (the file still opens with a double-click)
        name = safe_component(f"{stamp} - {stem}", limit=150, max_bytes=190 - len(ext)) + (
            f".{ext}" if ext else "")
        note_sha = self.blobs.put_bytes(note.encode("utf-8"))
        known = case if case and self.db.case(case) else None
        with self.db.tx():
            ev = self.db.add_event(now.isoformat(), "quarantined", case_id=known, role=a.role,
                                   source=a.rel, message=message,
                                   detail={"reason": reason, "detail": detail, "sha256": sha})
            q = PurePosixPath("quarantine")
            rel = self.journal.free_name(q / name)
            self.db.add_op(ev, "place", rel, sha)
            self.db.add_op(ev, "place", self.journal.free_name(q / f"{PurePosixPath(rel).name}.txt"),
                           note_sha)
            self.db.add_op(ev, "remove", a.rel, sha)
            self.db.add_received(sha, a.rel, now.isoformat(), known, None, f"quarantined:{reason}")
            if known:
                self.db.update_case(known, message=message)
        self.journal.apply(ev)
        log.warning("quarantined %s: %s %s", a.rel, reason, detail)

    # ------------------------------------------------------------------ the flow
    def _deadline(self, step: int, since: datetime) -> datetime:
        return self.calendar.deadline(since, self.sop.step(step).time)

    def _open(self, a: Arrival, sha: str, *, stamp: bool) -> None:
        now = self.now()
        kind = self.sop.kind(a.folder)
        t = open_case(self.sop)
        year = now.year
        seq = self.db.peek_number(f"agenda:{self.sop.id}", year)
        cid = case_id(self.sop.case_prefix, year, seq)
        subject = subject_from_name(a.path.name, self.sop.case_prefix)
        case = CaseRow(cid, self.sop.id, year, seq, kind.key, subject, now.isoformat(),
                       t.state.step, "", now.isoformat(), "open", None, None, [], t.message, "")
        deadline = self._deadline(t.state.step, now)
        to = t.deliver_to
        assert to is not None
        produced: dict[str, bytes] = {}
        for key in t.produce:
            if key == "disposisi":
                produced[key] = self.paperwork.disposisi(case, now, material=a.path.name,
                                                         deadline=deadline, to_role=to)
            elif key == DRAFT:
                produced[key] = self.paperwork.konsep(case, now, deadline=deadline)
            else:
                produced[key] = self.paperwork.render(key, case, now, {})
        material = self.blobs.read(sha)
        delivered_material = sha
        if stamp:
            delivered_material = self.blobs.put_bytes(docx.set_link(material, cid))
        outbox = PurePosixPath("outbox") / to
        with self.db.tx():
            assert self.db.next_number(f"agenda:{self.sop.id}", year) == seq
            self.db.insert_case(case)
            ev = self.db.add_event(now.isoformat(), "opened", case_id=cid, role=a.role,
                                   step_from=self.sop.first_step.number, step_to=t.state.step,
                                   source=a.rel, message=t.message,
                                   detail={"kind": kind.key, "sha256": sha})
            token = f"{cid}#{ev}"
            self.db.update_case(cid, step_token=token)
            self.db.add_received(sha, a.rel, now.isoformat(), cid, "intake", "accepted")
            d = self.db.add_document(cid, "bahan", delivered_material,
                                     delivered_name(cid, "Bahan", subject_from_name(a.path.name),
                                                    a.path.suffix.lstrip(".")),
                                     "received", a.rel, self.sop.first_step.number, now.isoformat())
            self.journal.plan_place(ev, d, cid, to, outbox, self._doc_name(d), delivered_material)
            for key, data in produced.items():
                label = self.sop.documents[key].label
                name = delivered_name(cid, label, subject, "docx")
                dsha = self.blobs.put_bytes(data)
                d = self.db.add_document(cid, key, dsha, name, "generated", "",
                                         self.sop.first_step.number, now.isoformat())
                self.journal.plan_place(ev, d, cid, to, outbox, name, dsha)
            self.db.add_op(ev, "remove", a.rel, sha)
        self.journal.apply(ev)
        log.info("%s opened from %s; delivered to outbox/%s", cid, a.rel, to)

    def _doc_name(self, doc_id: int) -> str:
        return self.db.conn.execute("SELECT name FROM documents WHERE id=?",
                                    (doc_id,)).fetchone()[0]

    def _draft_placement(self, case_id_: str) -> sqlite3.Row | None:
        return draft_placement(self.db, case_id_)

    def _submit(self, a: Arrival, sha: str, case: CaseRow, data: bytes) -> None:
        assert a.role is not None
        t = advance(self.sop, self._state(case), Submit(a.role))
        if empty := kendali.note_empty_parts(self.sop, case.kind, t.state.step, data):
            t = replace(t, message=f"{t.message} {empty}")
        now = self.now()
        stamped = self.blobs.put_bytes(docx.set_link(data, case.id))
        name = delivered_name(case.id, self.sop.draft_label, case.subject, "docx")
        with self.db.tx():
            ev = self._record(case, t, now, kind="submitted", role=a.role, source=a.rel,
                              detail={"sha256": sha})
            self.db.add_received(sha, a.rel, now.isoformat(), case.id, case.step_token, "accepted")
            d = self.db.add_document(case.id, DRAFT, stamped, name, "received", a.rel, case.step,
                                     now.isoformat())
            self._move_draft(ev, case, t, d, stamped, name, now)
            self.db.add_op(ev, "remove", a.rel, sha)
        self.journal.apply(ev)
        log.info("%s: draft from %s -> outbox/%s (step %s)", case.id, a.rel, t.deliver_to,
                 t.state.step)

    def _move_draft(self, ev: int, case: CaseRow, t: Transition, doc_id: int | None, sha: str,
                    name: str, now: datetime, extra: Iterable[tuple[str, bytes, str]] = ()) -> None:
        """Take the draft (and any return notes) out of where it was, put the new one where it goes."""
        for p in self.db.placements(case.id):
            if p["kind"] in (DRAFT, "nota_pengembalian"):
                self.journal.plan_unplace(ev, p)
        to = t.deliver_to
        if to is None:
            return
        outbox = PurePosixPath("outbox") / to
        if doc_id is not None:
            self.journal.plan_place(ev, doc_id, case.id, to, outbox, name, sha)
        for key, data, dname in extra:
            dsha = self.blobs.put_bytes(data)
            d = self.db.add_document(case.id, key, dsha, dname, "generated", "", case.step,
                                     now.isoformat())
            self.journal.plan_place(ev, d, case.id, to, outbox, dname, dsha)

    def _record(self, case: CaseRow, t: Transition, now: datetime, *, kind: str, role: str | None,
                source: str, decision: str | None = None, catatan: str | None = None,
                detail: dict | None = None) -> int:  # type: ignore[type-arg]
        ev = self.db.add_event(now.isoformat(), kind, case_id=case.id, role=role,
                               step_from=case.step, step_to=t.state.step, decision=decision,
                               catatan=catatan, source=source, message=t.message, detail=detail)
        fields: dict[str, object] = {"message": t.message, "proofs": sorted(t.state.proofs),
                                     "catatan": ""}
        if t.state.step != case.step or t.deliver_to is not None or t.closed:
            fields.update(step=t.state.step, step_token=f"{case.id}#{ev}",
                          step_entered_at=now.isoformat())
        if t.closed:
            fields.update(status="closed", closed_at=now.isoformat())
            years = {y for y in self.db.get_meta("years_to_write").split(",") if y}
            self.db.set_meta("years_to_write", ",".join(sorted(years | {str(case.year)})))
        self.db.update_case(case.id, **fields)
        return ev

    @staticmethod
    def _state(case: CaseRow) -> CaseState:
        return CaseState(case.step, case.status != "open", frozenset(case.proofs))

    def _proof(self, a: Arrival, sha: str, case: CaseRow, proof: str) -> None:
        assert a.role is not None
        t = advance(self.sop, self._state(case), AddProof(a.role, proof))
        now = self.now()
        label = proof.replace("_", " ").title()
        name = delivered_name(case.id, label, subject_from_name(a.path.name, self.sop.case_prefix),
                              a.path.suffix.lstrip("."))
        with self.db.tx():
            ev = self.db.add_event(now.isoformat(), "proof", case_id=case.id, role=a.role,
                                   step_from=case.step, step_to=case.step, source=a.rel,
                                   message=t.message, detail={"proof": proof, "sha256": sha})
            self.db.update_case(case.id, proofs=sorted(t.state.proofs), message=t.message)
            self.db.add_received(sha, a.rel, now.isoformat(), case.id, case.step_token, "accepted")
            d = self.db.add_document(case.id, proof, sha, name, "received", a.rel, case.step,
                                     now.isoformat())
            self.journal.plan_place(ev, d, case.id, a.role, PurePosixPath("outbox") / a.role, name, sha)
            self.db.add_op(ev, "remove", a.rel, sha)
        self.journal.apply(ev)
        log.info("%s: proof %s from %s", case.id, proof, a.rel)

    # ------------------------------------------------------------------ register decisions
    def process_register(self) -> None:
        """Harvest decisions, act on them, rewrite the register; retry if a person saved meanwhile."""
        for _ in range(5):
            before = register.file_hash(self.ws.register)
            for cell in register.read_decisions(self.ws.register):
                self._decide(cell)
            if self.projection.write(before):
                self.projection.write_year_registers()
                return
            if register.is_open(self.ws.register):
                log.info("register is open in Excel/LibreOffice; it will be updated once closed")
                return
        log.warning("register kept changing while being updated; will try again")

    def _decide(self, cell: register.DecisionCell) -> None:
        now = self.now()
        case = self.db.case(cell.case_id)
        if case is None or case.status != "open":
            log.info("register row %s: case %s is not open; ignored", cell.row, cell.case_id)
            return
        value = normalise_decision(cell.keputusan) if cell.keputusan else None
        # what was typed, and what the case held then: the same words on a changed case count anew
        seen_key = f"{cell.keputusan}|{cell.catatan}|{','.join(case.proofs)}"
        if self.db.decision_seen(cell.token, seen_key):
            return                               # already acted on (a stale copy of the register)
        if not cell.keputusan:
            if cell.token == case.step_token and cell.catatan != case.catatan:
                with self.db.tx():               # a note without a decision is kept for later
                    self.db.update_case(case.id, catatan=cell.catatan)
            return
        if cell.token != case.step_token:
            self._answer(case, cell, now, seen_key,
                         f"Keputusan '{cell.keputusan}' diabaikan: tahap kasus sudah berubah "
                         f"(sekarang {self.sop.step(case.step).title}). Pilih ulang bila perlu.")
            return
        if value is None:
            self._answer(case, cell, now, seen_key,
                         f"Keputusan '{cell.keputusan}' tidak dikenali: pilih Sesuai, Belum "
                         f"Sesuai, atau {SELESAI}. Kasus tetap di tahap ini.")
            return
        try:
            t = advance(self.sop, self._state(case), Decide(value))
        except IllegalMove as e:
            self._answer(case, cell, now, seen_key, f"Keputusan '{value}' tidak dijalankan: {e}")
            return
        step = self.sop.step(case.step)
        draft = self._draft_placement(case.id)
        current = self._current_draft(case, draft)
        if current is None:
            return                               # being saved right now: try again next pass
        disk_sha = current.sha
        if current.edited:                       # corrected in place: link it before it travels
            try:
                current = replace(current, sha=self.blobs.put_bytes(
                    docx.set_link(self.blobs.read(disk_sha), case.id)))
            except ValueError:
                self._answer(case, cell, now, seen_key,
                             f"Keputusan '{value}' belum dijalankan: dokumen di outbox "
                             f"({draft['name'] if draft else ''}) tidak dapat dibaca sebagai "
                             "dokumen Word. Simpan ulang sebagai .docx lalu pilih lagi.")
                return
        produced: list[tuple[str, bytes, str]] = []
        letter_seq, number = None, ""
        if t.return_note:
            produced.append(("nota_pengembalian", self.paperwork.nota(
                case, now, step=case.step, to_role=t.deliver_to or step.role,
                catatan=cell.catatan, document=draft["name"] if draft else ""),
                self._nota_name(case)))
        for key in t.produce:
            spec = self.sop.documents[key]
            if spec.numbered:
                letter_seq = self.db.peek_number(f"letter:{self.sop.id}", now.year)
                number = letter_number(self.settings, letter_seq, now)
                letter_name = delivered_name(case.id, spec.label, case.subject, "docx")
                letter = self.paperwork.pengumuman(
                    case, now, number=number, concept=self.blobs.read(current.sha),
                    signer_role=step.role)
                produced.append((key, letter, letter_name))
                try:                             # the hardcopy goes beside it (SPEC step 4)
                    (hardcopy,) = pdf.to_pdf([(letter_name, letter)])
                    produced.append((key + archive.PDF_SUFFIX, hardcopy,
                                     letter_name.rsplit(".", 1)[0] + ".pdf"))
                except pdf.OfficeUnavailable as e:
                    log.error("%s: no PDF of the letter: %s", case.id, e)
                    t = replace(t, message=f"{t.message} PDF pengumuman tidak dapat dibuat karena "
                                "LibreOffice belum terpasang di server; berkas Word tetap dikirim.")
                except pdf.ConversionFailed as e:
                    log.error("%s: no PDF of the letter: %s", case.id, e)
                    t = replace(t, message=f"{t.message} PDF pengumuman tidak dapat dibuat "
                                "(konversi LibreOffice gagal); berkas Word tetap dikirim.")
            else:
                produced.append((key, self.paperwork.render(key, case, now, {}),
                                 delivered_name(case.id, spec.label, case.subject, "docx")))
        final = any(self.sop.documents[k].numbered for k in t.produce)
        with self.db.tx():
            if letter_seq is not None:
                assert self.db.next_number(f"letter:{self.sop.id}", now.year) == letter_seq
                self.db.update_case(case.id, letter_number=number)
            doc_id, sha, name = current.doc_id, current.sha, current.name
            if current.edited:                   # the reviewer corrected it in place
                self.db.conn.execute("UPDATE placements SET sha256=? WHERE doc_id=?",
                                     (disk_sha, draft["doc_id"]))
                doc_id = self.db.add_document(case.id, DRAFT, sha, name, "edited",
                                              draft["path"] if draft else "", case.step,
                                              now.isoformat())
            ev = self._record(case, t, now, kind="decided", role=step.role,
                              source=f"register.xlsx baris {cell.row}", decision=value,
                              catatan=cell.catatan)
            self.db.mark_decision(cell.token, seen_key, now.isoformat())
            if t.closed:
                self._plan_archive(ev, case)
            else:
                self._move_draft(ev, case, t, None if final else doc_id, sha, name, now, produced)
        self.journal.apply(ev)
        log.info("%s: %s at step %s -> step %s%s", case.id, value, case.step, t.state.step,
                 " (closed)" if t.closed else "")

    def _nota_name(self, case: CaseRow) -> str:
        n = self.db.conn.execute("SELECT COUNT(*) FROM documents WHERE case_id=? AND "
                                 "kind='nota_pengembalian'", (case.id,)).fetchone()[0] + 1
        label = self.sop.documents["nota_pengembalian"].label
        return delivered_name(case.id, f"{label} {n}", case.subject, "docx")

    def _current_draft(self, case: CaseRow, draft: sqlite3.Row | None) -> DraftNow | None:
        """The draft as its holder left it (corrected in place or not); None while mid-save."""
        if draft is None:
            row = self.db.conn.execute("SELECT * FROM documents WHERE case_id=? AND kind=? "
                                       "ORDER BY id DESC LIMIT 1", (case.id, DRAFT)).fetchone()
            return DraftNow(row["sha256"], row["id"], row["name"]) if row else DraftNow("", 0, "")
        kept = DraftNow(draft["sha256"], draft["doc_id"], draft["name"])
        path = self.root / draft["path"]
        if not path.exists():
            log.warning("%s: %s was removed from the outbox; the last kept version is used",
                        case.id, draft["path"])
            return kept
        if sha256_file(path) == kept.sha:
            return kept
        if not sniff.is_complete(path):
            log.info("%s: %s is being saved; decision waits", case.id, draft["path"])
            return None
        return replace(kept, sha=self.blobs.put_file(path), edited=True)

    def _answer(self, case: CaseRow, cell: register.DecisionCell, now: datetime, seen_key: str,
                message: str) -> None:
        with self.db.tx():
            self.db.add_event(now.isoformat(), "decision_ignored", case_id=case.id,
                              source=f"register.xlsx baris {cell.row}", decision=cell.keputusan,
                              catatan=cell.catatan, message=message)
            self.db.update_case(case.id, message=message)
            self.db.mark_decision(cell.token, seen_key, now.isoformat())
        log.info("%s: register row %s: %s", case.id, cell.row, message)

    def _plan_archive(self, ev: int, case: CaseRow) -> None:
        """At close: the control sheet joins the case's documents, the outboxes are emptied, and
        one `bundle` op makes archive/<year>/<id> - <subject>/ (BagIt) from the store."""
        now = self.now()
        rows = kendali.control_rows(self.sop, self.db.events(case.id),
                                    datetime.fromisoformat(case.opened_at), self.calendar,
                                    self.settings.officials)
        closed = replace(case, closed_at=now.isoformat(), status="closed")
        sheet = self.blobs.put_bytes(lembar_kendali(self.paperwork, closed, now, rows))
        self.db.add_document(case.id, archive.KENDALI, sheet,
                             delivered_name(case.id, "Lembar Kendali", case.subject, "docx"),
                             "generated", "", case.step, now.isoformat())
        self.db.add_op(ev, "bundle", archive.bundle_folder(case.year, case.id, case.subject).as_posix(),
                       None)
        for p in self.db.placements(case.id):
            self.journal.plan_unplace(ev, p)

    def _build_bundle(self, op_id: int, target: Path) -> bool:
        """Carry out a `bundle` op: True once the bundle is in place; False (logged) to retry."""
        row = self.db.conn.execute("SELECT e.case_id FROM ops o JOIN events e ON e.id = o.event_id "
                                   "WHERE o.id=?", (op_id,)).fetchone()
        case = self.db.case(row[0]) if row and row[0] else None
        if case is None:
            log.error("bundle %s: no case recorded for it", self.ws.rel(target))
            return False
        history = [(datetime.fromisoformat(e["at"]),
                    self.sop.steps[e["step_from"]].title if e["step_from"] in self.sop.steps else "",
                    self.sop.steps[e["step_to"]].title if e["step_to"] in self.sop.steps else "",
                    self.sop.roles[e["role"]].name if e["role"] in self.sop.roles else "",
                    e["kind"], e["decision"] or "", e["catatan"] or "", e["message"], e["source"] or "")
                   for e in self.db.events(case.id)]
        info = {"Source-Organization": str(self.settings.office.get("nama", "")),
                "External-Identifier": case.id,
                "External-Description": f"{self.sop.name}: {case.subject}",
                "SOP-Docs-Case-Id": case.id, "SOP-Docs-Subject": case.subject,
                "SOP-Docs-SOP": f"{self.sop.id} ({self.sop.name})",
                "SOP-Docs-Letter-Number": case.letter_number or "-",
                "SOP-Docs-Closed": case.closed_at or ""}
        plan = archive.plan(
            case.id, self.db.documents(case.id), self.blobs.path,
            proof_kinds={p for ps in self.sop.proof_folders().values() for p in ps},
            record_kinds=[k for k in self.sop.documents if k != DRAFT], history=history, info=info)
        try:
            archive.build(target, plan, pdf.to_pdf)
        except Exception:
            log.exception("%s: the archive bundle %s could not be made; will try again",
                          case.id, self.ws.rel(target))
            return False
        log.info("%s: archived as %s", case.id, self.ws.rel(target))
        return True

    def verify(self) -> archive.VerifyReport:
        """Every bundle in archive/ checked (BagIt checksums) against the database's closed cases."""
        expected = {}
        for r in self.db.conn.execute("SELECT id FROM cases WHERE status='closed'").fetchall():
            case = self.db.case(r["id"])
            assert case is not None
            rel = archive.bundle_folder(case.year, case.id, case.subject).as_posix()
            expected[rel] = archive.Expected(
                case.id, frozenset(d["sha256"] for d in self.db.documents(case.id)))
        return archive.verify(self.root, expected)



def convert_with_libreoffice(src: Path, suffix: str) -> bytes:
    """A legacy or Strict document as an ordinary docx, made by LibreOffice in a private folder."""
    from sop_docs.adapters import office

    with tempfile.TemporaryDirectory(prefix="sop_conv_") as tmp:
        local = Path(tmp) / f"dokumen{suffix if suffix in ('.doc', '.odt', '.rtf') else '.docx'}"
        shutil.copyfile(src, local)
        out = office.convert([local], "docx", Path(tmp) / "out")
        return out[0].read_bytes()
