"""Locust users asking the GraphQL API what the board dashboard asks, one request per query.

bench/api_bench.py sets up the store, the server and the token and runs this file; by hand:

    BENCH_TOKENS=rt_…,rt_… BENCH_AS_OF=2026-11-29 BENCH_ARRANGEMENTS=ARR00000,ARR00001 \\
      locust -f bench/locustfile.py --headless -u 16 -r 16 -t 30s --host http://127.0.0.1:8000 --csv out/u16

BENCH_WAIT is each user's pause between requests in seconds (default 0: back to back, the worst case);
BENCH_EVIDENCE the evidence ids whose dates a trace cell shows (the dashboard's second request on a click).
"""

from __future__ import annotations

import itertools
import os
import random
from typing import Any

from dashboard_queries import ARTICLES, EVIDENCE_LOOKUP, variables_for, with_evidence
from locust import HttpUser, constant, task

TOKENS = [t for t in os.environ.get("BENCH_TOKENS", os.environ.get("BENCH_TOKEN", "")).split(",") if t]
USERS = itertools.count()
AS_OF = os.environ.get("BENCH_AS_OF", "2026-11-29")
ARRANGEMENTS = [a for a in os.environ.get("BENCH_ARRANGEMENTS", "").split(",") if a]
EVIDENCE = [e for e in os.environ.get("BENCH_EVIDENCE", "").split(",") if e]
QUERIES = with_evidence(EVIDENCE)
WAIT = float(os.environ.get("BENCH_WAIT", "0"))


class DashboardUser(HttpUser):
    """One dashboard user: each task is one of the dashboard's queries, chosen at random."""

    wait_time = constant(WAIT)

    def on_start(self) -> None:
        """Each user signs in with a token of its own (BENCH_TOKENS, comma-separated), as board members do."""
        self.client.headers["Authorization"] = f"Bearer {TOKENS[next(USERS) % len(TOKENS)]}"

    def ask(self, name: str, **variables: Any) -> None:
        body = {"query": QUERIES[name], "variables": {"asOf": AS_OF, **variables}}
        with self.client.post("/graphql", json=body, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
            elif response.json().get("errors"):
                response.failure(response.json()["errors"][0]["message"])

    @task
    def coverage_article(self) -> None:
        self.ask("coverage(article)")

    @task
    def coverage_arrangement(self) -> None:
        self.ask("coverage(arrangement)")

    @task
    def coverage_csp(self) -> None:
        self.ask("coverage(csp)")

    @task
    def worst_gaps(self) -> None:
        self.ask("gaps(first: 10)")

    @task
    def one_arrangement(self) -> None:
        self.ask("trace(one arrangement)", subject=random.choice(ARRANGEMENTS or ["company"]))

    @task
    def evidence_dates(self) -> None:
        if EVIDENCE:
            self.ask(EVIDENCE_LOOKUP, **variables_for(EVIDENCE_LOOKUP, "", EVIDENCE))

    @task
    def heatmap(self) -> None:
        self.ask("trace(heatmap page)", provisions=ARTICLES)

    @task
    def certifications(self) -> None:
        self.ask("certificationStates")

    @task
    def findings(self) -> None:
        self.ask("findingStates")
