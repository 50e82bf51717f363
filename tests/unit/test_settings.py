"""Office settings: the shipped defaults, a workspace file over them, and clear errors for bad files."""

from datetime import date, time
from pathlib import Path

import pytest

from sop_docs.errors import InvalidSettings
from sop_docs.settings import default_settings_text, load_settings


def write(root: Path, text: str) -> Path:
    path = root / "sop.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_defaults_load_without_a_workspace_file(tmp_path, monkeypatch):
    """A workspace without sop.toml runs the shipped SOP in Pontianak's office hours."""
    monkeypatch.delenv("SOP_DOCS_DATABASE", raising=False)     # the PostgreSQL pass sets it
    s = load_settings(tmp_path)
    assert s.sop_ref == "pengumuman_informasi_publik"
    assert s.database == ".sop_docs/sop_docs.db"
    assert s.max_file_bytes == 50 * 2**20
    assert str(s.timezone) == "Asia/Pontianak"
    assert s.hours == {0: (time(7, 30), time(16, 0)), 1: (time(7, 30), time(16, 0)),
                       2: (time(7, 30), time(16, 0)), 3: (time(7, 30), time(16, 0)),
                       4: (time(7, 30), time(16, 30))}
    assert s.days_off == frozenset()
    assert s.numbering["kode_unit"] == "DISKUMKM"
    assert s.officials["kepala_dinas"]["nama"] == "NAMA KEPALA DINAS"
    assert s.office["kota"] == "Pontianak"


def test_the_shipped_file_copied_into_the_workspace_changes_nothing(tmp_path):
    """`init` copies the defaults; loading them over themselves gives the same settings."""
    write(tmp_path, default_settings_text())
    assert load_settings(tmp_path).raw == load_settings(tmp_path / "nowhere").raw


def test_a_workspace_file_overrides_one_value_and_keeps_the_rest(tmp_path):
    """Only what the office writes changes; every other default stays."""
    write(tmp_path, '[office]\nnama = "DINAS KOMUNIKASI DAN INFORMATIKA"\n\n'
                    '[calendar]\ndays_off = ["2026-12-24", 2026-12-31]\n')
    s = load_settings(tmp_path)
    assert s.office["nama"] == "DINAS KOMUNIKASI DAN INFORMATIKA"
    assert s.office["kota"] == "Pontianak"
    assert s.days_off == frozenset({date(2026, 12, 24), date(2026, 12, 31)})
    assert str(s.timezone) == "Asia/Pontianak"
    assert s.hours[4] == (time(7, 30), time(16, 30))


def test_the_hours_table_replaces_the_whole_week(tmp_path):
    """A week with a shorter Friday and a Saturday morning, in Indonesian and English day names."""
    write(tmp_path, '[calendar]\nhours = { senin = "07:30-16:00", selasa = "07:30-16:00", '
                    'rabu = "07:30-16:00", Kamis = "07:30-16:00", friday = "07:30-11:00", '
                    'sabtu = "08:00-12:00" }\n')
    s = load_settings(tmp_path)
    assert s.hours[4] == (time(7, 30), time(11, 0))
    assert s.hours[5] == (time(8, 0), time(12, 0))
    assert s.hours[3] == (time(7, 30), time(16, 0))


def test_a_day_left_out_of_the_hours_table_is_not_worked(tmp_path):
    """The file says 'a day not listed is not a working day': an office listing Mon-Thu has no Friday."""
    write(tmp_path, '[calendar]\nhours = { senin = "07:30-16:00", selasa = "07:30-16:00", '
                    'rabu = "07:30-16:00", kamis = "07:30-16:00" }\n')
    assert sorted(load_settings(tmp_path).hours) == [0, 1, 2, 3]


def test_a_broken_toml_file_names_its_path(tmp_path):
    """A typo is reported in one line that says which file."""
    path = write(tmp_path, '[system\nsop = "x"\n')
    with pytest.raises(InvalidSettings) as err:
        load_settings(tmp_path)
    assert str(path) in str(err.value)


def test_a_file_that_is_not_utf8_names_its_path(tmp_path):
    """A file saved as Windows-1252 by Notepad is refused, not crashed on."""
    path = tmp_path / "sop.toml"
    path.write_bytes('[office]\nnama = "Dinas Koperasi – Kalbar"\n'.encode("cp1252"))
    with pytest.raises(InvalidSettings, match=str(path)):
        load_settings(tmp_path)


@pytest.mark.parametrize(
    "hours",
    ['jumat = "16:30-07:30"', 'jumat = "07:30-07:30"', 'jumat = "pagi"', 'jumat = "25:00-26:00"',
     'hari_libur = "07:30-16:00"', "jumat = 8"],
)
def test_bad_office_hours_name_the_path(tmp_path, hours):
    """Hours that end before they start, unreadable times and unknown days are refused."""
    path = write(tmp_path, f"[calendar.hours]\n{hours}\n")
    with pytest.raises(InvalidSettings) as err:
        load_settings(tmp_path)
    assert str(path) in str(err.value)


@pytest.mark.parametrize(
    "text",
    ['[calendar]\ntimezone = "Asia/Pontianak_Barat"\n', '[calendar]\ndays_off = ["24-12-2026"]\n',
     '[system]\nmax_file_mb = "lima puluh"\n'],
)
def test_other_bad_values_name_the_path(tmp_path, text):
    """An unknown time zone, a date in the wrong order or a size in words are refused clearly."""
    path = write(tmp_path, text)
    with pytest.raises(InvalidSettings, match=str(path)):
        load_settings(tmp_path)


def test_watch_settings_come_from_the_file(tmp_path):
    """The [watch] section sets mode and windows; defaults are auto, 2 s, 60 s, 1 s."""
    assert (load_settings(tmp_path).watch_mode, load_settings(tmp_path).settle_seconds) == ("auto", 2.0)
    write(tmp_path, '[watch]\nmode = "polling"\nsettle_seconds = 8\n')
    s = load_settings(tmp_path)
    assert (s.watch_mode, s.settle_seconds, s.rescan_seconds, s.poll_seconds) == ("polling", 8.0, 60.0, 1.0)


@pytest.mark.parametrize("text", ['[watch]\nmode = "sometimes"\n', "[watch]\nsettle_seconds = 0\n",
                                  '[watch]\nrescan_seconds = "soon"\n'])
def test_bad_watch_settings_name_the_path(tmp_path, text):
    """A watch mode that does not exist, or a window that is not a positive number, is refused."""
    path = write(tmp_path, text)
    with pytest.raises(InvalidSettings, match=str(path)):
        load_settings(tmp_path)
