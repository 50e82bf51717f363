"""Take out of a document what would make Word or LibreOffice fetch or pull in something from outside.

Why: a concept or a received draft can point at a web address (a tracking picture) or at a file on
the server (`INCLUDEPICTURE "/etc/..."`). LibreOffice's profile (`lo_settings`) stops most of this,
but not all of it (RTF's INCLUDEPICTURE is read from disk by the RTF importer whatever the
settings), and the letter we hand out is opened later in Word, which would follow the same links.
So before LibreOffice converts a file and before a concept becomes the letter's body, what we can
parse is cleaned here:

* docx: every relationship with `TargetMode="External"` (or a target that is a URL) is removed,
  except plain hyperlinks, together with what uses it: a picture's `r:link` is dropped (an embedded
  copy stays), a drawing, VML picture or OLE object whose data is outside goes, and so do a
  sub-document, an attached template, a mail-merge data source, a frame. References to ids that
  no relationship has (docxcompose leaves such) are treated the same way; a hyperlink whose
  relationship is missing keeps its text. Fields that link to outside content (INCLUDEPICTURE,
  INCLUDETEXT, INCLUDE, IMPORT, LINK, DDE, DDEAUTO) keep the text they show but lose the instruction.
* rtf: the same fields are renamed, so neither LibreOffice nor Word recognises them.

Documents with nothing to take out come back as the same bytes. Anything unparseable raises
ValueError; the caller decides (LibreOffice's profile is the second line).
"""

from __future__ import annotations

import re
import zipfile
from io import BytesIO
from pathlib import Path, PurePosixPath

from lxml import etree

__all__ = ["LINKING_FIELDS", "strip_docx", "strip_file", "strip_rtf"]

LINKING_FIELDS = frozenset({"INCLUDEPICTURE", "INCLUDETEXT", "INCLUDE", "IMPORT", "LINK", "DDE", "DDEAUTO"})

_R = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships",
      "http://purl.oclc.org/ooxml/officeDocument/relationships")
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_ASVG = "http://schemas.microsoft.com/office/drawing/2016/SVG/main"
_HYPERLINK_TYPE = "/hyperlink"
_BLIPS = {f"{{{_A}}}blip", f"{{{_ASVG}}}svgBlip"}
_HYPERLINK = f"{{{_W}}}hyperlink"
# What goes as a whole when something inside it points outside (or nowhere).
_CONTAINERS = {f"{{{_W}}}{t}" for t in ("drawing", "pict", "object", "mailMerge", "frame")}
# What goes alone: a picture's click or hover link.
_SELF_ONLY = {f"{{{_A}}}{t}" for t in ("hlinkClick", "hlinkHover", "hlinkMouseOver")}
_SCHEME = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.-]*:|\\\\|//)")
_MAX_PART = 64 * 2**20


def _parse(data: bytes) -> etree._Element:
    if b"<!DOCTYPE" in data[:4096].upper() or b"<!ENTITY" in data.upper():
        raise ValueError("DTDs are not allowed in OOXML parts")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=False)
    return etree.fromstring(data, parser)


