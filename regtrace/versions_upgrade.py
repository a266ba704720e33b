"""Upgrading a store made before regulation versions, in place: its regulation becomes the first version.

A store written by the release before versions holds one regulation with no InstrumentVersion: every provision
and obligation keeps its key (the first version's keys are the ids), gains the `version` label of the seed and
an IN_VERSION link to the seed's version node, in one write (all or nothing). Nothing else changes; running it
again does nothing.
"""

from __future__ import annotations

from regtrace.graph.port import Link, Store, Writer
from regtrace.versions import SEED_LABEL


def needs_upgrade(store: Store) -> bool:
    """A regulation is stored but no version of it."""
    return store.count("InstrumentVersion") == 0 and store.count("Provision") > 0


def upgrade_versions(store: Store) -> bool:
    """Make the stored regulation the seed version; True when something was written."""
    if not needs_upgrade(store):
        return False
    from regtrace.seed import seed_version_row

    instrument_of = {r["source"]: r["target"] for r in store.links("PART_OF")}
    instruments = sorted(set(instrument_of.values()))
    instrument_id = instruments[0] if len(instruments) == 1 else "TIA-CLOUD-SRR"
    version = {**seed_version_row(instrument_id)}
    version["uid"] = version["version_id"]
    provisions = [{**r, "version": r.get("version") or SEED_LABEL} for r in store.nodes("Provision")]
    obligations = [{**r, "version": r.get("version") or SEED_LABEL} for r in store.nodes("Obligation")]

    def unit(w: Writer) -> None:
        w.upsert_nodes("InstrumentVersion", [version])
        w.link("VERSION_OF", [Link(version["uid"], instrument_id)])
        w.upsert_nodes("Provision", provisions)
        w.upsert_nodes("Obligation", obligations)
        w.link("IN_VERSION", [Link(r["uid"], version["uid"]) for r in provisions])

    store.write(unit)
    return True
