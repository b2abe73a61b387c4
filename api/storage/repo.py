"""The queries the routers share: events and their contract input, requests, the audit trail."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.auth import Identity, not_found
from api.http import first_revision
from api.storage.models import AuditRow, EventRow, RequestRow, VersionRow

SETTING_KEYS = ("event", "programme", "rooms", "delegations")
# a request's contract fields other than id and priority, kept in RequestRow.fields
REQUEST_FIELDS = ("duration_minutes", "requires", "seats", "window", "preferred", "host", "mandatory", "fixed")


def record(session: Session, caller: Identity, event_id: str | None, action: str, target: str, at: datetime,
           **detail: object) -> None:
    """Write one audit entry (every write calls this, in its own transaction)."""
    session.add(AuditRow(event_id=event_id, at=at, key_id=caller.key_id, role=caller.role,
                         delegation=caller.delegation, action=action, target=target, detail=detail))


def new_request(event_id: str, item: dict, proposer: Identity, at: datetime) -> RequestRow:
    """A request row from a contract request (`item`): the host's is accepted at once, with its priority
    scheduled; a liaison's is proposed, its priority a wish (the scheduled one is the contract's 1 until the
    host sets it), accepted so far by its own delegation."""
    parties = list(item["parties"])
    priority = item.get("priority", 1)
    by_host = proposer.is_host
    return RequestRow(
        event_id=event_id, id=item["id"], id_folded=item["id"].lower(), parties=parties,
        fields={k: item.get(k) for k in REQUEST_FIELDS}, priority=priority if by_host else 1,
        wishes={} if by_host else {proposer.delegation: priority},
        status="accepted" if by_host else "proposed", proposed_by="host" if by_host else proposer.delegation,
        accepted_by=parties if by_host else [proposer.delegation], declined_by=None, revision=first_revision(),
        created_at=at, updated_at=at,
    )


def event_or_404(session: Session, event_id: str, for_update: bool = False) -> EventRow:
    query = select(EventRow).where(EventRow.id == event_id)
    if for_update:
        query = query.with_for_update()
    row = session.scalars(query).first()
    if row is None:
        raise not_found(f"event {event_id!r}")
    return row


def contract_request(row: RequestRow) -> dict:
    """A request row as the contract writes it (the scheduled priority)."""
    out: dict = {"id": row.id, "parties": list(row.parties), "priority": row.priority}
    out.update({k: v for k, v in row.fields.items() if v is not None and v is not False and v != []})
    return out


def requests_of(session: Session, event_id: str, statuses: tuple[str, ...] | None = None,
                delegation: str | None = None) -> list[RequestRow]:
    """The event's requests (of these statuses; of which `delegation` is a party), oldest first."""
    query = select(RequestRow).where(RequestRow.event_id == event_id)
    if delegation is not None:
        query = query.where(RequestRow.party_key.contains(f",{delegation},", autoescape=True))
    if statuses is not None:
        query = query.where(RequestRow.status.in_(statuses))
    return list(session.scalars(query.order_by(RequestRow.created_at, RequestRow.id)))


def contract_input(event: EventRow, requests: list[RequestRow]) -> dict:
    """The event's contract input with the given requests."""
    return {**{k: event.setting.get(k, []) for k in SETTING_KEYS}, "requests": [contract_request(r) for r in requests]}


def latest_version(session: Session, event: EventRow) -> VersionRow | None:
    if event.published_version == 0:
        return None
    return session.get(VersionRow, (event.id, event.published_version))


def count_requests(session: Session, event_id: str) -> int:
    return session.scalar(select(func.count()).select_from(RequestRow).where(RequestRow.event_id == event_id)) or 0
