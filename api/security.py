"""Security headers on every answer: pages, API answers, errors, 404s, static files and feeds alike.

Pure ASGI (no `BaseHTTPMiddleware`): it only adds headers to `http.response.start`, so streamed bodies, the
413 of `InputLimits` and the 500 of the catch-all handler carry them too.

- A strict Content-Security-Policy: scripts, styles and images from this origin only (no inline script, no
  inline style, no `eval`), no plugins, no `<base>`, never framed, forms post only here. The desk and the
  API's documentation (`api.docs`) are built to pass it. Two answers set their own: ReDoc's page (a nonce for
  its styles, `api.docs`) and the room plan (`document_headers`: no script at all, its one stylesheet by its hash).
- `Referrer-Policy: no-referrer`: a page that shows a feed URL or a key never leaks it in a Referer.
- `Cache-Control: no-store` on everything that may show a key, a feed URL or a session: every desk page and
  every API answer. Left alone where the app set its own (a feed's `.ics` body: `private, max-age` with its
  ETag, which calendar clients rely on) and on static assets (public files, revalidated by their ETag).
"""

from __future__ import annotations

import base64
import hashlib
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",  # Swagger UI's icons are data: URIs in its stylesheet
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
))

# the room plan (scheduler.publish.office): one self-contained, printable file whose only styles are its
# `<style>` element (cells are placed by rules of it, not by `style` attributes). It holds no script and loads
# nothing: no script may run in it, and only that one element's styles apply, allowed by its hash (so no
# `'unsafe-inline'`). The desk's room plan page shows it in a frame: only this origin's pages may frame it.
_DOCUMENT = ("default-src 'none'", "base-uri 'none'", "frame-ancestors 'self'", "form-action 'none'")
# a plan published before its cells lost their `style` attributes still shows: its inline styles are allowed
# (every text in it is escaped and its style values are numbers, so nothing of a caller's becomes CSS)
_OLDER_DOCUMENT = "style-src 'unsafe-inline'"
_STYLE_ELEMENT = re.compile(r"<style>(.*?)</style>", re.DOTALL)


def document_headers(page: str) -> dict[str, str]:
    """The policy of one room plan page: its own `<style>` elements allowed by their SHA-256, nothing else."""
    if ' style="' in page:
        styles = _OLDER_DOCUMENT
    else:
        hashes = sorted({base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
                         for css in _STYLE_ELEMENT.findall(page)})
        styles = "style-src " + (" ".join(f"'sha256-{h}'" for h in hashes) or "'none'")
    return {"Content-Security-Policy": "; ".join((*_DOCUMENT[:1], styles, *_DOCUMENT[1:])),
            "X-Frame-Options": "SAMEORIGIN"}

HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]

# public files: cacheable (revalidated with their ETag); nothing secret is served under these paths
STATIC_PREFIXES = ("/desk/static/", "/docs/static/")


class SecurityHeaders:
    """ASGI middleware: add the headers above to every HTTP answer (a header the app set itself wins)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        cacheable = scope.get("path", "").startswith(STATIC_PREFIXES)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = _added(list(message.get("headers") or []), cacheable)
            await send(message)

        await self.app(scope, receive, with_headers)


def _added(headers: list[tuple[bytes, bytes]], cacheable: bool) -> list[tuple[bytes, bytes]]:
    present = {name.lower() for name, _ in headers}
    extra = [(name, value) for name, value in HEADERS if name not in present]
    if b"cache-control" not in present and not cacheable:
        extra.append((b"cache-control", b"no-store"))
    return headers + extra


def secure(app) -> None:
    """Wrap the whole app, outside Starlette's own error middleware: its 500 answers get the headers too."""
    build = app.build_middleware_stack
    app.build_middleware_stack = lambda: SecurityHeaders(build())
