"""The processes `scheduler serve` starts (its web processes and its solve worker) die with it.

`serve` names itself in `BILATERAL_SERVE_PID`; a process started with it asks the kernel for SIGTERM when
its parent dies (Linux's PR_SET_PDEATHSIG, which holds even when serve is killed with SIGKILL, where no
cleanup of serve's own runs), or else watches its parent from a thread. Without the variable (a
`scheduler worker` started by hand, on this machine or another) a process lives on its own.
"""

from __future__ import annotations

import os
import signal

from scheduler.lifetime import die_with

SERVE_PID = "BILATERAL_SERVE_PID"


def die_with_serve() -> None:
    """Called first in a process serve started: SIGTERM to itself when serve is gone (or already was)."""
    parent = os.environ.get(SERVE_PID)
    if not parent or not parent.isdigit():
        return
    die_with(int(parent), signal.SIGTERM)
