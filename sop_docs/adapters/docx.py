"""Writing Word files: fill the templates (docxtpl) and stamp the case id inside every docx.

This is the one module that writes .docx with docxtpl/python-docx, so the libraries' traps are handled
in one place (PITFALLS.md §3): a fresh `DocxTemplate` per render; a sandboxed Jinja environment with
autoescape (a value `R&D <x>` would otherwise silently truncate the document) and `StrictUndefined`
(a missing field fails loudly); XML-illegal control characters stripped from every value; staff
drafts are only ever embedded as a sub-document, never rendered as a template. Library errors come
out as `TemplateProblem`.

Linking: every docx the system delivers carries the case id as the custom document property
`SOP-Docs No. Agenda`, so a draft saved back is linked to its case; `set_link`/`read_link` live in
`adapters.docxlink` and are imported here, where callers have always found them.

The Pengumuman body: `render_pengumuman` embeds the approved concept as the letter's body. If the
concept still holds the skeleton's heading block (title, the No. Agenda/Perihal/Jenis/Batas Waktu
table and the instructions), everything up to and including the `ISI PENGUMUMAN` separator (found by
its bookmark, or else by its text) is dropped, and so are prompt paragraphs the writer left exactly
as given. A concept without the separator (written from scratch) is embedded whole. What the
concept links to outside (pictures on the web, files on the server, sub-documents, linking fields)
is taken out before it is embedded, and the finished letter is checked again, so it neither fetches
anything when opened nor carries a relationship id that points nowhere (`externals`).
"""

from __future__ import annotations

import functools
import logging
import zipfile
from collections.abc import Mapping
from io import BytesIO
from pathlib import Path
from typing import Any

from docx import Document
from docx.image.image import Image
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree

from sop_docs.adapters import externals
from sop_docs.adapters.docxkeep import keep_end_with_next
from sop_docs.adapters.docxlink import ILLEGAL_XML, LINK_PROPERTY, link_package, read_link, set_link
from sop_docs.adapters.docxmark import mark_document
from sop_docs.errors import TemplateProblem

__all__ = [
    "BODY_BOOKMARK",
    "BODY_MARKER",
    "LINK_PROPERTY",
    "PROMPTS",
    "read_link",
    "render",
    "render_pengumuman",
    "set_link",
    "template_fields",
]

log = logging.getLogger(__name__)

# The concept skeleton's separator and prompts (written by tools/templatebuild/forms.py).
BODY_BOOKMARK = "sop_isi_pengumuman"
BODY_MARKER = "ISI PENGUMUMAN"
PROMPTS = frozenset(
    {
        "[Tulis pembuka: alasan dan dasar pengumuman ini. Hapus petunjuk ini.]",
        "[Tulis uraian bagian ini di sini. Hapus petunjuk ini.]",
    }
)

LOGO_HEIGHT = Mm(20)
WATERMARK = "BUKAN NASKAH RESMI"   # behind the text of a marked document

_LIBRARY_ERRORS = (
    PackageNotFoundError,
    zipfile.BadZipFile,
    KeyError,
    ValueError,
    AttributeError,
    IndexError,
    TypeError,
    OSError,
    etree.LxmlError,
)


# --------------------------------------------------------------------------- rendering


def _environment() -> SandboxedEnvironment:
    return SandboxedEnvironment(autoescape=True, undefined=StrictUndefined)


def clean_value(value: Any) -> Any:
    """Strip XML-illegal characters from every string in `value`, recursively."""
    if isinstance(value, str):
        return ILLEGAL_XML.sub("", value)
    if isinstance(value, Mapping):
        return {k: clean_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_value(v) for v in value]
    if isinstance(value, tuple):
        return tuple(clean_value(v) for v in value)
    return value


def _load(template: Path) -> DocxTemplate:
    template = Path(template)
    if not template.is_file():
        raise TemplateProblem(f"template {template.name!r} not found at {template}")
    return DocxTemplate(str(template))


