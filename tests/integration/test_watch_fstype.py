"""Choosing native events or polling from the mount's file-system type."""

from __future__ import annotations

from pathlib import Path

import pytest

from sop_docs.adapters import fstype
from sop_docs.watch import choose_polling

MOUNTS = r"""/dev/vda / ext4 rw,relatime 0 0
proc /proc proc rw 0 0
//fileserver/arsip /mnt/arsip cifs rw,vers=3.0 0 0
fileserver:/export /mnt/nfs nfs4 rw 0 0
/dev/vdb /mnt/arsip/lokal ext4 rw 0 0
//fs/Dinas\040Koperasi /mnt/Dinas\040Koperasi smb3 rw 0 0
user@host:/srv /mnt/ssh fuse.sshfs rw 0 0
"""


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/home/ppid/ws", "ext4"),
        ("/mnt/arsip", "cifs"),
        ("/mnt/arsip/ws/inbox", "cifs"),
        ("/mnt/arsip/lokal/ws", "ext4"),  # the longest mount point wins
        ("/mnt/arsipx", "ext4"),  # a prefix of the name is not a parent folder
        ("/mnt/nfs/ws", "nfs4"),
        ("/mnt/Dinas Koperasi/ws", "smb3"),  # /proc/mounts escapes the space as \040
        ("/mnt/ssh/ws", "fuse.sshfs"),
    ],
)
def test_the_longest_mount_point_gives_the_type(path: str, expected: str) -> None:
    """The mount holding a path is the one with the longest mount point that is a parent of it."""
    assert fstype.type_for(path, fstype.parse_mounts(MOUNTS)) == expected


@pytest.mark.parametrize("kind", ["cifs", "smb3", "smbfs", "nfs", "nfs4", "fuse.sshfs", "9p", "CIFS"])
def test_network_file_systems_need_polling(kind: str) -> None:
    """Native events miss other machines' writes on network file systems."""
    assert fstype.needs_polling(kind)


@pytest.mark.parametrize("kind", ["ext4", "xfs", "btrfs", "tmpfs", "ntfs", "fuseblk", "unknown"])
def test_local_file_systems_use_native_events(kind: str) -> None:
    """Local disks keep native events."""
    assert not fstype.needs_polling(kind)


def test_the_real_mount_table_is_read(tmp_path: Path) -> None:
    """On this machine a temp folder lies on a local file system (or the type is unknown)."""
    kind = fstype.filesystem_type(tmp_path)
    assert kind != ""
    assert not choose_polling(tmp_path, "native")
    assert choose_polling(tmp_path, "polling")
    assert choose_polling(tmp_path, "auto") == fstype.needs_polling(kind)


def test_a_missing_mount_table_means_unknown(tmp_path: Path) -> None:
    """Without /proc/mounts (macOS, containers without /proc) the type is unknown: native events."""
    assert fstype.filesystem_type(tmp_path, tmp_path / "no-such-file") == "unknown"
