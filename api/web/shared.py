"""The protocol desk's shared parts: signing in and out, the error page, and the plumbing of every page.

Every page reads and writes through the public API (in process, with the session's token), never through
the database: a liaison's page can show only what the API lets that liaison read. Forms post back here,
with a CSRF token; the API's 422 messages are shown next to the fields they name. The host's pages are in
`api.web.host`, the liaison's in `api.web.liaison`, the request forms both post in `api.web.forms`.

What an officer reads of a refusal are words: `field_errors` turns the API's 422 items into a sentence per
form field, putting pydantic's messages ("Input should be greater than 0") into the office's ("at least 1
minute") through one table, `WORDS`; the contract's and the service's own messages are words already.

After an act, the next page says what happened (the notice). A route that redirects after an act calls

    return noticed(request, desk, "/desk/requests#request-BLR-HUN", "BLR-HUN accepted.")

(or `tell(request, desk, response, sentence)` on a response of its own; a button's route through `act` passes
`notice="..."`): the sentence travels in a short-lived
cookie (`NOTICE_COOKIE`, HttpOnly, SameSite=Strict, a minute), signed with the session's token so that no
other browser or session can plant one; `page_context` reads it into the page's `notice`, which base.html
shows at the top of <main> as role="status", and `render` clears it once shown. Redirect to the row acted
on (`#request-<id>`, `#key-<id>`, `#feed-<kind>-<subject>`): the rows carry those ids, so that the officer
is back where they were.

Dates and times are shown in the event's zone, as "31 Oct 14:15" (`local_time`); a form asks for a day of
the event ("31 Oct", `day_choices`) and a time "HH:MM".
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import anyio
import httpx
import jinja2
from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from api.services.proposal_checks import day_label
from api.web.session import (
    COOKIE,
    SIGN_IN_COOKIE,
    Desk,
    csrf_ok,
    current_desk,
    end_session,
    open_session,
    set_cookie,
    sign_in_form,
    sign_in_ok,
)

HERE = Path(__file__).parent
STATIC = HERE / "static"
# autoescape everywhere: a delegation named "<script>" is shown as text
templates = Jinja2Templates(env=jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"),
                                                   autoescape=True))
templates.env.filters["number"] = lambda v: f"{v:g}" if isinstance(v, float) else v  # 12.0 reads 12
router = APIRouter(include_in_schema=False)


# --- plumbing ------------------------------------------------------------------------------------------


class Away(HTTPException):
    """Send the browser elsewhere (sign-in, or its own home)."""

    def __init__(self, to: str):
        super().__init__(status.HTTP_303_SEE_OTHER, headers={"Location": to})


async def desk_of(request: Request, host: bool | None = None) -> Desk:
    """The signed-in desk (looked up in a thread: a hanging database must not hold the event loop)."""
    desk = await _current_desk(request)
    if desk is None:
        raise Away("/desk/sign-in")
    if host is not None and desk.identity.is_host != host:
        raise Away("/desk")
    return desk


async def _current_desk(request: Request) -> Desk | None:
    return await anyio.to_thread.run_sync(current_desk, request)


async def checked_form(request: Request, desk: Desk) -> dict[str, Any]:
    form = await request.form()
    if not csrf_ok(desk, form.get("csrf")):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=[{"loc": ["body", "csrf"],
                                                                 "msg": "the form's CSRF token is missing or wrong",
                                                                 "type": "csrf"}])
    return {"multi": form, **{k: form.get(k) for k in form}}


async def api(request: Request, desk: Desk, method: str, path: str, **kwargs) -> httpx.Response:
    """Call the service's public API as this session's key."""
    headers = {"Authorization": f"Bearer {desk.token}", **kwargs.pop("headers", {})}
    transport = httpx.ASGITransport(app=request.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://desk.internal") as client:
        return await client.request(method, path, headers=headers, **kwargs)


async def call_ok(request: Request, desk: Desk, method: str, path: str, **kwargs) -> Any:
    response = await api(request, desk, method, path, **kwargs)
    if response.status_code >= 400:
        raise refusal(response)
    return response.json() if response.content else None


def refusal(response: httpx.Response) -> HTTPException:
    """The API's refusal as the page's error: its status, its words, and when to try again."""
    kept = {"Retry-After": response.headers["Retry-After"]} if "Retry-After" in response.headers else None
    return HTTPException(response.status_code, detail=response.json().get("detail"), headers=kept)


# pydantic's message types in the office's words, by field ("*": any field). The API keeps its own messages
# (clients read `type`); only the desk says them this way. A type not here shows the API's message.
WORDS: dict[tuple[str, str], str] = {
    ("duration_minutes", "greater_than"): "at least 1 minute",
    ("duration_minutes", "less_than_equal"): "at most 1440 minutes (a whole day)",
    ("duration_minutes", "int_parsing"): "the number of minutes, in figures (e.g. 30)",
    ("duration_minutes", "int_from_float"): "a whole number of minutes",
    ("duration_minutes", "missing"): "say how many minutes",
    ("priority", "greater_than_equal"): "at least 1 (1 = lowest)",
    ("priority", "less_than_equal"): "at most 1000000",
    ("priority", "int_parsing"): "a whole number, 1 or more (1 = lowest)",
    ("priority", "int_from_float"): "a whole number, 1 or more (1 = lowest)",
    ("priority", "missing"): "give a priority (1 = lowest)",
    ("parties", "too_short"): "choose at least two delegations",
    ("parties", "too_long"): "at most 10 delegations",
    ("parties", "list_type"): "choose at least two delegations",
    ("parties", "missing"): "choose at least two delegations",
    ("parties", "string_pattern_mismatch"): "choose the delegations from the list",
    ("preferred", "string_pattern_mismatch"): "a day of the event and a time HH:MM",
    ("preferred", "missing"): "give both the start and the end",
    ("window", "string_pattern_mismatch"): "a day of the event and a time HH:MM",
    ("*", "missing"): "required",
    ("*", "int_parsing"): "a whole number, in figures",
    ("*", "int_type"): "a whole number, in figures",
    ("*", "float_parsing"): "a number, in figures",
    ("*", "extra_forbidden"): "not a field of this form",
}


def in_words(field: str, item: dict) -> str:
    """One 422 item as the officer reads it (WORDS), or the API's own message."""
    kind = str(item.get("type", ""))
    return WORDS.get((field, kind)) or WORDS.get(("*", kind)) or str(item.get("msg", ""))


