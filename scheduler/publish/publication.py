"""One publication path for the CLI and the service: a schedule in, the published document and every file out.

A publication is what delegations and the office receive: `schedule.json` with calendar identity, the
office's CSV, workbook and room plan, each delegation's agenda (Markdown and HTML) and the calendar feeds.
`publish` makes all of them from one `ScheduleDocument`, so no two files can tell different stories, and
only after the independent validator has passed the schedule. It is pure: no file is written and no clock
is read (the moment of publication is a parameter); `scheduler solve --out` writes `files` as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from scheduler.check.validator import Violation, check_schedule
from scheduler.contract.document import ScheduleDocument
from scheduler.contract.domain import Conference
from scheduler.publish import reports
from scheduler.publish.calendars import calendar_files
from scheduler.publish.from_outcome import schedule_document
from scheduler.publish.office import office_files
from scheduler.publish.revisions import BadPrevious, carry_identity, check_previous, read_previous
from scheduler.solve.types import Outcome

__all__ = ["BadPrevious", "Publication", "PublicationRefused", "publication_files", "publish", "read_previous"]


@dataclass(frozen=True)
class Publication:
    """A published schedule: the document (with `sequence`/`last_modified` per meeting and the `cancelled`
    list) and every output file, relative path -> bytes, exactly as `scheduler solve --out` writes them."""

    document: ScheduleDocument
    files: dict[str, bytes]


class PublicationRefused(Exception):
    """The schedule failed the independent check (`scheduler.check.validator`): nothing may be published."""

    def __init__(self, violations: tuple[Violation, ...]):
        super().__init__(f"the schedule failed the independent check: {'; '.join(str(v) for v in violations)}")
        self.violations = violations


def publish(
    conference: Conference,
    result: Outcome | ScheduleDocument,
    previous: ScheduleDocument | None,
    published_at: datetime,
) -> Publication:
    """Publish the schedule of a solve (`Outcome`) or a stored document against the previous publication.

    Calendar identity is carried from `previous` (see `scheduler.publish.revisions.carry_identity`); with no previous
    publication, a document that already carries its identity keeps it, so that publishing it again gives
    the same bytes. Raises PublicationRefused when the schedule breaks a rule or misstates its figures,
    BadPrevious when `previous` lists a request twice, ValueError when `published_at` is naive or earlier
    than a change already published, or when the outcome holds no schedule.
    """
    document = result if isinstance(result, ScheduleDocument) else schedule_document(conference, result)
    document = _identified(conference, document, previous, published_at)
    report = check_schedule(conference, document)
    if not report.ok:
        raise PublicationRefused(report.violations)
    return Publication(document, publication_files(conference, document))


def as_published(
    conference: Conference, document: ScheduleDocument, previous: ScheduleDocument | None, published_at: datetime
) -> ScheduleDocument:
    """The document as publishing it at `published_at` would make it (calendar identity carried, moves and
    new meetings marked), without its files: what a preview of a publication shows."""
    return _identified(conference, document, previous, published_at)


def _identified(
    conference: Conference, document: ScheduleDocument, previous: ScheduleDocument | None, published_at: datetime
) -> ScheduleDocument:
    if previous is None and document.has_identity:
        check_previous(document)  # its identity is what the next publication carries on
        return document if document.cancelled is not None else document.model_copy(update={"cancelled": ()})
    return carry_identity(conference, document, previous, published_at)


def publication_files(conference: Conference, document: ScheduleDocument) -> dict[str, bytes]:
    """Every output file of a published document: schedule.json, schedule.csv, agendas/<ID>.md, the feeds
    under calendars/, and the office's files (room plan, HTML agendas, workbook)."""
    files = {
        "schedule.json": document.to_json().encode("utf-8"),
        "schedule.csv": reports.schedule_csv(conference, document).encode("utf-8"),
    }
    for delegation in conference.delegations:
        agenda = reports.delegation_agenda(conference, document, delegation.id)
        files[f"agendas/{delegation.id}.md"] = agenda.encode("utf-8")
    files.update({f"calendars/{name}": content for name, content in calendar_files(conference, document).items()})
    files.update(office_files(conference, document))
    return files
