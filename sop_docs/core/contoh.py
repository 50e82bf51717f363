"""Which of the office's settings are still the example values `sop-docs init` wrote.

`sop.toml` ships with placeholders (an address marked "# contoh", officials named "NAMA KEPALA
DINAS", example NIPs, no logo so the "LOGO" shield is printed) so that a try-out office can run the
chain at once. Printed on a letter they would look official; this lists them, each with where it is
in sop.toml and what to write instead, so the service can mark its documents and `check`, `status`
and the logs can say what is left. Pure: the caller reads the files and says whether the logo is
the shipped placeholder.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

MARK = "KONSEP — data contoh di sop.toml belum diganti, bukan naskah resmi"

# [office] keys that are examples in the shipped sop.toml, with what they are, in Indonesian.
OFFICE_KEYS = {"alamat": "alamat kantor", "telepon": "nomor telepon kantor",
               "email": "alamat surel (pos-el) kantor", "laman": "laman (situs web) kantor"}
# [officials.<role>] keys that name a person.
OFFICIAL_KEYS = {"nama": "nama", "nip": "NIP"}
_PLACEHOLDER_NAME = re.compile(r"^\s*NAMA(\s|$)")


@dataclass(frozen=True)
class ExampleValue:
    """One example value still in the settings: where it is and what to do about it."""

    section: str
    key: str
    value: str
    explanation: str

    @property
    def where(self) -> str:
        return f"[{self.section}] {self.key}"


def _first_up(text: str) -> str:
    return text[:1].upper() + text[1:]


def _official_label(role: str) -> str:
    return role.replace("_", " ").title().replace("Kabid Kasubag", "Kabid/Kasubag")


def example_values(settings: Mapping[str, Any], shipped: Mapping[str, Any], *,
                   logo_is_placeholder: bool) -> list[ExampleValue]:
    """The example values `settings` (sop.toml merged over the defaults) still holds: those equal
    to the shipped defaults, names written as placeholders ("NAMA ..."), and the logo when the
    shipped placeholder is what would be printed."""
    out: list[ExampleValue] = []
    office, shipped_office = settings.get("office", {}), shipped.get("office", {})
    if logo_is_placeholder:
        out.append(ExampleValue(
            "office", "logo", str(office.get("logo", "")),
            "Logo yang tercetak masih gambar contoh bertulisan 'LOGO'. Simpan logo instansi "
            "(berkas PNG atau JPG) di folder templates/ dan tulis namanya di sop.toml, misalnya "
            'logo = "templates/logo-kalbar.png".'))
    for key, what in OFFICE_KEYS.items():
        value = str(office.get(key, ""))
        if value and value == str(shipped_office.get(key, "")):
            out.append(ExampleValue(
                "office", key, value,
                f"{_first_up(what)} masih contoh ({value}); tulis {what} yang sebenarnya."))
    officials, shipped_officials = settings.get("officials", {}), shipped.get("officials", {})
    for role, person in officials.items():
        label = _official_label(role)
        for key, what in OFFICIAL_KEYS.items():
            value = str(person.get(key, ""))
            example = str(shipped_officials.get(role, {}).get(key, ""))
            placeholder = key == "nama" and _PLACEHOLDER_NAME.match(value) is not None
            if value and (value == example or placeholder):
                out.append(ExampleValue(
                    f"officials.{role}", key, value,
                    f"{_first_up(what)} {label} masih contoh ({value}); tulis {what} pejabat "
                    "yang sebenarnya (dicetak pada blok tanda tangan dan disposisi)."))
    return out
