"""Names: a person's file name is never trusted as a path; delivered names carry the case id first."""

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sop_docs.core.naming import (
    case_id,
    case_id_in_name,
    delivered_name,
    safe_component,
    subject_from_name,
)

FORBIDDEN = set('<>:"/\\|?*') | {chr(c) for c in range(32)} | {"\x7f"}


def test_a_path_traversal_becomes_one_harmless_component():
    """'../../etc/passwd' keeps its words but loses every separator and leading dot."""
    s = safe_component("../../etc/passwd")
    assert s == "etc passwd"
    assert "/" not in s and ".." not in s
    assert safe_component("..\\..\\Windows\\win.ini") == "Windows win.ini"
    assert safe_component("..") == "Dokumen"


@pytest.mark.parametrize(
    ("name", "expected"),
    [("CON", "_CON"), ("con", "_con"), ("Con.txt", "_Con.txt"), ("NUL", "_NUL"), ("COM1", "_COM1"),
     ("LPT9.docx", "_LPT9.docx"), ("AUX ", "_AUX"), ("CONSOLE", "CONSOLE"), ("COM10", "COM10")],
)
def test_windows_reserved_device_names_are_defused(name, expected):
    """CON, NUL, COM1 ... cannot be file names on Windows, with or without an extension."""
    assert safe_component(name) == expected


def test_characters_windows_forbids_are_replaced():
    """':', '*', '?' and friends become spaces, collapsed."""
    assert safe_component("a:b*c?") == "a b c"
    assert safe_component('x<y>z|"w"') == "x y z w"


def test_control_characters_are_removed():
    """NUL, tab, newline, escape and DEL never reach a file name."""
    s = safe_component("Lap\x00oran\tKeu\nangan\x1b2026\x7f")
    assert not set(s) & FORBIDDEN
    assert s == "Lap oran Keu angan 2026"


def test_decomposed_unicode_from_macos_is_composed():
    """NFD input (as macOS writes names) comes out NFC, so the same name compares equal."""
    nfd = unicodedata.normalize("NFD", "Pengumuman Café Kopi Kalbar")
    assert nfd != "Pengumuman Café Kopi Kalbar"
    assert safe_component(nfd) == "Pengumuman Café Kopi Kalbar"
    assert unicodedata.is_normalized("NFC", safe_component(nfd))


def test_a_300_character_name_is_cut_to_the_limit_without_a_trailing_space_or_dot():
    """Long names are bounded; a cut never ends in a space or dot (Windows would drop them)."""
    s = safe_component("Laporan " * 40)
    assert len(s) <= 80
    assert not s.endswith((" ", "."))
    assert len(safe_component("x" * 300, limit=150)) == 150
    assert len(safe_component("a." * 150)) <= 80


def test_a_reserved_name_cut_at_the_limit_stays_within_the_limit():
    """The '_' that defuses a reserved name does not push a long name past the limit."""
    assert len(safe_component("CON." + "x" * 300)) <= 80


def test_empty_or_dots_only_gives_a_default_name():
    """Nothing usable left: 'Dokumen'."""
    assert safe_component("") == "Dokumen"
    assert safe_component(" . . ") == "Dokumen"
    assert safe_component("\x00\x01") == "Dokumen"


