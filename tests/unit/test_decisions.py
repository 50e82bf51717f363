"""Reading the register's Keputusan cell forgivingly: case, spaces and common variants, else None."""

import pytest

from sop_docs.core.case import BELUM_SESUAI, SELESAI, SESUAI
from sop_docs.core.decisions import normalise_decision


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Sesuai", SESUAI),
        ("sesuai", SESUAI),
        (" SESUAI ", SESUAI),
        ("Sesuai\n", SESUAI),
        ("Belum Sesuai", BELUM_SESUAI),
        ("Belum  sesuai", BELUM_SESUAI),
        ("belum_sesuai", BELUM_SESUAI),
        ("BELUM-SESUAI", BELUM_SESUAI),
        ("Belum\u00a0Sesuai", BELUM_SESUAI),      # a non-breaking space pasted from a web page
        ("tidak sesuai", BELUM_SESUAI),
        ("Selesai", SELESAI),
        ("  selesai.", SELESAI),
    ],
)
def test_the_decision_words_are_read_whatever_their_case_and_spacing(raw, expected):
    """A pasted value bypasses the dropdown; the usual variants still count."""
    assert normalise_decision(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [None, "", "   ", "ya", "tidak", "sesuaii", "Sesuai?", "Sesuai / Belum Sesuai", "belum selesai",
     "#N/A", "=1+1", 1, 0.5, True],
)
def test_anything_else_is_not_a_decision(raw):
    """Garbage, half words and formulas give None, so they move nothing."""
    assert normalise_decision(raw) is None
