"""The `scheduler` command: solve an input file, check a schedule, print the input's JSON Schema."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.live import Live
from rich.table import Table
from rich.text import Text

from scheduler.check.validator import BadSchedule, CheckReport, check_schedule_text
from scheduler.contract.b2b import B2BFormatError, import_b2b
from scheduler.contract.document import ScheduleDocument
from scheduler.contract.domain import Conference
from scheduler.contract.input_model import EARLIEST, LATEST, input_json_schema
from scheduler.contract.local_time import UnclearLocalTime, event_instant
from scheduler.contract.parse import BadInput, load_conference
from scheduler.publish.folders import FolderRefused, check_target, write_folder
from scheduler.publish.publication import Publication, PublicationRefused, publish
from scheduler.publish.reports import document_meetings
from scheduler.publish.revisions import BadPrevious, check_publication_time, latest_change, read_previous
from scheduler.solve.baseline import FRESH, STABILITIES, BadAnchor, Baseline, baseline_of
from scheduler.solve.move_cost import MoveCost, move_cost_of
from scheduler.solve.types import Outcome, Progress, ProgressCallback

if TYPE_CHECKING:  # the solver's modules load OR-Tools: the commands that solve import them where they do
    from scheduler.solve.options import SolveOptions

T = TypeVar("T")
EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT, EXIT_INFEASIBLE, EXIT_NO_SCHEDULE = 0, 1, 2, 3, 4
CALENDARS = "calendars/"  # where a publication keeps its feeds

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Schedule bilateral meetings at a conference (contract v1.1).",
    pretty_exceptions_enable=False,
)
# Plain text: input values are shown verbatim (no markup, no emoji codes) and one problem stays on one line.
err = Console(stderr=True, highlight=False, markup=False, emoji=False, soft_wrap=True)
out = Console(highlight=False, markup=False, emoji=False, soft_wrap=True)


def _read_bytes(path: Path, what: str) -> bytes:
    """A file's content, or exit 2 naming the file and why it cannot be read."""
    try:
        return path.read_bytes()
    except OSError as exc:
        err.print(f"{path}: cannot read the {what}: {exc.strerror or exc}")
        raise typer.Exit(EXIT_BAD_INPUT) from None


def _read_conference(path: Path) -> Conference:
    """Load and check an input file, or exit 2 with one line per problem."""
    text = _read_bytes(path, "input file")
    try:
        return load_conference(text)
    except BadInput as exc:
        err.print(f"{path}: bad input ({len(exc.problems)} problem{'s' if len(exc.problems) > 1 else ''}):")
        for problem in exc.problems:
            err.print(f"  {problem}")
        raise typer.Exit(EXIT_BAD_INPUT) from None


def _read_previous(path: Path | None) -> ScheduleDocument | None:
    """Load the previous publication's schedule.json, or exit 2 with one line naming the problem."""
    if path is None:
        return None
    text = _read_bytes(path, "previous schedule")
    try:
        return read_previous(text)
    except BadPrevious as exc:
        _bad_previous(path, exc)


def _bad_previous(path: Path, exc: BadPrevious) -> NoReturn:
    more = len(exc.problems) - 1
    suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    err.print(f"{path}: not a usable previous schedule: {exc.problems[0]}{suffix}")
    raise typer.Exit(EXIT_BAD_INPUT) from None


def _published_at(text: str | None, previous: ScheduleDocument | None = None) -> datetime:
    """The moment of this publication: --published-at, else now (UTC, to the second). The only clock read."""
    if text is None:
        moment = datetime.now(UTC).replace(microsecond=0)
    else:
        moment = _moment("--published-at", text).astimezone(UTC).replace(microsecond=0)
    try:
        check_publication_time(previous, moment)
    except ValueError as exc:
        err.print(f"--published-at: {exc}")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    return moment


def _check_out_dir(out_dir: Path, replace: bool) -> None:
    """Refuse, before any work, an output folder that holds what bilateral did not write (exit 2)."""
    try:
        check_target(out_dir, replace)
    except FolderRefused as exc:
        err.print(str(exc))
        raise typer.Exit(EXIT_BAD_INPUT) from None


def _write_out_dir(out_dir: Path, fill: Callable[[Path], None], replace: bool) -> None:
    """Swap the new output folder in: exit 2 if it became foreign meanwhile, 1 if it cannot be written."""
    try:
        write_folder(out_dir, fill, replace)
    except FolderRefused as exc:
        err.print(str(exc))
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except OSError as exc:
        err.print(f"{out_dir}: cannot write the output folder: {exc.strerror or exc}; nothing written")
        raise typer.Exit(EXIT_FAILURE) from None


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


