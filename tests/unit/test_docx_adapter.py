"""The docx adapter on small templates built in the test: escaping, sandbox, errors, linking."""

from __future__ import annotations

import struct
import zipfile
import zlib
from io import BytesIO
from pathlib import Path

import pytest
from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from hypothesis import given, settings
from hypothesis import strategies as st

from sop_docs.adapters import docx as adapter
from sop_docs.errors import TemplateProblem


def make_template(folder: Path, *lines: str, name: str = "Contoh.docx") -> Path:
    """A docx whose paragraphs are `lines`, each written as one run (as the real templates are)."""
    doc = Document()
    for line in lines:
        doc.add_paragraph(line)
    path = folder / name
    doc.save(path)
    return path


def body_text(data: bytes) -> str:
    """All text of the document body, paragraphs joined by newlines, breaks as newlines."""
    doc = Document(BytesIO(data))
    out = []
    for p in doc.element.body.iter(qn("w:p")):
        parts = []
        for el in p.iter(qn("w:t"), qn("w:br")):
            parts.append("\n" if el.tag == qn("w:br") else (el.text or ""))
        out.append("".join(parts))
    return "\n".join(out)


def png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    )


def plain_docx(text: str = "Isi") -> bytes:
    doc = Document()
    doc.add_paragraph(text)
    out = BytesIO()
    doc.save(out)
    return out.getvalue()


# --------------------------------------------------------------------------- rendering


@pytest.mark.parametrize(
    "value",
    ["{{ 7*7 }}", "{% if True %}ya{% endif %}", "R&D <x>", "a]]>b", "{%p if x %}"],
)
def test_values_that_look_like_markup_come_out_verbatim(tmp_path, value):
    """A context value is data: template syntax and XML characters in it are printed as typed."""
    tpl = make_template(tmp_path, "Perihal: {{ perihal }}", "Akhir dokumen")
    text = body_text(adapter.render(tpl, {"perihal": value}))
    assert f"Perihal: {value}" in text
    assert "Akhir dokumen" in text


def test_control_characters_are_stripped_from_nested_values(tmp_path):
    """XML-illegal characters anywhere in the context (lists, dicts) are removed, not fatal."""
    tpl = make_template(
        tmp_path,
        "{{ a }}",
        "{{ kantor.nama }}",
        "{%p for x in daftar %}",
        "- {{ x.teks }}",
        "{%p endfor %}",
    )
    data = adapter.render(
        tpl,
        {
            "a": "sa\x00tu\x0b",
            "kantor": {"nama": "Di\x1fnas"},
            "daftar": [{"teks": "du\x08a"}, {"teks": "tiga\ufffe"}],
        },
    )
    text = body_text(data)
    assert "satu" in text and "Dinas" in text and "- dua" in text and "- tiga" in text


def test_clean_value_keeps_types_and_non_strings():
    """Cleaning walks dicts, lists and tuples and leaves other values alone."""
    value = {"a": ["x\x01", ("y\x02", 3)], "b": True, "c": None}
    assert adapter.clean_value(value) == {"a": ["x", ("y", 3)], "b": True, "c": None}


def test_newline_in_a_value_becomes_a_line_break(tmp_path):
    """A multi-line note keeps its lines in Word."""
    tpl = make_template(tmp_path, "Catatan: {{ catatan }}")
    data = adapter.render(tpl, {"catatan": "baris satu\nbaris dua"})
    assert "baris satu\nbaris dua" in body_text(data)


def test_missing_field_raises_template_problem_naming_template_and_field(tmp_path):
    """StrictUndefined: a field the context lacks fails loudly instead of printing blank."""
    tpl = make_template(tmp_path, "{{ perihal }} {{ kantor.laman }}", name="Surat.docx")
    with pytest.raises(TemplateProblem) as info:
        adapter.render(tpl, {"perihal": "x", "kantor": {}})
    assert "Surat.docx" in str(info.value) and "laman" in str(info.value)


