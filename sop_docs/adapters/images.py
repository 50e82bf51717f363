"""A proof photo or screenshot made safe and upright for printing, with Pillow.

Why: staff save phone photos (often lying on their side, with the turn only in the EXIF
orientation tag) and screenshots into the proof folders, and the combined print file puts each
on its own page. Pillow decodes the picture under a pixel limit (a crafted image cannot exhaust
memory), turns it by its EXIF orientation, flattens transparency onto white, converts any colour
model (CMYK, palette, grey) to plain RGB and writes it again from its pixels, so nothing of the
file as received (metadata, colour profiles, trailing data) reaches the PDF. Anything Pillow cannot
read is a `ValueError`: the caller lists the proof as not printable.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from io import BytesIO

from PIL import Image, ImageOps, UnidentifiedImageError

__all__ = ["MAX_BYTES", "MAX_PIXELS", "Picture", "printable"]

MAX_BYTES = 40 * 2**20          # a phone photo is 2–12 MB
MAX_PIXELS = 80_000_000         # 80 megapixels: more than any phone camera
MAX_SIDE = 2000                 # long side kept: ~280 dpi across an A4 page, plenty for print
FORMATS = frozenset({"JPEG", "PNG", "GIF", "BMP", "TIFF", "WEBP"})
SHARP = frozenset({"PNG", "GIF", "BMP"})   # screenshots: kept lossless


@dataclass(frozen=True)
class Picture:
    """The picture to print: encoded bytes, its format, and its upright size in pixels."""

    data: bytes
    format: str                 # "JPEG" or "PNG"
    width: int
    height: int


def printable(data: bytes) -> Picture:
    """The picture in `data`, upright, RGB, at most MAX_SIDE pixels long; ValueError if unreadable."""
    if len(data) > MAX_BYTES:
        raise ValueError(f"{len(data)} bytes, more than the limit of {MAX_BYTES}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data), formats=sorted(FORMATS)) as img:
                if img.width * img.height > MAX_PIXELS:
                    raise ValueError(f"{img.width}x{img.height} pixels, more than {MAX_PIXELS}")
                kind = str(img.format)
                img.seek(0)                                  # the first frame of a GIF or TIFF
                long = max(img.width, img.height)
                if kind == "JPEG" and long > MAX_SIDE:       # decode at 1/2, 1/4 ...: a phone
                    img.draft("RGB", (img.width * MAX_SIDE // long,   # photo in a fraction of
                                      img.height * MAX_SIDE // long))  # the time
                img.load()
                upright = ImageOps.exif_transpose(img) or img
                rgb = _flatten(upright)
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError,
            Image.DecompressionBombWarning, EOFError) as e:
        raise ValueError(f"not a readable picture ({type(e).__name__}: {e})") from e
    rgb.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    out = BytesIO()
    fmt = "PNG" if kind in SHARP else "JPEG"
    if fmt == "PNG":
        rgb.save(out, "PNG", optimize=False)
    else:
        rgb.save(out, "JPEG", quality=85)
    return Picture(out.getvalue(), fmt, rgb.width, rgb.height)


def _flatten(img: Image.Image) -> Image.Image:
    """Plain RGB; transparent parts become white paper."""
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        paper = Image.new("RGB", rgba.size, (255, 255, 255))
        paper.paste(rgba, mask=rgba.getchannel("A"))
        return paper
    return img.convert("RGB")
