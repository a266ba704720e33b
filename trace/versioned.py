"""The trace reads one regulation version: the one in force on the date traced (README "Regulation versions").

With one stored version nothing is filtered. With several, a tenant's links to obligations (a control's
satisfies, a contract's clauses, a finding's and an approval's provisions) count only where they reach an
obligation of that version: a link kept on an older version (an orphaned mapping) never counts for a provision
of the same number in a newer one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from regtrace.graph.port import Row, Store
from regtrace.graph.schema import node_uid

from regtrace.versions import Version, VersionBook

from .model import TraceInputs


@dataclass(frozen=True)
class VersionScope:
    """The provisions and obligations of the version in force on a date, and the store keys of that version."""

    version: Version | None
    single: bool
    provisions: list[Row]
    obligations: list[Row]
    obligation_ids: dict[str, str]  # obligation key -> obligation id, this version only
    provision_ids: dict[str, str]  # provision key -> provision id, this version only

    @classmethod
    def read(cls, store: Store, as_of: dt.date, version: str | None = None) -> VersionScope:
        """The version in force on `as_of`, or the one labelled `version` (NotFoundError naming the labels)."""
        book = VersionBook.read(store)
        if book.single and version is not None:
            book.by_label(version)
        if book.single:
            provisions = sorted(book.provisions, key=lambda r: r["ordinal"])
            first = book.versions[0] if book.versions else None
            return cls(first, True, provisions, book.obligations, {}, {})
        chosen = book.by_label(version) if version is not None else book.in_force(as_of)
        provisions = book.provisions_of(chosen.label)
        obligations = book.obligations_of(chosen.label)
        return cls(chosen, False, provisions, obligations, {o["uid"]: o["obligation_id"] for o in obligations},
                   {p["uid"]: p["provision_id"] for p in provisions})

    def provision_id(self, key: str) -> str | None:
        """The id of a provision of this version given its store key (None: another version's)."""
        return key if self.single else self.provision_ids.get(key)

    def targets(self, store: Store, rel_type: str, source_label: str, tenant: str) -> dict[str, set[str]]:
        """Source key -> ids of the obligations of this version it links to."""
        found: dict[str, set[str]] = {}
        for r in store.links(rel_type, tenant):
            if (oid := self.obligation_ids.get(r["target"])) is not None:
                found.setdefault(r["source"], set()).add(oid)
        return found

    def control_links(self, store: Store, tenant: str) -> list[Row]:
        """store.control_links, kept to the pairs whose satisfies link reaches this version."""
        rows = store.control_links(tenant)
        if self.single:
            return rows
        allowed = self.targets(store, "SATISFIES", "Control", tenant)
        kept = []
        for row in rows:
            if row["obligation_id"] in allowed.get(node_uid(tenant, row["control_id"]), ()):
                kept.append({**row, "applies_to": sorted(set(row["applies_to"] or ()))})
        return kept

    def restrict(self, store: Store, tenant: str, inputs: TraceInputs) -> None:
        """A finding's and an approval's obligations: those of this version only."""
        cites = self.targets(store, "CITES", "Finding", tenant)
        supports = self.targets(store, "SUPPORTS", "Approval", tenant)
        inputs.findings = [replace(f, provisions=tuple(sorted(cites.get(node_uid(tenant, f.finding_id), ()))))
                           for f in inputs.findings]
        inputs.approvals = [replace(a, provisions=tuple(sorted(supports.get(node_uid(tenant, a.approval_id), ()))))
                            for a in inputs.approvals]
