"""Neo4j driver errors translated into the product's error tree (regtrace/errors.py).

    unreachable, session expired, pool timeout, transient after retries  -> StoreUnavailableError (retryable)
    bad credentials, missing privilege, unknown database, bad driver config -> ConfigError
    Cypher, type and constraint errors, anything else from the driver       -> StoreError
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from neo4j.exceptions import (
    AuthError,
    ClientError,
    ConfigurationError,
    ConnectionPoolError,
    DriverError,
    Forbidden,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
    TransientError,
)

from regtrace.errors import ConfigError, RegtraceError, StoreError, StoreUnavailableError

_CONFIG_CODES = ("Neo.ClientError.Database.DatabaseNotFound",)


def translate(exc: BaseException, uri: str, *, writing: bool = False) -> RegtraceError | None:
    """The product error for a driver error (None when `exc` is not one); `writing` when a write failed."""
    kept = "; nothing of the write was kept" if writing else ""
    if isinstance(exc, AuthError):
        return ConfigError(f"Neo4j at {uri} rejected the credentials (check NEO4J_USERNAME and NEO4J_PASSWORD): "
                           f"{_message(exc)}")
    if isinstance(exc, Forbidden):
        return ConfigError(f"the Neo4j user at {uri} lacks a privilege regtrace needs: {_message(exc)}")
    if isinstance(exc, ClientError) and exc.code in _CONFIG_CODES:
        return ConfigError(f"Neo4j at {uri}: {_message(exc)}")
    if isinstance(exc, ServiceUnavailable | SessionExpired | ConnectionPoolError | OSError):
        return StoreUnavailableError(f"Neo4j at {uri} is unavailable{kept}; try again when it is back "
                                     f"({_message(exc)})")
    if isinstance(exc, TransientError):
        return StoreUnavailableError(f"Neo4j at {uri} is busy or unavailable{kept}; try again ({_message(exc)})")
    if isinstance(exc, ConfigurationError):
        return ConfigError(f"the Neo4j connection to {uri} is configured wrongly: {_message(exc)}")
    if isinstance(exc, Neo4jError | DriverError):
        return StoreError(f"Neo4j at {uri} rejected a {'write' if writing else 'query'}{kept}: {_message(exc)}")
    return None


def _message(exc: BaseException) -> str:
    if isinstance(exc, Neo4jError):
        return f"{exc.code}: {exc.message}" if exc.message else str(exc.code)
    return str(exc) or type(exc).__name__


@contextmanager
def translated(uri: str, *, writing: bool = False) -> Iterator[None]:
    """Re-raise driver errors (and socket errors) as the product's errors; others pass unchanged."""
    try:
        yield
    except (Neo4jError, DriverError, OSError) as exc:
        error = translate(exc, uri, writing=writing)
        if error is None:
            raise
        raise error from exc
