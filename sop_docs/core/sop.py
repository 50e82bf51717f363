"""The SOP as data: roles, steps, where each decision leads, and each step's standard time (Mutu Baku).

The engine reads everything it knows about a procedure from here, so a second SOP is a second file,
not new code. Loading validates the whole graph up front: a procedure the engine cannot follow exactly
is refused at start, never discovered half-way through a case.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sop_docs.errors import InvalidSop

STEP_KINDS = ("intake", "submit", "review", "publish")
# Which clock judges a kind's step times: office working time, or the calendar round the clock
# (serta merta must be announced "tanpa penundaan", UU 14/2008 Pasal 10: nights and holidays count).
JAM_KERJA, JAM_KALENDER = "kerja", "kalender"
CLOCKS = (JAM_KERJA, JAM_KALENDER)

_DURATION = re.compile(
    r"^\s*(\d+)\s*(minutes?|menit|hours?|jam|days?|hari|working days?|hari kerja)\s*$", re.I
)


@dataclass(frozen=True)
class Duration:
    """A standard time: working minutes, or whole working days (a day is not a fixed number of hours)."""

    minutes: int = 0
    days: int = 0

    def __str__(self) -> str:
        if self.days:
            return f"{self.days} hari kerja"
        if self.minutes % 60 == 0:
            return f"{self.minutes // 60} jam"
        return f"{self.minutes} menit"


def parse_duration(text: str) -> Duration:
    m = _DURATION.match(str(text))
    if not m:
        raise InvalidSop(f"cannot read the time {text!r}: write e.g. '15 minutes', '1 hour', '1 day'")
    n, unit = int(m.group(1)), m.group(2).lower()
    if unit.startswith(("day", "hari", "working")):
        return Duration(days=n)
    if unit.startswith(("hour", "jam")):
        return Duration(minutes=60 * n)
    return Duration(minutes=n)


@dataclass(frozen=True)
class Role:
    key: str
    name: str
    jabatan: str


@dataclass(frozen=True)
class CaseKind:
    key: str
    name: str
    urgensi: str
    required_parts: tuple[str, ...] = ()   # headed sections the concept must fill
    uraian: tuple[str, ...] = ()           # parts written as plain paragraphs, one prompt each
    jam: str = JAM_KERJA                   # the clock of its step times: "kerja" or "kalender"

    def prompts(self) -> tuple[str, ...]:
        """The skeleton's prompt paragraphs for the plain parts, as printed: '[Dasar: ...]'."""
        return tuple(f"[{u}]" for u in self.uraian)

    @property
    def on_calendar(self) -> bool:
        """True when this kind's steps are timed round the clock, not in office hours."""
        return self.jam == JAM_KALENDER


@dataclass(frozen=True)
class DocumentSpec:
    key: str
    label: str
    template: str
    numbered: bool = False


@dataclass(frozen=True)
class Step:
    number: int
    key: str
    name: str
    role: str
    kind: str
    activity: str
    time: Duration
    inputs: tuple[str, ...] = ()
    output: str = ""
    next: int | None = None
    sesuai: int | None = None
    belum_sesuai: int | None = None
    produce: tuple[str, ...] = ()
    produce_on_sesuai: tuple[str, ...] = ()
    proofs: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        """How the register shows the step, e.g. '3 - Pemeriksaan Kabid/Kasubag'."""
        return f"{self.number} - {self.name}"


@dataclass(frozen=True)
class Sop:
    id: str
    name: str
    case_prefix: str
    draft_label: str
    roles: Mapping[str, Role]
    kinds: tuple[CaseKind, ...]
    documents: Mapping[str, DocumentSpec]
    steps: Mapping[int, Step] = field(default_factory=dict)
    rincian: bool = False    # the concept carries a Rincian table whose title the letter needs

    @property
    def first_step(self) -> Step:
        return self.steps[min(self.steps)]

    def step(self, number: int) -> Step:
        return self.steps[number]

    def kind(self, key: str | None) -> CaseKind:
        for k in self.kinds:
            if k.key == key:
                return k
        return self.kinds[0]

    def intake_roles(self) -> set[str]:
        return {s.role for s in self.steps.values() if s.kind == "intake"}

    def proof_folders(self) -> dict[str, tuple[str, ...]]:
        """Role -> proof subfolders it saves into (the publish steps' proofs)."""
        out: dict[str, tuple[str, ...]] = {}
        for s in self.steps.values():
            if s.proofs:
                out[s.role] = out.get(s.role, ()) + s.proofs
        return out


