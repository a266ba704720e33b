"""The stored source text of each regulation version, by label: what `regtrace diff` reads when OLD or NEW
names a stored version rather than a file (README "Comparing two texts")."""

from __future__ import annotations

from regtrace.graph.port import Store
from regtrace.versions import VersionBook


def stored_texts(store: Store) -> dict[str, str]:
    """Each stored version's label -> its source text, oldest first."""
    book = VersionBook.read(store)
    texts = {r["uid"]: str(r.get("source_text") or "") for r in store.nodes("InstrumentVersion")}
    return {v.label: texts.get(v.version_id, "") for v in book.versions}
