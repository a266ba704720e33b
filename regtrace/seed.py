"""The bundled seed regulation in a store: parse, curate, derive obligations, write; and its summary."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from pathlib import Path

from regtrace import labels
from regtrace.crosswalk.shipped import csp_meetable
from regtrace.crosswalk.store_io import install_shipped
from regtrace.errors import ConfigError
from regtrace.graph.port import Row, Store
from regtrace.loaders.curation import Curation, load_curation, load_regulation, load_seed, seed_text
from regtrace.loaders.regulation_parser import ParsedRegulation
from regtrace.regulation_graph import RegulationGraph, Semantics, build_regulation_graph, write_regulation
from regtrace.shipped import EXAMPLES
from regtrace.versions import SEED_LABEL, version_uid

# Articles whose obligations fall on each arrangement (CSP due diligence, contracts, security controls,
# audits, business continuity); the others fall on the company unless their conditions use arrangement facts.
ARRANGEMENT_ARTICLES = frozenset({5, 6, 7, 9, 10})


def parse_regulation_file(path: Path | None) -> ParsedRegulation:
    """The bundled seed when `path` is None, else the file (curated where the curation covers it)."""
    return load_seed() if path is None else load_regulation(path, seed=False)


def seed_graph() -> RegulationGraph:
    """The seed regulation and the instruments register as graph rows."""
    curation = load_curation()
    parsed = load_seed(curation)
    if parsed.instrument_id is None:
        raise ConfigError("the bundled seed's title is not in the instruments register")
    graph = regulation_graph(parsed, parsed.instrument_id, curation)
    flags = csp_meetable({p["provision_id"]: (p["path"], p["text"]) for p in graph.provisions})
    for p in graph.provisions:
        p["csp_meetable"], p["csp_meetable_quote"] = flags[p["provision_id"]]
    return graph


def regulation_graph(parsed: ParsedRegulation, instrument_id: str, curation: Curation) -> RegulationGraph:
    """A parsed and curated text as graph rows, its obligations derived as for the seed (also used, in memory,
    for an amended text: regtrace.impact)."""
    semantics = Semantics(frozenset(curation.non_normative), ARRANGEMENT_ARTICLES, curation.rules_by_provision,
                          curation.lead_in_modalities, curation.falls_on, curation.shall_when)
    return build_regulation_graph(
        instrument_id,
        parsed.provisions,
        [i.to_row() for i in curation.instruments],
        {a: labels.ACTOR[a][0] for a in labels.ACTOR},
        curation.instrument_ids_by_title,
        semantics,
        seed_version_row(instrument_id),
    )


def seed_version_row(instrument_id: str) -> Row:
    """The seed's InstrumentVersion row. The text states no date of promulgation or effect (Art. 13: it takes
    effect once both associations' boards adopt it and it is filed with the competent authority), so both dates
    stay empty (never guessed) and the seed is in force on any date until a later version is adopted."""
    text = seed_text()
    return {"version_id": version_uid(instrument_id, SEED_LABEL), "version": SEED_LABEL, "promulgated_on": None,
            "effective_from": None, "effective_until": None,
            "source_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(), "source_text": text,
            "adopted_at": None, "ordinal": 0}


def install_seed(store: Store) -> None:
    """Write the seed and the shipped crosswalks into the store (idempotent)."""
    write_regulation(store, seed_graph())
    install_shipped(store)


def examples_folder(name: str = "insurer") -> Path:
    """The example insurer's register folder (examples/ in a clone, package data in the wheel)."""
    folder = EXAMPLES / name
    if not folder.is_dir():
        raise ConfigError(f"the example registers are not at {folder}: reinstall regtrace (the wheel ships them)")
    return folder


def regulation_summary(store: Store) -> list[str]:
    """A few lines on the regulation graph: articles, provisions, obligations, conditions, stale references."""
    from regtrace.versions import VersionBook

    book = VersionBook.read(store)
    label = None if book.single else book.in_force(dt.date.today()).label
    provisions = book.provisions if label is None else book.provisions_of(label)
    obligations = book.obligations if label is None else book.obligations_of(label)
    keys = {p["uid"] for p in provisions}
    by_modality = Counter(o["modality"] for o in obligations)
    falls_on = Counter(o["falls_on"] for o in obligations)
    conditional = [p for p in provisions if p["conditions"]]
    facts = Counter(f for o in obligations for f in o["conditions"])
    instruments = {i["instrument_id"]: i for i in store.nodes("Instrument")}
    refs = [r for r in store.links("REFERENCES") if r["source"] in keys]
    pid = {p["uid"]: p["provision_id"] for p in provisions}
    stale = sorted({(pid[r["source"]], r["target"]) for r in refs if instruments[r["target"]]["status"] != "in_force"})
    lines = [
        f"條 articles {sum(p['level'] == 'article' for p in provisions)} · 條文 provisions {len(provisions)} · "
        f"義務 obligations {len(obligations)}",
        "義務依規範效力 obligations by modality: "
        + ", ".join(f"{labels.modality(m)} {by_modality[m]}" for m in ("shall", "must_not", "should")),
        f"適用對象 falls on: 各委外事項 each arrangement {falls_on['arrangement']}, "
        f"全公司 company {falls_on['company']}",
        f"附條件條文 conditional provisions {len(conditional)}; 義務之適用條件 facts used by obligations: "
        + ", ".join(f"{labels.fact(f)} {n}" for f, n in facts.most_common()),
    ]
    successor_of = {r["source"]: r["target"] for r in store.links("SUPERSEDED_BY")}
    for source, target in stale:
        i = instruments[target]
        successor = instruments.get(successor_of.get(target, ""))
        note = f"，由「{successor['title']}」取代" if successor else ""
        lines.append(
            f"⚠ {source} 引用已{'廢止' if i['status'] == 'abolished' else '失效'}之「{i['title']}」"
            f"({i['status']} {i['abolished_on'] or ''}){note}"
        )
    return lines
