"""The disposition as its giver chooses it: the Disposisi sheet of the Kabid/Kasubag's register.

The Lembar Disposisi is made when the material arrives, before anyone has said who sent the
letter or what the note is; it prints lines for the hand where nothing was chosen. The giver
chooses the particulars in the sheet (Perihal, Jenis, the letter's sender, number and date, to
whom, the note), the saved register is read like a decision (only the giver's role counts), and
the Disposisi is made anew in the Fungsional's outbox, the earlier one kept as a version.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, datetime
from pathlib import PurePosixPath

from sop_docs.adapters.blobs import BlobStore, sha256_file
from sop_docs.adapters.db import CaseRow, Database
from sop_docs.adapters.disposisi_sheet import (
    COLUMNS,
    FIRST_EDITABLE,
    KEYS,
    DisposisiCell,
    DisposisiRow,
    as_text,
)
from sop_docs.authority import Authority
from sop_docs.core import jadwal, rincian
from sop_docs.core.calendar import WorkCalendar, clock_for
from sop_docs.core.naming import delivered_name
from sop_docs.core.sop import Sop
from sop_docs.drafts import DRAFT, draft_placement
from sop_docs.paperwork import Paperwork
from sop_docs.projection import Channel
from sop_docs.record import Change, Deliver, Op, Recorder, TakeOut
from sop_docs.settings import Settings
from sop_docs.workspace import Workspace

log = logging.getLogger("sop_docs")

KEY = "disposisi"
SHOWN = tuple(zip(COLUMNS[FIRST_EDITABLE - 1:], KEYS, strict=False))   # (column, key)


class Disposisi:
    def __init__(self, ws: Workspace, sop: Sop, settings: Settings, db: Database, blobs: BlobStore,
                 calendar: WorkCalendar, paperwork: Paperwork, recorder: Recorder,
                 authority: Authority, clock: Callable[[], datetime],
                 berkala: Sequence[jadwal.Item] = ()) -> None:
        self.ws, self.sop, self.settings, self.db, self.blobs = ws, sop, settings, db, blobs
        self.calendar, self.paperwork, self.recorder = calendar, paperwork, recorder
        self.authority, self.clock = authority, clock
        self.berkala = tuple(berkala)       # the [[berkala]] items a case may be picked for
        self.giver = sop.first_step.role
        nxt = sop.first_step.next
        self.to = sop.step(nxt).role if nxt in sop.steps else self.giver

    def here(self, channel: Channel) -> bool:
        """The register that carries the sheet: the giver's own, or the one everyone decides in."""
        return (KEY in self.sop.documents and channel.decides
                and channel.role in (None, self.giver))

    def people(self) -> list[str]:
        """Who the disposition may be addressed to (the list offered in the sheet)."""
        nama = str(self.settings.officials.get(self.to, {}).get("nama", ""))
        return [nama] if nama else []

    def shown(self, case: CaseRow) -> dict[str, str | date | None]:
        """The sheet's values for a case: what was chosen, else what the documents print."""
        d = case.details
        return {"judul": case.perihal, "jenis": self.sop.kind(case.kind).name,
                "surat_dari": d.surat_dari, "nomor_surat": d.nomor_surat,
                "tanggal_surat": d.tanggal or d.tanggal_surat,
                "diteruskan": d.diteruskan or self._default_to(), "catatan": d.catatan,
                "berkala": d.berkala}

    def rows(self) -> list[DisposisiRow]:
        return [DisposisiRow(c.id, self.sop.step(c.step).title if c.step in self.sop.steps else "",
                             self.shown(c), c.message)
                for c in self.db.open_cases()]

    def _default_to(self) -> str:
        o = self.settings.officials.get(self.to, {})
        return str(o.get("nama", "")) or self.sop.roles[self.to].name

    def change(self, cell: DisposisiCell, channel: Channel) -> None:
        """Act on a row whose values differ from what it showed when written (from the case's,
        when that is unknown): record them and make the Disposisi anew, or say in the case's Pesan
        Sistem why not (all of the row or nothing). A row read again (the register kept open)
        changes nothing that is already so, and is answered once."""
        case = self.db.case(cell.case_id)
        if case is None or case.status != "open":
            return
        shown = cell.written if cell.written is not None else as_text(self.shown(case))
        typed = {k: v for k, v in cell.values.items() if v != shown.get(k, "")}
        if not typed:
            return
        now = self.clock()
        where = f"{self.ws.rel(channel.path)} lembar Disposisi baris {cell.row}"
        verdict = self.authority.judge(channel.path, self.giver, now.date(), "Disposisi",
                                       verb="diberikan")
        if not verdict.ok:
            self._answer(case, now, where, verdict.refusal)
            return
        if "berkala" in typed:                   # not on the Disposisi: any time while open
            if not self._berkala(case, typed.pop("berkala"), now, where, verdict.person,
                                 verdict.title, cell.values) or not typed:
                return
            case = self.db.case(case.id) or case
        kind, problems = case.kind, []
        if case.letter_number:                   # the signed letter and its record stand
            self._answer(case, now, where, "Disposisi tidak diubah: Pengumuman kasus ini sudah "
                         f"bernomor ({case.letter_number}) dan ditandatangani, sehingga catatan "
                         "kasusnya tidak diubah lagi.", kept=[cell.values])
            return
        if "jenis" in typed:
            kind = next((k.key for k in self.sop.kinds
                         if k.name.casefold() == typed["jenis"].casefold()), "")
            if not kind:
                problems.append(f"Jenis '{typed['jenis']}' tidak dikenal: pilih "
                                f"{' atau '.join(k.name for k in self.sop.kinds)}.")
            elif self._concept_in(case):
                problems.append("Jenis hanya dapat diubah sebelum konsep disampaikan.")
        if "judul" in typed and self._concept_in(case):
            problems.append("Perihal hanya dapat diubah di sini sebelum konsep disampaikan; "
                            "sesudahnya judul diperbaiki pada tabel Rincian di konsep, oleh "
                            "pemeriksa yang memegangnya, sebelum ia memilih keputusan.")
        if "judul" in typed and not typed["judul"]:
            typed["judul"] = case.subject        # emptied: back to the material's name
        if "diteruskan" in typed and typed["diteruskan"] == self._default_to():
            typed["diteruskan"] = ""
        details, more = rincian.check({k: v for k, v in typed.items() if k != "jenis"},
                                      now.date(), case.details)
        problems += more
        if problems:
            self._answer(case, now, where, "Perubahan Disposisi belum dipakai: "
                         + " ".join(problems) + " Yang ditulis tersimpan di lembar Riwayat; "
                         "perbaiki di lembar Disposisi lalu simpan lagi.", kept=[cell.values])
            return
        if details == case.details and (kind or case.kind) == case.kind:
            return                          # already so: read again, or typed as it was set
        updated = replace(case, rincian=details.to_json(), kind=kind or case.kind)
        message = ("Disposisi diperbarui oleh Kabid/Kasubag dan dikirim ulang ke outbox/"
                   f"{self.to}/.")
        skeleton: list[Op] = []
        if updated.kind != case.kind:
            skeleton, told = self._skeleton(updated, now)
            message += " " + told
        self.recorder.apply(Change(
            now, "disposition_changed", case.id, self.giver, case.step, case.step, source=where,
            message=message, detail={"changed": sorted(typed)},
            case={"rincian": updated.rincian, "kind": updated.kind, "message": message},
            ops=[TakeOut(frozenset({KEY})),
                 self._deliver(updated, now, verdict.person, verdict.title), *skeleton],
            person=verdict.person, person_title=verdict.title))
        log.info("%s: disposition changed (%s) from %s", case.id, ", ".join(sorted(typed)), where)

    def _berkala(self, case: CaseRow, value: str, now: datetime, where: str, person: str | None,
                 title: str, typed: dict[str, str]) -> bool:
        """Record the [[berkala]] item picked for the case ('' clears it); False (and the case
        told why) when the value names no item. The Disposisi is not made anew for it."""
        item = jadwal.find(self.berkala, value)
        if value and item is None:
            self._answer(case, now, where, f"Jadwal Berkala '{value}' tidak ada dalam daftar "
                         "jadwal berkala (lembar Jadwal Berkala): pilih salah satu judulnya, atau "
                         "kosongkan. Yang ditulis tersimpan di lembar Riwayat.", kept=[typed])
            return False
        chosen = item.judul if item else ""
        if chosen == case.details.berkala:
            return True
        details = replace(case.details, berkala=chosen)
        message = (f"Kasus ini dicatat memenuhi Jadwal Berkala '{chosen}' saat selesai."
                   if chosen else "Pilihan Jadwal Berkala kasus ini dihapus.")
        self.recorder.apply(Change(
            now, "berkala_chosen", case.id, self.giver, case.step, case.step, source=where,
            message=message, detail={"berkala": chosen},
            case={"rincian": details.to_json(), "message": message},
            person=person, person_title=title))
        log.info("%s: berkala item %r chosen from %s", case.id, chosen, where)
        return True

    def _concept_in(self, case: CaseRow) -> bool:
        """The concept has been handed in: the case is past the steps that wait for it."""
        return case.step not in (self.sop.first_step.number, self.sop.first_step.next)

    def _deadline(self, case: CaseRow) -> datetime:
        """When the concept is due, on the clock of the case's kind."""
        first = self.sop.first_step
        return clock_for(self.sop, case.kind, self.calendar).deadline(
            datetime.fromisoformat(case.opened_at), self.sop.step(first.next or first.number).time)

    def _skeleton(self, case: CaseRow, now: datetime) -> tuple[list[Op], str]:
        """A kind changed before the concept was handed in: the skeleton in the writer's outbox is
        made anew for it (its parts and deadline differ), unless the writer already wrote in it."""
        name = self.sop.kind(case.kind).name
        draft = draft_placement(self.db, case.id)
        if draft is None:
            return [], ""
        try:
            untouched = sha256_file(self.ws.root / draft["path"]) == draft["sha256"]
        except OSError:
            untouched = False
        if not untouched:
            return [], (f"Konsep di outbox sudah mulai ditulis, jadi tidak diganti: tulis bagian-"
                        f"bagian pengumuman {name}.")
        data = self.paperwork.konsep(case, now, deadline=self._deadline(case))
        label = self.sop.documents[DRAFT].label
        return [TakeOut(frozenset({DRAFT})),
                Deliver(DRAFT, self.blobs.put_bytes(data),
                        delivered_name(case.id, label, case.subject, "docx"), draft["role"],
                        case.step)], f"Kerangka konsep dibuat ulang untuk pengumuman {name}."

    def _deliver(self, case: CaseRow, now: datetime, person: str | None, title: str) -> Deliver:
        material = next((PurePosixPath(e["source"]).name for e in self.db.events(case.id)
                         if e["kind"] == "opened" and e["source"]), "")
        deadline = self._deadline(case)
        data = self.paperwork.disposisi(case, now, material=material, deadline=deadline,
                                        to_role=self.to, person=person, person_title=title)
        n = self.db.count_documents(case.id, KEY) + 1
        name = delivered_name(case.id, f"{self.sop.documents[KEY].label} {n}", case.subject, "docx")
        return Deliver(KEY, self.blobs.put_bytes(data), name, self.to, case.step)

    def twice(self, cells: list[DisposisiCell], channel: Channel) -> None:
        """One case on several rows that say different things: which one is meant is not
        guessed; nothing changes, and what each row says is kept in the history."""
        case = self.db.case(cells[0].case_id)
        if case is None or case.status != "open":
            return
        rows = ", ".join(str(c.row) for c in cells)
        self._answer(case, self.clock(), f"{self.ws.rel(channel.path)} lembar Disposisi baris "
                     f"{rows}", f"Kasus ini tertulis di {len(cells)} baris lembar Disposisi (baris "
                     f"{rows}) dengan isi berbeda; tidak ada yang diubah. Yang ditulis tersimpan di "
                     "lembar Riwayat. Hapus baris yang tidak dipakai, lalu simpan lagi.",
                     kept=[c.values for c in cells])

    def _answer(self, case: CaseRow, now: datetime, where: str, message: str,
                kept: list[dict[str, str]] | None = None) -> None:
        """Say why the row was not used, once; what was typed in it is `kept` in the history
        (the sheet is written anew from the database, so it would be lost otherwise)."""
        if case.message == message:
            return                          # said already: the same row read again
        typed = " | ".join(filter(None, ("; ".join(f"{label}: {row[key]}" for label, key in SHOWN
                                                   if row[key]) for row in kept or [])))
        self.recorder.apply(Change(now, "disposition_ignored", case.id, source=where,
                                   message=message, catatan=typed or None,
                                   case={"message": message}))
        log.info("%s: %s: %s", case.id, where, message)
