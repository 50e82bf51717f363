"""TEST SCAFFOLDING: one notification per recorded event, for the delivery tests and bench_notify.

The real composer (what is sent to whom, in Indonesian) records its messages in the event's
transaction. Until it is on this branch, the delivery tests need rows that exist the same way:
`install(service)` adds a `Recorder.within` listener that records one message per event that has
a case, unless something else already recorded one for that event (so, once the composer lands,
this stays out of its way and the tests check the composer's rows). It is never part of sop_docs.

`python -m tests.notify_scaffold watch DIR …` runs the real CLI with the scaffold installed on the
service it opens (the SIGKILL test runs the watcher as a subprocess).
"""

from __future__ import annotations

import sys
from typing import Any

from sop_docs.adapters.outbox import Message, Outbox
from sop_docs.record import Change

ADDRESS = "staf.uji@kantor.go.id"


def install(service: Any, address: str = ADDRESS) -> None:
    """Record one message per event with a case (inside its transaction), to `address`."""
    outbox = Outbox(service.db)

    def record(ev: int, change: Change) -> None:
        if change.case_id is None:
            return
        taken = service.db.conn.execute(
            "SELECT 1 FROM notifications WHERE event_id=? LIMIT 1", (ev,)).fetchone()
        if taken:
            return                           # the real composer spoke for this event
        outbox.add(Message(
            key=f"uji:{change.case_id}:{ev}", kind="tiba", address=address,
            subject=f"[{change.case_id}] {change.kind}",
            body=f"Pesan uji untuk peristiwa {ev} ({change.kind}) pada kasus {change.case_id}.",
            case_id=change.case_id, role=change.role, person="Staf Uji"),
            change.at.isoformat(), ev)

    service.recorder.within.append(record)


def main() -> None:
    """The `sop-docs` command, with the scaffold on every service it opens."""
    from sop_docs import bootstrap, cli

    real = bootstrap.open_service

    def open_with_scaffold(*args: Any, **kwargs: Any) -> Any:
        service = real(*args, **kwargs)
        install(service)
        return service

    bootstrap.open_service = open_with_scaffold  # type: ignore[assignment]
    sys.argv[0] = "sop-docs"
    cli.main()


if __name__ == "__main__":
    main()
