"""Archiving closed cases: what a closing adds, building its bundle, and checking every bundle.

At close the case gets its Lembar Kendali (who did what, when, against the SOP's times), one `bundle`
operation that the journal carries out by calling `build_bundle`, and its outboxes are emptied.
`verify` compares every bundle in `archive/` with what the database says it must hold. The bundle
format itself (BagIt, the hardcopy PDFs) is `sop_docs.archive`'s.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sop_docs import archive, kendali
from sop_docs.adapters import pdf
from sop_docs.adapters.blobs import BlobStore
from sop_docs.adapters.db import CaseRow, Database
from sop_docs.core import events
from sop_docs.core.calendar import WorkCalendar
from sop_docs.core.naming import delivered_name
from sop_docs.core.sop import Sop
from sop_docs.drafts import DRAFT
from sop_docs.paperwork import Paperwork, lembar_kendali
from sop_docs.record import Bundle, Deliver, Op, TakeOut
from sop_docs.settings import Settings
from sop_docs.workspace import Workspace

log = logging.getLogger("sop_docs")


class Archiving:
    def __init__(self, ws: Workspace, sop: Sop, settings: Settings, db: Database, blobs: BlobStore,
                 calendar: WorkCalendar, paperwork: Paperwork) -> None:
        self.ws, self.sop, self.settings, self.db, self.blobs = ws, sop, settings, db, blobs
        self.calendar, self.paperwork = calendar, paperwork

    def closing(self, case: CaseRow, closing_event: Mapping[str, Any], now: datetime) -> list[Op]:
        """The operations of a close: the control sheet joins the case's documents, one `bundle`
        op makes archive/<year>/<id> - <subject>/ from the store, and the outboxes are emptied.
        `closing_event` is the event being recorded (the sheet's last row)."""
        rows = kendali.control_rows(self.sop, [*self.db.events(case.id), closing_event],
                                    datetime.fromisoformat(case.opened_at), self.calendar,
                                    self.settings.officials, self.paperwork.name_of,
                                    kind=case.kind)
        closed = replace(case, closed_at=now.isoformat(), status="closed")
        sheet = self.blobs.put_bytes(lembar_kendali(self.paperwork, closed, now, rows))
        name = delivered_name(case.id, "Lembar Kendali", case.subject, "docx")
        return [Deliver(archive.KENDALI, sheet, name, None, case.step),
                Bundle(archive.bundle_folder(case.year, case.id, case.perihal).as_posix()),
                TakeOut()]

    def build_bundle(self, op_id: int, target: Path) -> bool:
        """Carry out a `bundle` op: True once the bundle is in place; False (logged) to retry."""
        case_id = self.db.case_of_op(op_id)
        case = self.db.case(case_id) if case_id else None
        if case is None:
            log.error("bundle %s: no case recorded for it", self.ws.rel(target))
            return False
        numbered = [k for k, d in self.sop.documents.items() if d.numbered]
        plan = archive.plan(
            case.id, self.db.documents(case.id), self.blobs.path,
            proof_kinds=[p for ps in self.sop.proof_folders().values() for p in ps],
            record_kinds=[k for k in self.sop.documents if k != DRAFT],
            history=self._history(case), info=self._info(case),
            print_order=self._print_order(numbered), approval_kind=next(iter(numbered), None),
            title=f"{case.id} — {case.perihal} — Berkas Cetak")
        try:
            archive.build(target, plan, pdf.to_pdf)
        except Exception:
            log.exception("%s: the archive bundle %s could not be made; will try again",
                          case.id, self.ws.rel(target))
            return False
        log.info("%s: archived as %s", case.id, self.ws.rel(target))
        return True

    def _print_order(self, numbered: list[str]) -> list[str]:
        """The SOP's documents in its order, the numbered letter right after the concept it was
        made from (here: Disposisi, Konsep, Pengumuman, Nota Pengembalian)."""
        order = [k for k in self.sop.documents if k not in numbered]
        at = order.index(DRAFT) + 1 if DRAFT in order else len(order)
        return [*order[:at], *numbered, *order[at:]]

    def _history(self, case: CaseRow) -> list[tuple[object, ...]]:
        """The case's events as the bundle's riwayat.xlsx lists them (who acted last: a restore
        reads the columns before it by place)."""
        def title(step: int | None) -> str:
            return self.sop.steps[step].title if step in self.sop.steps else ""

        return [(datetime.fromisoformat(e["at"]), title(e["step_from"]), title(e["step_to"]),
                 self.sop.roles[e["role"]].name if e["role"] in self.sop.roles else "",
                 events.shown(e["kind"]), e["decision"] or "", e["catatan"] or "", e["message"],
                 e["source"] or "", events.acted_by(e, self.paperwork.name_of))
                for e in self.db.events(case.id)]

    def _info(self, case: CaseRow) -> dict[str, str]:
        """bag-info.txt: who made the bundle and what it is, readable without sop-docs."""
        return {"Source-Organization": str(self.settings.office.get("nama", "")),
                "External-Identifier": case.id,
                "External-Description": f"{self.sop.name}: {case.perihal}",
                "SOP-Docs-Case-Id": case.id, "SOP-Docs-Subject": case.perihal,
                "SOP-Docs-SOP": f"{self.sop.id} ({self.sop.name})",
                "SOP-Docs-Letter-Number": case.letter_number or "-",
                "SOP-Docs-Closed": case.closed_at or ""}

    def verify(self) -> archive.VerifyReport:
        """Every bundle in archive/ checked (BagIt checksums) against the database's closed cases."""
        expected = {}
        for case in self.db.closed_cases():
            rel = archive.bundle_folder(case.year, case.id, case.perihal).as_posix()
            docs = self.db.documents(case.id)
            expected[rel] = archive.Expected(
                case.id, frozenset(d["sha256"] for d in docs),
                frozenset(d["original_sha256"] for d in docs if d["original_sha256"]))
        return archive.verify(self.ws.root, expected)
