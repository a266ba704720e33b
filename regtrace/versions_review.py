"""The review queue after an adoption: mappings carried to an amended provision (needs_review, until accepted)
and mappings left on a provision the latest version removed (orphaned; kept, never deleted)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from regtrace.errors import InputError, NotFoundError
from regtrace.graph.port import Row, Store, Writer
from regtrace.versions import VersionBook
from regtrace.versions_adopt import MAPPING_LINKS


@dataclass(frozen=True)
class ReviewQueue:
    tenant: str
    latest: str | None  # the latest version's label
    needs_review: list[Row]
    accepted: list[Row]
    orphaned: list[dict[str, Any]]

    def to_json(self) -> dict[str, Any]:
        def review(r: Row) -> dict[str, Any]:
            return {"id": r["review_id"], "kind": r["mapping_kind"], "source_id": r["source_id"],
                    "provision_id": r["provision_id"], "version": r["version"],
                    "from_provision_id": r["from_provision_id"], "from_version": r["from_version"],
                    "changes": list(r["changes"] or []), "status": r["status"], "created_at": r["created_at"],
                    "accepted_at": r["accepted_at"]}

        return {"tenant": self.tenant, "latest_version": self.latest,
                "needs_review": [review(r) for r in self.needs_review],
                "accepted": [review(r) for r in self.accepted], "orphaned": self.orphaned}


def _mapping_keys(store: Store, tenant: str) -> dict[str, set[tuple[str, str]]]:
    """kind -> {(source id, obligation key)} of the tenant's links."""
    found: dict[str, set[tuple[str, str]]] = {}
    for rel, _source_label, kind in MAPPING_LINKS:
        found[kind] = {(r["source"].split("/", 1)[1], r["target"])
                       for r in store.links(rel, tenant)}
    return found


def review_queue(store: Store, tenant: str) -> ReviewQueue:
    """The tenant's mappings awaiting review, those accepted, and those orphaned by the latest version."""
    book = VersionBook.read(store)
    latest = book.versions[-1].label if book.versions else None
    links = _mapping_keys(store, tenant)
    key_of = {(book.label_of(o), o["obligation_id"]): o["uid"] for o in book.obligations}
    reviews = [r for r in store.nodes("MappingReview") if r["tenant"] == tenant
               and (r["source_id"], key_of.get((r["version"], r["provision_id"]), "")) in links[r["mapping_kind"]]]
    reviews.sort(key=lambda r: r["review_id"])
    orphaned: list[dict[str, Any]] = []
    if latest is not None and not book.single:
        obligation_keys = {o["uid"]: o for o in book.obligations}
        latest_keys = {o["uid"] for o in book.obligations_of(latest)}
        stale = [(kind, source, key) for kind, pairs in links.items() for source, key in pairs
                 if key in obligation_keys and key not in latest_keys]
        counterparts = book.counterparts({key for _, _, key in stale})
        for kind, source, key in sorted(stale):
            if counterparts[key] & latest_keys:
                continue  # carried: the same provision has an obligation in the latest version
            o = obligation_keys[key]
            orphaned.append({"kind": kind, "source_id": source, "provision_id": o["obligation_id"],
                             "version": book.label_of(o)})
    return ReviewQueue(tenant, latest, [r for r in reviews if r["status"] == "needs_review"],
                       [r for r in reviews if r["status"] == "accepted"], orphaned)


def accept_reviews(store: Store, tenant: str, ids: list[str], now: dt.datetime | None = None) -> list[str]:
    """Mark the tenant's reviews with these ids accepted (all or none); returns the ids newly accepted."""
    if not ids:
        raise InputError("--accept: name at least one review id (`regtrace review --tenant T` lists them)")
    by_id = {r["review_id"]: r for r in store.nodes("MappingReview") if r["tenant"] == tenant}
    unknown = [i for i in ids if i not in by_id]
    if unknown:
        waiting = sorted(i for i, r in by_id.items() if r["status"] == "needs_review")
        raise NotFoundError(f"--accept: no review {', '.join(unknown)} for tenant {tenant} "
                            f"(awaiting review: {', '.join(waiting) or 'none'})")
    at = (now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")
    rows = [{**by_id[i], "status": "accepted", "accepted_at": at} for i in dict.fromkeys(ids)
            if by_id[i]["status"] == "needs_review"]

    def unit(w: Writer) -> None:
        w.upsert_nodes("MappingReview", rows)

    if rows:
        store.write(unit)
    return [r["review_id"] for r in rows]


def pending_reviews(store: Store, tenant: str) -> int:
    """How many of the tenant's mappings await review (for the dashboard's banner)."""
    return len(review_queue(store, tenant).needs_review)

