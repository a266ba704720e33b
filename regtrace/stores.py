"""Opening a store from a path or URI through a small registry of store kinds: a folder is the embedded
LadybugDB store; neo4j://, bolt:// and neo4j+s:// URIs are Neo4j (user and password from the settings:
NEO4J_USERNAME / NEO4J_PASSWORD). Each kind's module is imported only when a store of that kind is opened."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from regtrace.errors import ConfigError
from regtrace.graph.port import Store
from regtrace.settings import Settings, current

DEFAULT_STORE: str = Settings.store
NEO4J_SCHEMES = ("neo4j://", "neo4j+s://", "neo4j+ssc://", "bolt://", "bolt+s://", "bolt+ssc://")


@dataclass(frozen=True)
class StoreKind:
    """One kind of store: which locations are its, and how to open one (`create`: make it if absent)."""

    name: str
    claims: Callable[[str], bool]
    open: Callable[[str, bool], Store]


def _open_neo4j(location: str, create: bool) -> Store:
    from regtrace.graph.neo4j_store import Neo4jStore

    settings = current()
    return Neo4jStore.connect(location, settings.neo4j_username, settings.neo4j_password,
                              database=settings.neo4j_database)


def _open_ladybug(location: str, create: bool) -> Store:
    from regtrace.graph.ladybug_store import LadybugStore

    return LadybugStore(Path(location), create=create)


STORE_KINDS: tuple[StoreKind, ...] = (
    StoreKind("neo4j", lambda location: location.startswith(NEO4J_SCHEMES), _open_neo4j),
    StoreKind("ladybug", lambda location: "://" not in location, _open_ladybug),
)


def store_kind(location: str) -> StoreKind:
    """The kind of store at `location`; ConfigError for a URI no kind claims."""
    for kind in STORE_KINDS:
        if kind.claims(location):
            return kind
    raise ConfigError(f"unknown store URI {location!r}: use a folder path or neo4j://, bolt://, neo4j+s://")


def store_location(option: str | None) -> str:
    """--store, else REGTRACE_STORE, else a folder in the working directory."""
    return option or current().store


def open_store(location: str, *, seed: bool = True, create: bool = True) -> Store:
    """Open the store at `location`, creating it when `create` (a new store gets the bundled seed regulation and
    the shipped crosswalks); without `create`, a folder that holds no store is NotFoundError naming the path
    (reading never creates nor seeds: a store made before the crosswalks shipped gains them when opened with
    `create`, as loading registers, the demo and the API server do)."""
    store = store_kind(location).open(location, create)
    if seed and create and store.count("Provision") == 0:
        from regtrace.seed import install_seed

        install_seed(store)
    elif seed and create:
        from regtrace.crosswalk.store_io import install_shipped, needs_shipped

        if needs_shipped(store):  # made before the crosswalks shipped, or seeded by a write that died before them
            install_shipped(store)
    from regtrace.versions_upgrade import upgrade_versions

    upgrade_versions(store)  # a store made before regulation versions: its regulation becomes the seed version
    return store
