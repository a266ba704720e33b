"""Build .typing/regtrace/: a tree of symlinks that lets mypy see the package-dir mapping.

The editable install maps graph/ to regtrace.graph and so on; mypy cannot follow that finder,
so it reads this git-ignored mirror instead (MYPYPATH=.typing, set in pyproject.toml).
"""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    mapping: dict[str, str] = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-dir"
    ]
    typing_root = ROOT / ".typing"
    shutil.rmtree(typing_root, ignore_errors=True)
    package = typing_root / "regtrace"
    package.mkdir(parents=True)
    for entry in sorted((ROOT / mapping["regtrace"]).iterdir()):
        if entry.suffix == ".py" or (entry.is_dir() and (entry / "__init__.py").exists()):
            (package / entry.name).symlink_to(entry)
    for name, folder in mapping.items():
        if name != "regtrace" and (ROOT / folder / "__init__.py").exists():  # not the data folders
            (package / name.split(".", 1)[1]).symlink_to(ROOT / folder, target_is_directory=True)
    (package / "py.typed").touch()


if __name__ == "__main__":
    main()
