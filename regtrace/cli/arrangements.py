"""Reads about a tenant's arrangements that several commands need beside the trace."""

from __future__ import annotations

from regtrace.errors import NotFoundError
from regtrace.graph.port import Store


def materiality(store: Store, tenant: str) -> dict[str, bool]:
    """Arrangement id → whether it is material (重大委外), which ranks gaps."""
    return {r["arrangement_id"]: bool(r["material"]) for r in store.nodes("OutsourcingArrangement", tenant)}


def csp_of(store: Store, tenant: str) -> dict[str, str | None]:
    """Arrangement id → the cloud service provider it is provided by."""
    links = store.links("PROVIDED_BY", tenant)
    return {r["source"].split("/", 1)[1]: r["target"].split("/", 1)[1] for r in links}


def require_arrangement(store: Store, tenant: str, arrangement: str | None) -> None:
    """Refuse an --arrangement that the tenant does not have."""
    if arrangement is not None and not any(
        r["arrangement_id"] == arrangement for r in store.nodes("OutsourcingArrangement", tenant)
    ):
        raise NotFoundError(f"--arrangement: no arrangement {arrangement!r} in tenant {tenant!r}")
