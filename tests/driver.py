"""Drives a real workspace the way staff do: files saved into inboxes, decisions typed in the register."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from openpyxl import load_workbook

from sop_docs.bootstrap import load_sop_ref, open_service
from sop_docs.service import Service
from sop_docs.settings import load_settings
from sop_docs.workspace import init_workspace
from tests.paths import CORPUS as CORPUS  # re-exported for the tests

TEMPLATES = Path(__file__).resolve().parents[1] / "sop_docs" / "templates"


@dataclass
class Clock:
    now: datetime = field(default_factory=lambda: datetime(2026, 11, 23, 9, 0))  # a Monday

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


def unique_docx(src: Path, note: str) -> bytes:
    """A real Word document with `note` stored inside (a custom part), so its bytes are its own."""
    import zipfile
    from io import BytesIO

    out = BytesIO()
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info, zin.read(info))
        zout.writestr("customXml/sop-docs-test.txt", note.encode("utf-8"))
    return out.getvalue()


def fill_concept(skeleton: bytes, judul: str = "Ringkasan Laporan Keuangan Semester I 2026",
                 isi: str = "Dengan ini diumumkan ringkasan laporan keuangan Dinas.",
                 **rincian: str) -> bytes:
    """The Fungsional's work on a skeleton, as Word would save it: the Rincian table's Judul (and
    any other detail given, by its context key) written over the prompt, and a paragraph of
    `isi` under every prompt of the body."""
    from io import BytesIO

    from docx import Document

    from sop_docs.core.rincian import LABELS

    doc = Document(BytesIO(skeleton))
    wanted = {label: {"judul": judul, **rincian}.get(key) for label, key in LABELS.items()}
    for table in doc.tables:
        for row in table.rows:
            value = wanted.get(row.cells[0].text.strip())
            if value is not None:
                row.cells[-1].paragraphs[0].text = value
    for p in doc.paragraphs:
        t = p.text.strip()
        if t.startswith("[") and t.endswith("]"):
            p.text = isi
    out = BytesIO()
    doc.save(out)
    return out.getvalue()


class Office:
    """A workspace plus the hands of its staff."""

    def __init__(self, root: Path, clock: Clock | None = None) -> None:
        self.root = root
        self.clock = clock or Clock()
        init_workspace(root, load_sop_ref(load_settings(root).sop_ref, root))
        self.svc: Service = open_service(root, clock=self.clock)
        self.svc.process_register()

    def close(self) -> None:
        self.svc.close()

    # -- staff actions -------------------------------------------------------------------
    def save(self, rel: str, src: Path | bytes) -> Path:
        target = self.root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(src, bytes):
            target.write_bytes(src)
        else:
            shutil.copyfile(src, target)
        return target

    def decide(self, case_id: str, keputusan: str, catatan: str = "") -> None:
        """Type a decision in the register that carries it (the holder's own register, or
        register.xlsx when the office decides in one) and save it (with openpyxl, as Excel would)."""
        path = self.register_of(case_id)
        wb = load_workbook(path)
        ws = wb["Kasus Terbuka"]
        for row in ws.iter_rows(min_row=2):
            if row[0].value == case_id:
                row[9].value = keputusan
                row[10].value = catatan or None
                break
        else:
            raise AssertionError(f"{case_id} has no row in {path.name}")
        wb.save(path)

    def dispose(self, case_id: str, **values: object) -> Path:
        """The Kabid/Kasubag types the disposition's particulars (by key: judul, jenis, surat_dari,
        nomor_surat, tanggal_surat, diteruskan, catatan) in the Disposisi sheet of its register
        and saves it, as Excel would."""
        from sop_docs.adapters.disposisi_sheet import FIRST_EDITABLE, KEYS, SHEET

        own = sorted((self.root / "keputusan" / "kabid_kasubag").glob("Register *.xlsx"))
        path = own[0] if own else self.root / "register.xlsx"
        wb = load_workbook(path)
        ws = wb[SHEET]
        for row in ws.iter_rows(min_row=2):
            if row[0].value == case_id:
                for key, value in values.items():
                    row[FIRST_EDITABLE - 1 + KEYS.index(key)].value = value
                break
        else:
            raise AssertionError(f"{case_id} has no row in the Disposisi sheet of {path.name}")
        wb.save(path)
        return path

    def register_of(self, case_id: str) -> Path:
        """The register in which the case's current decision is chosen: the holder's own (found
        from the overview, as a person would), or register.xlsx where the office decides in one."""
        holder = self.rows()[case_id]["Posisi"]
        sop = load_sop_ref(load_settings(self.root).sop_ref, self.root)
        role = next(k for k, r in sop.roles.items() if r.name == holder)
        for own in sorted((self.root / "keputusan" / role).glob("Register *.xlsx")):
            wb = load_workbook(own, read_only=True)
            listed = {r[0] for r in wb["Kasus Terbuka"].iter_rows(min_row=2, values_only=True)}
            wb.close()
            if case_id in listed:
                return own
        return self.root / "register.xlsx"      # no decision waits: the row of the overview

    def scan(self) -> None:
        self.svc.scan()

    # -- a case along the chain, for tests about what happens at its later steps --------------
    def open_case(self, subject: str = "Laporan Keuangan 2026", src: Path | bytes | None = None,
                  folder: str = "inbox/kabid_kasubag") -> str:
        """The Kabid/Kasubag saves material (by default a corpus document made unique by the
        subject, so two cases never share material); the id of the case it opened."""
        before = {c.id for c in self.svc.db.open_cases()}
        if src is None:
            src = unique_docx(CORPUS / "tables.docx", subject)
        self.save(f"{folder}/{subject}.docx", src)
        self.scan()
        (case,) = {c.id for c in self.svc.db.open_cases()} - before
        return case

    def to_step(self, case: str, step: int) -> None:
        """The concept is written and approved (Sesuai) until the case waits at `step`."""
        if self.svc.db.case(case).step == 2:
            (name,) = [n for n in self.outbox("fungsional") if n.startswith(f"{case} - Konsep")]
            self.save(f"inbox/fungsional/konsep {case}.docx",
                      fill_concept((self.root / "outbox" / "fungsional" / name).read_bytes()))
            self.scan()
        while (now := self.svc.db.case(case).step) < step:
            self.decide(case, "Sesuai")
            self.scan()
            assert self.svc.db.case(case).step != now, self.rows()[case]["Pesan Sistem"]

    def add_proofs(self, case: str) -> None:
        self.save(f"inbox/fungsional/bukti_online/{case} laman.png", b"\x89PNG\r\n\x1a\n" + b"1" * 64)
        self.save(f"inbox/fungsional/bukti_offline/{case} papan.jpg", b"\xff\xd8\xff\xe0" + b"2" * 64)
        self.scan()

    # -- what staff see ------------------------------------------------------------------
    def outbox(self, role: str | None = None) -> set[str]:
        base = self.root / "outbox"
        files = {p.relative_to(base).as_posix() for p in base.rglob("*") if p.is_file()}
        return {f.split("/", 1)[1] for f in files if f.startswith(f"{role}/")} if role else files

    def inbox_files(self) -> list[Path]:
        return [p for p in (self.root / "inbox").rglob("*") if p.is_file()]

    def rows(self) -> dict[str, dict[str, object]]:
        wb = load_workbook(self.root / "register.xlsx", read_only=True)
        ws = wb["Kasus Terbuka"]
        it = ws.iter_rows(values_only=True)
        header = [str(h) for h in next(it)]
        out = {r[0]: dict(zip(header, r, strict=False)) for r in it if r and r[0]}
        wb.close()
        return out

    def events(self, case_id: str) -> list[tuple[str, str | None]]:
        return [(e["kind"], e["decision"]) for e in self.svc.db.events(case_id)]

    def concept(self, **rincian: str) -> bytes:
        """The Fungsional's written concept: the skeleton in the outbox, filled (`fill_concept`)."""
        return fill_concept(self.draft_file("fungsional").read_bytes(), **rincian)

    def draft_file(self, role: str) -> Path:
        (name,) = [n for n in self.outbox(role) if " - Konsep - " in n]
        return self.root / "outbox" / role / name


def make_users(names: dict[str, str]) -> None:
    """The office's staff as Unix users (user -> full name), made once; tests run as root."""
    import pwd
    import subprocess

    for user, name in names.items():
        try:
            pwd.getpwnam(user)
        except KeyError:
            subprocess.run(["useradd", "--no-create-home", "-c", name, user], check=True)


def saved_by(path: Path, user: str) -> Path:
    """The file now belongs to `user`, as after their save over a Samba share."""
    import os
    import pwd

    os.chown(path, pwd.getpwnam(user).pw_uid, -1)
    return path
