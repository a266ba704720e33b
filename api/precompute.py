"""Today's trace of every member company, computed before anyone asks: the dashboard never waits for a cold trace.

* When the server starts it reads the last trace kept in the store for each tenant (the ontology's
  TraceSnapshot), serves it at once marked with when it was computed, and computes today's trace again.
* When another process writes the store (`regtrace load`: a new generation), every tenant's trace is computed
  again; meanwhile requests get the previous one, marked (api/trace_state.py).
* A mutation (api/mutations.py) recomputes only the subjects it touches (`touched_subjects`) over a fresh read of
  the tenant, and swaps their rows into the previous result: the rows of the other subjects depend on nothing the
  mutation changed (regtrace.trace.rules: each subject's rows and roll-ups come from its own registers; the
  company's count every arrangement's evidence).
* Each new result of today is written back as the tenant's TraceSnapshot, in its own small write, unless the
  rows are those already kept.

Background work takes the store queue in the tenant's own lane (api/scheduler.py), never the priority lane, and
the rules run on the app's rules thread: requests keep their turn. REGTRACE_TRACE_PRECOMPUTE=0 turns it off (a
trace is then computed when first asked, as before); so does REGTRACE_TRACE_CACHE_ENTRIES=0.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from regtrace.graph.port import Store
from regtrace.trace import TraceInputs, TraceRow, evaluate, stored_result
from regtrace.trace.rules import sort_rows

from regtrace.settings import current

from . import context
from .context import StoreRunner, TraceReads, TraceResult
from .scheduler import Budget

log = logging.getLogger("regtrace.api")
T = TypeVar("T")
LABEL = "TraceSnapshot"
CLOSE_SECONDS = 30.0  # at shutdown, how long a trace being kept in the store may take to be written
COMPANY_SUBJECT = "company"


@dataclass(frozen=True)
class Touch:
    """What a mutation changed: `kind` (evidence, audit, finding, control) and the id or arrangement involved."""

    kind: str
    arrangement: str | None = None
    key: str | None = None


def touched_subjects(touch: Touch, inputs: TraceInputs) -> set[str] | None:
    """The subjects whose rows a change can alter (None: all of them), read from the tenant after the change.

    Evidence counts for the company and for its arrangement (blank: for every arrangement); an audit and the
    findings it raised, only for its arrangement; a control's link, for the company and the arrangements the
    control applies to."""
    if touch.kind == "evidence":
        return None if not touch.arrangement else {COMPANY_SUBJECT, touch.arrangement}
    if touch.kind == "audit":
        return {touch.arrangement} if touch.arrangement else set()
    if touch.kind == "finding":
        audit = next((f.audit_id for f in inputs.findings if f.finding_id == touch.key), None)
        return {a.arrangement_id for a in inputs.audits if a.audit_id == audit}
    if touch.kind == "control":
        links = [link for per in inputs.controls.values() for link in per if link["control_id"] == touch.key]
        if any(link["applies_to_all"] for link in links):
            return None
        return {COMPANY_SUBJECT} | {a for link in links for a in (link["applies_to"] or ())}
    return None


def subject_rows(inputs: TraceInputs, subjects: set[str]) -> list[TraceRow]:
    """The rows (leaves and roll-ups) of some subjects, as the full trace gives them."""
    rows: list[TraceRow] = []
    if COMPANY_SUBJECT in subjects:  # the company's rows read no arrangement (regtrace.trace.rules)
        rows += evaluate(dataclasses.replace(inputs, arrangements=[]))
    known = {a.arrangement_id for a in inputs.arrangements}
    for arrangement in sorted(subjects - {COMPANY_SUBJECT}):
        if arrangement in known:
            rows += evaluate(inputs, arrangement)
    return rows


def updated(base: TraceResult, reads: TraceReads, subjects: set[str] | None, generation: str | None
            ) -> TraceResult:
    """`base` with the rows of `subjects` computed again from `reads` (None: the whole trace)."""
    if subjects is None:
        rows = evaluate(reads.inputs)
    else:
        kept = [r for r in base.rows if r.subject not in subjects]
        rows = sort_rows(kept + subject_rows(reads.inputs, subjects))
    return TraceResult(rows, reads.csp_of, reads.material, reads.inputs.as_of, generation=generation)


def _read(store: Store, tenant: str, as_of: dt.date) -> tuple[str | None, TraceReads]:
    """The generation first (so that a write meanwhile makes the result look older, never newer), then the reads."""
    return store.generation(), context.gather_trace(store, tenant, as_of)


def stored_results(store: Store) -> dict[str, TraceResult]:
    """The last trace kept in the store per tenant of the store (one unreadable is left out and logged)."""
    tenants = store.tenants()
    found: dict[str, TraceResult] = {}
    for row in store.nodes_by_uid(LABEL, tenants, None):
        try:
            rows, extra = stored_result.decode(row["rows_json"])
        except stored_result.StoredResultError as exc:
            log.warning("the kept trace of %s is not used: %s", row["tenant"], exc)
            continue
        found[row["tenant"]] = TraceResult(
            rows, extra["csp_of"], extra["material"], row["trace_as_of"],
            computed_at=dt.datetime.fromisoformat(row["computed_at"]), generation=row["source_generation"],
            digest=row["rows_digest"])
    return found


def snapshot_row(tenant: str, result: TraceResult) -> tuple[dict[str, Any], str]:
    text, digest = stored_result.encode(result.rows, {"csp_of": result.csp_of, "material": result.material})
    return {"uid": tenant, "snapshot_id": tenant, "tenant": tenant, "computed_at": result.computed_at.isoformat(),
            "trace_as_of": result.as_of, "source_generation": result.generation, "rows_digest": digest,
            "rows_json": text}, digest


class Precompute:
    """The app's background traces (see the module's text)."""

    def __init__(self, runner: StoreRunner, enabled: bool | None = None) -> None:
        self.runner = runner
        wanted = current().trace_precompute if enabled is None else enabled
        self.enabled = wanted and runner.traces.max_entries > 0
        self._budgets: dict[str, Budget] = {}
        self._own: dict[str, str] = {}  # a generation this app wrote -> the one before it
        self._in_flight = 0  # own writes under way on the store thread: a generation seen meanwhile may be theirs
        self._in_flight_lock = threading.Lock()
        self._kept: dict[str, str] = {}  # tenant -> digest of its TraceSnapshot in the store
        self._writing: dict[str, TraceResult] = {}  # tenant -> the newest result waiting to be kept
        self._tasks: set[asyncio.Future[Any]] = set()
        self.tenants: list[str] = []
        self.closing = False  # the app is shutting down (close()): background work stops
        self.tenants_current = False  # `tenants` were read since the store last changed (RequestContext.known_tenant)

    @property
    def store(self) -> Store:
        return self.runner.store

    def today(self) -> dt.date:
        return dt.date.today()

    def _budget(self, tenant: str) -> Budget:
        """The tenant's lane for background work (never closed: nobody withdraws it)."""
        if tenant not in self._budgets:
            self._budgets[tenant] = Budget(tenant)
        return self._budgets[tenant]

    async def _call(self, tenant: str, fn: Callable[..., T], *args: Any) -> T:
        return await self.runner.scheduler.submit(fn, *args, budget=self._budget(tenant)).result()

    async def _rules(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.runner.rules, fn, *args)

    def _keep(self, future: asyncio.Future[Any]) -> None:
        self._tasks.add(future)
        future.add_done_callback(self._tasks.discard)

    # -- computing -------------------------------------------------------------------------------------------

    def compute(self, tenant: str, as_of: dt.date) -> Callable[[], Awaitable[TraceResult]]:
        """A full computation in the background lane (what the cache runs for a key)."""
        async def run() -> TraceResult:
            generation, reads = await self._call(tenant, _read, self.store, tenant, as_of)
            return await self._rules(updated, None, reads, None, generation)

        return run

    def refresh(self, tenant: str) -> None:
        """Compute today's trace of the tenant in the background unless it is being computed or current."""
        if not self.enabled:
            return
        day = self.today()
        future = self.runner.traces.start(tenant, day, self.compute(tenant, day))
        self._after(tenant, day, future)

    def refresh_all(self) -> None:
        for tenant in self.tenants:
            self.refresh(tenant)

    async def begin(self) -> None:
        """At start: serve each tenant's kept trace at once, and compute today's."""
        if not self.enabled:
            return
        try:
            kept = await self.runner.call(stored_results, self.store)
        except Exception as exc:  # e.g. a store written before traces were kept: compute them
            log.warning("no kept trace read at start: %s", exc)
            kept = {}
        try:
            self.tenants = await self.runner.call(self.store.tenants)
            self.tenants_current = True
        except Exception as exc:  # an unreadable store: requests report it; nothing to precompute
            log.warning("no trace computed at start: %s", exc)
            return
        for tenant, result in kept.items():
            self._kept[tenant] = result.digest or ""
            self.runner.traces.seed(tenant, self.today(), result)
        self.refresh_all()

    def store_changed(self) -> None:
        """Another process wrote the store (the cache was invalidated): compute every tenant's trace again."""
        if not self.enabled:
            return
        known = self.tenants
        self.tenants_current = False  # a load may have added or removed one: requests read them until re-read

        async def again() -> None:
            try:
                self.tenants = await self.runner.call(self.store.tenants, budget=self._budget(""))
                self.tenants_current = True
            except Exception as exc:
                log.warning("the tenants could not be read after a store change: %s", exc)
                self.tenants = known
            self.refresh_all()

        self._keep(asyncio.ensure_future(again()))

    def begin_change(self, tenant: str) -> Callable[[Touch | None], None]:
        """Before a mutation's write: what today's result is built on, then the tenant's results are out of date.
        Call the returned function after the write (with None when it failed: nothing changed)."""
        day = self.today()
        base = self.runner.traces.pending(tenant, day) if self.enabled else None
        self.runner.traces.invalidate(tenant, forget_previous=True)  # no date answered from before the write

        def finish(touch: Touch | None) -> None:
            if not self.enabled:
                return

            async def run() -> TraceResult:
                previous = None
                if base is not None:
                    try:
                        previous = await asyncio.shield(base)
                    except Exception:  # it failed: compute the whole trace instead
                        previous = None
                generation, reads = await self._call(tenant, _read, self.store, tenant, day)
                if previous is None or previous.as_of != day:
                    return await self._rules(updated, None, reads, None, generation)
                subjects = set() if touch is None else touched_subjects(touch, reads.inputs)
                return await self._rules(updated, previous, reads, subjects, generation)

            future = self.runner.traces.start(tenant, day, run, update=True)
            self._after(tenant, day, future)

        return finish

    # -- keeping the result in the store ---------------------------------------------------------------------

    def _after(self, tenant: str, day: dt.date, future: asyncio.Future[TraceResult]) -> None:
        def done(f: asyncio.Future[TraceResult]) -> None:
            if f.cancelled() or f.exception() is not None:
                if not f.cancelled() and not self.closing:  # at shutdown the rules thread is gone: nothing to say
                    log.warning("the trace of %s could not be computed: %s", tenant, f.exception())
                return
            if self.runner.traces.is_current(tenant, day, f.result()):
                self._write_later(tenant, f.result())

        future.add_done_callback(done)

    def _write_later(self, tenant: str, result: TraceResult) -> None:
        waiting = tenant in self._writing
        self._writing[tenant] = result  # the newest wins; one write per tenant queued at a time
        if not waiting:
            self._keep(asyncio.ensure_future(self._write(tenant)))

    async def _write(self, tenant: str) -> None:
        try:
            result = self._writing[tenant]
            row, digest = await self._rules(snapshot_row, tenant, result)
            if self._kept.get(tenant) == digest:
                return
            await self._call(tenant, self.own_write, _upsert, self.store, row)
            self._kept[tenant] = digest
        except Exception as exc:  # the trace is served anyway; a restart then computes it
            log.warning("the trace of %s could not be kept in the store: %s", tenant, exc)
        finally:
            latest = self._writing.pop(tenant, None)
            if latest is not None and latest is not result:  # a newer one came meanwhile
                self._write_later(tenant, latest)

    # -- own writes ------------------------------------------------------------------------------------------

    def own_write(self, fn: Callable[..., T], *args: Any) -> T:
        """Run a write of this app on the store thread, noting the generation it made (when nothing else wrote
        in between, the generation counts up by exactly one), so that following the store does not take it for
        another process's write."""
        with self._in_flight_lock:
            self._in_flight += 1
        try:
            before = self.store.generation()
            result = fn(*args)
            after = self.store.generation()
            if before is not None and after is not None and before.isdigit() and after.isdigit() \
                    and int(after) == int(before) + 1:
                self._own[after] = before
            return result
        finally:
            with self._in_flight_lock:
                self._in_flight -= 1

    @property
    def writing(self) -> bool:
        """An own write is under way: a new generation seen now is decided once it is done (`ours`)."""
        return self._in_flight > 0

    def settled(self) -> bool:
        """No trace is being kept in the store nor waiting to be (the background's store work is done)."""
        return not self._writing and all(task.done() for task in self._tasks)

    def ours(self, seen: str | None, generation: str | None) -> bool:
        """Whether every write from `seen` to `generation` was this app's own."""
        step = generation
        while step is not None and step != seen and step in self._own:
            step = self._own.pop(step)
        return step == seen

    async def close(self) -> None:
        """At shutdown: let the traces being kept reach the store (a bounded wait), drop the rest."""
        self.closing = True
        writes = [task for task in self._tasks if not task.done()]
        if writes:
            await asyncio.wait(writes, timeout=CLOSE_SECONDS)
        for task in list(self._tasks):
            task.cancel()
        for budget in self._budgets.values():  # their queued jobs withdrawn, their finished ones let go
            budget.close()
        self._budgets.clear()


def _upsert(store: Store, row: dict[str, Any]) -> None:
    store.write(lambda w: w.upsert_nodes(LABEL, [row]))
