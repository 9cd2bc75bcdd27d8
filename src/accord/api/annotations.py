"""Annotations: submit, edit one's own, list one's work, read the history."""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from accord.actions.annotations import (
    AnnotationRow,
    do_delete_annotation,
    do_edit_annotation,
)
from accord.actions.originality import reindex_submission
from accord.actions.reviews import LOCKING
from accord.api.auth import AppSettings, Caller, CurrentCaller, Db
from accord.api.checks import SubmitWarning, submit_warnings
from accord.api.errors import errors
from accord.api.originality import (
    FindingOut,
    TypingIn,
    findings_out,
    originality_warnings,
    refuse_if_blocked,
    typing_of,
)
from accord.api.policies import Can, access, may_review, project_for, require, task_access
from accord.api.schemas import Deleted, In, shows_emails
from accord.api.transactions import (
    Checked,
    CheckLimiter,
    NeedsCheck,
    answer_text,
    in_write_checked,
)
from accord.errors import NotFound, TooLarge
from accord.models import Annotation, User
from accord.queries.annotations import annotations_by, versions_of
from accord.queries.originality import check_submission
from accord.queries.projects import ProjectInfo
from accord.queries.tasks import TaskRef
from accord.settings import Settings

router = APIRouter(tags=["annotations"])


class AnswerIn(In):
    result: dict[str, Any] = Field(description="Answers keyed by question name")
    seconds: float | None = Field(
        default=None, ge=0, le=7 * 86400, description="Active seconds spent (client-measured)"
    )
    typing: dict[str, TypingIn] | None = Field(
        default=None,
        max_length=500,
        description="By text question: characters typed and pasted (docs/originality.md)",
    )


class AnnotationOut(BaseModel):
    id: int
    task_id: int
    project_id: int
    annotator: str | None = Field(
        description="The author's email: shown for one's own annotations, and to the project's "
        "managers and admins; null otherwise"
    )
    annotator_name: str = Field(description="The author's name")
    result: dict[str, Any]
    seconds: float
    version: int
    review_state: str | None
    editable: bool = Field(
        description="The caller may still edit it (their own, not accepted or fixed in review)"
    )
    created_at: dt.datetime
    updated_at: dt.datetime


class EditedOut(AnnotationOut):
    """The edited annotation, with what its checks warned about (as a submission's)."""

    warnings: list[SubmitWarning] = Field(
        default_factory=list,
        description="Warn-level checks the edited answer fails, and originality above "
        "warn_above (docs/checks.md, docs/originality.md): shown, not refused",
    )
    originality: list[FindingOut] = Field(
        default_factory=list,
        description="Answers above their question's originality warn_above, with the matching "
        "passages",
    )


class VersionOut(BaseModel):
    version: int
    result: dict[str, Any]
    seconds: float
    created_at: dt.datetime


def limit_result(settings: Settings, result: dict[str, Any]) -> None:
    """Refuse an answer or draft larger than ``max_result_bytes`` once written as JSON."""
    size = len(orjson.dumps(result))
    if size > settings.max_result_bytes:
        raise TooLarge(
            f"the result is {size} bytes of JSON, more than the limit of "
            f"{settings.max_result_bytes} bytes; shorten it, or ask an admin to raise "
            "ACCORD_MAX_RESULT_BYTES",
            details={"limit": settings.max_result_bytes, "size": size},
        )


def annotation_out(
    annotation: Annotation | AnnotationRow,
    author: User | str,
    caller_id: int,
    *,
    sees_emails: bool = False,
) -> AnnotationOut:
    """The annotation as ``caller_id`` sees it. ``author`` is the author's account (or only
    their email); their email is shown to them and, with ``sees_emails``, to managers."""
    email, name = (author, "") if isinstance(author, str) else (author.email, author.name)
    return AnnotationOut(
        id=annotation.id,
        task_id=annotation.task_id,
        project_id=annotation.project_id,
        annotator=email if sees_emails or annotation.user_id == caller_id else None,
        annotator_name=name,
        result=orjson.loads(annotation.result),
        seconds=annotation.seconds,
        version=annotation.version,
        review_state=annotation.review_state,
        editable=annotation.user_id == caller_id and annotation.review_state not in LOCKING,
        created_at=annotation.created_at,
        updated_at=annotation.updated_at,
    )


