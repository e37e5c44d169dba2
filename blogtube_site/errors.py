"""The one error type every layer raises.

A job page, the JSON API and the CLI all show the same three things for a
failure: a stable code, a sentence a person understands, and what to try next.
The technical detail (the library's own text) goes to the log, not the user.
"""

from __future__ import annotations


class BlogTubeError(Exception):
    code: str = "UNKNOWN_ERROR"
    transient: bool = False
    message: str = "Something went wrong."
    suggestions: tuple[str, ...] = ()

    def __init__(
        self,
        message: str | None = None,
        *,
        suggestions: list[str] | tuple[str, ...] | None = None,
        detail: str = "",
    ) -> None:
        if message is not None:
            self.message = message
        given = self.suggestions if suggestions is None else suggestions
        # Shown as a list of sentences on the page, in JSON and in the terminal.
        self.suggestions = tuple(s if s.endswith((".", "?", "!", "…")) else f"{s}." for s in given)
        self.detail = detail
        super().__init__(self.message)

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "message": self.message,
            "suggestions": list(self.suggestions),
            "transient": self.transient,
        }


class NotAllowed(BlogTubeError):
    """The person may not do this, though they may see it (someone else's work depends on it)."""

    code = "FORBIDDEN"


class NotFound(BlogTubeError):
    """What was asked for does not exist where BlogTube looked (a video YouTube does not have)."""

    code = "NOT_FOUND"


class WrongState(BlogTubeError):
    """Not now: what it would change is busy (a job queued or running on it)."""

    code = "INVALID_STATE"


class Cancelled(BlogTubeError):
    code = "CANCELLED"
    message = "The job was cancelled."
