"""How long `scheduler serve` takes to answer its first request, idle and with cores kept busy.

    python -m benchmarks.serve_start [--processes 2] [--burners 0] [--runs 3]

Starts `scheduler serve` (SQLite file and queue in a temporary folder, the embedded worker) on a free
loopback port, with `--burners` processes each keeping a core busy (`while True: pass`), and prints for each
run the seconds from the start of the command to the first answer of `/openapi.json`, to every web process
up, and how many web processes uvicorn restarted ("died") on the way. The load average is printed too:
other work on the machine shows in the figures.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from api.settings import Settings
from tests.support.processes import cpu_burners
from tests.support.served import free_port


def one_start(processes: int) -> tuple[float, float, int]:
    """(seconds to the first answer, seconds to every web process up, web processes restarted)."""
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(database_url=f"sqlite:///{folder}/bilateral.db", queue_path=f"{folder}/queue.db",
                            secret_file=f"{folder}/bilateral.secret")
        port = free_port()
        log = Path(folder) / "serve.log"
        env = {**os.environ, **settings.to_env()}
        started = time.monotonic()
        with log.open("w") as out:
            server = subprocess.Popen([sys.executable, "-m", "api.cli", "serve", "--port", str(port),
                                       "--processes", str(processes)], env=env, cwd=folder, stdout=out,
                                      stderr=subprocess.STDOUT, start_new_session=True)
        try:
            first = _first_answer(f"http://127.0.0.1:{port}/openapi.json", started)
            while log.read_text().count("Application startup complete") < processes:
                time.sleep(0.05)
            every = time.monotonic() - started
        finally:
            os.killpg(server.pid, signal.SIGINT)
            server.wait(30)
        return first, every, log.read_text().count("died")


def _first_answer(url: str, started: float) -> float:
    while True:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return time.monotonic() - started
        except httpx.TransportError:
            time.sleep(0.05)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--burners", type=int, default=0)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with cpu_burners(args.burners):
        for run in range(args.runs):
            load = os.getloadavg()[0]
            first, every, died = one_start(args.processes)
            print(f"run {run + 1}: first answer {first:.2f} s, {args.processes} web processes up {every:.2f} s, "
                  f"restarted {died}  (burners {args.burners}, load average {load:.1f})", flush=True)


if __name__ == "__main__":
    main()