def test_sandbox_escape_in_a_template_raises_template_problem(tmp_path):
    """A template trying to reach Python internals is refused by the sandbox."""
    tpl = make_template(tmp_path, "{{ cycler.__init__.__globals__.os.getcwd() }}")
    with pytest.raises(TemplateProblem) as info:
        adapter.render(tpl, {})
    assert "SecurityError" in str(info.value) or "unsafe" in str(info.value)


def test_sandbox_escape_via_format_is_refused(tmp_path):
    """The str.format route (CVE-2024-56326 class) is refused too."""
    tpl = make_template(tmp_path, "{{ '{0.__class__.__mro__}'.format(x) }}")
    with pytest.raises(TemplateProblem):
        adapter.render(tpl, {"x": "a"})


def test_template_syntax_error_raises_template_problem(tmp_path):
    """A broken tag in a template an office edited is reported with the template's name."""
    tpl = make_template(tmp_path, "{{ perihal ", "{% if %}", name="Rusak.docx")
    with pytest.raises(TemplateProblem) as info:
        adapter.render(tpl, {"perihal": "x"})
    assert "Rusak.docx" in str(info.value)


def test_missing_or_non_docx_template_raises_template_problem(tmp_path):
    """No template, or a file that is not a docx, is a TemplateProblem, not a library error."""
    with pytest.raises(TemplateProblem):
        adapter.render(tmp_path / "Tidak Ada.docx", {})
    bad = tmp_path / "Bukan.docx"
    bad.write_bytes(b"not a zip at all")
    with pytest.raises(TemplateProblem):
        adapter.render(bad, {})
    with pytest.raises(TemplateProblem):
        adapter.template_fields(bad)


def test_each_render_starts_from_the_template_file(tmp_path):
    """Rendering twice from the same path gives independent documents."""
    tpl = make_template(tmp_path, "{{ perihal }}")
    first = body_text(adapter.render(tpl, {"perihal": "Pertama"}))
    second = body_text(adapter.render(tpl, {"perihal": "Kedua"}))
    assert "Pertama" in first and "Kedua" not in first
    assert "Kedua" in second and "Pertama" not in second


def test_images_are_inserted_and_a_missing_image_prints_nothing(tmp_path):
    """`images` become pictures; a missing or unreadable file renders as empty text."""
    tpl = make_template(tmp_path, "[{{ logo }}]", "[{{ cap }}]", "[{{ rusak }}]")
    logo = tmp_path / "logo.png"
    logo.write_bytes(png_bytes())
    broken = tmp_path / "rusak.png"
    broken.write_bytes(b"no picture here")
    data = adapter.render(tpl, {}, images={"logo": logo, "cap": tmp_path / "hilang.png", "rusak": broken})
    doc = Document(BytesIO(data))
    blips = doc.element.body.findall(".//" + qn("a:blip"))
    assert len(blips) == 1
    extent = doc.element.body.find(".//" + qn("wp:extent"))
    assert int(extent.get("cy")) == adapter.LOGO_HEIGHT
    assert "[]\n[]" in body_text(data)


def test_template_fields_lists_undeclared_variables(tmp_path):
    """Start-up validation sees the fields a template needs, not its loop variables."""
    tpl = make_template(
        tmp_path,
        "{{ perihal }} {{ kantor.nama }}",
        "{%p for h in harap %}",
        "{{ h.teks }}",
        "{%p endfor %}",
    )
    assert adapter.template_fields(tpl) == {"perihal", "kantor", "harap"}


# --------------------------------------------------------------------------- concept body


def skeleton_concept(*, bookmark: bool = True, marker: bool = True, body: list[str]) -> bytes:
    """A concept shaped like the skeleton: heading block, separator, then what the writer wrote."""
    doc = Document()
    doc.add_paragraph("KONSEP PENGUMUMAN")
    table = doc.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "No. Agenda"
    table.rows[0].cells[1].text = "PIP-2026-0001"
    doc.add_paragraph("Petunjuk: tulis di bawah garis.")
    sep = doc.add_paragraph(adapter.BODY_MARKER if marker else "")
    if bookmark:
        start = OxmlElement("w:bookmarkStart")
        start.set(qn("w:id"), "7")
        start.set(qn("w:name"), adapter.BODY_BOOKMARK)
        end = OxmlElement("w:bookmarkEnd")
        end.set(qn("w:id"), "7")
        sep._p.append(start)
        sep._p.append(end)
    for line in body:
        doc.add_paragraph(line)
    out = BytesIO()
    doc.save(out)
    return out.getvalue()


