"""The errors sop-docs raises, in one place, so the CLI can map each to a clear message and exit code.

Expected, non-fatal outcomes (a file to quarantine, a decision to ignore) are returned values, not
exceptions; these are for situations where the operation cannot go on at all.
"""


class SopDocsError(Exception):
    """Base class: every error the CLI reports without a traceback."""

    exit_code = 1


class NotAWorkspace(SopDocsError):
    """The folder has no workspace layout; the administrator must run `sop-docs init` there first."""

    exit_code = 2


class InvalidSop(SopDocsError):
    """The SOP file is malformed: the engine refuses to run a procedure it cannot follow exactly."""

    exit_code = 3


class InvalidSettings(SopDocsError):
    """`sop.toml` cannot be read or holds a value of the wrong kind."""

    exit_code = 3


class IllegalMove(SopDocsError):
    """A case was asked to do something its current step does not allow; the case is unchanged."""


class TemplateProblem(SopDocsError):
    """A Word template is missing, unreadable or uses a field the system does not provide."""

    exit_code = 4


class WorkspaceBusy(SopDocsError):
    """Another sop-docs process holds the workspace lock."""

    exit_code = 5


class StateMismatch(SopDocsError):
    """The database or the content store does not match the workspace (missing, empty, corrupt, or
    behind what archive/ and the register show): the service refuses to start over existing
    history; the administrator restores a backup (`sop-docs restore`)."""

    exit_code = 6


class StorageFull(SopDocsError):
    """The disk (or the database) has no room: nothing was changed, and it is tried again."""

    exit_code = 7


def plainly(e: BaseException) -> str:
    """One line for the log: a full disk said so plainly, anything else as it is."""
    if isinstance(e, StorageFull) or getattr(e, "errno", None) == 28:   # ENOSPC
        return "disk full: free space on the server; it is tried again"
    return str(e) or type(e).__name__


class NotSent(SopDocsError):
    """A message could not be handed to its channel (mail server down, refused, a secret missing):
    it is tried again later. Its text names no secret: it goes into logs and the database."""
