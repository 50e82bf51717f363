"""`sop-docs restore`: put a database copy back, then replay what the folders show since.

A copy is hours old; the office went on after it. What happened since is still visible: closed
cases as bundles in archive/ (bag-info, riwayat.xlsx, every file), open cases as rows of the
register (step, and the step token that decisions typed there refer to) and their events in its
Riwayat sheet, and every document in the outboxes, named and stamped with its case. The replay
teaches the restored database all of that, and raises every counter to at least the highest number
seen — agenda numbers from case ids, letter numbers from the closed cases' bag-info and the letters
in the outboxes — so no number is ever given twice. The database that was there is kept beside,
never deleted. Nothing in the folders is moved: after a restore the next scan goes on from there.
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import uuid
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from sop_docs import folders, guard
from sop_docs.adapters import disposisi_sheet, docx, register, safefs
from sop_docs.adapters.blobs import BlobStore, fsync_dir
from sop_docs.adapters.db import CaseRow, Database
from sop_docs.backup import backups
from sop_docs.core import events, rincian
from sop_docs.core.naming import case_id_in_name, case_number
from sop_docs.core.sop import Sop
from sop_docs.errors import StateMismatch, WorkspaceBusy
from sop_docs.settings import Settings
from sop_docs.workspace import Workspace

log = logging.getLogger("sop_docs")


@dataclass
class RestoreReport:
    backup: Path
    kept_as: Path | None = None
    cases_added: list[str] = field(default_factory=list)
    cases_updated: list[str] = field(default_factory=list)
    documents: int = 0
    events: int = 0
    counters: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def restore(ws: Workspace, sop: Sop, settings: Settings, db_path: Path, backup_folder: Path,
            chosen: Path | None, now: datetime) -> RestoreReport:
    """Put `chosen` (default: the newest copy) back as the database and replay the folders."""
    lock = FileLock(str(ws.state / "service.lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout as e:
        raise WorkspaceBusy("stop the watcher (sop-docs watch) before restoring") from e
    try:
        source = chosen or _newest(backup_folder)
        report = RestoreReport(source)
        report.kept_as = _put_back(source, db_path, now)
        db = Database(db_path, backup_folder)
        try:
            blobs = _adopt_store(ws, db)
            Replay(ws, sop, settings, db, blobs, report).run(now)
        finally:
            db.close()
        return report
    finally:
        lock.release()


def _newest(folder: Path) -> Path:
    found = backups(folder)
    if not found:
        raise StateMismatch(f"Tidak ada cadangan basis data di {folder}. / No database copy in "
                            f"{folder}.")
    return found[-1]


def _put_back(source: Path, db_path: Path, now: datetime) -> Path | None:
    """The copy, checked, becomes the database; the one that was there is kept beside it."""
    try:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            if src.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise sqlite3.DatabaseError("quick_check found damage")
            tmp = db_path.with_name(f".{db_path.name}.restore.tmp")
            tmp.unlink(missing_ok=True)
            out = sqlite3.connect(tmp)
            try:
                src.backup(out)
            finally:
                out.close()
        finally:
            src.close()
    except sqlite3.DatabaseError as e:
        raise StateMismatch(f"Cadangan {source} rusak ({e}). / The copy {source} is damaged.") from e
    kept = None
    for suffix in ("", "-wal", "-shm"):
        old = Path(f"{db_path}{suffix}")
        if old.exists():
            moved = Path(f"{db_path}.sebelum-pulih-{now:%Y%m%d-%H%M%S}{suffix}")
            os.replace(old, moved)
            kept = kept or moved
    os.replace(tmp, db_path)
    fsync_dir(db_path.parent)
    return kept


def _adopt_store(ws: Workspace, db: Database) -> BlobStore:
    """The workspace's store is the one this database goes with from now on."""
    blobs = BlobStore(ws.store)
    identity = blobs.identity()
    if identity is None:
        identity = uuid.uuid4().hex
        blobs.create(identity)
    with db.tx():
        db.set_meta(guard.STORE_ID, identity)
    return blobs


