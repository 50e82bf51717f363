"""Every finished step of every case, kept measured in the database (table `step_times`).

The dashboard and the reports ask "how many steps finished on time, per step and month?". Measuring
a step means walking its case's events on the working-time calendar (`kendali.control_rows`, the
same rows the Lembar Kendali prints), which at 20,000 cases a year is seconds of work: too much
to redo at every refresh. So each case is measured once when it has new events, off the hot path
(whoever refreshes the reports calls `catch_up` with a connection of its own), and the counting is
a GROUP BY over an index. A case is measured whole again when it has any new event, so a change of
its kind (and so of its clock) is judged as the Lembar Kendali will judge it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sop_docs.adapters.db import Database
from sop_docs.core.calendar import WorkCalendar, clock_for
from sop_docs.core.sop import Sop
from sop_docs.kendali import control_rows

log = logging.getLogger("sop_docs")

WATERMARK = "step_times_event"     # meta: the newest event already measured
BATCH = 200                        # cases per transaction: the service's writes never wait long


def catch_up(db: Database, sop: Sop, calendar: WorkCalendar,
             stop: Callable[[], bool] = lambda: False) -> int:
    """Measure the cases with events since the last call; how many were measured. `stop` is
    asked between batches (the watcher shutting down): what is left is measured next time."""
    since = int(db.get_meta(WATERMARK, "0") or 0)
    case_ids, top = db.cases_with_events_after(since)
    if not case_ids and top == since:
        return 0
    for start in range(0, len(case_ids), BATCH):
        if stop():
            return start
        with db.tx():
            for case_id in case_ids[start:start + BATCH]:
                db.set_step_times(case_id, measure(db, sop, calendar, case_id))
    with db.tx():
        if int(db.get_meta(WATERMARK, "0") or 0) < top:
            db.set_meta(WATERMARK, str(top))
    if len(case_ids) > BATCH:
        log.info("measured the steps of %d cases for the reports", len(case_ids))
    return len(case_ids)


def measure(db: Database, sop: Sop, calendar: WorkCalendar,
            case_id: str) -> list[tuple[int, str, str, str, int, bool]]:
    """The case's finished steps as the Lembar Kendali measures them: (step, role, started,
    ended, minutes on the case's clock, late)."""
    case = db.case(case_id)
    if case is None:
        return []
    clock = clock_for(sop, case.kind, calendar)
    rows = control_rows(sop, db.events(case_id), datetime.fromisoformat(case.opened_at),
                        calendar, {}, kind=case.kind)
    return [(r.step, sop.step(r.step).role, r.diterima.isoformat(), r.selesai.isoformat(),
             clock.minutes(r.diterima, r.selesai), r.late) for r in rows]
