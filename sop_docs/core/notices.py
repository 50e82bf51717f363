"""What the chain tells people when something happens: which message, to whom, saying what.

Theory of operation. An event of a case (`Act`: opened, a concept submitted, a decision acted on,
a file answered in quarantine) is read with the case as it now stands, the documents now in the
new holder's outbox (`Placed`) and the case's earlier events. `for_event` returns the `Notice`s
it causes, one per address: TIBA to whoever holds the new step *on that day* (its stand-in while
one covers the day, never the one who held it before), HASIL to whoever handed the decided draft
in (unless the arrival already told them), SELESAI to the one who opened the closed case, ADMIN
for a file in quarantine. Each names who acted. A notice's key is its cause and its addressee, so
recording it again (a replay, a second computation) adds nothing. The timed messages (reminders,
lateness, escalation, the morning digest) are in `core.reminders`. Pure: no clock, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from math import ceil
from typing import Any

from sop_docs.core.calendar import WorkCalendar, clock_for
from sop_docs.core.case import BELUM_SESUAI, SESUAI
from sop_docs.core.notes import format_when
from sop_docs.core.notify_settings import ADMIN, HASIL, SELESAI, TIBA, NotifySettings
from sop_docs.core.people import Holding, People, Person
from sop_docs.core.sop import Duration, Sop

FOOTER = "Pesan ini dikirim otomatis oleh sop-docs; mohon tidak dibalas."
MOVES = ("opened", "submitted", "decided")     # events that hand the case to a holder
CHANGED = "disposition_changed"                # the giver changed the disposition's particulars


@dataclass(frozen=True)
class CaseView:
    """What a message says of a case."""

    id: str
    perihal: str
    kind: str
    step: int
    step_token: str
    entered: datetime            # when the current step began
    opened: datetime
    status: str = "open"
    letter_number: str | None = None
    came: Act | None = None      # the event that handed it to its holder (for reminders)


@dataclass(frozen=True)
class Act:
    """One recorded event, as the messages read it (`person` is the Unix user who acted)."""

    kind: str
    at: datetime
    id: int = 0
    role: str | None = None
    step_from: int | None = None
    step_to: int | None = None
    decision: str | None = None
    catatan: str | None = None
    person: str | None = None
    person_title: str = ""
    source: str | None = None
    message: str = ""
    detail: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Placed:
    """A document now in an outbox: its kind, workspace-relative path, content and size."""

    kind: str
    path: str
    sha: str
    name: str
    size: int
    role: str | None = None


@dataclass(frozen=True)
class Office:
    """Everything a message needs to know of the office (built once by the service)."""

    sop: Sop
    people: People
    notify: NotifySettings
    calendar: WorkCalendar
    zone: str = ""                                   # "WIB", said after every time
    registers: Mapping[str, str] = field(default_factory=dict)   # role -> where it decides


@dataclass(frozen=True)
class Notice:
    """One message to one address. `key` is `<cause>|<address>`: the cause is `base`."""

    key: str
    kind: str
    address: str
    subject: str
    body: str
    case_id: str | None = None
    role: str | None = None
    person: str = ""
    attach_sha: str | None = None
    attach_name: str | None = None

    @property
    def base(self) -> str:
        return self.key.rsplit("|", 1)[0]


# -- shared wording ---------------------------------------------------------------------------

def when(o: Office, moment: datetime) -> str:
    """'24 November 2026 pukul 10.00 WIB'."""
    text = format_when(moment)
    return f"{text} {o.zone}" if o.zone and moment.tzinfo is None else text


def day(moment: datetime) -> str:
    """'24 November 2026'."""
    return format_when(moment).split(" pukul")[0]


def share_path(o: Office, rel: str) -> str:
    """Where staff open a workspace path: the share prefix and Windows separators
    (\\\\fileserver\\PPID\\outbox\\sekretaris\\...), or the path as it is without a prefix."""
    prefix = o.notify.share_prefix
    if not prefix:
        return rel
    sep = "\\" if "\\" in prefix or not prefix.startswith(("/", "smb:", "file:")) else "/"
    rel = rel.replace("/", sep)
    return prefix if not rel else prefix.rstrip("\\/") + sep + rel


def role_name(o: Office, role: str | None) -> str:
    return o.sop.roles[role].name if role in o.sop.roles else (role or "")


def doer(o: Office, person: str | None, title: str, role: str | None) -> str:
    """Who acted, as staff name them: 'Budi Santoso (Plh. Kepala Dinas)', or the role alone."""
    as_role = f"{title} {role_name(o, role)}".strip()
    if not person:
        return as_role or "sistem"
    p = o.people.by_user(person)
    name = p.nama if p is not None else person
    return f"{name} ({as_role})" if as_role else name


def deadline(o: Office, case: CaseView) -> datetime:
    """When the case's current step runs out, on the clock of its kind."""
    step = o.sop.step(case.step)
    return clock_for(o.sop, case.kind, o.calendar).deadline(case.entered, step.time)


