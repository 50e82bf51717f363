"""How every LibreOffice sop-docs starts is configured: its profile, its load arguments, its PDF export.

Why: the documents LibreOffice opens come from staff and from outside, so they are untrusted. Left
at its defaults LibreOffice 7.4 fetches the pictures a document links to on the web, draws linked
local files into the output, follows Word's INCLUDEPICTURE links in .doc files over HTTP, and would
run macros it was allowed to. Every LibreOffice we start (the batch runs of `office` and the
kept-alive one of `pdf`) therefore gets a fresh profile written by `write_profile`, the kept-alive
one loads each document with `LOAD_ARGS`, and both export PDF as PDF/A-2b for the archive.

Each setting, with what shows that LibreOffice 7.4 (Debian 12) honours it:

* `Common/Security/Scripting/BlockUntrustedRefererLinks` = true: linked pictures, media and
  frames whose referer (the document) is not a trusted location are not loaded
  (`SvtSecurityOptions::isUntrustedReferer`, unotools/source/config/securityoptions.cxx; declared
  in this install's share/registry/main.xcd). Measured here: an .odt or .docx picture linked to
  http://127.0.0.1 is no longer fetched, a linked local picture is no longer drawn into the PDF.
* `.../Scripting/SecureURL` = empty: no folder is a trusted location, so the rule above has no
  exception and macros have nowhere to come from.
* `.../Scripting/MacroSecurityLevel` = 3 (very high: only trusted locations) and
  `.../Scripting/DisableMacrosExecution` = true: no macro runs, whatever the document holds.
* `DisableActiveContent` / `DisableOLEAutomation` (same group) exist only in newer LibreOffice;
  they are written when this install's schema declares them (7.4's does not).
* `Writer/Content/Update/Link` = 2 ("Never", officecfg Writer.xcs: 0 Always, 1 On request,
  2 Never) and `.../Update/Field` = false: linked sections and DDE links are not refreshed on load.
* `Inet/Settings`: a manual proxy (`ooInetProxyType` = 2) at 127.0.0.1 port 9, where nothing
  answers, for HTTP, HTTPS and FTP, with no exceptions (`ooInetNoProxy` empty); read by
  ucbhelper's InternetProxyDecider for every network request LibreOffice makes. This is what stops
  the one fetch the settings above do not: the .doc importer asks the web server about an
  INCLUDEPICTURE \\d link (`CanUseRemoteLink`, sw/source/filter/ww8/ww8par5.cxx) with no referer
  check. Measured: with it, no request reaches the server; without it, two per conversion.

RTF's INCLUDEPICTURE is read straight from disk by the RTF tokenizer (`SvFileStream` on the path,
writerfilter/source/rtftok/rtfdocumentimpl.cxx) and no setting stops it: `externals` rewrites such
fields before LibreOffice sees the file.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

__all__ = ["LOAD_ARGS", "PDF_EXPORT", "batch_pdf_filter", "profile_items", "write_profile"]

DEAD_PROXY = ("127.0.0.1", 9)

# (item path, property, XML schema type, value); "" for an empty string list.
_ITEMS: tuple[tuple[str, str, str, object], ...] = (
    ("/org.openoffice.Office.Common/Security/Scripting", "BlockUntrustedRefererLinks", "xs:boolean", True),
    ("/org.openoffice.Office.Common/Security/Scripting", "SecureURL", "oor:string-list", ""),
    ("/org.openoffice.Office.Common/Security/Scripting", "MacroSecurityLevel", "xs:int", 3),
    ("/org.openoffice.Office.Common/Security/Scripting", "DisableMacrosExecution", "xs:boolean", True),
    ("/org.openoffice.Office.Writer/Content/Update", "Link", "xs:int", 2),
    ("/org.openoffice.Office.Writer/Content/Update", "Field", "xs:boolean", False),
    ("/org.openoffice.Inet/Settings", "ooInetProxyType", "xs:int", 2),
    ("/org.openoffice.Inet/Settings", "ooInetNoProxy", "xs:string", ""),
    ("/org.openoffice.Inet/Settings", "ooInetHTTPProxyName", "xs:string", DEAD_PROXY[0]),
    ("/org.openoffice.Inet/Settings", "ooInetHTTPProxyPort", "xs:int", DEAD_PROXY[1]),
    ("/org.openoffice.Inet/Settings", "ooInetHTTPSProxyName", "xs:string", DEAD_PROXY[0]),
    ("/org.openoffice.Inet/Settings", "ooInetHTTPSProxyPort", "xs:int", DEAD_PROXY[1]),
    ("/org.openoffice.Inet/Settings", "ooInetFTPProxyName", "xs:string", DEAD_PROXY[0]),
    ("/org.openoffice.Inet/Settings", "ooInetFTPProxyPort", "xs:int", DEAD_PROXY[1]),
)
# Written only where the installed schema declares them (newer LibreOffice).
_NEWER_ITEMS: tuple[tuple[str, str, str, object], ...] = (
    ("/org.openoffice.Office.Common/Security/Scripting", "DisableActiveContent", "xs:boolean", True),
    ("/org.openoffice.Office.Common/Security/Scripting", "DisableOLEAutomation", "xs:boolean", True),
)

# MediaDescriptor for loadComponentFromURL (offapi com/sun/star/document/MediaDescriptor.idl):
# (name, UNO type, value). MacroExecMode.NEVER_EXECUTE = 0, UpdateDocMode.NO_UPDATE = 0.
LOAD_ARGS: tuple[tuple[str, str, object], ...] = (
    ("Hidden", "boolean", True),
    ("ReadOnly", "boolean", True),
    ("MacroExecutionMode", "short", 0),
    ("UpdateDocMode", "short", 0),
)

# FilterData of writer_pdf_Export: SelectPdfVersion 2 = PDF/A-2b (filter/source/pdf/pdfexport.cxx;
# the option's help: 0 PDF 1.7, 1 PDF/A-1b, 2 PDF/A-2b, 3 PDF/A-3b). PDF/A embeds every font, never
# encrypts and allows no launch or JavaScript actions.
PDF_EXPORT: tuple[tuple[str, str, object], ...] = (("SelectPdfVersion", "long", 2),)


def batch_pdf_filter() -> str:
    """`--convert-to` target for PDF/A-2b: LibreOffice (7.4 on) reads FilterOptions that start with
    `{` as JSON FilterData (`comphelper::JsonToPropertyValues`, filter/source/pdf/pdffilter.cxx)."""
    data = {name: {"type": kind, "value": str(value)} for name, kind, value in PDF_EXPORT}
    return "pdf:writer_pdf_Export:" + json.dumps(data, separators=(",", ":"))


@functools.cache
def _declared(soffice: str) -> frozenset[str]:
    """The property names this install's main.xcd declares among the newer items."""
    program = Path(soffice).resolve().parent
    names = {name for _, name, _, _ in _NEWER_ITEMS}
    for xcd in (program.parent / "share" / "registry" / "main.xcd",
                program.parent / "share" / ".registry" / "main.xcd"):
        try:
            text = xcd.read_bytes()
        except OSError:
            continue
        return frozenset(n for n in names if f'oor:name="{n}"'.encode() in text)
    return frozenset()


