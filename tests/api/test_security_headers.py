"""Security headers on every answer (pages, API answers, errors, 404s, 413, 500, static files, feeds, the
documentation), `no-store` wherever a key, a feed URL or a session may be shown, and the API's documentation
served from the installation's own files (no CDN)."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.security import document_headers
from tests.support.service import Service, publish_a_schedule

SECURITY = {
    "content-security-policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}


def missing(response) -> list[str]:
    """The security headers this answer lacks (or has with another value). ReDoc's page alone adds its own
    nonce and two hashes to style-src (see test_redoc_allows_only_its_own_styles)."""
    headers = dict(response.headers)
    if response.request.url.path == "/redoc":
        headers["content-security-policy"] = re.sub(r"style-src 'self' 'nonce-[\w-]+'( 'sha256-[\w+/=]+')*",
                                                    "style-src 'self'", headers.get("content-security-policy", ""))
    return [f"{name}: {headers.get(name)!r}" for name, value in SECURITY.items() if headers.get(name) != value]


def filled(path: str) -> str:
    """An OpenAPI path with its parameters filled (event `conf`, request `A-B`, …)."""
    values = {"event_id": "conf", "request_id": "A-B", "delegation": "A", "solve_id": "s_none", "key_id": "k_none",
              "kind": "delegations", "subject": "A", "token": "not-a-token", "number": "1", "name": "x"}
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), "x"), path)


def test_every_answer_carries_the_security_headers(sqlite_service: Service) -> None:
    service = sqlite_service
    schema = service.get(None, "/openapi.json").json()
    answers = [service.get(None, "/openapi.json"), service.get(None, "/docs"), service.get(None, "/redoc"),
               service.get(None, "/docs/static/swagger-ui.css"), service.get(None, "/docs/static/nothing.js"),
               service.get(None, "/desk/static/desk.css"), service.get(None, "/desk/sign-in"),
               service.get(None, "/desk/requests", follow_redirects=False), service.get(None, "/no/such/page"),
               service.get(None, "/feeds/not-a-token.ics"), service.get(None, "/feeds/x/y.ics"),
               service.post("host", "/events/conf/requests", content=b"x" * (3 * 1024 * 1024)),  # 413
               service.post("host", "/events/conf/requests", json={"parties": 3})]  # 422
    for path, operations in schema["paths"].items():
        for method in operations:
            for who in (None, "host", "A"):
                answers.append(service.call(who, method.upper(), filled(path), json={}))
    assert {a.status_code for a in answers} >= {200, 303, 401, 404, 413, 422}
    wrong = {f"{a.request.method} {a.request.url.path} {a.status_code}": missing(a) for a in answers if missing(a)}
    assert wrong == {}


def test_an_unexpected_error_carries_them_too(sqlite_service: Service) -> None:
    app = sqlite_service.client.app

    @app.get("/test-only/boom")
    def boom() -> None:
        raise RuntimeError("boom")

    answer = TestClient(app, raise_server_exceptions=False).get("/test-only/boom")
    assert answer.status_code == 500 and missing(answer) == []


def test_no_store_wherever_a_key_a_feed_url_or_a_session_is_shown(sqlite_service: Service) -> None:
    service = sqlite_service
    shown = [
        service.post("host", "/events/conf/keys", json={"role": "liaison", "delegation": "B"}),  # a new key
        service.get("host", "/events/conf/feeds"),  # every feed URL
        service.get("A", "/events/conf/feeds"),  # A's own feed URL
        service.post("A", "/events/conf/delegations/A/feed-token"),  # a new feed URL
        service.get(None, "/desk/sign-in"),
        service.get("host", "/events/conf/requests"),
        service.get(None, "/nothing/here"),
    ]
    assert [a.status_code for a in shown] == [201, 200, 200, 201, 200, 200, 404], [a.text for a in shown]
    assert [a.headers.get("cache-control") for a in shown] == ["no-store"] * len(shown)
    # public files stay cacheable (revalidated by their ETag)
    for path in ("/desk/static/desk.js", "/docs/static/swagger-ui-bundle.js"):
        static = service.get(None, path)
        assert static.status_code == 200 and "cache-control" not in static.headers and static.headers["etag"]


@pytest.mark.slow
def test_published_files_keep_their_own_caching_and_the_room_plan_runs_no_script(sqlite_service: Service,
                                                                                  tmp_path: Path) -> None:
    service = sqlite_service
    publish_a_schedule(service, tmp_path)
    # the room plan places its meetings by rules of its one stylesheet: its own policy allows exactly that
    # stylesheet (by its hash), no other style, and no script at all
    plan = service.get("host", "/events/conf/grid")
    assert plan.status_code == 200 and "style=" not in plan.text and 'data-at="p1"' in plan.text
    [stylesheet] = re.findall(r"<style>(.*?)</style>", plan.text, re.DOTALL)
    digest = base64.b64encode(hashlib.sha256(stylesheet.encode()).digest()).decode()
    policy = plan.headers["content-security-policy"]
    assert f"style-src 'sha256-{digest}'" in policy and "unsafe" not in policy
    assert "default-src 'none'" in policy and "script-src" not in policy and "frame-ancestors 'self'" in policy
    assert plan.headers["x-frame-options"] == "SAMEORIGIN" and plan.headers["x-content-type-options"] == "nosniff"
    assert plan.headers["cache-control"] == "private"
    url = service.get("A", "/events/conf/feeds").json()[0]["https"]
    feed = service.get(None, url.replace(service.settings.public_url, ""))
    assert feed.status_code == 200 and missing(feed) == []
    assert feed.headers["cache-control"] == "private, max-age=300" and feed.headers["etag"]
    again = service.get(None, url.replace(service.settings.public_url, ""),
                        headers={"If-None-Match": feed.headers["etag"]})
    assert again.status_code == 304 and again.headers["cache-control"] == "private, max-age=300"


ASSET_TYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_documentation_loads_only_its_own_files(sqlite_service: Service, page: str) -> None:
    html = sqlite_service.get(None, page).text
    assert "<script>" not in html and " style=" not in html  # no inline script or style (the CSP refuses them)
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and all(a.startswith("/docs/static/") for a in assets), assets  # nothing from another origin
    for asset in assets:
        served = sqlite_service.get(None, asset)
        assert served.status_code == 200, asset
        assert served.headers["content-type"].split(";")[0] == ASSET_TYPES[Path(asset).suffix], asset
        assert len(served.content) > 100, asset


def test_redoc_allows_only_its_own_styles(sqlite_service: Service) -> None:
    """ReDoc writes <style> elements: they carry the page's nonce, new on every answer; nothing inline else."""
    first, second = (sqlite_service.get(None, "/redoc") for _ in range(2))
    nonces = [re.search(r"'nonce-([\w-]+)'", a.headers["content-security-policy"]).group(1) for a in (first, second)]
    assert nonces[0] != nonces[1] and f'data-nonce="{nonces[0]}"' in first.text
    assert "unsafe" not in first.headers["content-security-policy"]
    assert "script-src 'self';" in first.headers["content-security-policy"]


def test_a_room_plan_published_before_its_stylesheet_keeps_its_inline_styles() -> None:
    # a plan stored by an earlier version places its cells with style attributes: they still apply, and no
    # script may run in it either
    older = '<html><head><style>.grid { display: grid }</style></head><div style="grid-row: 2">x</div></html>'
    policy = document_headers(older)["Content-Security-Policy"]
    assert "style-src 'unsafe-inline'" in policy and "default-src 'none'" in policy and "script" not in policy
    newer = document_headers(older.replace(' style="grid-row: 2"', ' data-at="p1"'))["Content-Security-Policy"]
    assert "unsafe" not in newer and newer.count("'sha256-") == 1
