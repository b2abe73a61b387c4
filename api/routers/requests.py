"""Requested meetings: liaisons propose and answer, the host decides; only accepted requests are scheduled.

A liaison's request stays `proposed` until every other party's liaison (or the host) accepts it; the host's
requests are accepted at once. A liaison's priority is its delegation's wish; the host sets the priority
that is scheduled, and only the host sets `mandatory` and `fixed`. Another delegation's request is a 404 to
a liaison, whatever the verb. Every write needs the ETag it read (If-Match).
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Query, Request, Response, status
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from api.auth import Identity, Member, forbidden, not_found, now
from api.http import body_hash, require_match, set_etag
from api.problems import check_contract, unprocessable
from api.routers.schedule import NO_REASON
from api.schemas import (
    RequestCreate,
    RequestForHost,
    RequestForLiaison,
    RequestUpdate,
    Status,
    WhyForHost,
    WhyForLiaison,
)
from api.storage import repo
from api.storage.models import EventRow, IdempotencyRow, RequestRow, SolveRow
from scheduler.contract.document import ScheduleDocument
from scheduler.publish.delegation_view import delegation_view

router = APIRouter(tags=["requests"])

RequestView = RequestForHost | RequestForLiaison
HOST_ONLY = ("mandatory", "fixed")
WRITE_ERRORS = {
    404: {"description": "no such request (or not one of your delegation's)"},
    412: {"description": "changed since read"},
    428: {"description": "If-Match missing"},
}


def view(row: RequestRow, caller: Identity) -> RequestView:
    fields = row.fields
    common = dict(
        id=row.id, parties=row.parties, duration_minutes=fields["duration_minutes"],
        requires=fields.get("requires") or [], seats=fields.get("seats"), window=fields.get("window"),
        preferred=fields.get("preferred"), host=fields.get("host"), mandatory=bool(fields.get("mandatory")),
        fixed=fields.get("fixed"), status=row.status, proposed_by=row.proposed_by, accepted_by=row.accepted_by,
        declined_by=row.declined_by, revision=row.revision,
    )
    if caller.is_host:
        return RequestForHost(priority=row.priority, wishes=row.wishes, **common)
    return RequestForLiaison(my_priority=row.wishes.get(caller.delegation), **common)


def _respond(row: RequestRow, caller: Identity, response: Response) -> RequestView:
    set_etag(response, row.revision)
    return view(row, caller)


def _visible(session, event_id: str, request_id: str, caller: Identity, for_update: bool = False) -> RequestRow:
    query = select(RequestRow).where(RequestRow.event_id == event_id, RequestRow.id == request_id)
    if for_update:
        query = query.with_for_update()
    row = session.scalars(query).first()
    if row is None or not caller.is_party(row.parties):
        raise not_found(f"request {request_id!r}")
    return row


def _check_against_event(event: EventRow, item: dict) -> None:
    """The request must be valid contract input in this event (known delegations, windows, pins, ...)."""
    check_contract({**event.setting, "requests": [item]}, rename={"requests[0]": ["body"]})


def _host_only(body: RequestCreate | RequestUpdate, caller: Identity) -> None:
    """A liaison may not send the host's fields at all, not even to clear them."""
    for name in HOST_ONLY:
        if name in body.model_fields_set and not caller.is_host:
            raise forbidden(f"only the host sets {name}")


