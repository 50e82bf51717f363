"""The archive bundle of a closed case, and the check that bundles and database still agree.

The archivist takes a closed case away as one folder, `archive/<year>/<case id> - <subject>/`, in
the BagIt format (RFC 8493): anyone can check it years later with any BagIt tool, without sop-docs.
Its payload (`data/`): `softcopy/` every version of every document as received and produced,
`hardcopy/` the PDF/A-2b of each document of record (and of the concept as approved) and one
combined print-ready PDF (`printfile`: the hardcopies, then the proofs, numbered, bookmarked and
titled; PDF/A-2b too when all its parts are), `bukti/` the
proofs of publication, `riwayat.xlsx` the case's events. The checksums are the bag's manifests.

A bundle is built in a hidden `.partial` folder next to its final place and renamed into place only
when complete and valid, so a crash never leaves a half bundle that looks finished; building again
after a crash starts the partial folder afresh, and a bundle already in place is left alone.
The bag is written here (not with `bagit.make_bag`, which changes the process's working directory
while the watcher runs) and validated with the `bagit` package before the rename.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath

import bagit
from openpyxl import Workbook
from openpyxl.styles import Font

from sop_docs import printfile
from sop_docs.adapters import pdfa, share, workbook
from sop_docs.adapters.blobs import fsync_dir, sha256_file
from sop_docs.adapters.register import put_text
from sop_docs.core.naming import safe_component
from sop_docs.errors import SopDocsError

log = logging.getLogger("sop_docs")

DRAFT = "konsep"
KENDALI = "lembar_kendali"
PDF_SUFFIX = "_pdf"
HISTORY_HEADER = ("Waktu", "Tahap Asal", "Tahap Tujuan", "Peran", "Peristiwa", "Keputusan",
                  "Catatan", "Pesan Sistem", "Sumber", "Oleh")
NO_PDF_NOTE = "BACA - hardcopy belum dibuat.txt"
INDEX = "daftar-isi.txt"

Converter = Callable[[Sequence[tuple[str, bytes]]], list[bytes]]


@dataclass(frozen=True)
class Printed:
    """One document of record in the hardcopy: a PDF ready made, or a docx to convert."""

    name: str                    # the PDF's name in data/hardcopy/
    source: Path
    is_pdf: bool
    title: str = ""              # its bookmark in the combined print file
    staff: bool = False          # written by staff (the concept): converted on its own, so that
                                 # a document LibreOffice cannot read never holds up the others


@dataclass
class BundlePlan:
    case_id: str
    files: list[tuple[str, Path]] = field(default_factory=list)     # (path under data/, source)
    printed: list[Printed] = field(default_factory=list)            # in print order
    combined: str = ""
    title: str = ""                                                 # the combined file's title
    proofs: list[printfile.Proof] = field(default_factory=list)     # printed after the documents
    history: list[Sequence[object]] = field(default_factory=list)
    info: dict[str, str] = field(default_factory=dict)
    index: list[tuple[str, ...]] = field(default_factory=list)  # daftar-isi.txt, one row a file


def bundle_folder(year: int, case_id: str, subject: str) -> PurePosixPath:
    return PurePosixPath("archive") / str(year) / safe_component(f"{case_id} - {subject}", limit=100)


def _unique(name: str, taken: set[str]) -> str:
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    cand, n = name, 1
    while cand.casefold() in taken:
        n += 1
        cand = f"{stem} ({n}).{ext}" if dot else f"{stem} ({n})"
    taken.add(cand.casefold())
    return cand


def _field(d: Mapping[str, object], key: str) -> object:
    """A column of a document row that older rows (and tests' plain dicts) may not have."""
    keys = d.keys() if hasattr(d, "keys") else ()
    return d[key] if key in keys else None


def _approved(docs: Sequence[Mapping[str, object]], approval_kind: str | None) -> int | None:
    """The index of the concept as approved: the last version before the document its approval
    produced (`approval_kind`, the numbered letter), else the last version of all."""
    first = next((i for i, d in enumerate(docs) if d["kind"] == approval_kind), len(docs))
    drafts = [i for i, d in enumerate(docs[:first]) if d["kind"] == DRAFT]
    if not drafts:
        drafts = [i for i, d in enumerate(docs) if d["kind"] == DRAFT]
    return drafts[-1] if drafts else None


def _title(case_id: str, name: str, *, keep_extension: bool = False) -> str:
    """A bookmark: the delivered name without the case id (and, but for a proof, the extension)."""
    stem = name if keep_extension or "." not in name else name.rsplit(".", 1)[0]
    return stem.removeprefix(f"{case_id} - ") or stem


def plan(case_id: str, documents: Iterable[Mapping[str, object]], blob: Callable[[str], Path], *,
         proof_kinds: Iterable[str], record_kinds: Iterable[str], history: list[Sequence[object]],
         info: Mapping[str, str], print_order: Sequence[str] = (), approval_kind: str | None = None,
         title: str = "") -> BundlePlan:
    """What goes where. `documents` are the case's document rows (every version, in order);
    `record_kinds` the kinds printed as hardcopy (besides the control sheet): the last version of
    each as the system made it (a later edit stays in softcopy/), with the PDF made at the same
    moment when there is one. The concept as approved is printed too (`_approved`). The
    combined print file follows `print_order` (kinds; the control sheet first), then the proofs
    in the order of `proof_kinds`. A received file kept as a
    working copy (stamped with the case link, or converted) is also kept as received, in `asli/`;
    `daftar-isi.txt` says which file is which."""
    docs = list(documents)
    proof_order = list(dict.fromkeys(proof_kinds))
    proofs, records = set(proof_order), {*record_kinds, KENDALI}
    p = BundlePlan(case_id, history=history, info=dict(info), title=title or f"{case_id} — Berkas Cetak")
    taken: set[str] = set()
    pdf_of = {(str(d["name"]), _field(d, "created_at")): d for d in docs
              if str(d["kind"]).endswith(PDF_SUFFIX)}
    # the version printed: the last one the system made (the letter as approved, not a later edit,
    # which stays in softcopy/), or the last one when the system made none
    last = {(str(d["kind"]), str(d["name"])): i for i, d in enumerate(docs)}
    last.update({(str(d["kind"]), str(d["name"])): i for i, d in enumerate(docs)
                 if _field(d, "origin") == "generated"})
    approved = _approved(docs, approval_kind)
    order: list[tuple[str, Printed]] = []
    found: list[tuple[str, printfile.Proof]] = []
    for i, d in enumerate(docs):
        kind, name, sha = str(d["kind"]), str(d["name"]), str(d["sha256"])
        if kind.endswith(PDF_SUFFIX):
            continue                                     # printed with its docx below
        if kind in proofs:
            kept = _unique(name, taken)
            _add(p, f"bukti/{kept}", blob(sha), d, "bukti publikasi")
            found.append((kind, printfile.Proof(_title(case_id, kept, keep_extension=True), kept, blob(sha))))
            continue
        version = d["version"]
        _add(p, f"softcopy/{_unique(f'v{version} - {name}', taken)}", blob(sha), d, _what(d))
        original = _field(d, "original_sha256")
        if original:
            source = PurePosixPath(str(_field(d, "source") or name)).name
            _add(p, f"asli/{_unique(f'v{version} - {source}', taken)}", blob(str(original)), d,
                 "asli, sebagaimana diterima", str(original))
        stem = name.rsplit(".", 1)[0]
        if i == approved:
            order.append((kind, Printed(_unique(f"{stem} (disetujui).pdf", taken), blob(sha), False,
                                        f"Konsep yang disetujui (versi {version})", staff=True)))
        elif kind in records and last[(kind, name)] == i:
            ready = pdf_of.get((f"{stem}.pdf", _field(d, "created_at")))
            pdf_name = _unique(f"{stem}.pdf", taken)
            bookmark = _title(case_id, name)
            if ready is not None:
                order.append((kind, Printed(pdf_name, blob(str(ready["sha256"])), True, bookmark)))
            else:
                order.append((kind, Printed(pdf_name, blob(sha), False, bookmark)))
    ranks = {k: n for n, k in enumerate([KENDALI, *print_order])}
    p.printed = [x for _, x in sorted(order, key=lambda o: ranks.get(o[0], len(ranks)))]
    p.proofs = [x for _, x in sorted(found, key=lambda f: proof_order.index(f[0]))]
    p.combined = _unique(f"{case_id} - Berkas Cetak Lengkap.pdf", taken)
    return p


def _what(d: Mapping[str, object]) -> str:
    origin = _field(d, "origin")
    if origin == "received":
        return ("salinan kerja (bertanda No. Agenda) dari berkas yang diterima"
                if _field(d, "original_sha256") else "diterima")
    if origin == "edited":
        return "diperbaiki langsung di outbox oleh pemegangnya"
    return "dibuat sistem"


def _add(p: BundlePlan, rel: str, source: Path, d: Mapping[str, object], what: str,
         sha: str | None = None) -> None:
    p.files.append((rel, source))
    p.index.append((rel, str(d["kind"]), str(d["version"]), what,
                    str(_field(d, "created_at") or ""), sha or str(d["sha256"])))


# --------------------------------------------------------------------------- building

def build(final: Path, p: BundlePlan, to_pdf: Converter | None) -> bool:
    """Make the bundle at `final`; True when it is in place (now or from an earlier run).

    The hardcopy needs `to_pdf`; when it is None or fails, the bundle is made without it and says
    so in a note inside `data/hardcopy/` (the administrator's log says what to install).
    """
    if (final / "bagit.txt").is_file():
        return True
    if final.exists():
        raise SopDocsError(f"{final} exists but is not a sop-docs bundle; move it away and scan again")
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = final.parent / f".{final.name}.partial"
    shutil.rmtree(tmp, ignore_errors=True)
    data = tmp / "data"
    for rel, src in p.files:
        target = data / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, target)
    _hardcopy(data / "hardcopy", p, to_pdf)
    _history(data / "riwayat.xlsx", p.history)
    _index(data / INDEX, p.index)
    _write_bag(tmp, p.info)
    bagit.Bag(str(tmp)).validate(processes=1)
    share.apply_tree(tmp)
    fsync_dir(tmp)
    os.rename(tmp, final)
    fsync_dir(final.parent)
    return True


