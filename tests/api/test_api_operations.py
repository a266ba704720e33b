"""Operator endpoints and logs: /healthz (the process), /readyz (the store), access lines without tokens, and a
request's queued store work dropped when it times out."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from api_fixtures import Api, Template, settle
from fastapi.testclient import TestClient
from regtrace.api.access_log import access_format, line
from regtrace.api.app import ApiSettings, create_app
from regtrace.api.execution import Limits
from regtrace.graph.ladybug_store import LadybugStore

from regtrace.errors import ConfigError


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture
def access_lines() -> Iterator[list[str]]:
    handler = Lines()
    logger = logging.getLogger("regtrace.access")
    logger.addHandler(handler)
    yield handler.lines
    logger.removeHandler(handler)


def test_health_and_readiness(api: Api) -> None:
    assert api.client.get("/healthz").json() == {"status": "ok"}
    assert api.client.get("/readyz").json() == {"status": "ready"}


def test_not_ready_when_the_store_cannot_be_read(store_folder: object) -> None:
    store = LadybugStore(store_folder)  # type: ignore[arg-type]
    with TestClient(create_app(store)) as client:
        store.close()  # a closed store opens its published generation again on the next read, so take that away:
        (Path(str(store_folder)) / "CURRENT").unlink()  # the pointer lost (what `regtrace doctor --repair` mends)
        response = client.get("/readyz")
        assert response.status_code == 503 and response.json()["status"] == "unavailable"
        assert client.get("/healthz").status_code == 200


def test_json_access_lines_name_the_caller_never_the_token(api_store: LadybugStore, api_template: Template,
                                                           access_lines: list[str]) -> None:
    token = api_template.tokens["auditor"]
    with TestClient(create_app(api_store, settings=ApiSettings(access_log="json"))) as client:
        client.get("/graphql", params={"query": "{ viewer { name } }"}, headers={"Authorization": f"Bearer {token}"})
        client.post("/graphql", json={"query": "{ viewer { name } }"}, headers={"Authorization": "Bearer rt_bad"})
    entries = [json.loads(text) for text in access_lines]
    assert [(e["method"], e["path"], e["status"], e.get("role"), e.get("tenant")) for e in entries] == [
        ("GET", "/graphql", 200, "auditor", "alpha"), ("POST", "/graphql", 401, None, None)]
    assert token not in "".join(access_lines) and "viewer" not in "".join(access_lines)  # no token, no query string


def test_access_log_forms() -> None:
    entry = {"time": "2026-11-29T00:00:00.000+00:00", "client": "127.0.0.1:5", "method": "GET", "path": "/healthz",
             "status": 200, "ms": 1.25}
    assert line(entry, "text") == "2026-11-29T00:00:00.000+00:00 127.0.0.1:5 GET /healthz 200 1.2 ms"
    assert json.loads(line(entry, "json")) == entry
    assert access_format("JSON") == "json" and access_format("") == "text"
    with pytest.raises(ConfigError, match="REGTRACE_ACCESS_LOG"):
        access_format("yaml")


def test_a_timed_out_request_leaves_its_queued_store_work_undone(api_store: LadybugStore,
                                                                 api_template: Template) -> None:
    settings = ApiSettings(Limits(timeout_seconds=0.3))
    app = create_app(api_store, settings=settings)
    with TestClient(app) as client:
        headers = {"Authorization": f"Bearer {api_template.tokens['officer']}"}
        assert client.post("/graphql", json={"query": "{ viewer { name } }"}, headers=headers).status_code == 200
        settle(client, api_template.tokens["officer"])  # the start's background traces done: the queue is ours
        scheduler = app.state.runner.scheduler
        withdrawn = scheduler.withdrawn
        gate = threading.Event()
        scheduler.submit(gate.wait, 10, priority=True)  # the store is busy with something long
        body = client.post("/graphql", json={"query": "{ controls { name } evidences { title } }"},
                           headers=headers).json()
        assert body["errors"][0]["extensions"]["code"] == "TIMEOUT"
        # the tenants are known (read by the background traces), so the two reads were queued: both left the
        # queue unread (the app's watch of the store's generation, api/app.py, may have queued meanwhile: not ours)
        left = [job.fn for requests in scheduler._lanes.values() for queue in requests.values() for job in queue]
        assert left == [api_store.generation] * len(left) and scheduler.withdrawn - withdrawn == 2
        gate.set()
