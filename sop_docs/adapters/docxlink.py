"""Linking a docx to its case: the case id stamped inside the file, where renaming cannot lose it.

Every docx the system delivers carries the case id as the custom document property
`SOP-Docs No. Agenda` (docProps/custom.xml). Word and LibreOffice keep custom properties when a user
saves, and renaming the file does not touch them, so a draft saved back is linked to its case.
`set_link`/`read_link` work on the zip directly and never re-save the document with python-docx;
the parts they read are small, size-capped and parsed without DTDs or entities. `link_package`
does the same for a document still being rendered. `sop_docs.adapters.docx` imports all three,
where callers find them.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from io import BytesIO
from pathlib import PurePosixPath
from typing import Any

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from lxml import etree

LINK_PROPERTY = "SOP-Docs No. Agenda"

# Characters XML 1.0 forbids; Word's soft breaks (\x0b) pasted elsewhere are the usual source.
ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

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
    """Parse a package part from a staff member's file: no DTD, no entities, no network."""
    if b"<!DOCTYPE" in data[:4096].upper() or b"<!ENTITY" in data.upper():
        raise ValueError("DTDs are not allowed in OOXML parts")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=False)
    return etree.fromstring(data, parser)


def _read_part(zf: zipfile.ZipFile, name: str) -> bytes | None:
    """Part `name`, or None when absent; ValueError when it is too big to be honest."""
    try:
        info = zf.getinfo(name)
    except KeyError:
        return None
    if info.file_size > _MAX_PART:
        raise ValueError(f"{name} is implausibly large ({info.file_size} bytes)")
    return zf.read(info)


def _custom_part_name(rels: etree._Element | None) -> str | None:
    """Where the package rels say the custom properties are (None: nowhere yet)."""
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
    """The custom properties part with our property set to `case_id` (other properties kept)."""
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
    for any content it cannot read (not an OOXML package, damaged entries, parts that are not XML),
    so a caller tells the file's fault from its own with one except clause.
    """
    case_id = ILLEGAL_XML.sub("", str(case_id))
    try:
        zin = zipfile.ZipFile(BytesIO(docx))
    except zipfile.BadZipFile as exc:
        raise ValueError(f"not a .docx (zip) package: {exc}") from exc
    try:
        return _stamped(zin, case_id)
    except (etree.LxmlError, zipfile.BadZipFile, zlib.error, EOFError, KeyError,
            NotImplementedError) as exc:
        raise ValueError(f"{type(exc).__name__}: {exc}") from exc
    finally:
        zin.close()


def _stamped(zin: zipfile.ZipFile, case_id: str) -> bytes:
    """The package of `zin` with the link property added or replaced."""
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


def link_package(package: Any, case_id: str) -> None:
    """Put the case link into a python-docx package before it is saved (one zip write, not two).

    For documents rendered from a template; `case_id` must already be clean text.
    """
    for rel in package.rels.values():
        if rel.reltype == RT.CUSTOM_PROPERTIES and not rel.is_external:
            rel.target_part._blob = _with_link(rel.target_part.blob, case_id)
            return
    part = Part(PackURI("/" + _DEFAULT_CUSTOM), _CT_CUSTOM, _with_link(None, case_id), package)
    package.relate_to(part, RT.CUSTOM_PROPERTIES)
