"""Writing Word files: fill the templates (docxtpl) and stamp the case id inside every docx.

This is the one module that writes .docx with docxtpl/python-docx, so the libraries' traps are handled
in one place (PITFALLS.md §3): a fresh `DocxTemplate` per render; a sandboxed Jinja environment with
autoescape (a value `R&D <x>` would otherwise silently truncate the document) and `StrictUndefined`
(a missing field fails loudly); XML-illegal control characters stripped from every value; staff
drafts are only ever embedded as a sub-document, never rendered as a template. Library errors come
out as `TemplateProblem`.

Linking: every docx the system delivers carries the case id as the custom document property
`SOP-Docs No. Agenda` (docProps/custom.xml). Word and LibreOffice keep custom properties when a user
saves, and renaming the file does not touch them, so a draft saved back is linked to its case.
`set_link`/`read_link` work on the zip directly and never re-save the document with python-docx.

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
import re
import zipfile
from collections.abc import Mapping
from io import BytesIO
from pathlib import Path, PurePosixPath
from typing import Any

from docx import Document
from docx.image.image import Image
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.exceptions import PackageNotFoundError
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml.ns import qn
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree

from sop_docs.adapters import externals
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

LINK_PROPERTY = "SOP-Docs No. Agenda"

# The concept skeleton's separator and prompts (written by tools/build_templates.py).
BODY_BOOKMARK = "sop_isi_pengumuman"
BODY_MARKER = "ISI PENGUMUMAN"
PROMPTS = frozenset(
    {
        "[Tulis pembuka: alasan dan dasar pengumuman ini. Hapus petunjuk ini.]",
        "[Tulis uraian bagian ini di sini. Hapus petunjuk ini.]",
    }
)

LOGO_HEIGHT = Mm(20)

# Characters XML 1.0 forbids; Word's soft breaks (\x0b) pasted elsewhere are the usual source.
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

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
        return _ILLEGAL_XML.sub("", value)
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


def _context(tpl: DocxTemplate, context: Mapping[str, Any], images) -> dict[str, Any]:
    ctx = clean_value(dict(context))
    for key, path in (images or {}).items():
        ctx[key] = _image(tpl, path)
    return ctx


def _link_package(package: Any, case_id: str) -> None:
    """Put the case link into a package before it is saved (one zip write instead of two)."""
    for rel in package.rels.values():
        if rel.reltype == RT.CUSTOM_PROPERTIES and not rel.is_external:
            rel.target_part._blob = _with_link(rel.target_part.blob, case_id)
            return
    part = Part(PackURI("/" + _DEFAULT_CUSTOM), _CT_CUSTOM, _with_link(None, case_id), package)
    package.relate_to(part, RT.CUSTOM_PROPERTIES)


def _finish(tpl: DocxTemplate, template: Path, ctx: dict[str, Any], link: str | None) -> bytes:
    try:
        tpl.render(ctx, jinja_env=_environment(), autoescape=True)
        if link is not None:
            _link_package(tpl.docx.part.package, clean_value(str(link)))
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
) -> bytes:
    """Fill `template` with `context` and return the .docx bytes (linked to case `link`, if given).

    `images` maps context keys to picture files, each inserted 20 mm high (a missing file prints
    nothing). Raises TemplateProblem when the template is missing, broken, uses a field the
    context lacks, or tries something the sandbox forbids.
    """
    tpl = _load(template)
    try:
        ctx = _context(tpl, context, images)
    except _LIBRARY_ERRORS as exc:
        raise _problem(template, exc) from exc
    return _finish(tpl, template, ctx, link)


def render_pengumuman(
    template: Path,
    context: Mapping[str, Any],
    concept: bytes,
    *,
    images: Mapping[str, Path] | None = None,
    link: str | None = None,
) -> bytes:
    """Fill the Pengumuman template with `isi` = the approved concept's body, as a sub-document.

    The concept keeps its tables, lists and pictures (docxcompose re-maps styles, numbering and
    media). Raises ValueError when `concept` is not a readable docx, TemplateProblem for template
    trouble.
    """
    body = concept_body(concept)
    tpl = _load(template)
    try:
        ctx = _context(tpl, context, images)
        ctx["isi"] = tpl.new_subdoc(BytesIO(body))
    except _LIBRARY_ERRORS as exc:
        raise _problem(template, exc) from exc
    letter = _finish(tpl, template, ctx, link)
    try:
        return externals.strip_docx(letter)        # whatever docxcompose left dangling goes too
    except ValueError as exc:
        raise _problem(template, exc) from exc


def _paragraph_text(p) -> str:
    return "".join(p.xpath(".//w:t/text()"))


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
        el for el in blocks[len(drop) :] if el.tag == qn("w:p") and _paragraph_text(el).strip() in PROMPTS
    ]
    for el in drop:
        body.remove(el)
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


# --------------------------------------------------------------------------- linking

_PKG_RELS = "_rels/.rels"
_CONTENT_TYPES = "[Content_Types].xml"
_DEFAULT_CUSTOM = "docProps/custom.xml"
_NS_CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_NS_VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
_NS_PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_NS_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
_REL_CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
_CT_CUSTOM = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"
_MAX_PART = 2 * 1024 * 1024  # the small XML parts we read; anything bigger is not honest input


def _parse(data: bytes) -> etree._Element:
    if b"<!DOCTYPE" in data[:4096].upper() or b"<!ENTITY" in data.upper():
        raise ValueError("DTDs are not allowed in OOXML parts")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=False)
    return etree.fromstring(data, parser)


def _read_part(zf: zipfile.ZipFile, name: str) -> bytes | None:
    try:
        info = zf.getinfo(name)
    except KeyError:
        return None
    if info.file_size > _MAX_PART:
        raise ValueError(f"{name} is implausibly large ({info.file_size} bytes)")
    return zf.read(info)


def _custom_part_name(rels: etree._Element | None) -> str | None:
    if rels is None:
        return None
    for rel in rels.iter(f"{{{_NS_PKG_RELS}}}Relationship"):
        if rel.get("Type") == _REL_CUSTOM and rel.get("TargetMode") != "External":
            target = rel.get("Target", "")
            return str(PurePosixPath(target.lstrip("/")))
    return None


def _serialize(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _with_link(custom: bytes | None, case_id: str) -> bytes:
    if custom is None:
        root = etree.Element(f"{{{_NS_CUSTOM}}}Properties", nsmap={None: _NS_CUSTOM, "vt": _NS_VT})
    else:
        root = _parse(custom)
    props = root.findall(f"{{{_NS_CUSTOM}}}property")
    ours = [p for p in props if p.get("name") == LINK_PROPERTY]
    if ours:
        prop = ours[0]
        for extra in ours[1:]:
            root.remove(extra)
        for child in list(prop):
            prop.remove(child)
    else:
        pids = [int(p.get("pid")) for p in props if (p.get("pid") or "").isdigit()]
        prop = etree.SubElement(root, f"{{{_NS_CUSTOM}}}property")
        prop.set("fmtid", _FMTID)
        prop.set("pid", str(max([1, *pids]) + 1))
        prop.set("name", LINK_PROPERTY)
    etree.SubElement(prop, f"{{{_NS_VT}}}lpwstr").text = case_id
    return _serialize(root)


def _with_relationship(rels_xml: bytes | None, target: str) -> bytes | None:
    """The package rels with a custom-properties relationship, or None if it already has one."""
    if rels_xml is None:
        root = etree.Element(f"{{{_NS_PKG_RELS}}}Relationships", nsmap={None: _NS_PKG_RELS})
    else:
        root = _parse(rels_xml)
        if _custom_part_name(root) is not None:
            return None
    ids = {rel.get("Id") for rel in root}
    n = 1
    while f"rId{n}" in ids:
        n += 1
    rel = etree.SubElement(root, f"{{{_NS_PKG_RELS}}}Relationship")
    rel.set("Id", f"rId{n}")
    rel.set("Type", _REL_CUSTOM)
    rel.set("Target", target)
    return _serialize(root)


def _with_override(types_xml: bytes, part: str) -> bytes | None:
    """The content types with an Override for `part`, or None if it already has one."""
    root = _parse(types_xml)
    name = "/" + part
    for override in root.iter(f"{{{_NS_CT}}}Override"):
        if (override.get("PartName") or "").lower() == name.lower():
            if override.get("ContentType") == _CT_CUSTOM:
                return None
            override.set("ContentType", _CT_CUSTOM)
            return _serialize(root)
    override = etree.SubElement(root, f"{{{_NS_CT}}}Override")
    override.set("PartName", name)
    override.set("ContentType", _CT_CUSTOM)
    return _serialize(root)


def set_link(docx: bytes, case_id: str) -> bytes:
    """Return `docx` carrying `case_id` as its `SOP-Docs No. Agenda` custom property.

    Adds or replaces the property; every other zip entry is copied unchanged. Raises ValueError
    when `docx` is not an OOXML package.
    """
    case_id = clean_value(str(case_id))
    try:
        zin = zipfile.ZipFile(BytesIO(docx))
    except zipfile.BadZipFile as exc:
        raise ValueError(f"not a .docx (zip) package: {exc}") from exc
    with zin:
        types_xml = _read_part(zin, _CONTENT_TYPES)
        if types_xml is None:
            raise ValueError("not an OOXML package: [Content_Types].xml is missing")
        rels_xml = _read_part(zin, _PKG_RELS)
        rels = _parse(rels_xml) if rels_xml is not None else None
        part = _custom_part_name(rels) or _DEFAULT_CUSTOM
        replaced: dict[str, bytes] = {part: _with_link(_read_part(zin, part), case_id)}
        new_rels = _with_relationship(rels_xml, part)
        if new_rels is not None:
            replaced[_PKG_RELS] = new_rels
        new_types = _with_override(types_xml, part)
        if new_types is not None:
            replaced[_CONTENT_TYPES] = new_types

        out = BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                if info.filename in replaced:
                    zout.writestr(info, replaced.pop(info.filename), zipfile.ZIP_DEFLATED)
                else:   # copied as it was; the fastest deflate level keeps a burst cheap
                    zout.writestr(info, zin.read(info), compresslevel=1)
            for name, data in replaced.items():
                zout.writestr(name, data)
    return out.getvalue()


def read_link(docx: bytes) -> str | None:
    """The case id stamped in `docx` by `set_link`, or None (no property, or not a readable docx)."""
    try:
        with zipfile.ZipFile(BytesIO(docx)) as zf:
            rels_xml = _read_part(zf, _PKG_RELS)
            part = _custom_part_name(_parse(rels_xml) if rels_xml else None) or _DEFAULT_CUSTOM
            custom = _read_part(zf, part)
            if custom is None:
                return None
            root = _parse(custom)
        for prop in root.iter(f"{{{_NS_CUSTOM}}}property"):
            if prop.get("name") == LINK_PROPERTY:
                value = "".join(prop.itertext()).strip()
                return value or None
    except Exception:  # bad input of any kind means "not linked"; the caller decides what next
        return None
    return None
