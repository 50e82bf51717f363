"""Random sequences of what staff do, on a real workspace, with the invariants checked after each.

Hypothesis picks who does what (open a case, save a concept, choose any decision, save a proof,
restart the service); after every step: every delivered document is exactly where the database says
and nowhere else, no draft is in two outboxes, the register shows exactly the open cases at their
steps, the inbox is empty, and every version ever recorded is in the content store.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from sop_docs.adapters.blobs import sha256_file
from tests.driver import CORPUS, Office

MATERIALS = ["tables.docx", "simple-list.docx", "footnotes.docx", "underline.docx",
             "single-paragraph.docx", "comments.docx"]
DECISIONS = ["Sesuai", "Belum Sesuai", "Selesai", "sesuai ", "Mungkin"]


class StaffAtWork(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="sop_prop_"))
        self.office = Office(self.tmp / "ws")
        self.opened = 0

    def teardown(self) -> None:
        self.office.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def cases(self) -> list[str]:
        return [c.id for c in self.office.svc.db.open_cases()]

    @precondition(lambda self: self.opened < len(MATERIALS))
    @rule(serta_merta=st.booleans())
    def open_a_case(self, serta_merta: bool) -> None:
        folder = "serta_merta/" if serta_merta else ""
        name = MATERIALS[self.opened]
        self.opened += 1
        self.office.save(f"inbox/kabid_kasubag/{folder}Bahan {self.opened}.docx", CORPUS / name)
        self.office.scan()

    @precondition(lambda self: self.cases())
    @rule(data=st.data())
    def save_the_draft_into_the_holders_inbox(self, data: st.DataObject) -> None:
        case = data.draw(st.sampled_from(self.cases()))
        c = self.office.svc.db.case(case)
        holder = self.office.svc.sop.step(c.step).role
        drafts = [p for p in self.office.svc.db.placements(case) if p["kind"] == "konsep"]
        if not drafts:
            return
        self.office.save(f"inbox/{holder}/{case} simpan.docx",
                         (self.office.root / drafts[0]["path"]).read_bytes())
        self.office.scan()

    @precondition(lambda self: self.cases())
    @rule(data=st.data(), decision=st.sampled_from(DECISIONS))
    def choose_a_decision(self, data: st.DataObject, decision: str) -> None:
        case = data.draw(st.sampled_from(self.cases()))
        self.office.decide(case, decision, f"catatan {decision}")
        self.office.scan()

    @precondition(lambda self: self.cases())
    @rule(data=st.data(), proof=st.sampled_from(["bukti_online", "bukti_offline"]))
    def save_a_proof(self, data: st.DataObject, proof: str) -> None:
        case = data.draw(st.sampled_from(self.cases()))
        self.office.save(f"inbox/fungsional/{proof}/{case} foto {proof}.png",
                         b"\x89PNG\r\n\x1a\n" + proof.encode())
        self.office.scan()

    @rule()
    def restart_the_service(self) -> None:
        self.office.close()
        self.office = Office(self.office.root, self.office.clock)

    @rule(minutes=st.integers(min_value=1, max_value=3000))
    def time_passes(self, minutes: int) -> None:
        self.office.clock.advance(minutes=minutes)

    @invariant()
    def every_document_is_exactly_where_the_database_says(self) -> None:
        db = self.office.svc.db
        placed = {p["path"]: p["sha256"] for p in db.all_placements()}
        on_disk = {p.relative_to(self.office.root).as_posix()
                   for p in (self.office.root / "outbox").rglob("*") if p.is_file()
                   and not p.name.startswith(".")}
        assert on_disk == {p for p in placed if p.startswith("outbox/")}
        for path, sha in placed.items():
            assert sha256_file(self.office.root / path) == sha
        assert not db.pending_ops()

    @invariant()
    def a_draft_is_in_at_most_one_outbox(self) -> None:
        for case in self.cases():
            drafts = [p for p in self.office.svc.db.placements(case) if p["kind"] == "konsep"]
            assert len(drafts) <= 1

    @invariant()
    def the_register_shows_exactly_the_open_cases_at_their_steps(self) -> None:
        rows = self.office.rows()
        db = self.office.svc.db
        assert set(rows) == set(self.cases())
        for case, row in rows.items():
            assert row["Tahap"] == self.office.svc.sop.step(db.case(case).step).title
            assert row["Keputusan"] is None

    @invariant()
    def nothing_waits_in_the_inbox_and_every_version_is_kept(self) -> None:
        assert not self.office.inbox_files()
        for row in self.office.svc.db.conn.execute("SELECT sha256 FROM documents"):
            assert self.office.svc.blobs.has(row[0])


StaffAtWork.TestCase.settings = settings(
    max_examples=10, stateful_step_count=16, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
TestStaffAtWork = StaffAtWork.TestCase
