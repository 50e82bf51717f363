"""Proof pictures made printable (`adapters.images`): upright by EXIF, flattened to RGB, bounded."""

from __future__ import annotations

import struct
import zlib
from io import BytesIO

import pytest
from PIL import Image

from sop_docs.adapters import images


def encoded(img: Image.Image, fmt: str, **kw: object) -> bytes:
    out = BytesIO()
    img.save(out, fmt, **kw)
    return out.getvalue()


def test_a_photo_lying_on_its_side_by_exif_comes_out_upright():
    """Stored 400x200 with orientation 6 (turn 90° clockwise): printed 200x400, left edge on top."""
    img = Image.new("RGB", (400, 200), (0, 0, 255))
    img.paste((255, 0, 0), (0, 0, 200, 200))
    exif = Image.Exif()
    exif[0x0112] = 6
    pic = images.printable(encoded(img, "JPEG", exif=exif))
    assert (pic.format, pic.width, pic.height) == ("JPEG", 200, 400)
    out = Image.open(BytesIO(pic.data))
    assert out.getpixel((100, 20))[0] > 200 and out.getpixel((100, 380))[2] > 200
    assert "exif" not in out.info                      # written again from its pixels


def test_a_transparent_screenshot_is_flattened_onto_white_and_kept_lossless():
    img = Image.new("RGBA", (50, 30), (0, 0, 0, 0))
    pic = images.printable(encoded(img, "PNG"))
    out = Image.open(BytesIO(pic.data))
    assert pic.format == "PNG" and out.mode == "RGB" and out.getpixel((10, 10)) == (255, 255, 255)


def test_a_cmyk_photo_becomes_rgb_and_a_big_one_is_scaled_down():
    pic = images.printable(encoded(Image.new("CMYK", (5000, 2500), (0, 0, 0, 0)), "JPEG"))
    assert Image.open(BytesIO(pic.data)).mode == "RGB"
    assert (pic.width, pic.height) == (images.MAX_SIDE, images.MAX_SIDE // 2)


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares `width` x `height` pixels (a decompression bomb)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64))
            + chunk(b"IEND", b""))


@pytest.mark.parametrize("data", [png_claiming(60_000, 60_000), b"\xff\xd8\xff\xe0" + b"junk" * 50,
                                  b"<svg onload='x'/>", b"\x89PNG\r\n\x1a\n" + b"1" * 64])
def test_a_bomb_a_broken_picture_or_another_type_is_refused_as_valueerror(data):
    with pytest.raises(ValueError):
        images.printable(data)
