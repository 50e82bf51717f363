"""The case state machine: every legal move of the shipped SOP, every illegal one, and random walks."""

import tomllib
from importlib import resources

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from sop_docs.core.case import (
    BELUM_SESUAI,
    DECISIONS,
    SELESAI,
    SESUAI,
    AddProof,
    CaseState,
    Decide,
    Submit,
    Transition,
    advance,
    open_case,
)
from sop_docs.core.sop import load_sop
from sop_docs.errors import IllegalMove

SOP = load_sop(tomllib.loads(
    resources.files("sop_docs").joinpath("sops/pengumuman_informasi_publik.toml").read_text("utf-8")))
ROLES = ("kabid_kasubag", "fungsional", "sekretaris", "kepala_dinas")
BOTH = frozenset({"bukti_online", "bukti_offline"})


def test_opening_a_case_puts_it_at_drafting_with_the_disposition_and_skeleton():
    """The intake step is done at once: step 2, disposition and concept go to the Fungsional."""
    t = open_case(SOP)
    assert t.state == CaseState(2)
    assert t.produce == ("disposisi", "konsep")
    assert t.deliver_to == "fungsional"
    assert not t.return_note and not t.closed
    assert "Fungsional" in t.message


@pytest.mark.parametrize(
    ("step", "action", "state", "deliver_to", "produce", "returned"),
    [
        (2, Submit("fungsional"), CaseState(3), "kabid_kasubag", (), False),
        (3, Decide(SESUAI), CaseState(4), "sekretaris", (), False),
        (3, Decide(BELUM_SESUAI), CaseState(2), "fungsional", (), True),
        (3, Submit("kabid_kasubag"), CaseState(3), "kabid_kasubag", (), False),
        (4, Decide(SESUAI), CaseState(5), "kepala_dinas", (), False),
        (4, Decide(BELUM_SESUAI), CaseState(3), "kabid_kasubag", (), True),
        (4, Submit("sekretaris"), CaseState(4), "sekretaris", (), False),
        (5, Decide(SESUAI), CaseState(6), "fungsional", ("pengumuman",), False),
        (5, Decide(BELUM_SESUAI), CaseState(3), "kabid_kasubag", (), True),
        (5, Submit("kepala_dinas"), CaseState(5), "kepala_dinas", (), False),
    ],
)
def test_every_legal_move_of_the_shipped_sop(step, action, state, deliver_to, produce, returned):
    """Each step's allowed action leads exactly where the SOP says, with the documents it names."""
    t = advance(SOP, CaseState(step), action)
    assert t.state == state
    assert t.deliver_to == deliver_to
    assert t.produce == produce
    assert t.returned is returned
    assert t.return_note is returned
    assert not t.closed
    assert t.message


def test_proofs_are_collected_one_by_one_and_selesai_closes_the_case():
    """At publishing each proof is kept, the message names what is missing, then Selesai closes."""
    t1 = advance(SOP, CaseState(6), AddProof("fungsional", "bukti_online"))
    assert t1.state == CaseState(6, proofs=frozenset({"bukti_online"}))
    assert "bukti_offline" in t1.message
    t2 = advance(SOP, t1.state, AddProof("fungsional", "bukti_offline"))
    assert t2.state == CaseState(6, proofs=BOTH)
    assert SELESAI in t2.message
    again = advance(SOP, t2.state, AddProof("fungsional", "bukti_online"))
    assert again.state == t2.state
    done = advance(SOP, t2.state, Decide(SELESAI))
    assert done.state == CaseState(6, closed=True, proofs=BOTH)
    assert done.closed
    assert done.deliver_to is None