class Replay:
    """Teach a restored database what the folders show happened after its copy was taken."""

    def __init__(self, ws: Workspace, sop: Sop, settings: Settings, db: Database,
                 blobs: BlobStore, report: RestoreReport) -> None:
        self.ws, self.sop, self.settings, self.db, self.blobs = ws, sop, settings, db, blobs
        self.report = report
        self.step_of = {s.title: s.number for s in sop.steps.values()}
        self.role_of = {r.name: k for k, r in sop.roles.items()}
        self.kind_of = {k.name: k.key for k in sop.kinds}
        labels = {spec.label: key for key, spec in sop.documents.items()}
        labels["Bahan"] = "bahan"
        labels["Lembar Kendali"] = "lembar_kendali"
        for proofs in sop.proof_folders().values():
            labels.update({p.replace("_", " ").title(): p for p in proofs})
        self.labels = labels
        self.numbered = [k for k, spec in sop.documents.items() if spec.numbered]
        self.letter_pattern = folders.letter_number_regex(settings)

    def run(self, now: datetime) -> None:
        with self.db.tx():
            for op in self.db.pending_ops():          # the folders are the truth now
                if op["op"] != "bundle":
                    self.db.finish_op(op["id"])
            for bundle in self._bundles():
                self._closed_case(bundle, now)
            self._open_cases(now)
            self._dispositions(now)
            self._outboxes(now)
            self._letters_in_the_store()
            self._counters()
            self.db.add_event(now.isoformat(), "restored", message="Basis data dipulihkan dari "
                              f"cadangan {self.report.backup.name}.",
                              detail={"backup": str(self.report.backup),
                                      "cases_added": self.report.cases_added,
                                      "cases_updated": self.report.cases_updated,
                                      "counters": self.report.counters})

    # ------------------------------------------------------------------ closed cases
    def _bundles(self) -> list[Path]:
        return [b for y in safefs.folders(self.ws.root / "archive") for b in safefs.folders(y)
                if safefs.is_regular(b / "bag-info.txt")]

    def _closed_case(self, bundle: Path, now: datetime) -> None:
        info = folders.bag_info(bundle / "bag-info.txt")
        case_id = info.get("SOP-Docs-Case-Id", "")
        if not self._ours(case_id):
            return
        case = self.db.case(case_id)
        if case is not None and case.status == "closed":
            return
        history = folders.sheet_rows(bundle / "data" / "riwayat.xlsx")
        opened = history[0][0] if history and isinstance(history[0][0], datetime) else now
        closed = info.get("SOP-Docs-Closed") or now.isoformat()
        number = info.get("SOP-Docs-Letter-Number", "-")
        fields: dict[str, Any] = {
            "status": "closed", "closed_at": closed, "message": "Dipulihkan dari arsip.",
            "letter_number": None if number == "-" else number}
        self._upsert(case_id, info.get("SOP-Docs-Subject", ""), opened, fields, case)
        for row in history:
            self._event(case_id, row[0], row[4], self.step_of.get(str(row[1])),
                        self.step_of.get(str(row[2])), self.role_of.get(str(row[3])), row[5],
                        row[6], row[7], row[8] if len(row) > 8 else "")
        self._bundle_documents(case_id, bundle, now)
        for p in self.db.placements(case_id):
            self.db.unplace(p["doc_id"])

    def _bundle_documents(self, case_id: str, bundle: Path, now: datetime) -> None:
        """Every file of the bundle becomes a document the database knows (of the kind its
        daftar-isi.txt says), and each original in asli/ the original of its working copy."""
        data = bundle / "data"
        index = {row[0]: row for row in folders.index_rows(data / "daftar-isi.txt")}
        known = {d["sha256"] for d in self.db.documents(case_id)}
        copies: dict[tuple[str, str], str] = {}
        originals: list[tuple[tuple[str, str], str]] = []
        for f in sorted(data.rglob("*")):
            rel = f.relative_to(data).as_posix()
            top = rel.split("/", 1)[0]
            if top not in ("softcopy", "bukti", "asli") or not safefs.is_regular(f):
                continue
            sha = self.blobs.put_file(f)
            row = index.get(rel)
            if top == "asli":
                if row is not None:
                    originals.append(((row[1], row[2]), sha))
                continue
            if row is not None:
                copies[(row[1], row[2])] = sha
            if sha not in known:
                name = re.sub(r"^v\d+ - ", "", f.name)
                self._document(case_id, name, sha, str(f.relative_to(self.ws.root)), now,
                               kind=row[1] if row is not None else None)
                known.add(sha)
        for key, original in originals:
            if key in copies:
                self.db.set_original(case_id, copies[key], original)

    # ------------------------------------------------------------------ open cases
    def _open_cases(self, now: datetime) -> None:
        rows = folders.sheet_rows(self.ws.register, register.SHEET_OPEN)
        events = folders.sheet_rows(self.ws.register, register.SHEET_HISTORY)
        for row in rows:
            row = list(row) + [None] * (register.TOKEN - len(row))
            case_id = str(row[0] or "").strip()
            if not self._ours(case_id):
                continue
            step = self.step_of.get(str(row[4]))
            case = self.db.case(case_id)
            if step is None or (case is not None and case.status == "closed"):
                continue
            token = str(row[register.TOKEN - 1] or "")
            entered = max([e[0] for e in events if e[1] == case_id and isinstance(e[0], datetime)]
                          or [row[1] if isinstance(row[1], datetime) else now])
            fields = {"step": step, "step_token": token or f"{case_id}#restored",
                      "step_entered_at": entered.isoformat(), "message": str(row[11] or "")}
            if case is not None and case.step == step and case.step_token == token:
                continue
            opened = row[1] if isinstance(row[1], datetime) else now
            self._upsert(case_id, str(row[2] or ""), opened, fields, case,
                         kind=self.kind_of.get(str(row[3])))
        for e in events:
            if self.db.case(str(e[1] or "")) is not None:
                self._event(str(e[1]), e[0], e[4], self.step_of.get(str(e[2])), None,
                            self.role_of.get(str(e[3]).split(" (", 1)[0]), e[5], e[6], e[7],
                            "register.xlsx")      # Oleh: "Kepala Dinas (Plt. Nama)"

    def _dispositions(self, now: datetime) -> None:
        """The particulars the giver chose, from the Disposisi sheet of its register (the title
        came back as the open sheet's Perihal); a value that does not check is left unset."""
        giver = self.sop.first_step.role
        own = self.ws.decision_register(giver, self.sop.roles[giver].name)
        for path in (own, self.ws.register):
            for cell in disposisi_sheet.read(path):
                case = self.db.case(cell.case_id)
                if case is None or case.status != "open" or case.rincian not in ("", "{}"):
                    continue
                values = {k: v for k, v in cell.values.items() if k not in ("judul", "jenis")}
                details, _ = rincian.check(values, now.date())
                if details != rincian.Rincian():
                    self.db.update_case(case.id, rincian=details.to_json())

    def _upsert(self, case_id: str, subject: str, opened: datetime, fields: dict[str, Any],
                case: CaseRow | None, kind: str | None = None) -> None:
        if case is None:
            year, seq = case_number(case_id)
            self.db.insert_case(CaseRow(
                case_id, self.sop.id, year, seq, kind or self.sop.kinds[0].key,
                subject or "Tanpa Perihal", opened.isoformat(), fields.get("step", 0),
                fields.get("step_token", f"{case_id}#restored"),
                fields.get("step_entered_at", opened.isoformat()), "open", None, None, [], "", ""))
            self.report.cases_added.append(case_id)
        else:
            self.report.cases_updated.append(case_id)
        self.db.update_case(case_id, **fields)

    def _event(self, case_id: str, at: object, kind: object, step_from: int | None,
               step_to: int | None, role: str | None, decision: object, catatan: object,
               message: object, source: object) -> None:
        if not isinstance(at, datetime) or not kind:
            return
        kind = events.kind_of(kind)
        known = {(e["at"], e["kind"]) for e in self.db.events(case_id)}
        if (at.isoformat(), str(kind)) in known:
            return
        self.db.add_event(at.isoformat(), str(kind), case_id=case_id, role=role,
                          step_from=step_from, step_to=step_to, decision=str(decision or "") or None,
                          catatan=str(catatan or ""), source=str(source or "") or None,
                          message=str(message or ""), detail={"restored": True})
        self.report.events += 1

    # ------------------------------------------------------------------ outboxes
    def _outboxes(self, now: datetime) -> None:
        placed = {p["path"]: p for p in self.db.all_placements()}
        seen: set[str] = set()
        for role in self.sop.roles:
            for entry in safefs.walk(self.ws.outbox(role)):
                rel = self.ws.rel(entry.path)
                if entry.kind != safefs.FILE or entry.path.name.startswith((".", "~$")):
                    continue
                case_id = self._case_of(entry.path)
                if case_id is None or self.db.case(case_id) is None:
                    continue
                seen.add(rel)
                sha = self.blobs.put_file(entry.path)
                old = placed.get(rel)
                if old is not None and old["sha256"] == sha:
                    continue
                if old is not None:
                    self.db.unplace(old["doc_id"])
                doc = self._document(case_id, entry.path.name, sha, rel, now)
                self.db.place(doc, case_id, role, rel, sha)
                self._letter_number(case_id, entry.path)
        for rel, p in placed.items():                 # placed then, gone since
            if rel not in seen and safefs.kind(self.ws.root / rel) is None:
                self.db.unplace(p["doc_id"])

    def _ours(self, case_id: str) -> bool:
        """An id of this SOP's cases, whole."""
        return case_id_in_name(case_id, self.sop.case_prefix) == case_id

    def _case_of(self, path: Path) -> str | None:
        """The case a delivered file belongs to: the id inside wins, as at intake."""
        inside = None
        if path.suffix.lower() == ".docx":
            try:
                inside = docx.read_link(safefs.read_bytes(path))
            except OSError:
                inside = None
        if inside is not None and self._ours(inside):
            return inside
        return case_id_in_name(path.name, self.sop.case_prefix)

    def _document(self, case_id: str, name: str, sha: str, source: str, now: datetime,
                  kind: str | None = None) -> int:
        """A file the database did not know: a document of the kind given, or its name says."""
        if kind is None:
            m = re.match(r"^[A-Z0-9-]+ - (.+?)(?: \d+)? - ", name)
            kind = self.labels.get(m.group(1), "lampiran") if m else "lampiran"
            if kind in self.numbered and name.lower().endswith(".pdf"):
                kind += "_pdf"
        self.report.documents += 1
        case = self.db.case(case_id)
        return self.db.add_document(case_id, kind, sha, name, "restored", source,
                                    case.step if case else None, now.isoformat())

    def _letter_number(self, case_id: str, path: Path) -> None:
        """A numbered letter in an outbox: its number is the case's, and counts."""
        m = re.match(r"^[A-Z0-9-]+ - (.+?) - ", path.name)
        if not m or self.labels.get(m.group(1)) not in self.numbered:
            return
        if path.suffix.lower() != ".docx" or self.letter_pattern is None:
            return
        try:
            text = " ".join(folders.docx_text(safefs.read_bytes(path)).split())
        except (OSError, ValueError):
            return
        found = self.letter_pattern.search(text)
        if found:
            self.db.update_case(case_id, letter_number=found.group(0))

    def _letters_in_the_store(self) -> None:
        """A case past approval whose letter left the outboxes: its number is read from the
        letter kept in the store (stamped with the case id); if none is found, say so."""
        numbered_at = [s.sesuai for s in self.sop.steps.values() if s.sesuai is not None and any(
            self.sop.documents[k].numbered for k in s.produce_on_sesuai)]
        if not numbered_at or self.letter_pattern is None:
            return
        missing = {c.id for c in self.db.all_cases() if not c.letter_number and c.status == "open"
                   and c.step >= min(numbered_at)}
        if not missing:
            return
        for blob in sorted(self.blobs.root.glob("*/*")):
            if not missing:
                break
            try:
                data = safefs.read_bytes(blob)
            except OSError:
                continue
            if not data.startswith(b"PK") or docx.read_link(data) not in missing:
                continue
            try:
                found = self.letter_pattern.search(" ".join(folders.docx_text(data).split()))
            except (KeyError, ValueError, zipfile.BadZipFile):
                continue
            if found:
                case_id = docx.read_link(data)
                self.db.update_case(case_id, letter_number=found.group(0))
                missing.discard(str(case_id))
        for case_id in sorted(missing):
            self.report.warnings.append(
                f"{case_id} passed approval after the copy, but its letter number was found "
                "nowhere; check the letter counter before the next approval")

    # ------------------------------------------------------------------ counters
    def _counters(self) -> None:
        """No number below what any known case already carries is ever given again."""
        for c in self.db.all_cases():
            name = f"agenda:{self.sop.id}"
            self._raise(name, c.year, c.seq)
            if c.letter_number and self.letter_pattern is not None:
                m = self.letter_pattern.fullmatch(c.letter_number)
                if m and m.group("no_urut"):
                    year = int(m.group("tahun")) if m.groupdict().get("tahun") else c.year
                    self._raise(f"letter:{self.sop.id}", year, int(m.group("no_urut")))

    def _raise(self, counter: str, year: int, at_least: int) -> None:
        if self.db.peek_number(counter, year) <= at_least:
            self.db.set_counter(counter, year, at_least)
            self.report.counters[f"{counter}:{year}"] = at_least


