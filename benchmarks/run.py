"""The benchmark suite: `python -m benchmarks.run [--profile quick|full] [--only NAME ...] [--workers N]`.

Prints one table for the conference-style instances (the solver as shipped against two baselines measured
in the same run: a greedy first-fit by priority and the plain CP-SAT model with every strengthening off)
and one for the B2B forum instances (breaks against the published optimum). Every run is a separate
process, so peak memory is per run, and every schedule is passed through the validator. Results are also
written to benchmarks/results/ as JSON with the machine's core count and library versions.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path

from benchmarks.worker import B2B

HERE = Path(__file__).resolve().parent

# Published optimal breaks (Bofill et al., JAIR 2022, Table 5; see ../shared/benchmarks/b2b/README.md).
PUBLISHED_BREAKS = {
    "forum-13": 0, "forum-13crafb": 6, "forum-13crafc": 1, "forum-14": 2, "forumt-14": 5, "forumt-14crafc": 5,
    "forumt-14crafd": 4, "forumt-14crafe": 5, "tic-12": 0, "tic-12crafc": 0, "tic-13": 0, "tic-13crafb": 0,
    "tic-13crafc": 4, "tic-14crafa": 0, "tic-14crafc": 0, "tic-14crafd": 0, "ticf-13crafa": 0, "ticf-13crafb": 3,
    "ticf-13crafc": 1, "ticf-14crafa": 0,
}  # fmt: skip

# (instance, time limit in seconds); every conference instance also runs the plain baseline.
PROFILES = {
    "quick": {
        "conference": [("minsk", 30), ("conf-40x150", 30), ("conf-40x150-tight", 30), ("forum-60x300", 30)],
        "b2b": [("forum-13", 20), ("forumt-14", 20), ("tic-13crafc", 20), ("ticf-13crafb", 20)],
    },
    "full": {
        "conference": [
            ("minsk", 60), ("conf-30x80", 60), ("conf-40x150", 60), ("conf-40x150-tight", 60),
            ("forum-60x300", 60), ("forum-120x800", 120), ("fair-300x3000", 120),
        ],
        "b2b": [(name, 30) for name in PUBLISHED_BREAKS],
    },
}  # fmt: skip


def run_one(name: str, mode: str, limit: float, workers: int) -> dict:
    command = [sys.executable, "-m", "benchmarks.worker", name, mode, str(limit), str(workers)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=HERE.parent, timeout=limit * 3 + 120)
    if done.returncode != 0:
        return {"instance": name, "mode": mode, "error": done.stderr.strip().splitlines()[-1:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def gap(row: dict) -> float | None:
    if row.get("status") not in ("optimal", "feasible"):
        return None
    return 100.0 * (row["bound"] - row["value"]) / max(1, row["bound"])


def _seconds(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def conference_table(rows: list[dict], previous: dict[str, dict]) -> list[str]:
    """The solver against greedy and the plain model, with its bound's source and against the previous
    results file (`x prev`: this value over that one; `prev gap%`: that run's gap)."""
    full = {r["instance"]: r for r in rows if r.get("mode") == "full"}
    plain = {r["instance"]: r for r in rows if r.get("mode") == "plain"}
    head = (
        f"{'instance':<19}{'size':>10} {'status':<9}{'value':>7}{'bound':>7}{'gap%':>7}{' src':<8}{'best s':>7}"
        f"{'proof s':>8}{'MB':>6} |{'greedy':>7}{'x greedy':>9} |{'plain':>7}{'p.gap%':>7}{'x plain':>8} |"
        f"{'x prev':>7}{'prev gap%':>10} valid"
    )
    lines = [head, "-" * len(head)]
    for name, r in full.items():
        if "error" in r:
            lines.append(f"{name:<19} error: {r['error']}")
            continue
        p, before = plain.get(name, {}), previous.get(name, {})
        g = gap(r)
        pg = gap(p) if p and "error" not in p else None
        p_value = p.get("value") if p.get("status") in ("optimal", "feasible") else None
        ratio = f"{r['value'] / p_value:.3f}" if p_value else "–"
        b_value = before.get("value") if before.get("status") in ("optimal", "feasible") else None
        b_gap = gap(before) if b_value else None
        x_prev = f"{r['value'] / b_value:.3f}" if b_value else "–"
        lines.append(
            f"{name:<19}{r['delegations']:>4}x{r['requests']:<5} {r['status']:<9}{r['value']:>7}{r['bound']:>7}"
            f"{'–' if g is None else f'{g:.2f}':>7} {r.get('bound_source') or '–':<7}{_seconds(r['time_to_best']):>7}"
            f"{_seconds(r['time_to_proof']):>8}{r['peak_mb']:>6.0f} |{r['greedy_value']:>7}"
            f"{r['value'] / max(1, r['greedy_value']):>9.3f} |{'–' if p_value is None else p_value:>7}"
            f"{'–' if pg is None else f'{pg:.2f}':>7}{ratio:>8} |"
            f"{x_prev:>7}"
            f"{'–' if b_gap is None else f'{b_gap:.2f}':>10} {r['valid']}"
        )
    return lines


def phase_table(rows: list[dict]) -> list[str]:
    """When each phase of the shipped solver ended (seconds from the start; * = it stopped on a stall;
    (maxsat) = the breaks were proven by MaxSAT)."""
    lines = ["phase ends (s; * stalled, – skipped, (maxsat) breaks proven by MaxSAT)"]
    for r in rows:
        if r.get("mode") != "full" or "error" in r:
            continue
        ends = [
            f"{p['phase']} {p['ended_seconds']:.1f}{'*' if p.get('stalled') else ''}"
            f"{' (maxsat)' if p.get('engine') == 'maxsat' else ''}" if "ended_seconds" in p
            else f"{p['phase']} –"
            for p in r.get("phases", [])
        ]
        lines.append(f"  {r['instance'].removeprefix('b2b:'):<19}" + ", ".join(ends))
    return lines


def yield_table(rows: list[dict]) -> list[str]:
    """What each kind of neighbourhood gained in the neighbourhood search (scheduler.search.neighbourhoods): priority
    gained / steps that improved / steps, and seconds, per instance where the search ran."""
    searched = [(r, p) for r in rows if r.get("mode") == "full" for p in r.get("phases", [])
                if p["phase"] == "neighbourhoods"]
    if not searched:
        return []
    kinds = list(searched[0][1]["yields"])
    head = f"{'neighbourhoods':<19}{'gained':>7}" + "".join(f"{k:>22}" for k in kinds)
    lines = [head + "   (gained/improved/steps, s)", "-" * len(head)]
    for r, p in searched:
        cells = "".join(f"{_yield_cell(p['yields'][k]):>22}" for k in kinds)
        lines.append(f"  {r['instance']:<17}{p['gained']:>7}{cells}")
    return lines


def _yield_cell(y: dict) -> str:
    return f"{y['gained']}/{y['improved']}/{y['steps']}, {y['seconds']:.0f}"


def previous_results(profile: str, before: str) -> tuple[str | None, dict[str, dict], dict[str, dict]]:
    """The latest results file of the profile written before this run: its name, and its rows by instance
    (the shipped solver's conference rows, and the B2B rows)."""
    files = sorted(f for f in (HERE / "results").glob(f"{profile}-2*.json") if f.stem < f"{profile}-{before}")
    if not files:
        return None, {}, {}
    record = json.loads(files[-1].read_text())
    conference = {r["instance"]: r for r in record.get("conference", []) if r.get("mode") == "full"}
    b2b = {r["instance"]: r for r in record.get("b2b", [])}
    return files[-1].name, conference, b2b


def b2b_table(rows: list[dict], previous: dict[str, dict]) -> list[str]:
    head = (f"{'B2B instance':<16}{'meetings':>9}{'placed':>7}{'breaks':>7}{'published':>10}{'prev':>6}{'wall s':>8}"
            f"{'MB':>6} valid")
    lines = [head, "-" * len(head)]
    for r in rows:
        name = r["instance"].removeprefix("b2b:")
        if "error" in r:
            lines.append(f"{name:<16} error: {r['error']}")
            continue
        before = previous.get(r["instance"], {}).get("breaks", "–")
        lines.append(
            f"{name:<16}{r['requests']:>9}{r['placed']:>7}{r['breaks']:>7}{PUBLISHED_BREAKS[name]:>10}{before:>6}"
            f"{r['wall_time']:>8.1f}{r['peak_mb']:>6.0f} {r['valid']}"
        )
    better = sum(1 for r in rows if "error" not in r and r["breaks"] <= PUBLISHED_BREAKS[r["instance"][4:]])
    lines.append(f"at or below the published optimum: {better} of {len(rows)}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", choices=sorted(PROFILES), default="quick")
    parser.add_argument("--only", nargs="*", help="run only these instances (names as in the tables)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    profile = PROFILES[args.profile]
    wanted = set(args.only or [])
    conference = [(n, t) for n, t in profile["conference"] if not wanted or n in wanted]
    b2b = [(n, t) for n, t in profile["b2b"] if not wanted or n in wanted]
    started = time.time()
    rows: list[dict] = []
    for name, limit in conference:
        for mode in ("full", "plain"):
            rows.append(run_one(name, mode, limit, args.workers))
            print(f"  {name} {mode}: {rows[-1].get('status', rows[-1].get('error'))}", file=sys.stderr, flush=True)
    b2b_rows: list[dict] = []
    if b2b and not B2B.is_dir():
        print(f"B2B instances skipped: {B2B} not found")
    elif b2b:
        for name, limit in b2b:
            b2b_rows.append(run_one(f"b2b:{name}", "full", limit, args.workers))
            print(f"  {name}: {b2b_rows[-1].get('breaks', b2b_rows[-1].get('error'))}", file=sys.stderr, flush=True)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime(started))
    before, previous, previous_b2b = previous_results(args.profile, stamp)
    lines = [
        f"profile {args.profile}, {args.workers} workers, {os.cpu_count()} cores, {platform.python_version()}, "
        f"ortools {version('ortools')}; previous results: {before or 'none'}",
        "",
    ]
    if rows:
        lines += conference_table(rows, previous) + [""]
    if b2b_rows:
        lines += b2b_table(b2b_rows, previous_b2b) + [""]
    lines += phase_table(rows + b2b_rows)
    if yields := yield_table(rows):
        lines += [""] + yields
    print("\n".join(lines))
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    record = {
        "profile": args.profile,
        "started_utc": stamp,
        "cores": os.cpu_count(),
        "workers": args.workers,
        "machine": platform.machine(),
        "python": platform.python_version(),
        "versions": {p: version(p) for p in ("ortools", "pydantic", "pandas")},
        "conference": rows,
        "b2b": b2b_rows,
        "table": lines,
    }
    # a run of some instances only (--only) is kept apart, so that it is never the previous run of the profile
    target = results / f"{args.profile}{'-partial' if wanted else ''}-{stamp}.json"
    target.write_text(json.dumps(record, indent=1) + "\n")
    print(f"\nresults written to {target.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
