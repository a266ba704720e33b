"""The product's error tree, mapped to exit codes and GraphQL codes only at the edges.

RegtraceError
├── InputError                 bad input from a user (file, row, column or field named)
│   ├── RegulationParseError   regulation text that cannot be parsed
│   ├── CurationError          a curated file that disagrees with the parsed text
│   ├── RegisterError          register rows that fail validation (the first 1,000 and the count)
│   ├── MappingFileError       a mapping set file that fails validation (all errors at once)
│   └── NotFoundError          an id that names nothing
├── StoreError                 the graph store failed
│   ├── StorePoolFullError     a read did not fit a capped buffer pool (read again on the default one)
│   ├── PatchTooLargeError     a reload would write more in place than the store's bound (written whole instead)
│   └── StoreUnavailableError  the store cannot be reached (retryable)
│       └── StoreChangedError  what was read or loaded changed meanwhile (retryable)
└── ConfigError                the product is set up wrongly (store URI, credentials)
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class ExitCode(IntEnum):
    """What the `regtrace` command exits with; each error class below names its own."""

    OK = 0
    FAILED = 1  # the command ran and found a problem: failing obligations, an altered export, stale features
    INPUT = 2  # bad input or usage (the message names the file, row and column, or the option)
    NOT_FOUND = 3  # an id or tenant that names nothing
    STORE = 4  # the graph store failed
    CONFIG = 5  # the product is set up wrongly (store URI, credentials, a busy port)
    INTERNAL = 70  # an unexpected failure (EX_SOFTWARE); a message, never a stack trace
    ABORTED = 130  # interrupted (Ctrl-C)


class RegtraceError(Exception):
    """Root of every error regtrace raises on purpose."""

    code = "INTERNAL"
    exit_code: ExitCode = ExitCode.FAILED
    retryable = False


class InputError(RegtraceError):
    """The user's input is wrong; the message says where and how."""

    code = "BAD_USER_INPUT"
    exit_code = ExitCode.INPUT


class RegulationParseError(InputError):
    """Regulation text that cannot be parsed into provisions."""


class CurationError(InputError):
    """A curated data file names provisions or facts the regulation does not have."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one cell of a register (or one line of a file)."""

    source: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.source
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.message}"


MAX_LISTED_PROBLEMS = 1_000


class ProblemLog(list[Problem]):
    """Problems as they are found: the first `limit` are kept, the rest only counted (`total`), so a file
    with a million bad cells costs a counter, not a million messages."""

    def __init__(self, limit: int = MAX_LISTED_PROBLEMS) -> None:
        super().__init__()
        self.limit = limit
        self.total = 0

    def append(self, problem: Problem) -> None:
        self.total += 1
        if len(self) < self.limit:
            super().append(problem)

    def extend_log(self, problems: list[Problem]) -> None:
        for problem in problems:
            self.append(problem)


class RegisterError(InputError):
    """Register rows failed validation; lists the first MAX_LISTED_PROBLEMS problems (in file order) and
    says how many there are in all (`total`)."""

    def __init__(self, problems: list[Problem], total: int | None = None) -> None:
        self.problems = problems[:MAX_LISTED_PROBLEMS]
        self.total = max(total or 0, len(problems))
        shown = len(self.problems)
        more = f"; the first {shown:,} are listed" if self.total > shown else ""
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{self.total:,} problem(s) in the registers{more}; nothing was written:\n{lines}")


class MappingFileError(InputError):
    """A mapping set to import failed validation; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{len(problems)} problem(s) in the mapping file; nothing was imported:\n{lines}")


class NotFoundError(InputError):
    """An id that names nothing in the store."""

    code = "NOT_FOUND"
    exit_code = ExitCode.NOT_FOUND


class StoreError(RegtraceError):
    """The graph store failed."""

    code = "STORE_ERROR"
    exit_code = ExitCode.STORE


class StorePoolFullError(StoreError):
    """A query's working memory did not fit the engine's buffer pool as it was opened (a capped pool: reading on a
    connection with a larger one works)."""


class PatchTooLargeError(StoreError):
    """A reload written in place (Store.patch_tenant) would write more rows than the store writes in one transaction
    (Store.patch_rows): nothing was written, and the loader writes the tenant whole instead (Store.replace_tenant).
    It never reaches a user."""


class StoreUnavailableError(StoreError):
    """The store cannot be reached; trying again later may work."""

    code = "STORE_UNAVAILABLE"
    retryable = True


class StoreChangedError(StoreUnavailableError):
    """What was being read or written changed meanwhile (a load published other registers, or a change landed
    during a load); reading or loading again works."""


class ConfigError(RegtraceError):
    """The product is set up wrongly (store URI, credentials, options)."""

    code = "CONFIG_ERROR"
    exit_code = ExitCode.CONFIG
