"""`regtrace provisions --as-of D` without a file: the stored version in force on D, as the parser's provisions.

The version's stored source text is parsed again (the seed with its curation) and what the store holds of each
provision — modalities, conditions, frequency, and each obligation's condition — is laid over it, so the list
is the regulation the trace of that day uses.
"""

from __future__ import annotations

import datetime as dt

from regtrace.graph.port import Store
from regtrace.loaders.curation import load_regulation, load_seed, seed_text
from regtrace.loaders.provision import Provision
from regtrace.versions import Version, VersionBook


def stored_provisions(store: Store, day: dt.date) -> tuple[Version, str | None, list[Provision]]:
    """The version in force on `day`, its title and its provisions in document order."""
    book = VersionBook.read(store)
    version = book.in_force(day)
    row = next(r for r in store.nodes("InstrumentVersion") if r["uid"] == version.version_id)
    text = str(row["source_text"] or "")
    parsed = load_seed() if text == seed_text() else load_regulation(text, seed=False)
    provisions = parsed.provisions
    rows = {r["provision_id"]: r for r in book.provisions_of(version.label)}
    applies = {o["obligation_id"]: o["applies_when"] for o in book.obligations_of(version.label)}
    for p in provisions:
        stored = rows.get(p.id)
        if stored is None:
            continue
        p.modalities = list(stored["modalities"] or [])
        p.effective_modality = stored["effective_modality"]
        p.conditions = list(stored["conditions"] or [])
        p.frequency_months = stored["frequency_months"]
        if p.id in applies:
            p.applies_when = applies[p.id]
    return version, parsed.title, provisions
