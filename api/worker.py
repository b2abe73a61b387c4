"""The solve task, run by `scheduler worker` processes (never by the web process).

A worker takes a queued solve (only once: the row moves from `queued` to `running` in one transaction, so a
message delivered twice is solved once), heartbeats while it runs, writes progress at most once a second,
stops within a second of a cancel (a flag in the solve row, answered with the solver's stop event), and
stores the result. A worker killed outright runs no cleanup: any process of the installation that finds a
`running` solve whose heartbeat is older than `stale_after_seconds` marks it `failed` (`sweep_stale`).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from datetime import timedelta
from functools import cache

from sqlalchemy import update

from api.identity import now
from api.settings import Settings
from api.storage.db import Database
from api.storage.models import SolveRow, VersionRow
from scheduler.contract.document import ScheduleDocument
from scheduler.contract.domain import Conference
from scheduler.contract.parse import load_conference
from scheduler.publish.from_outcome import schedule_document
from scheduler.publish.revisions import carry_identity
from scheduler.solve.baseline import baseline_of
from scheduler.solve.options import SolveOptions
from scheduler.solve.solver import solve
from scheduler.solve.types import Outcome, Progress

log = logging.getLogger("bilateral.worker")
LOST = "the worker stopped answering (it crashed or was killed); nothing was published"
CANCEL_POLL_SECONDS = 0.5
PROGRESS_EVERY_SECONDS = 1.0


@cache
def _context() -> tuple[Settings, Database]:
    """This process's settings and database (a worker process serves one installation)."""
    settings = Settings.from_env()
    return settings, Database(settings.database_url)


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


def _claim(db: Database, solve_id: str) -> SolveRow | None:
    """queued -> running, once; None when the solve is gone, cancelled or already taken."""
    with db.writing() as session:
        row = session.get(SolveRow, solve_id, with_for_update=True)
        if row is None or row.state != "queued":
            return None
        at = now()
        row.state, row.started_at, row.heartbeat_at = "running", at, at
        row.worker = f"{socket.gethostname()}:{os.getpid()}"
        return row


class _Watch:
    """Heartbeats, cancel polling and throttled progress writes for one running solve."""

    def __init__(self, db: Database, settings: Settings, solve_id: str):
        self.db, self.settings, self.solve_id = db, settings, solve_id
        self.stop = threading.Event()
        self.done = threading.Event()
        self.last_write = 0.0
        self.last_beat = 0.0
        self.best: float | None = None
        self.bound: float | None = None
        self.phase: str | None = None  # of the last progress written

    def run(self) -> None:
        while not self.done.wait(CANCEL_POLL_SECONDS):
            try:
                self._look()
            except Exception:  # a passing database error must not end the heartbeat: try again next time
                log.exception("solve %s: heartbeat or cancel check failed", self.solve_id)

    def _look(self) -> None:
        """Stop on a cancel (or a row that is gone); heartbeat, and sweep other workers' stale solves."""
        with self.db.reading() as session:
            row = session.get(SolveRow, self.solve_id)
            if row is None or row.cancel_requested or row.state != "running":
                self.stop.set()
        if time.monotonic() - self.last_beat >= self.settings.heartbeat_seconds:
            self._write(heartbeat_at=now())
            sweep_stale(self.db, self.settings.stale_after_seconds)
            self.last_beat = time.monotonic()  # only once it is written: a failed beat is tried again

    def progress(self, report: Progress) -> None:
        if report.incumbent is not None:
            self.best = report.incumbent
        if report.bound is not None:
            self.bound = report.bound
        # throttled within a phase; a new phase shows at once (the office sees the solve confirm its reasons)
        if report.phase == self.phase and time.monotonic() - self.last_write < PROGRESS_EVERY_SECONDS:
            return
        self.phase, self.last_write = report.phase, time.monotonic()
        shown = Progress(report.phase, report.elapsed, self.best, self.bound)
        self._write(progress={"phase": shown.phase, "elapsed": round(shown.elapsed, 1), "incumbent": shown.incumbent,
                              "bound": shown.bound, "gap": shown.gap})

    def _write(self, **values: object) -> None:
        with self.db.writing() as session:
            session.execute(
                update(SolveRow).where(SolveRow.id == self.solve_id, SolveRow.state == "running").values(**values)
            )


def run_solve(solve_id: str) -> None:
    """The queue's task: solve one queued solve and store what came of it."""
    settings, db = _context()
    row = _claim(db, solve_id)
    if row is None:
        return
    watch = _Watch(db, settings, solve_id)
    watcher = threading.Thread(target=watch.run, daemon=True)
    watcher.start()
    try:
        conference = load_conference(json.dumps(row.input))
        options = SolveOptions(time_limit=row.time_limit, workers=settings.search_workers)
        previous = _previous(db, row)
        baseline = baseline_of(conference, previous, row.stability or "balanced", row.freeze_before)
        outcome = solve(conference, options, watch.progress, watch.stop, baseline)
        values = _result(conference, outcome, previous)
    except Exception as exc:  # the solve failed: say so in the row, never leave it running
        log.exception("solve %s failed", solve_id)
        values = {"state": "failed", "message": f"the solve failed: {type(exc).__name__}: {exc}"}
    finally:
        watch.done.set()
        watcher.join()
    values["finished_at"] = now()
    if watch.stop.is_set() and values.get("state") == "done":
        values["state"] = "cancelled"
    with db.writing() as session:
        session.execute(update(SolveRow).where(SolveRow.id == solve_id, SolveRow.state == "running").values(**values))


def _previous(db: Database, row: SolveRow) -> ScheduleDocument | None:
    """The published version a re-plan keeps close to (the one current when the solve was asked for)."""
    if row.previous_version is None:
        return None
    with db.reading() as session:
        version = session.get(VersionRow, (row.event_id, row.previous_version))
        return None if version is None else ScheduleDocument.model_validate(version.document)


def _result(conference: Conference, outcome: Outcome, previous: ScheduleDocument | None) -> dict:
    values: dict = {"state": "done", "status": outcome.status}
    if outcome.has_schedule:
        document = schedule_document(conference, outcome)
        if previous is not None:
            # marked against the version it re-plans (moved, new, the counts) for the office to weigh before
            # publishing; publishing carries identity again, from whatever version is then the latest
            document = carry_identity(conference, document, previous, now())
        values["result"] = document.model_dump(mode="json")
        values["progress"] = {"phase": "done", "elapsed": round(outcome.stats.wall_time, 1),
                              "incumbent": outcome.scheduled_priority, "bound": outcome.upper_bound,
                              "gap": _gap(outcome.scheduled_priority, outcome.upper_bound)}
    elif outcome.status == "infeasible":
        values["message"] = outcome.conflict.message
    else:
        values["message"] = "no schedule holding every mandatory and pinned request was found in the time limit"
    return values


def _gap(value: int, bound: int) -> float:
    return round((bound - value) / max(1, bound), 6)
