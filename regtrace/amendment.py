"""An amended regulation text built in memory, as the store would hold it, before anything is adopted.

The amended version goes through the pipeline the seed goes through (parser → modality and references → the
curated files), the curation carried by the diff's matching:

* a provision matched to one of the current text (same, renumbered or reworded) keeps the curation of its
  predecessor under its new id — conditions, falls_on, lead-in, trace rule, non-normative article — except a
  curated modality (or a lead-in's) when the words' modality changed: the curated choice quoted the old
  words, so the new text's own modality rules; words that suggest other conditions keep the curation and are
  flagged for review (a duty is never narrowed on a guess);
* a provision the amendment adds gets what the parser derives from its words (conditions inferred);
* a deleted (刪除) or removed provision has no obligation.

An excerpt (an amendment listing only the articles it changes) is read into the current text (`whole_text`).
Nothing is written.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from regtrace.errors import InputError
from regtrace.loaders.curation import (
    Condition,
    Curation,
    LeadIn,
    apply_curation,
    check_curation,
    load_curation,
    load_regulation,
    load_seed,
    resolve_references,
    seed_source,
    seed_text,
)
from regtrace.loaders.numbering import Number, article_key
from regtrace.loaders.provision import OBLIGATION_MODALITIES, Provision
from regtrace.loaders.regulation_diff import RegulationDiff, diff_regulations, normalise, read_side
from regtrace.loaders.regulation_parser import ParsedRegulation
from regtrace.regulation_graph import RegulationGraph, obligations_under_rows
from regtrace.trace.conditions import TRUE
from regtrace.trace_against import RULE_PROVISIONS


@dataclass(frozen=True)
class Version:
    """A regulation text as the store would hold it: parsed, curated, its graph rows (not written)."""

    parsed: ParsedRegulation
    graph: RegulationGraph

    @property
    def obligation_ids(self) -> frozenset[str]:
        return frozenset(o["obligation_id"] for o in self.graph.obligations)

    def under(self) -> dict[str, list[str]]:
        """Each provision id -> the obligation ids at or below it."""
        return obligations_under_rows(self.graph.provisions, self.graph.obligations)


def matching(diff: RegulationDiff, old: ParsedRegulation, new: ParsedRegulation) -> dict[str, str]:
    """Old provision id -> new provision id for every provision the diff matches and the new text keeps (not
    deleted): the unchanged ones (same id, in no change) and the renumbered or reworded ones."""
    in_changes = {c.old_id for c in diff.changes} | {c.new_id for c in diff.changes}
    new_by_id = {p.id: p for p in new.provisions}
    ids = {p.id: p.id for p in old.provisions
           if p.id not in in_changes and p.id in new_by_id and not p.deleted and not new_by_id[p.id].deleted}
    for c in diff.changes:
        if c.old is not None and c.new is not None and not c.old.deleted and not c.new.deleted:
            ids[c.old.id] = c.new.id
    return ids


def carried_curation(curation: Curation, ids: Mapping[str, str], diff: RegulationDiff,
                     new: ParsedRegulation) -> Curation:
    """The curation of the current text moved onto the amended one through `ids` (see the module's rules).

    Every carried provision the curation gives no condition gets an explicit "always", so that only the
    provisions the amendment adds have conditions inferred from their words.
    """
    moved_modality = {c.new_id for c in diff.changes if "modality_changed" in c.kinds}
    by_id = {p.id: p for p in new.provisions}
    parents = {p.parent for p in new.provisions if p.parent}
    conditions: dict[str, Condition] = {new_id: Condition(TRUE, "") for new_id in ids.values()
                                        if by_id[new_id].level != "article"}
    conditions |= {ids[pid]: c for pid, c in curation.conditions.items() if pid in ids}
    modalities = {ids[pid]: m for pid, m in curation.modalities.items()
                  if pid in ids and ids[pid] not in moved_modality}
    lead_ins: dict[str, LeadIn] = {}
    for pid, lead in curation.lead_ins.items():
        new_id = ids.get(pid)
        if new_id is None or new_id not in parents:
            continue
        if new_id in moved_modality:
            own = by_id[new_id].effective_modality
            if own not in OBLIGATION_MODALITIES:
                continue
            lead = LeadIn(own, lead.quote)
        lead_ins[new_id] = lead
    return dataclasses.replace(
        curation,
        conditions=conditions,
        modalities=modalities,
        lead_ins=lead_ins,
        non_normative=tuple(ids[pid] for pid in curation.non_normative if pid in ids),
        trace_rules={rule: tuple(ids[pid] for pid in pids if pid in ids)
                     for rule, pids in curation.trace_rules.items()},
    )


def seed_version(curation: Curation | None = None) -> Version:
    """The bundled seed as the store holds it."""
    from regtrace.seed import regulation_graph

    curation = curation or load_curation()
    parsed = load_seed(curation)
    assert parsed.instrument_id is not None  # the seed's title is in the register (checked by seed_graph)
    return Version(parsed, regulation_graph(parsed, parsed.instrument_id, curation))


@dataclass(frozen=True)
class Amendment:
    """The diff of the current text and an amended one, the amended version built in memory, and the matching."""

    diff: RegulationDiff
    current: Version
    amended: Version
    ids: dict[str, str]  # current provision id -> amended provision id (kept provisions only)
    warnings: list[str] = field(default_factory=list)


def whole_text(current: ParsedRegulation, excerpt: ParsedRegulation) -> ParsedRegulation:
    """The amended text in full from an excerpt (an amendment listing only the articles it changes): the
    current text's articles with those the excerpt lists replaced or inserted (copies; neither is changed)."""
    listed = {article_key(p.id) for p in excerpt.provisions}
    articles: dict[Number, list[Provision]] = {}
    for p in current.provisions:
        if article_key(p.id) not in listed:
            articles.setdefault(article_key(p.id), []).append(copy.deepcopy(p))
    for p in excerpt.provisions:
        articles.setdefault(article_key(p.id), []).append(copy.deepcopy(p))
    return dataclasses.replace(excerpt, title=excerpt.title or current.title, excerpt=False,
                               provisions=[p for key in sorted(articles) for p in articles[key]])


def curated(parsed: ParsedRegulation, curation: Curation) -> ParsedRegulation:
    """A copy of a text parsed as any text other than the seed, with `curation` checked and applied where it
    covers a provision and conditions inferred elsewhere (what `load_regulation(..., seed=False,
    curation=curation)` does after parsing)."""
    result = dataclasses.replace(parsed, provisions=[copy.deepcopy(p) for p in parsed.provisions])
    check_curation(result.provisions, curation)
    apply_curation(result.provisions, curation, infer_uncovered=True)
    resolve_references(result.provisions, curation, strict=False, source=result.source)
    instrument = curation.instrument_for_title(result.title) if result.title else None
    result.instrument_id = instrument.id if instrument else None
    return result


def amend(new: Path | str, current_text: tuple[str, str] | None = None) -> Amendment:
    """The amendment from the current text (the bundled seed unless `current_text`, (text, source name), is
    given) to `new`: a regulation text file (a Path) or the text itself (a str, as the API receives it).

    The diff is `regtrace diff CURRENT NEW`'s (both sides read as any text, so it lists the same changes; an
    excerpt compares the articles it lists); the amended version is the whole text (an excerpt's articles in
    the current text) carrying the current curation through the diff's matching.
    """
    from regtrace.seed import regulation_graph

    curation = load_curation()
    uncurated = curation.without_conditions()
    text, source = current_text or (seed_text(), seed_source())
    before = load_regulation(text, seed=False, curation=uncurated)
    before.source = source
    after = load_regulation(new, seed=False, curation=uncurated)
    diff = diff_regulations(before, after)
    diff.warnings[:0] = [*before.warnings, *after.warnings]
    whole = whole_text(before, after) if after.excerpt else after
    current = seed_version(curation) if current_text is None else _curated(text, source, curation)
    ids = matching(diff, before, whole)
    carried = carried_curation(curation, ids, diff, whole)
    parsed = curated(whole, carried)
    instrument = parsed.instrument_id or current.parsed.instrument_id
    if instrument is None:
        raise InputError(f"{after.source}: its title names no instrument of the register")
    amended = Version(parsed, regulation_graph(parsed, instrument, carried))
    warnings = [f"{after.source}: its title 「{after.title}」 is not the current text's 「{before.title}」; "
                "compared as an amendment of it all the same"] \
        if after.title and normalise(after.title) != normalise(before.title or "") else []
    warnings += [f"{c.new_id}: the amended words suggest other conditions ({_facts(c.old)} → {_facts(c.new)}); "
                 "traced with the current curation, which never narrows a duty on a guess: review it before "
                 "adoption" for c in diff.changes if "conditions_changed" in c.kinds and c.old_id in ids]
    warnings += [f"{pid}: the trace rules name this provision; the amended text moves it to {ids[pid]}, "
                 "traced with the same rule" for pid in RULE_PROVISIONS if pid in ids and ids[pid] != pid]
    warnings += [f"{pid}: the trace rules name this provision; the amended text no longer has it"
                 for pid in RULE_PROVISIONS if pid not in ids]
    return Amendment(diff, current, amended, ids, warnings)


def _facts(p: Provision | None) -> str:
    return ", ".join(p.conditions) if p is not None and p.conditions else "none"


def amend_file(argument: str) -> Amendment:
    """`amend` for a file named on the command line (NEW_TEXT): a missing file or a folder is an InputError."""
    read_side(argument, "NEW_TEXT")
    return amend(Path(argument))


def _curated(text: str, source: str, curation: Curation) -> Version:
    from regtrace.seed import regulation_graph

    parsed = load_regulation(text, seed=True, curation=curation)
    parsed.source = source
    assert parsed.instrument_id is not None
    return Version(parsed, regulation_graph(parsed, parsed.instrument_id, curation))
