"""The register workbooks as the decision channel: harvest what people typed, then write them anew.

With authorization "none" there is one: `register.xlsx`. With "owner" `register.xlsx` is an
overview everyone reads, and each deciding role has its own register in `keputusan/<role>/`, a
folder only that role's group can write, listing the cases it holds. A pass harvests every register
that carries decisions first (so a case moved by one is shown where it went by the others), then
writes each anew; a register a person saved meanwhile is harvested again, one open in Excel or
LibreOffice is left alone, and one that cannot be read is kept in quarantine/ before it is replaced.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from sop_docs.adapters import disposisi_sheet, register, sniff
from sop_docs.adapters.blobs import BlobStore
from sop_docs.adapters.db import Database
from sop_docs.decisions import Decisions
from sop_docs.disposisi import Disposisi
from sop_docs.errors import SopDocsError, StorageFull, plainly
from sop_docs.intake import Arrival, Intake
from sop_docs.projection import Channel, RegisterProjection
from sop_docs.workspace import Workspace

log = logging.getLogger("sop_docs")

ATTEMPTS = 5


class Registers:
    def __init__(self, ws: Workspace, db: Database, blobs: BlobStore, decisions: Decisions,
                 projection: RegisterProjection, intake: Intake, disposisi: Disposisi) -> None:
        self.ws, self.db, self.blobs, self.decisions = ws, db, blobs, decisions
        self.projection, self.intake, self.disposisi = projection, intake, disposisi
        self._told: set[tuple[str, str]] = set()    # faults already logged with a traceback
        self.trouble: dict[str, str] = {}           # register path -> why it cannot be written

    def process(self) -> None:
        """Harvest every register, act on its decisions, then write every register anew."""
        channels = self.projection.channels()
        where = {c.role: self.ws.rel(c.path) for c in channels if c.role}
        seen = {c.key: self._harvest(c, where) for c in channels}
        for channel in channels:
            self._write(channel, seen[channel.key], where)

    def _harvest(self, channel: Channel, where: dict[str | None, str]) -> str | None:
        """Act on what the register holds; the content hash that was read."""
        before = register.file_hash(channel.path)
        if (before is not None and before == self.db.get_meta(f"{channel.key}_hash")
                and not self.db.held_decisions()):
            return before                          # as we wrote it: nobody typed anything
        self._keep_unreadable(channel, before)
        rel = self.ws.rel(channel.path)
        for cell in (replace(c, source=rel) for c in register.read_decisions(channel.path)):
            try:
                if channel.decides:
                    self.decisions.decide(cell, channel)
                else:
                    self.decisions.not_here(cell, channel, where)
            except (OSError, SopDocsError) as e:      # the service's trouble: the row waits
                log.error("%s: the decision in row %s of %s could not be carried out (%s); it "
                          "is tried again", cell.case_id, cell.row, self.ws.rel(channel.path),
                          plainly(e))
                self.decisions.hold(cell, plainly(e))
            except Exception as e:                     # a fault of ours: told once, row waits
                if (cell.token, cell.keputusan) not in self._told:
                    log.exception("%s: the decision in row %s could not be carried out",
                                  cell.case_id, cell.row)
                    self._told.add((cell.token, cell.keputusan))
                self.decisions.hold(cell, type(e).__name__)
        if self.disposisi.here(channel):
            self._dispositions(channel)
        return before

    def _dispositions(self, channel: Channel) -> None:
        """Act on the Disposisi sheet's rows a person changed (a case on two rows that differ is
        answered, not guessed); the service's trouble is logged and the row is read again at the
        next pass (the sheet is written anew only from the database, so an unrecorded change is
        shown back as it was)."""
        rows: dict[str, list[disposisi_sheet.DisposisiCell]] = {}
        for cell in disposisi_sheet.read(channel.path):
            rows.setdefault(cell.case_id, []).append(cell)
        for cells in rows.values():
            cell = cells[0]
            try:
                if len({tuple(sorted(c.values.items())) for c in cells}) > 1:
                    self.disposisi.twice(cells, channel)
                else:
                    self.disposisi.change(cell, channel)
            except (OSError, SopDocsError) as e:
                log.error("%s: the disposition in row %s of %s could not be changed (%s)",
                          cell.case_id, cell.row, self.ws.rel(channel.path), plainly(e))
            except Exception:
                log.exception("%s: the disposition in row %s could not be changed",
                              cell.case_id, cell.row)

    def _write(self, channel: Channel, before: str | None, where: dict[str | None, str]) -> None:
        """Write the register anew; harvest again first if a person saved it meanwhile. A role's
        register holding a decision the service could not carry out is left as its holder saved
        it (it still names who decided) until the decision goes through."""
        rel = self.ws.rel(channel.path)
        if channel.role and any(self.decisions.sop.step(c.step).role == channel.role
                                for c in self.db.held_cases()):
            log.info("%s holds a decision waiting to be tried again; left as it was saved", rel)
            return
        for _ in range(ATTEMPTS):
            try:
                if self.projection.write(channel, before):
                    self.trouble.pop(rel, None)
                    return
            except (OSError, StorageFull) as e:
                log.error("%s could not be written (%s); it is tried again", rel, plainly(e))
                self.trouble[rel] = plainly(e)
                return
            if register.is_open(channel.path):
                log.info("%s is open in Excel/LibreOffice; it will be updated once closed", rel)
                self.trouble[rel] = "register dibiarkan terbuka di Excel/LibreOffice"
                return
            before = self._harvest(channel, where)
        log.warning("%s kept changing while being updated; will try again", rel)
        self.trouble[rel] = "register terus berubah saat diperbarui"

    def _keep_unreadable(self, channel: Channel, seen: str | None) -> None:
        """A register a person saved that cannot be read (an ODS or CSV under the .xlsx name, a
        damaged file) is kept in quarantine/ with a note before it is written anew: what they
        typed in it is not lost, and they are told to choose again."""
        path = channel.path
        if seen is None or seen.startswith("not-regular") or seen == self.db.get_meta(
                f"{channel.key}_hash") or register.readable(path):
            return
        try:
            sha = self.blobs.put_file(path)
        except OSError:
            return
        what = sniff.classify(self.blobs.path(sha), name=path.name).detail
        rel = self.ws.rel(path)
        self.intake.quarantine(Arrival(path, rel, channel.role, None), sha, "register_unreadable",
                               detail=what, remove=False)     # the register is written anew
        log.warning("%s could not be read (%s); kept in quarantine/, written anew", rel, what)
