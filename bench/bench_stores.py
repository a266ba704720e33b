"""Benchmark the stores on the synthetic insurer: validated load, full trace, the dashboard query, peak RSS.

    .venv/bin/python bench/bench_stores.py                       # LadybugDB and Neo4j, the default insurer
    .venv/bin/python bench/bench_stores.py --stores ladybug --evidence 100000 --systems 2000   # a smaller run
    .venv/bin/python bench/bench_stores.py --neo4j-heap 12g --neo4j-pagecache 2g --runs 3 --profile

The register folder (bench/synthetic.py; default 200 CSPs, 500 arrangements, 20,000 systems, 3,000 controls,
1,000,000 evidence) is generated once into a cache outside the repository (--cache, default
~/.cache/regtrace/bench/<sizes>/) and reused. Each store is measured in a Python process of its own, so its
peak RSS (ru_maxrss) is that store's alone:

* load: `load_registers` (read, validate, write in one transaction) into a new store: a LadybugDB folder in a
  temporary directory, or a freshly started Neo4j server (tools/neo4j_server.py) with the given heap and page
  cache; the validate and write stages are timed apart through its progress callback;
* trace: `trace(store, tenant, as_of)`, one warm-up, then the median of --runs runs;
* graphql: the dashboard's main query (coverage by article and the first 10 gaps) through the app in-process
  (FastAPI TestClient, an officer token): `cold` on a new app each run, timed from its start to the answer
  (the trace for the query's date is computed; the app's background trace of today runs beside it), `cached` on
  one app (its trace cache answers), medians of --runs after a warm-up;
* reloads (--reload): the same folder again; a folder with one evidence row changed; then, after that one, a
  folder in which a control's name differs as well (the two-files folder): the controls file changed, so the
  evidence register, which references it, is reloaded by chunks (none changed; the ids it names checked still
  there) and the renamed control updated in place; then 78 evidence rows retitled across the file (a month's edits
  spread over it: 0.5 % of its chunks, reloaded by chunks); then that folder with the evidence file's line endings
  turned from CRLF to LF (every chunk's bytes changed, no row: by chunks); then every 16th evidence row retitled
  (every chunk changed: the file is read whole). The issue's time bound is on the first three, its memory bound
  on every load;
* load of a quoted export (LadybugDB): a first load, into a store of its own, of the folder with its evidence file
  exported with every cell quoted and a title in ten holding a comma (as a spreadsheet or a GRC tool may save
  it): its validation must stay column-wise;
* parse: the csv module reading every row of the same files (the floor a loader cannot beat); the LadybugDB
  load is reported as a multiple of it.

Results are printed as a table and written as JSON to bench/results/ (git-ignored). The trace's digest
(SHA-256 of its JSON) is compared between the stores: they must give the same answer.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TENANT = "bench-life"
AS_OF = dt.date(2026, 11, 29)
STORES = ("ladybug", "neo4j")
# Issue 13's targets: the cold trace in seconds, the rest as multiples of the csv module's parse of the folder.
TARGETS = {"ladybug_trace_s": 0.5, "load_rss_mb": 1024.0, "neo4j_ratio": 2.0, "load_x_parse": 5.0,
           "validate_x_parse": 3.0, "reload_x_parse": 2.5}
COVERAGE = "key applicable covered percent counts { gap unevidenced stale covered not_applicable }"
DASHBOARD_QUERY = f"""query Dashboard($asOf: Date) {{
  byArticle: coverage(groupBy: ARTICLE, asOf: $asOf) {{ {COVERAGE} }}
  gaps(asOf: $asOf, first: 10) {{
    totalCount
    edges {{ node {{ provision label article subject status modality reason reason_zh }} }}
  }}
}}"""


@dataclass(frozen=True)
class Sizes:
    csps: int = 200
    arrangements: int = 500
    systems: int = 20_000
    controls: int = 3_000
    evidence: int = 1_000_000
    seed: int = 42

    @property
    def key(self) -> str:
        return (f"c{self.csps}-a{self.arrangements}-s{self.systems}-k{self.controls}-e{self.evidence}"
                f"-seed{self.seed}")


# ---------------------------------------------------------------- helpers


def cpu_s() -> float:
    """CPU seconds of this process so far (user + system, every thread): the load average of a shared
    machine inflates wall times, much less this."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def median_of(fn: Callable[[], object], runs: int) -> tuple[float, list[float]]:
    """One warm-up call, then `runs` timed calls: (median seconds, every time)."""
    fn()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), times


