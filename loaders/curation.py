"""Curated data beside the parsed text: applicability conditions, trace rules and the instruments register.

The bundled files live in the package `regtrace.ontology` (curation/conditions.toml, curation/instruments.toml)
and describe the bundled seed. `load_regulation` is the one entry point: it parses a text, checks the curated
files against it, fills each provision's conditions (its own facts plus its ancestors') and resolves its
references to instrument ids. For a text that is not the seed, conditions the curated file does not cover are
inferred from the words of the text.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

from regtrace.loaders.numbering import PROVISION_ID
from regtrace.loaders.provision import OBLIGATION_MODALITIES, Provision
from regtrace.loaders.regulation_parser import ParsedRegulation, parse_regulation
from regtrace.trace.conditions import FACTS, TRUE, ConditionSyntaxError, Expr, all_of, conjunction, parse

from regtrace.errors import CurationError, RegulationParseError

PACKAGE = "regtrace.ontology"
CONDITIONS_RESOURCE = "curation/conditions.toml"
INSTRUMENTS_RESOURCE = "curation/instruments.toml"
SEED_RESOURCE = "seed/cloud-outsourcing-self-regulation.txt"

INSTRUMENT_STATUSES: tuple[str, ...] = ("in_force", "abolished", "superseded")
_CONDITIONS_KEYS = frozenset({"non_normative", "conditions", "modality", "lead_in", "trace_rules"})
FALLS_ON: tuple[str, ...] = ("arrangement", "company", "both")
_ENTRY_FIELDS = {
    "conditions": (frozenset({"when", "quote"}), frozenset({"falls_on"})),
    "modality": (frozenset({"modality", "quote"}), frozenset({"shall_when"})),
    "lead_in": (frozenset({"modality", "quote"}), frozenset()),
}
_INSTRUMENT_TEXT_FIELDS = ("title_en", "issuer", "kind", "note", "superseded_by")
_INSTRUMENT_DATE_FIELDS = ("promulgated_on", "effective_from", "abolished_on")
_INSTRUMENT_FIELDS = frozenset({"id", "title", "status", *_INSTRUMENT_TEXT_FIELDS, *_INSTRUMENT_DATE_FIELDS})

# The words that make a provision conditional, and the fact each one names (used only off the curated seed).
_CONDITIONAL = re.compile(r"如(?![：:])|若|涉及|(?<![同即隨適及臨暫準定按])時|(?<![業用讀記作或])者|情形|具重大性")
_FACT_WORDS: tuple[tuple[str, re.Pattern[str], bool], ...] = (  # fact, words, needs conditional wording
    ("vm_or_container_images", re.compile(r"虛擬機|容器|映像檔"), True),
    ("offshore", re.compile(r"境外"), True),
    ("natural_person_data", re.compile(r"自然人客戶"), True),
    ("customer_data", re.compile(r"客戶資料"), True),
    ("material", re.compile(r"重大性"), True),
    ("subcontracting", re.compile(r"複委託"), True),
    ("foreign_branch", re.compile(r"外國保險業在臺分支機構"), False),
    ("internet_access", re.compile(r"網際網路"), True),
    ("hybrid_cloud", re.compile(r"雲地混合"), True),
    ("self_managed", re.compile(r"IaaS\s*或\s*PaaS|PaaS\s*或\s*IaaS|自行管理之雲端環境"), True),
)


@dataclass(frozen=True)
class Instrument:
    """One row of the instruments register."""

    id: str
    title: str
    status: str
    title_en: str | None = None
    issuer: str | None = None
    kind: str | None = None
    promulgated_on: dt.date | None = None
    effective_from: dt.date | None = None
    abolished_on: dt.date | None = None
    superseded_by: str | None = None
    note: str | None = None

    @property
    def in_force(self) -> bool:
        return self.status == "in_force"

    def to_row(self) -> dict[str, Any]:
        """The row the store keeps (key `instrument_id`)."""
        row = dataclasses.asdict(self)
        row["instrument_id"] = row.pop("id")
        return row


@dataclass(frozen=True)
class Condition:
    """When a provision applies (its own part: ancestors' conditions are added), and whom it falls on."""

    when: Expr
    quote: str
    falls_on: str | None = None


@dataclass(frozen=True)
class ModalityChoice:
    """The modality a provision binds with, and the condition under which it binds as shall instead."""

    modality: str
    quote: str
    shall_when: Expr | None = None


@dataclass(frozen=True)
class LeadIn:
    """A provision whose own words impose a duty before introducing its items."""

    modality: str
    quote: str


@dataclass(frozen=True)
class Curation:
    """The curated files, read and shape-checked; `check_curation` checks them against a text."""

    conditions: Mapping[str, Condition] = field(default_factory=dict)
    modalities: Mapping[str, ModalityChoice] = field(default_factory=dict)
    lead_ins: Mapping[str, LeadIn] = field(default_factory=dict)
    non_normative: tuple[str, ...] = ()
    trace_rules: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    instruments: tuple[Instrument, ...] = ()
    conditions_source: str = "<none>"
    instruments_source: str = "<none>"

    @property
    def contract_clause(self) -> tuple[str, ...]:
        return self.trace_rules.get("contract_clause", ())

    @property
    def audit_frequency(self) -> tuple[str, ...]:
        return self.trace_rules.get("audit_frequency", ())

    @property
    def rules_by_provision(self) -> dict[str, str]:
        """Each provision id named by a trace rule, mapped to the rule's name."""
        return {pid: rule for rule, ids in self.trace_rules.items() for pid in ids}

    @property
    def instrument_ids_by_title(self) -> dict[str, str]:
        return {i.title: i.id for i in self.instruments}

    def is_non_normative(self, provision_id: str) -> bool:
        """Whether the provision or one of its ancestors is curated as non-normative."""
        return any(provision_id == n or provision_id.startswith(n + ".") for n in self.non_normative)

    def instrument(self, instrument_id: str) -> Instrument | None:
        return next((i for i in self.instruments if i.id == instrument_id), None)

    def instrument_for_title(self, title: str) -> Instrument | None:
        wanted = _normalise_title(title)
        return next((i for i in self.instruments if _normalise_title(i.title) == wanted), None)

    def without_conditions(self) -> Curation:
        """The instruments register alone: what applies to a text the curated conditions do not describe."""
        return dataclasses.replace(self, conditions={}, modalities={}, lead_ins={}, non_normative=(),
                                   trace_rules={}, conditions_source="<none>")

    @property
    def falls_on(self) -> dict[str, str]:
        """Provision id -> arrangement | company | both, where the curation decides it."""
        return {pid: c.falls_on for pid, c in self.conditions.items() if c.falls_on}

    @property
    def shall_when(self) -> dict[str, str]:
        """Provision id -> the condition under which it binds as shall."""
        return {pid: str(m.shall_when) for pid, m in self.modalities.items() if m.shall_when is not None}

    @property
    def lead_in_modalities(self) -> dict[str, str]:
        return {pid: lead.modality for pid, lead in self.lead_ins.items()}


# ---------------------------------------------------------------- reading the files


def _normalise_title(title: str) -> str:
    return re.sub(r"\s+", "", title)


def _read_toml(path: Path | None, resource: str) -> tuple[dict[str, Any], str]:
    """The parsed TOML of `path`, or of the bundled resource; CurationError names the file."""
    source = str(path) if path is not None else str(files(PACKAGE).joinpath(resource))
    try:
        text = path.read_text(encoding="utf-8") if path is not None else files(PACKAGE).joinpath(
            resource).read_text(encoding="utf-8")
        return tomllib.loads(text), source
    except OSError as exc:
        raise CurationError(f"{source}: cannot read: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise CurationError(f"{source}: not valid TOML: {exc}") from exc


def _id_list(value: object, source: str, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CurationError(f"{source}: {key}: expected a list of provision ids")
    for pid in value:
        if not PROVISION_ID.fullmatch(pid):
            raise CurationError(f"{source}: {key}: {pid!r} is not a provision id (like A4.P1.I3)")
    return tuple(value)


def _condition(value: object, source: str, key: str) -> Expr:
    if not isinstance(value, str):
        raise CurationError(f"{source}: {key}: expected a condition (a string such as \"material and not offshore\")")
    try:
        return parse(value)
    except ConditionSyntaxError as exc:
        raise CurationError(f"{source}: {key}: {exc}") from exc


def _entries(data: Mapping[str, Any], table: str, source: str) -> dict[str, Mapping[str, Any]]:
    """The entries of [table."ID"], each a table with exactly its required fields and some optional ones."""
    required, optional = _ENTRY_FIELDS[table]
    entries: dict[str, Mapping[str, Any]] = {}
    for pid, entry in _table(data, table, source).items():
        where = f'[{table}."{pid}"]'
        if not PROVISION_ID.fullmatch(pid):
            raise CurationError(f"{source}: {where}: not a provision id (like A4.P1.I3)")
        if not isinstance(entry, dict):
            raise CurationError(f"{source}: {where}: expected a table with {', '.join(sorted(required))}")
        missing, unknown = sorted(required - set(entry)), sorted(set(entry) - required - optional)
        if missing or unknown:
            said = ([f"missing {', '.join(missing)}"] if missing else []) + (
                [f"unknown {', '.join(unknown)}"] if unknown else [])
            raise CurationError(f"{source}: {where}: " + "; ".join(said))
        for name in (*required, *optional):
            if name in entry and (not isinstance(entry[name], str) or not entry[name].strip()):
                raise CurationError(f"{source}: {where}.{name}: expected a non-empty string")
        if "modality" in entry and entry["modality"] not in OBLIGATION_MODALITIES:
            raise CurationError(f"{source}: {where}.modality: {entry['modality']!r} is not one of "
                                f"{sorted(OBLIGATION_MODALITIES)}")
        if "falls_on" in entry and entry["falls_on"] not in FALLS_ON:
            raise CurationError(f"{source}: {where}.falls_on: {entry['falls_on']!r} is not one of {FALLS_ON}")
        entries[pid] = entry
    return entries


def _table(data: Mapping[str, Any], key: str, source: str) -> Mapping[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise CurationError(f"{source}: [{key}] must be a table")
    return value


def _parse_conditions_file(data: Mapping[str, Any], source: str) -> Curation:
    unknown = sorted(set(data) - _CONDITIONS_KEYS)
    if unknown:
        raise CurationError(f"{source}: unknown key(s) {', '.join(unknown)}; expected {sorted(_CONDITIONS_KEYS)}")
    conditions = {
        pid: Condition(_condition(e["when"], source, f'[conditions."{pid}"].when'), e["quote"], e.get("falls_on"))
        for pid, e in _entries(data, "conditions", source).items()
    }
    modalities = {
        pid: ModalityChoice(e["modality"], e["quote"],
                            _condition(e["shall_when"], source, f'[modality."{pid}"].shall_when')
                            if "shall_when" in e else None)
        for pid, e in _entries(data, "modality", source).items()
    }
    lead_ins = {pid: LeadIn(e["modality"], e["quote"]) for pid, e in _entries(data, "lead_in", source).items()}
    rules = {name: _id_list(ids, source, f"[trace_rules] {name}")
             for name, ids in _table(data, "trace_rules", source).items()}
    non_normative = _id_list(data.get("non_normative", []), source, "non_normative")
    return Curation(conditions, modalities, lead_ins, non_normative, rules, conditions_source=source)


def _instrument_field(entry: Mapping[str, Any], name: str, kind: type, source: str, where: str) -> Any:
    value = entry.get(name)
    if value is not None and (not isinstance(value, kind) or isinstance(value, dt.datetime)):
        raise CurationError(f"{source}: {where}.{name}: expected a {kind.__name__}, got {value!r}")
    return value


def _parse_instrument(entry: object, index: int, source: str) -> Instrument:
    where = f"[[instrument]] #{index + 1}"
    if not isinstance(entry, dict):
        raise CurationError(f"{source}: {where}: expected a table")
    where = f"{where} ({entry.get('id', '?')})"
    unknown = sorted(set(entry) - _INSTRUMENT_FIELDS)
    if unknown:
        raise CurationError(f"{source}: {where}: unknown field(s) {', '.join(unknown)}")
    for required in ("id", "title", "status"):
        if not isinstance(entry.get(required), str) or not entry[required].strip():
            raise CurationError(f"{source}: {where}.{required}: required (a non-empty string)")
    if entry["status"] not in INSTRUMENT_STATUSES:
        raise CurationError(f"{source}: {where}.status: {entry['status']!r} is not one of {INSTRUMENT_STATUSES}")
    values = {name: _instrument_field(entry, name, str, source, where) for name in _INSTRUMENT_TEXT_FIELDS}
    values |= {name: _instrument_field(entry, name, dt.date, source, where) for name in _INSTRUMENT_DATE_FIELDS}
    if entry["status"] == "abolished" and values["abolished_on"] is None:
        raise CurationError(f"{source}: {where}.abolished_on: required when status is 'abolished'")
    return Instrument(id=entry["id"], title=entry["title"], status=entry["status"], **values)


def _parse_instruments_file(data: Mapping[str, Any], source: str) -> tuple[Instrument, ...]:
    entries = data.get("instrument", [])
    if set(data) - {"instrument"} or not isinstance(entries, list):
        raise CurationError(f"{source}: expected only [[instrument]] tables")
    instruments = tuple(_parse_instrument(entry, i, source) for i, entry in enumerate(entries))
    ids = [i.id for i in instruments]
    for key, values in (("id", ids), ("title", [_normalise_title(i.title) for i in instruments])):
        duplicates = sorted({v for v in values if values.count(v) > 1})
        if duplicates:
            raise CurationError(f"{source}: [[instrument]].{key}: duplicated: {', '.join(duplicates)}")
    for instrument in instruments:
        if instrument.superseded_by is not None and instrument.superseded_by not in ids:
            raise CurationError(f"{source}: [[instrument]] ({instrument.id}).superseded_by: "
                                f"{instrument.superseded_by!r} is not an instrument id of this register")
    return instruments


def load_curation(conditions_path: Path | None = None, instruments_path: Path | None = None) -> Curation:
    """Read the curated files (the bundled ones unless paths are given) and check their shape."""
    curation = _parse_conditions_file(*_read_toml(conditions_path, CONDITIONS_RESOURCE))
    data, instruments_source = _read_toml(instruments_path, INSTRUMENTS_RESOURCE)
    instruments = _parse_instruments_file(data, instruments_source)
    return dataclasses.replace(curation, instruments=instruments, instruments_source=instruments_source)


# ---------------------------------------------------------------- against a text


def check_curation(provisions: Sequence[Provision], curation: Curation) -> None:
    """CurationError naming the file and key of every curated id the text lacks and every unknown fact."""
    known = {p.id for p in provisions}
    source = curation.conditions_source
    problems: list[str] = []
    parents = {p.parent for p in provisions if p.parent}
    tables: tuple[tuple[str, Iterable[str]], ...] = (
        ("conditions", curation.conditions), ("modality", curation.modalities), ("lead_in", curation.lead_ins))
    for table, curated in tables:
        problems.extend(f'[{table}."{pid}"]: no such provision in the text' for pid in curated if pid not in known)
    for pid, condition in curation.conditions.items():
        problems.extend(f'[conditions."{pid}"]: unknown fact {f!r}' for f in condition.when.facts() if f not in FACTS)
    problems.extend(f'[lead_in."{pid}"]: has no items below it, so it is an ordinary obligation'
                    for pid in curation.lead_ins if pid in known and pid not in parents)
    for rule, ids in curation.trace_rules.items():
        problems.extend(f"[trace_rules] {rule}: {pid!r}: no such provision in the text"
                        for pid in ids if pid not in known)
    problems.extend(f"non_normative: {pid!r}: no such provision in the text"
                    for pid in curation.non_normative if pid not in known)
    if problems:
        raise CurationError(f"{source}: {len(problems)} problem(s):\n" + "\n".join(f"  - {p}" for p in problems))


def infer_conditions(text: str) -> list[str]:
    """The arrangement facts a provision's own words make it conditional on (a heuristic, sorted)."""
    conditional = bool(_CONDITIONAL.search(text))
    return sorted(fact for fact, words, gated in _FACT_WORDS if words.search(text) and (conditional or not gated))


def apply_curation(provisions: Sequence[Provision], curation: Curation, *, infer_uncovered: bool = False) -> None:
    """Fill each provision's condition in place: its own and its ancestors', as one expression
    (`applies_when`, None when it always applies) and the facts that expression uses (`conditions`); and set
    the modality the curation chooses.

    Own conditions come from the curated file; with `infer_uncovered`, a provision the file does not list gets
    the facts its own text suggests (`infer_conditions`), all of which must hold.
    """
    by_id = {p.id: p for p in provisions}
    own: dict[str, Expr] = {}
    for p in provisions:
        if p.id in curation.conditions:
            own[p.id] = curation.conditions[p.id].when
        elif infer_uncovered and p.level != "article":
            own[p.id] = all_of(infer_conditions(p.text))
        else:
            own[p.id] = TRUE
    for p in provisions:
        chain, current = [own[p.id]], p.parent
        while current is not None:
            chain.insert(0, own[current])
            current = by_id[current].parent
        combined = conjunction(chain)
        p.applies_when = None if combined == TRUE else str(combined)
        p.conditions = sorted(set(combined.facts()))
        if p.id in curation.modalities:
            p.effective_modality = curation.modalities[p.id].modality  # type: ignore[assignment]


def resolve_references(provisions: Sequence[Provision], curation: Curation, *, strict: bool,
                       source: str = "<text>") -> list[str]:
    """Set each reference's instrument id from the register; the unresolved titles are returned.

    With `strict` (the bundled seed) an unresolved title is a CurationError naming the provision.
    """
    unresolved: list[str] = []
    for p in provisions:
        resolved = []
        for reference in p.references:
            instrument = curation.instrument_for_title(reference.instrument)
            if instrument is None:
                unresolved.append(f"{p.id}: 「{reference.instrument}」")
            resolved.append(dataclasses.replace(reference, instrument_id=instrument.id if instrument else None))
        p.references = resolved
    if strict and unresolved:
        raise CurationError(f"{source}: references to instruments not in {curation.instruments_source}: "
                            + "; ".join(unresolved))
    return unresolved


def obligations(provisions: Sequence[Provision], curation: Curation) -> list[Provision]:
    """The obligation-bearing provisions: leaves whose effective modality binds (shall, must_not, should) and
    the curated lead-ins, outside the non-normative articles."""
    parents = {p.parent for p in provisions if p.parent}
    return [p for p in provisions
            if not curation.is_non_normative(p.id)
            and (p.id in curation.lead_ins
                 or (p.id not in parents and p.effective_modality in OBLIGATION_MODALITIES))]


# ---------------------------------------------------------------- entry points


def seed_text() -> str:
    """The bundled seed regulation text."""
    return files(PACKAGE).joinpath(SEED_RESOURCE).read_text(encoding="utf-8")


def seed_source() -> str:
    return str(files(PACKAGE).joinpath(SEED_RESOURCE))


def _read_regulation(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise RegulationParseError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise RegulationParseError(f"{path}: not UTF-8 text (byte {exc.start})") from exc


def load_regulation(source: Path | str, *, seed: bool, curation: Curation | None = None) -> ParsedRegulation:
    """Parse a regulation (a Path is read as a file, a str is the text), check and apply curation.

    With `seed`, the curated files (bundled unless `curation` is given) must match the text exactly and
    every reference must resolve. Otherwise a given `curation` is checked and applied where it covers a
    provision, the rest is inferred from the text, and only the instruments register is used by default.
    """
    text, name = (_read_regulation(source), str(source)) if isinstance(source, Path) else (source, "<text>")
    parsed = parse_regulation(text, name)
    if curation is None:
        curation = load_curation() if seed else load_curation().without_conditions()
    check_curation(parsed.provisions, curation)
    apply_curation(parsed.provisions, curation, infer_uncovered=not seed)
    resolve_references(parsed.provisions, curation, strict=seed, source=name)
    instrument = curation.instrument_for_title(parsed.title) if parsed.title else None
    parsed.instrument_id = instrument.id if instrument else None
    return parsed


def load_seed(curation: Curation | None = None) -> ParsedRegulation:
    """The bundled seed, parsed, checked against the bundled curation and curated."""
    parsed = load_regulation(seed_text(), seed=True, curation=curation)
    parsed.source = seed_source()
    return parsed