def test_a_whole_case_with_two_returns_ends_closed():
    """Push a realistic sequence of events in and check the whole state that comes out."""
    state = open_case(SOP).state
    walk = [
        (Submit("fungsional"), 3), (Decide(BELUM_SESUAI), 2), (Submit("fungsional"), 3),
        (Decide(SESUAI), 4), (Decide(BELUM_SESUAI), 3), (Submit("kabid_kasubag"), 3),
        (Decide(SESUAI), 4), (Decide(SESUAI), 5), (Decide(SESUAI), 6),
        (AddProof("fungsional", "bukti_offline"), 6), (AddProof("fungsional", "bukti_online"), 6),
    ]
    for action, expected in walk:
        state = advance(SOP, state, action).state
        assert state.step == expected
    assert advance(SOP, state, Decide(SELESAI)).state == CaseState(6, closed=True, proofs=BOTH)


@pytest.mark.parametrize(
    ("step", "role"),
    [(s, r) for s in (2, 3, 4, 5, 6) for r in ROLES if r != SOP.step(s).role],
)
def test_submit_from_a_role_that_does_not_hold_the_step_is_illegal(step, role):
    """Only the holder of the current step may save a document for it."""
    with pytest.raises(IllegalMove, match="bukan menunggu dokumen"):
        advance(SOP, CaseState(step), Submit(role))


def test_submit_from_a_role_outside_the_sop_is_illegal():
    """A role the SOP does not know is refused with IllegalMove, not a crash."""
    with pytest.raises(IllegalMove):
        advance(SOP, CaseState(2), Submit("tamu"))


@pytest.mark.parametrize("step", [3, 4, 5])
def test_selesai_at_a_review_step_is_illegal(step):
    """A reviewer must choose Sesuai or Belum Sesuai."""
    with pytest.raises(IllegalMove, match="pilih Sesuai atau Belum Sesuai"):
        advance(SOP, CaseState(step), Decide(SELESAI))


@pytest.mark.parametrize("decision", [SESUAI, BELUM_SESUAI])
def test_a_review_decision_at_the_publish_step_is_illegal(decision):
    """Publishing ends with Selesai only."""
    with pytest.raises(IllegalMove, match="pilih Selesai"):
        advance(SOP, CaseState(6, proofs=BOTH), Decide(decision))


@pytest.mark.parametrize("decision", [*DECISIONS, "Mungkin"])
def test_any_decision_while_the_concept_is_being_drafted_is_illegal(decision):
    """Step 2 waits for a document, not for the register."""
    with pytest.raises(IllegalMove, match="tidak menunggu keputusan"):
        advance(SOP, CaseState(2), Decide(decision))


def test_an_unknown_decision_at_a_review_step_is_illegal():
    """Only the canonical words move a case (normalising is done before)."""
    with pytest.raises(IllegalMove):
        advance(SOP, CaseState(3), Decide("sesuai"))


@pytest.mark.parametrize("proofs", [frozenset(), {"bukti_online"}, {"bukti_offline"}])
def test_selesai_without_both_proofs_is_illegal_and_names_what_is_missing(proofs):
    """The SOP asks for proof in online and offline media."""
    with pytest.raises(IllegalMove, match="bukti belum lengkap") as err:
        advance(SOP, CaseState(6, proofs=frozenset(proofs)), Decide(SELESAI))
    for p in BOTH - set(proofs):
        assert p in str(err.value)


@pytest.mark.parametrize("step", [2, 3, 4, 5])
def test_a_proof_before_the_publish_step_is_illegal(step):
    """Proofs are taken only once the announcement is approved."""
    with pytest.raises(IllegalMove, match="belum tahap publikasi"):
        advance(SOP, CaseState(step), AddProof("fungsional", "bukti_online"))


def test_a_proof_from_another_role_or_of_an_unknown_kind_is_illegal():
    """Only the publishing role, and only the proofs the SOP names."""
    with pytest.raises(IllegalMove):
        advance(SOP, CaseState(6), AddProof("kepala_dinas", "bukti_online"))
    with pytest.raises(IllegalMove, match="tidak dikenal"):
        advance(SOP, CaseState(6), AddProof("fungsional", "bukti_lain"))


def test_a_document_at_the_publish_step_is_illegal():
    """At publishing the Fungsional saves proofs, not another concept."""
    with pytest.raises(IllegalMove, match="simpan bukti"):
        advance(SOP, CaseState(6), Submit("fungsional"))


