"""regtrace: traces the cloud-outsourcing rules for Taiwanese insurers to controls and evidence."""


def __getattr__(name: str) -> str:
    """`__version__`, read from the installed package's metadata when first asked for (importing
    importlib.metadata costs a process that only traces about 0.08 s of CPU)."""
    if name != "__version__":
        raise AttributeError(f"module 'regtrace' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("regtrace")
    except PackageNotFoundError:  # pragma: no cover - running from a tree that is not installed
        found = "0.0.0"
    globals()["__version__"] = found
    return found
