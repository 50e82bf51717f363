"""The case state machine: what an action does to a case at its current step, by the SOP's rules.

Theory of operation. A case sits at exactly one step of the SOP. Three things can happen to it: a
document arrives from a role (`Submit`), a reviewer chooses a decision in the register (`Decide`), or
a proof of publication arrives (`AddProof`). `advance()` looks only at the SOP and the case's state and
returns a `Transition`: the step the case moves to and the effects to carry out (documents to fill,
where the draft goes, a return note, closing). An action the step does not allow raises `IllegalMove`
with a message for the person concerned, and the case is unchanged. Nothing here touches a file.
"""

from __future__ import annotations

from dataclasses import dataclass

from sop_docs.core.sop import Sop, Step
from sop_docs.errors import IllegalMove

SESUAI = "Sesuai"
BELUM_SESUAI = "Belum Sesuai"
SELESAI = "Selesai"
DECISIONS = (SESUAI, BELUM_SESUAI, SELESAI)


@dataclass(frozen=True)
class CaseState:
    step: int
    closed: bool = False
    proofs: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Submit:
    """A document for the case arrived in `role`'s inbox."""

    role: str


@dataclass(frozen=True)
class Decide:
    decision: str


@dataclass(frozen=True)
class AddProof:
    role: str
    proof: str


Action = Submit | Decide | AddProof


@dataclass(frozen=True)
class Transition:
    state: CaseState
    produce: tuple[str, ...] = ()
    deliver_to: str | None = None          # the role whose outbox now holds the draft
    return_note: bool = False              # a Nota Pengembalian goes with the draft
    returned: bool = False
    message: str = ""

    @property
    def closed(self) -> bool:
        return self.state.closed


def open_case(sop: Sop) -> Transition:
    """The intake step is done the moment the material is saved: the case starts at the step after it."""
    first = sop.first_step
    assert first.next is not None  # checked by load_sop
    nxt = sop.step(first.next)
    return Transition(
        CaseState(nxt.number),
        produce=first.produce,
        deliver_to=nxt.role,
        message=f"Kasus dibuka; disposisi dan bahan diteruskan kepada {sop.roles[nxt.role].name}.",
    )


def advance(sop: Sop, state: CaseState, action: Action) -> Transition:
    """What `action` does to a case in `state`; `IllegalMove` (case unchanged) if not allowed."""
    if state.closed:
        raise IllegalMove("Kasus ini sudah selesai dan diarsipkan.")
    step = sop.step(state.step)
    if isinstance(action, Submit):
        return _submit(sop, state, step, action)
    if isinstance(action, AddProof):
        return _proof(step, state, action)
    if step.kind == "review":
        return _review(sop, step, action.decision)
    if step.kind == "publish":
        return _publish(step, state, action.decision)
    raise IllegalMove(f"Tahap {step.title} tidak menunggu keputusan di register; "
                      f"{sop.roles[step.role].name} perlu menyimpan dokumen.")


def _submit(sop: Sop, state: CaseState, step: Step, action: Submit) -> Transition:
    """A document from the role holding a drafting step moves on; at a review step it is the
    reviewer's correction and the case stays."""
    if action.role != step.role:
        sender = getattr(sop.roles.get(action.role), "name", action.role)
        raise IllegalMove(
            f"Kasus ini sedang di tahap {step.title} (dipegang {sop.roles[step.role].name}), "
            f"bukan menunggu dokumen dari {sender}.")
    if step.kind == "submit":
        assert step.next is not None
        nxt = sop.step(step.next)
        return Transition(CaseState(nxt.number), deliver_to=nxt.role,
                          message=f"Konsep diterima dan diteruskan kepada {sop.roles[nxt.role].name}.")
    if step.kind == "review":
        return Transition(state, deliver_to=step.role,
                          message="Perbaikan konsep diterima; pilih Keputusan untuk tahap ini.")
    raise IllegalMove(f"Tahap {step.title} tidak menunggu konsep; simpan bukti ke folder bukti.")


def _proof(step: Step, state: CaseState, action: AddProof) -> Transition:
    if step.kind != "publish" or action.role != step.role:
        raise IllegalMove(f"Kasus ini sedang di tahap {step.title}, belum tahap publikasi.")
    if action.proof not in step.proofs:
        raise IllegalMove(f"Jenis bukti '{action.proof}' tidak dikenal.")
    proofs = state.proofs | {action.proof}
    missing = [p for p in step.proofs if p not in proofs]
    msg = "Bukti diterima." + (f" Masih kurang: {', '.join(missing)}." if missing
                               else f" Bukti lengkap; pilih {SELESAI} untuk menutup kasus.")
    return Transition(CaseState(state.step, proofs=proofs), message=msg)


def _review(sop: Sop, step: Step, decision: str) -> Transition:
    if decision == SESUAI:
        assert step.sesuai is not None
        nxt = sop.step(step.sesuai)
        return Transition(CaseState(nxt.number), produce=step.produce_on_sesuai,
                          deliver_to=nxt.role,
                          message=f"{SESUAI}: diteruskan kepada {sop.roles[nxt.role].name} "
                                  f"(tahap {nxt.title}).")
    if decision == BELUM_SESUAI:
        assert step.belum_sesuai is not None
        back = sop.step(step.belum_sesuai)
        return Transition(CaseState(back.number), deliver_to=back.role, return_note=True,
                          returned=True,
                          message=f"{BELUM_SESUAI}: dikembalikan kepada {sop.roles[back.role].name} "
                                  f"(tahap {back.title}) dengan Nota Pengembalian.")
    raise IllegalMove(f"Untuk tahap pemeriksaan pilih {SESUAI} atau {BELUM_SESUAI}.")


def _publish(step: Step, state: CaseState, decision: str) -> Transition:
    if decision != SELESAI:
        raise IllegalMove(f"Tahap {step.title}: setelah bukti lengkap pilih {SELESAI}.")
    missing = [p for p in step.proofs if p not in state.proofs]
    if missing:
        raise IllegalMove("Belum bisa ditutup: bukti belum lengkap, masih kurang "
                          + ", ".join(missing) + ".")
    return Transition(CaseState(state.step, closed=True, proofs=state.proofs),
                      message="Selesai: kasus ditutup dan diarsipkan.")
