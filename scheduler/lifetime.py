"""A process that dies with its parent, however the parent ends (one killed with SIGKILL runs no cleanup).

On Linux the kernel signals the process when its parent ends (PR_SET_PDEATHSIG); elsewhere a thread of the
process watches its parent. Used by the solver's child processes (`scheduler.model.child`) and by the
processes `scheduler serve` starts (`api.processes`).
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading

PR_SET_PDEATHSIG = 1
WATCH_SECONDS = 0.5


def die_with(parent: int, sig: signal.Signals) -> None:
    """`sig` to this process when the process `parent` ends, or at once if it already has."""
    if not _ask_the_kernel(sig):
        threading.Thread(target=_watch, args=(parent, sig), daemon=True).start()
    if os.getppid() != parent:  # the parent ended before the kernel was asked: it would never tell
        os.kill(os.getpid(), sig)


def _ask_the_kernel(sig: signal.Signals) -> bool:
    """PR_SET_PDEATHSIG (Linux: `sig` when the thread that started this process ends); False without it."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        return ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch(parent: int, sig: signal.Signals) -> None:
    while os.getppid() == parent:
        threading.Event().wait(WATCH_SECONDS)
    os.kill(os.getpid(), sig)
