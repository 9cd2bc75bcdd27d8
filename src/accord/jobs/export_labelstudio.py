"""The Label Studio JSON export (docs/labelstudio.md): Accord's JSONL export, task by task,
as Label Studio tasks (`accord.formats.labelstudio_tasks.write_task`), written as one JSON
array as the tasks are read (constant memory).

Answers that have no Label Studio form (a tie in a pairwise, a kind with no Label Studio tag)
are left out of their annotation and counted in ``problems`` (`Report`); the labeling config
to load in Label Studio is `accord.formats.labelstudio_config.to_xml` of the interface
(``GET /api/v1/projects/{id}/labelstudio-config``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import orjson
from sqlalchemy import select

from accord.db import Database
from accord.formats.labelstudio_tasks import EMAIL, MAX_LISTED, write_task
from accord.jobs.export_lines import ExportFilter
from accord.jobs.exports import export_jsonl
from accord.kinds.interface import Interface
from accord.models import Membership, Project, User

MEDIA_TYPE = "application/json"
PREFIX = "Label Studio "  # the name of a placeholder account (accord.actions.labelstudio_imports)


@dataclass
class Report:
    tasks: int = 0
    problem_count: int = 0
    problems: list[str] = field(default_factory=list)


def export_labelstudio(
    db: Database,
    project: Project,
    interface: Interface,
    flt: ExportFilter,
    report: Report | None = None,
) -> Iterator[bytes]:
    """The project's tasks (those ``flt`` keeps) as Label Studio's JSON export."""
    report = report if report is not None else Report()
    emails = placeholder_emails(db, project.id)
    yield b"["
    first = True
    rest = b""
    for chunk in export_jsonl(db, project, flt):
        lines = (rest + chunk).split(b"\n")
        rest = lines.pop()  # a line the next chunk finishes (chunks end at lines: empty)
        for line in lines:
            if not line.strip():
                continue
            problems: list[str] = []
            task = write_task(interface, orjson.loads(line), problems, emails)
            report.tasks += 1
            report.problem_count += len(problems)
            report.problems.extend(problems[: max(0, MAX_LISTED - len(report.problems))])
            yield (b"\n" if first else b",\n") + orjson.dumps(task)
            first = False
    if rest.strip():
        raise ValueError("the JSONL export ended inside a line")
    yield b"\n]\n"


def placeholder_emails(db: Database, project_id: int) -> dict[str, str]:
    """The Label Studio email behind each placeholder account of the project (made by an
    import from Label Studio, named ``Label Studio <email>``): Label Studio's import knows
    its people by those emails."""
    with db.read() as session:
        rows = session.execute(
            select(User.email, User.name)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.project_id == project_id, User.is_source)
        ).all()
    out = {}
    for email, name in rows:
        original = (name or "").removeprefix(PREFIX)
        if name and name.startswith(PREFIX) and EMAIL.match(original):
            out[email] = original
    return out
