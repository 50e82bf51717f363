"""Recording: the one way an event is applied — written whole in one transaction, then carried out.

Everything that happens to the workspace (a case opened, a draft submitted, a decision acted on, a
proof received, a file answered in quarantine) is described as a `Change`: the event's row, the
case's new state, the numbers it takes, and the file operations in the order they must run.
`Recorder.apply` writes all of it in one database transaction before any file is touched, has the
journal carry the operations out, then tells the subscribers. Later concerns (notifications,
reports, the dashboard) subscribe here — `within` runs inside the transaction, so what it records
lives or dies with the event; `after` runs once the folders match — and none of them reaches into
intake or decisions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any

from sop_docs.adapters import safefs
from sop_docs.adapters.blobs import BlobStore, sha256_file
from sop_docs.adapters.db import CaseRow, Database, Row
from sop_docs.core.case import Transition
from sop_docs.errors import SopDocsError
from sop_docs.journal import Journal


@dataclass(frozen=True)
class Deliver:
    """A new version of a document: recorded, and placed in `to`'s outbox (kept only if None)."""

    kind: str
    sha: str
    name: str
    to: str | None
    step: int | None
    origin: str = "generated"
    source: str = ""
    original: str | None = None     # the bytes as received, when `sha` is a working copy of them


@dataclass(frozen=True)
class Place:
    """A version already recorded goes to `to`'s outbox (the draft travelling on)."""

    doc_id: int
    sha: str
    name: str
    to: str


@dataclass(frozen=True)
class TakeOut:
    """The case's placed documents of these kinds (all, if None) leave the outboxes."""

    kinds: frozenset[str] | None = None


@dataclass(frozen=True)
class Repoint:
    """A placed file was corrected in place by its holder: it now holds `sha` (kept already)."""

    doc_id: int
    sha: str


@dataclass(frozen=True)
class Answer:
    """A file that could not be taken in goes to quarantine/ under `name`, its note beside it
    (only the note when `sha` is None: a link or a FIFO has no content of its own to show)."""

    name: str
    sha: str | None
    note_sha: str
    move_from: str | None = None    # too large to copy: the file itself is moved from here


@dataclass(frozen=True)
class Bundle:
    """The closed case's archive bundle is built at `path` (the journal's `bundle` builder)."""

    path: str


@dataclass(frozen=True)
class Remove:
    """A received file leaves its inbox (its bytes are in the store)."""

    path: str
    sha: str


Op = Deliver | Place | TakeOut | Repoint | Answer | Bundle | Remove


@dataclass(frozen=True)
class Received:
    """A received file and what became of it (the duplicate check reads these)."""

    sha: str
    path: str
    case_id: str | None
    token: str | None
    outcome: str


@dataclass
class Change:
    """Everything one event does. `case` holds the case's fields that change; `enters_step` gives
    the case a new step token from this event; `numbers` are the yearly counters it takes, with the
    number the documents were already filled with."""

    at: datetime
    kind: str
    case_id: str | None = None
    role: str | None = None
    step_from: int | None = None
    step_to: int | None = None
    decision: str | None = None
    catatan: str | None = None
    source: str | None = None
    message: str = ""
    detail: dict[str, Any] | None = None
    opens: CaseRow | None = None
    case: dict[str, Any] = field(default_factory=dict)
    enters_step: bool = False
    numbers: dict[str, int] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    ops: list[Op] = field(default_factory=list)
    decision_seen: tuple[str, str] | None = None
    person: str | None = None       # who saved the file that carries it (None: not known)
    person_title: str = ""          # "Plt."/"Plh." when a stand-in acted


def transition_change(case: CaseRow, t: Transition, at: datetime, *, kind: str, role: str | None,
                      source: str, decision: str | None = None, catatan: str | None = None,
                      detail: dict[str, Any] | None = None) -> Change:
    """The change a core transition makes to its case: a new step (and token) when it moved or
    its draft travels, closed when it closed; the Catatan typed for the old step is cleared."""
    fields: dict[str, Any] = {"message": t.message, "proofs": sorted(t.state.proofs), "catatan": "",
                              "keputusan": ""}
    moved = t.state.step != case.step or t.deliver_to is not None or t.closed
    if moved:
        fields["step"] = t.state.step
    if t.closed:
        fields.update(status="closed", closed_at=at.isoformat())
    return Change(at, kind, case.id, role, case.step, t.state.step, decision, catatan, source,
                  t.message, detail, case=fields, enters_step=moved)


Listener = Callable[[int, Change], None]