@contextmanager
def profiled(enabled: bool, name: str, out: Path) -> Iterator[None]:
    """Run the block under pyinstrument (the bench extra) and write its text report to `out`/name.txt."""
    if not enabled:
        yield
        return
    from pyinstrument import Profiler

    profiler = Profiler()
    profiler.start()
    try:
        yield
    finally:
        profiler.stop()
        out.mkdir(parents=True, exist_ok=True)
        (out / f"{name}.txt").write_text(profiler.output_text(unicode=True, color=False))


def registers_folder(cache: Path, sizes: Sizes) -> tuple[Path, dict[str, int]]:
    """The synthetic register folder of these sizes, generated once (counts.json marks a finished one)."""
    folder = cache / sizes.key
    marker = folder / "counts.json"
    if marker.is_file():
        return folder, dict(json.loads(marker.read_text()))
    sys.path.insert(0, str(HERE))
    from synthetic import generate

    shutil.rmtree(folder, ignore_errors=True)
    print(f"generating the synthetic insurer into {folder} …", flush=True)
    started = time.perf_counter()
    counts = generate(folder, csps=sizes.csps, arrangements=sizes.arrangements, systems=sizes.systems,
                      controls=sizes.controls, evidence=sizes.evidence, seed=sizes.seed)
    marker.write_text(json.dumps(counts, indent=2) + "\n")
    print(f"generated in {time.perf_counter() - started:.1f} s", flush=True)
    return folder, counts


# the evidence row (at most; the middle one of a smaller register) whose collected_on the "one row changed" folder
# moves a day back
CHANGED_ROW = 500_000