@functools.lru_cache(maxsize=32)
def _readable_image(path: str, size: int, mtime_ns: int) -> str | None:
    """Why a picture cannot be used, or None; remembered per version of the file (the logo is
    checked once, not for every document)."""
    try:
        Image.from_file(path)
    except Exception as exc:  # python-docx raises several kinds for a non-image
        return str(exc) or type(exc).__name__
    return None


def _image(tpl: DocxTemplate, path: Path | None) -> InlineImage | str:
    """An InlineImage for a readable picture; "" (nothing printed) for a missing or odd file."""
    try:
        st = Path(path).stat() if path is not None else None
    except OSError:
        st = None
    if path is None or st is None or not Path(path).is_file():
        log.warning("image %s not found; rendering without it", path)
        return ""
    problem = _readable_image(str(path), st.st_size, st.st_mtime_ns)
    if problem is not None:
        log.warning("image %s unreadable (%s); rendering without it", path, problem)
        return ""
    return InlineImage(tpl, str(path), height=LOGO_HEIGHT)


def _problem(template: Path, exc: BaseException) -> TemplateProblem:
    message = f"{Path(template).name}: {type(exc).__name__}: {exc}"
    around = getattr(exc, "docx_context", None)
    if around:
        text = " | ".join(line.strip() for line in around if line.strip())
        if text:
            message += f" (near: {text[:300]})"
    return TemplateProblem(message)


def _context(tpl: DocxTemplate, context: Mapping[str, Any], images,
             pictures: Mapping[str, tuple[bytes, float]] | None = None) -> dict[str, Any]:
    ctx = clean_value(dict(context))
    for key, path in (images or {}).items():
        ctx[key] = _image(tpl, path)
    for key, (data, width_mm) in (pictures or {}).items():
        ctx[key] = InlineImage(tpl, BytesIO(data), width=Mm(width_mm))
    return ctx


def _finish(tpl: DocxTemplate, template: Path, ctx: dict[str, Any], link: str | None,
            mark: str | None = None) -> bytes:
    try:
        tpl.render(ctx, jinja_env=_environment(), autoescape=True)
        if mark:
            mark_document(tpl.docx, mark, WATERMARK)
        if link is not None:
            link_package(tpl.docx.part.package, clean_value(str(link)))
        out = BytesIO()
        tpl.save(out)
    except TemplateError as exc:
        raise _problem(template, exc) from exc
    except _LIBRARY_ERRORS as exc:
        raise _problem(template, exc) from exc
    return out.getvalue()


def render(
    template: Path,
    context: Mapping[str, Any],
    *,
    images: Mapping[str, Path] | None = None,
    link: str | None = None,
    mark: str | None = None,
    pictures: Mapping[str, tuple[bytes, float]] | None = None,
) -> bytes:
    """Fill `template` with `context` and return the .docx bytes (linked to case `link`, if given).

    `images` maps context keys to picture files, each inserted 20 mm high (a missing file prints
    nothing); `pictures` maps context keys to pictures made in memory (PNG bytes, width in mm:
    a report's charts). `mark`, when given, is printed atop every page with a watermark behind:
    the document is not official (`docxmark`). Raises TemplateProblem when the template is
    missing, broken, uses a field the context lacks, or tries something the sandbox forbids.
    """
    tpl = _load(template)
    try:
        ctx = _context(tpl, context, images, pictures)
    except _LIBRARY_ERRORS as exc:
        raise _problem(template, exc) from exc
    return _finish(tpl, template, ctx, link, mark)


