"""Revisions and optimistic concurrency: a write names the revision it read (If-Match), strongly compared."""

from __future__ import annotations

import secrets

from api.errors import PreconditionFailed, PreconditionRequired


def first_revision() -> int:
    """A new resource's first revision: random, so that an id used again never answers to an old ETag."""
    return secrets.randbelow(2**30) + 1


def etag(revision: int | str) -> str:
    return f'"{revision}"'


def require_match(if_match: str | None, revision: int) -> None:
    """428 without If-Match, 412 when someone changed it since it was read."""
    if if_match is None:
        raise PreconditionRequired("send If-Match with the ETag you read", ["header", "If-Match"])
    # strong comparison (RFC 9110): a weak tag never matches a write
    tags = {t.strip() for t in if_match.split(",") if not t.strip().startswith("W/")}
    if "*" not in tags and etag(revision) not in tags:
        raise PreconditionFailed(f"changed since you read it; it is now {etag(revision)}", ["header", "If-Match"])