def one_row_changed(folder: Path) -> Path:
    """A copy of the register folder in which one evidence row differs (its collected_on a day earlier):
    what a reload that writes only what changed is measured on. Made once beside the folder and reused."""
    at_row = min(CHANGED_ROW, _evidence(folder) // 2)
    return _changed_copy(folder, folder.with_name(folder.name + "-one-row"), "evidence", "collected_on", {at_row},
                         _day_earlier)


def _day_earlier(day: str) -> str:
    return (dt.date.fromisoformat(day) - dt.timedelta(days=1)).isoformat()


def two_files_changed(folder: Path) -> Path:
    """A copy of the "one row changed" folder in which one control's name differs as well. Reloaded after that
    folder, the controls file alone changed: the evidence register, which references it, is written too (by
    chunks, none of them changed, since 2026-12-01; validated and compared whole before: README "What a reload
    reads again"). Made once beside the folder and reused."""
    return _changed_copy(one_row_changed(folder), folder.with_name(folder.name + "-two-files"), "controls", "name",
                         {0}, lambda name: name + "（修訂）")


SCATTERED_ROWS = 78  # evidence rows retitled, spread evenly: at 1M, 0.5 % of the evidence file's chunks


def scattered_changed(folder: Path) -> Path:
    """A copy of the "two files" folder in which SCATTERED_ROWS evidence rows across the file are retitled, each in
    a chunk of its own: a month's edits spread over the register. Made once beside the folder and reused."""
    evidence = _evidence(folder)
    step = max(evidence // SCATTERED_ROWS, 1)
    return _changed_copy(two_files_changed(folder), folder.with_name(folder.name + "-scattered"), "evidence", "title",
                         set(range(step // 2, evidence, step)), lambda title: title + "（更正）")


def retyped(folder: Path) -> Path:
    """A copy of the "scattered" folder whose evidence file has its line endings turned from CRLF to LF (saved
    again by another tool): every chunk's bytes differ, its rows in none (register_chunks: a record ending
    with LF is digested as ending with CRLF), so the reload goes by chunks and writes only the load record."""
    source, changed = scattered_changed(folder), folder.with_name(folder.name + "-retyped")
    marker = changed / "changed.json"
    if not marker.is_file():
        shutil.rmtree(changed, ignore_errors=True)
        shutil.copytree(source, changed)
        path = changed / "evidence.csv"
        path.write_bytes(path.read_bytes().replace(b"\r\n", b"\n"))
        marker.write_text(json.dumps({"register": "evidence", "line endings": "LF"}) + "\n")
    return changed


REWRITTEN_EVERY = 16  # every 16th evidence row retitled: at 1M, every chunk of the file changed


def rewritten(folder: Path) -> Path:
    """A copy of the "retyped" folder in which every REWRITTEN_EVERY-th evidence row is retitled (written with
    CRLF line endings again): every chunk changed, so the reload reads the file whole and compares the stored
    evidence column-wise (register_chunked.CHUNKED_SHARE). Made once beside the folder and reused."""
    return _changed_copy(retyped(folder), folder.with_name(folder.name + "-rewritten"), "evidence", "title",
                         set(range(0, _evidence(folder), REWRITTEN_EVERY)), lambda title: title + "（重編）")


# evidence rows collected a day earlier, spread evenly: at 1M, 3.8 % of the evidence file's chunks (so read by chunks:
# register_chunked.CHUNKED_SHARE) and a fifth of the controls
DATED_ROWS = 600


def dated(folder: Path) -> Path:
    """A copy of the "rewritten" folder in which DATED_ROWS evidence rows across the file are collected a day
    earlier: their dates changed, so a reload computes the groups of the controls they name again (on
    Neo4j in place, reading those controls' evidence; graph/neo4j_patch.py). Made once beside the folder and
    reused."""
    evidence = _evidence(folder)
    step = max(evidence // DATED_ROWS, 1)
    return _changed_copy(rewritten(folder), folder.with_name(folder.name + "-dated"), "evidence", "collected_on",
                         set(range(step // 3, evidence, step)), _day_earlier)


QUOTED_EVERY = 10  # in the quoted export, one title in ten holds a comma


def quoted(folder: Path) -> Path:
    """A copy of the generated folder whose evidence file is exported with every cell quoted, as some tools save
    CSV, and one title in QUOTED_EVERY holding a comma (which any tool quotes): a first load of it is judged
    column-wise like a plain file's (loaders/csv_quotes). Made once beside the folder and reused."""
    return _changed_copy(folder, folder.with_name(folder.name + "-quoted"), "evidence", "title",
                         set(range(0, _evidence(folder), QUOTED_EVERY)), lambda title: title + ", 附件",
                         csv.QUOTE_ALL)


def _evidence(folder: Path) -> int:
    return int(json.loads((folder / "counts.json").read_text())["evidence"])


def _changed_copy(source: Path, changed: Path, register: str, column: str, rows: Collection[int],
                  change: Callable[[str], str], quoting: int = csv.QUOTE_MINIMAL) -> Path:
    """`changed`: a copy of the folder `source` in which cells of a register's file differ (`column` of its data
    rows `rows`, each made `change(value)`; the file written with the csv module's `quoting`), and changed.json
    naming them. Made once and reused."""
    marker = changed / "changed.json"
    if marker.is_file():
        return changed
    shutil.rmtree(changed, ignore_errors=True)
    changed.mkdir(parents=True)
    name = f"{register}.csv"
    for path in source.glob("*.csv"):
        if path.name != name:
            shutil.copyfile(path, changed / path.name)
    edits = []
    with (source / name).open(encoding="utf-8", newline="") as src, \
            (changed / name).open("w", encoding="utf-8", newline="") as out:
        reader, writer = csv.reader(src), csv.writer(out, quoting=quoting)
        header = next(reader)
        writer.writerow(header)
        at = header.index(column)
        for i, cells in enumerate(reader):
            if i in rows:
                edits.append({"row": i, "id": cells[0], column: [cells[at], change(cells[at])]})
                cells[at] = change(cells[at])
            writer.writerow(cells)
    marker.write_text(json.dumps({"register": register, "rows": edits}, ensure_ascii=False) + "\n")
    return changed


# The reloads --reload measures, in this order, each over what the one before left: the step, what its folder
# differs by, the folder made from the generated one. The time bound is on the first three.
RELOADS: tuple[tuple[str, str, str, Callable[[Path], Path]], ...] = (
    ("reload", "reload", "the same folder", lambda folder: folder),
    ("reload_one", "reload of one row", "one evidence row changed", one_row_changed),
    ("reload_two", "reload of two files", "a control and an evidence row changed (two files)", two_files_changed),
    ("reload_scattered", "reload of scattered rows", f"{SCATTERED_ROWS} evidence rows retitled across the file",
     scattered_changed),
    ("reload_retyped", "reload of a retyped file", "the evidence file's line endings turned to LF (by chunks)",
     retyped),
    ("reload_rewritten", "reload of a rewritten file",
     f"every {REWRITTEN_EVERY}th evidence row retitled (the file read whole)", rewritten),
    ("reload_dated", "reload of re-dated rows", f"{DATED_ROWS} evidence rows across the file collected a day earlier",
     dated),
)
TIMED_RELOADS = ("reload", "reload_one", "reload_two")
QUOTED_STEP = "quoted"  # a first load of the quoted export (`quoted`), into a store of its own
_RELOAD_STEPS = tuple(step for step, _, _, _ in RELOADS)
_RELOAD_NAMES = {step: name for step, name, _, _ in RELOADS}


def parse_seconds(folder: Path) -> tuple[float, int]:
    """Read every row of every CSV file of `folder` with the csv module: (seconds, rows)."""
    started = time.perf_counter()
    rows = 0
    for path in sorted(folder.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for _ in csv.reader(handle):
                rows += 1
    return time.perf_counter() - started, rows


# ---------------------------------------------------------------- one store, in its own process


def trace_digest(rows: list[Any]) -> str:
    text = json.dumps([r.to_json() for r in rows], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def measure_load(kind: str, location: str, registers: Path, profile_dir: Path | None,
                 prefix: str = "") -> dict[str, Any]:
    """The load process: `load_registers` into the store (as `regtrace load` does); its figures. With the
    prefix "reload_" the tenant is there already: the load replaces it."""
    from regtrace.loaders.registers import load_registers

    from regtrace.regulation_graph import obligations_under
    from regtrace.stores import open_store

    result: dict[str, Any] = {"load_rss_start_mb": round(rss_mb(), 1), "load_load_average": os.getloadavg()}
    store = open_store(location)
    try:
        under = obligations_under(store)
        stages: dict[str, float] = {}
        cpu = cpu_s()
        started = time.perf_counter()

        def progress(stage: str, done: int, total: int) -> None:
            stages.setdefault(stage, time.perf_counter() - started)

        with profiled(profile_dir is not None, f"{kind}-{prefix}load", profile_dir or Path()):
            counts = load_registers(store, registers, TENANT, under, progress)
        load = time.perf_counter() - started
        validate = stages.get("write", load)
        result.update(counts=counts, load_s=load, load_cpu_s=cpu_s() - cpu, validate_s=validate,
                      write_s=load - validate)
    finally:
        store.close()
    result["load_rss_peak_mb"] = round(rss_mb(), 1)
    print(f"  {kind}: {prefix}load {load:.2f} s (validate {validate:.2f} s, write {load - validate:.2f} s), "
          f"peak RSS {rss_mb():.0f} MB", flush=True)
    return {f"{prefix}{key}" if prefix and key != "counts" else key: value for key, value in result.items()}


def measure_queries(kind: str, location: str, runs: int, profile_dir: Path | None) -> dict[str, Any]:
    """The query process, as a server would run: open the loaded store, trace it, ask the dashboard query."""
    warnings.filterwarnings("ignore", category=DeprecationWarning)  # starlette's TestClient about httpx
    from fastapi.testclient import TestClient
    from regtrace.api.app import ApiSettings, create_app
    from regtrace.api.auth import create_token
    from regtrace.api.execution import Limits
    from regtrace.trace import trace

    from regtrace.stores import open_store

    result: dict[str, Any] = {"query_rss_start_mb": round(rss_mb(), 1), "query_load_average": os.getloadavg()}
    store = open_store(location)
    try:
        rows: list[Any] = []

        def full_trace() -> None:
            rows[:] = trace(store, TENANT, AS_OF)

        with profiled(profile_dir is not None, f"{kind}-trace", profile_dir or Path()):
            cpu = cpu_s()
            result["trace_s"], result["trace_runs_s"] = median_of(full_trace, runs)
            result["trace_cpu_s"] = (cpu_s() - cpu) / (runs + 1)
        result.update(trace_rows=len(rows), trace_digest=trace_digest(rows))
        print(f"  {kind}: trace {result['trace_s']:.3f} s (runs {_fmt(result['trace_runs_s'])}), "
              f"{len(rows)} rows", flush=True)

        token, _ = create_token(store, "officer", TENANT, "bench officer")
        body = {"query": DASHBOARD_QUERY, "variables": {"asOf": AS_OF.isoformat()}}
        headers = {"Authorization": f"Bearer {token}"}
        answers: list[dict[str, Any]] = []

        def post(client: TestClient) -> None:
            response = client.post("/graphql", json=body, headers=headers)
            data = response.json()
            if response.status_code != 200 or data.get("errors"):
                raise RuntimeError(f"the dashboard query failed: {response.status_code} {data}")
            answers.append(data["data"])

        settings = ApiSettings(Limits(timeout_seconds=600.0))  # time it, whatever it takes

        def cold() -> float:
            """A new app's seconds from the moment it accepts requests (its startup done) to the answer; not its
            shutdown, which waits for the background trace of today to be kept in the store."""
            with TestClient(create_app(store, settings=settings)) as client:
                started = time.perf_counter()
                post(client)
                return time.perf_counter() - started

        cold()  # the warm-up, as median_of's
        result["graphql_cold_runs_s"] = [cold() for _ in range(runs)]
        result["graphql_cold_s"] = statistics.median(result["graphql_cold_runs_s"])
        with TestClient(create_app(store, settings=settings)) as client:
            result["graphql_cached_s"], result["graphql_cached_runs_s"] = median_of(lambda: post(client), runs)
        answer = answers[-1]
        result.update(gaps_total=answer["gaps"]["totalCount"], articles=len(answer["byArticle"]))
        print(f"  {kind}: dashboard query {result['graphql_cold_s']:.3f} s on a new app (from its start), "
              f"{result['graphql_cached_s'] * 1000:.1f} ms cached", flush=True)
    finally:
        store.close()
    result["query_rss_peak_mb"] = round(rss_mb(), 1)
    return result


def measure_cold(location: str) -> dict[str, Any]:
    """One cold trace: this new process imports regtrace, opens the loaded store and produces the rows once."""
    started = time.perf_counter()
    from regtrace.trace import trace

    from regtrace.stores import open_store

    imported, cpu = time.perf_counter(), cpu_s()
    store = open_store(location)
    try:
        rows = trace(store, TENANT, AS_OF)
    finally:
        store.close()
    done = time.perf_counter()
    return {"cold_import_s": imported - started, "cold_trace_s": done - imported, "cold_trace_cpu_s": cpu_s() - cpu,
            "cold_rows": len(rows), "cold_rss_peak_mb": round(rss_mb(), 1)}


def _fmt(times: list[float]) -> str:
    return ", ".join(f"{t:.3f}" for t in times)


def child(args: argparse.Namespace) -> None:
    """The --child mode: one process's measurements of one store, as JSON in --result-file."""
    if args.child_step in ("load", QUOTED_STEP) or args.child_step in _RELOAD_STEPS:
        prefix = "" if args.child_step == "load" else f"{args.child_step}_"
        result = measure_load(args.child, args.location, args.registers, args.profile_dir, prefix)
    elif args.child_step == "cold":
        result = measure_cold(args.location)
    else:
        result = measure_queries(args.child, args.location, args.runs, args.profile_dir)
    Path(args.result_file).write_text(json.dumps(result, indent=2) + "\n")


def run_child(kind: str, step: str, location: str, registers: Path, runs: int,
              profile_dir: Path | None) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        result_file = Path(handle.name)
    command = [sys.executable, str(Path(__file__).resolve()), "--child", kind, "--child-step", step,
               "--location", location, "--registers", str(registers), "--runs", str(runs),
               "--result-file", str(result_file)]
    if profile_dir is not None:
        command += ["--profile-dir", str(profile_dir)]
    try:
        subprocess.run(command, check=True, cwd=ROOT)
        return dict(json.loads(result_file.read_text()))
    finally:
        result_file.unlink(missing_ok=True)


def run_store(kind: str, location: str, registers: Path, runs: int, profile_dir: Path | None,
              reload: bool = False, load_runs: int = 1, emptied: Callable[[], None] | None = None,
              ) -> dict[str, Any]:
    """Load in one process, then trace and query in another (and with `reload`, load the same folder again
    in a third); peak RSS is the larger of the load's and the queries'. With `load_runs` (and `emptied`, which
    makes the store new again) the first load is run that many times, each in a process of its own: its
    figures are the medians (the peak RSS the largest), every run's time kept in `load_runs_s`."""
    result: dict[str, Any] = {"store": kind}
    loads = []
    for n in range(load_runs if emptied is not None else 1):
        if n and emptied is not None:
            emptied()
        loads.append(run_child(kind, "load", location, registers, runs, profile_dir))
    result.update(loads[-1])
    for key in ("load_s", "load_cpu_s", "validate_s", "write_s"):
        result[key] = statistics.median(load[key] for load in loads)
    result["load_rss_peak_mb"] = max(load["load_rss_peak_mb"] for load in loads)
    result["load_runs_s"] = [load["load_s"] for load in loads]
    if len(loads) > 1:
        print(f"  {kind}: load {result['load_s']:.2f} s, the median of {len(loads)} "
              f"(runs {_fmt(result['load_runs_s'])})", flush=True)
    colds = [run_child(kind, "cold", location, registers, runs, None) for _ in range(max(1, runs))]
    result.update({key: statistics.median(c[key] for c in colds) for key in colds[0]})
    result["cold_trace_runs_s"] = [c["cold_trace_s"] for c in colds]
    print(f"  {kind}: cold trace {result['cold_trace_s']:.3f} s (runs {_fmt(result['cold_trace_runs_s'])}; "
          f"imports {result['cold_import_s']:.2f} s before it)", flush=True)
    result.update(run_child(kind, "queries", location, registers, runs, profile_dir))
    result["rss_peak_mb"] = max(result["load_rss_peak_mb"], result["query_rss_peak_mb"])
    if reload:
        for step, _, _, folder in RELOADS:
            result.update(run_child(kind, step, location, folder(registers), runs, profile_dir))
        result["rss_peak_mb"] = max(result["rss_peak_mb"], *_load_peaks(result))
    return result


# ---------------------------------------------------------------- the stores


def bench_ladybug(registers: Path, runs: int, profile_dir: Path | None, reload: bool,
                  load_runs: int = 1) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="regtrace-bench-ladybug-"))
    try:
        result = run_store("ladybug", str(folder / "store"), registers, runs, profile_dir, reload, load_runs,
                           lambda: shutil.rmtree(folder / "store"))
        shutil.rmtree(folder / "store")
        result.update(run_child("ladybug", QUOTED_STEP, str(folder / QUOTED_STEP), quoted(registers), runs,
                                profile_dir))
        result["rss_peak_mb"] = max(result["rss_peak_mb"], result[f"{QUOTED_STEP}_load_rss_peak_mb"])
        result["store_mb"] = round(sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 2**20, 1)
        return result
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _java_peak_mb(pid: int) -> float | None:
    """VmHWM (peak RSS) of the server's JVM, in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def bench_neo4j(registers: Path, runs: int, profile_dir: Path | None, heap: str, pagecache: str,
                version: str | None, reload: bool) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT / "tools"))
    import neo4j_server

    missing = neo4j_server.missing_tools(need_mvn=not neo4j_server.is_fetched(neo4j_server.cache_dir(version),
                                                                              version), version=version)
    if missing:
        return {"store": "neo4j", "skipped": "; ".join(missing)}
    # tools/neo4j_server.py sizes its test servers small; a benchmark gets a production-like server.
    neo4j_server.HEAP_INITIAL = neo4j_server.HEAP_MAX = heap
    neo4j_server.PAGE_CACHE = pagecache
    server = neo4j_server.start(version=version, timeout=180.0)
    try:
        result = run_store("neo4j", server.uri, registers, runs, profile_dir, reload)
        result.update(server_heap=heap, server_pagecache=pagecache, server_version=version or
                      neo4j_server.neo4j_version(), server_peak_rss_mb=_java_peak_mb(server.pid))
        return result
    finally:
        neo4j_server.stop(server)


# ---------------------------------------------------------------- report

METRICS: tuple[tuple[str, str, str], ...] = (
    ("load_s", "load: read+validate+write (s)", "{:.2f}"),
    ("load_cpu_s", "  CPU time of the Python process (s)", "{:.2f}"),
    ("validate_s", "  of which read+validate (s)", "{:.2f}"),
    ("write_s", "  of which write (s)", "{:.2f}"),
    ("trace_s", "full trace, median (s)", "{:.3f}"),
    ("trace_cpu_s", "  CPU time of the Python process (s)", "{:.3f}"),
    ("graphql_cold_s", "dashboard query on a new app, from its start (s)", "{:.3f}"),
    ("graphql_cached_s", "dashboard query, trace cached (s)", "{:.4f}"),
    ("cold_trace_s", "cold trace: new process, store opened, rows (s)", "{:.3f}"),
    ("cold_trace_cpu_s", "  CPU time of the process (s)", "{:.3f}"),
    ("cold_import_s", "  imports before it (s)", "{:.2f}"),
    *((key, title, fmt) for step, _, what, _ in RELOADS for key, title, fmt in (
        (f"{step}_load_s", f"reload, {what} (s)", "{:.2f}"),
        (f"{step}_validate_s", "  of which read+validate (s)", "{:.2f}"),
        (f"{step}_load_cpu_s", "  CPU time of the process (s)", "{:.2f}"),
        (f"{step}_load_rss_peak_mb", "  peak RSS of that reload (MB)", "{:.0f}"))),
    (f"{QUOTED_STEP}_load_s", "first load, the evidence exported with every cell quoted (s)", "{:.2f}"),
    (f"{QUOTED_STEP}_validate_s", "  of which read+validate (s)", "{:.2f}"),
    (f"{QUOTED_STEP}_load_rss_peak_mb", "  peak RSS of that load (MB)", "{:.0f}"),
    ("load_rss_peak_mb", "peak RSS, load process (MB)", "{:.0f}"),
    ("query_rss_peak_mb", "peak RSS, trace+API process (MB)", "{:.0f}"),
    ("server_peak_rss_mb", "server JVM peak RSS (MB)", "{:.0f}"),
    ("store_mb", "store on disk (MB)", "{:.0f}"),
    ("trace_rows", "trace rows", "{}"),
    ("gaps_total", "gaps", "{}"),
)


def report(results: dict[str, Any]) -> str:
    stores = [s for s in STORES if s in results["stores"] and "skipped" not in results["stores"][s]]
    both = len(stores) == 2
    header = ["metric", *stores, *(["neo4j / ladybug"] if both else [])]
    lines: list[list[str]] = []
    for key, title, fmt in METRICS:
        values = [results["stores"][s].get(key) for s in stores]
        if all(v is None for v in values):
            continue
        cells = [fmt.format(v) if v is not None else "—" for v in values]
        if both:
            a, b = values
            ratio = f"{b / a:.2f}x" if isinstance(a, int | float) and isinstance(b, int | float) and a and \
                key.endswith("_s") else ""
            cells.append(ratio)
        lines.append([title, *cells])
    widths = [max(len(row[i]) for row in [header, *lines]) for i in range(len(header))]
    text = [" | ".join(c.ljust(w) for c, w in zip(header, widths, strict=True)),
            "-+-".join("-" * w for w in widths)]
    text += [" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in lines]
    parse = results.get("parse_s")
    lady = results["stores"].get("ladybug", {})
    if parse and "load_s" in lady:
        text.append(f"\nparse only (csv module, {results['parse_rows']:,} rows): {parse:.2f} s; LadybugDB: " +
                    ", ".join(f"{name} / parse = {lady[key] / parse:.1f}x" for key, name in (
                        ("load_s", "load"), ("validate_s", "validate"), ("cold_trace_s", "cold trace"),
                        *((f"{step}_load_s", name) for step, name, _, _ in RELOADS),
                        (f"{QUOTED_STEP}_load_s", "load of the quoted export"))
                        if key in lady))
    for s in STORES:
        if "skipped" in results["stores"].get(s, {}):
            text.append(f"{s}: skipped ({results['stores'][s]['skipped']})")
    if both and results["stores"]["ladybug"]["trace_digest"] != results["stores"]["neo4j"]["trace_digest"]:
        text.append("WARNING: the two stores' traces differ")
    if results.get("verdicts"):
        text.append("\ntargets: " + "; ".join(f"{k} {'met' if ok else 'MISSED'}"
                                               for k, ok in results["verdicts"].items()))
    return "\n".join(text)


def _load_peaks(result: dict[str, Any]) -> list[float]:
    """The peak RSS of each load a store's run measured (the first load and each reload): the issue's bound is on
    every load, not on the trace+API process."""
    return [result[key] for key in ("load_rss_peak_mb", *(f"{step}_load_rss_peak_mb" for step in _RELOAD_STEPS),
                                    f"{QUOTED_STEP}_load_rss_peak_mb") if key in result]


def verdicts(results: dict[str, Any]) -> dict[str, bool]:
    out: dict[str, bool] = {}
    lady = results["stores"].get("ladybug", {})
    neo = results["stores"].get("neo4j", {})
    parse = results.get("parse_s")
    if "load_s" in lady:
        out[f"LadybugDB cold trace < {TARGETS['ladybug_trace_s']} s"] = \
            lady["cold_trace_s"] < TARGETS["ladybug_trace_s"]
        out["LadybugDB peak RSS of every load < 1 GB"] = max(_load_peaks(lady)) < TARGETS["load_rss_mb"]
    if "load_s" in lady and parse:
        for key, target, name in (("load_s", "load_x_parse", "load"), ("validate_s", "validate_x_parse", "validate"),
                                  *((f"{step}_load_s", "reload_x_parse", _RELOAD_NAMES[step])
                                    for step in TIMED_RELOADS)):
            if key in lady:
                out[f"LadybugDB {name} within {TARGETS[target]}x parse"] = lady[key] <= TARGETS[target] * parse
    if "load_s" in neo:  # the client's process (the server's heap is set apart: --neo4j-heap)
        out["Neo4j peak RSS of every load's process < 1 GB"] = max(_load_peaks(neo)) < TARGETS["load_rss_mb"]
    if "load_s" in lady and "load_s" in neo:
        for key, name in (("load_s", "load"), ("trace_s", "trace"), ("cold_trace_s", "cold trace"),
                          ("graphql_cold_s", "dashboard query")):
            out[f"Neo4j {name} within 2x"] = neo[key] <= TARGETS["neo4j_ratio"] * lady[key]
    return out


def machine() -> dict[str, Any]:
    memory = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    return {"cores": os.cpu_count(), "memory_gb": memory, "python": platform.python_version(),
            "platform": platform.platform(), "load_average": os.getloadavg()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    defaults = Sizes()
    for name in ("csps", "arrangements", "systems", "controls", "evidence", "seed"):
        parser.add_argument(f"--{name}", type=int, default=getattr(defaults, name))
    parser.add_argument("--stores", default=",".join(STORES), help="comma-separated: ladybug, neo4j")
    parser.add_argument("--runs", type=int, default=3, help="timed runs after a warm-up (median reported)")
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "regtrace" / "bench",
                        help="where the generated register folders are kept (outside the repository)")
    parser.add_argument("--out", type=Path, default=HERE / "results", help="folder for the JSON results")
    parser.add_argument("--neo4j-heap", default="12g",
                        help="Neo4j heap (initial = max); issue 13 measures with 4g (a load writes in batches)")
    parser.add_argument("--neo4j-pagecache", default="2g", help="Neo4j page cache")
    parser.add_argument("--neo4j-version", default=None, help="default: tools/neo4j_server.py's (5.26 LTS)")
    parser.add_argument("--load-runs", type=int, default=1,
                        help="LadybugDB's first load this many times, each into a new store (median reported, "
                             "beside the median of --runs csv parses: steadier ratios on a shared machine)")
    parser.add_argument("--reload", action="store_true",
                        help="also reload the loaded tenant, each in a process of its own: the same folder, one "
                             "evidence row changed, a control changed as well, rows retitled across the evidence "
                             "file, its line endings changed")
    parser.add_argument("--label", default="", help="a name for this run, kept in the results (e.g. before)")
    parser.add_argument("--profile", action="store_true",
                        help="pyinstrument the load and the trace; reports go to --out/profile-<time>/")
    parser.add_argument("--child", choices=STORES, help=argparse.SUPPRESS)
    parser.add_argument("--child-step", choices=("load", "queries", *_RELOAD_STEPS, QUOTED_STEP, "cold"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--location", help=argparse.SUPPRESS)
    parser.add_argument("--registers", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result-file", help=argparse.SUPPRESS)
    parser.add_argument("--profile-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args)
        return
    sizes = Sizes(args.csps, args.arrangements, args.systems, args.controls, args.evidence, args.seed)
    stores = [s.strip() for s in args.stores.split(",") if s.strip()]
    unknown = [s for s in stores if s not in STORES]
    if unknown:
        parser.error(f"unknown store(s) {unknown}: choose from {', '.join(STORES)}")
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    profile_dir = args.out / f"profile-{stamp}" if args.profile else None
    registers, counts = registers_folder(args.cache.expanduser(), sizes)
    results: dict[str, Any] = {"label": args.label, "when": dt.datetime.now().isoformat(timespec="seconds"),
                               "machine": machine(),
                               "sizes": asdict(sizes), "counts": counts, "registers": str(registers),
                               "as_of": AS_OF.isoformat(), "runs": args.runs, "stores": {}}
    if "ladybug" in stores:
        parse_seconds(registers)  # warm the page cache as the loads will find it
        parses = [parse_seconds(registers) for _ in range(max(1, args.runs))]
        results["parse_s"] = statistics.median(p[0] for p in parses)
        results["parse_rows"] = parses[0][1]
        print(f"parse only: {results['parse_s']:.2f} s for {results['parse_rows']:,} rows", flush=True)
    for kind in stores:
        print(f"{kind}: measuring …", flush=True)
        if kind == "ladybug":
            results["stores"][kind] = bench_ladybug(registers, args.runs, profile_dir, args.reload, args.load_runs)
        else:
            results["stores"][kind] = bench_neo4j(registers, args.runs, profile_dir, args.neo4j_heap,
                                                  args.neo4j_pagecache, args.neo4j_version, args.reload)
    results["verdicts"] = verdicts(results)
    text = report(results)
    print("\n" + text)
    args.out.mkdir(parents=True, exist_ok=True)
    label = f"-{args.label}" if args.label else ""
    path = args.out / f"stores-{sizes.key}{label}-{stamp}.json"
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"\nresults: {path}")


if __name__ == "__main__":
    main()
