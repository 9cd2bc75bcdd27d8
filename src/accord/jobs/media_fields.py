"""The media fields a media job works on (image fields for thumbnails, video fields for
frames), and the references the project's tasks hold there, page by page."""

from __future__ import annotations

from collections.abc import Iterator

from accord.db import Database
from accord.errors import Invalid, NotFound
from accord.jobs.runner import JobContext
from accord.models import Project
from accord.queries.media import image_references
from accord.queries.projects import interface_of

PAGE = 500  # tasks read at a time when a job scans the project


def media_fields(
    db: Database, project_id: int, wanted: list[str], kind: str, none_left: str
) -> list[str]:
    """``wanted`` if each is a field of ``kind`` in the project (none wanted: all of them);
    `Invalid` naming the one that is not, or saying ``none_left`` when the project has none."""
    with db.read() as session:
        project = session.get(Project, project_id)
        if project is None or project.deleted_at is not None:
            raise NotFound(f"project {project_id} was deleted")
        found = [f.name for f in interface_of(project).fields if f.kind == kind]
    if not wanted:
        if not found:
            raise Invalid(f"the project has no {kind} field: {none_left}")
        return found
    for name in wanted:
        if name not in found:
            raise Invalid(
                f"{name!r} is not {'an' if kind[0] in 'aeiou' else 'a'} {kind} field of the "
                f"project; its {kind} fields are {', '.join(found) or 'none'}",
                details={"field": name},
            )
    return wanted


def scanned_references(context: JobContext, fields: list[str]) -> Iterator[str]:
    """Every reference the project's tasks (the import's, with the job's ``import_id``) hold
    in ``fields``, page by page, with no transaction held between pages."""
    after = 0
    import_id = context.params.get("import_id")
    while True:
        with context.db.read() as session:
            references, last = image_references(
                session, context.project_id, fields, after, PAGE, import_id=import_id
            )
        if last is None:
            return
        yield from references
        after = last