def texts(data: bytes) -> list[str]:
    doc = Document(BytesIO(data))
    return [p.text for p in doc.paragraphs]


@pytest.mark.parametrize(("bookmark", "marker"), [(True, True), (True, False), (False, True)])
def test_concept_body_drops_the_skeleton_heading_block(bookmark, marker):
    """Everything up to the separator (bookmark, or its text if the bookmark is gone) is dropped."""
    concept = skeleton_concept(bookmark=bookmark, marker=marker, body=["Isi satu", "Isi dua"])
    body = adapter.concept_body(concept)
    assert texts(body) == ["Isi satu", "Isi dua"]
    assert Document(BytesIO(body)).tables == []


def test_concept_body_drops_untouched_prompts_but_keeps_edited_ones():
    """A prompt left exactly as given is removed; a paragraph the writer typed into stays."""
    prompt = sorted(adapter.PROMPTS)[0]
    concept = skeleton_concept(body=[prompt, prompt + " Sudah diisi.", "Isi"])
    assert texts(adapter.concept_body(concept)) == [prompt + " Sudah diisi.", "Isi"]


def test_concept_without_separator_is_kept_whole():
    """A concept written from scratch is the body as it is."""
    doc = Document()
    doc.add_paragraph("Judul sendiri")
    doc.add_table(rows=1, cols=1).rows[0].cells[0].text = "sel"
    doc.add_paragraph("Penutup")
    out = BytesIO()
    doc.save(out)
    body = Document(BytesIO(adapter.concept_body(out.getvalue())))
    assert [p.text for p in body.paragraphs] == ["Judul sendiri", "Penutup"]
    assert body.tables[0].rows[0].cells[0].text == "sel"


def test_unreadable_concept_raises_value_error(tmp_path):
    """A concept that is not a docx is the caller's to quarantine: ValueError, not a crash."""
    tpl = make_template(tmp_path, "{{p isi }}")
    with pytest.raises(ValueError):
        adapter.render_pengumuman(tpl, {}, b"PK\x03\x04 truncated")


def test_concept_text_is_never_evaluated_as_template(tmp_path):
    """Jinja syntax typed by staff in a concept reaches the letter verbatim."""
    tpl = make_template(tmp_path, "Awal", "{{p isi }}", "Akhir")
    concept = plain_docx("Nilai {{ 7*7 }} {% if x %} {{ cycler.__init__ }}")
    text = body_text(adapter.render_pengumuman(tpl, {}, concept))
    assert "Nilai {{ 7*7 }} {% if x %} {{ cycler.__init__ }}" in text
    assert text.index("Awal") < text.index("Nilai") < text.index("Akhir")


# --------------------------------------------------------------------------- linking


def entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(BytesIO(data)) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def test_link_round_trips_and_adds_part_relationship_and_content_type():
    """A docx without custom properties gets the part, its package relationship and override."""
    original = plain_docx()
    assert adapter.read_link(original) is None
    linked = adapter.set_link(original, "PIP-2026-0007")
    assert adapter.read_link(linked) == "PIP-2026-0007"
    parts = entries(linked)
    assert "docProps/custom.xml" in parts
    assert b"relationships/custom-properties" in parts["_rels/.rels"]
    assert b"/docProps/custom.xml" in parts["[Content_Types].xml"]
    assert b"custom-properties+xml" in parts["[Content_Types].xml"]
    Document(BytesIO(linked))  # still a valid document for python-docx


def test_set_link_copies_every_other_entry_unchanged():
    """Only the custom part, the package rels and the content types may differ."""
    original = plain_docx()
    before, after = entries(original), entries(adapter.set_link(original, "PIP-2026-0001"))
    touched = {"docProps/custom.xml", "_rels/.rels", "[Content_Types].xml"}
    for name, data in before.items():
        if name not in touched:
            assert after[name] == data, name
    assert list(after)[: len(before)] == list(before)


