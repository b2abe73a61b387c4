"""What went wrong, in the service's own words: exceptions that the services and storage raise, knowing
nothing of HTTP. `api.app` maps each to its status code once; the body is always
`{"detail": [{"loc", "msg", "type"}, ...]}`, each item naming what it is about (`loc`).
"""

from __future__ import annotations

from typing import ClassVar

Loc = list[str | int]


RETRY_AFTER = "5"  # seconds to wait when a part is not answering: a database or queue restart, a passing lock


class ServiceError(Exception):
    """One or more problems of one kind; `status` is the HTTP status `api.app` answers it with."""

    status: ClassVar[int] = 400
    kind: ClassVar[str] = "error"
    headers: ClassVar[dict[str, str] | None] = None  # sent with the answer (e.g. when to try again)

    def __init__(self, message: str, loc: Loc | None = None):
        super().__init__(message)
        self.detail: list[dict] = [{"loc": list(loc or []), "msg": message, "type": self.kind}]


class NotFound(ServiceError):
    """There is no such thing, or it is not the caller's to see (probing learns nothing)."""

    status, kind = 404, "not_found"

    def __init__(self, what: str):
        super().__init__(f"{what} not found", ["path"])


class Forbidden(ServiceError):
    """The caller's role may not do this."""

    status, kind = 403, "forbidden"


class Conflict(ServiceError):
    """Not now: the thing is in a state that does not allow it (declined, not solved, taken)."""

    status, kind = 409, "conflict"


class PreconditionRequired(ServiceError):
    """A write that does not name the version it read."""

    status, kind = 428, "precondition_required"


class PreconditionFailed(ServiceError):
    """A write that names a version someone changed since."""

    status, kind = 412, "precondition_failed"


class Unprocessable(ServiceError):
    """Bad input: one item per problem, each naming its field (`{loc, msg, type}`)."""

    status = 422

    def __init__(self, items: list[dict]):
        Exception.__init__(self, "; ".join(str(i.get("msg")) for i in items))
        self.detail = items


class Unavailable(ServiceError):
    """A part the service needs (the solve queue) is not reachable."""

    status, kind = 503, "unavailable"
    headers = {"Retry-After": RETRY_AFTER}
