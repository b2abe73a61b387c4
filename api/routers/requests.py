"""Requested meetings: liaisons propose and answer, the host decides; only accepted requests are scheduled.

HTTP only: the lifecycle is `api.services.requests`, the answers to "why not" `api.services.schedule`. Reads
carry the request's ETag; every write needs the ETag it read (If-Match).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response, status
from fastapi.responses import JSONResponse

from api.deps import DatabaseDep, Member
from api.http import if_match, set_etag
from api.schemas import RequestCreate, RequestUpdate, Status, WhyForHost, WhyForLiaison
from api.services import requests as lifecycle
from api.services import schedule
from api.services.requests import Replayed, RequestView

router = APIRouter(tags=["requests"])

WRITE_ERRORS = {
    404: {"description": "no such request (or not one of your delegation's)"},
    412: {"description": "changed since read"},
    428: {"description": "If-Match missing"},
}


def _respond(out: RequestView, response: Response) -> RequestView:
    set_etag(response, out.revision)
    return out


@router.post(
    "/events/{event_id}/requests",
    status_code=status.HTTP_201_CREATED,
    response_model=RequestView,
    responses={409: {"description": "the id is taken"}, 422: {"description": "bad request, or an Idempotency-Key "
                                                                            "reused with another body"}},
)
def propose(
    event_id: str,
    body: RequestCreate,
    caller: Member,
    db: DatabaseDep,
    response: Response,
    idempotency_key: Annotated[str | None, Header(max_length=200, pattern=r"^[\x21-\x7e]+$")] = None,
) -> RequestView | JSONResponse:
    """Propose a meeting (a liaison: one its delegation is a party to) or add one (the host: accepted at
    once). A retry with the same Idempotency-Key gets the first response; the same key with another body
    is refused."""
    out = lifecycle.propose(db, caller, event_id, body, idempotency_key)
    if isinstance(out, Replayed):
        return JSONResponse(out.body, status_code=out.status_code, headers={"ETag": f'"{out.body["revision"]}"'})
    set_etag(response, out.revision)
    response.headers["Location"] = f"/events/{event_id}/requests/{out.id}"
    return out


@router.get("/events/{event_id}/requests", response_model=list[RequestView])
def list_requests(
    event_id: str, caller: Member, db: DatabaseDep, status_: Annotated[Status | None, Query(alias="status")] = None
) -> list[RequestView]:
    """The host: every request; a liaison: those its delegation is a party to."""
    return lifecycle.list_visible(db, caller, event_id, status_)


@router.get("/events/{event_id}/requests/{request_id}", response_model=RequestView,
            responses={404: WRITE_ERRORS[404]})
def read_request(event_id: str, request_id: str, caller: Member, db: DatabaseDep, response: Response) -> RequestView:
    return _respond(lifecycle.read(db, caller, event_id, request_id), response)


@router.patch("/events/{event_id}/requests/{request_id}", response_model=RequestView, responses=WRITE_ERRORS)
def change_request(event_id: str, request_id: str, body: RequestUpdate, caller: Member, db: DatabaseDep,
                   request: Request, response: Response) -> RequestView:
    """Change some fields. A liaison's `priority` is its own wish; any other change by a liaison asks the
    other parties to accept again. The host's `priority` is the one scheduled."""
    return _respond(lifecycle.change(db, caller, event_id, request_id, body, if_match(request)), response)


@router.delete("/events/{event_id}/requests/{request_id}", status_code=status.HTTP_204_NO_CONTENT,
               responses={**WRITE_ERRORS, 403: {"description": "only the proposer or the host withdraws"}})
def withdraw_request(event_id: str, request_id: str, caller: Member, db: DatabaseDep, request: Request) -> Response:
    """Withdraw a request: the host any, a liaison one its delegation proposed (others: decline it)."""
    lifecycle.withdraw(db, caller, event_id, request_id, if_match(request))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/events/{event_id}/requests/{request_id}/accept", response_model=RequestView,
             responses={**WRITE_ERRORS, 409: {"description": "declined"}})
def accept_request(event_id: str, request_id: str, caller: Member, db: DatabaseDep, request: Request,
                   response: Response) -> RequestView:
    """A party's liaison accepts (the request is accepted when every party has); the host accepts for all."""
    return _respond(lifecycle.accept(db, caller, event_id, request_id, if_match(request)), response)


@router.post("/events/{event_id}/requests/{request_id}/decline", response_model=RequestView, responses=WRITE_ERRORS)
def decline_request(event_id: str, request_id: str, caller: Member, db: DatabaseDep, request: Request,
                    response: Response) -> RequestView:
    """A party's liaison (or the host) declines: the request is not scheduled."""
    return _respond(lifecycle.decline(db, caller, event_id, request_id, if_match(request)), response)


SolveAsked = Annotated[str | None, Query(description="host only: an unpublished solve's result, not the published one")]


@router.get("/events/{event_id}/requests/{request_id}/why", response_model=WhyForHost | WhyForLiaison, responses={
    403: {"description": "a liaison asked about an unpublished solve"},
    404: {"description": "no such request (or not one of your delegation's)"},
    409: {"description": "nothing published yet, or the request was not in what was solved"}})
def why_not(event_id: str, request_id: str, caller: Member, db: DatabaseDep,
            solve: SolveAsked = None) -> WhyForHost | WhyForLiaison:
    """Why a request is not in the schedule, and what would let it in, as the solve confirmed them (read from
    the stored schedule: nothing is solved here). The host reads the office's words, naming the meetings in
    the way and their priorities; a liaison, for its own delegation's requests only, words that name no
    other delegation, meeting or priority."""
    return schedule.why_not(db, caller, event_id, request_id, solve)
