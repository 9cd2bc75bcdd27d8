"""LLM assistance (docs/llm.md): a project's OpenAI-compatible endpoint and prompt templates
(managers), its call log, the ``llm`` job over a project, and the calls for one task: a
judgement, candidate responses, and a rewrite suggestion streamed to the annotator.

The API key is write-only: answers carry ``has_key`` and ``key_hint``, never the key.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from accord.actions.llm import (
    MAX_KEY,
    EndpointChange,
    InstanceLlm,
    do_delete_endpoint,
    do_reset_usage,
    do_save_template,
    do_set_endpoint,
    shown,
)
from accord.actions.llm_keys import key_sealer
from accord.api.auth import AppSettings, CurrentCaller, Db
from accord.api.errors import errors
from accord.api.jobs import JobOut, start_job
from accord.api.llm_streams import candidates_response, suggest_response, upstream
from accord.api.policies import Can, access, may_review, project_for, require, task_for
from accord.api.schemas import Deleted, In
from accord.errors import Invalid
from accord.jobs.llm import MAX_N, candidate_field, interface_for, judge_task, setup_for
from accord.jobs.llm_client import LlmFailed
from accord.jobs.webhook_targets import MAX_URL
from accord.kinds.prompts import MAX_TEMPLATE
from accord.models import LlmCall, LlmEndpoint, LlmTemplate
from accord.queries.llm import calls_of, latest_templates, template_versions
from accord.queries.llm_scores import judge_scores_all
from accord.settings import Settings

router = APIRouter(tags=["llm"])

BASE = "/projects/{project_id}/llm"
TASK = "/tasks/{task_id}/llm"


class EndpointIn(In):
    base_url: str | None = Field(
        default=None,
        max_length=MAX_URL,
        description="e.g. https://api.openai.com/v1 (not with use_instance)",
    )
    model: str | None = Field(default=None, min_length=1, max_length=200)
    use_instance: bool = Field(
        default=False,
        description="Use the endpoint the server offers (ACCORD_LLM_BASE_URL) with this "
        "project's parameters and budget, instead of base_url, model and api_key",
    )
    api_key: str | None = Field(
        default=None, max_length=MAX_KEY, description='Omit to keep the stored key; "" removes it'
    )
    timeout_seconds: float = Field(default=60.0, gt=0, le=600)
    max_tokens: int = Field(default=1024, ge=1, le=100_000)
    temperature: float = Field(default=0.7, ge=0, le=2)
    token_budget: int | None = Field(default=None, ge=0, description="None: no cap")


class EndpointOut(BaseModel):
    uses_instance: bool = Field(description="The server's endpoint (ACCORD_LLM_BASE_URL)")
    base_url: str
    model: str
    has_key: bool
    key_hint: str = Field(description="The key's last four characters, to tell keys apart")
    timeout_seconds: float
    max_tokens: int
    temperature: float
    token_budget: int | None
    tokens_used: int


class TemplateIn(In):
    name: str = Field(min_length=1, max_length=100)
    prompt: str = Field(max_length=MAX_TEMPLATE)
    system: str = Field(default="", max_length=MAX_TEMPLATE)


class TemplateOut(BaseModel):
    id: int
    name: str
    version: int
    system: str
    prompt: str
    created_at: dt.datetime

    @classmethod
    def of(cls, t: LlmTemplate) -> TemplateOut:
        return cls(
            id=t.id, name=t.name, version=t.version, system=t.system, prompt=t.prompt,
            created_at=t.created_at,
        )  # fmt: skip


class CallOut(BaseModel):
    id: int
    task_id: int | None
    job_id: int | None
    use: str
    model: str
    template_name: str
    template_version: int | None
    parameters: dict[str, Any]
    prompt: str
    completion: str
    rationale: str
    prediction_id: int | None
    prompt_tokens: int
    completion_tokens: int
    latency_ms: float | None
    status: str = Field(description="ok, error, invalid or refused")
    error: str
    created_at: dt.datetime

    @classmethod
    def of(cls, c: LlmCall) -> CallOut:
        return cls(
            id=c.id, task_id=c.task_id, job_id=c.job_id, use=c.use, model=c.model,
            template_name=c.template_name, template_version=c.template_version,
            parameters=c.parameters, prompt=c.prompt, completion=c.completion,
            rationale=c.rationale, prediction_id=c.prediction_id,
            prompt_tokens=c.prompt_tokens, completion_tokens=c.completion_tokens,
            latency_ms=c.latency_ms, status=c.status, error=c.error, created_at=c.created_at,
        )  # fmt: skip


class CallPage(BaseModel):
    items: list[CallOut]
    next_before: int | None


class JobIn(In):
    use: Literal["candidates", "judge"]
    template: str = Field(min_length=1, max_length=100)
    template_version: int | None = Field(default=None, ge=1, description="None: the latest")
    field: str | None = Field(default=None, description="candidates: the text_list field")
    n: int = Field(default=2, ge=1, le=MAX_N, description="candidates: how many per task")
    question: str | None = Field(default=None, description="judge: the question to answer")
    overwrite: bool = Field(default=False, description="candidates: replace items already there")


class JudgeIn(In):
    template: str = Field(min_length=1, max_length=100)
    question: str = Field(min_length=1, max_length=100)


class JudgeOut(BaseModel):
    status: str = Field(description="ok (stored as a prediction) or invalid (not stored)")
    call_id: int
    prediction_id: int | None = None
    result: dict[str, Any] | None = None
    rationale: str = ""
    error: str = ""


class CandidatesIn(In):
    template: str = Field(min_length=1, max_length=100)
    field: str = Field(min_length=1, max_length=100)
    n: int = Field(default=2, ge=1, le=MAX_N)
    stream: bool = Field(default=True, description="Server-sent events as the text arrives")
    save: bool = Field(default=False, description="Fill the task's field (nobody started it)")
    overwrite: bool = False


class SuggestIn(In):
    template: str = Field(default="rewrite", min_length=1, max_length=100)
    text: str = Field(default="", max_length=100_000, description="The text to rewrite")
    question: str | None = Field(default=None, max_length=100)
    stream: bool = True


def _endpoint_out(endpoint: LlmEndpoint, settings: Settings) -> EndpointOut:
    return EndpointOut(**shown(endpoint, InstanceLlm.of(settings)))


class InstanceOut(BaseModel):
    available: bool = Field(description="The server offers an LLM endpoint to every project")
    base_url: str | None
    model: str | None
    has_key: bool


@router.get(
    BASE + "/instance",
    summary="The LLM endpoint this server offers every project, if any (never its key)",
    responses=errors(401, 403, 404, 422),
)
def instance_endpoint(
    project_id: int, caller: CurrentCaller, db: Db, settings: AppSettings
) -> InstanceOut:
    with db.read() as session:  # its managers choose it: only they are shown where it is
        access(session, caller.user, project_id, Can.manage)
    found = InstanceLlm.of(settings)
    if found is None:
        return InstanceOut(available=False, base_url=None, model=None, has_key=False)
    return InstanceOut(
        available=True, base_url=found.base_url, model=found.model, has_key=bool(found.key)
    )


@router.get(
    BASE,
    summary="The project's LLM endpoint (never its key); null when it has none",
    responses=errors(401, 403, 404, 422),
)
def get_endpoint(
    project_id: int, caller: CurrentCaller, db: Db, settings: AppSettings
) -> EndpointOut | None:
    with db.read() as session:
        access(session, caller.user, project_id, Can.manage)
        endpoint = session.get(LlmEndpoint, project_id)
        return _endpoint_out(endpoint, settings) if endpoint is not None else None


@router.put(
    BASE, summary="Set the project's LLM endpoint", responses=errors(401, 403, 404, 413, 422)
)
def set_endpoint(
    project_id: int, body: EndpointIn, caller: CurrentCaller, db: Db, settings: AppSettings
) -> EndpointOut:
    seal = key_sealer(db)  # before the transaction: it may make the instance secret
    with db.write() as session:
        access(session, caller.user, project_id, Can.manage)
        endpoint = do_set_endpoint(
            session, caller.user, project_id, EndpointChange(**body.model_dump()),
            seal=seal, allow_private=settings.webhook_allow_private,
            instance=InstanceLlm.of(settings),
        )  # fmt: skip
        return _endpoint_out(endpoint, settings)


@router.delete(
    BASE,
    summary="Remove the project's LLM endpoint (if it has one)",
    responses=errors(401, 403, 404, 422),
)
def delete_endpoint(project_id: int, caller: CurrentCaller, db: Db) -> Deleted:
    with db.write() as session:
        access(session, caller.user, project_id, Can.manage)
        do_delete_endpoint(session, caller.user, project_id)
    return Deleted()


@router.post(
    BASE + "/reset-usage",
    summary="Start the token count again",
    responses=errors(401, 403, 404, 422),
)
def reset_usage(
    project_id: int, caller: CurrentCaller, db: Db, settings: AppSettings
) -> EndpointOut:
    with db.write() as session:
        access(session, caller.user, project_id, Can.manage)
        return _endpoint_out(do_reset_usage(session, caller.user, project_id), settings)


@router.get(
    BASE + "/templates",
    summary="The latest version of each prompt template",
    responses=errors(401, 403, 404, 422),
)
def list_templates(project_id: int, caller: CurrentCaller, db: Db) -> list[TemplateOut]:
    with db.read() as session:
        access(session, caller.user, project_id, Can.manage)
        return [TemplateOut.of(t) for t in latest_templates(session, project_id)]


@router.post(
    BASE + "/templates",
    summary="Save a prompt template (a new version each time)",
    status_code=201,
    responses=errors(401, 403, 404, 413, 422),
)
def save_template(project_id: int, body: TemplateIn, caller: CurrentCaller, db: Db) -> TemplateOut:
    with db.write() as session:
        access(session, caller.user, project_id, Can.manage)
        saved = do_save_template(
            session, caller.user, project_id, body.name, body.prompt, body.system
        )
        return TemplateOut.of(saved)


@router.get(
    BASE + "/templates/{name}",
    summary="Every version of a template, oldest first",
    responses=errors(401, 403, 404, 422),
)
def get_template_versions(
    project_id: int, name: str, caller: CurrentCaller, db: Db
) -> list[TemplateOut]:
    with db.read() as session:
        access(session, caller.user, project_id, Can.manage)
        return [TemplateOut.of(t) for t in template_versions(session, project_id, name)]


@router.get(
    BASE + "/calls", summary="The call log, newest first", responses=errors(401, 403, 404, 422)
)
def list_calls(
    project_id: int,
    caller: CurrentCaller,
    db: Db,
    before: int | None = Query(default=None, ge=1),
    task_id: int | None = Query(default=None, ge=1),
    job_id: int | None = Query(default=None, ge=1),
    limit: int = Query(default=50, ge=1, le=500),
) -> CallPage:
    with db.read() as session:
        access(session, caller.user, project_id, Can.manage)
        rows = calls_of(
            session, project_id, before=before, limit=limit, task_id=task_id, job_id=job_id
        )
        return CallPage(
            items=[CallOut.of(c) for c in rows],
            next_before=rows[-1].id if len(rows) == limit else None,
        )


class JudgeScore(BaseModel):
    model_version: str
    tasks: int = Field(description="Tasks the judge answered this question on")
    tasks_with_people: int
    agreement: float | None = Field(description="Share of people's answers equal to the judge's")
    gold_tasks: int
    gold_accuracy: float | None


class QuestionScores(BaseModel):
    question: str
    kind: str = Field(description="choice, image_class, pairwise, rating or rubric")
    criterion: str | None = Field(
        default=None, description="A rubric's criterion (one row each); None for the others"
    )
    people_agreement: dict[str, Any] = Field(description="{pairs, agreement} among people")
    judges: list[JudgeScore]


@router.get(
    BASE + "/judge-scores",
    summary="The LLM judge scored like an annotator: agreement with people, gold accuracy",
    responses=errors(401, 403, 404, 422),
)
def judge_scores(
    project_id: int,
    caller: CurrentCaller,
    db: Db,
    question: str | None = Query(
        default=None, description="One question (default: all; a rubric: a row per criterion)"
    ),
) -> list[QuestionScores]:
    with db.read() as session:
        project, _ = project_for(session, caller.user, project_id, Can.manage)
        return [QuestionScores(**row) for row in judge_scores_all(session, project, question)]


@router.post(
    BASE + "/jobs",
    summary="Run candidates or the judge over the project as a job",
    status_code=202,
    responses=errors(401, 403, 404, 409, 413, 422),
)
def start_llm_job(
    project_id: int,
    body: JobIn,
    request: Request,
    caller: CurrentCaller,
    db: Db,
    settings: AppSettings,
) -> JobOut:
    with db.read() as session:
        access(session, caller.user, project_id, Can.manage)
    setup = setup_for(db, settings, project_id, body.template, body.template_version)
    interface = interface_for(db, project_id)
    params = body.model_dump()
    params["template_version"] = setup.template_version
    if body.use == "candidates":
        if body.field is None:
            raise Invalid("field: name the text_list field the candidates fill")
        most = candidate_field(interface, body.field)
        if most is not None and body.n > most:
            raise Invalid(
                f"n: the field {body.field} takes at most {most} items", details={"field": "n"}
            )
    else:
        if body.question is None or interface.question(body.question) is None:
            raise Invalid(
                "question: name the question the judge answers", details={"field": "question"}
            )
    return start_job(request, db, caller.user, project_id, "llm", params, unit="tasks", single=True)


@router.post(
    TASK + "/judge",
    summary="Ask the judge about one task (stored as a prediction if it fits)",
    responses=errors(401, 403, 404, 413, 422, 429, 502),
)
def judge_one(
    task_id: int, body: JudgeIn, caller: CurrentCaller, db: Db, settings: AppSettings
) -> JudgeOut:
    with db.read() as session:
        task, project, _ = task_for(session, caller.user, task_id, Can.manage)
        session.expunge(task)
    setup = setup_for(db, settings, project.id, body.template)
    interface = interface_for(db, project.id)
    try:
        outcome = judge_task(db, setup, interface, task, body.question, user_id=caller.user.id)
    except LlmFailed as exc:
        raise upstream(str(exc)) from None
    return JudgeOut(**outcome)


@router.post(
    TASK + "/candidates",
    summary="Candidate responses for one task (streamed by default)",
    responses=errors(401, 403, 404, 409, 413, 422, 429, 502),
)
async def candidates_one(
    task_id: int, body: CandidatesIn, caller: CurrentCaller, db: Db, settings: AppSettings
) -> Any:
    def load() -> tuple[Any, Any]:
        with db.read() as session:
            task, project, _ = task_for(session, caller.user, task_id, Can.manage)
            session.expunge(task)
        setup = setup_for(db, settings, project.id, body.template)
        most = candidate_field(interface_for(db, project.id), body.field)
        if most is not None and body.n > most:
            raise Invalid(f"n: the field {body.field} takes at most {most} items")
        return task, setup

    task, setup = await run_in_threadpool(load)
    return await candidates_response(db, setup, task, body, caller.user.id)


class Available(BaseModel):
    suggest: bool = Field(description="The project has an endpoint and a `rewrite` template")


@router.get(
    TASK + "/available",
    summary="Whether rewrite suggestions are offered for this task (for the annotate screen)",
    responses=errors(401, 403, 404, 422),
)
def available(task_id: int, caller: CurrentCaller, db: Db) -> Available:
    with db.read() as session:
        task, _, _ = task_for(session, caller.user, task_id, Can.view)
        has_endpoint = session.get(LlmEndpoint, task.project_id) is not None
        has_template = has_endpoint and bool(
            session.scalar(
                select(LlmTemplate.id)
                .where(LlmTemplate.project_id == task.project_id, LlmTemplate.name == "rewrite")
                .limit(1)
            )
        )
        return Available(suggest=has_template)


@router.post(
    TASK + "/suggest",
    summary="A rewrite suggestion for a writing task, streamed; nothing is saved",
    responses=errors(401, 403, 404, 413, 422, 429, 502),
)
async def suggest(
    task_id: int, body: SuggestIn, caller: CurrentCaller, db: Db, settings: AppSettings
) -> Any:
    def load() -> tuple[Any, Any]:
        with db.read() as session:
            task, project, role = task_for(session, caller.user, task_id, Can.view)
            if not may_review(role):
                require(role, Can.annotate)
            session.expunge(task)
        return task, setup_for(db, settings, project.id, body.template)

    task, setup = await run_in_threadpool(load)
    return await suggest_response(db, setup, task, body, caller.user.id)
