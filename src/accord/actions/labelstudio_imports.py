"""Bringing a Label Studio project into Accord (docs/labelstudio.md).

`run_labelstudio_import` reads the labeling config and the JSON export, and:

1. **Checks everything first**, writing nothing: the config is translated
   (`accord.formats.labelstudio_config`), every task converted (`accord.formats.
   labelstudio_tasks`): its data checked against the new interface, each prediction's and
   annotation's regions converted and validated by their question's kind, each annotation
   checked as a submission. The tasks go to a spooled JSONL file, the annotations to another,
   so memory stays flat.
2. **Atomic by default**: any problem (an unsupported tag, a broken region, a bad task) fails
   the import with every problem named (by task and region ids), and nothing is created. With
   ``skip_invalid`` the rest is imported: a task whose data does not fit is left out, an
   annotation that fails as a submission is left out, a broken region is left out of its
   answer; the report names each.
3. **Writes**: the project (its interface the translation, overlap the most annotations a task
   has), then the tasks with their predictions through the ordinary import (`accord.actions.
   imports.run_import`), then each annotation as its author's submission
   (`accord.actions.annotations.do_submit`, in short write transactions) with Label Studio's
   times. Should a write fail, the new project is deleted again.

Authors: an annotation's author is found by email (``completed_by.email`` or the email of
``created_username``). An existing Accord account with that email is used (and made an
annotator of the new project); any other author gets a placeholder
account that cannot sign in (`accord.actions.source_answers.do_source_account`), named
``Label Studio <email>``, or ``Label Studio user <id>`` when the export gives no email; the
same name finds the same placeholder again (Accord's Label Studio export writes a
placeholder's Label Studio email), so a project that goes out and comes back keeps its
authors.
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from accord.actions.annotations import do_submit
from accord.actions.audit import record
from accord.actions.imports import ImportOptions, run_import
from accord.actions.projects import do_create_project, do_delete_project
from accord.actions.source_answers import do_source_account, source_email
from accord.actions.tasks import do_delete_tasks
from accord.actions.users import find_user
from accord.db import Database
from accord.db.types import utcnow
from accord.errors import AccordError, Invalid
from accord.formats.json_array import read_json_array
from accord.formats.labelstudio_config import ConfigError, Translation, read_config
from accord.formats.labelstudio_tasks import MAX_LISTED, LsTask, read_task
from accord.formats.rows import FatalFormatError, Source
from accord.kinds.interface import Interface, InterfaceError, parse_interface
from accord.models import Annotation, Membership, Project, Role, Task, User
from accord.queries.projects import project_info
from accord.queries.tasks import TaskRef

log = logging.getLogger("accord.imports")

CHUNK = 50  # annotations per write transaction
MAX_TITLE = 200


@dataclass
class LabelStudioOptions:
    staging_dir: Path
    title: str = "Label Studio import"
    skip_invalid: bool = False
    media_base: str | None = None
    max_row_bytes: int = 16 << 20
    import_options: ImportOptions | None = None


@dataclass
class LabelStudioReport:
    """What an import of a Label Studio project did, or would have done."""

    project_id: int | None = None
    tasks: int = 0
    tasks_skipped: int = 0
    annotations: int = 0
    annotations_skipped: int = 0
    predictions: int = 0
    cancelled_skipped: int = 0
    drafts_not_imported: int = 0
    accounts_matched: int = 0
    accounts_created: int = 0
    problem_count: int = 0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)

    def problem(self, text: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_LISTED:
            self.problems.append(text)

    def fields(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class _Spool:
    """The checked tasks and annotations, in temporary files (step 1)."""

    rows: IO[bytes]
    annotations: IO[bytes]
    most: int = 0  # the most annotations one task has
    authors: set[str] = field(default_factory=set)
    emails: dict[str, str | None] = field(default_factory=dict)


def translate(config_xml: str) -> tuple[Translation, Interface]:
    """The config's translation and its interface; Invalid when it cannot be read at all."""
    try:
        translation = read_config(config_xml)
    except ConfigError as exc:
        raise Invalid(str(exc), details={"field": "config"}, code="bad_config") from None
    try:
        interface = parse_interface(translation.interface)
    except InterfaceError as exc:
        raise Invalid(
            f"the labeling config does not make a valid Accord interface: {exc}",
            details={"field": "config", "problems": translation.problems},
            code="bad_config",
        ) from None
    return translation, interface


