"""Originality of written answers: the check at submit, what reviewers see, reference corpora.

docs/originality.md describes the settings and what they do not protect.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import replace
from typing import Any, Literal

import anyio
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from accord.actions.jobs import do_start_job
from accord.actions.originality import do_delete_corpus, do_start_corpus
from accord.api.auth import CurrentCaller, Db
from accord.api.checks import SubmitWarning
from accord.api.errors import errors
from accord.api.jobs import JobOut, job_out, runner_of
from accord.api.policies import Can, access, may_review, task_access
from accord.api.schemas import In
from accord.db import Database
from accord.errors import Invalid, NotFound
from accord.models import Annotation, OriginalityCorpus, OriginalityText, User
from accord.queries.jobs import job_with_owner
from accord.queries.originality import Finding, Outcome, check_of, check_submission
from accord.queries.projects import ProjectInfo

router = APIRouter(tags=["originality"])


class TypingIn(In):
    """How the text of one answer came to be, as the browser counted it."""

    typed: int = Field(ge=0, le=10**9, description="Characters typed")
    pasted: int = Field(ge=0, le=10**9, description="Characters pasted")


Typing = dict[str, TypingIn]


class PassageOut(BaseModel):
    yours: list[int] = Field(description="[start, end) in your text (code points)")
    theirs: list[int] = Field(description="[start, end) in the matching text (code points)")
    words: int
    source: str = Field(description="submission (an earlier answer) or reference (the corpus)")
    text: str = Field(description="The matching passage of the other text")
    before: str = Field(description="Up to 40 characters of the other text before it")
    after: str = Field(description="Up to 40 characters of the other text after it")


class FindingOut(BaseModel):
    question: str
    similarity: float = Field(description="Jaccard index of word 3-gram sets, 0-1")
    source: str
    verdict: Literal["original", "warn", "block"]
    passages: list[PassageOut] = Field(
        description="The shared runs of words (never whose the other text is, nor its task)"
    )


def findings_out(outcome: Outcome | None) -> list[FindingOut]:
    """The warnings a submission's answer carries (questions above their warn_above)."""
    if outcome is None:
        return []
    return [FindingOut(**f.public()) for f in outcome.warned]


def originality_warnings(outcome: Outcome | None) -> list[SubmitWarning]:
    """One line per warned question in the submit answer's ``warnings``."""
    return [
        SubmitWarning(
            path=f"result.{f.question}.text",
            check="originality",
            message=f"{round(f.similarity * 100)}% similar to {_other(f.source)}",
        )
        for f in (outcome.warned if outcome is not None else [])
    ]


def _other(source: str) -> str:
    return "a reference text" if source == "reference" else "an earlier answer"


def warn_only(outcome: Outcome | None) -> Outcome | None:
    """``outcome`` with every block turned into a warning: reviewers' fixes and adjudicated
    answers correct someone else's text, so the check tells them, never refuses them."""
    if outcome is None:
        return None
    return replace(
        outcome,
        findings=[
            replace(f, verdict="warn") if f.verdict == "block" else f for f in outcome.findings
        ],
    )


def correction_check(
    session: Session,
    project: ProjectInfo,
    result: Any,
    exclude_annotation: int | None = None,
) -> Outcome | None:
    """The originality check of a reviewer's fix or an adjudicated answer: warnings only
    (`warn_only`); ``exclude_annotation``: the fixed annotation, whose own texts do not count."""
    found = check_submission(
        session, project.id, project.interface, result, exclude_annotation=exclude_annotation
    )
    return warn_only(found)


def refuse_if_blocked(outcome: Outcome | None) -> None:
    """422 ``not_original`` when an answer is above its question's ``block_above``."""
    if outcome is None or not outcome.blocked:
        return
    first: Finding = outcome.blocked[0]
    raise Invalid(
        f"result.{first.question}.text: {round(first.similarity * 100)}% similar to "
        f"{_other(first.source)}; "
        "rewrite it in your own words (the matching passages are in details)",
        details={**first.public(), "path": f"result.{first.question}.text"},
        code="not_original",
    )


def typing_of(typing: Typing | None) -> dict[str, Any] | None:
    if not typing:
        return None
    return {name: t.model_dump() for name, t in typing.items()}


class CheckIn(In):
    result: dict[str, Any] = Field(description="Answers keyed by question name")
    annotation_id: int | None = Field(
        default=None,
        description="Editing: the caller's own annotation of this task, whose texts do not "
        "count (as at `PUT /annotations/{id}`)",
    )


