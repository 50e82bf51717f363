"""Which example values of the shipped sop.toml are still in an office's settings."""

from __future__ import annotations

import copy
import tomllib

from sop_docs.core.contoh import example_values
from sop_docs.settings import default_settings_text

SHIPPED = tomllib.loads(default_settings_text())


def real_office() -> dict:
    """The shipped settings with every example value replaced by an office's own."""
    s = copy.deepcopy(SHIPPED)
    s["office"].update(alamat="Jalan Ahmad Yani Nomor 1", telepon="(0561) 700000",
                       email="ppid@contoh-kantor.go.id", laman="ppid.kantor.go.id",
                       logo="templates/logo-kantor.png")
    for i, person in enumerate(s["officials"].values()):
        person.update(nama=f"Drs. PEJABAT KE-{i}", nip=f"1981020{i} 200901 1 00{i}")
    return s


def test_the_shipped_settings_list_every_example_with_its_key():
    """Logo, address, phone, e-mail, web site, and each official's name and NIP."""
    found = example_values(SHIPPED, SHIPPED, logo_is_placeholder=True)
    where = {v.where for v in found}
    assert {"[office] logo", "[office] alamat", "[office] telepon", "[office] email",
            "[office] laman"} <= where
    for role in SHIPPED["officials"]:
        assert {f"[officials.{role}] nama", f"[officials.{role}] nip"} <= where
    assert len(where) == 5 + 2 * len(SHIPPED["officials"])
    kadis = next(v for v in found if v.where == "[officials.kepala_dinas] nama")
    assert kadis.value == "NAMA KEPALA DINAS" and "Kepala Dinas masih contoh" in kadis.explanation


def test_replaced_values_and_a_real_logo_list_nothing():
    """Once the office wrote its own data, nothing is an example."""
    assert example_values(real_office(), SHIPPED, logo_is_placeholder=False) == []


def test_a_placeholder_name_that_differs_from_the_shipped_one_is_still_an_example():
    """'NAMA PLT KEPALA DINAS' is a placeholder though not the shipped text."""
    s = real_office()
    s["officials"]["kepala_dinas"]["nama"] = "NAMA PLT KEPALA DINAS"
    [v] = example_values(s, SHIPPED, logo_is_placeholder=False)
    assert v.where == "[officials.kepala_dinas] nama"


def test_only_the_placeholder_logo_counts_as_an_example():
    """The logo is listed when what is printed is the shipped shield, whatever the setting."""
    [v] = example_values(real_office(), SHIPPED, logo_is_placeholder=True)
    assert v.where == "[office] logo" and "logo" in v.explanation.lower()