IMPORTING = "Being imported from Label Studio: its tasks appear when the import job ends."
IMPORTED = "Imported from Label Studio."


def _title(title: str) -> str:
    return title.strip()[:MAX_TITLE] or "Label Studio import"


def do_start_labelstudio_import(
    session: Session, user: User, title: str, config_xml: str
) -> Project:
    """The project a background import (`run_labelstudio_import` with ``into``) fills: made
    now, empty, its interface the config's translation (a config that cannot be read is
    refused here, before anything is made)."""
    translation, _ = translate(config_xml)
    return do_create_project(
        session, user, _title(title), translation.interface, description=IMPORTING
    )


def run_labelstudio_import(
    db: Database,
    user: User,
    source: Source,
    config_xml: str,
    options: LabelStudioOptions,
    *,
    on_progress: Callable[[str, int], None] | None = None,
    into: int | None = None,
) -> LabelStudioReport:
    """Import a Label Studio export (see the module); the report, or Invalid naming every
    problem (then nothing was created).

    ``into``: the project `do_start_labelstudio_import` made for a background import. Tasks an
    earlier attempt left in it are deleted first; on failure it is emptied again and renamed
    "... (import failed)", its description saying why, so that the job that says why stays
    readable (a deleted project's jobs are not)."""
    title = _title(options.title)
    try:
        if into is not None:
            _empty(db, user, into)
        return _run(db, user, source, config_xml, options, title, on_progress, into)
    except BaseException as exc:
        if into is not None:
            _give_up(db, user, into, title, exc)
        raise


def _run(
    db: Database,
    user: User,
    source: Source,
    config_xml: str,
    options: LabelStudioOptions,
    title: str,
    on_progress: Callable[[str, int], None] | None,
    into: int | None,
) -> LabelStudioReport:
    translation, interface = translate(config_xml)
    report = LabelStudioReport(notes=list(translation.notes), names=dict(translation.names))
    for text in translation.problems:
        report.problem(f"config: {text}")
    with tempfile.TemporaryDirectory(dir=_dir(options.staging_dir)) as tmp:
        rows_path, annotations_path = Path(tmp) / "rows.jsonl", Path(tmp) / "annotations.jsonl"
        with open(rows_path, "wb") as rows, open(annotations_path, "wb") as annotations:
            spool = _Spool(rows, annotations)
            _check(source, translation, interface, options, report, spool, on_progress)
        if report.problem_count and not options.skip_invalid:
            raise Invalid(
                f"the Label Studio import has {report.problem_count} problem(s); nothing was "
                "imported. Fix them, or import the rest with skip_invalid "
                f"(--skip-invalid). First: {report.problems[0]}",
                details={
                    "problems": report.problems,
                    "problem_count": report.problem_count,
                    "report": report.fields(),
                },
                code="labelstudio_problems",
            )
        if report.tasks == 0:
            raise Invalid(
                "the Label Studio export holds no task to import",
                details={"report": report.fields()},
                code="labelstudio_empty",
            )
        with db.write() as session:
            if into is None:
                project = do_create_project(
                    session,
                    user,
                    title,
                    translation.interface,
                    overlap=max(1, spool.most),
                    description=IMPORTED,
                )
            else:
                project = _filling(session, into)
                project.overlap = max(1, spool.most)
                project.description = IMPORTED
                project.updated_at = utcnow()  # the cached settings (overlap) are read again
            report.project_id = project.id
        if on_progress is not None:
            on_progress("writing", report.tasks)
        try:
            _write(db, user, project.id, rows_path, annotations_path, spool, options, report)
        except BaseException:
            if into is None:
                with db.write() as session:
                    found = session.get(Project, project.id)
                    if found is not None and found.deleted_at is None:
                        do_delete_project(session, user, found)
            raise
    return report