def moment(o: Office, case: CaseView, fraction: float) -> datetime:
    """When `fraction` of the step's standard time has run (1.0 is the deadline, 1.5 half of it
    again past it), on the clock of the case's kind."""
    clock = clock_for(o.sop, case.kind, o.calendar)
    total = clock.minutes(case.entered, deadline(o, case))
    return clock.deadline(case.entered, Duration(minutes=ceil(fraction * total)))


def greeting(h: Holding, role: str | None, o: Office) -> str:
    title = f"{h.title} {role_name(o, role)}".strip() if h.title else ""
    return f"Yth. {h.person.nama}{f' ({title})' if title else ''},"


def addressed(o: Office, base: str, kind: str, to: Iterable[Holding], role: str | None,
              subject: str, body: str, case_id: str | None = None,
              attach: Placed | None = None) -> list[Notice]:
    """One notice per address of each holder who wants this kind (the role's switch)."""
    if role is not None and not o.notify.wants(role, kind):
        return []
    out: list[Notice] = []
    for h in to:
        for address in h.person.alamat:
            out.append(Notice(
                f"{base}|{address}", kind, address, subject,
                f"{greeting(h, role, o)}\n\n{body}\n\n{FOOTER}\n", case_id, role, h.person.nama,
                attach.sha if attach else None, attach.name if attach else None))
    return out


def _by_person(o: Office, person: str | None, role: str | None, on: datetime) -> list[Holding]:
    """The person who acted, when known with an address; else the role's holders that day."""
    p = o.people.by_user(person)
    if p is not None:
        return [Holding(p)]
    return o.people.holders(role, on.date()) if role else []


def _case_lines(o: Office, case: CaseView) -> list[str]:
    return [f"No. Agenda : {case.id}", f"Perihal    : {case.perihal}",
            f"Jenis      : {o.sop.kind(case.kind).name}"]


# -- what to do at each kind of step -----------------------------------------------------------

def todo(o: Office, role: str, step_no: int) -> str:
    """The next thing the holder does, in the SOP's words and the workspace's folders."""
    step = o.sop.step(step_no)
    register = share_path(o, o.registers.get(role, "register.xlsx"))
    inbox = share_path(o, f"inbox/{role}/")
    if step.kind == "review":
        outbox = share_path(o, f"outbox/{role}/")
        return (f"Yang perlu dilakukan: periksa konsep di {outbox} (boleh diperbaiki langsung di "
                f"berkas itu), lalu buka register {register}, pilih {SESUAI} / {BELUM_SESUAI} "
                "di kolom Keputusan (Belum Sesuai disertai Catatan) dan simpan register.")
    if step.kind == "publish":
        folders = " dan ".join(share_path(o, f"inbox/{role}/{p}/") for p in step.proofs)
        return (f"Yang perlu dilakukan: umumkan pengumuman di media online dan offline, simpan "
                f"buktinya ke {folders}, lalu pilih Selesai di kolom Keputusan register "
                f"{register} dan simpan register.")
    return (f"Yang perlu dilakukan: tulis konsep pada berkas Konsep (isi tabel Rincian, termasuk "
            f"Judul), lalu simpan ke folder {inbox}.")


_ATTACH = {"review": ("konsep",), "submit": ("konsep",),
           "publish": ("pengumuman_pdf", "pengumuman", "konsep")}


def attachment(o: Office, step_kind: str, placed: Sequence[Placed]) -> Placed | None:
    """The document worth reading on a phone, when small enough to send."""
    for kind in _ATTACH.get(step_kind, ()):
        for p in placed:
            if p.kind == kind and 0 < p.size <= o.notify.attach_max_bytes:
                return p
    return None


