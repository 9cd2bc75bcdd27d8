"""Ambiguity flags and the FAQ: flag a task as unclear under the guidelines with a question;
the managers' and reviewers' queue; answer, publish, promote into a guideline amendment; the
project's FAQ. See docs/flags.md.

Who sees whom: only managers (and admins) see who asked a question; reviewers see the queue
without names; annotators see their own questions and the FAQ, which never names the asker.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from accord.actions.flags import (
    MAX_ANSWER,
    MAX_QUESTION,
    MAX_SECTION,
    do_answer_flag,
    do_flag,
    do_promote_flag,
)
from accord.api.auth import CurrentCaller, Db
from accord.api.errors import errors
from accord.api.policies import ADMIN, Can, access, project_for, task_access
from accord.api.schemas import In
from accord.api.transactions import in_write
from accord.errors import Invalid, NotFound
from accord.formats.guidelines import sections
from accord.models import Flag, Project, Role, Task
from accord.queries.flags import (
    FlagRow,
    faq_of,
    flag_figures,
    flag_in,
    flag_row,
    flags_of,
    open_by_section,
    proposed_amendment,
)

router = APIRouter(tags=["flags"])

StateName = Literal["open", "answered", "all"]


class FlagIn(In):
    question: str = Field(
        description=f"What is unclear (at most {MAX_QUESTION:,} characters)", min_length=1
    )
    section: str = Field(
        default="",
        description=f"The guideline section's anchor it is about ('' for the guidelines as a "
        f"whole; at most {MAX_SECTION} characters)",
    )
    skip: bool = Field(default=False, description="Also skip the task (it will not come back)")


class AnswerFlagIn(In):
    answer: str = Field(description=f"The answer (at most {MAX_ANSWER:,} characters)")
    publish: bool = Field(default=False, description="Show it in the project's FAQ")
    faq_question: str = Field(
        default="",
        description="The question as the FAQ shows it ('' keeps the asker's wording)",
    )


class PromoteIn(In):
    text: str = Field(description="The guidelines' new text (start from GET …/amendment)")
    note: str = Field(default="", max_length=2000, description="The change note")
    material: bool = Field(
        default=False, description="Annotators must acknowledge it before their next task"
    )
    base_version: int = Field(
        description="The guideline version the text was written against (a newer one: 409)"
    )


class FlagOut(BaseModel):
    id: int
    project_id: int
    task_id: int
    task_external_id: str | None
    annotation_id: int | None = Field(
        description="The asker's annotation of the task, if they submitted one"
    )
    section: str
    question: str
    guidelines_version: int = Field(description="The guidelines version in force when asked")
    state: str = Field(description="open or answered")
    answer: str
    answered_at: dt.datetime | None
    published: bool
    faq_question: str
    amended_version: int | None = Field(description="The guideline version it became, if any")
    mine: bool = Field(description="The caller asked it")
    asker_id: int | None = Field(description="Who asked (managers only)")
    asker_name: str | None = Field(description="Who asked (managers only)")
    asker_email: str | None = Field(description="Who asked (managers only)")
    created_at: dt.datetime

    @classmethod
    def of(cls, row: FlagRow, caller_id: int, role: str) -> FlagOut:
        flag, names = row.flag, _sees_askers(role)
        return cls(
            id=flag.id,
            project_id=flag.project_id,
            task_id=flag.task_id,
            task_external_id=row.task_external_id,
            annotation_id=row.annotation_id,
            section=flag.section,
            question=flag.question,
            guidelines_version=flag.guidelines_version,
            state=flag.state,
            answer=flag.answer,
            answered_at=flag.answered_at,
            published=flag.published,
            faq_question=flag.faq_question,
            amended_version=flag.amended_version,
            mine=flag.user_id == caller_id,
            asker_id=flag.user_id if names else None,
            asker_name=row.asker_name if names else None,
            asker_email=row.asker_email if names else None,
            created_at=flag.created_at,
        )


class FlagPage(BaseModel):
    items: list[FlagOut]
    open_by_section: dict[str, int] = Field(
        description="Open flags per guideline section ('': the guidelines as a whole); "
        "reviewers and managers only"
    )
    next_before: int | None = Field(description="Pass as `before` for the next (older) page")


class FaqEntry(BaseModel):
    id: int
    section: str
    question: str = Field(description="As the manager worded it for the FAQ")
    answer: str
    answered_at: dt.datetime | None
    amended_version: int | None

    @classmethod
    def of(cls, flag: Flag) -> FaqEntry:
        return cls(
            id=flag.id,
            section=flag.section,
            question=flag.faq_question or flag.question,
            answer=flag.answer,
            answered_at=flag.answered_at,
            amended_version=flag.amended_version,
        )


class Amendment(BaseModel):
    text: str = Field(description="The guidelines with the answer and the worked example added")
    note: str
    base_version: int


class FlagFiguresOut(BaseModel):
    open: int = Field(description="Questions waiting for an answer")
    answered: int
    median_seconds_to_answer: float | None = Field(
        description="Median time from a flag to its first answer (None: none answered yet)"
    )
    amendments: int = Field(description="Answers promoted into guideline versions")


def flag_figures_out(session: Session, project_id: int) -> FlagFiguresOut:
    return FlagFiguresOut(**vars(flag_figures(session, project_id)))


class Promoted(BaseModel):
    flag: FlagOut
    version: int = Field(description="The guideline version saved")


def _sees_askers(role: str) -> bool:
    return role in (Role.manager.value, ADMIN)


def _reads_queue(role: str) -> bool:
    return role != Role.annotator.value


def _visible_flag(
    session: Session, caller: CurrentCaller, flag_id: int, need: Can
) -> tuple[Flag, str]:
    """The flag and the caller's role; annotators see only their own (others: 404)."""
    flag = flag_in(session, flag_id)
    try:
        _, role = access(session, caller.user, flag.project_id, Can.view)
    except NotFound:
        raise NotFound(f"no question (flag) {flag_id}, or you cannot see it") from None
    if not _reads_queue(role) and flag.user_id != caller.user.id:
        raise NotFound(f"no question (flag) {flag_id}, or you cannot see it")
    access(session, caller.user, flag.project_id, need)
    return flag, role


