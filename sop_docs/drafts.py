"""The draft (Konsep) of a case: where it is now, and how it travels from one outbox to the next.

The draft is in exactly one outbox at a time, its holder's, with the return notes that came with
it. Every move takes the old placements out before the new one goes in, so a name freed by the
old file can be used again by the new one.
"""

from __future__ import annotations

from sop_docs.adapters.db import Database, Row
from sop_docs.record import Deliver, Op, Place, TakeOut

DRAFT = "konsep"
NOTA = "nota_pengembalian"


def draft_placement(db: Database, case_id: str) -> Row | None:
    """Where the case's draft is now, if it is in an outbox."""
    for p in db.placements(case_id):
        if p["kind"] == DRAFT:
            return p
    return None


def travel(to: str | None, draft: Deliver | Place | None, extra: list[Deliver]) -> list[Op]:
    """The draft (and any return notes) out of where it was; the new one, and the documents that
    go with it, into `to`'s outbox. Nothing goes anywhere when `to` is None."""
    ops: list[Op] = [TakeOut(frozenset({DRAFT, NOTA}))]
    if to is None:
        return ops
    if draft is not None:
        ops.append(draft)
    return [*ops, *extra]
