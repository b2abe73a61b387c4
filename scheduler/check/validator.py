"""The independent validator: does a schedule keep every rule of the contract, and are its figures right?

Written from the contract alone and sharing no code with the solver, so that a bug in the model cannot
hide itself by being repeated here. It reads the domain objects and the schedule as published
(`schedule.json`), and reports every problem as one line an officer can act on, named by rule. A typed
`ScheduleDocument` is checked as the JSON it writes, read by the validator's own reader (`reading.py`): the
document model is trusted for nothing the contract says. The rules are checked in `rules.py`, the figures
recomputed in `figures.py`; this module puts them together.

Decisions where the contract leaves room:
- A meeting whose `end` is not `start + duration` is an "output" problem. The other rules then judge the
  span from `start` to the later of the stated end and `start + duration`, so a wrong end neither hides a
  clash the calendars show nor one the request needs.
- A time given with an offset other than the event's own at that instant is an "output" problem (the
  instant is still understood).
- `scheduled_priority` counts each scheduled request once, even if it is (wrongly) scheduled twice.
- `upper_bound` is compared with the recomputed priority: a proven bound below what the meetings are
  worth is false, and "optimal" means the bound is reached.
- Breaks: commitments that overlap are merged into one block (in a valid schedule only programme items
  can overlap); a block counts as a meeting when it contains one. Programme items are taken whole, not
  clipped to the day's hours.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime

from scheduler.check.figures import count_breaks, figure_violations, figures_of
from scheduler.check.reading import Placed, Reader, coverage, resolve, status_problems
from scheduler.check.report import FIGURES, OUTPUT, BadSchedule, CheckReport, Violation
from scheduler.check.rules import RULE_CHECKS
from scheduler.contract.document import ScheduleDocument
from scheduler.contract.domain import Conference
from scheduler.contract.problems import Problem, json_path
from scheduler.contract.strict_json import NotStrictJson, strict_loads

# what callers of the validator use: the entry points below and what they return or raise
__all__ = [
    "FIGURES", "OUTPUT", "BadSchedule", "CheckReport", "Placed", "Violation", "check_schedule", "check_schedule_text",
    "count_breaks",
]  # fmt: skip


def check_schedule(conference: Conference, schedule: ScheduleDocument | dict) -> CheckReport:
    """Every violation of the contract by a schedule (a document, or schedule.json's content as a dict);
    raises BadSchedule on a wrong shape."""
    if isinstance(schedule, ScheduleDocument):
        schedule = schedule.model_dump(mode="json")  # judged as the JSON it writes, by the reader below
    stated = Reader().read(schedule)
    placed, violations = resolve(conference, stated)
    violations += coverage(conference, stated)
    priority, preferred, breaks = figures_of(conference, placed)
    violations += status_problems(stated, priority)
    broken = [v for rule in RULE_CHECKS for v in rule(conference, placed)]
    held = _history(conference, placed, stated.frozen_before)
    violations += [v for v in broken if v not in held]
    recomputed = {"scheduled_priority": priority, "preferred_met": preferred, "breaks": breaks}
    violations += figure_violations(stated, recomputed)
    return CheckReport(tuple(violations), priority, preferred, breaks, tuple(v for v in broken if v in held))


def _history(conf: Conference, placed: list[Placed], frozen_before: datetime | None) -> set[Violation]:
    """The violations that the meetings held before `frozen_before` commit among themselves, judged as if
    they were the whole schedule of their own requests: the same words then mean the same fault, which no
    meeting after the freeze takes part in."""
    if frozen_before is None:
        return set()
    cut = conf.clock.to_minute(frozen_before)
    held = [p for p in placed if p.start < cut]
    requests = tuple({p.request.id: p.request for p in held}.values())
    alone = replace(conf, requests=requests, _index={})
    return {v for rule in RULE_CHECKS for v in rule(alone, held)}


def check_schedule_text(conference: Conference, text: str | bytes) -> CheckReport:
    """Like `check_schedule`, from the text of a schedule file."""
    try:
        schedule = strict_loads(text)
    except NotStrictJson as exc:  # NaN, 1e400, an unpaired surrogate: bad input, named
        raise BadSchedule([Problem(json_path(p.path), f"not valid JSON: {p.message}") for p in exc.problems]) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BadSchedule([Problem("", f"not valid JSON: {exc}")]) from None
    return check_schedule(conference, schedule)
