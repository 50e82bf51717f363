"""Whether a file may act for a step: it must have been saved by someone holding the step's role.

`judge` looks at who saved the file (its owner) and the `[access]` mapping. With authorization
"none" every file counts and nobody is named. With "owner" a file counts when its owner holds the
role that day (by name, group, or as a stand-in). A file still owned by the service itself was
saved in place (the owner does not change): where the role names its people that is refused,
since anyone in the folder's group could have done it; where it names nobody yet, the folder's
permissions are all there is and it counts as "a member of the role" (`sop-docs check` reports
folders that are wider). A file owned by anyone else is refused with a sentence the person
concerned can read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sop_docs.adapters import identity
from sop_docs.core.access import Access
from sop_docs.core.sop import Sop


@dataclass(frozen=True)
class Verdict:
    """`ok`: the file may act. `person`: who saved it (None when not known), `title` Plt./Plh.
    for a stand-in, `refusal`: the Indonesian sentence when not `ok`."""

    ok: bool
    person: str | None = None
    title: str = ""
    refusal: str = ""


class Authority:
    def __init__(self, sop: Sop, access: Access, service_uid: int | None = None) -> None:
        self.sop, self.access = sop, access
        self.service_uid = identity.service_uid() if service_uid is None else service_uid

    def judge(self, path: Path, role: str, on: date, what: str, *, verb: str = "diambil",
              carrier: str = "register") -> Verdict:
        """May the file at `path` act for `role` on `on`? `what` names the act ("keputusan
        tahap 4"), `verb` what is done with it, `carrier` the file ("register", "berkas")."""
        if self.access.mode != "owner":
            return Verdict(True)
        uid = identity.uid_of(path)
        strict = self.access.names_people_for(role)
        if uid is None:                             # a system that cannot tell owners
            return Verdict(True)
        if uid == self.service_uid:
            if not strict:                          # saved in place in the role's own folder
                return Verdict(True)
            return Verdict(False, refusal=(
                f"{what[:1].upper()}{what[1:]} hanya dapat {verb} oleh {self.sop.roles[role].name}; "
                f"{carrier} masih tercatat milik sistem (disimpan di tempat, tanpa nama "
                "penyimpannya). Simpan ulang dengan Simpan (Ctrl+S) dari Excel, Word atau "
                "LibreOffice di komputer Anda. Tidak dijalankan."))
        owner = identity.owner(uid)
        if owner is None:
            return Verdict(True)
        holder = self.access.holder(role, owner.name, owner.groups, on)
        if holder is not None:
            return Verdict(True, owner.name, holder.title)
        if not self.access.mapped:                # nobody mapped yet: the folders decide
            return Verdict(True, owner.name)
        role_name = self.sop.roles[role].name
        held = [self.sop.roles[r].name for r in self.access.roles_of(owner.name, owner.groups, on)]
        who = f"{owner.name} ({', '.join(held)})" if held else owner.name
        return Verdict(False, owner.name, refusal=(
            f"{what[:1].upper()}{what[1:]} hanya dapat {verb} oleh {role_name}; {carrier} "
            f"disimpan oleh {who}. Tidak dijalankan."))