def _new_id(session, event_id: str, parties: list[str], caller: Identity) -> str:
    """The host's default id is made of the parties (A-B, A-B-2, ...); a liaison's carries a random part, so
    that the id it gets says nothing about requests it cannot see."""
    base = "-".join(parties)[:55]
    taken = {i for (i,) in session.execute(select(RequestRow.id_folded).where(RequestRow.event_id == event_id))}
    if not caller.is_host:
        candidate = f"{base}-{secrets.token_hex(2)}"
        while candidate.lower() in taken:
            candidate = f"{base}-{secrets.token_hex(3)}"
        return candidate
    candidate, n = base, 1
    while candidate.lower() in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


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
    request: Request,
    response: Response,
    idempotency_key: Annotated[str | None, Header(max_length=200, pattern=r"^[\x21-\x7e]+$")] = None,
) -> RequestView | JSONResponse:
    """Propose a meeting (a liaison: one its delegation is a party to) or add one (the host: accepted at
    once). A retry with the same Idempotency-Key gets the first response; the same key with another body
    is refused."""
    if not caller.is_host and caller.delegation not in body.parties:
        raise forbidden("a liaison proposes meetings its own delegation is a party to")
    if not caller.is_host and body.id is not None:
        # a clash with an id it cannot see would tell it that request exists
        raise unprocessable((["body", "id"], "the service names a liaison's proposals; leave id out"))
    _host_only(body, caller)
    digest = body_hash(body.model_dump(mode="json"))
    db = request.app.state.db
    try:
        with db.writing() as session:
            replay = _replay(session, caller, idempotency_key, digest)
            if replay is not None:
                return replay
            row = _create(session, event_id, body, caller)
            out = view(row, caller)
            if idempotency_key is not None:
                session.add(IdempotencyRow(key_id=caller.key_id, idempotency_key=idempotency_key, body_hash=digest,
                                           status_code=201, response=out.model_dump(mode="json"), created_at=now()))
    except IntegrityError:
        # a concurrent retry with the same key (or the same id) committed first
        with db.reading() as session:
            replay = _replay(session, caller, idempotency_key, digest)
        if replay is not None:
            return replay
        raise _id_taken(body.id) from None
    set_etag(response, row.revision)
    response.headers["Location"] = f"/events/{event_id}/requests/{row.id}"
    return out


def _replay(session, caller: Identity, key: str | None, digest: str) -> JSONResponse | None:
    if key is None:
        return None
    seen = session.get(IdempotencyRow, (caller.key_id, key))
    if seen is None:
        return None
    if seen.body_hash != digest:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=[{
            "loc": ["header", "Idempotency-Key"], "msg": "this key was used with another body", "type": "conflict"}])
    return JSONResponse(seen.response, status_code=seen.status_code, headers={"ETag": f'"{seen.response["revision"]}"'})


def _id_taken(request_id: str | None) -> HTTPException:
    return HTTPException(status.HTTP_409_CONFLICT, detail=[{"loc": ["body", "id"],
                                                            "msg": f"request id {request_id!r} is taken",
                                                            "type": "conflict"}])


def _create(session, event_id: str, body: RequestCreate, caller: Identity) -> RequestRow:
    event = repo.event_or_404(session, event_id)
    request_id = body.id or _new_id(session, event_id, body.parties, caller)
    exists = session.scalars(select(RequestRow.id).where(RequestRow.event_id == event_id,
                                                         RequestRow.id_folded == request_id.lower())).first()
    if exists is not None:
        raise _id_taken(request_id)
    data = body.model_dump(mode="json", exclude_none=True)
    item = {**data, "id": request_id}
    _check_against_event(event, item)
    row = repo.new_request(event_id, item, caller, now())
    session.add(row)
    session.flush()
    repo.record(session, caller, event_id, "request.propose", request_id, row.created_at, status=row.status)
    return row


@router.get("/events/{event_id}/requests", response_model=list[RequestView])
def list_requests(
    event_id: str, caller: Member, request: Request, status_: Annotated[Status | None, Query(alias="status")] = None
) -> list[RequestView]:
    """The host: every request; a liaison: those its delegation is a party to."""
    with request.app.state.db.reading() as session:
        repo.event_or_404(session, event_id)
        rows = repo.requests_of(session, event_id, (status_,) if status_ else None,
                                None if caller.is_host else caller.delegation)
    return [view(r, caller) for r in rows if caller.is_party(r.parties)]


@router.get("/events/{event_id}/requests/{request_id}", response_model=RequestView,
            responses={404: WRITE_ERRORS[404]})
def read_request(event_id: str, request_id: str, caller: Member, request: Request, response: Response) -> RequestView:
    with request.app.state.db.reading() as session:
        return _respond(_visible(session, event_id, request_id, caller), caller, response)