@pytest.mark.parametrize(
    "action",
    [Submit("fungsional"), Decide(SELESAI), Decide(SESUAI), AddProof("fungsional", "bukti_online")],
)
def test_anything_on_a_closed_case_is_illegal(action):
    """A closed case is archived; nothing moves it again."""
    with pytest.raises(IllegalMove, match="sudah selesai"):
        advance(SOP, CaseState(6, closed=True, proofs=BOTH), action)


# ---------------------------------------------------------------- random walks

def legal(state: CaseState, action) -> bool:
    """An independent reading of the SOP table: is this action allowed now?"""
    if state.closed:
        return False
    step = SOP.step(state.step)
    if isinstance(action, Submit):
        return action.role == step.role and step.kind in ("submit", "review")
    if isinstance(action, AddProof):
        return step.kind == "publish" and action.role == step.role and action.proof in step.proofs
    if step.kind == "review":
        return action.decision in (SESUAI, BELUM_SESUAI)
    if step.kind == "publish":
        return action.decision == SELESAI and set(step.proofs) <= state.proofs
    return False


class CaseMachine(RuleBasedStateMachine):
    """Random sequences of actions against the shipped SOP."""

    def __init__(self) -> None:
        super().__init__()
        self.state = open_case(SOP).state
        self.visited = {self.state.step}

    def _do(self, action) -> None:
        before = self.state
        try:
            t: Transition = advance(SOP, before, action)
        except IllegalMove as e:
            assert not legal(before, action), f"{action} refused at {before}: {e}"
            assert self.state == before
            assert str(e)
            return
        assert legal(before, action), f"{action} accepted at {before}"
        self._check(before, action, t)
        self.state = t.state
        self.visited.add(t.state.step)

    def _check(self, before: CaseState, action, t: Transition) -> None:
        step = SOP.step(before.step)
        if isinstance(action, Decide) and action.decision == BELUM_SESUAI:
            assert t.state == CaseState(step.belum_sesuai)
            assert t.return_note and t.deliver_to == SOP.step(step.belum_sesuai).role
        elif isinstance(action, Decide) and action.decision == SESUAI:
            assert t.state == CaseState(step.sesuai)
            assert t.produce == step.produce_on_sesuai
            assert not t.return_note
        if t.closed:
            assert step.kind == "publish"
            assert set(step.proofs) <= t.state.proofs
            assert isinstance(action, Decide) and action.decision == SELESAI
        if t.state.proofs:
            assert SOP.step(t.state.step).kind == "publish"

    @rule(role=st.sampled_from((*ROLES, "tamu")))
    def submit(self, role):
        self._do(Submit(role))

    @rule(decision=st.sampled_from((*DECISIONS, "Mungkin", "")))
    def decide(self, decision):
        self._do(Decide(decision))

    @rule(role=st.sampled_from(ROLES), proof=st.sampled_from((*sorted(BOTH), "bukti_lain")))
    def add_proof(self, role, proof):
        self._do(AddProof(role, proof))

    @precondition(lambda self: not self.state.closed and SOP.step(self.state.step).kind != "publish")
    @rule()
    def the_holder_acts(self):
        """Bias the walk forward so the later steps are reached often."""
        step = SOP.step(self.state.step)
        self._do(Submit(step.role) if step.kind == "submit" else Decide(SESUAI))

    @invariant()
    def step_is_a_real_step_and_never_the_intake(self):
        assert self.state.step in SOP.steps
        assert SOP.step(self.state.step).kind != "intake"

    @invariant()
    def closed_only_at_publish_with_all_proofs(self):
        if self.state.closed:
            assert SOP.step(self.state.step).kind == "publish"
            assert self.state.proofs >= BOTH


CaseMachine.TestCase.settings = settings(
    max_examples=100, stateful_step_count=30, deadline=None,
    suppress_health_check=[HealthCheck.too_slow])
test_random_action_sequences_keep_the_case_consistent = CaseMachine.TestCase
