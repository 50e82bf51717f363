"""Quarantine notes: every reason gets plain Indonesian advice ending in the folder to save into."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from sop_docs.core.notes import (
    REASONS,
    format_when,
    inbox_folder,
    quarantine_note,
    register_message,
)

SNIFF_REASONS = (
    "empty",
    "too_large",
    "not_docx",
    "corrupt",
    "encrypted",
    "macro",
    "zip_bomb",
    "incomplete",
)
GENERIC = "Berkas ini tidak dapat diterima oleh sistem."


def test_every_sniffer_reason_has_a_note():
    """Each reject reason of the sniffer is one the notes know."""
    assert set(SNIFF_REASONS) <= set(REASONS)


@pytest.mark.parametrize("reason", REASONS)
def test_every_reason_has_its_own_explanation_and_steps(reason):
    """No known reason falls back to the generic text; each has numbered steps."""
    note = quarantine_note(reason, "Konsep.docx", role_name="Fungsional", case_id="PIP-2026-0007")
    assert GENERIC not in note
    assert "Masalah:" in note
    assert "Yang perlu dilakukan:" in note
    assert "\n1. " in note
    assert "Konsep.docx" in note


@pytest.mark.parametrize(
    "reason", [r for r in REASONS if r not in ("duplicate", "unknown_case", "wrong_step",
                                               "not_authorized", "register_unreadable",
                                               "outside_role")]
)
def test_notes_say_which_inbox_folder_to_save_into(reason):
    """The clerk is told the exact folder, derived from the role."""
    note = quarantine_note(reason, "Konsep.docx", role_name="Kabid/Kasubag")
    assert "simpan ulang ke folder inbox/kabid_kasubag/" in note


@pytest.mark.parametrize("reason", REASONS)
def test_notes_are_indonesian_not_english(reason):
    """Staff read Indonesian: the English words of the code never leak into the advice."""
    note = quarantine_note(reason, "Konsep.docx", role_name="Fungsional")
    for english in ("error", "failed", "file ", "please", "password", "reason", "None"):
        assert english not in note


def test_encrypted_note_explains_how_to_remove_the_password():
    """The password note names Word's menu path and the folder to save into."""
    note = quarantine_note("encrypted", "Konsep.docx", role_name="Fungsional")
    assert "dilindungi kata sandi" in note
    assert "File > Info > Lindungi Dokumen" in note
    assert "inbox/fungsional/" in note


def test_macro_note_says_to_save_as_plain_docx():
    """Saving as an ordinary docx drops the macros; the note says so."""
    note = quarantine_note("macro", "Konsep.docm", role_name="Fungsional")
    assert "makro" in note
    assert "Dokumen Word (*.docx)" in note


def test_not_docx_note_names_the_extension_it_claims():
    """A text file named .docx: the note says the name ends in .docx but the content differs."""
    note = quarantine_note("not_docx", "Konsep.DOCX", role_name="Fungsional")
    assert "berakhiran .docx" in note
    assert "Jangan hanya mengganti akhiran" in note


def test_technical_detail_is_kept_for_the_administrator():
    """The sniffer's English detail is shown, labelled for the administrator."""
    note = quarantine_note(
        "corrupt", "a.docx", role_name="Fungsional", detail="broken zip: File is not a zip file"
    )
    assert "Keterangan teknis (untuk administrator): broken zip" in note


def test_wrong_step_note_says_where_the_case_is():
    """The clerk learns where the case is now, from `detail`."""
    note = quarantine_note(
        "wrong_step",
        "PIP-2026-0007 - Konsep.docx",
        role_name="Fungsional",
        case_id="PIP-2026-0007",
        detail="Tahap 4 - Pemeriksaan Sekretaris, dipegang Sekretaris",
    )
    assert "PIP-2026-0007" in note
    assert "Tahap 4 - Pemeriksaan Sekretaris, dipegang Sekretaris" in note
    assert "Keterangan teknis" not in note


def test_duplicate_note_says_when_it_was_received():
    """The earlier receipt is dated in Indonesian, in the office's time zone."""
    wib = timezone(timedelta(hours=7))
    note = quarantine_note(
        "duplicate",
        "Konsep.docx",
        role_name="Fungsional",
        received_at=datetime(2026, 3, 12, 10, 15, tzinfo=wib),
        detail="PIP-2026-0007 - Konsep - Laporan.docx",
    )
    assert "12 Maret 2026 pukul 10.15 WIB" in note
    assert "PIP-2026-0007 - Konsep - Laporan.docx" in note