@router.patch("/events/{event_id}/requests/{request_id}", response_model=RequestView, responses=WRITE_ERRORS)
def change_request(event_id: str, request_id: str, body: RequestUpdate, caller: Member, request: Request,
                   response: Response) -> RequestView:
    """Change some fields. A liaison's `priority` is its own wish; any other change by a liaison asks the
    other parties to accept again. The host's `priority` is the one scheduled."""
    _host_only(body, caller)
    changes = body.model_dump(mode="json", exclude_unset=True)
    with request.app.state.db.writing() as session:
        row = _visible(session, event_id, request_id, caller, for_update=True)
        require_match(request, row.revision)
        substance = set(changes) - {"priority"}
        if not caller.is_host and substance and row.proposed_by != caller.delegation:
            raise forbidden("a liaison changes only the meetings its delegation proposed (and its own priority "
                            "on the others)")
        if "parties" in changes and not caller.is_party(changes["parties"] or []):
            raise forbidden("a liaison keeps its own delegation among the parties")
        event = repo.event_or_404(session, event_id)
        priority = changes.pop("priority", None)
        fields = {**row.fields, **{k: v for k, v in changes.items() if k != "parties"}}
        parties = changes.get("parties", row.parties)
        item = {"id": row.id, "parties": parties, "priority": priority or row.priority,
                **{k: v for k, v in fields.items() if v is not None}}
        _check_against_event(event, item)
        if caller.is_host:
            row.priority = priority or row.priority
        elif priority is not None:
            row.wishes = {**row.wishes, caller.delegation: priority}
        if substance and not caller.is_host:  # the meeting itself changed: the others must agree again
            row.accepted_by, row.status, row.declined_by = [caller.delegation], "proposed", None
        row.fields, row.parties = fields, parties
        row.revision += 1
        row.updated_at = at = now()
        repo.record(session, caller, event_id, "request.change", request_id, at,
                    fields=sorted(body.model_dump(exclude_unset=True)))
        return _respond(row, caller, response)


@router.delete("/events/{event_id}/requests/{request_id}", status_code=status.HTTP_204_NO_CONTENT,
               responses={**WRITE_ERRORS, 403: {"description": "only the proposer or the host withdraws"}})
def withdraw_request(event_id: str, request_id: str, caller: Member, request: Request) -> Response:
    """Withdraw a request: the host any, a liaison one its delegation proposed (others: decline it)."""
    with request.app.state.db.writing() as session:
        row = _visible(session, event_id, request_id, caller, for_update=True)
        require_match(request, row.revision)
        if not caller.is_host and row.proposed_by != caller.delegation:
            raise forbidden("only the delegation that proposed it (or the host) withdraws it; decline it instead")
        session.delete(row)
        repo.record(session, caller, event_id, "request.withdraw", request_id, now())
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/events/{event_id}/requests/{request_id}/accept", response_model=RequestView,
             responses={**WRITE_ERRORS, 409: {"description": "declined"}})
def accept_request(event_id: str, request_id: str, caller: Member, request: Request,
                   response: Response) -> RequestView:
    """A party's liaison accepts (the request is accepted when every party has); the host accepts for all."""
    with request.app.state.db.writing() as session:
        row = _visible(session, event_id, request_id, caller, for_update=True)
        require_match(request, row.revision)
        if row.status == "declined" and not caller.is_host:
            raise HTTPException(status.HTTP_409_CONFLICT, detail=[{
                "loc": ["path", "request_id"], "msg": f"declined by {row.declined_by}; propose it again",
                "type": "conflict"}])
        accepted = list(row.parties) if caller.is_host else sorted({*row.accepted_by, caller.delegation})
        row.accepted_by = accepted
        if set(accepted) >= set(row.parties):
            # the setting may have changed since it was proposed: only what fits it is scheduled
            _check_against_event(repo.event_or_404(session, event_id), {**repo.contract_request(row)})
            row.status, row.declined_by = "accepted", None
        row.revision += 1
        row.updated_at = at = now()
        repo.record(session, caller, event_id, "request.accept", request_id, at, status=row.status)
        return _respond(row, caller, response)


