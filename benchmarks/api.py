"""The service under load: feed reads and request listings while a solve runs in the embedded worker.

    python -m benchmarks.api [--clients 50] [--seconds 20] [--solve-seconds 60]

Starts `scheduler serve` (SQLite file, SQLite queue, one embedded worker) on a free loopback port in a
temporary folder, loads examples/minsk-2024.json, publishes a first schedule (so feeds exist), starts a
solve of Minsk and, while it runs, lets N clients on loopback each loop for the given seconds: half of
them read delegations' feeds, half list their delegation's requests with a liaison key. Prints requests/s,
p50/p99 latency per kind and the errors, and how long a solve took to stop after a cancel: the one under
load, a fresh solve cancelled while it searches (before the first publication) and a re-plan cancelled while
it confirms the reasons of the requests it leaves out (after the load). Traffic goes to 127.0.0.1 only and
stops by itself.

The clients are `wrk` (Debian's package; `apt-get install wrk`), one process per kind with one thread
each, so that the load generator takes as little of the two cores as it can; `--client python` uses
Python threads instead (they take a core of their own, which shows in the latencies).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from api.settings import Settings
from tests.support.served import Served, free_port  # noqa: F401  (the same launcher the tests use)

ROOT = Path(__file__).resolve().parents[1]
MINSK = ROOT / "examples" / "minsk-2024.json"


def _admin_key(folder: Path, settings: Settings) -> str:
    env = {**os.environ, **settings.to_env()}
    done = subprocess.run([sys.executable, "-m", "api.cli", "admin", "create-key", "--role", "admin"], env=env,
                          cwd=folder, capture_output=True, text=True, check=True)
    return done.stdout.split()[-1]


def _wait_solve(base: str, host: dict, solve_id: str, states=("done", "failed", "cancelled")) -> dict:
    while True:
        state = httpx.get(f"{base}/events/minsk-2024-eurasian-security/solves/{solve_id}", headers=host).json()
        if state["state"] in states:
            return state
        time.sleep(0.2)


def _cancel_after(base: str, host: dict, ready, time_limit: float = 60) -> tuple[str, float]:
    """Start a solve, cancel it once `ready(state)` holds; (the state it ended in, seconds from the DELETE).
    A solve that ended before it was ready is reported as it ended, with nan seconds."""
    solves = f"{base}/events/minsk-2024-eurasian-security/solves"
    solve_id = httpx.post(solves, json={"time_limit": time_limit}, headers=host).json()["id"]
    while (state := httpx.get(f"{solves}/{solve_id}", headers=host).json())["state"] in ("queued", "running"):
        if state["state"] == "running" and ready(state):
            asked = time.monotonic()
            httpx.delete(f"{solves}/{solve_id}", headers=host)
            return _wait_solve(base, host, solve_id)["state"], time.monotonic() - asked
        time.sleep(0.05)
    return state["state"], float("nan")


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--solve-seconds", type=float, default=60.0)
    parser.add_argument("--client", choices=["wrk", "python"], default="wrk" if shutil.which("wrk") else "python")
    parser.add_argument("--processes", type=int, default=2, help="web processes of scheduler serve")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="bilateral-bench-"))
    settings = Settings(database_url=f"sqlite:///{folder / 'bilateral.db'}", queue_path=str(folder / "queue.db"),
                        secret_file=str(folder / "bilateral.secret"))
    from api.storage.db import Database

    Database(settings.database_url).migrate()
    admin = {"Authorization": f"Bearer {_admin_key(folder, settings)}"}
    server = Served(settings, folder, "--processes", str(args.processes))
    base, event = server.url, "minsk-2024-eurasian-security"
    try:
        created = httpx.post(f"{base}/events", json=json.loads(MINSK.read_text()), headers=admin, timeout=60)
        created.raise_for_status()
        host = {"Authorization": f"Bearer {created.json()['host_key']['key']}"}
        delegations = [d["id"] for d in json.loads(MINSK.read_text())["delegations"]]
        liaisons = {}
        for d in delegations:
            issued = httpx.post(f"{base}/events/{event}/keys", json={"role": "liaison", "delegation": d}, headers=host)
            liaisons[d] = {"Authorization": f"Bearer {issued.json()['key']}"}
        fresh = _cancel_after(base, host, lambda state: state["progress"] is not None)  # searching
        first = httpx.post(f"{base}/events/{event}/solves", json={"time_limit": 10}, headers=host).json()
        _wait_solve(base, host, first["id"])
        httpx.post(f"{base}/events/{event}/solves/{first['id']}/publish", headers=host, timeout=120).raise_for_status()
        feeds = [f["https"] for f in httpx.get(f"{base}/events/{event}/feeds", headers=host).json()
                 if f["kind"] == "delegation"]

        running = httpx.post(f"{base}/events/{event}/solves", json={"time_limit": args.solve_seconds},
                             headers=host).json()
        _wait_solve(base, host, running["id"], states=("running", "done", "failed"))
        load = _load_wrk if args.client == "wrk" else _load
        results = load(base, event, feeds, liaisons, args.clients, args.seconds)
        after = httpx.get(f"{base}/events/{event}/solves/{running['id']}", headers=host).json()
        still = f"{after['state']} (phase {(after['progress'] or {}).get('phase')})"
        asked = time.monotonic()
        httpx.delete(f"{base}/events/{event}/solves/{running['id']}", headers=host)
        stopped = _wait_solve(base, host, running["id"])
        cancel_seconds = time.monotonic() - asked
        # a re-plan of the published version, cancelled while it confirms the reasons of what it leaves out
        replan = _cancel_after(base, host, lambda state: (state["progress"] or {}).get("phase") == "reasons")
    finally:
        server.stop()

    print(f"service under load: {args.clients} {args.client} clients for {args.seconds:g} s on 127.0.0.1, "
          f"{args.processes} web process(es), {os.cpu_count()} cores; when the load ended the solve was {still}")
    print(f"{'kind':<16}{'requests':>10}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}")
    for kind, r in results.items():
        print(f"{kind:<16}{r['requests']:>10}{r['requests'] / args.seconds:>10.1f}{r['p50'] * 1000:>10.1f}"
              f"{r['p99'] * 1000:>10.1f}{r['errors']:>8}")
    total = sum(r["requests"] for r in results.values())
    print(f"{'all':<16}{total:>10}{total / args.seconds:>10.1f}")
    print(f"cancel: the running solve was {stopped['state']} {cancel_seconds:.2f} s after DELETE")
    for what, (state, seconds) in (("a fresh solve while it searched", fresh),
                                   ("a re-plan while it confirmed its reasons", replan)):
        print(f"cancel → stopped, {what}: {state} {seconds:.2f} s after DELETE")


def _load(base: str, event: str, feeds: list[str], liaisons: dict, clients: int, seconds: float) -> dict:
    results = {"feed": {"latencies": [], "errors": 0}, "list requests": {"latencies": [], "errors": 0}}
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(index: int) -> None:
        rng = random.Random(index)
        kind = "feed" if index % 2 == 0 else "list requests"
        etags: dict[str, str] = {}
        with httpx.Client(timeout=30) as http:
            while time.monotonic() < deadline:
                began = time.monotonic()
                try:
                    if kind == "feed":
                        url = rng.choice(feeds)
                        headers = {"If-None-Match": etags[url]} if url in etags and rng.random() < 0.5 else {}
                        response = http.get(url, headers=headers)
                        ok = response.status_code in (200, 304)
                        if response.status_code == 200:
                            etags[url] = response.headers["ETag"]
                    else:
                        who = rng.choice(list(liaisons))
                        response = http.get(f"{base}/events/{event}/requests", headers=liaisons[who])
                        ok = response.status_code == 200
                except httpx.HTTPError:
                    ok = False
                elapsed = time.monotonic() - began
                with lock:
                    results[kind]["latencies"].append(elapsed)
                    results[kind]["errors"] += 0 if ok else 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {kind: {"requests": len(r["latencies"]), "p50": _percentile(r["latencies"], 0.5),
                   "p99": _percentile(r["latencies"], 0.99), "errors": r["errors"]} for kind, r in results.items()}


FEED_SCRIPT = """
local paths = {%s}
request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end
"""
LIST_SCRIPT = """
local keys = {%s}
request = function()
  return wrk.format("GET", "%s", {["Authorization"] = "Bearer " .. keys[math.random(#keys)]})
end
"""
REPORT = """
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %f %f\\n", summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout, summary.duration, latency:percentile(50), latency:percentile(99)))
end
"""


def _load_wrk(base: str, event: str, feeds: list[str], liaisons: dict, clients: int, seconds: float) -> dict:
    """Two wrk processes at once, half of the connections each: feed reads and request listings."""
    folder = Path(tempfile.mkdtemp(prefix="bilateral-wrk-"))
    paths = ", ".join(f'"{httpx.URL(u).path}"' for u in feeds)
    keys = ", ".join(f'"{h["Authorization"].split()[1]}"' for h in liaisons.values())
    scripts = {"feed": FEED_SCRIPT % paths + REPORT,
               "list requests": LIST_SCRIPT % (keys, f"/events/{event}/requests") + REPORT}
    running = {}
    for kind, script in scripts.items():
        path = folder / f"{kind.replace(' ', '-')}.lua"
        path.write_text(script)
        running[kind] = subprocess.Popen(
            ["wrk", "-t1", f"-c{clients // 2}", f"-d{seconds:g}s", "--timeout", "10s", "-s", str(path), base],
            stdout=subprocess.PIPE, text=True)
    results = {}
    for kind, process in running.items():
        output, _ = process.communicate()
        line = next(x for x in output.splitlines() if x.startswith("RESULT"))
        requests, errors, _, p50, p99 = line.split()[1:]
        results[kind] = {"requests": int(requests), "errors": int(errors), "p50": float(p50) / 1e6,
                         "p99": float(p99) / 1e6}
    return results


if __name__ == "__main__":
    main()
