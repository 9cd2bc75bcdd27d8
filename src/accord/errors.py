"""Errors a person sees. Each says what was wrong, where, and what to do.

Actions and queries raise these; the API turns them into
``{"error": {"code", "message", "details"}}`` with the class's HTTP status, the SDK raises
them again as `accord.AccordError`, and the CLI prints the message on one line.
"""

from __future__ import annotations

from typing import Any


class AccordError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, details: Any = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        if code is not None:
            self.code = code


class Unauthorized(AccordError):
    status = 401
    code = "unauthorized"


class Forbidden(AccordError):
    status = 403
    code = "forbidden"


class NotFound(AccordError):
    status = 404
    code = "not_found"


class Conflict(AccordError):
    status = 409
    code = "conflict"


class Gone(AccordError):
    status = 410
    code = "gone"


class TooLarge(AccordError):
    status = 413
    code = "too_large"


class Invalid(AccordError):
    status = 422
    code = "invalid"


class RateLimited(AccordError):
    status = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, details={"retry_after": retry_after})
        self.retry_after = retry_after


class StorageMissing(AccordError):
    """A stored file (an upload, an export, a medium) is not in the storage."""

    status = 404
    code = "file_missing"


class StorageUnavailable(AccordError):
    """The storage (a local folder, an S3-compatible bucket) could not be read or written."""

    status = 503
    code = "storage_unavailable"
