"""The folders regtrace ships beside its code: the example insurer (examples/) and the executable obligations
(features/). In a clone they are the repository's folders; installed from the wheel they are package data
inside the package (regtrace/examples/ and regtrace/gherkin/; not regtrace/features/, which is the module
that generates the features), mapped by setuptools' package-dir in pyproject.toml."""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def _shipped(installed: str, in_clone: str) -> Path:
    inside = PACKAGE / installed
    return inside if inside.is_dir() else PACKAGE.parent / in_clone


EXAMPLES = _shipped("examples", "examples")
FEATURES = _shipped("gherkin", "features")


def from_wheel() -> bool:
    """True when running from an installed wheel, where the shipped folders are part of the installation."""
    return FEATURES.parent == PACKAGE
