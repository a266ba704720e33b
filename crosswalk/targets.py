"""Target control ids (FRAMEWORK:ID) named in a control's `satisfies`, resolved through the store's mapping sets
to the provisions they cover (README "Registers", controls).

A target covers a provision only through a mapping of a reviewed set whose relationship is `equal` or `subset`
(provision subset-of control): the same mappings that let a certificate count (evidence.proving_mappings).
Superset and intersect mappings, and draft sets, cover nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from regtrace.graph.port import Store

from .evidence import proving_mappings
from .model import SEPARATOR


def is_target(item: str) -> bool:
    """Whether a `satisfies` item is a target control id (FRAMEWORK:ID) rather than a provision id."""
    return SEPARATOR in item


@dataclass(frozen=True)
class TargetIndex:
    """The store's frameworks, their control ids, and the provisions each control id covers."""

    frameworks: frozenset[str] = frozenset()
    controls: frozenset[str] = frozenset()  # FRAMEWORK:ID
    covers: dict[str, tuple[str, ...]] = field(default_factory=dict)  # FRAMEWORK:ID -> provision ids

    def problem(self, ref: str) -> str | None:
        """Why `ref` cannot stand in `satisfies`, or None when it covers at least one provision."""
        framework, _, code = ref.partition(SEPARATOR)
        if not framework or not code:
            return f"{ref!r} is not a target control id (write FRAMEWORK:ID, e.g. ISO27001:A.5.23)"
        if framework not in self.frameworks:
            known = ", ".join(sorted(self.frameworks)) or "none"
            return f"unknown framework {framework!r} in {ref!r} (the store's frameworks: {known})"
        if ref not in self.controls:
            return f"unknown control {code!r} in {ref!r}: framework {framework} has no such id"
        if not self.covers.get(ref):
            return (f"{ref!r} covers no provision: no reviewed mapping set maps a provision to it as equal or "
                    "subset (superset and intersect mappings never cover a provision)")
        return None


def target_index(store: Store) -> TargetIndex:
    """The store's target ids and what each covers through equal or subset mappings of reviewed sets."""
    covers: dict[str, set[str]] = {}
    for (_framework, provision), refs in proving_mappings(store).items():
        for ref in refs:
            covers.setdefault(ref, set()).add(provision)
    return TargetIndex(frozenset(f["uid"] for f in store.nodes("Framework")),
                       frozenset(c["uid"] for c in store.nodes("FrameworkControl")),
                       {ref: tuple(sorted(p)) for ref, p in covers.items()})
