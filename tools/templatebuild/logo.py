"""The placeholder logo (`logo.png`): a neutral shield with a star and 'LOGO', drawn pixel by pixel.

Why drawn here and not shipped as a picture: the kop needs some image until the office puts its own
lambang in the workspace, and a few lines of code are its reviewable source. Written with zlib and
struct only (no imaging library), into a PNG whose bytes depend on nothing but this code.
"""

from __future__ import annotations

import math
import struct
import zlib

_Pixel = tuple[int, int, int, int]
_GOLD: _Pixel = (0xC8, 0x9B, 0x1E, 255)
_GREEN: _Pixel = (0x1F, 0x6B, 0x3A, 255)
_WHITE: _Pixel = (255, 255, 255, 255)
_CLEAR: _Pixel = (255, 255, 255, 0)

# A 5x7 pixel font, just the letters of the word drawn.
_GLYPHS = {
    "L": ["10000", "10000", "10000", "10000", "10000", "10000", "11111"],
    "O": ["01110", "10001", "10001", "10001", "10001", "10001", "01110"],
    "G": ["01110", "10001", "10000", "10111", "10001", "10001", "01110"],
}
_TEXT = "LOGO"
_SCALE = 5


class _Shield:
    """The shapes of a `width` x `height` logo: which pixels are shield, rim, star or letters."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height, self.cx = width, height, width / 2
        self.star = _star_points(self.cx, height * 0.36, 48, 19)
        text_w = len(_TEXT) * 6 * _SCALE - _SCALE
        self.tx0, self.ty0 = int(self.cx - text_w / 2), int(height * 0.60)

    def inside(self, x: float, y: float, inset: float) -> bool:
        """Within the shield shrunk by `inset`: straight sides, the lower half narrowing to a point."""
        top, half = 8 + inset, self.width / 2 - 8 - inset
        if y < top or abs(x - self.cx) > half:
            return False
        straight = self.height * 0.5
        if y <= straight:
            return True
        bottom = self.height - 6 - inset
        frac = (y - straight) / (bottom - straight)
        return frac <= 1 and abs(x - self.cx) <= half * math.sqrt(max(0.0, 1 - frac * frac))

    def in_star(self, x: float, y: float) -> bool:
        """Within the five-pointed star (even-odd polygon test)."""
        pts = self.star
        inside = False
        j = len(pts) - 1
        for i in range(len(pts)):
            xi, yi = pts[i]
            xj, yj = pts[j]
            if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
                inside = not inside
            j = i
        return inside

    def in_text(self, x: int, y: int) -> bool:
        """On a lit pixel of the word 'LOGO' below the star."""
        gx, gy = (x - self.tx0) // _SCALE, (y - self.ty0) // _SCALE
        if gy < 0 or gy >= 7 or gx < 0:
            return False
        idx, col = divmod(gx, 6)
        return idx < len(_TEXT) and col < 5 and _GLYPHS[_TEXT[idx]][gy][col] == "1"

    def pixel(self, x: int, y: int) -> _Pixel:
        """Clear outside, a gold rim, a gold star and white letters on green."""
        if not self.inside(x, y, 0):
            return _CLEAR
        if not self.inside(x, y, 7):
            return _GOLD
        if self.in_star(x, y) or self.in_text(x, y):
            return _WHITE if self.in_text(x, y) else _GOLD
        return _GREEN


def _star_points(sx: float, sy: float, ro: float, ri: float) -> list[tuple[float, float]]:
    """The ten corners of a star centred at (sx, sy), outer radius `ro`, inner `ri`, point up."""
    pts = []
    for k in range(10):
        ang = -math.pi / 2 + k * math.pi / 5
        r = ro if k % 2 == 0 else ri
        pts.append((sx + r * math.cos(ang), sy + r * math.sin(ang)))
    return pts


def logo_png(width: int = 200, height: int = 240) -> bytes:
    """A neutral shield with a star and 'LOGO': a placeholder until the office puts its lambang."""
    shield = _Shield(width, height)
    rows = []
    for y in range(height):
        row = bytearray([0])  # PNG filter type 0 (none) before each row
        for x in range(width):
            row.extend(shield.pixel(x, y))
        rows.append(bytes(row))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    phys = struct.pack(">IIB", 11811, 11811, 1)  # 300 dpi
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", ihdr)
        + _chunk(b"pHYs", phys)
        + _chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + _chunk(b"IEND", b"")
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    """One PNG chunk: length, type, data, CRC."""
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )
