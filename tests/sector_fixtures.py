"""Member companies built by hand for the associations' view (issue 15 point 6), on the test regulation
(tests/trace_fixtures.py).

Each member has n arrangements without facts (so A6.P1.I1 and A7.P1.I1 apply to each, and A8.P1 to the company)
and contracts listing A6.P1.I1 for c of them, signed 2025-01-01 without expiry; no control anywhere (A7.P1.I1
and A8.P1 are gaps at every member). A member's coverage of article 6 is then c / n, overall c / (2n + 1).
Tenant, arrangement and contract ids carry SECRET so that a test can look for them anywhere.
"""

from __future__ import annotations

import datetime as dt

from regtrace.graph.port import Store
from trace_fixtures import Registers, write_test_regulation

SIGNED = dt.date(2025, 1, 1)
# (arrangements, of which covered by a contract): article 6 at 0, 20, 60, 80, 100 and 100 %
MEMBERS = ((1, 0), (5, 1), (5, 3), (5, 4), (1, 1), (2, 2))


def tenant_id(i: int) -> str:
    return f"SECRET-member-{i}"


def write_members(store: Store, members: tuple[tuple[int, int], ...]) -> list[str]:
    """The test regulation and one tenant per (n, c); returns the tenant ids."""
    write_test_regulation(store)
    tenants = []
    for i, (n, c) in enumerate(members, start=1):
        reg = Registers(tenant_id(i))
        reg.csp(f"SECRET-CSP-{i}")
        for j in range(1, n + 1):
            arrangement = f"SECRET-ARR-{i}-{j}"
            reg.arrangement(arrangement, csp=f"SECRET-CSP-{i}")
            if j <= c:
                reg.contract(f"SECRET-K-{i}-{j}", arrangement, ["A6.P1.I1"], SIGNED)
        reg.write(store)
        tenants.append(reg.tenant)
    return tenants