def _req(d: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in d or d[key] in (None, "", [], {}):
        raise InvalidSop(f"{where}: '{key}' is missing")
    return d[key]


def load_sop(data: Mapping[str, Any]) -> Sop:
    """Build and validate a Sop from parsed TOML; raise InvalidSop naming the first problem found."""
    head = _req(data, "sop", "the file")
    roles = {
        key: Role(key, _req(r, "name", f"role {key}"), r.get("jabatan", r["name"]))
        for key, r in dict(_req(data, "roles", "the file")).items()
    }
    kinds = tuple(
        CaseKind(_req(k, "key", "kind"), _req(k, "name", "kind"), k.get("urgensi", "Biasa"),
                 tuple(k.get("bagian_wajib", ())), tuple(k.get("uraian", ())),
                 k.get("jam", JAM_KERJA))
        for k in data.get("kinds", [{"key": "biasa", "name": "Biasa"}])
    )
    documents = {
        key: DocumentSpec(key, _req(d, "label", f"document {key}"),
                          _req(d, "template", f"document {key}"), bool(d.get("numbered", False)))
        for key, d in dict(data.get("documents", {})).items()
    }
    steps: dict[int, Step] = {}
    for raw in _req(data, "steps", "the file"):
        where = f"step {raw.get('number', '?')}"
        number = int(_req(raw, "number", where))
        if number in steps:
            raise InvalidSop(f"{where}: the number is used twice")
        steps[number] = Step(
            number=number,
            key=raw.get("key", f"step{number}"),
            name=_req(raw, "name", where),
            role=_req(raw, "role", where),
            kind=_req(raw, "kind", where),
            activity=raw.get("activity", ""),
            time=parse_duration(_req(raw, "time", where)),
            inputs=tuple(raw.get("inputs", ())),
            output=raw.get("output", ""),
            next=raw.get("next"),
            sesuai=raw.get("sesuai"),
            belum_sesuai=raw.get("belum_sesuai"),
            produce=tuple(raw.get("produce", ())),
            produce_on_sesuai=tuple(raw.get("produce_on_sesuai", ())),
            proofs=tuple(raw.get("proofs", ())),
        )
    sop = Sop(
        id=_req(head, "id", "[sop]"),
        name=_req(head, "name", "[sop]"),
        case_prefix=_req(head, "case_prefix", "[sop]"),
        draft_label=head.get("draft_label", "Konsep"),
        roles=roles,
        kinds=kinds,
        documents=documents,
        steps=steps,
        rincian=bool(head.get("rincian", False)),
    )
    _validate(sop)
    return sop


def _validate(sop: Sop) -> None:
    if not re.fullmatch(r"[A-Z][A-Z0-9]{1,9}", sop.case_prefix):
        raise InvalidSop("[sop] case_prefix must be 2-10 capital letters or digits, e.g. 'PIP'")
    if not sop.kinds:
        raise InvalidSop("at least one kind of case is needed")
    for k in sop.kinds:
        if k.jam not in CLOCKS:
            raise InvalidSop(f"kind {k.key}: jam = {k.jam!r} is not a clock; write jam = \"kerja\" "
                             "(office working time, the default) or jam = \"kalender\" "
                             "(calendar time, 24 hours a day, nights and holidays included)")
    for s in sop.steps.values():
        where = f"step {s.number}"
        if s.kind not in STEP_KINDS:
            raise InvalidSop(f"{where}: kind must be one of {', '.join(STEP_KINDS)}")
        if s.role not in sop.roles:
            raise InvalidSop(f"{where}: unknown role '{s.role}'")
        for d in (*s.produce, *s.produce_on_sesuai):
            if d not in sop.documents:
                raise InvalidSop(f"{where}: unknown document '{d}'")
        targets = {"intake": ("next",), "submit": ("next",), "review": ("sesuai", "belum_sesuai"),
                   "publish": ()}[s.kind]
        for attr in targets:
            t = getattr(s, attr)
            if t is None:
                raise InvalidSop(f"{where}: '{attr}' is missing")
            if t not in sop.steps:
                raise InvalidSop(f"{where}: '{attr}' leads to step {t}, which does not exist")
            if sop.steps[t].kind == "intake":
                raise InvalidSop(f"{where}: '{attr}' leads back to an intake step")
        if s.kind == "publish" and not s.proofs:
            raise InvalidSop(f"{where}: a publish step must name its proofs")
    first = sop.steps[min(sop.steps)]
    if first.kind != "intake":
        raise InvalidSop("the first step must be an intake step (a file opens the case)")
    if [s for s in sop.steps.values() if s.kind == "intake"] != [first]:
        raise InvalidSop("only the first step may be an intake step")
    if not any(s.kind == "publish" for s in sop.steps.values()):
        raise InvalidSop("no step closes the case: one step must be of kind 'publish'")
    if "nota_pengembalian" not in sop.documents and any(
        s.kind == "review" for s in sop.steps.values()
    ):
        raise InvalidSop("review steps need a 'nota_pengembalian' document for returns")
    # every step must be reachable from the first
    seen, todo = set(), [first.number]
    while todo:
        n = todo.pop()
        if n in seen:
            continue
        seen.add(n)
        s = sop.steps[n]
        todo += [t for t in (s.next, s.sesuai, s.belum_sesuai) if t is not None]
    unreachable = sorted(set(sop.steps) - seen)
    if unreachable:
        raise InvalidSop(f"step(s) {unreachable} can never be reached")
