"""Intake rules: which names are litter, which lock files mean "open", when a file is stable."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sop_docs.core.intake import StabilityTracker, is_ignored, lock_names


@pytest.mark.parametrize(
    "name",
    [
        "~$aft_letter.docx",
        "~$Register.xlsx",
        "~WRD0001.tmp",
        "~WRL0002.tmp",
        "~WRF1234.tmp",
        "Cedd4100",
        "0A1B2C3D",
        ".~lock.Register.xlsx#",
        "Thumbs.db",
        "thumbs.db",
        "desktop.ini",
        "Desktop.ini",
        ".DS_Store",
        "._Konsep.docx",
        "Konsep.docx.crdownload",
        "laporan.pdf.part",
        "something.tmp",
        "SOMETHING.TMP",
        ".hidden.docx",
        ".smbdeleteAAA01234",
        ".nfs000000000123abcd00000001",
        ".Konsep.docx.1234.tmp",
        "inbox/fungsional/~$Konsep.docx",
        "C:\\share\\inbox\\~WRD0001.tmp",
        "",
    ],
)
def test_office_and_os_litter_is_ignored(name):
    """Owner files, temp files, locks and OS metadata never count as documents."""
    assert is_ignored(name)


@pytest.mark.parametrize(
    "name",
    [
        "Konsep.docx",
        "PIP-2026-0007 - Konsep - Laporan Keuangan 2026.docx",
        "bahan.pdf",
        "foto bukti.jpg",
        "Register.xlsx",
        "Cedd41000",  # nine hex characters: not Excel's temp name
        "Cedd4100.docx",
        "~draft.docx",  # a tilde alone is a user's choice, not an owner file
        "laporan.partner.docx",
        "inbox/fungsional/bukti_online/tangkapan layar.png",
    ],
)
def test_ordinary_documents_are_not_ignored(name):
    """Real documents, whatever their names look like, are taken in."""
    assert not is_ignored(name)


def test_word_owner_file_of_a_long_name_is_shortened_by_two_characters():
    """Word replaces the first two characters of a stem of 8+ characters (PITFALLS.md §2.1)."""
    names = lock_names("Draft_letter.docx")
    assert "~$aft_letter.docx" in names
    assert "~$Draft_letter.docx" in names
    assert ".~lock.Draft_letter.docx#" in names


def test_word_owner_file_of_a_seven_character_stem_loses_one_character():
    """For a 7-character stem Word replaces one character."""
    names = lock_names("Laporan.docx")
    assert "~$aporan.docx" in names
    assert "~$poran.docx" not in names


def test_short_names_get_only_the_plain_prefix():
    """Short stems keep their full name after `~$`."""
    assert lock_names("Surat.docx") == ["~$Surat.docx", ".~lock.Surat.docx#"]


def test_excel_owner_file_keeps_the_full_name():
    """Excel never shortens: only the full-name owner file and LibreOffice's lock apply."""
    assert lock_names("register.xlsx") == ["~$register.xlsx", ".~lock.register.xlsx#"]


def test_lock_names_take_the_last_path_component():
    """A path is reduced to its file name; lock files live in the same folder."""
    assert lock_names("inbox/fungsional/Surat.docx") == ["~$Surat.docx", ".~lock.Surat.docx#"]


def test_every_lock_name_is_itself_ignored():
    """Lock files of a document are litter themselves, so they never open cases."""
    for name in ("PIP-2026-0007 - Konsep - Laporan Keuangan 2026.docx", "register.xlsx", "a.doc"):
        assert all(is_ignored(lock) for lock in lock_names(name))


@given(st.text(max_size=80))
def test_rules_never_raise_on_any_name(name):
    """Any string, including odd Unicode and separators, gets an answer."""
    assert isinstance(is_ignored(name), bool)
    assert isinstance(lock_names(name), list)


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def advance(self, seconds: float) -> float:
        self.now += seconds
        return self.now


def test_file_is_stable_only_after_the_settle_window():
    """The same size and mtime must hold for the whole window before the file counts as stable."""
    clock, tracker = FakeClock(), StabilityTracker(5)
    assert not tracker.observe("a.docx", 100, 1, clock.now)
    assert not tracker.observe("a.docx", 100, 1, clock.advance(4.9))
    assert tracker.observe("a.docx", 100, 1, clock.advance(0.1))
    assert tracker.observe("a.docx", 100, 1, clock.advance(10))


def test_a_growing_file_restarts_the_window():
    """A slow, chunked write is not stable until the writes stop for the full window."""
    clock, tracker = FakeClock(), StabilityTracker(2)
    for size in range(0, 3000, 100):
        assert not tracker.observe("scan.pdf", size, size, clock.advance(1))
    assert not tracker.observe("scan.pdf", 3000, 3000, clock.advance(1))
    assert not tracker.observe("scan.pdf", 3000, 3000, clock.advance(1))
    assert tracker.observe("scan.pdf", 3000, 3000, clock.advance(1))


def test_an_mtime_change_with_the_same_size_restarts_the_window():
    """Word's rename-over save may keep the size; the new mtime still counts as a change."""
    clock, tracker = FakeClock(), StabilityTracker(3)
    tracker.observe("k.docx", 500, 10, clock.now)
    assert not tracker.observe("k.docx", 500, 11, clock.advance(3))
    assert tracker.observe("k.docx", 500, 11, clock.advance(3))


def test_a_clock_going_backwards_restarts_the_window():
    """A non-monotonic `now` cannot make a file look stable early."""
    clock, tracker = FakeClock(), StabilityTracker(3)
    tracker.observe("k.docx", 1, 1, clock.now)
    assert not tracker.observe("k.docx", 1, 1, clock.advance(-100))
    assert not tracker.observe("k.docx", 1, 1, clock.advance(2.9))
    assert tracker.observe("k.docx", 1, 1, clock.advance(0.1))


def test_files_are_tracked_independently():
    """One file's changes do not affect another's window."""
    clock, tracker = FakeClock(), StabilityTracker(1)
    tracker.observe("a", 1, 1, clock.now)
    tracker.observe("b", 1, 1, clock.now)
    tracker.observe("a", 2, 2, clock.advance(1))
    assert tracker.observe("b", 1, 1, clock.now)
    assert not tracker.observe("a", 2, 2, clock.now)


def test_forgetting_a_file_starts_it_over():
    """After `forget` (file taken in or gone), a file with the same name waits again."""
    clock, tracker = FakeClock(), StabilityTracker(1)
    tracker.observe("a", 1, 1, clock.now)
    assert tracker.observe("a", 1, 1, clock.advance(1))
    tracker.forget("a")
    tracker.forget("never-seen")
    assert "a" not in tracker
    assert not tracker.observe("a", 1, 1, clock.advance(1))


def test_retain_drops_files_that_vanished():
    """After a full scan, names no longer present are forgotten."""
    clock, tracker = FakeClock(), StabilityTracker(1)
    for key in ("a", "b", "c"):
        tracker.observe(key, 1, 1, clock.now)
    tracker.retain(["b"])
    assert len(tracker) == 1
    assert "b" in tracker


def test_zero_window_is_stable_at_once():
    """A zero settle time (one-shot scans of a quiet folder) accepts at first sight."""
    assert StabilityTracker(0).observe("a", 1, 1, 0.0)


def test_negative_window_is_refused():
    """A negative settle time is a configuration error."""
    with pytest.raises(ValueError):
        StabilityTracker(-1)