def _load(
    session: Session, caller: Caller, annotation_id: int, need: Can = Can.view
) -> tuple[Annotation, TaskRef, ProjectInfo]:
    """The annotation, its task and project, if the caller may see it (and do ``need``)."""
    annotation = session.get(Annotation, annotation_id)
    missing = NotFound(f"no annotation {annotation_id}, or you cannot see it")
    if annotation is None:
        raise missing
    try:
        task, project, role = task_access(session, caller.user, annotation.task_id, Can.view)
    except NotFound:
        raise missing from None
    if annotation.user_id != caller.user.id and not may_review(role):
        raise missing
    require(role, need)
    return annotation, task, project


@router.get(
    "/annotations/{annotation_id}", summary="One annotation", responses=errors(401, 404, 422)
)
def get_annotation(annotation_id: int, caller: CurrentCaller, db: Db) -> AnnotationOut:
    with db.read() as session:
        annotation, _, _ = _load(session, caller, annotation_id)
        author = session.get(User, annotation.user_id)
        sees = annotation.user_id == caller.user.id or shows_emails(
            access(session, caller.user, annotation.project_id, Can.view)[1]
        )
        return annotation_out(annotation, author or "", caller.user.id, sees_emails=sees)


@router.put(
    "/annotations/{annotation_id}",
    summary="Edit one's own annotation (until reviewed)",
    responses=errors(401, 403, 404, 409, 413, 422),
)
async def edit_annotation(
    annotation_id: int,
    body: AnswerIn,
    caller: CurrentCaller,
    db: Db,
    settings: AppSettings,
    limiter: CheckLimiter,
) -> EditedOut:
    limit_result(settings, body.result)
    seen: list[ProjectInfo] = []  # the project as checked: its warn-level checks run below

    def work(session: Session, checked: Checked | None) -> EditedOut | NeedsCheck:
        annotation, task, project = _load(session, caller, annotation_id, Can.annotate)
        seen[:] = [project]
        text = answer_text(checked, project, task, body.result)
        if isinstance(text, NeedsCheck):
            return text
        found = check_submission(
            session, project.id, project.interface, body.result, exclude_annotation=annotation.id
        )
        refuse_if_blocked(found)  # 422 not_original, as at submit: nothing is written
        do_edit_annotation(
            session, caller.user, project, annotation, task, body.result, body.seconds, checked=text
        )
        if found is not None or body.typing:
            reindex_submission(session, project.id, annotation.id, found, typing_of(body.typing))
        out = annotation_out(annotation, caller.user, caller.user.id)
        return EditedOut(
            **out.model_dump(),
            originality=findings_out(found),
            warnings=originality_warnings(found),
        )

    edited = await in_write_checked(db, limiter, work)
    if seen:
        edited.warnings.extend(await submit_warnings(seen[0].interface, body.result, limiter))
    return edited


@router.delete(
    "/annotations/{annotation_id}",
    summary="Delete an annotation (managers), audited",
    responses=errors(401, 403, 404, 409, 422),
)
def delete_annotation(annotation_id: int, caller: CurrentCaller, db: Db) -> Deleted:
    with db.write() as session:
        _, task, project = _load(session, caller, annotation_id, Can.manage)
        do_delete_annotation(session, caller.user, project, annotation_id, task)
    return Deleted()


@router.get(
    "/annotations/{annotation_id}/versions",
    summary="Every version of an annotation",
    responses=errors(401, 404, 422),
)
def get_versions(annotation_id: int, caller: CurrentCaller, db: Db) -> list[VersionOut]:
    with db.read() as session:
        annotation, _, _ = _load(session, caller, annotation_id)
        return [
            VersionOut(
                version=v.version,
                result=orjson.loads(v.result),
                seconds=v.seconds,
                created_at=v.created_at,
            )
            for v in versions_of(session, annotation)
        ]


class MyWork(BaseModel):
    items: list[AnnotationOut]
    next_before: int | None = Field(description="Pass as `before` for the next (older) page")


@router.get(
    "/projects/{project_id}/annotations/mine",
    summary="The caller's annotations",
    responses=errors(401, 404, 422),
)
def my_annotations(
    project_id: int,
    caller: CurrentCaller,
    db: Db,
    before: int | None = Query(default=None, ge=1, description="Oldest id of the previous page"),
    limit: int = Query(default=50, ge=1, le=500),
) -> MyWork:
    with db.read() as session:
        project_for(session, caller.user, project_id, Can.view)
        rows = annotations_by(session, project_id, caller.user.id, before=before, limit=limit)
        return MyWork(
            items=[annotation_out(a, caller.user, caller.user.id) for a in rows],
            next_before=rows[-1].id if len(rows) == limit else None,
        )