def profile_items(soffice: Path | None) -> list[tuple[str, str, str, object]]:
    """The settings written into a profile for the LibreOffice at `soffice`."""
    known = _declared(str(soffice)) if soffice is not None else frozenset()
    return [*_ITEMS, *(item for item in _NEWER_ITEMS if item[1] in known)]


def _value(kind: str, value: object) -> str:
    if kind == "xs:boolean":
        return "true" if value else "false"
    return escape(str(value))


def registry_xcu(items: list[tuple[str, str, str, object]]) -> str:
    """A registrymodifications.xcu holding `items` (user-layer values, op "fuse")."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">',
    ]
    for path, name, kind, value in items:
        lines.append(
            f"<item oor:path={quoteattr(path)}><prop oor:name={quoteattr(name)} oor:op=\"fuse\">"
            f"<value>{_value(kind, value)}</value></prop></item>"
        )
    lines.append("</oor:items>")
    return "\n".join(lines) + "\n"


def write_profile(profile: Path, soffice: Path | None) -> Path:
    """Make `profile` (the UserInstallation folder) a hardened profile; returns the .xcu written."""
    xcu = Path(profile) / "user" / "registrymodifications.xcu"
    xcu.parent.mkdir(parents=True, exist_ok=True)
    xcu.write_text(registry_xcu(profile_items(soffice)), encoding="utf-8")
    return xcu
