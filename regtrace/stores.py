"""Opening a store from a path or URI: a folder is the embedded LadybugDB store; neo4j://, bolt:// and
neo4j+s:// URIs are Neo4j (user and password from the settings: NEO4J_USERNAME / NEO4J_PASSWORD)."""

from __future__ import annotations

from pathlib import Path

from regtrace.errors import ConfigError
from regtrace.graph.port import Store
from regtrace.settings import Settings, current

DEFAULT_STORE: str = Settings.store
NEO4J_SCHEMES = ("neo4j://", "neo4j+s://", "neo4j+ssc://", "bolt://", "bolt+s://", "bolt+ssc://")


def store_location(option: str | None) -> str:
    """--store, else REGTRACE_STORE, else a folder in the working directory."""
    return option or current().store


def open_store(location: str, *, seed: bool = True, create: bool = True) -> Store:
    """Open the store at `location`, creating it when `create` (a new store gets the bundled seed regulation and
    the shipped crosswalks); without `create`, a folder that holds no store is NotFoundError naming the path
    (reading never creates nor seeds: a store made before the crosswalks shipped gains them when opened with
    `create`, as loading registers, the demo and the API server do)."""
    store: Store
    if location.startswith(NEO4J_SCHEMES):
        from regtrace.graph.neo4j_store import Neo4jStore

        settings = current()
        store = Neo4jStore.connect(
            location, settings.neo4j_username, settings.neo4j_password, database=settings.neo4j_database
        )
    elif "://" in location:
        raise ConfigError(f"unknown store URI {location!r}: use a folder path or neo4j://, bolt://, neo4j+s://")
    else:
        from regtrace.graph.ladybug_store import LadybugStore

        store = LadybugStore(Path(location), create=create)
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
