"""The profile every LibreOffice gets, and the PDF/A export options, say what lo_settings claims."""

from __future__ import annotations

import json

from lxml import etree

from sop_docs.adapters import lo_settings

OOR = "http://openoffice.org/2001/registry"


def items(xcu: bytes) -> dict[tuple[str, str], str]:
    root = etree.fromstring(xcu)
    return {(item.get(f"{{{OOR}}}path"), prop.get(f"{{{OOR}}}name")): prop.findtext("value") or ""
            for item in root for prop in item}


def test_the_profile_blocks_remote_and_linked_content_macros_and_the_network(tmp_path):
    """The settings are written as user-layer values LibreOffice reads at start."""
    xcu = lo_settings.write_profile(tmp_path / "p", None)
    assert xcu == tmp_path / "p" / "user" / "registrymodifications.xcu"
    got = items(xcu.read_bytes())
    scripting = "/org.openoffice.Office.Common/Security/Scripting"
    assert got[(scripting, "BlockUntrustedRefererLinks")] == "true"
    assert got[(scripting, "SecureURL")] == ""
    assert got[(scripting, "MacroSecurityLevel")] == "3"
    assert got[(scripting, "DisableMacrosExecution")] == "true"
    assert got[("/org.openoffice.Office.Writer/Content/Update", "Link")] == "2"
    assert got[("/org.openoffice.Office.Writer/Content/Update", "Field")] == "false"
    inet = "/org.openoffice.Inet/Settings"
    assert got[(inet, "ooInetProxyType")] == "2" and got[(inet, "ooInetNoProxy")] == ""
    for scheme in ("HTTP", "HTTPS", "FTP"):
        assert (got[(inet, f"ooInet{scheme}ProxyName")], got[(inet, f"ooInet{scheme}ProxyPort")]) == (
            "127.0.0.1", "9")


def test_newer_items_are_written_only_where_the_schema_declares_them(tmp_path):
    """DisableActiveContent is in a newer LibreOffice's main.xcd; an install without it gets none."""
    program = tmp_path / "lo" / "program"
    program.mkdir(parents=True)
    (program / "soffice").write_text("")
    registry = tmp_path / "lo" / "share" / "registry"
    registry.mkdir(parents=True)
    (registry / "main.xcd").write_text('<prop oor:name="DisableActiveContent" oor:type="xs:boolean">')
    names = {name for _, name, _, _ in lo_settings.profile_items(program / "soffice")}
    assert "DisableActiveContent" in names and "DisableOLEAutomation" not in names
    assert "DisableActiveContent" not in {n for _, n, _, _ in lo_settings.profile_items(None)}


def test_pdf_export_asks_for_pdfa_2b_in_both_spellings():
    """FilterData for UNO, and the JSON FilterOptions of `--convert-to` with the same content."""
    assert ("SelectPdfVersion", "long", 2) in lo_settings.PDF_EXPORT
    prefix, _, options = lo_settings.batch_pdf_filter().partition("writer_pdf_Export:")
    assert prefix == "pdf:"
    assert json.loads(options) == {"SelectPdfVersion": {"type": "long", "value": "2"}}


def test_documents_load_hidden_read_only_without_macros_or_link_updates():
    assert dict((n, v) for n, _, v in lo_settings.LOAD_ARGS) == {
        "Hidden": True, "ReadOnly": True, "MacroExecutionMode": 0, "UpdateDocMode": 0}
