"""The API's documentation pages, served from this installation's own files: no CDN, so `/docs` (Swagger UI)
and `/redoc` (ReDoc) work at a venue without internet, and under the strict CSP of `api.security`.

The Swagger UI and ReDoc bundles come from the `fastapi-offline` package; the pages and their start scripts are
ours (FastAPI's own pages start Swagger UI with an inline script, which the CSP refuses).
"""

from __future__ import annotations

import secrets
from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter, HTTPException, status
from fastapi.responses import FileResponse, HTMLResponse

from api.security import POLICY

OWN = Path(__file__).parent / "docs_static"
BUNDLES = Path(str(files("fastapi_offline") / "static"))

# the only files served under /docs/static/ (a name, never a path from the request)
ASSETS: dict[str, tuple[Path, str]] = {
    "swagger-ui-bundle.js": (BUNDLES / "swagger-ui-bundle.js", "text/javascript"),
    "swagger-ui.css": (BUNDLES / "swagger-ui.css", "text/css"),
    "redoc.standalone.js": (BUNDLES / "redoc.standalone.js", "text/javascript"),
    "favicon.png": (BUNDLES / "favicon.png", "image/png"),
    "swagger-init.js": (OWN / "swagger-init.js", "text/javascript"),
    "redoc-init.js": (OWN / "redoc-init.js", "text/javascript"),
}

# the <style> elements redoc.standalone.js (fastapi-offline 1.7.7) inserts as it loads: its scrollbar's stylesheet
# (perfect-scrollbar), and one that starts empty; tests/api/web/test_docs_offline.py sees any other as a violation
REDOC_STYLES = ("'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc=' "
                "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='")

router = APIRouter(include_in_schema=False)


@router.get("/docs")
async def swagger_ui() -> HTMLResponse:
    return HTMLResponse((OWN / "swagger.html").read_text())


@router.get("/redoc")
async def redoc() -> HTMLResponse:
    """ReDoc writes its styles into <style> elements (styled-components): they carry this answer's nonce, which
    the page's CSP allows for styles alone (scripts stay 'self' only). Two more are inserted by the bundle as
    it loads, before it knows the nonce: they are allowed by their hashes (REDOC_STYLES)."""
    nonce = secrets.token_urlsafe(18)
    page = (OWN / "redoc.html").read_text().replace("{nonce}", nonce)
    return HTMLResponse(page, headers={"Content-Security-Policy": POLICY.replace(
        "style-src 'self'", f"style-src 'self' 'nonce-{nonce}' {REDOC_STYLES}")})


@router.get("/docs/static/{name}")
async def asset(name: str) -> FileResponse:
    if name not in ASSETS:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=[{"loc": ["path", "name"], "msg": "no such file",
                                                                "type": "not_found"}])
    path, media_type = ASSETS[name]
    return FileResponse(path, media_type=media_type)