def _filling(session: Session, project_id: int) -> Project:
    project = session.get(Project, project_id)
    if project is None or project.deleted_at is not None:
        raise Invalid(
            f"project {project_id}, made for this import, was deleted: nothing was imported",
            code="labelstudio_project_gone",
        )
    return project


DELETE_BATCH = 1000


def _empty(db: Database, user: User, project_id: int) -> None:
    """Delete what an earlier attempt of the import wrote (short transactions)."""
    while True:
        with db.write() as session:
            _filling(session, project_id)
            ids = list(
                session.scalars(
                    select(Task.id).where(Task.project_id == project_id).limit(DELETE_BATCH)
                )
            )
            if not ids:
                return
            do_delete_tasks(session, user, project_id, ids)


def _give_up(db: Database, user: User, project_id: int, title: str, exc: BaseException) -> None:
    """The background import failed: nothing of it stays, and its project says so."""
    why = exc.message if isinstance(exc, AccordError) else "an internal error"
    try:
        _empty(db, user, project_id)
        with db.write() as session:
            project = session.get(Project, project_id)
            if project is None or project.deleted_at is not None:
                return
            project.name = f"{title[: MAX_TITLE - 20]} (import failed)"
            project.description = (
                f"The Label Studio import failed: {why[:2000]} Nothing was imported: delete this "
                "project, fix the export, and import it again (its job lists every problem)."
            )
            project.updated_at = utcnow()
    except Exception:  # the database is away: the job's own error still says why
        log.exception("could not mark project %d as a failed import", project_id)


def _dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def _check(
    source: Source,
    translation: Translation,
    interface: Interface,
    options: LabelStudioOptions,
    report: LabelStudioReport,
    spool: _Spool,
    on_progress: Callable[[str, int], None] | None,
) -> None:
    row_check = interface.row_check()
    seen: set[str] = set()
    try:
        for index, item in read_json_array(source, options.max_row_bytes):
            task = read_task(translation, interface, item, index, media_base=options.media_base)
            _take(task, row_check, report, spool, seen)
            if on_progress is not None and index % 1000 == 0:
                on_progress("checked", index)
    except FatalFormatError as exc:
        raise Invalid(
            f"the Label Studio export: {exc}", details={"field": "export"}, code="bad_export"
        ) from None


def _take(
    task: LsTask,
    row_check: Callable[[Any], tuple[str, str] | None],
    report: LabelStudioReport,
    spool: _Spool,
    seen: set[str],
) -> None:
    for text in task.problems:
        report.problem(text)
    wrong = row_check(task.data)
    if task.external_id in seen:
        wrong = ("id", f"task id {task.external_id} appears twice in the export")
    if wrong is not None:
        report.problem(f"task {task.external_id}: data.{wrong[0]}: {wrong[1]}")
        report.tasks_skipped += 1
        report.annotations_skipped += len(task.annotations)
        return
    seen.add(task.external_id)
    report.tasks += 1
    report.predictions += len(task.predictions)
    report.cancelled_skipped += task.cancelled
    report.drafts_not_imported += task.drafts
    spool.rows.write(orjson.dumps(task.row()) + b"\n")
    kept = 0
    authors: set[str] = set()
    for annotation in task.annotations:
        key = annotation.author.key
        if key in authors:
            report.problem(
                f"task {task.external_id}, annotation {annotation.ls_id}: a second "
                f"annotation by {key}; Accord keeps one per person and task"
            )
            report.annotations_skipped += 1
            continue
        if annotation.refused:
            report.annotations_skipped += 1
            continue
        authors.add(key)
        kept += 1
        spool.emails[key] = annotation.author.email
        spool.annotations.write(
            orjson.dumps(
                {
                    "task": task.external_id,
                    "author": key,
                    "result": annotation.result,
                    "created_at": annotation.created_at,
                    "updated_at": annotation.updated_at,
                    "seconds": annotation.seconds,
                }
            )
            + b"\n"
        )
    report.annotations += kept
    spool.most = max(spool.most, kept)


