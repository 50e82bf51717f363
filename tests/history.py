"""A year of made-up history, made by driving a real workspace the way staff do, on a test clock.

Why driven, not inserted: the annual report must count what the service really records. Every
two weeks a batch of materials is saved into the Kabid/Kasubag's inbox (some as serta merta); then,
round by round, every open case of the batch gets its next action — the concept saved into the
Fungsional's inbox, a decision typed into the register of the role that holds it (Sesuai, or
Belum Sesuai with a Catatan), the proofs and Selesai — either promptly (5 minutes after the round
starts) or late (a day and three hours after). Which, and whether a review returns the concept,
is drawn from a seeded generator, so the history is the same at every run. For speed the files
are handed to the service's intake and the decisions to its `Decisions` as the register row would
carry them (the case's step token, the holding role's register), instead of rewriting every
workbook at every round; the registers are written once at the end. LibreOffice is kept out
(SOP_DOCS_SOFFICE pointing nowhere): no PDFs are made, everything else is.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path

from sop_docs.adapters.register import DecisionCell
from tests.driver import CORPUS, Clock, Office, fill_concept, unique_docx

NOTES = ("Lengkapi dasar hukum pengumuman.", "Perbaiki ringkasan angka anggaran.",
         "Sesuaikan judul dengan isi pengumuman.", "Tambahkan cara memperoleh salinan informasi.",
         "  lengkapi DASAR hukum   pengumuman. ")   # the first again, typed carelessly
PROMPT = timedelta(minutes=5)
LATE = timedelta(days=1, hours=3)


def _decide(office: Office, decisions: dict[str, tuple[str, str]]) -> None:
    """Each decision handed to the service as its register row would carry it: for the case's
    current step (its token), from the register of the role that holds it."""
    svc = office.svc
    channels = {c.role: c for c in svc.projection.channels() if c.decides}
    for row, (cid, (keputusan, catatan)) in enumerate(sorted(decisions.items()), start=2):
        case = svc.db.case(cid)
        role = svc.sop.step(case.step).role
        channel = channels.get(role) or channels[None]
        cell = DecisionCell(cid, case.step_token, keputusan, catatan, row,
                            source=svc.ws.rel(channel.path))
        svc.decisions.decide(cell, channel)


class Year:
    """Drives `office` through a year of cases in batches."""

    def __init__(self, office: Office, seed: int = 11) -> None:
        self.office, self.rng = office, random.Random(seed)
        self.revision: dict[str, int] = {}
        self.returns_left: dict[str, int] = {}

    def run(self, year: int, batches: int = 25, per_batch: tuple[int, int] = (20, 22)) -> None:
        """One batch every two weeks from the first Monday of January."""
        monday = datetime(year, 1, 5, 8, 0)
        while monday.weekday():
            monday += timedelta(days=1)
        for b in range(batches):
            start = monday + timedelta(weeks=2 * b, minutes=self.rng.randrange(0, 300, 5))
            if start > self.office.clock.now:
                self.office.clock.now = start
            self.batch(b, self.rng.randint(*per_batch))

    def batch(self, number: int, n: int) -> None:
        o = self.office
        for i in range(n):
            folder = "serta_merta" if self.rng.random() < 0.2 else "berkala"
            name = f"Bahan kelompok {number + 1} nomor {i + 1}"
            o.save(f"inbox/kabid_kasubag/{folder}/{name}.docx",
                   unique_docx(CORPUS / "tables.docx", f"{number}-{i}"))
        before = {c.id for c in o.svc.db.all_cases()}
        for path in o.svc.pending_inbox_files():
            o.svc.take_in(path)
        ids = sorted({c.id for c in o.svc.db.all_cases()} - before)
        assert len(ids) == n, "every material opened a case"
        for cid in ids:
            self.returns_left[cid] = self.rng.choice((0, 0, 1, 1, 2))
        for _ in range(40):
            open_ids = [c for c in ids if o.svc.db.case(c).status == "open"]
            if not open_ids:
                return
            late = {c for c in open_ids if self.rng.random() < 0.3}
            start = o.clock.now
            o.clock.now = start + PROMPT
            self.act([c for c in open_ids if c not in late])
            o.clock.now = start + LATE
            self.act(sorted(late))
        raise AssertionError(f"batch {number}: cases still open after 40 rounds")

    def act(self, ids: list[str]) -> None:
        """The next action of each case, all saved before one scan."""
        o = self.office
        decisions: dict[str, tuple[str, str]] = {}
        for cid in ids:
            case = o.svc.db.case(cid)
            if case.step == 2:
                self.revision[cid] = self.revision.get(cid, 0) + 1
                draft = o.root / "outbox" / "fungsional" / next(
                    n for n in o.outbox("fungsional") if n.startswith(f"{cid} - Konsep"))
                o.save(f"inbox/fungsional/konsep {cid} r{self.revision[cid]}.docx",
                       fill_concept(draft.read_bytes(),
                                    judul=f"Pengumuman {cid} revisi {self.revision[cid]}"))
            elif case.step in (3, 4, 5):
                if self.returns_left[cid] and self.rng.random() < 0.35:
                    self.returns_left[cid] -= 1
                    decisions[cid] = ("Belum Sesuai", self.rng.choice(NOTES))
                else:
                    decisions[cid] = ("Sesuai", "")
            elif case.step == 6:
                if not case.proofs:
                    o.save(f"inbox/fungsional/bukti_online/{cid} laman.png",
                           b"\x89PNG\r\n\x1a\n" + cid.encode() + b"1" * 64)
                    o.save(f"inbox/fungsional/bukti_offline/{cid} papan.jpg",
                           b"\xff\xd8\xff\xe0" + cid.encode() + b"2" * 64)
                decisions[cid] = ("Selesai", "")
        for path in o.svc.pending_inbox_files():
            o.svc.take_in(path)
        _decide(o, decisions)


def make_year(root: Path, year: int = 2026, batches: int = 25) -> Office:
    """A workspace at `root` holding `year`'s history; the office is left open (close it)."""
    office = Office(root, Clock(datetime(year, 1, 2, 8, 0)))
    Year(office).run(year, batches)
    office.scan()                        # the registers and the year register, once
    return office
