"""The desk through the TestClient: signing in as one of the service's keys, and the CSRF token of a page."""

from __future__ import annotations

import re


def sign_in(service, who: str) -> None:
    """A desk session for the key `who` (the client keeps its cookie)."""
    page = service.client.get("/desk/sign-in")
    token = csrf_of(page.text)
    response = service.client.post("/desk/sign-in", data={"csrf": token, "key": service.keys[who]})
    assert response.status_code == 200, response.text


def csrf_of(html: str) -> str:
    """The CSRF token of a page's first form."""
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)
