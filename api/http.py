"""HTTP details shared by the routers: ETags and If-Match (optimistic concurrency), idempotent retries."""

from __future__ import annotations

import hashlib
import json
import secrets

from fastapi import HTTPException, Request, Response, status


def first_revision() -> int:
    """A new resource's first revision: random, so that an id used again never answers to an old ETag."""
    return secrets.randbelow(2**30) + 1


def etag(revision: int | str) -> str:
    return f'"{revision}"'


def set_etag(response: Response, revision: int | str) -> None:
    response.headers["ETag"] = etag(revision)


def require_match(request: Request, revision: int) -> None:
    """A write must name the version it read: 428 without If-Match, 412 when someone changed it since."""
    header = request.headers.get("if-match")
    if header is None:
        raise HTTPException(
            status.HTTP_428_PRECONDITION_REQUIRED,
            detail=[{"loc": ["header", "If-Match"], "msg": "send If-Match with the ETag you read",
                     "type": "precondition_required"}],
        )
    # strong comparison (RFC 9110): a weak tag never matches a write
    tags = {t.strip() for t in header.split(",") if not t.strip().startswith("W/")}
    if "*" not in tags and etag(revision) not in tags:
        raise HTTPException(
            status.HTTP_412_PRECONDITION_FAILED,
            detail=[{"loc": ["header", "If-Match"], "msg": f"changed since you read it; it is now {etag(revision)}",
                     "type": "precondition_failed"}],
        )


def body_hash(body: object) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()
