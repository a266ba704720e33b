"""Tenants (member companies): the one rule for their names, and refusing a tenant the store does not have.

One rule everywhere (`load`, `token create`, the API, exports): a tenant name is 1–64 characters of letters
and digits of any script, '-', '_' or '.', starting with a letter or digit, so 國泰人壽 and example-life are
both names. Insurers are Taiwanese companies whose own names are Chinese; a rule that refused them in one
command and accepted them in another is what this replaces. Never a path separator, a space, a control
character or '..': the name becomes a folder of an export (OUT/<tenant>/) and part of every node's uid.
Names are kept in Unicode's composed form (NFC), so one name typed two ways is one tenant.

A tenant exists when the store holds registers for it (`Store.tenants()`); naming one that does not, or reading
an empty store, is NotFoundError listing the tenants there are and the command that loads one, never 0 %.
"""

from __future__ import annotations

import re
import unicodedata

from regtrace.errors import InputError, NotFoundError
from regtrace.graph.port import Store

MAX_LENGTH = 64
_NAME = re.compile(r"[^\W_](?:[\w.\-]*)", re.UNICODE)  # \w: letters, digits (any script) and '_'
LOAD_HINT = "load one with: regtrace load FOLDER --tenant NAME (or `regtrace demo` for the example insurer)"


def tenant_name(name: str) -> str:
    """`name` in its composed form when it is a valid tenant name; InputError saying the rule when not."""
    normal = unicodedata.normalize("NFC", name)
    if 0 < len(normal) <= MAX_LENGTH and _NAME.fullmatch(normal) and ".." not in normal:
        return normal
    raise InputError(f"tenant {name!r}: use 1–{MAX_LENGTH} letters or digits (any script, e.g. 國泰人壽), "
                     "'-', '_' or '.', starting with a letter or digit; no spaces, '/' or control characters")


def _listing(tenants: list[str]) -> str:
    return ", ".join(tenants) if tenants else "none"


def require_tenant(store: Store, tenant: str) -> str:
    """The tenant's name when the store holds its registers; NotFoundError (listing the tenants there are and
    how to load one) when it does not, or when the store holds no tenant at all."""
    name = tenant_name(tenant)
    tenants = store.tenants()
    if name in tenants:
        return name
    if not tenants:
        raise NotFoundError(f"the store {store.uri} holds no member company's registers yet, so there is "
                            f"nothing to trace for tenant {name!r}; {LOAD_HINT}")
    raise NotFoundError(f"tenant {name!r} has no registers in the store {store.uri}; the tenants there are: "
                        f"{_listing(tenants)}. Give one of them with --tenant, or load this one with: "
                        f"regtrace load FOLDER --tenant {name}")


def require_some_tenant(store: Store) -> list[str]:
    """Every tenant of the store; NotFoundError when there is none (an empty store is not 0 % covered)."""
    tenants = store.tenants()
    if not tenants:
        raise NotFoundError(f"the store {store.uri} holds no member company's registers yet; {LOAD_HINT}")
    return tenants
