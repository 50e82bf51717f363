"""Who is who ([[people]]) and how the office is told ([notify]): read and checked at start."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path

import pytest

from sop_docs.bootstrap import load_people, load_sop_ref
from sop_docs.core import notify_settings, people
from sop_docs.core.access import StandIn
from sop_docs.core.addresses import secret_in_clear
from sop_docs.errors import InvalidSettings
from sop_docs.settings import load_settings

SOP = load_sop_ref("pengumuman_informasi_publik")
ROLES = list(SOP.roles)

TEXT = """
[office]
nama = "X"

[[people]]
nama = "Siti Aminah"
user = "siti"
roles = ["kabid_kasubag"]
alamat = ["siti@contoh.go.id"]

[[people]]
nama = "Budi Santoso"
user = "budi"
roles = ["sekretaris"]
pangkat = "Pembina (IV/a)"
nip = "19750101 200003 1 001"
alamat = ["budi@contoh.go.id", "tgram://${TG_TOKEN}/12345"]
"""


def parsed(text: str, stand_ins: tuple[StandIn, ...] = ()) -> people.People:
    raw = tomllib.loads(text)
    return people.parse(raw.get("people"), ROLES, stand_ins, people.header_lines(text, "people"))


def test_holders_are_the_stand_in_within_the_period_and_the_people_outside_it() -> None:
    plh = StandIn("kabid_kasubag", "budi", date(2026, 12, 1), date(2026, 12, 5), "Plh.")
    p = parsed(TEXT, (plh,))
    assert [h.person.nama for h in p.holders("kabid_kasubag", date(2026, 11, 30))] == ["Siti Aminah"]
    during = p.holders("kabid_kasubag", date(2026, 12, 5))
    assert [(h.person.nama, h.title, h.person.nip) for h in during] == \
        [("Budi Santoso", "Plh.", "19750101 200003 1 001")]
    assert p.holders("kabid_kasubag", date(2026, 12, 6))[0].person.user == "siti"
    assert p.holders("kepala_dinas", date(2026, 12, 1)) == []


@pytest.mark.parametrize(("entry", "says"), [
    ('nama = "A"\nroles = ["kadis"]', "line 5 ([[people]] number 2): role 'kadis' is not a role"),
    ('nama = "A"\nalamat = ["siti at contoh"]', "neither an e-mail address nor a URL"),
    ('roles = ["sekretaris"]', "'nama' (the person's full name) is missing"),
    ('nama = "A"\nalamat = ["mailtos://a:rahasia123@mail.contoh.go.id"]', "password in the address"),
    ('nama = "A"\nemail = "a@b.go.id"', "unknown key(s) email"),
    ('nama = "A"\nuser = "siti"', "user 'siti' is named twice"),
])
def test_a_bad_person_is_refused_naming_the_line(entry: str, says: str) -> None:
    text = f'[[people]]\nnama = "Siti"\nuser = "siti"\n\n[[people]]\n{entry}\n'
    with pytest.raises(ValueError, match=None) as e:
        parsed(text)
    assert says in str(e.value)
    assert "rahasia123" not in str(e.value)


def test_a_stand_in_missing_from_people_is_refused() -> None:
    plt = StandIn("kepala_dinas", "joko", date(2026, 12, 1), date(2026, 12, 5), "Plt.")
    with pytest.raises(ValueError, match=r"joko .*is not in \[\[people\]\]"):
        parsed(TEXT, (plt,))


def test_the_workspace_file_is_checked_at_start(tmp_path: Path) -> None:
    (tmp_path / "sop.toml").write_text(
        '[access]\n[[access.stand_in]]\nrole = "kepala_dinas"\nuser = "joko"\n'
        'from = 2026-12-01\nto = 2026-12-05\nas = "Plt."\n\n[[people]]\nnama = "Siti"\n'
        'alamat = ["tgram://123456789:AAFabcdefghijklmnopqrstuv/12345"]\n', "utf-8")
    from sop_docs.bootstrap import load_access
    settings = load_settings(tmp_path)
    with pytest.raises(InvalidSettings, match=r"line 9 .*token in the address") as e:
        load_people(settings, SOP, load_access(settings, SOP))
    assert "AAFabcdefgh" not in str(e.value)


@pytest.mark.parametrize("url", ["mailtos://ppid@mail.go.id?pass=${SMTP}", "tgram://${TG}/12345",
                                 "mailto://127.0.0.1:8025?to=a@b.id", "siti@contoh.go.id"])
def test_a_secret_named_is_not_in_clear(url: str) -> None:
    assert secret_in_clear(url) is None


def test_notify_defaults_and_superiors_from_the_sop() -> None:
    n = notify_settings.parse({}, SOP)
    assert n.reminders == (0.5,) and n.escalate_after == 0.5 and n.digest
    assert n.superior == {"kabid_kasubag": "sekretaris", "fungsional": "kabid_kasubag",
                          "sekretaris": "kepala_dinas"}
    n = notify_settings.parse({"superior": {"sekretaris": "", "kepala_dinas": "sekretaris"},
                               "off": {"kepala_dinas": ["ringkasan"]}}, SOP)
    assert n.superior["kepala_dinas"] == "sekretaris" and "sekretaris" not in n.superior
    assert not n.wants("kepala_dinas", "ringkasan") and n.wants("kepala_dinas", "tiba")


@pytest.mark.parametrize(("raw", "says"), [
    ({"server": "mailtos://ppid:rahasia@mail.go.id"}, "password in the address"),
    ({"server": "smtp.go.id"}, "mailto:// or mailtos://"),
    ({"superior": {"kadis": "sekretaris"}}, "both must be roles"),
    ({"off": {"sekretaris": ["semua"]}}, "must list kinds among"),
    ({"reminders": [1.5]}, "before the deadline"),
    ({"kirim": True}, "unknown key(s) kirim"),
    # an administrator who forgot the scheme: the password must not be echoed as one
    ({"server": "ppid:rahasia@mail.kantor.go.id"}, "not an address without one"),
    ({"server": "ppid:rahasia@mail.kantor.go.id:465"}, "not an address without one"),
    ({"server": 5}, "[notify] server must be text in quotes"),
    ({"retries": "x"}, "[notify] retries must be a whole number of at least 0"),
    ({"retries": 2.5}, "[notify] retries must be a whole number"),
    ({"retry_seconds": -5}, "[notify] retry_seconds must be a number of at least 0"),
    ({"timeout_seconds": 0}, "[notify] timeout_seconds must be a number of at least 1"),
    ({"timeout_seconds": "lama"}, "[notify] timeout_seconds must be a number"),
    ({"attach_max_mb": "besar"}, "[notify] attach_max_mb must be a number"),
    ({"reminders": ["abc"]}, "[notify] reminders must be a positive fraction"),
    ({"reminders": [True]}, "[notify] reminders must be a positive fraction"),
    ({"escalate_after": "x"}, "[notify] escalate_after must be a positive fraction"),
    ({"digest": "false"}, "[notify] digest must be true or false"),
    ({"from": 5}, "[notify] from must be text in quotes"),
    # a line break in From: would write a header line of its own (apprise keeps it)
    ({"from": "PPID\nBcc: evil@contoh.com <ppid@kantor.go.id>"}, "[notify] from must be one line"),
    ({"share_prefix": 5}, "[notify] share_prefix must be text in quotes"),
    ({"secrets_file": 5}, "[notify] secrets_file must be text in quotes"),
    ({"superior": ["sekretaris"]}, "[notify.superior] must be a table"),
    ({"off": 5}, "[notify.off] must be a table"),
])
def test_bad_notify_settings_are_refused(raw: dict[str, object], says: str) -> None:
    with pytest.raises(ValueError) as e:
        notify_settings.parse(raw, SOP)
    assert says in str(e.value) and "rahasia" not in str(e.value)


def test_an_address_of_a_kind_apprise_does_not_know_stops_the_start(tmp_path: Path) -> None:
    """A typo in the scheme (tgrm:// for tgram://) is named at start, not at the first message."""
    from sop_docs.bootstrap import load_access, load_notify

    (tmp_path / "sop.toml").write_text(
        '[[people]]\nnama = "Siti"\nroles = ["fungsional"]\n'
        'alamat = ["siti@contoh.go.id", "tgrm://${TG}/12345"]\n', "utf-8")
    settings = load_settings(tmp_path)
    people = load_people(settings, SOP, load_access(settings, SOP))
    with pytest.raises(InvalidSettings, match=r"line 1 \(\[\[people\]\] Siti\).*kind tgrm://"):
        load_notify(settings, SOP, people)
    (tmp_path / "sop.toml").write_text(
        '[[people]]\nnama = "Siti"\nalamat = ["tgram://${TG}/12345"]\n', "utf-8")
    settings = load_settings(tmp_path)
    load_notify(settings, SOP, load_people(settings, SOP, load_access(settings, SOP)))


def test_a_role_or_stand_in_nobody_can_tell_is_named_once_anyone_has_an_address() -> None:
    """Siti (kabid_kasubag) and Budi (sekretaris) have addresses: the Kepala Dinas and the
    Fungsional have nobody, a Plh. without an address silences the role for the period, and
    e-mail addresses without a mail server go nowhere."""
    bare = TEXT + '\n[[people]]\nnama = "Ani Lestari"\nuser = "ani"\nroles = ["fungsional"]\n'
    plh = StandIn("kabid_kasubag", "ani", date(2026, 12, 1), date(2026, 12, 5), "Plh.")
    gaps = people.untold(parsed(bare, (plh,)), ROLES, mail_server=False)
    assert [g for g in gaps if "nobody holding" in g] == [
        f"[[people]]: nobody holding {r} has an address (alamat): a document waiting at its "
        "steps is told to no one" for r in ROLES if r in ("kepala_dinas", "fungsional")]
    assert any("Ani Lestari (Plh. kabid_kasubag, 2026-12-01–2026-12-05) has no address" in g
               for g in gaps)
    assert any("[notify] server is empty" in g for g in gaps)
    assert not any("server is empty" in g
                   for g in people.untold(parsed(bare), ROLES, mail_server=True))
    assert people.untold(parsed('[[people]]\nnama = "A"\nroles = ["sekretaris"]\n'), ROLES,
                         mail_server=False) == []          # nobody wants to be told: no noise


def test_a_stand_in_without_pangkat_or_nip_is_named_with_its_line() -> None:
    """Siti (no pangkat, no NIP) as Plt. Sekretaris would sign the Pengumuman with empty lines;
    Budi, complete, is not named."""
    plt = StandIn("sekretaris", "siti", date(2026, 12, 1), date(2026, 12, 5), "Plt.")
    ok = StandIn("kabid_kasubag", "budi", date(2026, 12, 1), date(2026, 12, 5), "Plh.")
    assert people.incomplete_stand_ins(parsed(TEXT, (plt, ok))) == [
        "line 5 ([[people]] Siti Aminah, Plt. sekretaris 2026-12-01–2026-12-05): no pangkat and "
        "no nip: the letters they sign would print it empty"]