@router.post("/events/{event_id}/requests/{request_id}/decline", response_model=RequestView, responses=WRITE_ERRORS)
def decline_request(event_id: str, request_id: str, caller: Member, request: Request,
                    response: Response) -> RequestView:
    """A party's liaison (or the host) declines: the request is not scheduled."""
    with request.app.state.db.writing() as session:
        row = _visible(session, event_id, request_id, caller, for_update=True)
        require_match(request, row.revision)
        row.status, row.declined_by = "declined", "host" if caller.is_host else caller.delegation
        row.revision += 1
        row.updated_at = at = now()
        repo.record(session, caller, event_id, "request.decline", request_id, at)
        return _respond(row, caller, response)


SolveAsked = Annotated[str | None, Query(description="host only: an unpublished solve's result, not the published one")]


@router.get("/events/{event_id}/requests/{request_id}/why", response_model=WhyForHost | WhyForLiaison, responses={
    403: {"description": "a liaison asked about an unpublished solve"},
    404: {"description": "no such request (or not one of your delegation's)"},
    409: {"description": "nothing published yet, or the request was not in what was solved"}})
def why_not(event_id: str, request_id: str, caller: Member, request: Request,
            solve: SolveAsked = None) -> WhyForHost | WhyForLiaison:
    """Why a request is not in the schedule, and what would let it in, as the solve confirmed them (read from
    the stored schedule: nothing is solved here). The host reads the office's words, naming the meetings in
    the way and their priorities; a liaison, for its own delegation's requests only, words that name no
    other delegation, meeting or priority."""
    with request.app.state.db.reading() as session:
        _visible(session, event_id, request_id, caller)
        document, solved, number = _schedule_read(session, event_id, solve, caller)
    parties = {r["id"]: r["parties"] for r in solved["requests"]}
    if request_id not in parties or not caller.is_party(parties[request_id]):
        where = f"version {number}" if number is not None else f"solve {solve}"
        raise HTTPException(status.HTTP_409_CONFLICT, detail=[{
            "loc": ["path", "request_id"], "type": "conflict",
            "msg": f"request {request_id} was not among the accepted requests solved for {where}"}])
    scheduled = any(m["request"] == request_id for m in document["meetings"])
    left_out = next((u for u in document["unscheduled"] if u["request"] == request_id), {})
    if caller.is_host:
        return WhyForHost(request=request_id, version=number, scheduled=scheduled, reason=left_out.get("reason"),
                          confirmed=left_out.get("confirmed"), what_if=left_out.get("what_if") or [])
    assert number is not None and caller.delegation is not None
    # what its parties are told of it, as the delegation's view of the version has it
    view = delegation_view(ScheduleDocument.model_validate(document), caller.delegation, parties, NO_REASON)
    told = view.left_out_of(request_id)
    return WhyForLiaison(request=request_id, version=number, scheduled=scheduled,
                         reason=None if scheduled else told.reason if told else NO_REASON,
                         confirmed=told.confirmed if told else None, what_if=list(told.what_if) if told else [])


def _schedule_read(session, event_id: str, solve_id: str | None, caller: Identity) -> tuple[dict, dict, int | None]:
    """The schedule document asked about, the input it was solved from, and its version (None: unpublished)."""
    if solve_id is not None:
        if not caller.is_host:
            raise forbidden("only the host reads an unpublished solve")
        row = session.get(SolveRow, solve_id)
        if row is None or row.event_id != event_id:
            raise not_found(f"solve {solve_id!r}")
        if not row.result:
            raise HTTPException(status.HTTP_409_CONFLICT, detail=[{
                "loc": ["query", "solve"], "msg": f"solve {solve_id} is {row.state}: no schedule", "type": "conflict"}])
        return row.result, row.input, None
    version = repo.latest_version(session, repo.event_or_404(session, event_id))
    if version is None:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=[{
            "loc": ["path", "event_id"], "msg": "nothing is published yet", "type": "conflict"}])
    solved = session.get(SolveRow, version.solve_id)
    return version.document, solved.input if solved else {"requests": []}, version.number