@settings(max_examples=300, deadline=None)
@given(text=st.text(), limit=st.integers(10, 150))
def test_any_text_becomes_a_safe_nonempty_component(text, limit):
    """Whatever comes in, the result is non-empty, NFC, bounded and free of forbidden characters."""
    s = safe_component(text, limit=limit)
    assert s
    assert not set(s) & FORBIDDEN
    assert s == s.strip(" .")
    assert len(s) <= limit
    assert unicodedata.is_normalized("NFC", s)
    assert s.upper().split(".")[0] not in {"CON", "PRN", "AUX", "NUL"}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("PIP-2026-0007 - Konsep - Laporan Keuangan 2026.docx", "PIP-2026-0007"),
        ("PIP-2026-0007.docx", "PIP-2026-0007"),
        ("  PIP-2026-0007 - Konsep.docx", "PIP-2026-0007"),
        ("PIP-2026-0007 (2).docx", "PIP-2026-0007"),
        ("PIP-2026-0007(1).docx", "PIP-2026-0007"),
        ("PIP-2026-0007_revisi.docx", "PIP-2026-0007"),
        ("ADU-2026-12345 - Nota.docx", "ADU-2026-12345"),
        ("Salinan PIP-2026-0007.docx", None),
        ("pip-2026-0007.docx", None),
        ("PIP-26-0007.docx", None),
        ("PIP-2026-007.docx", None),
        ("Laporan Keuangan.docx", None),
        ("", None),
    ],
)
def test_the_case_id_is_found_at_the_start_of_a_name(name, expected):
    """Renamed copies keep the id at the front; an id elsewhere or in lower case does not count."""
    assert case_id_in_name(name) == expected


def test_case_ids_are_zero_padded_and_grow_past_four_digits():
    """PIP-2026-0007; the ten-thousandth case still reads back."""
    assert case_id("PIP", 2026, 7) == "PIP-2026-0007"
    assert case_id("ADU", 2026, 12345) == "ADU-2026-12345"
    assert case_id_in_name(case_id("ADU", 2026, 12345) + " - x.docx") == "ADU-2026-12345"


def test_delivered_names_follow_the_spec_example():
    """`PIP-2026-0007 - Konsep - Laporan Keuangan 2026.docx`."""
    assert delivered_name("PIP-2026-0007", "Konsep", "Laporan Keuangan 2026", "docx") == (
        "PIP-2026-0007 - Konsep - Laporan Keuangan 2026.docx")
    assert delivered_name("PIP-2026-0007", "Pengumuman", "X", ".PDF") == "PIP-2026-0007 - Pengumuman - X.pdf"
    assert delivered_name("PIP-2026-0007", "Bukti", "foto", "") == "PIP-2026-0007 - Bukti - foto"


def test_a_delivered_name_is_one_safe_component_whatever_the_subject():
    """A subject or extension from a person cannot add a folder or a second extension trick."""
    name = delivered_name("PIP-2026-0007", "Konsep", "../../etc/passwd", "docx/../../x")
    assert "/" not in name and "\\" not in name
    assert name == "PIP-2026-0007 - Konsep - etc passwd.docxx"


def test_a_delivered_name_fits_the_255_byte_limit_of_file_systems():
    """Subjects in scripts of 3 or 4 UTF-8 bytes a character still give a name ext4 and NTFS accept."""
    for ch in ("漢", "😀"):
        subject = subject_from_name(ch * 80 + ".docx", "PIP")
        name = delivered_name("PIP-2026-0007", "Nota Pengembalian 12", subject, "docx")
        assert len(name.encode("utf-8")) <= 255
        assert len(name.encode("utf-16-le")) // 2 <= 255


@settings(max_examples=200, deadline=None)
@given(subject=st.text(), label=st.sampled_from(["Konsep", "Disposisi", "Nota Pengembalian 2"]),
       seq=st.integers(1, 99999))
def test_the_case_id_always_reads_back_from_a_delivered_name(subject, label, seq):
    """Whatever the subject, the id at the front of a delivered name links it back."""
    cid = case_id("PIP", 2026, seq)
    assert case_id_in_name(delivered_name(cid, label, subject, "docx")) == cid


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Laporan_Keuangan_2026.docx", "Laporan Keuangan 2026"),
        ("  Rencana   Kerja .pdf", "Rencana Kerja"),
        ("PIP-2026-0007 Laporan.docx", "Laporan"),
        (".docx", "Tanpa Perihal"),
        ("tanpa ekstensi", "tanpa ekstensi"),
    ],
)
def test_the_subject_is_read_from_the_material_name(name, expected):
    """No extension, no case id, no underscores."""
    assert subject_from_name(name, "PIP") == expected
