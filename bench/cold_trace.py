"""One cold trace, split into its phases: a new process imports regtrace, opens a loaded store, gathers the
tenant's inputs and evaluates the rules; wall and CPU seconds of each, the rows and their digest, as one JSON line.

    .venv/bin/python bench/cold_trace.py STORE [--tenant bench-life] [--as-of 2026-11-29]

Run it with two checkouts' interpreters on the same store (e.g. /work/main/.venv/bin/python bench/cold_trace.py
…) to compare them side by side: the digest must be the same. bench_stores.py measures the same cold trace
(`cold_trace_s`: open, gather and evaluate) without the split. `process_cpu_s` adds the imports before it (what a
new process pays in all), and `heavy_imports` names the load path's and the ontology reader's libraries a trace
should not need (pyarrow, numpy, rdflib) that were imported all the same.

Other checkouts' processes on the same machine share ~/.cache/regtrace (the ontology kept for all processes:
regtrace.ontology.kept) and evict each other's copy; give each checkout its own REGTRACE_CACHE when comparing
them, and run each once first so that both are measured with their copy kept (and their bytecode written: with
PYTHONDONTWRITEBYTECODE set, every run compiles regtrace's modules again, about half a second of CPU).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import resource
import sys
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store")
    parser.add_argument("--tenant", default="bench-life")
    parser.add_argument("--as-of", default="2026-11-29", type=dt.date.fromisoformat)
    args = parser.parse_args()
    started, started_cpu = time.perf_counter(), time.process_time()
    from regtrace.trace import evaluate, gather

    from regtrace.stores import open_store

    marks = [("import", time.perf_counter() - started, time.process_time() - started_cpu)]

    def mark(name: str) -> None:
        marks.append((name, time.perf_counter() - started, time.process_time() - started_cpu))

    store = open_store(args.store)
    mark("open")
    inputs = gather(store, args.tenant, args.as_of)
    mark("gather")
    rows = evaluate(inputs)
    mark("evaluate")
    store.close()
    text = json.dumps([r.to_json() for r in rows], sort_keys=True, ensure_ascii=False)
    result: dict[str, object] = {"rows": len(rows), "digest": hashlib.sha256(text.encode()).hexdigest()[:16],
                                 "load_average": os.getloadavg()[0],
                                 "rss_peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}
    previous = (0.0, 0.0)
    for name, wall, cpu in marks:
        result[f"{name}_s"], result[f"{name}_cpu_s"] = round(wall - previous[0], 3), round(cpu - previous[1], 3)
        previous = (wall, cpu)
    imported = marks[0]
    result["cold_trace_s"] = round(marks[-1][1] - imported[1], 3)  # open + gather + evaluate, as bench_stores.py
    result["cold_trace_cpu_s"] = round(marks[-1][2] - imported[2], 3)
    result["process_cpu_s"] = round(marks[-1][2], 3)
    result["heavy_imports"] = [m for m in ("pyarrow", "numpy", "rdflib") if m in sys.modules]
    print(json.dumps(result))


if __name__ == "__main__":
    main()
