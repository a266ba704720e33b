"""Bearer tokens and roles.

A token is `rt_<token_id>_<secret>`; the store keeps only its SHA-256 (an ApiToken node, fields from the
ontology). A token expires: `expires_at` (UTC) is set when it is created, 90 days ahead unless told otherwise
(`--expires-in 30d`, `12h`); a token stored before expiry existed expires 90 days after it was created. Roles:

    admin        every tenant (may pass a `tenant` argument), reads and writes; the sector view too
    officer      reads and writes its own tenant
    auditor      reads its own tenant
    board        coverage and gap counts of its own tenant only
    association  the sector view only (regtrace.sector: figures over at least 5 members); bound to no tenant,
                 it reads no tenant-bound field and may pass no `tenant` argument (FORBIDDEN)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Literal, get_args

from regtrace.graph.filters import Compare, NodeQuery
from regtrace.graph.port import Row, Store, Writer

from regtrace.errors import InputError

from .errors import ForbiddenError, UnauthenticatedError, not_found

Role = Literal["admin", "officer", "auditor", "board", "association"]
ROLES: tuple[Role, ...] = get_args(Role)
Permission = Literal["read", "write", "summary", "admin", "sector"]
UNBOUND: frozenset[str] = frozenset({"association"})  # roles of no tenant
GRANTS: dict[str, frozenset[Permission]] = {
    "admin": frozenset({"read", "write", "summary", "admin", "sector"}),
    "officer": frozenset({"read", "write", "summary"}),
    "auditor": frozenset({"read", "summary"}),
    "board": frozenset({"summary"}),
    "association": frozenset({"sector"}),
}
PREFIX = "rt_"
LIFETIME = dt.timedelta(days=90)
MAX_LIFETIME = dt.timedelta(days=3650)
_LIFETIME = re.compile(r"^\s*([1-9][0-9]{0,6})\s*([dhm])\s*$")
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}


@dataclass(frozen=True)
class Principal:
    """Who is calling: the token's id, name, role and tenant ("" for a role bound to no tenant)."""

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
        """The tenant a request works on: the token's own, or any for an admin that asks for one; FORBIDDEN for
        a token bound to no tenant (association), whatever it asks."""
        if self.role in UNBOUND:
            raise ForbiddenError(f"the {self.role} role reads the sector view only (sector, sectorTrend): it is "
                                 "bound to no member company and may not read one's data or pass a tenant")
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


def parse_lifetime(text: str) -> dt.timedelta:
    """`--expires-in`: a whole number of days, hours or minutes (30d, 12h, 90m), at most 3650 days."""
    found = _LIFETIME.match(text)
    if found is None:
        raise InputError(f"--expires-in: {text!r} is not a lifetime; write days, hours or minutes, e.g. 30d, 12h, 90m")
    lifetime = dt.timedelta(**{_UNITS[found.group(2)]: int(found.group(1))})
    if lifetime > MAX_LIFETIME:
        raise InputError(f"--expires-in: {text!r} is longer than {MAX_LIFETIME.days} days")
    return lifetime


def _utc(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def expires_at(row: Row) -> dt.datetime:
    """When a token stops working (tokens stored before expiry existed: 90 days after they were created)."""
    if row.get("expires_at"):
        return _utc(row["expires_at"])
    return _utc(row["created_at"]) + LIFETIME


def create_token(store: Store, role: str, tenant: str | None, name: str | None = None,
                 lifetime: dt.timedelta = LIFETIME) -> tuple[str, Row]:
    """Store a new token's hash and return the token (shown once) with its public fields. An association token
    has no tenant (None); every other role has one."""
    if role not in ROLES:
        raise InputError(f"--role: {role!r} is not one of {', '.join(ROLES)}")
    if role in UNBOUND and tenant is not None:
        raise InputError(f"--tenant: an {role} token is bound to no member company; leave --tenant out")
    if role not in UNBOUND:
        if tenant is None:
            raise InputError(f"--tenant: an {role} token needs the member company it works for")
        check_tenant(tenant)
    if lifetime <= dt.timedelta(0) or lifetime > MAX_LIFETIME:
        raise InputError(f"--expires-in: a lifetime between 1 minute and {MAX_LIFETIME.days} days")
    token_id = secrets.token_hex(8)
    token = f"{PREFIX}{token_id}_{secrets.token_urlsafe(32)}"
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    row: Row = {"uid": token_id, "token_id": token_id, "name": name or (f"{role}@{tenant}" if tenant else role),
                "role": role, "tenant": tenant, "hash": token_hash(token), "revoked": False,
                "created_at": now.isoformat(), "expires_at": (now + lifetime).isoformat()}

    def unit(w: Writer) -> None:
        w.create_nodes("ApiToken", [row])

    store.write(unit)
    return token, _public(row)


def list_tokens(store: Store) -> list[Row]:
    """Every token without its hash, with when it expires (filled in for tokens stored before expiry existed)."""
    return [{**_public(r), "expires_at": expires_at(r).isoformat()} for r in store.find(NodeQuery("ApiToken", None))]


def token_rows(store: Store) -> list[Row]:
    """Every token with its hash (for the app's token book, api/token_book.py)."""
    return store.find(NodeQuery("ApiToken", None))


def revoke_token(store: Store, token_id: str) -> Row:
    found = store.nodes_by_uid("ApiToken", [token_id], None)
    if not found:
        raise not_found("token", token_id)
    row = {**found[0], "revoked": True}

    def unit(w: Writer) -> None:
        w.upsert_nodes("ApiToken", [row])

    store.write(unit)
    return _public(row)


def bearer_hash(authorization: str | None) -> str:
    """The SHA-256 of the token in an `Authorization: Bearer …` header; UNAUTHENTICATED when there is none or
    it cannot be one of ours."""
    scheme, _, token = (authorization or "").strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise UnauthenticatedError("a bearer token is required (Authorization: Bearer …)")
    if not token.startswith(PREFIX) or len(token) > 200 or not token.isascii() or not token.isprintable():
        raise UnauthenticatedError("invalid or revoked token")
    return token_hash(token)


def principal_of(row: Row | None, now: dt.datetime) -> Principal:
    """Who a stored token is; UNAUTHENTICATED when unknown, revoked or expired (saying which)."""
    if row is None:
        raise UnauthenticatedError("invalid or revoked token")
    if row["revoked"]:
        raise UnauthenticatedError("the token was revoked")
    until = expires_at(row)
    if until <= now:
        raise UnauthenticatedError(f"the token expired at {until.isoformat()}; create a new one "
                                   "(regtrace token create)")
    if row["role"] not in ROLES:
        raise UnauthenticatedError("invalid or revoked token")
    if (row["role"] in UNBOUND) != (not row["tenant"]):  # a tenant on an association token, or none on another
        raise UnauthenticatedError("invalid or revoked token")
    return Principal(row["token_id"], row["name"], row["role"], row["tenant"] or "")


def authenticate(store: Store, authorization: str | None) -> Principal:
    """The principal of an `Authorization: Bearer …` header, looked up in the store now."""
    digest = bearer_hash(authorization)
    rows = store.find(NodeQuery("ApiToken", None, Compare("hash", "eq", digest), limit=1))
    return principal_of(rows[0] if rows else None, dt.datetime.now(dt.UTC))
