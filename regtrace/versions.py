"""Versions of the regulation in a store: which version is in force on a date, and each provision's identity
across versions (README "Regulation versions").

A store holds one or more versions of the instrument. The first version's provisions and obligations keep their
ids as store keys (`A5.P1.I2`), so a store made before versions existed keeps every link; a later version's keys
are `<id>@<label>` (`A5.P1.I2@2027`). Each provision row carries its `version` label. A provision of a later
version points at its predecessor with SAME_AS (unchanged), RENUMBERED_FROM (same words, another number) or
REPLACES (amended; the link names the change kinds).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from regtrace.errors import InputError, NotFoundError
from regtrace.graph.port import Row, Store

SEED_LABEL = "seed"
IDENTITY_LINKS = ("SAME_AS", "RENUMBERED_FROM", "REPLACES")


@dataclass(frozen=True)
class Version:
    """One stored version of the instrument."""

    version_id: str
    instrument_id: str
    label: str
    promulgated_on: dt.date | None
    effective_from: dt.date | None
    effective_until: dt.date | None
    source_sha256: str
    ordinal: int
    adopted_at: str | None = None

    def in_force(self, day: dt.date) -> bool:
        """In force on `day`: from effective_from (none: from any date) to effective_until, both included."""
        return ((self.effective_from is None or self.effective_from <= day)
                and (self.effective_until is None or day <= self.effective_until))

    def to_json(self) -> dict[str, Any]:
        def iso(d: dt.date | None) -> str | None:
            return d.isoformat() if d else None

        return {"version": self.label, "instrument_id": self.instrument_id, "version_id": self.version_id,
                "promulgated_on": iso(self.promulgated_on), "effective_from": iso(self.effective_from),
                "effective_until": iso(self.effective_until), "source_sha256": self.source_sha256,
                "adopted_at": self.adopted_at}

    @classmethod
    def from_row(cls, row: Row, instrument_id: str) -> Version:
        return cls(row["version_id"], instrument_id, row["version"], row["promulgated_on"], row["effective_from"],
                   row["effective_until"], row["source_sha256"], row["ordinal"], row.get("adopted_at"))


def version_uid(instrument_id: str, label: str) -> str:
    return f"{instrument_id}@{label}"


def node_key(item_id: str, label: str, first: bool) -> str:
    """The store key of a provision or obligation: its id in the first version, `<id>@<label>` after."""
    return item_id if first else f"{item_id}@{label}"


@dataclass(frozen=True)
class Link:
    """A provision's link to its predecessor in the version before."""

    kind: str  # SAME_AS | RENUMBERED_FROM | REPLACES
    predecessor: str  # its uid
    changes: tuple[str, ...] = ()


@dataclass
class VersionBook:
    """Every stored version, the provisions and obligations of each and the identity links between them."""

    versions: list[Version]
    provisions: list[Row]
    obligations: list[Row]
    predecessor: dict[str, Link] = field(default_factory=dict)

    @classmethod
    def read(cls, store: Store) -> VersionBook:
        rows = store.nodes("InstrumentVersion")
        instrument_of = {r["source"]: r["target"] for r in store.links("VERSION_OF")}
        versions = sorted((Version.from_row(r, instrument_of.get(r["uid"], "")) for r in rows),
                          key=lambda v: v.ordinal)
        book = cls(versions, store.nodes("Provision"), store.nodes("Obligation"))
        if len(versions) > 1:
            for kind in IDENTITY_LINKS:
                for r in store.links(kind):
                    book.predecessor[r["source"]] = Link(kind, r["target"], tuple(r.get("changes") or ()))
        return book

    @property
    def single(self) -> bool:
        return len(self.versions) <= 1

    @property
    def labels(self) -> list[str]:
        return [v.label for v in self.versions]

    @property
    def first_label(self) -> str:
        return self.versions[0].label if self.versions else SEED_LABEL

    @property
    def latest(self) -> Version:
        if not self.versions:
            raise NotFoundError("the store holds no regulation version: load registers or run `regtrace demo`")
        return self.versions[-1]

    def label_of(self, row: Row) -> str:
        """The version a provision or obligation row belongs to (a row written before versions: the first)."""
        return str(row.get("version") or self.first_label)

    def by_label(self, label: str) -> Version:
        for v in self.versions:
            if v.label == label:
                return v
        known = ", ".join(self.labels) or "none"
        raise NotFoundError(f"no regulation version {label!r} in the store (versions: {known})")

    def in_force(self, day: dt.date) -> Version:
        """The version in force on `day`."""
        for v in reversed(self.versions):
            if v.in_force(day):
                return v
        if not self.versions:
            raise NotFoundError("the store holds no regulation version: load registers or run `regtrace demo`")
        first = self.versions[0]
        raise NotFoundError(f"no version of the regulation is in force on {day.isoformat()}: the earliest stored "
                            f"({first.label}) takes effect on {first.effective_from}")

    def provisions_of(self, label: str) -> list[Row]:
        return sorted((r for r in self.provisions if self.label_of(r) == label), key=lambda r: r["ordinal"])

    def obligations_of(self, label: str) -> list[Row]:
        return [r for r in self.obligations if self.label_of(r) == label]

    def successors(self) -> dict[str, list[tuple[str, Link]]]:
        """Each provision uid -> the provisions that name it as predecessor, with the link."""
        found: dict[str, list[tuple[str, Link]]] = {}
        for uid, link in self.predecessor.items():
            found.setdefault(link.predecessor, []).append((uid, link))
        return found

    def counterparts(self, uids: Iterable[str]) -> dict[str, set[str]]:
        """Each uid -> every uid of the same provision in any version (itself included), along the links."""
        successors = self.successors()
        result: dict[str, set[str]] = {}
        for start in uids:
            seen = {start}
            todo = [start]
            while todo:
                uid = todo.pop()
                near = [link.predecessor for link in (self.predecessor.get(uid),) if link is not None]
                near += [s for s, _ in successors.get(uid, ())]
                for other in near:
                    if other not in seen:
                        seen.add(other)
                        todo.append(other)
            result[start] = seen
        return result


def require_label(label: str) -> str:
    """A version label as the ontology allows it (letters, digits, '.', '_', '-'; at most 40)."""
    import re

    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,39}", label):
        raise InputError(f"--version {label!r}: a version label is 1-40 letters, digits, '.', '_' or '-', "
                         "starting with a letter or digit (e.g. 2027-01)")
    return label