@router.post(
    "/tasks/{task_id}/flags",
    summary="Flag a task as unclear under the guidelines, with a question (and skip it, or not)",
    status_code=201,
    responses=errors(401, 403, 404, 409, 413, 422),
)
async def create_flag(task_id: int, body: FlagIn, caller: CurrentCaller, db: Db) -> FlagOut:
    def work(session: Session) -> FlagOut:
        task, project, role = task_access(session, caller.user, task_id, Can.view)
        flag = do_flag(
            session, caller.user, project, task, body.question, section=body.section, skip=body.skip
        )
        return FlagOut.of(flag_row(session, flag.id), caller.user.id, role)

    return await in_write(db, work)


@router.get(
    "/projects/{project_id}/flags",
    summary="The project's questions, newest first (annotators: their own)",
    responses=errors(401, 403, 404, 422),
)
def list_flags(
    project_id: int,
    caller: CurrentCaller,
    db: Db,
    state: StateName = "open",
    section: str | None = Query(default=None, max_length=MAX_SECTION),
    before: int | None = None,
    limit: int = Query(default=50, ge=1, le=200),
) -> FlagPage:
    with db.read() as session:
        _, role = access(session, caller.user, project_id, Can.view)
        queue = _reads_queue(role)
        rows = flags_of(
            session,
            project_id,
            state=None if state == "all" else state,
            section=section,
            asker=None if queue else caller.user.id,
            before=before,
            limit=limit,
        )
        sections = open_by_section(session, project_id) if queue else {}
    return FlagPage(
        items=[FlagOut.of(r, caller.user.id, role) for r in rows],
        open_by_section=sections,
        next_before=rows[-1].flag.id if len(rows) == limit else None,
    )