def test_unknown_case_note_names_the_case_id():
    """The id the document claims is repeated so the clerk can compare it with the register."""
    note = quarantine_note("unknown_case", "x.docx", role_name="Sekretaris", case_id="PIP-2025-0099")
    assert "Nomor Agenda PIP-2025-0099" in note


def test_unknown_case_id_may_come_in_detail():
    """A caller that has no open case to name passes the claimed id as the detail."""
    note = quarantine_note("unknown_case", "x.docx", role_name="Sekretaris", detail="PIP-2025-0099")
    assert "Nomor Agenda PIP-2025-0099" in note


def test_other_detail_is_appended_plainly():
    """Detail for a reason that does not weave it in is shown as a plain remark."""
    note = quarantine_note(
        "unlinked", "x.docx", role_name="Fungsional", detail="Berkas tidak berada di folder peran."
    )
    assert "Keterangan: Berkas tidak berada di folder peran." in note
    assert "Keterangan teknis" not in note


def test_unlinked_note_shows_how_to_name_the_file():
    """The note gives an example of a name that starts with the case id."""
    note = quarantine_note("unlinked", "konsep saya.docx", role_name="Fungsional")
    assert "'PIP-2026-0007 - Konsep" in note


@pytest.mark.parametrize("reason", [r for r in REASONS if r not in ("two_cases", "unlinked")])
def test_a_case_id_read_inside_the_document_is_never_answered_with_renaming(reason):
    """The id inside wins over the name, so renaming the file would change nothing: the note
    says to paste the content into the case's own delivered file instead."""
    note = quarantine_note(reason, "x.docx", role_name="Fungsional", case_id="PIP-2025-0001",
                           inside=True).lower()
    assert "ganti nama berkas agar" not in note and "perbaiki nama berkas" not in note
    if reason in ("wrong_step", "unknown_case"):
        assert "outbox/fungsional/" in note and "salin seluruh isi dokumen ini" in note
        assert "simpan sebagai ke folder inbox/fungsional/" in note


def test_unknown_reason_still_gives_a_note():
    """A reason the notes do not know never breaks quarantining."""
    note = quarantine_note("something_new", "x.docx", role_name="Fungsional")
    assert GENERIC in note


def test_inbox_override_is_used():
    """The caller may name the folder itself (e.g. a proof subfolder)."""
    note = quarantine_note(
        "empty", "foto.jpg", role_name="Fungsional", inbox="inbox/fungsional/bukti_online/"
    )
    assert "inbox/fungsional/bukti_online/" in note


@pytest.mark.parametrize(
    ("role", "folder"),
    [
        ("Kabid/Kasubag", "inbox/kabid_kasubag/"),
        ("Fungsional", "inbox/fungsional/"),
        ("Sekretaris", "inbox/sekretaris/"),
        ("Kepala Dinas", "inbox/kepala_dinas/"),
        ("kepala_dinas", "inbox/kepala_dinas/"),
    ],
)
def test_inbox_folder_of_each_role(role, folder):
    """Display names and ids both give the role's inbox folder."""
    assert inbox_folder(role) == folder


@pytest.mark.parametrize("reason", [*REASONS, "something_new"])
def test_register_message_is_one_line(reason):
    """The register's message column gets one line naming the file and pointing to quarantine."""
    message = register_message(reason, "Konsep.docx")
    assert "\n" not in message
    assert "'Konsep.docx'" in message
    assert "quarantine/" in message
    assert len(message) < 200


def test_dates_are_written_the_indonesian_way():
    """Month names are Indonesian; the zone is named when known."""
    assert format_when(datetime(2026, 8, 17, 9, 5)) == "17 Agustus 2026 pukul 09.05"
    wita = timezone(timedelta(hours=8))
    assert format_when(datetime(2026, 1, 2, 13, 0, tzinfo=wita)).endswith("WITA")
    assert format_when(datetime(2026, 1, 2, 13, 0, tzinfo=UTC)).endswith("(UTC+0)")
