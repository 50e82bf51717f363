"""Every quarantine note and register line is word-for-word the text the office has approved.

`tests/fixtures/notes_golden.json` holds the texts captured from the notes module before its
explanations became a table; comparing against them proves a restructuring changed no text.
Each reason is rendered with a few fixed inputs that together take every branch (with and
without detail, case, received time, extension and an explicit inbox, and a case id read inside
the document), plus an unknown reason. Recaptured deliberately (issue 13) when the advice for an
id read inside the document stopped saying to rename the file, and "outside_role" was added.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from sop_docs.core.notes import REASONS, quarantine_note, register_message

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "notes_golden.json"

INPUTS: dict[str, dict[str, Any]] = {
    "plain": {"file_name": "Konsep.docx", "role_name": "Fungsional"},
    "full": {
        "file_name": "Laporan Akhir.DOCM",
        "role_name": "Kabid/Kasubag",
        "detail": "Tahap 4 - Pemeriksaan Sekretaris, dipegang Sekretaris",
        "case_id": "PIP-2026-0007",
        "received_at": datetime(2026, 3, 12, 10, 15, tzinfo=timezone(timedelta(hours=7))),
    },
    "bare": {
        "file_name": "tanpa_akhiran",
        "role_name": "Sekretaris",
        "detail": "PIP-2026-0099",
        "inbox": "inbox/khusus/",
        "received_at": datetime(2026, 1, 2, 8, 5),
    },
    "inside": {                      # the case id read inside the document: it wins over the name
        "file_name": "PIP-2026-0003 - Konsep - Lama.docx",
        "role_name": "Fungsional",
        "detail": "Tahap 3 - Pemeriksaan Kabid/Kasubag, dipegang Kabid/Kasubag",
        "case_id": "PIP-2026-0003",
        "inside": True,
    },
}
ALL_REASONS = (*REASONS, "alasan_lain")


def render_all() -> dict[str, str]:
    """Every note and register line for every reason and input, keyed "input/reason"."""
    out = {}
    for label, kwargs in INPUTS.items():
        for reason in ALL_REASONS:
            file_name = kwargs["file_name"]
            rest = {k: v for k, v in kwargs.items() if k != "file_name"}
            out[f"{label}/{reason}"] = quarantine_note(reason, file_name, **rest)
            out[f"register/{label}/{reason}"] = register_message(reason, file_name)
    return out


def test_golden_file_covers_every_reason():
    """The captured texts name every known reason, so a new reason cannot slip past unseen."""
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert set(golden) == set(render_all())


@pytest.mark.parametrize("key", sorted(render_all()))
def test_every_note_is_identical_to_the_captured_text(key):
    """The note (or register line) for this reason and input is exactly the captured text."""
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert render_all()[key] == golden[key]


if __name__ == "__main__":  # pragma: no cover - recapture only when a text change is intended
    GOLDEN.write_text(json.dumps(render_all(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
