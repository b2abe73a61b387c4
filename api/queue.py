"""The task queue seam: huey, on a SQLite file by default or on Redis with REDIS_URL.

The web process only enqueues; `scheduler worker` (and the one `scheduler serve` starts) consume. A queue
message carries nothing but the solve's id: the worker reads everything else from the database. A worker
process also sweeps (`api.worker.sweep_forever`): from its start, every few seconds.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from huey import RedisHuey, SqliteHuey
from huey.api import Huey

from api.settings import Settings


@dataclass
class Queue:
    huey: Huey
    solve: object  # the huey task; calling it enqueues

    def enqueue_solve(self, solve_id: str) -> None:
        self.solve(solve_id)

    def waiting_solves(self) -> set[str]:
        """The solves whose message is in the queue, not yet taken by a worker."""
        return {task.args[0] for task in self.huey.pending() if task.args}


def solve(solve_id: str) -> None:
    """The solve task, registered under this one name in every process. Only a worker runs it, so the solver
    is imported here, at the first solve: a web process enqueues without ever loading OR-Tools (which takes
    seconds on a busy machine, long enough for uvicorn to take a starting web process for hung)."""
    from api.worker import run_solve

    run_solve(solve_id)


def make_queue(settings: Settings) -> Queue:
    if settings.redis_url:
        huey: Huey = RedisHuey(settings.queue_name, url=settings.redis_url, results=False)
    else:
        huey = SqliteHuey(settings.queue_name, filename=settings.queue_path, results=False)
    queue = Queue(huey, huey.task(name="solve", retries=0)(solve))

    @huey.on_startup()
    def sweep() -> None:
        # run by each consumer thread as it starts (never in a web process, which does not consume): one
        # sweeper per worker process (see api.worker), which loads the solver with it
        from api.worker import sweep_forever

        with _SWEEPER:
            if not _SWEEPER_STARTED.is_set():
                _SWEEPER_STARTED.set()
                threading.Thread(target=sweep_forever, args=(queue, threading.Event()), daemon=True).start()

    return queue


_SWEEPER = threading.Lock()
_SWEEPER_STARTED = threading.Event()
