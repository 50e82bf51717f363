"""Intake: what a file saved into an inbox means — a step of its case, or an answer in quarantine.

A settled file is kept in the store first, then read for what it is (`sniff`), which case it
belongs to (the id stamped inside, else the id its name starts with) and where it was saved. That
makes it one command of the case state machine (open a case, submit a draft, add a proof), or an
answer: the file goes to quarantine/ with a note saying why and what to do. Either way the outcome
is one `Change` handed to the recorder. Bad input never raises; it is answered.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path, PurePosixPath

from sop_docs import concept, kendali
from sop_docs.adapters import docx, safefs, sniff
from sop_docs.adapters.blobs import BlobStore
from sop_docs.adapters.db import CaseRow, Database
from sop_docs.authority import Authority
from sop_docs.core import notes
from sop_docs.core.access import Access
from sop_docs.core.calendar import WorkCalendar, clock_for
from sop_docs.core.case import AddProof, Submit, advance, open_case
from sop_docs.core.intake import is_hidden_document, is_ignored
from sop_docs.core.naming import (
    case_id,
    case_id_in_name,
    delivered_name,
    quarantine_name,
    shown,
    subject_from_name,
    visible,
)
from sop_docs.core.sop import Sop
from sop_docs.drafts import DRAFT, travel
from sop_docs.errors import IllegalMove, SopDocsError, plainly
from sop_docs.paperwork import Paperwork
from sop_docs.record import (
    Answer,
    Change,
    Deliver,
    Op,
    Received,
    Recorder,
    Remove,
    transition_change,
)
from sop_docs.settings import Settings
from sop_docs.workspace import Workspace

log = logging.getLogger("sop_docs")

# An unfinished package is answered only once nobody has written to it for this long (the watcher
# hands it over after its own grace period; `scan` sees its age).
STALE_AFTER = 60.0


class BadContent(Exception):
    """Content the libraries cannot read although the sniffer let it through: the file's fault."""


@dataclass(frozen=True)
class Arrival:
    """A settled file in an inbox, and what its place says about it."""

    path: Path
    rel: str
    role: str | None
    folder: str | None          # the subfolder below the role's inbox, if any
    person: str | None = None   # who saved it, when known
    title: str = ""             # "Plt."/"Plh." when a stand-in saved it


