"""The solve task, run by `scheduler worker` processes (never by the web process).

A worker takes a queued solve (only once: the row moves from `queued` to `running` in one transaction, so a
message delivered twice is solved once), heartbeats while it runs, writes progress at most once a second,
stops within a second of a cancel (a flag in the solve row, answered with the solver's stop event), and
stores the result. A worker killed outright runs no cleanup: any process of the installation that finds a
`running` solve whose heartbeat is older than `stale_after_seconds` marks it `failed` (`api.stale`).

A passing database error never ends a solve: progress is written by the watch's thread, never by the
solver's callback (the solver never waits on the database), and a progress write that fails is skipped
(the next one says more); the result is written again and again, with a growing pause, for up to
`RESULT_RETRY_SECONDS` (the result is worth minutes of waiting). A queue that loses its messages (Redis
restarted without persistence) would leave a `queued` solve waiting forever: every worker sweeps (at its
start and then every few seconds) and queues again any solve queued for longer than `stale_after_seconds`
whose message the queue no longer holds (`requeue_lost`; a message delivered twice is solved once).
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
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from api.identity import now
from api.progress_words import is_priority_phase
from api.settings import Settings
from api.stale import LOST, sweep_stale
from api.storage.db import Database
from api.storage.models import SolveRow, VersionRow
from scheduler.contract.document import ScheduleDocument
from scheduler.contract.domain import Conference
from scheduler.contract.parse import load_conference
from scheduler.publish.choices import choice_document, summary
from scheduler.publish.from_outcome import schedule_document
from scheduler.publish.revisions import carry_identity
from scheduler.solve.baseline import Anchor, baseline_of
from scheduler.solve.choices import replan_choices
from scheduler.solve.move_cost import move_cost_of
from scheduler.solve.options import SolveOptions
from scheduler.solve.solver import solve
from scheduler.solve.types import Outcome, Progress

if TYPE_CHECKING:
    from api.queue import Queue

log = logging.getLogger("bilateral.worker")
CANCEL_POLL_SECONDS = 0.5
PROGRESS_EVERY_SECONDS = 1.0
RESULT_RETRY_SECONDS = 300.0  # how long a finished solve tries to store its result while the database is away
SWEEP_EVERY_SECONDS = 5.0
RETRY_PAUSES = (0.5, 1.0, 2.0, 4.0, 5.0)  # then 5 s between tries


@cache
def _context() -> tuple[Settings, Database]:
    """This process's settings and database (a worker process serves one installation)."""
    settings = Settings.from_env()
    return settings, Database(settings.database_url)


def _swept_by_mistake(row: SolveRow) -> bool:
    """Marked lost while its worker, alive, could not reach the database: the solve goes on, and its result
    replaces the mark."""
    return row.state == "failed" and row.message == LOST and row.worker == _me()


def _me() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def requeue_lost(db: Database, queue: Queue, older_than_seconds: float) -> int:
    """Queue again every solve queued for longer than `older_than_seconds` whose message the queue no longer
    holds (a Redis restarted without persistence loses them); returns how many. A message taken by a worker
    an instant before it claims the row may be queued twice: harmless, a solve is claimed once."""
    since = now() - timedelta(seconds=older_than_seconds)
    with db.reading() as session:
        queued = list(session.scalars(select(SolveRow.id).where(SolveRow.state == "queued",
                                                                SolveRow.created_at <= since)))
    if not queued:
        return 0
    waiting = queue.waiting_solves()
    lost = [solve_id for solve_id in queued if solve_id not in waiting]
    for solve_id in lost:
        log.warning("solve %s: queued but no longer in the queue (lost with a queue restart); queued again", solve_id)
        queue.enqueue_solve(solve_id)
    return len(lost)


def sweep_forever(queue: Queue, stop: threading.Event) -> None:
    """A worker's sweep, at its start and then every SWEEP_EVERY_SECONDS while it runs: running solves whose
    worker went silent are failed, queued ones whose message was lost are queued again."""
    settings, db = _context()
    while True:
        try:
            sweep_stale(db, settings.stale_after_seconds)
            requeue_lost(db, queue, settings.stale_after_seconds)
        except Exception as exc:  # the database or the queue is away: the next round tries again
            log.warning("sweep skipped: %s", type(exc).__name__)
        if stop.wait(SWEEP_EVERY_SECONDS):
            return


