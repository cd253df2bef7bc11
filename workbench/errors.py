"""Exit codes, the exceptions that end a run with a message, and Maelstrom's error table."""

from __future__ import annotations

from dataclasses import dataclass

EXIT_VALID = 0
EXIT_INVALID = 1
EXIT_UNKNOWN = 2
EXIT_USAGE = 254
EXIT_BROKEN = 255


class WorkbenchError(Exception):
    """An expected failure, printed as plain text (no traceback) with its exit code."""

    exit_code = EXIT_BROKEN


class UsageError(WorkbenchError):
    """Raised for a wrong flag or flag value; exit 254."""

    exit_code = EXIT_USAGE


class NodeError(WorkbenchError):
    """Raised when a node breaks the run: crashes, exits, never answers init, or writes a
    line that is not a valid message. The text names the node, the line and its log."""


class SetupError(WorkbenchError):
    """Raised when the test cannot be set up (e.g. the binary is missing or not executable)."""


@dataclass(frozen=True)
class ErrorCode:
    code: int
    name: str
    definite: bool


ERRORS: dict[int, ErrorCode] = {
    e.code: e
    for e in (
        ErrorCode(0, "timeout", False),
        ErrorCode(1, "node-not-found", True),
        ErrorCode(10, "not-supported", True),
        ErrorCode(11, "temporarily-unavailable", True),
        ErrorCode(12, "malformed-request", True),
        ErrorCode(13, "crash", False),
        ErrorCode(14, "abort", True),
        ErrorCode(20, "key-does-not-exist", True),
        ErrorCode(21, "key-already-exists", True),
        ErrorCode(22, "precondition-failed", True),
        ErrorCode(30, "txn-conflict", True),
    )
}


def error_code(code: int) -> ErrorCode:
    """The table entry for `code`; unknown codes (and all user codes >= 1000) are indefinite."""
    return ERRORS.get(code, ErrorCode(code, "unknown", False))