def solve(conference: Conference, options: SolveOptions, progress: Callable[[Progress], None] | None,
          stop: threading.Event, baseline: Baseline) -> Outcome:
    """The solver, loaded at the first solve: OR-Tools takes seconds to load on a busy machine, and the
    commands that do not solve (and `scheduler serve`'s web processes, which import this module) never need it."""
    from scheduler.solve.solver import solve as run

    return run(conference, options, progress, stop, baseline)


def _solve_with_progress(
    conference: Conference, options: SolveOptions, quiet: bool, baseline: Baseline = FRESH
) -> Outcome:
    """Run the solve in a worker thread so Ctrl-C stops it cleanly and the best schedule is kept."""
    return _with_progress(lambda line, stop: solve(conference, options, line, stop, baseline), quiet)


def _with_progress(work: Callable[[ProgressCallback | None, threading.Event], T], quiet: bool) -> T:
    """Run `work(progress, stop)` in a worker thread with the live progress line, so that Ctrl-C stops it
    cleanly and the best found so far is kept."""
    stop = threading.Event()
    line = _ProgressLine()
    result: dict[str, T] = {}
    worker = threading.Thread(
        target=lambda: result.setdefault("outcome", work(None if quiet else line, stop)), daemon=True
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
    input_file: Path = typer.Argument(..., help="the input JSON file (contract v1.1)"),
    out_dir: Path = typer.Option(
        ..., "--out", help="folder for schedule.json and the reports (new, empty, or an earlier output: replaced whole)"
    ),
    time_limit: float = typer.Option(60.0, "--time-limit", min=0.1, help="seconds for the whole solve"),
    workers: int = typer.Option(0, "--workers", min=0, help="CP-SAT workers; 0 = the machine's cores"),
    seed: int = typer.Option(0, "--seed", help="random seed of the solver"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="no progress line and no summary"),
    previous_file: Path | None = typer.Option(
        None,
        "--previous",
        help="the schedule.json of the previous publication: a re-plan that moves as little as possible, and "
        "calendar events keep their identity",
    ),
    stability: str = typer.Option(
        "balanced",
        "--stability",
        help="with --previous: balanced (a published meeting moves only where the priority gained pays "
        "--move-cost), strict (only what the change forces moves), priority (the most priority, then the "
        "fewest changes) or off (a fresh solve)",
    ),
    move_cost_text: str = typer.Option(
        "normal",
        "--move-cost",
        help="with --previous, balanced: what a change of a published meeting costs, per point of its own "
        "priority: low (0.5 for a new time, 0.1 for another room, 0.5 to drop it), normal (1, 0.25, 1), high "
        "(2, 0.5, 2), or a number for a new time (another room a quarter of it, dropping it as much)",
    ),
    choices: bool = typer.Option(
        False,
        "--options",
        help="with --previous: re-plan several ways side by side (nothing moves, balanced, balanced at half the "
        "rate, most priority), each written to its own folder under --out, with choices.json and a table",
    ),
    freeze_before_text: str | None = typer.Option(
        None,
        "--freeze-before",
        help="with --previous: meetings starting before this moment (ISO 8601: local time in the event's zone, "
        "e.g. 2024-11-01T00:00, or with an offset) are history, kept exactly; nothing new is placed before it",
    ),
    published_at_text: str | None = typer.Option(
        None, "--published-at", help="moment of this publication, ISO 8601 UTC (default: now)"
    ),
    replace: bool = typer.Option(
        False, "--replace", help="replace --out even if it holds files bilateral did not write (never /, ~, . or ..)"
    ),
) -> None:
    """Schedule the requests of INPUT_FILE and write schedule.json, schedule.csv, agendas, calendars and the
    office's room plan and workbook into --out."""
    from scheduler.solve.options import SolveOptions  # loads OR-Tools: only in the commands that solve

    conference = _read_conference(input_file)
    previous = _read_previous(previous_file)
    published_at = _published_at(published_at_text, previous)
    move_cost = _move_cost(move_cost_text)
    baseline = _baseline(conference, previous, previous_file, stability, freeze_before_text, move_cost)
    if choices and previous is None:
        err.print("--options: needs --previous (the published schedule the choices re-plan)")
        raise typer.Exit(EXIT_BAD_INPUT)
    _check_out_dir(out_dir, replace)
    options = SolveOptions(time_limit=time_limit, workers=workers, seed=seed)
    if choices:
        _solve_choices(conference, options, previous, baseline, published_at, out_dir, replace, quiet)
        return
    outcome = _solve_with_progress(conference, options, quiet, baseline)
    _exit_without_schedule(outcome, time_limit)
    publication = _publish(conference, outcome, previous, published_at)
    _write_out_dir(out_dir, lambda folder: _write_files(folder, publication.files), replace)
    if not quiet:
        _summary(outcome, out_dir, publication)