def test_set_link_replaces_the_property_and_keeps_others():
    """Relinking leaves exactly one property of ours and keeps the office's own properties."""
    linked = adapter.set_link(plain_docx(), "PIP-2026-0001")
    parts = entries(linked)
    custom = parts["docProps/custom.xml"].replace(
        b"</Properties>",
        b'<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="9" name="Unit">'
        b"<vt:lpwstr>Bidang UKM</vt:lpwstr></property></Properties>",
    )
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, custom if name == "docProps/custom.xml" else data)
    relinked = adapter.set_link(out.getvalue(), "PIP-2026-0002")
    assert adapter.read_link(relinked) == "PIP-2026-0002"
    after = entries(relinked)
    assert after["docProps/custom.xml"].count(adapter.LINK_PROPERTY.encode()) == 1
    assert b"Bidang UKM" in after["docProps/custom.xml"]
    assert after["_rels/.rels"].count(b"custom-properties") == 1
    assert after["[Content_Types].xml"].count(b"/docProps/custom.xml") == 1
    assert b'pid="10"' not in after["docProps/custom.xml"]  # the existing pid was reused


def test_set_link_escapes_the_case_id():
    """An id with XML characters is stored as text, not markup."""
    linked = adapter.set_link(plain_docx(), "A&B <c>\x01")
    assert adapter.read_link(linked) == "A&B <c>"


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"hello",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512,  # OLE: .doc or encrypted .docx
        b"PK\x03\x04" + b"\x00" * 40,  # truncated zip
    ],
)
def test_read_link_returns_none_for_unreadable_input(data):
    """Bad input means 'not linked', never an exception."""
    assert adapter.read_link(data) is None


def test_read_link_refuses_entity_expansion_and_returns_none():
    """A custom part with a DTD (billion laughs) is not parsed."""
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"'
        b' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        b'<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2"'
        b' name="SOP-Docs No. Agenda"><vt:lpwstr>&b;</vt:lpwstr></property></Properties>'
    )
    parts = entries(adapter.set_link(plain_docx(), "x"))
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, bomb if name == "docProps/custom.xml" else data)
    assert adapter.read_link(out.getvalue()) is None


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=2000))
def test_read_link_never_raises(data):
    """Whatever bytes arrive, read_link answers."""
    assert adapter.read_link(data) is None or isinstance(adapter.read_link(data), str)


@settings(max_examples=30, deadline=None)
@given(st.integers(min_value=0, max_value=4000))
def test_read_link_on_truncated_linked_docx_never_raises(cut):
    """A linked file cut short (a save in progress) reads as unlinked or linked, never crashes."""
    linked = adapter.set_link(plain_docx(), "PIP-2026-0003")
    assert adapter.read_link(linked[:cut]) in (None, "PIP-2026-0003")


def test_set_link_on_non_docx_raises_value_error():
    """Stamping a file that is not an OOXML package is refused clearly."""
    with pytest.raises(ValueError):
        adapter.set_link(b"not a zip", "PIP-2026-0001")
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("readme.txt", "x")
    with pytest.raises(ValueError):
        adapter.set_link(out.getvalue(), "PIP-2026-0001")


def test_a_rendered_document_can_carry_its_link_without_a_second_zip_pass(tmp_path):
    """render(link=...) writes the custom property while saving; read_link finds it."""
    template = make_template(tmp_path, "No. {{ no }}")
    data = adapter.render(template, {"no": "7"}, link="PIP-2026-0042")
    assert adapter.read_link(data) == "PIP-2026-0042"
    assert "No. 7" in body_text(data)
    assert adapter.read_link(adapter.set_link(data, "PIP-2026-0043")) == "PIP-2026-0043"
    template.write_bytes(adapter.set_link(template.read_bytes(), "TEMPLATE-0000-0001"))
    relinked = adapter.render(template, {"no": "8"}, link="PIP-2026-0044")  # had its own already
    with zipfile.ZipFile(BytesIO(relinked)) as z:
        rels = z.read("_rels/.rels").decode()
    assert rels.count("custom-properties") == 1
    assert adapter.read_link(relinked) == "PIP-2026-0044"
