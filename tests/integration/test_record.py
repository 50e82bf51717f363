"""The recorder: every event is recorded whole before any file moves, and subscribers are told."""

from __future__ import annotations

from pathlib import Path

import pytest

from sop_docs.record import Change
from tests.driver import CORPUS, Office


@pytest.fixture
def office(tmp_path: Path):
    o = Office(tmp_path / "ws")
    yield o
    o.close()


def test_subscribers_hear_each_event_inside_its_transaction_and_after_its_files_moved(office):
    """`within` runs while the event's transaction is open; `after` once the outbox holds the files."""
    within: list[tuple[int, str, bool]] = []
    after: list[tuple[int, str, set[str]]] = []
    rec = office.svc.recorder
    rec.within.append(lambda ev, c: within.append((ev, c.kind, office.svc.db.conn.in_transaction)))
    rec.after.append(lambda ev, c: after.append((ev, c.kind, office.outbox("fungsional"))))
    office.save("inbox/kabid_kasubag/Laporan Keuangan.docx", CORPUS / "tables.docx")
    office.scan()
    [(ev, kind, in_tx)] = within
    assert (kind, in_tx) == ("opened", True)
    [(ev_after, kind_after, delivered)] = after
    assert (ev_after, kind_after) == (ev, "opened")
    assert len(delivered) == 3, "the disposition, the material and the skeleton were placed first"


def test_a_subscriber_that_fails_inside_the_transaction_leaves_nothing_recorded_or_moved(office):
    """What a `within` subscriber records lives or dies with the event: here the whole event dies."""
    def refuse(ev: int, c: Change) -> None:
        raise RuntimeError("the notification outbox is full")

    office.svc.recorder.within.append(refuse)
    office.save("inbox/kabid_kasubag/Laporan Keuangan.docx", CORPUS / "tables.docx")
    with pytest.raises(OSError):          # the service's fault: the file waits in its inbox
        office.svc.take_in(office.root / "inbox/kabid_kasubag/Laporan Keuangan.docx")
    assert office.svc.db.events() == []
    assert office.svc.db.open_cases() == []
    assert office.svc.db.pending_ops() == []
    assert office.outbox() == set()
    assert [p.name for p in office.inbox_files()] == ["Laporan Keuangan.docx"]
    office.svc.recorder.within.clear()
    office.scan()
    assert [c.id for c in office.svc.db.open_cases()] == ["PIP-2026-0001"], "the number was not used up"