def field_errors(detail: list[dict] | None, fields: tuple[str, ...], renamed: dict[str, str] | None = None
                 ) -> dict[str, str]:
    """The API's 422 items by the form field they name (`renamed`: an API field shown under another name),
    "other" for the rest, in words (WORDS): the words go next to the field."""
    errors: dict[str, str] = {}
    for item in detail or []:
        loc = item.get("loc") or []
        field = loc[1] if len(loc) > 1 and loc[0] == "body" else "other"
        words = in_words(str(field), item)
        field = (renamed or {}).get(field, field)
        errors.setdefault(field if field in fields else "other", words)
    return errors


# --- the notice: what the last act did, on the next page ------------------------------------------------

NOTICE_COOKIE = "bilateral_notice"
NOTICE_SECONDS = 60  # it is read by the very next page; a minute covers a slow one
NOTICE_LENGTH = 600  # characters: a sentence or two


def _notice_mac(desk: Desk, sentence: str) -> str:
    return hmac.new(desk.token.encode(), b"notice\0" + sentence.encode(), hashlib.sha256).hexdigest()


def tell(request: Request, desk: Desk, response: Response, sentence: str) -> Response:
    """`response` (a redirect, usually) carries `sentence` to the next page of this session."""
    if len(sentence) > NOTICE_LENGTH:  # a browser keeps a cookie of about 4 KB at most
        sentence = sentence[:NOTICE_LENGTH - 1] + "…"
    text = base64.urlsafe_b64encode(sentence.encode()).decode()
    response.set_cookie(NOTICE_COOKIE, f"{text}.{_notice_mac(desk, sentence)}", max_age=NOTICE_SECONDS,
                        httponly=True, samesite="strict", secure=request.url.scheme == "https", path="/")
    return response


def noticed(request: Request, desk: Desk, to: str, sentence: str) -> RedirectResponse:
    """A 303 to `to` (with the row's #anchor), whose page says `sentence`."""
    response = RedirectResponse(to, status.HTTP_303_SEE_OTHER)
    tell(request, desk, response, sentence)
    return response


def notice_of(request: Request, desk: Desk) -> str | None:
    """The sentence this session's last act left, if any (one made for another session is ignored)."""
    text, _, mac = request.cookies.get(NOTICE_COOKIE, "").partition(".")
    try:
        sentence = base64.urlsafe_b64decode(text.encode()).decode()
    except ValueError:
        return None
    return sentence if sentence and hmac.compare_digest(mac, _notice_mac(desk, sentence)) else None


def event_path(desk: Desk, rest: str = "") -> str:
    return f"/events/{desk.identity.event_id}{rest}"


async def page_context(request: Request, desk: Desk, page: str, **more: Any) -> dict[str, Any]:
    event = await call_ok(request, desk, "GET", event_path(desk))
    names = {d["id"]: d["name"] for d in event["delegations"]}
    own = names.get(desk.identity.delegation or "", "")
    return {"request": request, "desk": desk, "event": event, "page": page, "names": names,
            "delegation_name": own, "title": more.pop("title", page.capitalize()),
            "notice": notice_of(request, desk), **more}


