"""A backup of one event, and its restore: everything the event is, as one JSON document.

The document (`api.services.backup_file`) holds every column of every row of the event's tables: the event
and its setting, requests (revisions, wishes, who accepted), solves with their results, every published
version with its files (feeds, agendas, room plan), feed tokens (hash and nonce), keys (hash only), the
Idempotency-Key replies of its keys, and the audit. Desk sessions are left out: after a restore one signs in
again with the same key. Taking a backup writes nothing (not even the audit), so a read-only database can be
backed up.

Feed URLs stay the same: a token is HMAC(installation secret, nonce) and is looked up by its SHA-256, so the
document carries the nonces, the hashes and the installation's secret. That makes the file a secret: anyone
holding it can list the event's feed URLs. Keys stay valid (their hashes come back), revoked ones stay
revoked.

A restore writes everything in one transaction, or nothing; it refuses an event that exists (unless
replacing it), a file that is not a backup (naming what is wrong), and an installation whose own secret would
make other feed URLs than the delegates subscribed to.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Table, delete, func, insert, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from api.identity import Identity, now
from api.services.backup_file import (
    EXPORTED,
    FORMAT,
    LEFT_OUT,
    OMITTED,
    VERSION,
    Backup,
    BackupRefused,
    dumps,
    load,
    row_out,
    stamp,
    table,
)
from api.settings import Settings
from api.storage import repo
from api.storage.db import Database

__all__ = ["EXPORTED", "LEFT_OUT", "OMITTED", "BackupRefused", "dumps", "export_event", "load", "restore",
           "write_secret_file"]
UNFINISHED = ("queued", "running")  # a restored solve in these states has no worker and no queue message
RESTORER = Identity(key_id=None, role="admin", event_id=None, delegation=None)  # type: ignore[arg-type]


# --- export ------------------------------------------------------------------------------------------------


def current_secret(settings: Settings) -> str | None:
    """The installation's feed secret, without making one (`Settings.installation_secret` would)."""
    if settings.secret:
        return settings.secret
    path = Path(settings.secret_file)
    return path.read_text().strip() if path.exists() else None


def export_event(db: Database, settings: Settings, event_id: str) -> dict:
    """The backup document of one event."""
    secret = current_secret(settings)
    if secret is None:
        raise BackupRefused(f"no feed secret at {settings.secret_file} (BILATERAL_SECRET_FILE) nor in "
                            f"BILATERAL_SECRET: run the export with the service's own settings")
    try:
        with db.reading() as session:
            if not _exists(session, event_id):
                raise BackupRefused(f"no event {event_id!r} in this installation")
            tables = _read_tables(session, event_id)
            schema = session.scalar(text("SELECT version_num FROM alembic_version"))
    except DBAPIError as exc:
        raise BackupRefused(f"the database cannot be read: {_first_line(exc.orig)}") from None
    return {"format": FORMAT, "version": VERSION, "exported_at": stamp(now()), "schema": schema,
            "event": event_id, "installation": {"feed_secret": secret}, "tables": tables}


def _exists(session: Session, event_id: str) -> bool:
    events = table("events")
    return session.scalar(select(events.c.id).where(events.c.id == event_id)) is not None


def _read_tables(session: Session, event_id: str) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    key_ids: list[str] = []
    for name in EXPORTED:
        t = table(name)
        query = select(t).where(_belongs(t, event_id, key_ids)).order_by(*t.primary_key.columns)
        out[name] = [row_out(name, dict(r._mapping)) for r in session.execute(query)]
        if name == "api_keys":
            key_ids = [k["id"] for k in out[name]]
    return out


def _belongs(t: Table, event_id: str, key_ids: list[str]):
    if t.name == "events":
        return t.c.id == event_id
    if t.name == "idempotency":
        return t.c.key_id.in_(key_ids)
    return t.c.event_id == event_id


