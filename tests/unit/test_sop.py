"""The SOP as data: the shipped SOP loads as written, and every kind of malformed SOP is refused by name."""

import copy
import tomllib
from importlib import resources

import pytest

from sop_docs.core.sop import Duration, load_sop, parse_duration
from sop_docs.errors import InvalidSop


def shipped_data() -> dict:
    text = resources.files("sop_docs").joinpath("sops/pengumuman_informasi_publik.toml").read_text("utf-8")
    return tomllib.loads(text)


def step_of(data: dict, number: int) -> dict:
    return next(s for s in data["steps"] if s["number"] == number)


def test_the_shipped_sop_loads_with_six_steps_in_order():
    """The shipped SOP has steps 1..6 with the roles and kinds of the original document."""
    sop = load_sop(shipped_data())
    assert sorted(sop.steps) == [1, 2, 3, 4, 5, 6]
    assert [(s.role, s.kind) for s in sop.steps.values()] == [
        ("kabid_kasubag", "intake"),
        ("fungsional", "submit"),
        ("kabid_kasubag", "review"),
        ("sekretaris", "review"),
        ("kepala_dinas", "review"),
        ("fungsional", "publish"),
    ]
    assert sop.case_prefix == "PIP"
    assert sop.first_step.number == 1


def test_the_shipped_sop_sends_each_review_where_the_original_says():
    """3 goes to 4 or back to 2; 4 goes to 5 or back to 3; 5 goes to 6 or back to 3."""
    sop = load_sop(shipped_data())
    assert sop.step(1).next == 2
    assert sop.step(2).next == 3
    assert (sop.step(3).sesuai, sop.step(3).belum_sesuai) == (4, 2)
    assert (sop.step(4).sesuai, sop.step(4).belum_sesuai) == (5, 3)
    assert (sop.step(5).sesuai, sop.step(5).belum_sesuai) == (6, 3)
    assert sop.step(5).produce_on_sesuai == ("pengumuman",)
    assert sop.step(6).proofs == ("bukti_online", "bukti_offline")


def test_the_shipped_sop_carries_the_standard_times_of_the_original():
    """15 minutes, 1 day, 1 hour, 1 hour, 10 minutes, 15 minutes."""
    sop = load_sop(shipped_data())
    assert [s.time for s in sop.steps.values()] == [
        Duration(minutes=15), Duration(days=1), Duration(minutes=60),
        Duration(minutes=60), Duration(minutes=10), Duration(minutes=15),
    ]
    assert [str(s.time) for s in sop.steps.values()] == [
        "15 menit", "1 hari kerja", "1 jam", "1 jam", "10 menit", "15 menit"]


def test_the_shipped_sop_knows_its_intake_role_proof_folders_and_kinds():
    """Kabid/Kasubag opens cases; the Fungsional saves both proofs; berkala is the default kind."""
    sop = load_sop(shipped_data())
    assert sop.intake_roles() == {"kabid_kasubag"}
    assert sop.proof_folders() == {"fungsional": ("bukti_online", "bukti_offline")}
    assert sop.kind(None).key == "berkala"
    assert sop.kind("serta_merta").name == "Serta Merta"
    assert sop.kind("tidak_ada").key == "berkala"
    assert sop.step(3).title == "3 - Pemeriksaan Kabid/Kasubag"
    assert sop.documents["pengumuman"].numbered


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15 minutes", Duration(minutes=15)),
        ("1 minute", Duration(minutes=1)),
        ("10 menit", Duration(minutes=10)),
        ("1 hour", Duration(minutes=60)),
        ("2 jam", Duration(minutes=120)),
        (" 1 Day ", Duration(days=1)),
        ("3 hari", Duration(days=3)),
        ("2 working days", Duration(days=2)),
        ("1 hari kerja", Duration(days=1)),
    ],
)
def test_standard_times_are_read_in_english_and_indonesian(text, expected):
    """Minutes, hours and days, singular or plural, in either language."""
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "text", ["", "15", "quarter hour", "1.5 hours", "-1 day", "1 week", "15 minutes later"])
def test_unreadable_standard_times_are_refused(text):
    """A time the engine cannot measure is refused, quoting the text."""
    with pytest.raises(InvalidSop, match="cannot read the time"):
        parse_duration(text)