@router.get("/flags/{flag_id}", summary="A question", responses=errors(401, 404, 422))
def get_flag(flag_id: int, caller: CurrentCaller, db: Db) -> FlagOut:
    with db.read() as session:
        _, role = _visible_flag(session, caller, flag_id, Can.view)
        return FlagOut.of(flag_row(session, flag_id), caller.user.id, role)


@router.post(
    "/flags/{flag_id}/answer",
    summary="Answer a question (managers); the asker is notified; optionally publish it to the FAQ",
    responses=errors(401, 403, 404, 413, 422),
)
def answer_flag(flag_id: int, body: AnswerFlagIn, caller: CurrentCaller, db: Db) -> FlagOut:
    with db.write() as session:
        flag, role = _visible_flag(session, caller, flag_id, Can.manage)
        do_answer_flag(
            session,
            caller.user,
            flag_in(session, flag.id, lock=True),
            body.answer,
            publish=body.publish,
            faq_question=body.faq_question,
        )
        return FlagOut.of(flag_row(session, flag_id), caller.user.id, role)


@router.get(
    "/flags/{flag_id}/amendment",
    summary="The proposed guideline amendment from an answered question (managers): edit it, "
    "then promote",
    responses=errors(401, 403, 404, 422),
)
def get_amendment(
    flag_id: int,
    caller: CurrentCaller,
    db: Db,
    section: str | None = Query(
        default=None,
        max_length=MAX_SECTION,
        description="Put the answer under this section (an anchor) instead of the question's "
        "own; '' puts it at the end",
    ),
) -> Amendment:
    with db.read() as session:
        flag, _ = _visible_flag(session, caller, flag_id, Can.manage)
        project, task = session.get(Project, flag.project_id), session.get(Task, flag.task_id)
        assert project is not None and task is not None
        if section and section not in {s.anchor for s in sections(project.guidelines)}:
            raise Invalid(
                f"section: the guidelines have no section {section!r}; use an anchor from "
                f"GET /projects/{project.id}/guidelines/sections, or '' for the end",
                details={"field": "section", "anchor": section},
            )
        return Amendment(
            text=proposed_amendment(project.guidelines, flag, task, section=section),
            note=f"Amendment from question #{flag.id} (task {task.external_id or task.id})",
            base_version=project.guidelines_version,
        )


@router.post(
    "/flags/{flag_id}/promote",
    summary="Promote an answered question into a new guideline version (managers)",
    responses=errors(401, 403, 404, 409, 413, 422),
)
def promote_flag(flag_id: int, body: PromoteIn, caller: CurrentCaller, db: Db) -> Promoted:
    with db.write() as session:
        flag, role = _visible_flag(session, caller, flag_id, Can.manage)
        project, _ = project_for(session, caller.user, flag.project_id, Can.manage)
        version = do_promote_flag(
            session,
            caller.user,
            flag_in(session, flag.id, lock=True),
            project,
            text=body.text,
            note=body.note,
            material=body.material,
            base_version=body.base_version,
        )
        out = FlagOut.of(flag_row(session, flag_id), caller.user.id, role)
        return Promoted(flag=out, version=int(version.number))


@router.get(
    "/projects/{project_id}/faq",
    summary="The project's published answers (any member); `q` searches their words",
    responses=errors(401, 404, 422),
)
def faq(
    project_id: int,
    caller: CurrentCaller,
    db: Db,
    q: str = Query(default="", max_length=200, description="Words that must all appear"),
    limit: int = Query(default=50, ge=1, le=200),
) -> list[FaqEntry]:
    with db.read() as session:
        access(session, caller.user, project_id, Can.view)
        return [FaqEntry.of(f) for f in faq_of(session, project_id, q, limit)]