def _claim(db: Database, solve_id: str) -> SolveRow | None:
    """queued -> running, once; None when the solve is gone, cancelled or already taken."""
    with db.writing() as session:
        row = session.get(SolveRow, solve_id, with_for_update=True)
        if row is None or row.state != "queued":
            return None
        at = now()
        row.state, row.started_at, row.heartbeat_at = "running", at, at
        row.worker = _me()
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
        self.placed: int | None = None
        self.latest: Progress | None = None  # the solver's newest report (set by its callback)
        self.written: Progress | None = None

    def run(self) -> None:
        while not self.done.wait(CANCEL_POLL_SECONDS):
            for step in (self._look, self._write_progress):
                try:
                    step()
                except Exception as exc:  # a passing database error ends neither the watch nor the solve
                    log.warning("solve %s: %s skipped (%s); tried again shortly", self.solve_id,
                                step.__name__.strip("_").replace("_", " "), type(exc).__name__)

    def _look(self) -> None:
        """Stop on a cancel (or a row that is gone); heartbeat (other workers' stale solves are swept by this
        worker's `sweep_forever`, whether or not it is solving)."""
        with self.db.reading() as session:
            row = session.get(SolveRow, self.solve_id)
            if row is None or row.cancel_requested or row.state != "running" and not _swept_by_mistake(row):
                self.stop.set()
        if time.monotonic() - self.last_beat >= self.settings.heartbeat_seconds:
            self._write(heartbeat_at=now())
            self.last_beat = time.monotonic()  # only once it is written: a failed beat is tried again

    def progress(self, report: Progress) -> None:
        """The solver's report: kept for the watch's thread to write (the solver never waits on the database,
        and a write that fails never reaches it). Only the priority phases carry the figures (the priority
        placed, its bound, the meetings placed); a later phase's own values (breaks, preferences met) would
        read as a priority jumping about, so it moves the phase alone."""
        if is_priority_phase(report.phase):
            if report.incumbent is not None:
                self.best, self.placed = report.incumbent, report.placed
            if report.bound is not None:
                self.bound = report.bound
        self.latest = Progress(report.phase, report.elapsed, self.best, self.bound, self.placed)

    def _write_progress(self) -> None:
        """Throttled within a phase; a new phase shows at once (the office sees the solve confirm its reasons)."""
        shown, written = self.latest, self.written
        if shown is None or shown is written:
            return
        same_phase = written is not None and written.phase == shown.phase
        if same_phase and time.monotonic() - self.last_write < PROGRESS_EVERY_SECONDS:
            return
        self.written, self.last_write = shown, time.monotonic()  # a report that fails to be written is skipped
        self._write(progress={"phase": shown.phase, "elapsed": round(shown.elapsed, 1), "incumbent": shown.incumbent,
                              "bound": shown.bound, "gap": shown.gap, "placed": shown.placed})

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
        baseline = baseline_of(conference, previous, row.stability or "balanced", row.freeze_before,
                               move_cost_of(row.move_cost or "normal"))
        if row.with_choices and isinstance(baseline, Anchor):
            values = _choices(conference, baseline, options, watch, previous)
        else:
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
    _store(db, solve_id, row.worker, values)


def _store(db: Database, solve_id: str, worker: str | None, values: dict) -> None:
    """Write what came of the solve, trying again while the database is away (for RESULT_RETRY_SECONDS).
    A row another process swept as lost while this worker could not write (its heartbeat stopped with the
    database) gets the truth: this worker did finish."""
    deadline = time.monotonic() + RESULT_RETRY_SECONDS
    for attempt in range(1_000_000):
        try:
            with db.writing() as session:
                mine = (SolveRow.state == "running") | (
                    (SolveRow.state == "failed") & (SolveRow.message == LOST) & (SolveRow.worker == worker))
                session.execute(update(SolveRow).where(SolveRow.id == solve_id, mine).values(**values))
            return
        except Exception as exc:
            pause = RETRY_PAUSES[min(attempt, len(RETRY_PAUSES) - 1)]
            if time.monotonic() + pause > deadline:
                # the row stays `running`; the sweep marks it failed (LOST says why) once the database is back
                log.error("solve %s: its result could not be stored for %.0f s; given up", solve_id,
                          RESULT_RETRY_SECONDS, exc_info=exc)
                return
            log.warning("solve %s: result not stored (%s); trying again in %.1f s", solve_id, type(exc).__name__,
                        pause)
            time.sleep(pause)


