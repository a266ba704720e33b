"""Validating register rows against the ontology, collecting every problem of every file at once.

The columns, their types, whether they are required or lists, their allowed values and patterns, and which
register a reference points to all come from the ontology (`ClassModel.columns`). What the ontology does not
say is here: which registers must be present, the cross-field rules, and how provision ids are checked.

Registers are validated in reference order (csps before arrangements before controls before evidence …) so a
reference is checked against the ids of the register it names while its row is at hand. An id counts as
known when its row has one, even if other cells of that row are wrong: one mistake is reported once.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

from regtrace.crosswalk.targets import TargetIndex, is_target
from regtrace.loaders.numbering import PROVISION_ID, PROVISION_ID_HINT
from regtrace.ontology.model import ClassModel, Field, Ontology, load_ontology

from regtrace.errors import Problem, ProblemLog, RegisterError

from . import register_locations as locations
from .register_reader import READ_ERRORS, Cells, RegisterFolder, Table
from .register_values import (
    CONTROL,
    LINE_CONTROL,
    CellError,
    Parser,
    column_parser,
    control_problem,
    memoisable,
    pattern_search,
)

REQUIRED_REGISTERS: tuple[str, ...] = ("csps", "arrangements", "controls")
OBLIGATION_CLASS = "Obligation"
ARRANGEMENT_CLASS = "OutsourcingArrangement"
CERTIFICATION_CLASS = "Certification"
CSP_CLASS = "CloudServiceProvider"
CONTROL_CLASS = "Control"
PROVISION_HINT = PROVISION_ID_HINT
CHUNK_ROWS = 20_000  # rows validated column by column at once (memory: a chunk's cells and values)

# Cross-field rules: (register, earlier column, later column): the later date may not precede the earlier.
DATE_ORDER: tuple[tuple[str, str, str], ...] = (
    ("certifications", "valid_from", "valid_until"),
    ("arrangements", "start_date", "end_date"),
    ("contracts", "signed_on", "expires_on"),
    ("approvals", "decided_on", "valid_until"),
)
MINIMUM: tuple[tuple[str, str, int], ...] = (("controls", "frequency_months", 1),)
# A century: the trace counts the months back from the as-of date (at most 2200), which must stay a date.
MAXIMUM: tuple[tuple[str, str, int], ...] = (("controls", "frequency_months", 1200),)
# (register, status column, status value, date column): that status needs the date, any other forbids it.
STATUS_DATE: tuple[tuple[str, str, str, str], ...] = (("findings", "status", "closed", "closed_on"),)

ObligationsUnder = Mapping[str, Sequence[str]]
# Valid rows handed on as they are validated, column-wise: one sequence per register column, then `extra` (Arrow
# arrays for a file judged column-wise: register_validation_columnar).
ChunkSink = Callable[[ClassModel, list[Sequence[Any]]], None]
# The registers whose rows later validators read (a certificate's scope and a system's location checks):
# their rows are kept even when a sink takes them.
ROWS_READ_LATER = frozenset({ARRANGEMENT_CLASS})
RowCheck = Callable[[list[Any]], "tuple[str, str] | None"]  # -> (column, message) when the row breaks a rule


@dataclass
class Register:
    """A validated register: one tuple per data row holding the values of `columns` in order, then `extra`
    (the JSON text of the unknown columns' non-blank cells, or None). Blank cells are None; list columns
    hold lists. A register whose rows went to a sink as they were validated (validate_folder) keeps none of
    them: `handed_on` counts them."""

    model: ClassModel
    source: str | None
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    handed_on: int = 0
    kept: bool = True  # False: the rows went to a sink, `rows` is empty

    @property
    def name(self) -> str:
        return self.model.register or self.model.name

    @property
    def columns(self) -> tuple[Field, ...]:
        return self.model.columns

    def __len__(self) -> int:
        return len(self.rows) if self.kept else self.handed_on

    def records(self) -> Iterator[dict[str, Any]]:
        """The rows as dicts keyed by column name, plus `extra` (decoded)."""
        names = [f.column for f in self.columns]
        for row in self.rows:
            record = dict(zip(names, row, strict=False))
            record["extra"] = json.loads(row[-1]) if row[-1] is not None else {}
            yield record


@dataclass(frozen=True)
class RegisterDataset:
    """Every register of a folder, validated; `obligations_under` expands provision ids to obligations."""

    registers: Mapping[str, Register]
    obligations_under: ObligationsUnder | None
    format: str = "csv"

    def __getitem__(self, register: str) -> Register:
        return self.registers[register]

    def counts(self) -> dict[str, int]:
        return {name: len(reg) for name, reg in self.registers.items()}


def register_order(onto: Ontology) -> list[ClassModel]:
    """The register classes, each after the registers its references point to (ties by register name)."""
    by_class = {c.name: c for c in onto.registers}
    ordered: list[ClassModel] = []
    done: set[str] = set()

    def visit(cls: ClassModel, path: tuple[str, ...]) -> None:
        if cls.name in done:
            return
        if cls.name in path:
            raise ValueError(f"registers reference each other in a cycle: {' -> '.join((*path, cls.name))}")
        for f in cls.references:
            if f.target in by_class and f.target != cls.name:
                visit(by_class[f.target], (*path, cls.name))
        done.add(cls.name)
        ordered.append(cls)

    for cls in sorted(by_class.values(), key=lambda c: c.register or ""):
        visit(cls, ())
    return ordered


def _letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: the spreadsheet column letter."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


_MISSING = object()


class _Known(set[str]):
    """The ids of a register, named for messages."""

    def __init__(self, ids: set[str], register: str) -> None:
        super().__init__(ids)
        self.register = register


@dataclass
class _Column:
    position: int  # in the register's columns
    index: int  # in the file's row
    field: Field
    name: str  # as the header writes it
    parse: Parser | None


class _Validator:
    """Validates one table; `known` holds the ids of the registers validated before it."""

    def __init__(self, model: ClassModel, table: Table, known: Mapping[str, set[str] | None],
                 obligations_under: ObligationsUnder | None, problems: list[Problem],
                 validated: Mapping[str, Register] | None = None, sink: ChunkSink | None = None) -> None:
        self.model = model
        self.sink = sink
        self.validated = validated or {}  # the registers validated before this one, by register name
        self.table = table
        self.known = known
        self.obligations_under = obligations_under
        self.problems = problems
        self.source = table.source
        self.register = Register(model, table.source, kept=sink is None or model.name in ROWS_READ_LATER)
        self.ids: set[str] = set()
        self.columns: list[_Column] = []
        self.extra: list[tuple[int, str]] = []
        self.unnamed: list[int] = []
        self.unreadable = False
        self._header()

    def problem(self, row: int | None, column: str | None, message: str) -> None:
        self.problems.append(Problem(self.source, row, column, message))

    def _header(self) -> None:
        header = self.table.header
        if len(header) == 1 and any(sep in header[0] for sep in ";\t|"):
            self.unreadable = True
            self.problem(1, None, "the header is one column: is the file separated by ';' or tabs? "
                         "Save it as comma-separated CSV")
            return
        by_column = {f.column: (i, f) for i, f in enumerate(self.model.columns)}
        seen: dict[str, int] = {}
        for index, raw in enumerate(self.table.header):
            name = raw.strip()
            key = name.lower()
            bad = control_problem(name)
            if bad is not None:
                self.problem(1, _letter(index), f"the column name {bad}")
                continue
            if not key:
                self.unnamed.append(index)
                continue
            if key in seen:
                self.problem(1, name, f"the column appears twice (columns {_letter(seen[key])} and "
                             f"{_letter(index)}); the first one is used")
                continue
            seen[key] = index
            if key in by_column:
                position, f = by_column[key]
                parse = column_parser(f.datatype, many=f.many, allowed=f.allowed, pattern=f.pattern)
                self.columns.append(_Column(position, index, f, name, parse))
            else:
                self.extra.append((index, name))
        for column, (_, f) in by_column.items():
            if f.required and column not in seen:
                self.problem(1, column, "a required column is missing from the header")

    def validate(self) -> Register:
        """Parse and check every row; problems go to the shared list, valid values to the register.

        Rows are taken CHUNK_ROWS at a time. A chunk is first judged column by column (_clean_chunk: each
        column's cells stripped, parsed and checked at once); only a chunk in which that finds something
        possibly wrong is judged again row by row (_rows), which names every problem's row and column exactly
        as before. Both give the same values for a valid chunk. Before that, a large plain CSV file may be
        judged whole, column-wise, from Arrow's reading of it (register_validation_columnar); if anything in
        it may be wrong, nothing of it is kept and it is judged here as any other."""
        if self.unreadable:
            return self.register
        self._prepare()
        if self.table.columnar:  # a CSV file: pyarrow is imported only for one
            from . import register_validation_columnar as columnar

            if columnar.qualifies(self) and columnar.validate_columns(self):
                return self.register  # a clean file judged whole columns at once (the same rows)
        first = self.table.first_row
        number = first - 1
        chunk: list[Cells] = []
        try:
            for number, cells in enumerate(self.table.rows, start=self.table.first_row):
                chunk.append(cells)
                if len(chunk) == CHUNK_ROWS:
                    self._chunk(first, chunk)
                    first, chunk = number + 1, []
        except READ_ERRORS as exc:
            self._chunk(first, chunk)
            self.problem(number + 1, None, f"cannot be read from this row on: {exc}")
            self.unreadable = True  # its ids are not all known: references to it are not judged
        else:
            self._chunk(first, chunk)
        return self.register

    def _prepare(self) -> None:
        specs = [self._cell_spec(c) for c in self.columns]
        # Free text that names nothing needs no parsing: the common, cheap case gets its own loop.
        self._texts = [(s[0], s[1], s[5], s[6], s[0] == 0) for s in specs if s[2] is None and s[4] is None]
        self._others = [s for s in specs if s[2] is not None or s[4] is not None]
        # read by the column-wise path too (register_validation_columnar): the patterns, the checks across a row's
        # cells, whether the register's id column is present; `take` hands rows on
        self.searches = {c.index: pattern_search(c.field.datatype, many=c.field.many, allowed=c.field.allowed,
                                                 pattern=c.field.pattern) for c in self.columns}
        self.checks = self._row_checks()
        self._key_column = next((c.name for c in self.columns if c.position == 0), self.model.key)
        self.has_key = any(c.position == 0 for c in self.columns)
        # where each id was first seen, for a duplicate's message: rows judged one by one, and column-wise chunks
        # as (first row, their ids) (a million ids held as lists, not a million dict entries)
        self._first_row: dict[str, int] = {}
        self._chunk_ids: list[tuple[int, list[Any]]] = []
        # a register with a row limit counts rows in a check, and unnamed columns are judged per cell: row by row
        self._by_columns = not self.unnamed and self.model.max_rows is None

    def _chunk(self, first: int, chunk: list[Cells]) -> None:
        if chunk and not (self._by_columns and self._clean_chunk(first, chunk)):
            self._rows(first, chunk)

    def _clean_chunk(self, first: int, chunk: list[Cells]) -> bool:
        """Validate `chunk` (rows numbered from `first`) column by column when nothing in it is wrong: then
        its rows are added and True returned. False, with nothing added, when any cell or row may be wrong
        (a blank row, a short or long row, a control character, a blank required cell, a cell that does not
        parse, an unknown reference, a duplicate id, a broken rule): _rows judges the chunk instead."""
        width = len(self.table.header)
        if set(map(len, chunk)) != {width} or not all(map(any, chunk)):
            return False
        plain = self.table.plain
        if not plain and CONTROL.search("".join(chain.from_iterable(chunk))) is not None:
            return False
        n = len(chunk)
        cells_of = list(zip(*chunk, strict=True))
        columns: list[list[Any] | None] = [None] * len(self.model.columns)  # None: the column is absent
        strip = str.strip
        for position, index, required, _, is_id in self._texts:
            texts = list(map(strip, cells_of[index]))
            if is_id and not plain and LINE_CONTROL.search("".join(texts)) is not None:
                return False
            if "" in texts:
                if required:
                    return False
                columns[position] = [t or None for t in texts]
            else:
                columns[position] = texts
        for position, index, parse, cache, known, required, _ in self._others:
            texts = list(map(strip, cells_of[index]))
            blanks = "" in texts
            if blanks and required:
                return False
            values: list[Any]
            if parse is None:  # free text naming another register's id
                if not plain and LINE_CONTROL.search("".join(texts)) is not None:
                    return False
                values = texts if cache is None else list(map(cache.setdefault, texts, texts))
                if blanks:
                    values = [v or None for v in values]
            elif cache is not None:
                for text in set(texts).difference(cache):
                    if text:
                        try:
                            cache[text] = parse(text)
                        except CellError:
                            return False
                values = list(map(cache.get, texts))  # a blank is never cached: None
            elif (search := self.searches[index]) is not None:  # a pattern: the value is the text itself
                if not all(map(search, filter(None, texts))):
                    return False
                values = [t or None for t in texts] if blanks else texts
            else:
                try:
                    values = [parse(t) if t else None for t in texts]
                except CellError:
                    return False
                if [] in values:  # a list of separators only counts as blank
                    if required:
                        return False
                    values = [None if v == [] else v for v in values]
            if known is not None:
                named = set(values)
                named.discard(None)
                if not named <= known:
                    return False
            columns[position] = values
        key_values = columns[0] or []
        if self.has_key:
            keys = key_values
            if None in keys:
                keys = [k for k in keys if k is not None]
            if len(set(keys)) != len(keys) or not self.ids.isdisjoint(keys):
                return False
        extras: list[Any] = [self._extra(cells) for cells in chunk] if self.extra else [None] * n
        given: list[Sequence[Any]] = [[None] * n if c is None else c for c in columns]
        given.append(extras)
        rows: list[tuple[Any, ...]] | None = None
        if self.checks:
            rows = []
            for row in zip(*given, strict=True):
                values = list(row)
                for check in self.checks:
                    if check(values) is not None:
                        return False
                rows.append(tuple(values))
        if self.has_key:  # every row of the chunk has a value: they are numbered from `first` on
            self.ids.update(keys)
            self._chunk_ids.append((first, key_values))
        self.take(rows, None if rows is not None else given)
        return True

    def take(self, rows: list[tuple[Any, ...]] | None, columns: list[Sequence[Any]] | None = None) -> None:
        """A chunk's valid rows (or the same column-wise): kept, handed to the sink, or both. Once any problem
        is found nothing more is handed on (nothing will be written)."""
        register = self.register
        if register.kept:
            register.rows.extend(rows if rows is not None else zip(*(columns or ()), strict=True))
        if self.sink is None:
            return
        if rows is not None:
            register.handed_on += len(rows)
            if not self.problems:
                self.sink(self.model, list(zip(*rows, strict=True)) if rows else
                          [()] * (len(self.model.columns) + 1))
        elif columns is not None:
            register.handed_on += len(columns[0])
            if not self.problems:
                self.sink(self.model, columns)

    def _rows(self, first: int, chunk: list[Cells]) -> None:
        """Validate `chunk` row by row, reporting every problem by row and column."""
        width = len(self.table.header)
        size = len(self.model.columns)
        texts, others, checks = self._texts, self._others, self.checks
        key_column, key_name = self._key_column, self.model.key
        first_row, ids = self._first_row, self.ids
        rows: list[tuple[Any, ...]] = []
        extra, unnamed = self.extra, self.unnamed
        problem = self.problem
        missing = _MISSING
        control, line_control = CONTROL, LINE_CONTROL
        for number, cells in enumerate(chunk, start=first):
            if not any(cells):
                continue
            if len(cells) != width:
                if len(cells) < width:
                    cells = [*cells, *([""] * (width - len(cells)))]
                elif any(c.strip() for c in cells[width:]):
                    problem(number, None, "has values to the right of the last named column")
            if control.search("".join(cells)) is not None:
                cells = self._controls(number, cells)
            values: list[Any] = [None] * size
            for position, index, required, name, is_id in texts:
                text = cells[index].strip()
                if text:
                    if is_id and line_control.search(text) is not None:
                        problem(number, name, control_problem(text, line_control) or "")
                    values[position] = text
                elif required:
                    problem(number, name, "is required but blank")
            for position, index, parse, cache, known, required, name in others:
                text = cells[index].strip()
                if not text:
                    if required:
                        problem(number, name, "is required but blank")
                    continue
                if parse is None:  # free text; a reference's ids repeat, so they are kept once each
                    if line_control.search(text) is not None:
                        problem(number, name, control_problem(text, line_control) or "")
                        continue
                    value: Any = text if cache is None else cache.setdefault(text, text)
                elif cache is not None:
                    value = cache.get(text, missing)
                    if value is missing:
                        try:
                            value = cache[text] = parse(text)
                        except CellError as exc:
                            problem(number, name, str(exc))
                            continue
                else:
                    try:
                        value = parse(text)
                    except CellError as exc:
                        problem(number, name, str(exc))
                        continue
                    if value == []:
                        if required:
                            problem(number, name, "is required but blank")
                        continue
                if known is not None and value not in known:
                    problem(number, name, f"unknown {value!r}: no such id in {known.register}")
                values[position] = value
            key = values[0]
            if key is not None:
                if key in ids:
                    problem(number, key_column,
                            f"duplicate {key_name} {key!r} (first on row {self._first_row_of(key)})")
                else:
                    ids.add(key)
                    first_row[key] = number
            for check in checks:
                broken = check(values)
                if broken is not None:
                    problem(number, *broken)
            if unnamed:
                self._unnamed(number, cells)
            values.append(self._extra(cells) if extra else None)
            rows.append(tuple(values))
        self.take(rows)

    def _first_row_of(self, key: str) -> int:
        """The row where `key` was first seen. The first duplicate turns the chunks' ids into row numbers once
        (a file of many duplicates looks each up in the dict)."""
        if key not in self._first_row:
            for first, keys in self._chunk_ids:
                self._first_row.update((k, at) for at, k in enumerate(keys, start=first) if k is not None)
            self._chunk_ids = []
        return self._first_row[key]

    def _cell_spec(self, c: _Column) -> tuple[int, int, Parser | None, dict[str, Any] | None, _Known | None,
                                             bool, str]:
        f = c.field
        cache: dict[str, Any] | None = {} if not f.many and memoisable(f.datatype, f.allowed) else None
        known = None
        ids = self.known.get(f.target or "")
        if not f.many and ids is not None:
            known = _Known(ids, load_ontology().classes[f.target or ""].register or "")
            if c.parse is None:
                cache = {}
        return c.position, c.index, c.parse, cache, known, f.required, c.name

    def _controls(self, number: int, cells: Sequence[str]) -> list[str]:
        """Report each cell of a row that holds a control character; the row's other checks go on with them
        removed (its id stays known, so one mistake is reported once; nothing is written anyway)."""
        names = {c.index: c.name for c in self.columns} | dict(self.extra)
        for index, text in enumerate(cells):
            bad = control_problem(text)
            if bad is not None:
                self.problem(number, names.get(index) or _letter(index), bad)
        return [CONTROL.sub("", text) for text in cells]

    def _unnamed(self, number: int, cells: Sequence[str]) -> None:
        for index in self.unnamed:
            if cells[index].strip():
                self.problem(number, _letter(index), "has a value under a column with no name in the header")

    def _extra(self, cells: Sequence[str]) -> str | None:
        found = {name: cells[index].strip() for index, name in self.extra if cells[index].strip()}
        return json.dumps(found, ensure_ascii=False) if found else None

    # ------------------------------------------------------------ rules

    def _row_checks(self) -> list[RowCheck]:
        present = {c.field.column: c for c in self.columns}
        checks: list[RowCheck] = []
        for c in self.columns:
            if c.field.is_reference and (c.field.many or c.field.target == OBLIGATION_CLASS):
                checks.append(self._reference_check(c))
        register = self.model.register
        for reg, earlier, later in DATE_ORDER:
            if reg == register and earlier in present and later in present:
                checks.append(_date_order(present[earlier], present[later]))
        for reg, column, minimum in MINIMUM:
            if reg == register and column in present:
                checks.append(_minimum(present[column], minimum))
        for reg, column, maximum in MAXIMUM:
            if reg == register and column in present:
                checks.append(_maximum(present[column], maximum))
        for reg, status, value, date in STATUS_DATE:
            if reg == register and status in present and date in present:
                checks.append(_status_date(present[status], value, present[date]))
        checks += self._location_checks(present)
        checks += self._scope_checks()
        if self.model.max_rows is not None:
            checks.append(_at_most(self.model, self.model.max_rows, next(iter(present), self.model.key)))
        return checks

    def _scope_checks(self) -> list[RowCheck]:
        """A certification's scope_arrangements names arrangements of the certificate's own CSP only."""
        scope = next((c for c in self.columns if _is_scope(self.model, c.field)), None)
        holder = next((c for c in self.columns if _is_holder(c.field)), None)
        arrangements = load_ontology().classes[ARRANGEMENT_CLASS]
        parent = self.validated.get(arrangements.register or "")
        if scope is None or holder is None or parent is None or not parent.rows:
            return []
        csp_column = next(i for i, f in enumerate(parent.columns) if f.target == CSP_CLASS)
        csp_of = {row[0]: row[csp_column] for row in parent.rows if row[0] is not None}
        source = parent.source or ""

        def check(values: list[Any]) -> tuple[str, str] | None:
            named, csp = values[scope.position], values[holder.position]
            others = [f"{a} ({csp_of[a]})" for a in named or () if a in csp_of and csp_of[a] not in (None, csp)]
            if csp is None or not others:
                return None
            return scope.name, (f"{', '.join(others)} in {source} is not provided by this certificate's CSP {csp}: "
                                "a certificate's scope covers arrangements of its own CSP only")

        return [check]

    def _location_checks(self, present: Mapping[str, _Column]) -> list[RowCheck]:
        """data_locations outside Taiwan against an offshore flag of N (register_locations)."""
        where = present.get(locations.LOCATIONS)
        if where is None:
            return []
        if locations.OFFSHORE in present:  # the arrangement's own flag
            flag = present[locations.OFFSHORE]
            return [locations.arrangement_check(where.position, where.name, flag.position, flag.name)]
        arrangement = next((c for c in present.values() if c.field.target == ARRANGEMENT_CLASS and not c.field.many),
                           None)
        parent = self.validated.get(load_ontology().classes[ARRANGEMENT_CLASS].register or "")
        if arrangement is None or parent is None or not parent.rows:
            return []
        offshore = next(i for i, f in enumerate(parent.columns) if f.name == locations.OFFSHORE)
        return [locations.system_check(where.position, where.name, arrangement.position,
                                       locations.offshore_flags(parent.rows, offshore), parent.source or "")]

    def _reference_check(self, column: _Column) -> RowCheck:
        f, position, name = column.field, column.position, column.name
        if f.target == OBLIGATION_CLASS:
            return self._provision_check(position, name)
        target = f.target or ""
        if target not in self.known:
            raise ValueError(f"{self.model.name}.{f.name} points to {target}, which has no register")
        known = self.known[target]
        register = load_ontology().classes[target].register
        wildcard = f.wildcard

        def check(values: list[Any]) -> tuple[str, str] | None:
            value = values[position]
            if value is None:
                return None
            items = value if isinstance(value, list) else (value,)
            if known is None:  # its register could not be read: already reported
                return None
            if wildcard is not None and wildcard in items:
                if len(items) > 1:
                    return name, f"{wildcard!r} stands for every one; write it alone, not with ids"
                return None
            unknown = [v for v in items if v not in known]
            if unknown:
                return name, f"unknown {', '.join(map(repr, unknown))}: no such id in {register}"
            return None

        return check

    def _provision_check(self, position: int, name: str) -> RowCheck:
        under = self.obligations_under
        # A control's satisfies may name target control ids (FRAMEWORK:ID), resolved through the store's mapping
        # sets; without a store (under None, or the bundled seed's plain mapping) only their form is checked.
        may_name_targets = self.model.name == CONTROL_CLASS
        targets: TargetIndex | None = getattr(under, "targets", None)

        def check(values: list[Any]) -> tuple[str, str] | None:
            value = values[position]
            if value is None:
                return None
            ids = [v if may_name_targets and is_target(v) else v.upper() for v in value]
            values[position] = ids
            messages = []
            for pid in ids:
                if may_name_targets and is_target(pid):
                    bad = targets.problem(pid) if targets is not None else _target_form(pid)
                    if bad is not None:
                        messages.append(bad)
                elif not PROVISION_ID.fullmatch(pid):
                    messages.append(f"{pid!r} is not a provision id ({PROVISION_HINT})")
                elif under is None:
                    continue
                elif pid not in under:
                    messages.append(f"unknown provision {pid!r}: the regulation has no such provision")
                elif not under[pid]:
                    messages.append(f"provision {pid!r} names no obligation: it permits or defines, "
                                    "it does not oblige")
            return (name, "; ".join(messages)) if messages else None

        return check


def reads_other_registers(model: ClassModel) -> bool:
    """Whether a register's row checks read another register's rows beyond the ids its references name: a
    certificate's scope (the CSP of each arrangement it names) and a system's data locations (its arrangement's
    offshore flag). Rows of any other register stay valid while every id they reference is still there
    (register_chunked: a reload by chunks while the registers it references changed)."""
    columns = {f.column for f in model.columns}
    scoped = any(_is_scope(model, f) for f in model.columns) and any(_is_holder(f) for f in model.columns)
    return scoped or (locations.LOCATIONS in columns and locations.OFFSHORE not in columns)


def _is_scope(model: ClassModel, f: Field) -> bool:
    """A certificate's scope column (arrangements, or a wildcard for all of its CSP's)."""
    return model.name == CERTIFICATION_CLASS and f.many and f.target == ARRANGEMENT_CLASS and f.wildcard is not None


def _is_holder(f: Field) -> bool:
    """A row's one CSP (a certificate's holder)."""
    return f.target == CSP_CLASS and not f.many


def _target_form(ref: str) -> str | None:
    framework, _, code = ref.partition(":")
    return None if framework and code else TargetIndex().problem(ref)


def _date_order(earlier: _Column, later: _Column) -> RowCheck:
    a, b = earlier.position, later.position

    def check(values: list[Any]) -> tuple[str, str] | None:
        if values[a] is not None and values[b] is not None and values[b] < values[a]:
            return later.name, f"{later.name} {values[b]} is before {earlier.name} {values[a]}"
        return None

    return check


def _at_most(model: ClassModel, most: int, column: str) -> RowCheck:
    """A register that holds at most `most` rows (the company register: one): every row after them is refused."""
    seen = [0]
    holds = "one row, the member company itself" if most == 1 else f"at most {most} rows"

    def check(values: list[Any]) -> tuple[str, str] | None:
        seen[0] += 1
        if seen[0] > most:
            return column, f"one row too many: the {model.register} register holds {holds}"
        return None

    return check


def _minimum(column: _Column, minimum: int) -> RowCheck:
    position = column.position

    def check(values: list[Any]) -> tuple[str, str] | None:
        if values[position] is not None and values[position] < minimum:
            return column.name, f"must be at least {minimum}, not {values[position]}"
        return None

    return check


def _maximum(column: _Column, maximum: int) -> RowCheck:
    position = column.position

    def check(values: list[Any]) -> tuple[str, str] | None:
        if values[position] is not None and values[position] > maximum:
            return column.name, f"must be at most {maximum}, not {values[position]}"
        return None

    return check


def _status_date(status: _Column, value: str, date: _Column) -> RowCheck:
    s, d = status.position, date.position

    def check(values: list[Any]) -> tuple[str, str] | None:
        if values[s] == value and values[d] is None:
            return date.name, f"is required when {status.name} is {value}"
        if values[s] is not None and values[s] != value and values[d] is not None:
            return date.name, f"must be blank when {status.name} is {values[s]} (only {value} ones have it)"
        return None

    return check


def _missing(folder: RegisterFolder, model: ClassModel) -> Problem:
    name = model.register or model.name
    columns = ", ".join(f.column for f in model.columns)
    if folder.workbook is not None:
        return Problem(folder.workbook.name, None, None,
                       f"has no sheet {name!r}, a required register (columns: {columns})")
    return Problem(f"{name}.csv", None, None, f"the required register is missing (columns: {columns})")


def validate_folder(folder: RegisterFolder, obligations_under: ObligationsUnder | None = None,
                    progress: Callable[[str, int, int], None] | None = None,
                    only: frozenset[str] | None = None, sink: ChunkSink | None = None) -> RegisterDataset:
    """Validate every table of an open folder; RegisterError with every problem when any row is wrong.

    With `only` (register names, closed under the registers they reference: register_digests.plan_reload)
    the other registers are neither read nor in the dataset. With `sink`, each chunk of valid rows is handed
    to it column-wise as soon as it is validated and not kept (except ROWS_READ_LATER): a load converts a
    million rows to the store's columns without ever holding them as tuples. Nothing is handed on after the
    first problem."""
    onto = load_ontology()
    problems = ProblemLog()
    problems.extend_log(folder.problems)
    known: dict[str, set[str] | None] = {}  # None: the register is there but unreadable
    registers: dict[str, Register] = {}
    order = register_order(onto)
    for done, model in enumerate(order):
        name = model.register or model.name
        table = folder.tables.get(name)
        if progress is not None:
            progress("validate", done, len(order))
        if only is not None and name not in only:
            known[model.name] = None  # nothing validated here references it
            continue
        if table is None:
            if name in REQUIRED_REGISTERS and name not in folder.present and not folder.unusable:
                problems.append(_missing(folder, model))
            registers[name] = Register(model, None)
            known[model.name] = None if name in folder.present else set()  # there but unreadable: not judged
            continue
        validator = _Validator(model, table, known, obligations_under, problems, registers, sink)
        registers[name] = validator.validate()
        known[model.name] = None if validator.unreadable else validator.ids
    if progress is not None:
        progress("validate", len(order), len(order))
    if problems.total:
        raise RegisterError(problems, problems.total)
    ordered = {m.register or m.name: registers[m.register or m.name] for m in order
               if (m.register or m.name) in registers}
    return RegisterDataset(ordered, obligations_under, folder.format)
