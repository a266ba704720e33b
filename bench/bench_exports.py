"""Time every export format on the synthetic insurer (bench/synthetic.py: 500 arrangements, 1M evidence).

    .venv/bin/python bench/bench_exports.py [--evidence 1000000] [--store /tmp/regtrace-bench-store] [--reuse]

Generates the register folder, loads it with the real register loader into a fresh LadybugDB store (or
reuses one with --reuse), then exports every format and prints the time of each step and the file sizes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
import time
from pathlib import Path

from regtrace.exports.bundle import FORMATS, export_tenant
from regtrace.loaders.registers import load_registers

from regtrace.regulation_graph import obligations_under
from regtrace.stores import open_store

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import generate

TENANT = "bench-life"
AS_OF = dt.date(2026, 11, 29)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--arrangements", type=int, default=500)
    parser.add_argument("--evidence", type=int, default=1_000_000)
    parser.add_argument("--store", type=Path, default=Path("/tmp/regtrace-bench-store"))
    parser.add_argument("--registers", type=Path, default=Path("/tmp/regtrace-bench-registers"))
    parser.add_argument("--out", type=Path, default=Path("/tmp/regtrace-bench-export"))
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--reuse", action="store_true", help="Keep the store when it already has the tenant.")
    args = parser.parse_args()
    if not args.reuse:
        shutil.rmtree(args.store, ignore_errors=True)
    store = open_store(str(args.store))
    try:
        if TENANT not in store.tenants():
            t = time.perf_counter()
            generate(args.registers, arrangements=args.arrangements, evidence=args.evidence)
            load_registers(store, args.registers, TENANT, obligations_under(store))
            print(f"generate + load ({args.arrangements} arrangements, {args.evidence:,} evidence): "
                  f"{time.perf_counter() - t:.1f}s", flush=True)
        shutil.rmtree(args.out, ignore_errors=True)
        timings: dict[str, float] = {}
        t = time.perf_counter()
        export_tenant(store, TENANT, AS_OF, args.formats.split(","), args.out, timings=timings)
        for name, seconds in timings.items():
            print(f"{name:>8}: {seconds:7.1f}s")
        print(f"   total: {time.perf_counter() - t:7.1f}s")
        for f in sorted(args.out.iterdir()):
            print(f"{f.name:>32} {f.stat().st_size:>14,} bytes")
    finally:
        store.close()


if __name__ == "__main__":
    main()
