"""Solves whose worker went silent: any process of the installation marks them failed.

A worker killed outright runs no cleanup, so a `running` solve whose heartbeat is older than
`stale_after_seconds` is marked `failed` by whoever looks next (a web process listing solves, another
worker's heartbeat). It lives apart from `api.worker` so that the web processes never load the solver.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from api.identity import now
from api.storage.db import Database
from api.storage.models import SolveRow

LOST = ("the worker stopped answering (it crashed, was killed or could not reach the database for minutes); "
        "nothing was published")


def sweep_stale(db: Database, stale_after_seconds: float) -> int:
    """Mark failed every running solve whose worker has been silent too long; returns how many."""
    at = now()
    with db.writing() as session:
        result = session.execute(
            update(SolveRow)
            .where(SolveRow.state == "running", SolveRow.heartbeat_at < at - timedelta(seconds=stale_after_seconds))
            .values(state="failed", message=LOST, finished_at=at)
        )
        return result.rowcount or 0
