"""Who a tenant is: the member company's legal name from the company register, zh-TW first with the English
beside it, and the tenant id where the tenant has no company row (issue 10 point 3)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from regtrace.graph.port import Store


@dataclass(frozen=True)
class CompanyName:
    tenant: str
    legal_name: str | None = None
    legal_name_en: str | None = None

    @property
    def display(self) -> str:
        """範例人壽保險股份有限公司台灣分公司 Example Life Insurance Co., Ltd., Taiwan Branch — or the tenant id."""
        if self.legal_name is None:
            return self.tenant
        return f"{self.legal_name} {self.legal_name_en}" if self.legal_name_en else self.legal_name

    @property
    def with_tenant(self) -> str:
        """The display name with the tenant id after it in brackets (the id alone when there is no name)."""
        return self.tenant if self.legal_name is None else f"{self.display} ({self.tenant})"

    def to_json(self) -> dict[str, Any]:
        return {"tenant": self.tenant, "legal_name": self.legal_name, "legal_name_en": self.legal_name_en,
                "display": self.display}


def company_name(store: Store, tenant: str) -> CompanyName:
    """The tenant's company name, or the tenant id alone when its registers have no company row."""
    row = store.company(tenant)
    if row is None:
        return CompanyName(tenant)
    return CompanyName(tenant, row["legal_name"], row["legal_name_en"])