def _hardcopy(folder: Path, p: BundlePlan, to_pdf: Converter | None) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    pending = [x for x in p.printed if not x.is_pdf and not x.staff]
    made: dict[str, bytes] = {}
    problem = ""
    if pending:
        if to_pdf is None:
            problem = "LibreOffice tidak tersedia di server."
        else:
            try:
                outs = to_pdf([(x.name, x.source.read_bytes()) for x in pending])
                made = {x.name: b for x, b in zip(pending, outs, strict=True)}
            except SopDocsError as e:
                log.error("%s: hardcopy PDFs could not be made: %s", p.case_id, e)
                problem = "PDF tidak dapat dibuat oleh LibreOffice."
    if problem:
        (folder / NO_PDF_NOTE).write_text(
            f"Hardcopy (PDF) kasus {p.case_id} belum dibuat: {problem}\n"
            "Berkas Word di folder softcopy lengkap; cetak dari sana, atau minta administrator "
            "memasang LibreOffice lalu membuat ulang hardcopy.\n", encoding="utf-8")
        for x in p.printed:
            if x.is_pdf:
                shutil.copyfile(x.source, folder / x.name)
        return
    made |= _staff_pdfs(p, to_pdf)
    pdfs = []
    for x in p.printed:
        if not x.is_pdf and x.name not in made:
            continue                                     # a staff document LibreOffice refused
        blob = x.source.read_bytes() if x.is_pdf else made[x.name]
        (folder / x.name).write_bytes(blob)
        pdfs.append((x.title or x.name, blob))
    if pdfs:
        (folder / p.combined).write_bytes(_combined(p, pdfs, to_pdf))


