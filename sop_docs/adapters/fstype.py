"""Which file system a folder lives on, and whether native file events can be trusted there.

inotify (and the other native APIs) only report changes made through the local kernel: on a CIFS/SMB
or NFS client mount, saves made by other machines produce no event at all (PITFALLS.md §1.1,
watchdog #409/#504). The watcher therefore looks up the mount's file-system type and polls on
network and virtual file systems. Linux reads `/proc/mounts` (longest mount-point prefix wins);
Windows asks whether the drive is remote; elsewhere the type is unknown and native events are used.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

# File systems where changes made by another machine (or the host of a VM) bypass the local kernel.
_POLLING_TYPES = frozenset(
    {
        "cifs",
        "smb",
        "smb2",
        "smb3",
        "smbfs",
        "nfs",
        "nfs4",
        "afs",
        "ncpfs",
        "9p",
        "virtiofs",
        "vboxsf",
        "vmhgfs",
        "drvfs",
        "davfs",
        "ceph",
        "glusterfs",
        "lustre",
        "gpfs",
        "beegfs",
        "ocfs2",
        "gfs2",
    }
)

# FUSE file systems that front a remote store ("fuse.sshfs", "fuse.rclone", ...): all polled, except
# the few that are known to be local.
_LOCAL_FUSE = frozenset({"fuse.ntfs-3g", "fuseblk", "fuse.bindfs"})

UNKNOWN = "unknown"
WINDOWS_REMOTE = "smb"


def _unescape(field: str) -> str:
    """Undo the octal escapes /proc/mounts uses for space, tab, newline and backslash."""
    out: list[str] = []
    i = 0
    while i < len(field):
        if field[i] == "\\" and i + 3 < len(field) and field[i + 1 : i + 4].isdigit():
            out.append(chr(int(field[i + 1 : i + 4], 8)))
            i += 4
        else:
            out.append(field[i])
            i += 1
    return "".join(out)


def parse_mounts(text: str) -> list[tuple[str, str]]:
    """(mount point, fs type) pairs from the text of /proc/mounts, in file order."""
    mounts: list[tuple[str, str]] = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) >= 3:
            mounts.append((_unescape(fields[1]), fields[2]))
    return mounts


def type_for(path: str, mounts: list[tuple[str, str]]) -> str:
    """Type of the mount with the longest mount point containing `path`; later mounts win ties."""
    best, best_len = UNKNOWN, -1
    for point, fstype in mounts:
        prefix = point.rstrip("/") + "/"
        if (path == point or path.startswith(prefix) or point == "/") and len(point) >= best_len:
            best, best_len = fstype, len(point)
    return best


def _windows_type(path: Path) -> str:
    """`smb` for UNC paths and mapped network drives, else `ntfs` (enough to pick the observer)."""
    text = str(path)
    if text.startswith(("\\\\", "//")):
        return WINDOWS_REMOTE
    import ctypes

    drive_remote = 4
    root = os.path.splitdrive(text)[0] + "\\"
    kind = ctypes.windll.kernel32.GetDriveTypeW(root)  # type: ignore[attr-defined]
    return WINDOWS_REMOTE if kind == drive_remote else "ntfs"


def filesystem_type(path: Path | str, mounts_file: Path = Path("/proc/mounts")) -> str:
    """File-system type of the mount holding `path` (e.g. `ext4`, `cifs`, `nfs4`), or `unknown`."""
    resolved = Path(path).resolve()
    if sys.platform == "win32":
        return _windows_type(resolved)
    try:
        text = mounts_file.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return UNKNOWN
    return type_for(str(resolved), parse_mounts(text))


def needs_polling(fstype: str) -> bool:
    """True where native events miss other machines' writes, so the watcher must poll."""
    kind = fstype.lower()
    if kind in _POLLING_TYPES:
        return True
    return kind.startswith("fuse.") and kind not in _LOCAL_FUSE
