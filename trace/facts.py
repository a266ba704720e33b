"""The facts that hold for a subject on a date: the registers' own, and the derived ones, each by a named rule.

An arrangement's facts are its register flags (`self_managed` for IaaS and PaaS), the company's `multi_cloud`,
and the derived facts below. The company's facts are the company register's `foreign_branch` and `multi_cloud`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from .model import Arrangement, Audit, System

HOME_COUNTRY = "TW"


def material_npd_offshore_system(arrangement: Arrangement, systems: Iterable[System]) -> bool:
    """「涉及自然人客戶相關資料之重大性業務資訊系統委託至境外處理」 (A6.P1.I7, A9.P1.I1.S1).

    Where any of the arrangement's systems carries one of the systems register's columns material,
    natural_person_data or data_locations, the fact holds when one system is material, holds natural-person
    data and lists a location other than TW. Where none does, the arrangement's own flags decide: material,
    natural_person_data and offshore all hold.
    """
    own = [s for s in systems if s.arrangement_id == arrangement.arrangement_id]
    if any(s.describes_materiality for s in own):
        return any(s.material and s.natural_person_data and any(c != HOME_COUNTRY for c in s.data_locations or ())
                   for s in own)
    return {"material", "natural_person_data", "offshore"} <= arrangement.facts


def third_party_audit(arrangement: Arrangement, audits: Iterable[Audit], as_of: dt.date) -> bool:
    """「得委託…獨立第三人協助進行查核」 (A9.P1.I2): an audit of the arrangement by an independent auditor
    (audits.independent = Y) performed on or before the date."""
    return any(a.arrangement_id == arrangement.arrangement_id and a.independent and a.performed_on <= as_of
               for a in audits)


def contract_incomplete(contract_item_statuses: Iterable[str]) -> bool:
    """「前揭契約或協議內容如無法符合本條第一項要求」 (A6.P2): some item of A6.P1 that applies to the arrangement
    is not covered for it on the date (given the statuses of those items, not_applicable ones included)."""
    return any(s not in ("covered", "not_applicable") for s in contract_item_statuses)


def company_facts_for_arrangements(company_facts: frozenset[str]) -> frozenset[str]:
    """The company's facts an arrangement shares: multi_cloud (foreign_branch is each arrangement's own flag)."""
    return company_facts & {"multi_cloud"}
