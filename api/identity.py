"""Who a key is, without HTTP: its identity (role, event, delegation), new keys, and the service's clock.
`api.auth` turns a presented key into an `Identity` and answers what it may do."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

KEY_PREFIX = "bk_"
SESSION_PREFIX = "bs_"  # a desk session's token: it stands for the key the session was opened with
ROLES = ("admin", "host", "liaison")


@dataclass(frozen=True)
class Identity:
    key_id: str
    role: str
    event_id: str | None
    delegation: str | None

    @property
    def is_host(self) -> bool:
        return self.role == "host"

    def sees_delegation(self, delegation: str) -> bool:
        return self.is_host or self.delegation == delegation

    def is_party(self, parties: list[str] | tuple[str, ...]) -> bool:
        return self.is_host or self.delegation in parties


def new_key() -> tuple[str, str, str]:
    """(key id, the secret key shown once, its hash)."""
    key_id = "k_" + secrets.token_hex(6)
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    return key_id, secret, hash_secret(secret)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def now() -> datetime:
    """The service's clock (the library never reads one)."""
    return datetime.now(UTC).replace(microsecond=0)


def session_expired(created_at: datetime, last_seen_at: datetime | None, at: datetime, idle_seconds: float,
                    max_seconds: float) -> bool:
    """A desk session is over once unused for `idle_seconds`, or `max_seconds` after it was opened, however
    busy (a stolen cookie is worth a day at most). Its last use is known to the minute (see api.web.session)."""
    last = last_seen_at or created_at
    return (at - created_at).total_seconds() >= max_seconds or (at - last).total_seconds() >= idle_seconds
