"""Fixtures of the API tests: a copy of a two-tenant store, tokens per role, a TestClient (tests/api_fixtures.py)."""

from api_fixtures import api, api_store, api_template, store_folder  # noqa: F401
