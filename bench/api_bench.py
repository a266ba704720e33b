"""Benchmark the board dashboard's GraphQL queries through a real server: uvicorn (`regtrace serve`) over the
synthetic insurer, loaded by locust in headless mode at 1, 4 and 16 concurrent users; p50/p95/p99 per query.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/api_bench.py                      # 200 CSPs, 500 arrangements, 1M evidence
    .venv/bin/python bench/api_bench.py --evidence 100000 --systems 2000 --users 1 4 --duration 10s
    .venv/bin/python bench/api_bench.py --no-cache --users 1 # each request computes its own trace
    .venv/bin/python bench/api_bench.py --profile            # pyinstrument over warm requests, in process
    .venv/bin/python bench/api_bench.py --first-request      # the first answer after a start and after a load

The synthetic registers and the loaded store stay in --workdir and are reused while the sizes are the same.
Results: WORKDIR/results-<label>.md and .json. Not part of the test run.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
TENANT = "synth"
AS_OF = "2026-11-29"
sys.path.insert(0, str(HERE))

from dashboard_queries import QUERIES, variables_for, with_evidence  # noqa: E402
from synthetic import generate  # noqa: E402

SIZES = {"csps": 200, "arrangements": 500, "systems": 20_000, "controls": 3_000, "evidence": 1_000_000, "seed": 42}


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def ensure_store(workdir: Path, sizes: dict[str, int]) -> Path:
    """The synthetic registers, loaded into a store with `regtrace load` (both reused for the same sizes)."""
    marker = workdir / "sizes.json"
    registers, store = workdir / "registers", workdir / "store"
    if marker.exists() and json.loads(marker.read_text()) == sizes and (store / "loaded").exists():
        log(f"reusing {store} ({sizes})")
        return store
    shutil.rmtree(registers, ignore_errors=True)
    shutil.rmtree(store, ignore_errors=True)
    workdir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    counts = generate(registers, **sizes)
    log(f"generated {counts} in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    subprocess.run([str(BIN / "regtrace"), "load", str(registers), "--tenant", TENANT], check=True,
                   env={**os.environ, "REGTRACE_STORE": str(store)}, stdout=subprocess.DEVNULL)
    log(f"loaded with `regtrace load` in {time.perf_counter() - started:.1f} s")
    (store / "loaded").touch()
    marker.write_text(json.dumps(sizes))
    return store


def tokens_and_arrangements(store_folder: Path, count: int) -> tuple[list[str], list[str]]:
    """Fresh officer tokens, one per simulated user, and the arrangement ids (the store is closed again before
    the server opens it)."""
    from regtrace.api.auth import create_token

    from regtrace.stores import open_store

    store = open_store(str(store_folder))
    try:
        tokens = [create_token(store, "officer", TENANT, f"bench user {i}")[0] for i in range(count)]
        arrangements = sorted(r["arrangement_id"] for r in store.nodes("OutsourcingArrangement", TENANT))
    finally:
        store.close()
    return tokens, arrangements


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start_server(store: Path, port: int, cache: bool, responses: bool) -> subprocess.Popen[bytes]:
    env = {**os.environ, "REGTRACE_STORE": str(store), "REGTRACE_TRACE_CACHE_ENTRIES": "8" if cache else "0",
           "REGTRACE_RESPONSE_CACHE_MB": "64" if cache and responses else "0",
           "REGTRACE_AUTH_CACHE_SECONDS": "5" if cache and responses else "0"}
    server = subprocess.Popen([str(BIN / "regtrace"), "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/dashboard/", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not start")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.send_signal(signal.SIGINT)
    try:
        server.wait(timeout=120)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def ask(base: str, token: str, query: str, variables: dict[str, Any] | None = None) -> tuple[float, dict[str, Any]]:
    """(seconds, answer) of one request as of AS_OF."""
    started = time.perf_counter()
    response = httpx.post(f"{base}/graphql", headers={"Authorization": f"Bearer {token}"}, timeout=60,
                          json={"query": query, "variables": {"asOf": AS_OF, **(variables or {})}})
    body: dict[str, Any] = response.json()
    return time.perf_counter() - started, body


def shown_evidence(base: str, token: str, arrangement: str) -> list[str]:
    """The evidence ids a click on the arrangement's busiest article shows (6 per obligation)."""
    body: dict[str, Any] = {}
    for _ in range(10):  # without the cache, a trace may time out (10 s) while it is computed
        _, body = ask(base, token, QUERIES["trace(one arrangement)"], {"subject": arrangement})
        if not body.get("errors"):
            break
    else:
        return []
    per_article: dict[int, set[str]] = {}
    for row in body["data"]["trace"]["nodes"]:
        per_article.setdefault(row["article"], set()).update(row["evidence"][:6])
    return sorted(per_article[max(per_article, key=lambda a: len(per_article[a]))]) if per_article else []