def _exit_without_schedule(outcome: Outcome, time_limit: float) -> None:
    """Exit 3 (infeasible) or 4 (no schedule in time) when the solve has no schedule."""
    if outcome.status == "infeasible":
        err.print("infeasible: " + outcome.conflict.message)
        raise typer.Exit(EXIT_INFEASIBLE)
    if outcome.status == "no_schedule":
        err.print(
            f"no schedule found within {time_limit:g} s that holds every mandatory and pinned request; "
            "try a longer --time-limit"
        )
        raise typer.Exit(EXIT_NO_SCHEDULE)


def _solve_choices(
    conference: Conference, options: SolveOptions, previous: ScheduleDocument, baseline: Baseline,
    published_at: datetime, out_dir: Path, replace: bool, quiet: bool,
) -> None:
    """Re-plan several ways (`scheduler.solve.choices`): each choice published into its own folder under
    `out_dir`, choices.json beside them, and a table of them on the terminal."""
    from scheduler.publish.choices import choice_document, summary
    from scheduler.solve.choices import replan_choices

    found = _with_progress(lambda line, stop: replan_choices(conference, baseline, options, line, stop), quiet)
    if found.failed is not None:
        _exit_without_schedule(found.failed, options.time_limit)
    files: dict[str, bytes] = {}
    lines = []
    for number, choice in enumerate(found.choices, 1):
        folder = f"{number}-{choice.name}"
        document = choice_document(conference, choice, previous, published_at)
        publication = _publish(conference, document, previous, published_at)
        files.update({f"{folder}/{name}": content for name, content in publication.files.items()})
        lines.append({"folder": folder, **summary(conference, choice, publication.document).model_dump()})
    files["choices.json"] = (json.dumps({"choices": lines}, indent=2, ensure_ascii=False) + "\n").encode()
    _write_out_dir(out_dir, lambda folder: _write_files(folder, files), replace)
    if not quiet:
        _choices_table(lines, out_dir)


def _choices_table(lines: list[dict], out_dir: Path) -> None:
    """The choices side by side: priority, bound, changes, and what each moves."""
    table = Table(title="Re-plan choices (each in its own folder)")
    for heading in ("folder", "priority", "bound", "unchanged", "moved", "new", "cancelled"):
        table.add_column(heading, justify="left" if heading == "folder" else "right", no_wrap=True)
    for line in lines:
        table.add_row(line["folder"], str(line["scheduled_priority"]), str(line["upper_bound"]),
                      str(line["unchanged"]), str(line["moved"]), str(line["new"]), str(line["cancelled"]))
    out.print(table)
    for line in lines:
        also = line["also"]
        out.print(f"{line['folder']}: {line['label']}: {line['words']}"
                  + (f" (the same as {', '.join(also)})" if also else ""))
    for line in lines:
        moved = [m for m in line["moves"] if m["change"] != "new"]
        if moved:
            out.print(f"{line['folder']}:")
            for m in moved:
                to = m["after"] or "cancelled"
                out.print(f"  {m['request']}: {m['before']} → {to} ({m['reason']})")
    out.print(f"written to {out_dir}/ (choices.json lists them)")


def _move_cost(text: str) -> MoveCost:
    """The --move-cost given, or exit 2 naming it."""
    try:
        return move_cost_of(text)
    except ValueError as exc:
        err.print(f"--move-cost: {exc}")
        raise typer.Exit(EXIT_BAD_INPUT) from None


