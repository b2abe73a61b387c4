"""The `scheduler` command: solve an input file, check a schedule, print the input's JSON Schema."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import typer
from rich.console import Console
from rich.live import Live
from rich.text import Text

from scheduler import reports
from scheduler.check import BadSchedule, check_schedule, check_schedule_text
from scheduler.domain import Conference
from scheduler.input_model import input_json_schema
from scheduler.output import dumps, schedule_document, write_folder
from scheduler.parse import BadInput, load_conference
from scheduler.solve import Outcome, Progress, SolveOptions, solve

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT, EXIT_INFEASIBLE, EXIT_NO_SCHEDULE = 0, 1, 2, 3, 4

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Schedule bilateral meetings at a conference (contract v1).",
    pretty_exceptions_enable=False,
)
# Plain text: input values are shown verbatim (no markup, no emoji codes) and one problem stays on one line.
err = Console(stderr=True, highlight=False, markup=False, emoji=False, soft_wrap=True)
out = Console(highlight=False, markup=False, emoji=False, soft_wrap=True)


def _read_conference(path: Path) -> Conference:
    """Load and check an input file, or exit 2 with one line per problem."""
    try:
        text = path.read_bytes()
    except OSError as exc:
        err.print(f"{path}: cannot read the input file: {exc.strerror or exc}")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    try:
        return load_conference(text)
    except BadInput as exc:
        err.print(f"{path}: bad input ({len(exc.problems)} problem{'s' if len(exc.problems) > 1 else ''}):")
        for problem in exc.problems:
            err.print(f"  {problem}")
        raise typer.Exit(EXIT_BAD_INPUT) from None


class _ProgressLine:
    """The live line shown while solving: phase, elapsed time, best value, bound and gap."""

    def __init__(self) -> None:
        self.latest: Progress | None = None
        self.best: float | None = None
        self.bound: float | None = None

    def __call__(self, progress: Progress) -> None:
        if progress.incumbent is not None:
            self.best = progress.incumbent
        if progress.bound is not None:
            self.bound = progress.bound
        self.latest = progress

    def render(self) -> Text:
        if self.latest is None:
            return Text("preparing the model…")
        p = Progress(self.latest.phase, self.latest.elapsed, self.best, self.bound)
        gap = f"{p.gap:.1%}" if p.gap is not None else "–"
        best = f"{self.best:g}" if self.best is not None else "–"
        bound = f"{self.bound:g}" if self.bound is not None else "–"
        return Text(f"solving [{p.phase}]  {p.elapsed:6.1f} s   best {best}   bound {bound}   gap {gap}")


def _solve_with_progress(conference: Conference, options: SolveOptions, quiet: bool) -> Outcome:
    """Run the solve in a worker thread so Ctrl-C stops it cleanly and the best schedule is kept."""
    stop = threading.Event()
    line = _ProgressLine()
    result: dict[str, Outcome] = {}
    worker = threading.Thread(
        target=lambda: result.setdefault("outcome", solve(conference, options, None if quiet else line, stop)),
        daemon=True,
    )
    live = None if quiet else Live(get_renderable=line.render, console=err, refresh_per_second=4, transient=True)
    if live:
        live.start()
    worker.start()
    try:
        while worker.is_alive():
            worker.join(0.1)
    except KeyboardInterrupt:
        stop.set()
        err.print("stopping: keeping the best schedule found so far…")
        worker.join()
    finally:
        if live:
            live.stop()
    return result["outcome"]


@app.command("solve")
def solve_command(
    input_file: Path = typer.Argument(..., help="the input JSON file (contract v1)"),
    out_dir: Path = typer.Option(..., "--out", help="folder to write schedule.json and the reports into"),
    time_limit: float = typer.Option(60.0, "--time-limit", min=0.1, help="seconds for the whole solve"),
    workers: int = typer.Option(0, "--workers", min=0, help="CP-SAT workers; 0 = the machine's cores"),
    seed: int = typer.Option(0, "--seed", help="random seed of the solver"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="no progress line and no summary"),
) -> None:
    """Schedule the requests of INPUT_FILE and write schedule.json, schedule.csv and agendas into --out."""
    conference = _read_conference(input_file)
    options = SolveOptions(time_limit=time_limit, workers=workers, seed=seed)
    outcome = _solve_with_progress(conference, options, quiet)
    if outcome.status == "infeasible":
        err.print("infeasible: " + outcome.conflict.message)
        raise typer.Exit(EXIT_INFEASIBLE)
    if outcome.status == "no_schedule":
        err.print(
            f"no schedule found within {time_limit:g} s that holds every mandatory and pinned request; "
            "try a longer --time-limit"
        )
        raise typer.Exit(EXIT_NO_SCHEDULE)
    document = schedule_document(conference, outcome)
    report = check_schedule(conference, document)
    if not report.ok:
        err.print("internal error: the schedule failed the independent check; nothing written:")
        for violation in report.violations:
            err.print(f"  {violation}")
        raise typer.Exit(EXIT_FAILURE)
    try:
        write_folder(out_dir, lambda folder: _fill(folder, conference, outcome, document))
    except OSError as exc:
        err.print(f"{out_dir}: cannot write the output folder: {exc.strerror or exc}; nothing written")
        raise typer.Exit(EXIT_FAILURE) from None
    if not quiet:
        _summary(outcome, out_dir)


def _fill(folder: Path, conference: Conference, outcome: Outcome, document: dict) -> None:
    (folder / "schedule.json").write_text(dumps(document), encoding="utf-8")
    (folder / "schedule.csv").write_text(reports.schedule_csv(conference, outcome), encoding="utf-8")
    agendas = folder / "agendas"
    agendas.mkdir()
    for delegation in conference.delegations:
        text = reports.delegation_agenda(conference, outcome, delegation.id)
        (agendas / f"{delegation.id}.md").write_text(text, encoding="utf-8")


def _summary(outcome: Outcome, out_dir: Path) -> None:
    stats = outcome.stats
    gap = (outcome.upper_bound - outcome.scheduled_priority) / max(1, outcome.upper_bound)

    def seconds(value: float | None) -> str:
        return "–" if value is None else f"{value:.1f} s"

    out.print(
        f"{outcome.status}: scheduled priority {outcome.scheduled_priority}, bound {outcome.upper_bound}, "
        f"gap {gap:.2%}; {len(outcome.meetings)} meetings, {len(outcome.unscheduled)} unscheduled; "
        f"preferred met {outcome.preferred_met}, breaks {outcome.breaks}; "
        f"time to best {seconds(stats.time_to_best)}, to proof {seconds(stats.time_to_proof)}, "
        f"total {seconds(stats.wall_time)}"
    )
    out.print(f"written to {out_dir}/")


@app.command("check")
def check_command(
    input_file: Path = typer.Argument(..., help="the input JSON file"),
    schedule_file: Path = typer.Argument(..., help="a schedule.json to check against it"),
) -> None:
    """Check every contract rule and the reported figures of SCHEDULE_FILE; exit 1 on any violation."""
    conference = _read_conference(input_file)
    try:
        report = check_schedule_text(conference, schedule_file.read_bytes())
    except OSError as exc:
        err.print(f"{schedule_file}: cannot read the schedule: {exc.strerror or exc}")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except BadSchedule as exc:
        err.print(f"{schedule_file}: not a schedule in the contract's format:")
        for problem in exc.problems:
            err.print(f"  {problem}")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    for violation in report.violations:
        out.print(str(violation))
    if not report.ok:
        raise typer.Exit(EXIT_FAILURE)
    out.print(
        f"valid: scheduled priority {report.scheduled_priority}, preferred met {report.preferred_met}, "
        f"breaks {report.breaks}"
    )


@app.command("schema")
def schema_command(
    output: Path | None = typer.Option(None, "--out", help="write the schema to this file instead of stdout"),
) -> None:
    """Print the JSON Schema of the input file (for editors and validators)."""
    text = json.dumps(input_json_schema(), indent=2) + "\n"
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
