"""HTTP details shared by the routers: the ETag header and the If-Match header."""

from __future__ import annotations

from fastapi import Request, Response

from api.services.etags import etag


def set_etag(response: Response, revision: int | str) -> None:
    response.headers["ETag"] = etag(revision)


def if_match(request: Request) -> str | None:
    return request.headers.get("if-match")
