"""The processes `scheduler serve` starts (its web processes and its solve worker) die with it.

`serve` names itself in `BILATERAL_SERVE_PID`; a process started with it asks the kernel for SIGTERM when
its parent dies (Linux's PR_SET_PDEATHSIG, which holds even when serve is killed with SIGKILL, where no
cleanup of serve's own runs), or else watches its parent from a thread. Without the variable (a
`scheduler worker` started by hand, on this machine or another) a process lives on its own.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading

SERVE_PID = "BILATERAL_SERVE_PID"
PR_SET_PDEATHSIG = 1
WATCH_SECONDS = 0.5


def die_with_serve() -> None:
    """Called first in a process serve started: SIGTERM to itself when serve is gone (or already was)."""
    parent = os.environ.get(SERVE_PID)
    if not parent or not parent.isdigit():
        return
    if not _ask_the_kernel(signal.SIGTERM):
        threading.Thread(target=_watch, args=(int(parent),), daemon=True).start()
    if os.getppid() != int(parent):  # serve died before this process asked: it would never be told
        os.kill(os.getpid(), signal.SIGTERM)


def _ask_the_kernel(sig: int) -> bool:
    """PR_SET_PDEATHSIG; False where there is none (not Linux)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        return ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        threading.Event().wait(WATCH_SECONDS)
    os.kill(os.getpid(), signal.SIGTERM)