# -- the event-driven messages -------------------------------------------------------------------

def for_event(o: Office, act: Act, case: CaseView | None, placed: Sequence[Placed] = (),
              history: Sequence[Act] = ()) -> list[Notice]:
    """Every message `act` causes (`placed`: the case's documents now in outboxes; `history`:
    its earlier events, oldest first)."""
    if act.kind == "quarantined":
        return quarantined(o, act)
    if case is not None and act.kind == CHANGED and case.status != "closed":
        return disposition(o, act, case, placed)
    if case is None or act.kind not in MOVES:
        return []
    out: list[Notice] = []
    if case.status == "closed":
        out += closed(o, act, case, history)
    elif act.step_to is not None and (act.step_to != act.step_from or act.kind == "opened"):
        out += arrival(o, act, case, placed)
    if act.kind == "decided" and act.decision in (SESUAI, BELUM_SESUAI):
        told = {n.address for n in out}
        out += [n for n in outcome(o, act, case, history) if n.address not in told]
    return out


def how_it_came(o: Office, act: Act) -> str:
    """Who handed the case on, and how: the line every message to its holder carries."""
    who = doer(o, act.person, act.person_title, act.role)
    if act.kind == "opened":
        return f"Disposisi dari {who}."
    if act.kind == "submitted":
        return f"Dikirim oleh {who}."
    if act.decision == BELUM_SESUAI:
        return (f"Dikembalikan oleh {who} dengan keputusan {BELUM_SESUAI}.\n"
                f"Catatan: {act.catatan or '-'}")
    return f"Diteruskan oleh {who} dengan keputusan {act.decision or SESUAI}."


def arrival(o: Office, act: Act, case: CaseView, placed: Sequence[Placed]) -> list[Notice]:
    """TIBA: the document waits for the holder of the new step, today's holder."""
    step = o.sop.step(case.step)
    mine = [p for p in placed if p.role in (None, step.role)]
    lines = [*_case_lines(o, case), f"Tahap      : {step.title}",
             f"Batas waktu: {when(o, deadline(o, case))} ({o.sop.step(case.step).time})", "",
             how_it_came(o, act), ""]
    if mine:
        lines.append("Berkas untuk dibuka:")
        lines += [f"  {share_path(o, p.path)}" for p in mine]
    else:
        lines.append(f"Folder: {share_path(o, f'outbox/{step.role}/')}")
    lines += ["", todo(o, step.role, case.step)]
    attach = attachment(o, step.kind, mine)
    if attach is not None:
        lines.append(f"Terlampir: {attach.name}")
    verb = "dikembalikan kepada Anda" if act.decision == BELUM_SESUAI else "menunggu Anda"
    subject = f"[{case.id}] {step.name}: {verb} — {case.perihal}"
    return addressed(o, f"tiba:{case.step_token}", TIBA,
                     o.people.holders(step.role, act.at.date()), step.role, subject,
                     "\n".join(lines), case.id, attach)


def disposition(o: Office, act: Act, case: CaseView, placed: Sequence[Placed]) -> list[Notice]:
    """TIBA again: the disposition's addressee hears that its particulars changed, and where the
    new Lembar Disposisi is (the work may already have started on the old one)."""
    first = o.sop.first_step
    role = o.sop.step(first.next or first.number).role
    mine = [p for p in placed if p.kind == "disposisi" and p.role in (None, role)]
    changed = ", ".join(str(c) for c in act.detail.get("changed", [])) or "isi disposisi"
    lines = [*_case_lines(o, case), "",
             f"Disposisi diubah oleh {doer(o, act.person, act.person_title, act.role)} "
             f"pada {when(o, act.at)} (yang diubah: {changed}).", ""]
    if mine:
        lines.append("Lembar Disposisi yang baru:")
        lines += [f"  {share_path(o, p.path)}" for p in mine]
    lines += ["", "Kerjakan sesuai disposisi yang baru; yang lama disimpan sebagai arsip."]
    return addressed(o, f"disposisi:{act.id}", TIBA, o.people.holders(role, act.at.date()), role,
                     f"[{case.id}] Disposisi diubah — {case.perihal}", "\n".join(lines), case.id)


