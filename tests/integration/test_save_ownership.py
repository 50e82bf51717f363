"""How LibreOffice saves a file another user owns: the measurement behind the per-role registers.

A decision is attributed to the owner of the file that carries it. That holds only if a save makes
the saver the owner. Measured here with a real LibreOffice run as a second Unix user: in a folder
the saver may write, LibreOffice writes a new file and renames it over the old one, so the saver
becomes the owner. Measured by hand (too slow for the suite: LibreOffice waits minutes on the lock
file it cannot create): in a folder the saver may not write but a file they may, it saves in place
and the previous owner stays, and anyone with write access to a file can write it in place. So one
register writable by every reviewer could carry a decision under someone else's name; a register
per role, in a folder only that role's group can write, cannot (and a file still owned by the
service there was saved in place by a member).
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from tests import lo

SAVE = r'''
import os, subprocess, sys, time, uno
from com.sun.star.beans import PropertyValue
from com.sun.star.connection import NoConnectException

def props(**kw):
    out = []
    for k, v in kw.items():
        p = PropertyValue(); p.Name, p.Value = k, v; out.append(p)
    return tuple(out)

pipe, profile, path = sys.argv[1], sys.argv[2], sys.argv[3]
office = subprocess.Popen(["soffice", "-env:UserInstallation=file://" + profile, "--headless",
                           "--norestore", "--nologo", "--accept=pipe,name=%s;urp;" % pipe],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                          start_new_session=True)
local = uno.getComponentContext()
resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
for _ in range(600):
    try:
        ctx = resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
        break
    except NoConnectException:
        time.sleep(0.1)
desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(path), "_blank", 0, props(Hidden=True))
doc.Sheets.getByIndex(0).getCellByPosition(1, 0).setString("disimpan")
doc.store()
doc.close(True)
print("saved", flush=True)
import signal
os.killpg(office.pid, signal.SIGKILL)   # the whole office: a clean exit may wait on a lock file
office.wait(timeout=60)
'''


@pytest.fixture
def two_users():
    """Two users of one group (made here; the tests run as root)."""
    subprocess.run(["groupadd", "-f", "ppid_uji"], check=True)
    for user in ("ppid_pemilik", "ppid_penyimpan"):
        try:
            pwd.getpwnam(user)
        except KeyError:
            subprocess.run(["useradd", "-m", "-G", "ppid_uji", user], check=True)
    return "ppid_pemilik", "ppid_penyimpan"


def save_as(user: str, path: Path, work: Path) -> None:
    script = work / "save.py"
    script.write_text(SAVE, encoding="utf-8")
    script.chmod(0o644)
    profile = Path(tempfile.mkdtemp(prefix="lo-profile-", dir="/tmp"))
    shutil.chown(profile, user)
    try:
        r = subprocess.run(["runuser", "-u", user, "--", "env", f"HOME={pwd.getpwnam(user).pw_dir}",
                            "/usr/bin/python3", str(script), f"sopdocs_uji_{os.getpid()}",
                            str(profile), str(path)], timeout=240, capture_output=True, text=True)
        assert r.returncode == 0, r.stdout + r.stderr
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def a_register(folder: Path, owner: str) -> Path:
    path = folder / "register.xlsx"
    wb = Workbook()
    wb.active["A1"] = "PIP-2026-0001"
    wb.save(path)
    shutil.chown(path, owner, "ppid_uji")
    path.chmod(0o664)
    return path


@pytest.mark.libreoffice
def test_a_save_by_libreoffice_makes_the_saver_the_owner_where_the_folder_lets_them(two_users):
    """Folder writable by the group: the saved file is a new file owned by the saver."""
    lo.require_libreoffice()
    owner, saver = two_users
    work = Path(tempfile.mkdtemp(prefix="sopdocs-save-", dir="/tmp"))
    try:
        shutil.chown(work, "root", "ppid_uji")
        work.chmod(0o2775)
        path = a_register(work, owner)
        before = path.stat().st_ino
        save_as(saver, path, work)
        assert pwd.getpwuid(path.stat().st_uid).pw_name == saver
        assert path.stat().st_ino != before, "written anew and renamed over the old one"
        assert load_workbook(path).active["B1"].value == "disimpan"
    finally:
        shutil.rmtree(work, ignore_errors=True)
