"""The HTTP API: `create_app(settings)` wires the routers to the database and the queue.

Limits hold before any route runs: a body over `max_body_bytes` is answered 413 whether or not it says its
length (chunked bodies are counted as they arrive). Errors are `{"detail": [{"loc", "msg", "type"}]}`; the
services' own (`api.errors`) are turned into their status codes here, once.
"""

from __future__ import annotations

import json
import logging
from contextlib import asynccontextmanager

import anyio
from fastapi import FastAPI, HTTPException, Request, Response, status
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from api import docs, security
from api.bad_input import documented, strict_body_problems
from api.errors import RETRY_AFTER, ServiceError
from api.log_masking import SecretFilter
from api.processes import die_with_serve
from api.queue import Queue, make_queue
from api.routers import audit, events, feeds, keys, requests, schedule, solves
from api.settings import Settings
from api.stale import sweep_stale
from api.storage.db import Database
from api.web import dashboard, event_editor, forms, host, liaison, shared, solving

log = logging.getLogger("bilateral.api")


class ErrorItem(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class ErrorOut(BaseModel):
    """Every error: one item per problem, each naming the field (`loc`) it is about."""

    detail: list[ErrorItem]


COMMON_RESPONSES: dict[int | str, dict] = {
    401: {"model": ErrorOut, "description": "no valid API key"},
    403: {"model": ErrorOut, "description": "the key's role may not do this"},
    404: {"model": ErrorOut, "description": "not found, or not yours to see"},
    413: {"model": ErrorOut, "description": "the body is larger than 2 MiB"},
    422: {"model": ErrorOut, "description": "bad input, each problem naming its field"},
}


class InputLimits:
    """ASGI middleware: refuse what no route may see. A body larger than `limit` bytes is 413; a NUL
    character is 422 in a body and 404 in a path (no id holds one, and PostgreSQL cannot store one); a JSON
    body holding what JSON does not allow (NaN, Infinity, 1e400, an unpaired surrogate) is 422 naming its field.

    The body is read (at most `limit` bytes of it) before the app sees it, so a chunked body that says no
    length is refused as surely as one whose Content-Length is too large."""

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if "\x00" in scope.get("path", ""):  # no id holds a NUL (and PostgreSQL cannot store one)
            return await self._answer(send, 404, b"path", b"no such resource", b"not_found")
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            return await self._refuse(send)
        messages, size = [], 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            if size > self.limit:
                return await self._refuse(send)
            if not message.get("more_body", False):
                break
        if any(b"\\u0000" in m.get("body", b"") or b"\x00" in m.get("body", b"") for m in messages):
            return await self._answer(send, 422, b"body", b"NUL characters are not accepted", b"value_error")
        refused = strict_body_problems(scope, b"".join(m.get("body", b"") for m in messages))
        if refused:  # NaN, 1e400, an unpaired surrogate: 422 here, before FastAPI reads (and echoes) them
            return await self._send(send, 422, json.dumps({"detail": refused}).encode())

        async def replay():
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, send) -> None:
        await self._answer(send, 413, b"body", b"the body is larger than %d bytes" % self.limit, b"too_large")

    @staticmethod
    async def _answer(send, code: int, where: bytes, message: bytes, kind: bytes) -> None:
        body = b'{"detail":[{"loc":["%s"],"msg":"%s","type":"%s"}]}' % (where, message, kind)
        await InputLimits._send(send, code, body)

    @staticmethod
    async def _send(send, code: int, body: bytes) -> None:
        await send({"type": "http.response.start", "status": code,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]})
        await send({"type": "http.response.body", "body": body})


DATABASE_AWAY = "the database is not answering; try again in a few seconds"


def _desk_page(request: Request) -> bool:
    """The desk's pages answer errors with pages (its `/state` polling, like the API, with JSON)."""
    return request.url.path.startswith("/desk") and not request.url.path.endswith("/state")
THREADS = 8  # for the sync routes: more threads only contend for the GIL (measured with benchmarks.api)


@asynccontextmanager
async def _lifespan(app: FastAPI):
    anyio.to_thread.current_default_thread_limiter().total_tokens = THREADS
    yield


def create_app(settings: Settings | None = None, queue: Queue | None = None, migrate: bool = True) -> FastAPI:
    settings = settings or Settings.from_env()
    db = Database(settings.database_url)
    if migrate:
        db.migrate()
    sweep_stale(db, settings.stale_after_seconds)
    app = FastAPI(
        lifespan=_lifespan,
        title="bilateral",
        version="1.0",
        summary="Bilateral meetings on the sidelines of a conference: propose, accept, solve, publish, subscribe.",
        responses=COMMON_RESPONSES,
        docs_url=None, redoc_url=None,  # api.docs: served from our own files, no CDN
    )
    app.state.settings, app.state.db = settings, db
    app.state.queue = queue or make_queue(settings)
    for module in (events, keys, requests, solves, schedule, feeds, audit, docs):
        app.include_router(module.router)
    for desk in (shared, dashboard, host, solving, forms, liaison, event_editor):
        app.include_router(desk.router)
    app.mount("/desk/static", StaticFiles(directory=shared.STATIC), name="desk-static")

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        # the desk's pages answer with pages; the API with its JSON
        if _desk_page(request):
            return await shared.error_page(request, exc)
        return await http_exception_handler(request, exc)

    @app.exception_handler(ServiceError)
    async def service_error(request: Request, exc: ServiceError) -> Response:
        # the one place a service's error becomes its status code (and, on the desk, its page)
        return await http_error(request, HTTPException(exc.status, detail=documented(exc.detail), headers=exc.headers))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        # FastAPI's own handler echoes the input (and fails on what it cannot encode): only loc, msg, type
        return JSONResponse({"detail": documented(list(exc.errors()))}, status_code=422)
    app.add_middleware(InputLimits, limit=settings.max_body_bytes)

    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    @app.exception_handler(PoolTimeout)
    async def database_unavailable(request: Request, exc: Exception) -> JSONResponse:
        # the database is down, hangs (each wait is bounded in api.storage.db) or is busy: a passing state,
        # so 503 with a time to come back, in words; the driver's message stays in the log
        log.warning("database unavailable on %s %s: %s", request.method, request.url.path, type(exc).__name__)
        unavailable = HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, headers={"Retry-After": RETRY_AFTER},
                                    detail=[{"loc": [], "msg": DATABASE_AWAY, "type": "unavailable"}])
        if _desk_page(request):  # a page in words, which does not ask the database who is signed in
            return await shared.error_page(request, unavailable)
        return JSONResponse({"detail": unavailable.detail}, unavailable.status_code, headers=unavailable.headers)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        # logged without the request (its headers carry the caller's key)
        log.error("unexpected %s on %s %s", type(exc).__name__, request.method, request.url.path, exc_info=exc)
        return JSONResponse({"detail": [{"loc": [], "msg": "internal error", "type": "internal"}]},
                            status_code=status.HTTP_500_INTERNAL_SERVER_ERROR)

    security.secure(app)  # CSP, nosniff, no-referrer, DENY, no-store on every answer
    for name in ("uvicorn.access", "uvicorn.error", "bilateral.api"):
        logging.getLogger(name).addFilter(SecretFilter())  # no key or token in any line
    return app


def app_from_env() -> FastAPI:
    """The app of a web process started by uvicorn itself (`scheduler serve --processes N`): `serve` has
    migrated the database before starting it, and the web process ends with serve."""
    die_with_serve()
    return create_app(Settings.from_env(), migrate=False)
