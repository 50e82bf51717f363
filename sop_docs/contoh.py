"""The example values still in a workspace's `sop.toml`, read from its files (`core.contoh` decides).

Why the service marks instead of refusing: a try-out office runs the whole chain on the shipped
settings, and stopping it would stop the try-out; a mark on every document ("KONSEP — data contoh
...", and a diagonal watermark) keeps the chain running while nothing it prints can pass for an
official letter. The mark goes as soon as the values are replaced and the service restarted.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

from sop_docs.core.contoh import MARK, ExampleValue, example_values
from sop_docs.settings import Settings, default_settings_text


def printed_logo(root: Path, settings: Settings, templates: Path) -> Path | None:
    """The picture the documents print as the logo (as `Paperwork` chooses it), if any."""
    logo = settings.office.get("logo", "")
    path = root / logo if logo else templates / "logo.png"
    return path if path.is_file() else None


def _is_placeholder(path: Path | None) -> bool:
    if path is None:
        return False
    shipped = resources.files("sop_docs").joinpath("templates/logo.png").read_bytes()
    try:
        return path.read_bytes() == shipped
    except OSError:
        return False


def find(root: Path, settings: Settings, templates: Path) -> list[ExampleValue]:
    """Every example value the workspace's documents would print."""
    shipped = tomllib.loads(default_settings_text())
    return example_values(settings.raw, shipped,
                          logo_is_placeholder=_is_placeholder(printed_logo(root, settings,
                                                                           templates)))


def mark(found: list[ExampleValue]) -> str | None:
    """The line printed on every document while example values remain, or None."""
    return MARK if found else None


def summary(found: list[ExampleValue]) -> str:
    """One line for logs and `status`: how many, and where."""
    keys = ", ".join(v.where for v in found)
    return (f"sop.toml masih berisi {len(found)} nilai contoh ({keys}); semua dokumen diberi "
            "tanda KONSEP sampai nilai itu diganti dan layanan dijalankan ulang. Lihat "
            "`sop-docs check`.")