class Preview(BaseModel):
    findings: list[FindingOut] = Field(
        description="Answers above their question's warn_above (verdict warn or block)"
    )


@router.post(
    "/tasks/{task_id}/originality",
    summary="Check answers' originality before submitting (nothing is written)",
    responses=errors(401, 403, 404, 413, 422),
)
def preview(task_id: int, body: CheckIn, caller: CurrentCaller, db: Db) -> Preview:
    """What submitting ``result`` would meet: the browser asks before it submits, to let the
    annotator revise or submit anyway; the submission is checked again."""
    with db.read() as session:
        _, project, _ = task_access(session, caller.user, task_id, Can.annotate)
        if body.annotation_id is not None:
            editing = session.get(Annotation, body.annotation_id)
            if editing is None or (editing.user_id, editing.task_id) != (caller.user.id, task_id):
                raise NotFound(
                    f"annotation_id: no annotation {body.annotation_id} of yours on task "
                    f"{task_id}; leave it out when submitting a new answer"
                )
        found = check_submission(
            session,
            project.id,
            project.interface,
            body.result,
            exclude_annotation=body.annotation_id,
        )
        findings = [] if found is None else found.blocked + found.warned
        return Preview(findings=[FindingOut(**f.public()) for f in findings])


class CheckOut(BaseModel):
    annotation_id: int
    similarity: float | None
    verdict: str
    details: dict[str, Any] = Field(
        description="By question: similarity, source, passages, the matching text; the "
        "matching annotation's id for reviewers and managers"
    )
    typing: dict[str, Any] = Field(description="By question: characters typed and pasted")


@router.get(
    "/annotations/{annotation_id}/originality",
    summary="What the originality check found about an annotation",
    responses=errors(401, 404, 422),
)
def get_check(annotation_id: int, caller: CurrentCaller, db: Db) -> CheckOut:
    with db.read() as session:
        annotation = session.get(Annotation, annotation_id)
        missing = NotFound(f"no annotation {annotation_id}, or you cannot see it")
        if annotation is None:
            raise missing
        try:
            _, _, role = task_access(session, caller.user, annotation.task_id, Can.view)
        except NotFound:
            raise missing from None
        reviewer = may_review(role)
        if annotation.user_id != caller.user.id and not reviewer:
            raise missing
        check = check_of(session, annotation_id)
        if check is None:
            return CheckOut(
                annotation_id=annotation_id,
                similarity=None,
                verdict="original",
                details={},
                typing={},
            )
        return CheckOut(
            annotation_id=annotation_id,
            similarity=check.similarity,
            verdict=check.verdict,
            details=_details(session, check.details, reviewer),
            typing=check.typing,
        )