def _staff_pdfs(p: BundlePlan, to_pdf: Converter | None) -> dict[str, bytes]:
    """The PDFs of the documents staff wrote, each on its own; one that fails is left out of the
    hardcopy (it stays in softcopy/) and logged."""
    made = {}
    for x in p.printed:
        if x.staff and not x.is_pdf and to_pdf is not None:
            try:
                [made[x.name]] = to_pdf([(x.name, x.source.read_bytes())])
            except SopDocsError as e:
                log.warning("%s: %s is left out of the hardcopy: %s", p.case_id, x.name, e)
    return made


def _combined(p: BundlePlan, pdfs: list[tuple[str, bytes]], to_pdf: Converter | None) -> bytes:
    """The print file (`printfile.combine`); should it fail for a reason nobody foresaw, the
    hardcopies alone, so that the close is never held up by its proofs."""
    try:
        return printfile.combine(pdfs, p.proofs, p.title, to_pdf)
    except Exception:
        log.exception("%s: the combined print file is made without proofs and page numbers", p.case_id)
        return pdfa.merge([b for _, b in pdfs], title=p.title, bookmarks=[t for t, _ in pdfs])


def _index(path: Path, rows: Sequence[tuple[str, ...]]) -> None:
    """Which file is which: the archivist's table of contents (tab-separated, opens in Excel)."""
    lines = ["Berkas\tJenis\tVersi\tKeterangan\tWaktu\tSHA-256"]
    lines += ["\t".join(" ".join(c.split()) for c in row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def combine(pdfs: Sequence[bytes]) -> bytes:
    """One print-ready PDF of the given ones, in order; PDF/A-2b when they all are (`pdfa.merge`)."""
    return pdfa.merge(pdfs)


def _history(path: Path, rows: Sequence[Sequence[object]]) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Riwayat"
    for col, name in enumerate(HISTORY_HEADER, start=1):
        cell = ws.cell(row=1, column=col)
        put_text(cell, name)
        cell.font = Font(bold=True)
    for r, row in enumerate(rows, start=2):
        for col, value in enumerate(row, start=1):
            cell = ws.cell(row=r, column=col)
            if isinstance(value, datetime):
                cell.value = value
                cell.number_format = "dd/mm/yyyy hh:mm"
            else:
                put_text(cell, value)
    for letter, width in zip("ABCDEFGHIJ", (17, 28, 28, 14, 16, 14, 40, 60, 40, 30),
                             strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    path.write_bytes(workbook.to_bytes(wb))


def _encode(path: str) -> str:
    return path.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _write_bag(bag: Path, info: Mapping[str, str]) -> None:
    """bagit.txt, the payload manifest, bag-info.txt and the tag manifest (RFC 8493, SHA-256)."""
    lines, octets, count = [], 0, 0
    for f in sorted((bag / "data").rglob("*")):
        if f.is_file():
            lines.append(f"{sha256_file(f)}  {_encode(f.relative_to(bag).as_posix())}\n")
            octets += f.stat().st_size
            count += 1
    (bag / "bagit.txt").write_text("BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n",
                                   encoding="utf-8")
    (bag / "manifest-sha256.txt").write_text("".join(lines), encoding="utf-8")
    meta = {"Bag-Software-Agent": "sop-docs", "Bagging-Date": datetime.now().date().isoformat(),
            "Payload-Oxum": f"{octets}.{count}", **info}
    (bag / "bag-info.txt").write_text(
        "".join(f"{k}: {' '.join(str(v).split())}\n" for k, v in meta.items()), encoding="utf-8")
    tags = [f"{sha256_file(bag / n)}  {n}\n" for n in ("bag-info.txt", "bagit.txt", "manifest-sha256.txt")]
    (bag / "tagmanifest-sha256.txt").write_text("".join(tags), encoding="utf-8")


# --------------------------------------------------------------------------- verification

@dataclass(frozen=True)
class Expected:
    """What the database says a closed case's bundle holds."""

    case_id: str
    shas: frozenset[str]
    received: frozenset[str] = frozenset()    # originals, as hashed when they were received


@dataclass
class VerifyReport:
    bundles: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def find_bundles(archive: Path) -> list[Path]:
    """Every bundle folder: archive/<year>/<name>/, hidden (partial) folders left out."""
    if not archive.is_dir():
        return []
    return sorted(b for y in archive.iterdir() if y.is_dir() and not y.name.startswith(".")
                  for b in y.iterdir() if b.is_dir() and not b.name.startswith("."))


def _manifest(bag: Path) -> dict[str, str]:
    out = {}
    for line in (bag / "manifest-sha256.txt").read_text("utf-8").splitlines():
        if line.strip():
            sha, _, rel = line.partition(" ")
            rel = rel.strip().replace("%0A", "\n").replace("%0D", "\r").replace("%25", "%")
            out[rel] = sha.lower()
    return out


def check_bundle(bag: Path, label: str) -> list[str]:
    """What is wrong with one bag: files changed, missing or added, or a damaged bag."""
    if not (bag / "bagit.txt").is_file() or not (bag / "manifest-sha256.txt").is_file():
        return [f"{label}: bukan bundel BagIt (bagit.txt atau manifest-sha256.txt tidak ada)"]
    problems: list[str] = []
    manifest = _manifest(bag)
    on_disk = {f.relative_to(bag).as_posix() for f in (bag / "data").rglob("*") if f.is_file()}
    for rel in sorted(manifest.keys() - on_disk):
        problems.append(f"{label}: berkas hilang (missing): {rel}")
    for rel in sorted(on_disk - manifest.keys()):
        problems.append(f"{label}: berkas tambahan (not in manifest): {rel}")
    for rel in sorted(manifest.keys() & on_disk):
        if sha256_file(bag / rel) != manifest[rel]:
            problems.append(f"{label}: berkas berubah (checksum differs): {rel}")
    try:
        bagit.Bag(str(bag)).validate(processes=1)
    except bagit.BagError as e:
        if not problems:               # the payload is fine: a tag file was changed
            details = getattr(e, "details", None) or []
            problems += [f"{label}: {d}" for d in details] or [f"{label}: {e}"]
    return problems


def bag_info(bag: Path) -> dict[str, str]:
    try:
        return dict(bagit.Bag(str(bag)).info)
    except bagit.BagError:
        return {}


def verify(root: Path, expected: Mapping[str, Expected]) -> VerifyReport:
    """Check every bundle under root/archive and the database's closed cases against each other.

    `expected` maps each closed case's bundle folder (relative to root) to what it must hold.
    """
    report = VerifyReport()
    found = {b.relative_to(root).as_posix(): b for b in find_bundles(root / "archive")}
    for rel, exp in sorted(expected.items()):
        if rel not in found:
            report.problems.append(f"{rel}: bundel kasus {exp.case_id} yang sudah selesai tidak ada")
    for rel, bag in found.items():
        report.bundles += 1
        report.problems += check_bundle(bag, rel)
        exp = expected.get(rel)
        if exp is None:
            report.problems.append(f"{rel}: bundel tanpa kasus selesai di basis data")
            continue
        if not (bag / "manifest-sha256.txt").is_file():
            continue
        manifest = _manifest(bag)
        held = set(manifest.values())
        for sha in sorted(exp.shas - held):
            report.problems.append(f"{rel}: versi dokumen {sha[:12]} dari basis data tidak ada di bundel")
        for sha in sorted(exp.received - held):
            report.problems.append(f"{rel}: berkas asli {sha[:12]} sebagaimana diterima tidak ada "
                                   "di bundel")
        for f, sha in sorted(manifest.items()):
            top = f.split("/")[1] if f.count("/") >= 2 else ""
            if top in ("softcopy", "bukti", "asli") and sha not in exp.shas | exp.received:
                report.problems.append(f"{rel}: {f} tidak tercatat di basis data")
    return report