class Intake:
    def __init__(self, ws: Workspace, sop: Sop, settings: Settings, db: Database, blobs: BlobStore,
                 calendar: WorkCalendar, paperwork: Paperwork, recorder: Recorder,
                 clock: Callable[[], datetime], convert: Callable[[Path, str], bytes] | None,
                 authority: Authority | None = None) -> None:
        self.ws, self.sop, self.settings, self.db, self.blobs = ws, sop, settings, db, blobs
        self.calendar, self.paperwork, self.recorder = calendar, paperwork, recorder
        self.clock, self._convert = clock, convert
        self.authority = authority or Authority(sop, Access())
        self._faults: dict[tuple[str, str], int] = {}     # files our own faults kept waiting

    def pending(self) -> list[Path]:
        """Every file waiting in an inbox, oldest first: agenda numbers follow the order of saving.
        Links and special files are listed too (to be answered); linked folders are not entered."""
        inbox = self.ws.root / "inbox"
        out = []
        for e in safefs.walk(inbox):           # every folder (a date folder is no temp file)
            name = e.path.name
            if not is_ignored(name) or is_hidden_document(name):
                out.append((e.st.st_mtime_ns, e.path))
        return [p for _, p in sorted(out)]

    def take_in(self, path: Path) -> None:
        """Take in one settled file. Never raises for bad input: it is answered instead. The
        service's own trouble (a full disk, a broken template, a bug) raises `OSError` and leaves
        the file waiting in its inbox; a healthy file is never blamed for it."""
        kind = safefs.kind(path)
        if kind in (safefs.LINK, safefs.SPECIAL):
            self._not_a_file(self._arrival(path), kind)
            return
        if kind != safefs.FILE:
            return
        a = self._arrival(path)
        sha = self._keep(a)
        if sha is None:
            return
        if self.db.pending_remove(a.rel, sha):   # answered already; only its removal waits
            log.debug("%s was taken in already; its removal is pending", shown(a.rel))
            return
        log.info("received %s (%s)", shown(a.rel), sha[:12])
        if a.role is not None:                    # saved by someone holding the inbox's role?
            verdict = self.authority.judge(a.path, a.role, self.clock().date(),
                                           f"berkas di folder inbox/{a.role}/", verb="disimpan",
                                           carrier="berkas ini")
            if not verdict.ok:
                log.warning("%s: %s", shown(a.rel), verdict.refusal)
                self.quarantine(a, sha, "not_authorized", detail=verdict.refusal,
                                case=self._linked_case(a, sha))
                return
            a = replace(a, person=verdict.person, title=verdict.title)
        parts = PurePosixPath(a.rel).parts
        hidden = [p for p in parts if p.startswith(".")]
        if hidden:                                # hidden from the person who saved it
            folder = hidden[0] if hidden[0] != a.path.name else ""
            # "save again" names the folder above the hidden one: saved back into it, the file
            # would be answered again
            above = "/".join(parts[:parts.index(folder)]) + "/" if folder else None
            self.quarantine(a, sha, "hidden", case=self._linked_case(a, sha), inbox=above,
                            detail=(f"Folder '{folder}' juga diawali titik: simpan berkas "
                                    "langsung di folder inbox peran Anda." if folder else ""))
            return
        try:
            self._route(a, sha)
        except IllegalMove as e:
            self._wrong_step(a, sha, e)
        except BadContent as e:               # what the libraries could not read in it
            self.quarantine(a, sha, "corrupt", detail=str(e), case=self._linked_case(a, sha))
        except (OSError, SopDocsError) as e:  # the service's trouble, not the file's: it waits
            log.error("could not take in %s (%s); it stays in the inbox and is tried again",
                      shown(a.rel), plainly(e))
            raise OSError(str(e)) from e
        except Exception as e:                # a fault of ours: the administrator is told once
            if self._faults.setdefault((a.rel, sha), 0) == 0:
                log.exception("could not take in %s; it stays in the inbox", shown(a.rel))
            else:
                log.error("could not take in %s (%s); it stays in the inbox", shown(a.rel), e)
            self._faults[(a.rel, sha)] += 1
            raise OSError(str(e)) from e

    def _keep(self, a: Arrival) -> str | None:
        """The file kept in the store (its hash), or None once it is answered without a copy."""
        size = a.path.lstat().st_size
        if size > self.settings.max_file_bytes:  # never copied: moved to quarantine/ as it is
            self.quarantine(a, f"unkept:{size}", "too_large",
                            case=case_id_in_name(a.path.name, self.sop.case_prefix),
                            detail=f"{size} bytes, more than the limit of "
                                   f"{self.settings.max_file_bytes} bytes", move=True)
            return None
        try:
            return self.blobs.put_file(a.path)   # kept before anything else happens to it
        except safefs.NotRegular as e:           # replaced by a link or a FIFO just now
            self._not_a_file(a, e.kind)
            return None
        except OSError as e:
            log.error("cannot keep %s (%s); it stays in the inbox", shown(a.rel), plainly(e))
            raise

    def _stamp(self, data: bytes, case_id: str) -> str:
        """The document with the case link stamped in, kept; `BadContent` if it cannot be."""
        try:
            return self.blobs.put_bytes(docx.set_link(data, case_id))
        except ValueError as e:                   # set_link's word for unreadable content
            raise BadContent(f"the case link cannot be written into it: "
                             f"{type(e).__name__}: {e}") from e

    def _arrival(self, path: Path) -> Arrival:
        rel = path.relative_to(self.ws.root / "inbox").parts
        role = rel[0] if len(rel) > 1 and rel[0] in self.sop.roles else None
        folder = rel[1] if len(rel) > 2 else None
        return Arrival(path, self.ws.rel(path), role, folder)

    def _not_a_file(self, a: Arrival, kind: str) -> None:
        """A link or a special file is answered about itself: what it points at is never read,
        only the link (or FIFO) leaves the inbox; its target text is what is kept."""
        target = ""
        if kind == safefs.LINK:
            with contextlib.suppress(OSError):
                target = os.readlink(a.path)
        sha = self.blobs.put_bytes(target.encode("utf-8", "surrogateescape"))
        reason = "link" if kind == safefs.LINK else "special"
        detail = f"symbolic link to {target!r}" if kind == safefs.LINK else "a FIFO, device or socket"
        self.quarantine(a, sha, reason, detail=detail, keep=False)

    def _wrong_step(self, a: Arrival, sha: str, e: IllegalMove) -> None:
        """The case is not waiting for this file: say where it is, in the SOP's words."""
        inside, named = self._links(a, sha)
        cid = inside or named
        case = self.db.case(cid) if cid else None
        where = str(e)
        if case is not None and case.step in self.sop.steps:
            step = self.sop.step(case.step)
            where = f"Tahap {step.title}, dipegang {self.sop.roles[step.role].name}"
        self.quarantine(a, sha, "wrong_step", detail=where, case=cid, inside=inside is not None)

    def _links(self, a: Arrival, sha: str) -> tuple[str | None, str | None]:
        """The case ids of this SOP the file carries: the one stamped inside (any Word package,
        whatever its name or verdict: a skeleton saved as .docm still says whose it is) and the
        one its name starts with. Files over the size limit are not read."""
        inside = None
        stored = self.blobs.path(sha)
        try:
            if stored.stat().st_size <= self.settings.max_file_bytes:
                with stored.open("rb") as f:
                    zipped = f.read(4) == b"PK\x03\x04"
                inside = docx.read_link(stored.read_bytes()) if zipped else None
        except (OSError, ValueError):
            inside = None
        if inside is not None and case_id_in_name(inside, self.sop.case_prefix) != inside:
            inside = None                        # stamped by another system or SOP
        return inside, case_id_in_name(a.path.name, self.sop.case_prefix)

    def _linked_case(self, a: Arrival, sha: str) -> str | None:
        """The case a file belongs to: the id inside wins over the one in its name."""
        inside, named = self._links(a, sha)
        return inside or named

    # ------------------------------------------------------------------ routing
    def _route(self, a: Arrival, sha: str) -> None:
        """The command an arrival means, or the answer it gets."""
        verdict = sniff.classify(self.blobs.path(sha), max_bytes=self.settings.max_file_bytes,
                                 name=a.path.name)      # the kept copy: what was received
        if verdict.kind == "reject":
            if verdict.reason == "incomplete" and (
                    datetime.now().timestamp() - a.path.lstat().st_mtime < STALE_AFTER):
                log.info("%s is still being written; left in place", shown(a.rel))
                return
            self.quarantine(a, sha, verdict.reason or "corrupt", detail=verdict.detail,
                            case=self._linked_case(a, sha))
            return
        if a.role is None:
            self.quarantine(a, sha, "outside_role", detail="Folder inbox tiap peran: " + ", ".join(
                f"inbox/{role}/ ({r.name})" for role, r in self.sop.roles.items()) + ".")
            return
        inside, named = self._links(a, sha)
        if inside and named and inside != named:  # which one is meant is not guessed
            self.quarantine(a, sha, "two_cases", detail=named, case=inside)
            return
        linked = inside or named
        # material: anything in the intake role's inbox outside its proof folders (a folder that
        # names no kind, such as a date, gives the first kind)
        intake = a.role in self.sop.intake_roles() and (
            a.folder not in self.sop.proof_folders().get(a.role, ()))
        case = self.db.case(linked) if linked else None
        if linked and (case is None or case.status != "open"):
            if not (intake and (case is not None or named is None)):
                self.quarantine(a, sha, "unknown_case", case=linked, inside=inside == linked)
                return
            # a closed case's document reused as material, or an id inside a foreign document
            log.info("%s carries %s (%s); taken as new material", shown(a.rel), linked,
                     "closed" if case is not None else "unknown")
            case = None
        if case is None:
            if not intake:
                self.quarantine(a, sha, "unlinked")
            elif not self._duplicate(a, sha, None):
                self._open(a, sha, stamp=verdict.kind == "docx")
            return
        if self._duplicate(a, sha, case):
            return
        if a.folder in self.sop.proof_folders().get(a.role, ()):
            self._proof(a, sha, case, a.folder)
            return
        data = self._as_docx(a, sha, case, verdict)
        if data is not None:
            self._submit(a, sha, case, data)

    def _as_docx(self, a: Arrival, sha: str, case: CaseRow, verdict: sniff.Verdict) -> bytes | None:
        """The draft's content as a docx, or None once it is answered."""
        if verdict.kind == "convert":
            return self._converted(a, sha, case.id)
        if verdict.kind != "docx":
            self.quarantine(a, sha, "not_docx", detail=verdict.detail, case=case.id)
            return None
        return self.blobs.read(sha)

    def _converted(self, a: Arrival, sha: str, case: str | None = None) -> bytes | None:
        """A legacy/ODF/RTF/Strict document as a docx, or None once it is quarantined."""
        if self._convert is None:
            self.quarantine(a, sha, "conversion_failed", case=case,
                            detail="LibreOffice (soffice) is not installed on the server.")
            return None
        try:
            return self._convert(self.blobs.path(sha), a.path.suffix.lower())
        except SopDocsError as e:
            self.quarantine(a, sha, "conversion_failed", detail=str(e), case=case)
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
                self.quarantine(a, sha, "duplicate", detail=r["path"], case=r["case_id"],
                                received_at=datetime.fromisoformat(r["at"]))
                return True
        return False

    # ------------------------------------------------------------------ answers
    def quarantine(self, a: Arrival, sha: str, reason: str, *, detail: str = "",
                   case: str | None = None, received_at: datetime | None = None,
                   keep: bool = True, move: bool = False, remove: bool = True,
                   inside: bool = False, inbox: str | None = None) -> None:
        """Move the file to quarantine/ (never over another file) beside an Indonesian note, and
        tell the case concerned (if known) in the register; recorded first, like every step.
        `keep=False` (a link, a FIFO) puts only the note there; `move=True` (too large to copy)
        moves the file itself there instead of a kept copy; `remove=False` leaves the file where
        it is (a register about to be written anew); `inside`: `case` was read inside the
        document, so the note never advises renaming it; `inbox`: the folder to save into again,
        when not the one the file came from."""
        display = visible(a.path.name)          # NFC (macOS saves NFD), nothing invisible
        role_name = self.sop.roles[a.role].name if a.role else "pengirim"
        note = notes.quarantine_note(reason, display, role_name=role_name, detail=detail,
                                     case_id=case, received_at=received_at, inside=inside,
                                     inbox=inbox or PurePosixPath(a.rel).parent.as_posix() + "/")
        message = notes.register_message(reason, display)
        now = self.clock()
        name = quarantine_name(display, now.strftime("%Y%m%d-%H%M%S"))
        note_sha = self.blobs.put_bytes(note.encode("utf-8"))
        known = case if case and self.db.case(case) else None
        self.recorder.apply(Change(
            now, "quarantined", known, a.role, source=a.rel, message=message,
            detail={"reason": reason, "detail": detail, "sha256": sha},
            case={"message": message} if known else {},
            received=[Received(sha, a.rel, known, None, f"quarantined:{reason}")],
            ops=[Answer(name, None, note_sha, move_from=a.rel)] if move else
                [Answer(name, sha if keep else None, note_sha),
                 *([Remove(a.rel, sha)] if remove else [])],
            person=a.person, person_title=a.title))
        log.warning("quarantined %s: %s %s", shown(a.rel), reason, shown(detail))

    # ------------------------------------------------------------------ commands
    def _open(self, a: Arrival, sha: str, *, stamp: bool) -> None:
        """New material: a case with the next agenda number, its documents to the next role."""
        now = self.clock()
        kind = self.sop.kind(a.folder)
        t = open_case(self.sop)
        first = self.sop.first_step.number
        seq = self.db.peek_number(f"agenda:{self.sop.id}", now.year)
        cid = case_id(self.sop.case_prefix, now.year, seq)
        subject = subject_from_name(a.path.name, self.sop.case_prefix)
        case = CaseRow(cid, self.sop.id, now.year, seq, kind.key, subject, now.isoformat(),
                       t.state.step, "", now.isoformat(), "open", None, None, [], t.message, "")
        to = t.deliver_to
        assert to is not None
        deadline = clock_for(self.sop, kind.key, self.calendar).deadline(
            now, self.sop.step(t.state.step).time)
        material = sha
        if stamp:
            material = self._stamp(self.blobs.read(sha), cid)
        bahan = delivered_name(cid, "Bahan", subject_from_name(a.path.name),
                               a.path.suffix.lstrip("."))
        ops: list[Op] = [Deliver("bahan", material, bahan, to, first, "received", a.rel, sha)]
        for key in t.produce:
            data = self._opening_document(key, case, now, a, deadline, to)
            name = delivered_name(cid, self.sop.documents[key].label, subject, "docx")
            ops.append(Deliver(key, self.blobs.put_bytes(data), name, to, first))
        self.recorder.apply(Change(
            now, "opened", cid, a.role, first, t.state.step, source=a.rel, message=t.message,
            detail={"kind": kind.key, "sha256": sha}, opens=case, enters_step=True,
            numbers={f"agenda:{self.sop.id}": seq},
            received=[Received(sha, a.rel, cid, "intake", "accepted")],
            ops=[*ops, Remove(a.rel, sha)], person=a.person, person_title=a.title))
        log.info("%s opened from %s; delivered to outbox/%s", cid, shown(a.rel), to)

    def _opening_document(self, key: str, case: CaseRow, now: datetime, a: Arrival,
                          deadline: datetime, to: str) -> bytes:
        if key == "disposisi":
            return self.paperwork.disposisi(case, now, material=a.path.name, deadline=deadline,
                                            to_role=to, person=a.person, person_title=a.title)
        if key == DRAFT:
            return self.paperwork.konsep(case, now, deadline=deadline)
        return self.paperwork.render(key, case, now, {})

    def _submit(self, a: Arrival, sha: str, case: CaseRow, data: bytes) -> None:
        """A draft from the role that holds the case: stored linked, and on to the next holder."""
        assert a.role is not None
        t = advance(self.sop, case.state, Submit(a.role))
        stamped = self._stamp(data, case.id)      # content it cannot carry is answered first
        blocks = kendali.concept_blocks(data)
        reading = concept.read(self.sop, case, data, self.clock().date(), blocks=blocks)
        if reading.reason:                         # unwritten, or without a usable title
            self.quarantine(a, sha, reading.reason, detail=" ".join(reading.problems),
                            case=case.id)
            return
        if empty := kendali.note_empty_parts(self.sop, case.kind, t.state.step, blocks):
            t = replace(t, message=f"{t.message} {empty}")
        now = self.clock()
        name = delivered_name(case.id, self.sop.draft_label, case.subject, "docx")
        change = transition_change(case, t, now, kind="submitted", role=a.role, source=a.rel,
                                   detail={"sha256": sha})
        change.case["rincian"] = reading.details.to_json()
        change.received.append(Received(sha, a.rel, case.id, case.step_token, "accepted"))
        change.person, change.person_title = a.person, a.title
        draft = Deliver(DRAFT, stamped, name, t.deliver_to, case.step, "received", a.rel, sha)
        change.ops = [*travel(t.deliver_to, draft, []), Remove(a.rel, sha)]
        self.recorder.apply(change)
        log.info("%s: draft from %s -> outbox/%s (step %s)", case.id, shown(a.rel), t.deliver_to,
                 t.state.step)

    def _proof(self, a: Arrival, sha: str, case: CaseRow, proof: str) -> None:
        """A proof of publication: kept with the case, shown back in the publisher's outbox."""
        assert a.role is not None
        t = advance(self.sop, case.state, AddProof(a.role, proof))
        now = self.clock()
        label = proof.replace("_", " ").title()
        name = delivered_name(case.id, label, subject_from_name(a.path.name, self.sop.case_prefix),
                              a.path.suffix.lstrip("."))
        self.recorder.apply(Change(
            now, "proof", case.id, a.role, case.step, case.step, source=a.rel, message=t.message,
            detail={"proof": proof, "sha256": sha},
            case={"proofs": sorted(t.state.proofs), "message": t.message},
            received=[Received(sha, a.rel, case.id, case.step_token, "accepted")],
            ops=[Deliver(proof, sha, name, a.role, case.step, "received", a.rel),
                 Remove(a.rel, sha)], person=a.person, person_title=a.title))
        log.info("%s: proof %s from %s", case.id, proof, shown(a.rel))