def _serialize(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _source_of(rels_name: str) -> str | None:
    """`word/_rels/document.xml.rels` -> `word/document.xml`; the package rels -> None."""
    path = PurePosixPath(rels_name)
    if path.parent.name != "_rels" or not path.name.endswith(".rels"):
        return None
    name = path.name[: -len(".rels")]
    if not name:
        return None
    folder = path.parent.parent
    return name if str(folder) == "." else f"{folder}/{name}"


def _is_external(rel: etree._Element) -> bool:
    mode = (rel.get("TargetMode") or "").lower()
    return mode == "external" or bool(_SCHEME.match(rel.get("Target") or ""))


def _clean_rels(data: bytes) -> tuple[bytes | None, set[str]]:
    """(new rels XML or None if unchanged, the ids that remain)."""
    root = _parse(data)
    changed = False
    for rel in list(root.iter(f"{{{_PKG}}}Relationship")):
        if _is_external(rel) and not (rel.get("Type") or "").endswith(_HYPERLINK_TYPE):
            root.remove(rel)
            changed = True
    ids = {rel.get("Id") or "" for rel in root.iter(f"{{{_PKG}}}Relationship")}
    return (_serialize(root) if changed else None), ids


def _attached(el: etree._Element, root: etree._Element) -> bool:
    while el is not None:
        if el is root:
            return True
        el = el.getparent()
    return False


def _unwrap(el: etree._Element) -> None:
    parent = el.getparent()
    if parent is None:
        return
    index = parent.index(el)
    for offset, child in enumerate(list(el)):
        parent.insert(index + offset, child)
    parent.remove(el)


def _drop_reference(el: etree._Element, attr: str, root: etree._Element) -> None:
    if el.tag in _BLIPS and etree.QName(attr).localname == "link":
        del el.attrib[attr]
        if any(etree.QName(a).localname == "embed" for a in el.attrib):
            return                     # the embedded copy stays; only the link goes
    if el.tag == _HYPERLINK:
        _unwrap(el)
        return
    target = el
    if el.tag not in _SELF_ONLY and el.tag not in _CONTAINERS:
        target = next((a for a in el.iterancestors() if a.tag in _CONTAINERS), el)
    if target is not root and target.getparent() is not None:
        target.getparent().remove(target)


_R_ATTRIBUTES = etree.XPath("//@*[namespace-uri() = $a or namespace-uri() = $b]")
_R_URIS = b"|".join(re.escape(n.encode()) for n in _R)
_R_PREFIX = re.compile(rb'xmlns:([A-Za-z_][\w.-]*)\s*=\s*["\'](?:' + _R_URIS + rb')["\']')


def _uses_relationships(raw: bytes) -> bool:
    """Whether any attribute of the part is in the relationships namespace (cheap, on the bytes)."""
    return any(re.search(rb"\s" + re.escape(prefix) + rb':\w+\s*=', raw)
               for prefix in set(_R_PREFIX.findall(raw)))


def _fix_references(root: etree._Element, valid: set[str]) -> bool:
    """Remove what uses a relationship id not in `valid`; True if anything changed."""
    found = []
    for value in _R_ATTRIBUTES(root, a=_R[0], b=_R[1]):
        if value not in valid:
            el = value.getparent()
            found += [(el, attr) for attr, v in el.attrib.items() if v == value and attr.startswith("{")
                      and etree.QName(attr).namespace in _R]
    for el, attr in found:
        if _attached(el, root) and attr in el.attrib:
            _drop_reference(el, attr, root)
    return bool(found)


def _linking(instruction: str) -> bool:
    words = instruction.split()
    return bool(words) and words[0].upper() in LINKING_FIELDS


def _fix_fields(root: etree._Element) -> bool:
    """Unwrap simple linking fields; blank the instruction of complex ones. True if changed."""
    changed = False
    for simple in list(root.iter(f"{{{_W}}}fldSimple")):
        if _attached(simple, root) and _linking(simple.get(f"{{{_W}}}instr") or ""):
            _unwrap(simple)
            changed = True
    stack: list[tuple[list[etree._Element], bool]] = []
    char, instr = f"{{{_W}}}fldChar", f"{{{_W}}}instrText"
    for el in root.iter(char, instr):
        if el.tag == instr:
            if stack and not stack[-1][1]:
                stack[-1][0].append(el)
            continue
        kind = el.get(f"{{{_W}}}fldCharType")
        if kind == "begin":
            stack.append(([], False))
        elif kind in ("separate", "end") and stack:
            texts, judged = stack[-1]
            if not judged:
                if _linking("".join(t.text or "" for t in texts)):
                    for t in texts:
                        t.text = ""
                    changed = True
                stack[-1] = (texts, True)
            if kind == "end":
                stack.pop()
    return changed


def strip_docx(data: bytes) -> bytes:
    """`data` without external relationships (hyperlinks kept), dangling ids or linking fields."""
    try:
        zin = zipfile.ZipFile(BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ValueError(f"not a docx (zip) package: {exc}") from exc
    with zin:
        infos = zin.infolist()
        names = {i.filename for i in infos}
        for info in infos:
            if info.file_size > _MAX_PART and info.filename.endswith((".xml", ".rels")):
                raise ValueError(f"{info.filename} is implausibly large")
        replaced: dict[str, bytes] = {}
        valid: dict[str, set[str]] = {}
        try:
            for name in names:
                if name.endswith(".rels"):
                    new, ids = _clean_rels(zin.read(name))
                    if new is not None:
                        replaced[name] = new
                    source = _source_of(name)
                    if source is not None:
                        valid[source] = ids
            for name in names:
                if not name.endswith((".xml", ".vml")) or name.startswith("[") or "/_rels/" in name:
                    continue
                raw = zin.read(name)
                references = _uses_relationships(raw)
                fields = name.startswith("word/") and (b"fldSimple" in raw or b"instrText" in raw)
                if not references and not fields:
                    continue
                root = _parse(raw)
                changed = references and _fix_references(root, valid.get(name, set()))
                if fields:
                    changed = _fix_fields(root) or changed
                if changed:
                    replaced[name] = _serialize(root)
        except (etree.LxmlError, KeyError, zipfile.BadZipFile) as exc:
            raise ValueError(f"the document cannot be read: {exc}") from exc
        if not replaced:
            return data
        out = BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in infos:
                body = replaced.get(info.filename)
                zout.writestr(info, body if body is not None else zin.read(info))
    return out.getvalue()


_FLDINST = re.compile(rb"\\fldinst(?![A-Za-z])")
_CONTROL_WORD = re.compile(rb"\\[A-Za-z]+-?\d* ?")
_WORD = re.compile(rb"[A-Za-z0-9]+")


def _field_type(data: bytes, start: int) -> tuple[int, int] | None:
    """Where the first word of a field instruction starting at `start` lies (None if none)."""
    i, n = start, len(data)
    while i < n:
        ch = data[i : i + 1]
        if ch == b"}":
            return None
        if ch == b"\\":
            word = _CONTROL_WORD.match(data, i)
            if word:
                i = word.end()
            elif data[i + 1 : i + 2] == b"'":
                i += 4
            else:
                i += 2
            continue
        word = _WORD.match(data, i)
        if word:
            return word.start(), word.end()
        i += 1
    return None


def strip_rtf(data: bytes) -> bytes:
    """`data` with every linking field renamed (SOPDOCS_BLOCKED_<name>), so it links to nothing."""
    out, last = [], 0
    for match in _FLDINST.finditer(data):
        where = _field_type(data, match.end())
        if where is None or where[0] < last:
            continue
        word = data[where[0] : where[1]]
        if word.decode("ascii").upper() in LINKING_FIELDS:
            out += [data[last : where[0]], b"SOPDOCS_BLOCKED_", word]
            last = where[1]
    if not out:
        return data
    return b"".join([*out, data[last:]])


def strip_file(path: Path) -> bool:
    """Clean a docx or rtf file in place, recognised by its bytes; True when it was changed."""
    path = Path(path)
    data = path.read_bytes()
    if data.startswith(b"{\\rtf"):
        new = strip_rtf(data)
    elif data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(BytesIO(data)) as zf:
                names = set(zf.namelist())
        except zipfile.BadZipFile:
            return False                    # not a package at all: nothing of ours to parse
        if "[Content_Types].xml" not in names or "word/document.xml" not in names:
            return False
        new = strip_docx(data)
    else:
        return False
    if new == data:
        return False
    path.write_bytes(new)
    return True