def write_secret_file(path: Path, content: str) -> None:
    """Write a file only its owner may read (a backup, a feed secret): whole aside, then renamed into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, draft = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)  # mode 0600
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(content)
        os.replace(draft, path)
    except BaseException:
        Path(draft).unlink(missing_ok=True)
        raise


# --- restore -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Restored:
    event_id: str
    rows: dict[str, int]
    replaced: bool
    secret_adopted: bool  # the installation took the backup's feed secret (it had none that anything used)
    solves_failed: list[str]  # unfinished when the backup was taken: failed now, to be solved again


def restore(db: Database, settings: Settings, backup: Backup, replace: bool = False) -> Restored:
    """Write the backup's event into this installation, in one transaction: all of it or nothing."""
    secret_file = Path(settings.secret_file)
    before = secret_file.read_bytes() if secret_file.exists() else None
    written = False  # the secret file: put back as it was if the transaction then fails
    try:
        with db.writing() as session:
            replaced = _make_room(session, backup, replace)
            adopted = _feed_secret_plan(session, settings, backup)
            failed = _fail_unfinished(backup.rows["solves"])
            for name in EXPORTED:
                if backup.rows[name]:
                    session.execute(insert(table(name)), backup.rows[name])
            repo.record(session, RESTORER, backup.event_id, "event.restore", backup.event_id, now(),
                        exported_at=backup.exported_at, replaced=replaced, solves_failed=failed)
            session.flush()
            if adopted:  # last before the commit: a refused write leaves the secret as it was (below)
                write_secret_file(secret_file, backup.feed_secret + "\n")
                written = True
    except DBAPIError as exc:
        _put_back(secret_file, before, written)
        raise BackupRefused(f"the database refused the backup: {_first_line(exc.orig)}") from None
    except BaseException:
        _put_back(secret_file, before, written)
        raise
    return Restored(backup.event_id, {n: len(backup.rows[n]) for n in EXPORTED}, replaced, adopted, failed)


def _first_line(error: BaseException | None) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def _put_back(path: Path, before: bytes | None, written: bool) -> None:
    if not written:
        return
    if before is None:
        path.unlink(missing_ok=True)
    else:
        write_secret_file(path, before.decode())


def _make_room(session: Session, backup: Backup, replace: bool) -> bool:
    """Clear the event's rows when replacing it; refuse keys that another event of this installation holds."""
    exists = _exists(session, backup.event_id)
    if exists and not replace:
        raise BackupRefused(f"event {backup.event_id!r} exists in this installation: --replace discards it "
                            f"(its requests, versions, keys and audit) and restores the backup's")
    if exists:
        keys = table("api_keys")
        key_ids = list(session.scalars(select(keys.c.id).where(keys.c.event_id == backup.event_id)))
        for name in reversed(EXPORTED):
            session.execute(delete(table(name)).where(_belongs(table(name), backup.event_id, key_ids)))
    keys = table("api_keys")
    ids = [k["id"] for k in backup.rows["api_keys"]]
    hashes = [k["secret_hash"] for k in backup.rows["api_keys"]]
    taken = session.execute(select(keys.c.id, keys.c.event_id).where(
        keys.c.id.in_(ids) | keys.c.secret_hash.in_(hashes))).all()
    if taken:
        raise BackupRefused(*(f"tables.api_keys: key {k.id} is taken here (by {_owner(k.event_id)}): the "
                              f"backup's keys cannot come back" for k in taken))
    return exists


def _owner(event_id: str | None) -> str:
    return f"event {event_id!r}" if event_id else "the installation's admin keys"


def _feed_secret_plan(session: Session, settings: Settings, backup: Backup) -> bool:
    """Whether the installation takes the backup's feed secret. The restored feed URLs are the ones the
    delegates subscribed to only with that secret: the installation has it, or takes it when nothing of its
    own is made from its secret (no secret yet, or no other event's feed)."""
    current = current_secret(settings)
    if current == backup.feed_secret:
        return False
    if settings.secret:
        raise BackupRefused("BILATERAL_SECRET is not the feed secret of the installation the backup was taken on: "
                            "the restored feed URLs would not be the ones delegates subscribed to; set it to the "
                            "backup's installation.feed_secret (in every process of this installation)")
    feeds = table("feed_tokens")
    others = session.scalar(select(func.count()).select_from(feeds).where(feeds.c.event_id != backup.event_id))
    if current is not None and others:
        raise BackupRefused(f"this installation's feed secret ({settings.secret_file}) is not the backup's, and "
                            f"other events' feed URLs are made from it: the restored feed URLs would not be the "
                            f"ones delegates subscribed to; restore into an installation of its own (or one "
                            f"started with the backup's installation.feed_secret as BILATERAL_SECRET)")
    return True


def _fail_unfinished(solves: list[dict]) -> list[str]:
    """A solve queued or running when the backup was taken has no worker and no queue message here."""
    failed = []
    for solve in solves:
        if solve["state"] in UNFINISHED:
            solve.update(state="failed", finished_at=now(), cancel_requested=False,
                         message="unfinished when the backup was taken; solve again")
            failed.append(solve["id"])
    return failed