def malformed(change) -> dict:
    data = copy.deepcopy(shipped_data())
    change(data)
    return data


def _unknown_role(d):
    step_of(d, 4)["role"] = "bupati"


def _sesuai_to_missing(d):
    step_of(d, 4)["sesuai"] = 9


def _unreachable(d):
    d["steps"].append({"number": 7, "name": "Arsip", "role": "fungsional", "kind": "submit",
                       "time": "1 hour", "next": 6})


def _review_without_return(d):
    del step_of(d, 3)["belum_sesuai"]


def _duplicate_number(d):
    step_of(d, 4)["number"] = 3


def _bad_time(d):
    step_of(d, 2)["time"] = "satu hari"


def _no_publish(d):
    d["steps"] = [s for s in d["steps"] if s["number"] != 6]
    step_of(d, 5)["sesuai"] = 2


def _publish_without_proofs(d):
    del step_of(d, 6)["proofs"]


def _unknown_kind(d):
    step_of(d, 2)["kind"] = "approve"


def _unknown_document(d):
    step_of(d, 5)["produce_on_sesuai"] = ["surat_keputusan"]


def _first_not_intake(d):
    step_of(d, 1)["kind"] = "submit"


def _return_to_intake(d):
    step_of(d, 3)["belum_sesuai"] = 1


def _no_return_note(d):
    del d["documents"]["nota_pengembalian"]


def _bad_prefix(d):
    d["sop"]["case_prefix"] = "pip-"


def _missing_name(d):
    del step_of(d, 2)["name"]


def _no_steps(d):
    d["steps"] = []


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (_unknown_role, "step 4: unknown role 'bupati'"),
        (_sesuai_to_missing, "step 4: 'sesuai' leads to step 9, which does not exist"),
        (_unreachable, r"step\(s\) \[7\] can never be reached"),
        (_review_without_return, "step 3: 'belum_sesuai' is missing"),
        (_duplicate_number, "step 3: the number is used twice"),
        (_bad_time, "cannot read the time 'satu hari'"),
        (_no_publish, "one step must be of kind 'publish'"),
        (_publish_without_proofs, "step 6: a publish step must name its proofs"),
        (_unknown_kind, "step 2: kind must be one of"),
        (_unknown_document, "step 5: unknown document 'surat_keputusan'"),
        (_first_not_intake, "the first step must be an intake step"),
        (_return_to_intake, "step 3: 'belum_sesuai' leads back to an intake step"),
        (_no_return_note, "nota_pengembalian"),
        (_bad_prefix, "case_prefix"),
        (_missing_name, "step 2: 'name' is missing"),
        (_no_steps, "steps"),
    ],
    ids=lambda v: v.__name__.strip("_") if callable(v) else "message",
)
def test_a_malformed_sop_is_refused_naming_the_problem(change, problem):
    """Each kind of malformed SOP raises InvalidSop whose message names what is wrong."""
    with pytest.raises(InvalidSop, match=problem):
        load_sop(malformed(change))


def test_a_second_intake_step_is_refused():
    """Only the first step may open a case from a file."""
    def change(d):
        step_of(d, 2)["kind"] = "intake"
        step_of(d, 1)["next"] = 3
        step_of(d, 3)["belum_sesuai"] = 4
    with pytest.raises(InvalidSop):
        load_sop(malformed(change))


def test_a_file_without_an_sop_header_is_refused():
    """No [sop] table, no roles or no steps: the message says which is missing."""
    for key in ("sop", "roles", "steps"):
        data = shipped_data()
        del data[key]
        with pytest.raises(InvalidSop, match=f"'{key}' is missing"):
            load_sop(data)