def _previous(db: Database, row: SolveRow) -> ScheduleDocument | None:
    """The published version a re-plan keeps close to (the one current when the solve was asked for)."""
    if row.previous_version is None:
        return None
    with db.reading() as session:
        version = session.get(VersionRow, (row.event_id, row.previous_version))
        return None if version is None else ScheduleDocument.model_validate(version.document)


def _choices(conference: Conference, anchor: Anchor, options: SolveOptions, watch: _Watch,
             previous: ScheduleDocument) -> dict:
    """Re-plan several ways side by side: every choice stored (name, summary, document marked against the
    version it re-plans); `result` is the balanced one (else the first), so that whatever reads a solve's
    result (its page, "why not?", publishing without a choice) reads a re-plan the office would expect."""
    found = replan_choices(conference, anchor, options, watch.progress, watch.stop)
    if found.failed is not None:
        return _result(conference, found.failed, previous)
    at = now()
    documents = [choice_document(conference, choice, previous, at) for choice in found.choices]
    picked = next((i for i, c in enumerate(found.choices) if "balanced" in c.names), 0)
    values = _done(found.choices[picked].outcome, documents[picked])
    values["choices"] = [
        {"name": choice.name, "summary": summary(conference, choice, document).model_dump(mode="json"),
         "document": document.model_dump(mode="json")}
        for choice, document in zip(found.choices, documents, strict=True)
    ]
    return values


def _result(conference: Conference, outcome: Outcome, previous: ScheduleDocument | None) -> dict:
    if outcome.has_schedule:
        document = schedule_document(conference, outcome)
        if previous is not None:
            # marked against the version it re-plans (moved, new, the counts) for the office to weigh before
            # publishing; publishing carries identity again, from whatever version is then the latest
            document = carry_identity(conference, document, previous, now())
        return _done(outcome, document)
    values: dict = {"state": "done", "status": outcome.status}
    if outcome.status == "infeasible":
        values["message"] = outcome.conflict.message
        values["suggestions"] = _suggestions(conference, outcome)
    else:
        values["message"] = "no schedule holding every mandatory and pinned request was found in the time limit"
    return values


def _suggestions(conference: Conference, outcome: Outcome) -> list[dict]:
    """The pin move the explanation found and checked by solving, as the desk offers it (one click opens the
    request's pin with it filled in): the request, the new start in the event's wall-clock time, the pin's
    room (the move keeps it), and the explanation's own line."""
    conflict = outcome.conflict
    move = conflict.move if conflict is not None else None
    if move is None:
        return []
    at = conference.clock.to_datetime(move.start)
    words = next((line.strip() for line in conflict.lines if line.strip().startswith(f"moving {move.request} ")), "")
    return [{"request": move.request, "start": f"{at:%Y-%m-%dT%H:%M}",
             "room": conference.request(move.request).fixed_room, "words": words}]


def _done(outcome: Outcome, document: ScheduleDocument) -> dict:
    """A solve done with a schedule: its document as `result`, and its last progress line."""
    return {"state": "done", "status": outcome.status, "result": document.model_dump(mode="json"),
            "progress": {"phase": "done", "elapsed": round(outcome.stats.wall_time, 1),
                         "incumbent": outcome.scheduled_priority, "bound": outcome.upper_bound,
                         "gap": _gap(outcome.scheduled_priority, outcome.upper_bound),
                         "placed": len(outcome.meetings)}}


def _gap(value: int, bound: int) -> float:
    return round((bound - value) / max(1, bound), 6)