def _handed_in(history: Sequence[Act], step: int) -> Act | None:
    """The event that last brought the case into `step` from another step."""
    for a in reversed(history):
        if a.kind in MOVES and a.step_to == step and a.step_from != step:
            return a
    return None


def outcome(o: Office, act: Act, case: CaseView, history: Sequence[Act]) -> list[Notice]:
    """HASIL: whoever handed the decided draft in hears the decision, its Catatan and who took it."""
    if act.step_from is None:
        return []
    came = _handed_in(history, act.step_from)
    if came is None or came.role is None:
        return []
    decided = o.sop.step(act.step_from)
    who = doer(o, act.person, act.person_title, act.role)
    if act.decision == BELUM_SESUAI:
        what = "dikembalikan"
        then = (f"Konsep dikembalikan kepada {role_name(o, o.sop.step(case.step).role)} "
                f"(tahap {o.sop.step(case.step).title}) dengan Nota Pengembalian.")
    else:
        what = "disetujui" if o.sop.step(case.step).kind == "publish" else "diteruskan"
        then = (f"Konsep diteruskan ke tahap {o.sop.step(case.step).title} "
                f"({role_name(o, o.sop.step(case.step).role)})"
                + (" untuk diumumkan." if what == "disetujui" else "."))
    lines = [*_case_lines(o, case), "",
             f"Konsep yang Anda {'kirim' if came.kind == 'submitted' else 'teruskan'} telah "
             f"diperiksa pada tahap {decided.title}.",
             f"Keputusan : {act.decision}", f"Oleh      : {who}",
             f"Catatan   : {act.catatan or '-'}", "", then]
    subject = f"[{case.id}] Konsep {what} ({act.decision}) oleh {who} — {case.perihal}"
    return addressed(o, f"hasil:{act.id}", HASIL, _by_person(o, came.person, came.role, act.at),
                     came.role, subject, "\n".join(lines), case.id)


def closed(o: Office, act: Act, case: CaseView, history: Sequence[Act]) -> list[Notice]:
    """SELESAI: the Kabid/Kasubag who opened the case hears that it is closed and archived."""
    opened = next((a for a in history if a.kind == "opened"), None)
    role = opened.role if opened is not None else o.sop.first_step.role
    to = _by_person(o, opened.person if opened else None, role, act.at)
    who = doer(o, act.person, act.person_title, act.role)
    lines = [*_case_lines(o, case)]
    if case.letter_number:
        lines.append(f"Nomor      : {case.letter_number}")
    lines += ["", f"Kasus yang Anda buka pada {when(o, case.opened)} telah selesai: pengumuman "
              f"dipublikasikan dan buktinya lengkap (ditutup oleh {who} pada {when(o, act.at)}).",
              f"Berkas lengkapnya tersimpan di arsip: {share_path(o, f'archive/{case.opened.year}/')}"]
    return addressed(o, f"selesai:{case.id}", SELESAI, to, role,
                     f"[{case.id}] Selesai dan diarsipkan — {case.perihal}", "\n".join(lines),
                     case.id)


def to_admin(o: Office, base: str, subject: str, body: str) -> list[Notice]:
    """ADMIN: the administrator's addresses ([notify] admin)."""
    admin = Holding(Person(nama="Administrator sop-docs", alamat=o.notify.admin))
    return addressed(o, base, ADMIN, [admin], None, f"[sop-docs] {subject}", body)


def quarantined(o: Office, act: Act) -> list[Notice]:
    """A file answered in quarantine: which, from whom, and why (the technical reason too)."""
    detail = act.detail or {}
    lines = [f"Berkas   : {act.source or '-'}",
             f"Disimpan : {doer(o, act.person, act.person_title, act.role)}",
             f"Waktu    : {when(o, act.at)}", f"Alasan   : {act.message}",
             f"Teknis   : {detail.get('reason', '')} {detail.get('detail', '')}".rstrip(),
             "", f"Berkas dan catatannya ada di {share_path(o, 'quarantine/')}."]
    name = (act.source or "").rsplit("/", 1)[-1]
    return to_admin(o, f"admin:karantina:{act.id}", f"Berkas dikarantina: {name}",
                    "\n".join(lines))
