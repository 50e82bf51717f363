"""The timed messages: reminders before a step's deadline, lateness, escalation, the morning digest.

Theory of operation. Each open case's current step has milestones measured on the clock of its
kind (`clock_for`: office working time, or the calendar for serta merta): a PENGINGAT at each
reminder fraction of the standard time, TERLAMBAT at the deadline, ESKALASI to the superior role
once the step is late by `escalate_after` × its standard time. `due(o, cases, now)` returns every
milestone reached by `now`; its key is the step's token and the milestone, so computing it again
at every pass records nothing new, and a new step (a new token) starts afresh. A reminder whose
deadline has already passed is not sent (the lateness message says more). `digests` gives each
person, once per working day from the office's opening, the list of everything they held at the
opening, late items first (what arrived later was told on arrival). Recipients are the holders
on the day the message is computed. Pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sop_docs.core.calendar import WorkCalendar
from sop_docs.core.notices import (
    CaseView,
    Notice,
    Office,
    addressed,
    day,
    deadline,
    how_it_came,
    moment,
    role_name,
    share_path,
    todo,
    when,
)
from sop_docs.core.notify_settings import ESKALASI, PENGINGAT, RINGKASAN, TERLAMBAT
from sop_docs.core.people import Holding


def due(o: Office, cases: Sequence[CaseView], now: datetime) -> list[Notice]:
    """Every reminder, lateness and escalation message reached by `now`."""
    out: list[Notice] = []
    for case in cases:
        if case.status != "open" or case.step not in o.sop.steps:
            continue
        end = deadline(o, case)
        if now < end:
            for f in o.notify.reminders:
                if moment(o, case, f) <= now:
                    out += reminder(o, case, f, end, now)
            continue
        out += late(o, case, end, now)
        if moment(o, case, 1 + o.notify.escalate_after) <= now:
            out += escalation(o, case, end, now)
    return out


def _lines(o: Office, case: CaseView, end: datetime) -> list[str]:
    step = o.sop.step(case.step)
    return [f"No. Agenda : {case.id}", f"Perihal    : {case.perihal}",
            f"Tahap      : {step.title}",
            f"Batas waktu: {when(o, end)} (waktu baku {step.time})",
            f"Folder     : {share_path(o, f'outbox/{step.role}/')}",
            *([how_it_came(o, case.came)] if case.came is not None else [])]


def reminder(o: Office, case: CaseView, fraction: float, end: datetime,
             now: datetime) -> list[Notice]:
    step = o.sop.step(case.step)
    body = "\n".join([f"Dokumen ini masih menunggu Anda; batas waktunya {when(o, end)}.", "",
                      *_lines(o, case, end), "", todo(o, step.role, case.step)])
    return addressed(o, f"pengingat:{case.step_token}:{fraction:g}", PENGINGAT,
                     o.people.holders(step.role, now.date()), step.role,
                     f"[{case.id}] Pengingat: {step.name} — batas {when(o, end)}", body, case.id)


def late(o: Office, case: CaseView, end: datetime, now: datetime) -> list[Notice]:
    step = o.sop.step(case.step)
    body = "\n".join([f"Batas waktu tahap ini sudah lewat ({when(o, end)}): status Terlambat.",
                      "", *_lines(o, case, end), "", todo(o, step.role, case.step)])
    return addressed(o, f"terlambat:{case.step_token}", TERLAMBAT,
                     o.people.holders(step.role, now.date()), step.role,
                     f"[{case.id}] Terlambat: {step.name} — {case.perihal}", body, case.id)


def escalation(o: Office, case: CaseView, end: datetime, now: datetime) -> list[Notice]:
    """To the holders of the step's superior role (none set: nobody)."""
    step = o.sop.step(case.step)
    boss = o.notify.superior.get(step.role)
    if not boss:
        return []
    holders = ", ".join(f"{h.title + ' ' if h.title else ''}{h.person.nama}"
                        for h in o.people.holders(step.role, now.date()))
    body = "\n".join([
        f"Tahap {step.title} yang dipegang {role_name(o, step.role)}"
        f"{f' ({holders})' if holders else ''} terlambat melewati batas waktu {when(o, end)}.",
        "Mohon ditindaklanjuti.", "", *_lines(o, case, end)])
    return addressed(o, f"eskalasi:{case.step_token}", ESKALASI,
                     o.people.holders(boss, now.date()), boss,
                     f"[{case.id}] Eskalasi: {step.name} di {role_name(o, step.role)} "
                     f"terlambat — {case.perihal}", body, case.id)


# -- the morning digest ------------------------------------------------------------------------

def opening(calendar: WorkCalendar, now: datetime) -> datetime | None:
    """When the office opened today, if today is a working day and it is open now."""
    d = now.date()
    if not calendar.is_working_day(d):
        return None
    start, end = calendar.hours[d.weekday()]
    begin = datetime.combine(d, start)
    return begin if begin <= now < datetime.combine(d, end) else None


@dataclass(frozen=True)
class _Item:
    case: CaseView
    role: str
    end: datetime
    late: bool


def digests(o: Office, cases: Sequence[CaseView], now: datetime) -> list[Notice]:
    """RINGKASAN: to each person holding something today, once, from the office's opening."""
    begin = opening(o.calendar, now)
    if not o.notify.digest or begin is None:
        return []
    held: dict[str, tuple[Holding, list[_Item]]] = {}
    for case in cases:
        if case.status != "open" or case.step not in o.sop.steps or case.entered >= begin:
            continue                      # what arrived since the opening was told on arrival
        role = o.sop.step(case.step).role
        if not o.notify.wants(role, RINGKASAN):
            continue
        end = deadline(o, case)
        for h in o.people.holders(role, now.date()):
            who = h.person.user or h.person.nama
            held.setdefault(who, (h, []))[1].append(_Item(case, role, end, end <= now))
    out: list[Notice] = []
    day = now.date().isoformat()
    for who, (h, items) in sorted(held.items()):
        items.sort(key=lambda i: (not i.late, i.end, i.case.id))
        out += addressed(o, f"ringkasan:{who}:{day}", RINGKASAN, [Holding(h.person)], None,
                         _digest_subject(now, items), _digest_body(o, items), None)
    return out


def _digest_subject(now: datetime, items: list[_Item]) -> str:
    late = sum(i.late for i in items)
    tail = f", {late} terlambat" if late else ""
    return (f"[sop-docs] Ringkasan {day(now)}: {len(items)} dokumen menunggu Anda{tail}")


def _digest_body(o: Office, items: list[_Item]) -> str:
    lines = ["Dokumen yang menunggu Anda hari ini (yang terlambat lebih dulu):", ""]
    for n, i in enumerate(items, start=1):
        step = o.sop.step(i.case.step)
        status = "TERLAMBAT" if i.late else "tepat waktu"
        lines += [f"{n}. {i.case.id} — {i.case.perihal}",
                  f"   Tahap {step.title} ({role_name(o, i.role)}); batas {when(o, i.end)}; "
                  f"{status}",
                  f"   {share_path(o, f'outbox/{i.role}/')}"]
    return "\n".join(lines)

