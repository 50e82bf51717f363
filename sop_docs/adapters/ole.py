"""Just enough of the OLE compound file format ([MS-CFB]) to list its streams and read their start.

Legacy Word documents (.doc) and password-protected Office files of every kind are OLE containers,
and the sniffer must tell them apart from their bytes alone (which streams exist, the Word header's
encryption flag). No library does only that without parsing or decrypting more, so this reader is
stdlib only, bounded by the file's own length, and refuses a broken structure with one error
(`OleError`) that the sniffer turns into a "corrupt" verdict.
"""

from __future__ import annotations

import struct


class OleError(Exception):
    """The container's structure is broken; the message says where (English, for the administrator)."""


_FREE, _END = 0xFFFFFFFF, 0xFFFFFFFE
_MAX_REGULAR = 0xFFFFFFFA


class CompoundFile:
    """Just enough of [MS-CFB] to list the directory and read the start of a stream."""

    def __init__(self, data: bytes) -> None:
        if len(data) < 512:
            raise OleError("OLE header truncated")
        self.data = data
        sector_shift, mini_shift = struct.unpack_from("<HH", data, 30)
        if sector_shift not in (9, 12) or mini_shift != 6:
            raise OleError(f"OLE header with sector shift {sector_shift}/{mini_shift}")
        self.sector_size = 1 << sector_shift
        self.n_sectors = (len(data) - 512 + self.sector_size - 1) // self.sector_size
        (n_fat, first_dir) = struct.unpack_from("<II", data, 44)
        self.mini_cutoff, self.first_minifat = struct.unpack_from("<II", data, 56)
        first_difat, n_difat = struct.unpack_from("<II", data, 68)
        fat_sectors = [s for s in struct.unpack_from("<109I", data, 76) if s < _MAX_REGULAR]
        difat_sector, seen = first_difat, 0
        per_difat = self.sector_size // 4 - 1
        while difat_sector < _MAX_REGULAR and seen <= n_difat and seen <= self.n_sectors:
            block = self._sector(difat_sector)
            values = struct.unpack_from(f"<{per_difat + 1}I", block)
            fat_sectors.extend(s for s in values[:per_difat] if s < _MAX_REGULAR)
            difat_sector, seen = values[per_difat], seen + 1
        fat_sectors = fat_sectors[: max(n_fat, 0) or len(fat_sectors)]
        self.fat: list[int] = []
        for sector in fat_sectors:
            block = self._sector(sector)
            self.fat.extend(struct.unpack_from(f"<{self.sector_size // 4}I", block))
        self.entries = self._directory(first_dir)

    def _sector(self, index: int) -> bytes:
        start = (index + 1) * self.sector_size
        block = self.data[start : start + self.sector_size]
        if index >= _MAX_REGULAR or len(block) < self.sector_size:
            raise OleError(f"OLE sector {index} lies beyond the end of the file")
        return block

    def _chain(self, start: int, fat: list[int]) -> list[int]:
        chain: list[int] = []
        sector = start
        while sector != _END:
            if sector >= len(fat) or len(chain) > len(fat):
                raise OleError("OLE sector chain is broken or loops")
            chain.append(sector)
            sector = fat[sector]
        return chain

    def _directory(self, first_dir: int) -> dict[str, tuple[int, int, int]]:
        """Entry name -> (type, start sector, size), for every directory entry."""
        raw = b"".join(self._sector(s) for s in self._chain(first_dir, self.fat))
        entries: dict[str, tuple[int, int, int]] = {}
        for offset in range(0, len(raw) - 127, 128):
            name_len, kind = struct.unpack_from("<HB", raw, offset + 64)
            if kind not in (1, 2, 5) or not 2 <= name_len <= 64:
                continue
            name = raw[offset : offset + name_len - 2].decode("utf-16-le", "replace")
            start, size = struct.unpack_from("<IQ", raw, offset + 116)
            if self.sector_size == 512:
                size &= 0xFFFFFFFF
            if kind == 5:
                self.root = (start, size)
            entries.setdefault(name, (kind, start, size))
        if not hasattr(self, "root"):
            raise OleError("OLE directory without a root entry")
        return entries

    def read_start(self, name: str, length: int) -> bytes:
        """The first `length` bytes of stream `name` (from the mini stream if it is small)."""
        _, start, size = self.entries[name]
        length = min(length, size)
        if size >= self.mini_cutoff:
            chain = self._chain(start, self.fat)
            need = -(-length // self.sector_size)
            return b"".join(self._sector(s) for s in chain[:need])[:length]
        minifat: list[int] = []
        for sector in self._chain(self.first_minifat, self.fat):
            minifat.extend(struct.unpack_from(f"<{self.sector_size // 4}I", self._sector(sector)))
        mini_stream = b"".join(self._sector(s) for s in self._chain(self.root[0], self.fat))
        out = b"".join(mini_stream[m * 64 : m * 64 + 64] for m in self._chain(start, minifat))
        return out[:length]