def _write(
    db: Database,
    user: User,
    project_id: int,
    rows_path: Path,
    annotations_path: Path,
    spool: _Spool,
    options: LabelStudioOptions,
    report: LabelStudioReport,
) -> None:
    base = options.import_options or ImportOptions(staging_dir=options.staging_dir)
    import_options = ImportOptions(
        staging_dir=base.staging_dir,
        skip_invalid=False,
        max_result_bytes=base.max_result_bytes,
        max_row_bytes=base.max_row_bytes,
        media_check=base.media_check,
    )
    with open(rows_path, "rb") as rows:
        done = run_import(
            db, user, project_id, rows, "jsonl", import_options, filename="label-studio.jsonl"
        )
    if done.created != report.tasks:
        raise Invalid(
            f"the import created {done.created} of {report.tasks} tasks", code="labelstudio_tasks"
        )
    accounts = _accounts(db, user, project_id, spool, report)
    with open(annotations_path, "rb") as lines:
        for chunk in _chunks(lines):
            with db.write() as session:
                _submit(session, project_id, chunk, accounts)
    with db.write() as session:
        record(
            session,
            user,
            "project.import_labelstudio",
            ("project", project_id),
            project_id=project_id,
            after={
                k: v for k, v in report.fields().items() if k not in ("problems", "notes", "names")
            },
        )


def _chunks(lines: IO[bytes]) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for line in lines:
        chunk.append(orjson.loads(line))
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _accounts(
    db: Database, actor: User, project_id: int, spool: _Spool, report: LabelStudioReport
) -> dict[str, User]:
    """Each author's account (see the module), a member of the project."""
    out: dict[str, User] = {}
    with db.write() as session:
        for key, email in sorted(spool.emails.items()):
            found = find_user(session, email) if email else None
            if found is not None:  # a person's account, or a placeholder Accord exported
                if session.get(Membership, (project_id, found.id)) is None:
                    session.add(
                        Membership(
                            project_id=project_id, user_id=found.id, role=Role.annotator.value
                        )
                    )
                    session.flush()
                    record(
                        session,
                        actor,
                        "member.set",
                        ("user", found.id),
                        project_id=project_id,
                        after={"role": Role.annotator.value},
                    )
                report.accounts_matched += 1
                out[key] = found
                continue
            number = key.rsplit("-", 1)[-1]
            name = f"Label Studio {email}" if email else f"Label Studio user {number}"
            existed = session.scalar(select(User.id).where(User.email == source_email(name)))
            out[key] = do_source_account(session, actor, project_id, name)
            if existed is None:
                report.accounts_created += 1
            else:
                report.accounts_matched += 1
        for account in out.values():
            session.expunge(account)
    return out


_TASKS = select(
    Task.id,
    Task.project_id,
    Task.external_id,
    Task.data,
    Task.n_submitted,
    Task.created_at,
    Task.purpose,
)


def _submit(
    session: Session, project_id: int, chunk: list[dict[str, Any]], accounts: dict[str, User]
) -> None:
    project = session.get(Project, project_id)
    assert project is not None
    info = project_info(session, project_id, project.updated_at)
    wanted = {item["task"] for item in chunk}
    tasks = {
        row.external_id: row
        for row in session.execute(
            _TASKS.where(Task.project_id == project_id, Task.external_id.in_(wanted))
        )
    }
    for item in chunk:
        row = tasks[item["task"]]
        task = TaskRef(
            row.id,
            row.project_id,
            row.external_id,
            _text(row.data),
            row.n_submitted,
            row.created_at,
            row.purpose,
        )
        done = do_submit(
            session, accounts[item["author"]], info, task, item["result"], item["seconds"]
        )
        created = _when(item["created_at"])
        updated = _when(item["updated_at"]) or created
        stamps = {k: v for k, v in (("created_at", created), ("updated_at", updated)) if v}
        if stamps:
            session.execute(update(Annotation).where(Annotation.id == done.id).values(**stamps))
        # the next submission to this task reads its count afresh
        refreshed = session.execute(_TASKS.where(Task.id == row.id)).one()
        tasks[item["task"]] = refreshed


def _text(data: Any) -> str:
    return data if isinstance(data, str) else orjson.dumps(data).decode()


def _when(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        stamp = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)