def render(name: str, context: dict[str, Any], code: int = 200) -> HTMLResponse:
    response = templates.TemplateResponse(context["request"], name, context, status_code=code)
    if "notice" in context and NOTICE_COOKIE in context["request"].cookies:  # shown (or not ours): once only
        response.delete_cookie(NOTICE_COOKIE, path="/")
    return response


def local_time(iso: str | datetime, zone: str, fmt: str | None = None) -> str:
    """A moment in the event's zone, by default as the desk writes it: "31 Oct 14:15"."""
    moment = (datetime.fromisoformat(iso) if isinstance(iso, str) else iso).astimezone(ZoneInfo(zone))
    return moment.strftime(fmt) if fmt else f"{day_label(moment.date())} {moment:%H:%M}"


def day_choices(event: dict) -> list[tuple[str, str]]:
    """The event's days for a form's day <select>: (YYYY-MM-DD, "31 Oct")."""
    return [(d["date"], day_label(date.fromisoformat(d["date"]))) for d in event["event"]["days"]]



# --- signing in and out --------------------------------------------------------------------------------


@router.get("/")
async def home() -> RedirectResponse:
    return RedirectResponse("/desk", status.HTTP_303_SEE_OTHER)


@router.get("/desk")
async def desk_home(request: Request) -> RedirectResponse:
    desk = await desk_of(request)
    return RedirectResponse("/desk/home" if desk.identity.is_host else "/desk/proposals", status.HTTP_303_SEE_OTHER)


@router.get("/desk/sign-in")
async def sign_in_page(request: Request, error: str = "") -> Response:
    if await _current_desk(request) is not None:
        return RedirectResponse("/desk", status.HTTP_303_SEE_OTHER)
    pre_session, token = sign_in_form(request)
    response = render("sign_in.html", {"request": request, "csrf": token, "title": "Sign in", "error": error},
                       status.HTTP_401_UNAUTHORIZED if error else 200)
    set_cookie(request, response, SIGN_IN_COOKIE, pre_session)
    return response


@router.post("/desk/sign-in")
async def sign_in(request: Request) -> Response:
    form = await request.form()
    sent = form.get("csrf")
    if not sign_in_ok(request, sent if isinstance(sent, str) else None):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=[{"loc": ["body", "csrf"],
                                                                 "msg": "the sign-in form's token is missing or wrong",
                                                                 "type": "csrf"}])
    token = await anyio.to_thread.run_sync(open_session, request, str(form.get("key") or ""))
    if token is None:
        return await sign_in_page(request, error="This key is unknown or revoked.")
    response = RedirectResponse("/desk", status.HTTP_303_SEE_OTHER)
    set_cookie(request, response, COOKIE, token)
    response.delete_cookie(SIGN_IN_COOKIE, path="/")
    return response


@router.post("/desk/sign-out")
async def sign_out(request: Request) -> RedirectResponse:
    desk = await desk_of(request)
    await checked_form(request, desk)
    await anyio.to_thread.run_sync(end_session, request, desk)
    response = RedirectResponse("/desk/sign-in", status.HTTP_303_SEE_OTHER)
    response.delete_cookie(COOKIE, path="/")
    return response


async def act(request: Request, method: str, path: str, then: str, host: bool = True,
              notice: str | None = None) -> RedirectResponse:
    """A button's form: check its token, make the one API call it stands for, go to the page to see next
    (saying `notice` there, when given)."""
    desk = await desk_of(request, host=host)
    await checked_form(request, desk)
    await call_ok(request, desk, method, event_path(desk, path))
    if notice:
        return noticed(request, desk, then, notice)
    return RedirectResponse(then, status.HTTP_303_SEE_OTHER)


HEADINGS = {400: "That did not work", 403: "Not allowed", 404: "Not found", 409: "Not now", 412: "Changed meanwhile",
            422: "The service did not accept this", 503: "Not answering just now"}


async def error_page(request: Request, exc: HTTPException) -> Response:
    """Errors of the desk's pages as a page (its redirects as redirects). A 503 (the database or the queue is
    not answering, here or behind the API the page called) does not ask the database who is signed in."""
    if 300 <= exc.status_code < 400:
        return Response(status_code=exc.status_code, headers=exc.headers)
    detail = exc.detail if isinstance(exc.detail, list) else [{"msg": str(exc.detail)}]
    messages = [d.get("msg", str(d)) if isinstance(d, dict) else str(d) for d in detail]
    if exc.status_code == 412:
        messages.append("Someone changed it since you opened the page: open it again and repeat your change.")
    desk = None if exc.status_code == status.HTTP_503_SERVICE_UNAVAILABLE else await _current_desk(request)
    context = {"request": request, "desk": desk, "title": "Error", "event": None,
               "heading": HEADINGS.get(exc.status_code, "Something went wrong"), "messages": messages}
    response = render("error.html", context, exc.status_code)
    response.headers.update(exc.headers or {})
    return response
