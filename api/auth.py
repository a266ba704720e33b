"""Bearer tokens and roles.

A token is `rt_<token_id>_<secret>`; the store keeps only its SHA-256 (an ApiToken node). Roles:

    admin    every tenant (may pass a `tenant` argument), reads and writes
    officer  reads and writes its own tenant
    auditor  reads its own tenant
    board    coverage and gap counts of its own tenant only
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Literal, get_args

from regtrace.graph.filters import Compare, NodeQuery
from regtrace.graph.port import Row, Store, Writer

from regtrace.errors import InputError

from .errors import ForbiddenError, UnauthenticatedError, not_found

Role = Literal["admin", "officer", "auditor", "board"]
ROLES: tuple[Role, ...] = get_args(Role)
Permission = Literal["read", "write", "summary", "admin"]
GRANTS: dict[str, frozenset[Permission]] = {
    "admin": frozenset({"read", "write", "summary", "admin"}),
    "officer": frozenset({"read", "write", "summary"}),
    "auditor": frozenset({"read", "summary"}),
    "board": frozenset({"summary"}),
}
PREFIX = "rt_"


@dataclass(frozen=True)
class Principal:
    """Who is calling: the token's id, name, role and tenant."""

    token_id: str
    name: str
    role: Role
    tenant: str

    def can(self, permission: Permission) -> bool:
        return permission in GRANTS[self.role]

    def require(self, permission: Permission) -> None:
        if not self.can(permission):
            raise ForbiddenError(f"the {self.role} role may not do this")

    def tenant_for(self, requested: str | None) -> str:
        """The tenant a request works on: the token's own, or any for an admin that asks for one."""
        if requested is None or requested == self.tenant:
            return self.tenant
        if self.role != "admin":
            raise ForbiddenError("only an admin token may choose a tenant")
        return requested


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _public(row: Row) -> Row:
    return {k: v for k, v in row.items() if k not in ("hash", "uid")}


def check_tenant(tenant: str) -> str:
    """The one tenant-name rule (regtrace.tenants), as `load` applies it."""
    from regtrace.tenants import tenant_name

    return tenant_name(tenant)


def create_token(store: Store, role: str, tenant: str, name: str | None = None) -> tuple[str, Row]:
    """Store a new token's hash and return the token (shown once) with its public fields."""
    if role not in ROLES:
        raise InputError(f"--role: {role!r} is not one of {', '.join(ROLES)}")
    check_tenant(tenant)
    token_id = secrets.token_hex(8)
    token = f"{PREFIX}{token_id}_{secrets.token_urlsafe(32)}"
    row: Row = {"uid": token_id, "token_id": token_id, "name": name or f"{role}@{tenant}", "role": role,
                "tenant": tenant, "hash": token_hash(token), "revoked": False,
                "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}

    def unit(w: Writer) -> None:
        w.create_nodes("ApiToken", [row])

    store.write(unit)
    return token, _public(row)


def list_tokens(store: Store) -> list[Row]:
    return [_public(r) for r in store.find(NodeQuery("ApiToken", None))]


def revoke_token(store: Store, token_id: str) -> Row:
    found = store.nodes_by_uid("ApiToken", [token_id], None)
    if not found:
        raise not_found("token", token_id)
    row = {**found[0], "revoked": True}

    def unit(w: Writer) -> None:
        w.upsert_nodes("ApiToken", [row])

    store.write(unit)
    return _public(row)


def authenticate(store: Store, authorization: str | None) -> Principal:
    """The principal of an `Authorization: Bearer …` header; UNAUTHENTICATED when missing, unknown or revoked."""
    scheme, _, token = (authorization or "").strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise UnauthenticatedError("a bearer token is required (Authorization: Bearer …)")
    if not token.startswith(PREFIX) or len(token) > 200:
        raise UnauthenticatedError("invalid or revoked token")
    rows = store.find(NodeQuery("ApiToken", None, Compare("hash", "eq", token_hash(token)), limit=1))
    if not rows or rows[0]["revoked"]:
        raise UnauthenticatedError("invalid or revoked token")
    row = rows[0]
    return Principal(row["token_id"], row["name"], row["role"], row["tenant"])
