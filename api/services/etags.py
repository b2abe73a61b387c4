"""Revisions and optimistic concurrency: a write names the revision it read (If-Match), strongly compared.

A request's ETag is per viewer: made from what that viewer's representation holds (and the stored revision of
the part every party sees), so it changes when, and only when, something the viewer can see changes. Another
party's private wish or the host's priority moves neither a liaison's ETag nor its `revision`, and a write is
checked against the tag the caller's own view has now.
"""

from __future__ import annotations

import hashlib
import json
import secrets

from api.errors import PreconditionFailed, PreconditionRequired


def first_revision() -> int:
    """A new resource's first revision: random, so that an id used again never answers to an old ETag."""
    return secrets.randbelow(2**30) + 1


def etag(revision: int | str) -> str:
    return f'"{revision}"'


def view_revision(stored: int, shown: dict) -> int:
    """The revision of one viewer's representation `shown` (without its own revision field) of a resource
    whose shared part is at revision `stored`: 48 bits of a SHA-256, an integer that JavaScript holds
    exactly. Equal views of one resource incarnation get equal revisions; any visible difference, another."""
    text = json.dumps([stored, shown], sort_keys=True, separators=(",", ":"))  # JSON values only: as stored
    return int(hashlib.sha256(text.encode()).hexdigest()[:12], 16)


def require_match(if_match: str | None, revision: int) -> None:
    """428 without If-Match, 412 when someone changed it since it was read."""
    if if_match is None:
        raise PreconditionRequired("send If-Match with the ETag you read", ["header", "If-Match"])
    # strong comparison (RFC 9110): a weak tag never matches a write
    tags = {t.strip() for t in if_match.split(",") if not t.strip().startswith("W/")}
    if "*" not in tags and etag(revision) not in tags:
        raise PreconditionFailed(f"changed since you read it; it is now {etag(revision)}", ["header", "If-Match"])
