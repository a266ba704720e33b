"""regtrace: traces the cloud-outsourcing rules for Taiwanese insurers to controls and evidence."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("regtrace")
except PackageNotFoundError:  # pragma: no cover - running from a tree that is not installed
    __version__ = "0.0.0"