def render_pengumuman(
    template: Path,
    context: Mapping[str, Any],
    concept: bytes,
    *,
    images: Mapping[str, Path] | None = None,
    link: str | None = None,
    mark: str | None = None,
) -> bytes:
    """Fill the Pengumuman template with `isi` = the approved concept's body, as a sub-document.

    The concept keeps its tables, lists and pictures (docxcompose re-maps styles, numbering and
    media); `mark` as for `render`. Raises ValueError when `concept` is not a readable docx,
    TemplateProblem for template trouble.
    """
    body = concept_body(concept)
    tpl = _load(template)
    try:
        ctx = _context(tpl, context, images)
        ctx["isi"] = tpl.new_subdoc(BytesIO(body))
    except _LIBRARY_ERRORS as exc:
        raise _problem(template, exc) from exc
    letter = _finish(tpl, template, ctx, link, mark)
    try:
        return externals.strip_docx(letter)        # whatever docxcompose left dangling goes too
    except ValueError as exc:
        raise _problem(template, exc) from exc


def _paragraph_text(p) -> str:
    return "".join(p.xpath(".//w:t/text()"))


def _is_prompt(text: str) -> bool:
    """A skeleton's instruction the writer left as given: one of ours, or any '[...]' alone."""
    t = text.strip()
    return t in PROMPTS or (len(t) >= 2 and t[0] == "[" and t[-1] == "]" and "]" not in t[1:-1])


def _cell_text(tc) -> str:
    return " ".join(_paragraph_text(p) for p in tc.xpath("./w:p | ./w:sdt//w:p"))


def label_rows(concept: bytes) -> dict[str, str]:
    """The label | value rows of the tables above a concept's ISI PENGUMUMAN separator (the
    Rincian table the writer and reviewers fill): first cell -> last cell, as text. A concept
    without the separator has none. Raises ValueError when it is not a readable docx."""
    try:
        body = Document(BytesIO(concept)).element.body
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, etree.LxmlError) as e:
        raise ValueError(f"the concept is not a readable .docx: {e}") from e
    rows: dict[str, str] = {}
    for el in body.iterchildren():
        if el.tag == qn("w:p") and (el.xpath(f'.//w:bookmarkStart[@w:name="{BODY_BOOKMARK}"]')
                                    or _paragraph_text(el).strip() == BODY_MARKER):
            return rows
        if el.tag == qn("w:tbl"):
            for tr in el.xpath("./w:tr"):
                cells = tr.xpath("./w:tc")
                if len(cells) >= 2:
                    rows.setdefault(_cell_text(cells[0]).strip(), _cell_text(cells[-1]).strip())
    return {}


def concept_body(concept: bytes) -> bytes:
    """The part of a concept that becomes the letter's body, as docx bytes (see module docstring);
    nothing in it points outside any more (`externals`)."""
    try:
        doc = Document(BytesIO(externals.strip_docx(concept)))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, etree.LxmlError) as e:
        raise ValueError(f"the concept is not a readable .docx: {e}") from e
    body = doc.element.body
    blocks = [el for el in body.iterchildren() if el.tag != qn("w:sectPr")]
    separator = None
    for i, el in enumerate(blocks):
        if el.tag != qn("w:p"):
            continue
        marked = el.xpath(f'.//w:bookmarkStart[@w:name="{BODY_BOOKMARK}"]')
        if marked or _paragraph_text(el).strip() == BODY_MARKER:
            separator = i
            break
    drop = blocks[: separator + 1] if separator is not None else []
    drop += [
        el for el in blocks[len(drop) :] if el.tag == qn("w:p") and _is_prompt(_paragraph_text(el))
    ]
    for el in drop:
        body.remove(el)
    keep_end_with_next(body)                   # the body's end goes with the signature
    out = BytesIO()
    doc.save(out)
    return out.getvalue()


def template_fields(template: Path) -> set[str]:
    """The variables `template` uses that it does not define itself (for start-up validation)."""
    tpl = _load(template)
    try:
        return set(tpl.get_undeclared_template_variables(_environment()))
    except TemplateError as exc:
        raise _problem(template, exc) from exc
    except _LIBRARY_ERRORS as exc:
        raise _problem(template, exc) from exc