class Recorder:
    def __init__(self, db: Database, journal: Journal, blobs: BlobStore,
                 names: Callable[[str], str] | None = None) -> None:
        self.db, self.journal, self.blobs = db, journal, blobs
        self.names = names                    # a user's full name, kept with the event they made
        self.within: list[Listener] = []      # called inside the event's transaction
        self.after: list[Listener] = []       # called once its operations ran

    def apply(self, change: Change) -> int:
        """Record `change` in one transaction, carry out its operations; the event's id."""
        with self.db.tx():
            ev = self._record(change)
            for listener in self.within:
                listener(ev, change)
        self.journal.apply(ev)
        for listener in self.after:
            listener(ev, change)
        return ev

    def _record(self, c: Change) -> int:
        db, at = self.db, c.at.isoformat()
        for counter, number in c.numbers.items():
            taken = db.next_number(counter, c.at.year)
            if taken != number:            # one writer per workspace: this cannot happen
                raise SopDocsError(f"number {number} of {counter} was taken meanwhile ({taken})")
        if c.opens is not None:
            db.insert_case(c.opens)
        detail = c.detail
        if c.person and self.names is not None:   # the name as it was then, whatever sop.toml
            detail = {**(detail or {}), "nama": self.names(c.person)}  # says later
        ev = db.add_event(at, c.kind, case_id=c.case_id, role=c.role, step_from=c.step_from,
                          step_to=c.step_to, decision=c.decision, catatan=c.catatan,
                          source=c.source, message=c.message, detail=detail, person=c.person,
                          person_title=c.person_title)
        fields = dict(c.case)
        if c.enters_step:
            fields.update(step_token=f"{c.case_id}#{ev}", step_entered_at=at)
        if c.case_id is not None and fields:
            db.update_case(c.case_id, **fields)
            if fields.get("status") == "closed":
                case = db.case(c.case_id)
                assert case is not None
                db.year_to_write(case.year)
        for r in c.received:
            db.add_received(r.sha, r.path, at, r.case_id, r.token, r.outcome)
        if c.decision_seen is not None:
            db.mark_decision(*c.decision_seen, at)
        for op in c.ops:
            self._plan(ev, c, op)
        return ev

    def _keep_edits(self, c: Change, placement: Row) -> None:
        """A delivered file its holder changed in place becomes a recorded version before it
        leaves the outbox, so the change reaches the archive instead of a loose copy."""
        path = self.journal.root / placement["path"]
        try:
            if safefs.kind(path) != safefs.FILE or sha256_file(path) == placement["sha256"]:
                return
            sha = self.blobs.put_file(path)
        except OSError:
            return                                 # the remove op keeps whatever it finds
        self.db.add_document(placement["case_id"], placement["kind"], sha, placement["name"],
                             "edited", placement["path"], c.step_from, c.at.isoformat())
        self.db.repoint(placement["doc_id"], sha)

    def _plan(self, ev: int, c: Change, op: Op) -> None:
        """The database rows and journal operations of one file operation."""
        db, journal, case = self.db, self.journal, c.case_id or ""
        if isinstance(op, Deliver):
            d = db.add_document(case, op.kind, op.sha, op.name, op.origin, op.source, op.step,
                                c.at.isoformat(), op.original)
            if op.to is not None:
                journal.plan_place(ev, d, case, op.to, PurePosixPath("outbox") / op.to, op.name,
                                   op.sha)
        elif isinstance(op, Place):
            journal.plan_place(ev, op.doc_id, case, op.to, PurePosixPath("outbox") / op.to,
                               op.name, op.sha)
        elif isinstance(op, TakeOut):
            for p in db.placements(case):
                if op.kinds is None or p["kind"] in op.kinds:
                    self._keep_edits(c, p)
                    journal.plan_unplace(ev, db.placement(p["doc_id"]) or p)
        elif isinstance(op, Repoint):
            db.repoint(op.doc_id, op.sha)
        elif isinstance(op, Answer):
            q = PurePosixPath("quarantine")
            rel = journal.free_name(q / op.name)
            if op.move_from is not None:
                db.add_op(ev, "move", rel, None, source=op.move_from)
            elif op.sha is not None:
                db.add_op(ev, "place", rel, op.sha)
            db.add_op(ev, "place", journal.free_name(q / f"{PurePosixPath(rel).name}.txt"),
                      op.note_sha)
        elif isinstance(op, Bundle):
            db.add_op(ev, "bundle", op.path, None)
        else:
            db.add_op(ev, "remove", op.path, op.sha)