def warm(base: str, token: str, arrangement: str, cache: bool) -> tuple[dict[str, float], list[str]]:
    """Every query once, and the evidence a cell shows. With the cache, the first trace may time out (10 s)
    while the store thread computes it: retry; without it, every trace query computes its own."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    while cache:
        seconds, body = ask(base, token, QUERIES["coverage(article)"])
        if not body.get("errors"):
            break
        if body["errors"][0].get("extensions", {}).get("code") != "TIMEOUT" or time.perf_counter() - started > 1800:
            raise SystemExit(f"warm-up failed: {body['errors']}")
    timings["first coverage (cold trace)"] = time.perf_counter() - started
    evidence = shown_evidence(base, token, arrangement)
    for name, query in with_evidence(evidence).items():
        seconds, body = ask(base, token, query, variables_for(name, arrangement, evidence))
        if body.get("errors") and cache:
            raise SystemExit(f"{name}: {body['errors']}")
        timings[name if not body.get("errors") else f"{name} ({body['errors'][0]['message']})"] = seconds
    return timings, evidence


FIRST = "query($asOf: Date) { coverage(groupBy: ARTICLE, asOf: $asOf) { key covered applicable } }"
STATE = "query { traceState { asOf computedAt fresh computing } }"


def _post(base: str, token: str, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    response = httpx.post(f"{base}/graphql", headers={"Authorization": f"Bearer {token}"}, timeout=120,
                          json={"query": query, "variables": variables or {}})
    body: dict[str, Any] = response.json()
    return body


def _first_answer(base: str, token: str, since: float) -> dict[str, Any]:
    """The dashboard's coverage for today, asked at once: seconds from `since`, and whether it came marked."""
    body = _post(base, token, FIRST, {"asOf": time.strftime("%Y-%m-%d")})
    seconds = time.perf_counter() - since
    marks = body.get("extensions", {}).get("traceState")
    return {"first answer s": round(seconds, 3), "error": body["errors"][0]["message"] if body.get("errors") else None,
            "marked (previous trace)": bool(marks)}


def _until_fresh(base: str, token: str, since: float) -> float:
    deadline = time.monotonic() + 1800
    while not _post(base, token, STATE)["data"]["traceState"]["fresh"]:
        if time.monotonic() > deadline:
            raise SystemExit("today's trace was not computed within 30 minutes")
        time.sleep(0.1)
    return round(time.perf_counter() - since, 3)


