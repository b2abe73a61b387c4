"""Desk sessions expire (idle and absolute), and the sign-in form's token is bound to the browser's pre-session.

The clock: a session's own timestamps are set back in the database (as if that much time had passed), and
`api.web.session.now` is replaced where a form must be made in the past.
"""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import update

from api.identity import now
from api.settings import Settings
from api.storage.models import SessionRow
from api.web.session import COOKIE, SIGN_IN_COOKIE
from tests.support.service import Service

HOUR = timedelta(hours=1)


def browser(service: Service) -> TestClient:
    """A browser of its own (its own cookies)."""
    return TestClient(service.client.app, base_url="http://testserver", follow_redirects=False)


def form_token(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def signed_in(service: Service, who: str) -> TestClient:
    client = browser(service)
    token = form_token(client.get("/desk/sign-in").text)
    answer = client.post("/desk/sign-in", data={"csrf": token, "key": service.keys[who]})
    assert answer.status_code == 303 and answer.headers["location"] == "/desk", answer.text
    return client


def session_row(service: Service) -> SessionRow:
    with service.client.app.state.db.reading() as session:
        return session.query(SessionRow).one()


def set_back(service: Service, **times) -> None:
    """Set the (only) session's timestamps: created_at, last_seen_at."""
    with service.client.app.state.db.writing() as session:
        session.execute(update(SessionRow).values(**times))


def refused(client: TestClient) -> bool:
    """The desk sends the browser to sign in again, and the API refuses the session's token."""
    page = client.get("/desk/requests")
    api = client.get("/events/conf/requests", headers={"Authorization": f"Bearer {client.cookies[COOKIE]}"})
    assert api.status_code in (200, 401), api.text
    return page.status_code == 303 and page.headers["location"] == "/desk/sign-in" and api.status_code == 401


def test_a_session_used_within_its_idle_time_lives_on(service: Service) -> None:
    client = signed_in(service, "host")
    set_back(service, created_at=now() - 20 * HOUR, last_seen_at=now() - 7 * HOUR)
    assert client.get("/desk/requests").status_code == 200
    row = session_row(service)
    assert row.ended_at is None and now() - row.last_seen_at < timedelta(seconds=5)  # its use was written


def test_a_session_idle_too_long_is_over_and_ended(service: Service) -> None:
    client = signed_in(service, "A")
    set_back(service, created_at=now() - 9 * HOUR, last_seen_at=now() - 8 * HOUR - timedelta(seconds=1))
    assert refused(client)
    assert session_row(service).ended_at is not None  # ended in the database
    set_back(service, last_seen_at=now())  # and it stays ended, whatever its timestamps say afterwards
    assert refused(client)
    assert client.get("/desk/sign-in").status_code == 200  # the sign-in form again


def test_a_session_older_than_a_day_is_over_however_busy(service: Service) -> None:
    client = signed_in(service, "host")
    set_back(service, created_at=now() - 24 * HOUR, last_seen_at=now() - timedelta(minutes=2))
    assert refused(client)
    assert session_row(service).ended_at is not None


def test_the_last_use_is_written_at_most_once_a_minute(sqlite_service: Service) -> None:
    service = sqlite_service
    client = signed_in(service, "host")
    seen = now() - timedelta(seconds=30)
    set_back(service, last_seen_at=seen)
    assert client.get("/desk/requests").status_code == 200
    assert session_row(service).last_seen_at == seen  # not written again within the minute
    set_back(service, last_seen_at=now() - timedelta(seconds=61))
    assert client.get("/desk/requests").status_code == 200
    assert now() - session_row(service).last_seen_at < timedelta(seconds=5)


def test_the_expiry_times_are_settings(monkeypatch) -> None:
    monkeypatch.setenv("BILATERAL_SESSION_IDLE_SECONDS", "900")
    monkeypatch.setenv("BILATERAL_SESSION_MAX_SECONDS", "3600")
    settings = Settings.from_env()
    assert (settings.session_idle_seconds, settings.session_max_seconds) == (900, 3600)
    assert Settings().session_idle_seconds == 8 * 3600 and Settings().session_max_seconds == 24 * 3600
    assert settings.to_env()["BILATERAL_SESSION_IDLE_SECONDS"] == "900.0"  # serve's web processes get them too


# --- the sign-in form's token ---------------------------------------------------------------------------


def sign_in_with(service: Service, cookie: str | None, token: str, **headers: str) -> int:
    client = browser(service)
    if cookie is not None:
        client.cookies.set(SIGN_IN_COOKIE, cookie)
    return client.post("/desk/sign-in", data={"csrf": token, "key": service.keys["host"]}, headers=headers).status_code


def test_a_cookie_and_token_of_the_attackers_choosing_are_refused(sqlite_service: Service) -> None:
    # the double-submit of before accepted any pair of equal values: no more
    assert sign_in_with(sqlite_service, "attacker-chosen", "attacker-chosen") == 403
    assert sign_in_with(sqlite_service, None, "attacker-chosen") == 403
    # a genuine token is good only with its own pre-session
    mine, theirs = browser(sqlite_service), browser(sqlite_service)
    token = form_token(mine.get("/desk/sign-in").text)
    theirs.get("/desk/sign-in")
    assert sign_in_with(sqlite_service, theirs.cookies[SIGN_IN_COOKIE], token) == 403
    assert sign_in_with(sqlite_service, mine.cookies[SIGN_IN_COOKIE], token) == 303


def test_a_sign_in_form_is_good_for_an_hour(sqlite_service: Service, monkeypatch) -> None:
    import api.web.session

    client = browser(sqlite_service)
    monkeypatch.setattr(api.web.session, "now", lambda: now() - 2 * HOUR)  # the form made two hours ago
    token = form_token(client.get("/desk/sign-in").text)
    pre_session = client.cookies[SIGN_IN_COOKIE]
    monkeypatch.undo()
    assert sign_in_with(sqlite_service, pre_session, token) == 403
    # and a fresh form replaces the stale pre-session
    assert client.get("/desk/sign-in").status_code == 200 and client.cookies[SIGN_IN_COOKIE] != pre_session


def test_a_genuine_pair_planted_from_another_site_is_refused(sqlite_service: Service) -> None:
    """Login CSRF: an attacker's own genuine pair, posted from another site's page (Sec-Fetch-Site says so);
    the desk's own page (same-origin) and a typed-in post (none) sign in."""
    answers = {}
    for site in ("cross-site", "same-site", "same-origin", "none"):
        attacker = browser(sqlite_service)
        token = form_token(attacker.get("/desk/sign-in").text)
        answers[site] = sign_in_with(sqlite_service, attacker.cookies[SIGN_IN_COOKIE], token,
                                     **{"Sec-Fetch-Site": site})
    assert answers == {"cross-site": 403, "same-site": 403, "same-origin": 303, "none": 303}
