"""Who a token is, remembered for a few seconds; never a failed look-up."""

from __future__ import annotations

import time
from typing import Any

import pytest
from api_fixtures import Api
from regtrace.api import app as app_module
from regtrace.api.auth import Principal, authenticate
from regtrace.api.principal_cache import PrincipalCache

WHO = Principal("abc", "officer of alpha", "officer", "alpha")


def test_kept_for_its_seconds_only() -> None:
    cache = PrincipalCache(0.05)
    assert cache.get("Bearer rt_x") is None
    cache.put("Bearer rt_x", WHO)
    assert cache.get("Bearer rt_x") == WHO and cache.get("Bearer rt_y") is None and cache.get(None) is None
    time.sleep(0.06)
    assert cache.get("Bearer rt_x") is None
    off = PrincipalCache(0)
    off.put("Bearer rt_x", WHO)
    assert off.get("Bearer rt_x") is None


def test_the_app_looks_a_token_up_once_and_a_bad_one_every_time(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    looked_up: list[str | None] = []
    real = authenticate

    def counting(store: Any, header: str | None) -> Principal:
        looked_up.append(header)
        return real(store, header)

    monkeypatch.setattr(app_module, "authenticate", counting)
    for _ in range(3):
        api.data("{ viewer { name } }")
    assert len(looked_up) == 1
    for _ in range(2):
        status, code, _ = api.error("{ viewer { name } }", as_="revoked")
        assert (status, code) == (401, "UNAUTHENTICATED")
    assert len(looked_up) == 3