def first_request(store: Path, registers: Path, token: str, precompute: bool, after_load: bool) -> dict[str, Any]:
    """Start the server and ask for today's coverage the moment it accepts connections (counted from then);
    optionally load the same registers again with `regtrace load` (another process) and ask again at once."""
    port = free_port()
    env = {**os.environ, "REGTRACE_STORE": str(store), "REGTRACE_TRACE_PRECOMPUTE": "1" if precompute else "0"}
    server = subprocess.Popen([str(BIN / "regtrace"), "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("the server did not start") from None
                time.sleep(0.005)
        accepted = time.perf_counter()
        result: dict[str, Any] = {"after start": _first_answer(base, token, accepted)}
        if precompute:
            result["after start"]["today's trace ready s"] = _until_fresh(base, token, accepted)
        if after_load:
            started = time.perf_counter()
            subprocess.run([str(BIN / "regtrace"), "load", str(registers), "--tenant", TENANT], check=True,
                           env={**os.environ, "REGTRACE_STORE": str(store)}, stdout=subprocess.DEVNULL)
            loaded = time.perf_counter()
            result["after load"] = {"load s": round(loaded - started, 3), **_first_answer(base, token, loaded),
                                    "today's trace ready s": _until_fresh(base, token, loaded)}
    finally:
        stop_server(server)
    return result


def _kept(store: Path) -> bool:
    """Whether the store holds a kept trace of the tenant (TraceSnapshot; read by another process)."""
    from regtrace.stores import open_store

    opened = open_store(str(store))
    try:
        return bool(opened.nodes_by_uid("TraceSnapshot", [TENANT], None))
    finally:
        opened.close()


def first_requests(store: Path, registers: Path, token: str, out: Path) -> None:
    """The first answer after a restart (the kept trace) and after a load, then, for comparison, with the
    background traces off (each first request waits for the cold trace). A store that holds no kept trace yet
    gets one first (a start that computes it)."""
    lines = [f"first request after start and after a load; {os.cpu_count()} CPUs", ""]

    def report(name: str, steps: dict[str, Any]) -> None:
        for step, figures in steps.items():
            lines.append(f"- {name}, {step}: " + ", ".join(f"{k} {v}" for k, v in figures.items()))
        log(lines[-1])

    if not _kept(store):
        report("precompute on: start, nothing kept yet", first_request(store, registers, token, True, False))
        if not _kept(store):
            raise SystemExit("the server stopped before it kept today's trace; run again")
    report("precompute on: restart (kept trace), then a load",
           first_request(store, registers, token, precompute=True, after_load=True))
    report("precompute off: start", first_request(store, registers, token, precompute=False, after_load=False))
    lines.append(f"\nload average {os.getloadavg()[0]:.1f} at the end")
    text = "\n".join(lines) + "\n"
    out.write_text(text, encoding="utf-8")
    print(text)


def run_locust(base: str, tokens: list[str], arrangements: list[str], evidence: list[str], users: int,
               duration: str, wait: float, prefix: Path) -> list[dict[str, str]]:
    env = {**os.environ, "BENCH_TOKENS": ",".join(tokens[:users]), "BENCH_AS_OF": AS_OF,
           "BENCH_ARRANGEMENTS": ",".join(arrangements), "BENCH_EVIDENCE": ",".join(evidence), "BENCH_WAIT": str(wait)}
    with Path(f"{prefix}.log").open("wb") as output:
        subprocess.run([str(BIN / "locust"), "-f", str(HERE / "locustfile.py"), "--headless", "-u", str(users),
                        "-r", str(users), "-t", duration, "--host", base, "--csv", str(prefix), "--only-summary",
                        "--loglevel", "WARNING"], env=env, check=False, stdout=output, stderr=subprocess.STDOUT)
    with Path(f"{prefix}_stats.csv").open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def table(results: dict[int, list[dict[str, str]]]) -> str:
    lines = ["| users | query | requests | failures | req/s | p50 ms | p95 ms | p99 ms |",
             "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for users, rows in results.items():
        for row in rows:
            name = "**all**" if row["Name"] == "Aggregated" else row["Name"]
            lines.append(f"| {users} | {name} | {row['Request Count']} | {row['Failure Count']} | "
                         f"{float(row['Requests/s']):.1f} | {row['50%']} | {row['95%']} | {row['99%']} |")
    return "\n".join(lines)


def profile(store_folder: Path, token: str, arrangement: str, rounds: int, out: Path) -> None:
    """pyinstrument over `rounds` warm requests of every query, in process (ASGI transport, no network)."""
    from pyinstrument import Profiler
    from regtrace.api.app import create_app

    from regtrace.stores import open_store

    os.environ["REGTRACE_RESPONSE_CACHE_MB"] = "0"  # profile the work a request does, not the kept answers

    async def scenario() -> None:
        store = open_store(str(store_folder))
        app = create_app(store)
        try:
            async with app.router.lifespan_context(app):
                transport = httpx.ASGITransport(app=app)
                async with httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=600) as client:
                    async def one(name: str) -> dict[str, Any]:
                        variables: dict[str, Any] = {"asOf": AS_OF, **variables_for(name, arrangement, evidence)}
                        response = await client.post("/graphql", headers={"Authorization": f"Bearer {token}"},
                                                     json={"query": queries[name], "variables": variables})
                        body: dict[str, Any] = response.json()
                        assert not body.get("errors"), response.text[:300]
                        return body

                    evidence: list[str] = []
                    queries = dict(QUERIES)
                    started = time.perf_counter()
                    while True:  # the first requests time out (10 s) while the trace is computed and cached
                        try:
                            await one("coverage(article)")
                            break
                        except AssertionError as exc:
                            if "TIMEOUT" not in str(exc):
                                raise
                    log(f"profile: cold trace {time.perf_counter() - started:.1f} s")
                    cell = (await one("trace(one arrangement)"))["data"]["trace"]["nodes"]
                    per_article: dict[int, set[str]] = {}
                    for row in cell:
                        per_article.setdefault(row["article"], set()).update(row["evidence"][:6])
                    if per_article:
                        evidence += sorted(per_article[max(per_article, key=lambda a: len(per_article[a]))])
                    queries.update(with_evidence(evidence))
                    for name in queries:
                        started = time.perf_counter()
                        for _ in range(rounds):
                            await one(name)
                        log(f"{name}: {(time.perf_counter() - started) / rounds * 1000:.1f} ms per request "
                            "(sequential, warm, no profiler)")
                    profiler = Profiler(async_mode="enabled")
                    profiler.start()
                    for name in queries:
                        for _ in range(rounds):
                            await one(name)
                    profiler.stop()
                    out.write_text(profiler.output_text(unicode=True, color=False), encoding="utf-8")
        finally:
            store.close()

    asyncio.run(scenario())
    log(f"profile written to {out}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/regtrace-bench"))
    for name, default in SIZES.items():
        parser.add_argument(f"--{name}", type=int, default=default)
    parser.add_argument("--users", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--duration", default="30s")
    parser.add_argument("--wait", type=float, default=0.0, help="each user's pause between requests (s)")
    parser.add_argument("--no-cache", action="store_true", help="serve with the trace, response and token caches off")
    parser.add_argument("--no-response-cache", action="store_true",
                        help="serve with the trace cache only (response and token caches off)")
    parser.add_argument("--profile", action="store_true", help="profile warm requests in process instead")
    parser.add_argument("--rounds", type=int, default=20, help="requests per query when profiling")
    parser.add_argument("--label", default="", help="name of this run's result files")
    parser.add_argument("--first-request", action="store_true",
                        help="measure the first answer after a start and after a load (api/precompute.py)")
    args = parser.parse_args()
    sizes = {name: getattr(args, name) for name in SIZES}
    store = ensure_store(args.workdir, sizes)
    tokens, arrangements = tokens_and_arrangements(store, max(args.users))
    token = tokens[0]
    label = args.label or ("nocache" if args.no_cache else "traces" if args.no_response_cache else "cache")
    if args.profile:
        profile(store, token, arrangements[0], args.rounds, args.workdir / f"profile-{label}.txt")
        return
    if args.first_request:
        first_requests(store, args.workdir / "registers", token, args.workdir / "results-first-request.md")
        return
    port = free_port()
    server = start_server(store, port, cache=not args.no_cache, responses=not args.no_response_cache)
    base = f"http://127.0.0.1:{port}"
    results: dict[int, list[dict[str, str]]] = {}
    try:
        timings, evidence = warm(base, token, arrangements[0], cache=not args.no_cache)
        log("warm-up: " + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in timings.items()))
        for users in args.users:
            log(f"locust: {users} users for {args.duration} (wait {args.wait} s)")
            results[users] = run_locust(base, tokens, arrangements, evidence, users, args.duration, args.wait,
                                        args.workdir / f"locust-{label}-u{users}")
            total = next(r for r in results[users] if r["Name"] == "Aggregated")
            log(f"  {total['Request Count']} requests, {total['Failure Count']} failures, "
                f"p50 {total['50%']} ms, p95 {total['95%']} ms, p99 {total['99%']} ms")
    finally:
        stop_server(server)
    caches = "none" if args.no_cache else "traces" if args.no_response_cache else "traces, responses and tokens"
    report = (f"sizes {sizes}; caches: {caches}; {args.duration} per run; wait {args.wait} s; "
              f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end\n\n{table(results)}\n")
    (args.workdir / f"results-{label}.md").write_text(report, encoding="utf-8")
    (args.workdir / f"results-{label}.json").write_text(json.dumps({"sizes": sizes, "warm": timings,
                                                                    "results": results}, indent=1))
    print(report)


if __name__ == "__main__":
    main()
