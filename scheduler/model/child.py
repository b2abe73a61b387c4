"""One computation in a forked child process, beside the CP-SAT solve that goes on in this one.

The solver's helpers that are not CP-SAT (MaxSAT on the breaks, the LP bound) run this way: the time limit
can stop them (a C library call cannot be interrupted from a thread), and their memory is their own. The
child is forked, so it needs nothing pickled but its answer.

The child dies with its parent, however the parent ends (a service worker killed with SIGKILL runs no
cleanup): on Linux the kernel kills it (PR_SET_PDEATHSIG), elsewhere a thread of its own watches the parent.
Each process also closes the pipe's end it does not use, so that a child whose parent is gone gets an error
writing its answer instead of blocking on a pipe whose only reader is itself.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable
from typing import Any

from scheduler.lifetime import die_with


class Child:
    """`target(*args)` in a child process from construction on; `result` waits for its answer."""

    def __init__(self, target: Callable[..., Any], *args: Any):
        context = multiprocessing.get_context("fork")
        self.receive, send = context.Pipe(duplex=False)
        self.process = context.Process(
            target=_answer, args=(target, args, send, self.receive, os.getpid()), daemon=True
        )
        self.process.start()
        send.close()  # the child's end: the answer comes from the child alone

    def done(self) -> bool:
        """The answer is there (or the child died: `result` then gives None)."""
        return self.receive.poll()

    def wait(self, seconds: float) -> bool:
        """Waits up to `seconds` for the answer, leaving the child be; True when it is there."""
        return self.receive.poll(max(0.0, seconds))

    def result(self, seconds: float) -> Any | None:
        """The answer, waiting up to `seconds` for it; None when it is not there by then. Ends the child."""
        try:
            answer = self.receive.recv() if self.receive.poll(max(0.0, seconds)) else None
        except EOFError:  # the child died (out of memory): no answer
            answer = None
        self.cancel()
        return answer

    def cancel(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()


def _answer(target: Callable[..., Any], args: tuple, send, receive, parent: int) -> None:
    receive.close()  # the parent's end: were the child to keep it, its write would never fail
    die_with(parent, signal.SIGKILL)
    send.send(target(*args))