def _baseline(
    conference: Conference,
    previous: ScheduleDocument | None,
    previous_file: Path | None,
    stability: str,
    freeze_before_text: str | None,
    move_cost: MoveCost,
) -> Baseline:
    """The previous publication as the re-plan's baseline (FRESH without one), or exit 2 naming the option or
    meeting at fault."""
    if stability not in STABILITIES:
        err.print(f"--stability: expected one of {', '.join(STABILITIES)}, got {stability!r}")
        raise typer.Exit(EXIT_BAD_INPUT)
    freeze_before = (
        None if freeze_before_text is None
        else _moment("--freeze-before", freeze_before_text, conference.clock.timezone)
    )
    if previous is None and freeze_before is not None:
        err.print("--freeze-before: needs --previous (the schedule whose meetings before it are history)")
        raise typer.Exit(EXIT_BAD_INPUT)
    try:
        return baseline_of(conference, previous, stability, freeze_before, move_cost)  # type: ignore[arg-type]
    except BadAnchor as exc:
        err.print(f"{previous_file}: cannot re-plan from it:")
        for problem in exc.problems:
            err.print(f"  {problem}")
        raise typer.Exit(EXIT_BAD_INPUT) from None


def _moment(option: str, text: str, zone: str | None = None) -> datetime:
    """An ISO 8601 date and time given on the command line, or exit 2 naming the option: with an offset; or,
    when the option is written in the event's time (`zone`), its local wall-clock time there."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        err.print(f"{option}: not an ISO 8601 date and time: {text!r}")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    if moment.tzinfo is None and zone is None:
        err.print(f"{option}: {text!r} has no UTC offset (e.g. 2024-10-31T18:00:00+03:00)")
        raise typer.Exit(EXIT_BAD_INPUT)
    if not EARLIEST <= moment.date() <= LATEST:  # (near year 9999 the conversion to UTC overflows)
        err.print(f"{option}: {text!r} is outside the dates accepted, {EARLIEST} to {LATEST}")
        raise typer.Exit(EXIT_BAD_INPUT)
    if zone is None:
        return moment
    try:
        return event_instant(text, zone)
    except UnclearLocalTime as exc:
        err.print(f"{option}: {exc}")  # the words name the time as written
        raise typer.Exit(EXIT_BAD_INPUT) from None


def _publish(
    conference: Conference, result: Outcome | ScheduleDocument, previous: ScheduleDocument | None, at: datetime
) -> Publication:
    """The publication of a schedule, or exit 1 when it fails the independent check (a bug: nothing written)."""
    try:
        return publish(conference, result, previous, at)
    except PublicationRefused as exc:
        err.print("internal error: the schedule failed the independent check; nothing written:")
        for violation in exc.violations:
            err.print(f"  {violation}")
        raise typer.Exit(EXIT_FAILURE) from None


def _write_files(folder: Path, files: dict[str, bytes]) -> None:
    """Write relative path -> bytes under folder (a publication's files)."""
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


def _summary(outcome: Outcome, out_dir: Path, publication: Publication) -> None:
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
    solved = publication.document.solve
    if solved is not None and solved.changes is not None:
        out.print(solved.changes.line())
    if solved is not None and solved.move_cost is not None:
        cost = solved.move_cost
        bound = "" if cost.bound is None else f", bound {cost.bound:g}" + (" (proven)" if cost.bound <= cost.value
                                                                             else "")
        out.print(f"priority less the price of changes ({cost.level}: {cost.time:g} a point for a new time, "
                  f"{cost.room:g} for another room, {cost.cancel:g} to drop one): {cost.value:g}{bound}")
    out.print(f"written to {out_dir}/")


def _read_schedule(conference: Conference, path: Path) -> tuple[bytes, CheckReport]:
    """A schedule file's text and the validator's report on it, or exit 2 when it is not a schedule."""
    text = _read_bytes(path, "schedule")
    try:
        return text, check_schedule_text(conference, text)
    except BadSchedule as exc:
        err.print(f"{path}: not a schedule in the contract's format:")
        for problem in exc.problems:
            err.print(f"  {problem}")
        raise typer.Exit(EXIT_BAD_INPUT) from None


@app.command("check")
def check_command(
    input_file: Path = typer.Argument(..., help="the input JSON file"),
    schedule_file: Path = typer.Argument(..., help="a schedule.json to check against it"),
) -> None:
    """Check every contract rule and the reported figures of SCHEDULE_FILE; exit 1 on any violation."""
    conference = _read_conference(input_file)
    _, report = _read_schedule(conference, schedule_file)
    for violation in report.violations:
        out.print(str(violation))
    if not report.ok:
        raise typer.Exit(EXIT_FAILURE)
    out.print(
        f"valid: scheduled priority {report.scheduled_priority}, preferred met {report.preferred_met}, "
        f"breaks {report.breaks}"
    )


@app.command("calendars")
def calendars_command(
    input_file: Path = typer.Argument(..., help="the input JSON file"),
    schedule_file: Path = typer.Argument(..., help="a schedule.json written by `scheduler solve`"),
    out_dir: Path = typer.Option(
        ..., "--out", help="folder for the .ics files (new, empty, or an earlier output: replaced whole)"
    ),
    published_at_text: str | None = typer.Option(
        None, "--published-at", help="only for a schedule without identity fields: its publication time (default: now)"
    ),
    replace: bool = typer.Option(
        False, "--replace", help="replace --out even if it holds files bilateral did not write (never /, ~, . or ..)"
    ),
) -> None:
    """Write the calendar feeds of SCHEDULE_FILE (all.ics, delegation-<ID>.ics, room-<ID>.ics) into --out.

    The same schedule gives the same bytes. A schedule without `sequence`/`last_modified` (not written by
    this version) is published as a first publication at --published-at."""
    conference = _read_conference(input_file)
    _check_out_dir(out_dir, replace)
    text, report = _read_schedule(conference, schedule_file)
    if not report.ok:
        err.print(f"{schedule_file}: the schedule breaks the rules of {input_file}; run `scheduler check`:")
        for violation in report.violations:
            err.print(f"  {violation}")
        raise typer.Exit(EXIT_BAD_INPUT)
    try:
        document = read_previous(text)
    except BadPrevious as exc:
        _bad_previous(schedule_file, exc)
    # a published schedule keeps its identity, so the publication time (and the clock) only matter to one
    # written without it, by an earlier version
    published_at = latest_change(document) if document.has_identity else None
    publication = _publish(conference, document, None, published_at or _published_at(published_at_text))
    files = _feeds(publication)
    _write_out_dir(out_dir, lambda folder: _write_files(folder, files), replace)
    out.print(f"{len(files)} calendars written to {out_dir}/")


def _feeds(publication: Publication) -> dict[str, bytes]:
    """The calendar feeds of a publication, by file name."""
    return {
        name.removeprefix(CALENDARS): content
        for name, content in publication.files.items()
        if name.startswith(CALENDARS)
    }


@app.command("explain")
def explain_command(
    input_file: Path = typer.Argument(..., help="the input JSON file"),
    schedule_file: Path = typer.Argument(..., help="a schedule.json of that input"),
    request_id: str = typer.Option(..., "--request", help="the id of a request the schedule leaves out"),
    seconds: float = typer.Option(30.0, "--time-limit", min=0.1, help="seconds for the solves that confirm it"),
) -> None:
    """Why REQUEST is not in SCHEDULE_FILE: the causes a solve confirms, and the changes that would let it in."""
    conference = _read_conference(input_file)
    text, report = _read_schedule(conference, schedule_file)
    if not report.ok:
        err.print(f"{schedule_file}: the schedule breaks the rules of {input_file}; run `scheduler check`")
        raise typer.Exit(EXIT_BAD_INPUT)
    document = read_previous(text)
    if request_id not in {r.id for r in conference.requests}:
        err.print(f"--request: {request_id!r} is not a request of {input_file}")
        raise typer.Exit(EXIT_BAD_INPUT)
    if request_id in {m.request for m in document.meetings}:
        err.print(f"--request: {request_id} is in the schedule")
        raise typer.Exit(EXIT_BAD_INPUT)
    freeze = None if document.frozen_before is None else conference.clock.to_minute(
        datetime.fromisoformat(document.frozen_before))
    from scheduler.explain.why import explain  # loads OR-Tools: only where it is used

    try:
        answer = explain(conference, document_meetings(conference, document), request_id, freeze=freeze,
                         seconds=seconds)
    except TimeoutError:
        err.print(f"no confirmed answer within {seconds:g} s; try a longer --time-limit")
        raise typer.Exit(EXIT_FAILURE) from None
    out.print(answer.paragraph(conference))


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


@app.command("import-b2b")
def import_b2b_command(
    dzn_file: Path = typer.Argument(..., help="a B2B forum instance in MiniZinc .dzn data format"),
) -> None:
    """Print a B2B matchmaking instance (Bofill et al.) as contract input JSON on stdout."""
    try:
        data = import_b2b(dzn_file.read_text(encoding="utf-8"), dzn_file.name.split(".")[0])
    except OSError as exc:
        err.print(f"{dzn_file}: cannot read: {exc.strerror or exc}")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except B2BFormatError as exc:
        err.print(f"{dzn_file}: {exc}")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    typer.echo(json.dumps(data, indent=1))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