def _details(session: Session, details: dict[str, Any], reviewer: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for question, found in details.items():
        theirs = session.scalar(
            select(OriginalityText.text).where(OriginalityText.id == found.get("text_id"))
        )
        item = {k: v for k, v in found.items() if k not in ("text_id", "annotation_id")}
        item["theirs"] = theirs  # None: the matching text was deleted since
        if reviewer:
            item["annotation_id"] = found.get("annotation_id")
        out[question] = item
    return out


class CorpusOut(BaseModel):
    id: int
    question: str
    name: str
    state: str = Field(
        description="indexing (not used yet), ready (used by checks), failed, deleting (not "
        "used; being removed)"
    )
    texts: int
    job_id: int | None
    created_at: dt.datetime
    error: str | None


def corpus_out(corpus: OriginalityCorpus) -> CorpusOut:
    return CorpusOut(
        id=corpus.id,
        question=corpus.question,
        name=corpus.name,
        state=corpus.state,
        texts=corpus.texts,
        job_id=corpus.job_id,
        created_at=corpus.created_at,
        error=corpus.error,
    )


@router.get(
    "/projects/{project_id}/originality/corpora",
    summary="The project's reference corpora",
    responses=errors(401, 403, 404, 422),
)
def list_corpora(project_id: int, caller: CurrentCaller, db: Db) -> list[CorpusOut]:
    with db.read() as session:
        access(session, caller.user, project_id, Can.review)
        rows = session.scalars(
            select(OriginalityCorpus)
            .where(OriginalityCorpus.project_id == project_id)
            .order_by(OriginalityCorpus.id.desc())
        ).all()
        return [corpus_out(c) for c in rows]


class CorpusStarted(BaseModel):
    corpus: CorpusOut
    job: JobOut


@router.post(
    "/projects/{project_id}/originality/corpora",
    summary="Upload a reference corpus (indexed in the background)",
    status_code=202,
    responses=errors(401, 403, 404, 413, 422),
)
async def upload_corpus(
    project_id: int,
    request: Request,
    caller: CurrentCaller,
    db: Db,
    question: str = Query(description="The text question (with originality set) it is for"),
    format: Literal["lines", "jsonl"] = Query(
        default="lines", description='lines: one text per line; jsonl: {"text": ...} a line'
    ),
    name: str = Query(default="", max_length=300, description="A name to tell it by"),
) -> JSONResponse:
    """The body is the file (UTF-8). It is checked whole before anything is indexed: a bad
    line fails the job naming the line, and the corpus is not used."""
    with db.read() as session:
        project, _ = access(session, caller.user, project_id, Can.manage)
        if question not in [q.name for q in project.interface.questions]:
            raise Invalid(
                f"no question {question!r} in this project", details={"field": "question"}
            )
    storage = runner_of(request).storage
    key = f"spool/originality/{uuid.uuid4().hex}.txt"
    spool = storage.writer(key)
    out = await anyio.to_thread.run_sync(spool.__enter__)
    try:
        async for chunk in request.stream():
            if chunk:
                await anyio.to_thread.run_sync(out.write, chunk)
    except BaseException as exc:
        await anyio.to_thread.run_sync(spool.__exit__, type(exc), exc, exc.__traceback__)
        raise
    await anyio.to_thread.run_sync(spool.__exit__, None, None, None)
    try:
        started = await run_in_threadpool(
            _start, request, db, caller.user, project_id, question, format, name or key, key
        )
    except BaseException:
        storage.delete(key)
        raise
    return JSONResponse(started.model_dump(mode="json"), status_code=202)


def _start(
    request: Request,
    db: Database,
    user: User,
    project_id: int,
    question: str,
    fmt: str,
    name: str,
    key: str,
) -> CorpusStarted:
    with db.write() as session:
        project, _ = access(session, user, project_id, Can.manage)
        corpus = do_start_corpus(session, user, project_id, project.interface, question, name)
        params = {"key": key, "corpus_id": corpus.id, "format": fmt, "question": question}
        job = do_start_job(session, user, project_id, "originality_corpus", params, unit="lines")
        corpus.job_id = job.id
        job_id = job.id
        corpus_id = corpus.id
    runner_of(request).send(job_id)
    with db.read() as session:
        found = job_with_owner(session, job_id)
        corpus_row = session.get(OriginalityCorpus, corpus_id)
        assert found is not None and corpus_row is not None
        return CorpusStarted(
            corpus=corpus_out(corpus_row), job=job_out(*found, request.app.state.settings)
        )


@router.delete(
    "/projects/{project_id}/originality/corpora/{corpus_id}",
    summary="Delete a reference corpus (out of use at once; its texts removed in the background)",
    status_code=202,
    responses=errors(401, 403, 404, 409, 422),
)
def delete_corpus(
    project_id: int, corpus_id: int, request: Request, caller: CurrentCaller, db: Db
) -> CorpusStarted:
    """Checks stop using the corpus when this answers; its texts and band keys are removed by
    an ``originality_corpus_delete`` job in short transactions, then the corpus is gone from
    the list. 409 while the corpus is still being indexed (cancel its job first)."""
    with db.write() as session:
        access(session, caller.user, project_id, Can.manage)
        corpus = session.get(OriginalityCorpus, corpus_id)
        if corpus is None or corpus.project_id != project_id:
            raise NotFound(
                f"no reference corpus {corpus_id} in project {project_id}; list them with "
                f"GET /api/v1/projects/{project_id}/originality/corpora"
            )
        do_delete_corpus(session, caller.user, corpus)
        params = {"corpus_id": corpus.id, "texts": corpus.texts, "name": corpus.name}
        job = do_start_job(
            session, caller.user, project_id, "originality_corpus_delete", params, unit="texts"
        )
        job_id = job.id
        shown = corpus_out(corpus)
    runner_of(request).send(job_id)
    with db.read() as session:
        found = job_with_owner(session, job_id)
        assert found is not None
        return CorpusStarted(corpus=shown, job=job_out(*found, request.app.state.settings))
