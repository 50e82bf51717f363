"""The `sop-docs` command as the administrator uses it, run as a real process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from openpyxl import load_workbook

from tests.driver import CORPUS


def sop_docs(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sop_docs", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=300)


def test_a_new_user_gets_a_disposition_and_a_register_row(tmp_path):
    """init, drop a docx into inbox/kabid_kasubag/, scan: the Fungsional has the disposition."""
    ws = tmp_path / "kantor"
    r = sop_docs("init", str(ws))
    assert r.returncode == 0, r.stderr
    assert (ws / "register.xlsx").exists() and (ws / "sop.toml").exists()
    assert (ws / "templates" / "Lembar Disposisi.docx").exists()
    (ws / "inbox" / "kabid_kasubag" / "Laporan Kinerja.docx").write_bytes(
        (CORPUS / "tables.docx").read_bytes())
    r = sop_docs("scan", str(ws))
    assert r.returncode == 0, r.stderr
    names = sorted(p.name for p in (ws / "outbox" / "fungsional").iterdir())
    assert "PIP-2026-0001 - Disposisi - Laporan Kinerja.docx" in names or any(
        " - Disposisi - Laporan Kinerja.docx" in n for n in names)
    wb = load_workbook(ws / "register.xlsx", read_only=True)
    rows = list(wb["Kasus Terbuka"].iter_rows(min_row=2, values_only=True))
    wb.close()
    assert len(rows) == 1 and rows[0][2] == "Laporan Kinerja"
    r = sop_docs("status", str(ws))
    assert r.returncode == 0 and "Laporan" in r.stdout
    # the key to edit is printed as written, not swallowed as console markup
    assert "([access.roles] di sop.toml)" in " ".join(r.stdout.split())


def test_init_twice_changes_nothing_the_office_made(tmp_path):
    """A second init keeps the office's own settings and templates."""
    ws = tmp_path / "kantor"
    sop_docs("init", str(ws))
    (ws / "sop.toml").write_text('[office]\nnama = "DINAS UJI"\n', "utf-8")
    r = sop_docs("init", str(ws))
    assert r.returncode == 0
    assert "DINAS UJI" in (ws / "sop.toml").read_text("utf-8")


def test_a_folder_that_is_not_a_workspace_gets_one_clear_line(tmp_path):
    """scan and status on a plain folder say what to do, with exit code 2 and no traceback."""
    for cmd in ("scan", "status"):
        r = sop_docs(cmd, str(tmp_path))
        assert r.returncode == 2
        assert "sop-docs init" in r.stderr
        assert "Traceback" not in r.stderr


def test_a_broken_settings_file_is_reported_in_one_line(tmp_path):
    """A typo in sop.toml names the file and the problem."""
    ws = tmp_path / "kantor"
    sop_docs("init", str(ws))
    (ws / "sop.toml").write_text("[calendar\n", "utf-8")
    r = sop_docs("scan", str(ws))
    assert r.returncode == 3 and "sop.toml" in r.stderr and "Traceback" not in r.stderr


def test_every_command_has_help_with_an_example():
    """Each command documents itself with an example line."""
    for cmd in ("init", "scan", "watch", "status"):
        r = sop_docs(cmd, "--help")
        assert r.returncode == 0 and "Example: sop-docs" in r.stdout
