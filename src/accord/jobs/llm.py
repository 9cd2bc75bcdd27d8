"""LLM assistance, run: one task's candidates or judgement, and the ``llm`` job that does
either over a whole project (docs/llm.md).

The job's ``params``: ``use`` (``candidates`` or ``judge``), ``template`` and
``template_version`` (fixed when the job starts, so every call of the job uses the same one),
``field`` and ``n`` (candidates), ``question`` (judge), ``overwrite``. Tasks are taken in id
order; after each, the job notes the last task done, so a retry goes on from there. A task whose
call fails (endpoint down, timeout, garbage, an answer that does not fit the question) is
logged in the job's log and in the call log, and the job goes on; a call over the budget stops
the job with the budget's message (what was done stays).
"""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
from sqlalchemy import select

from accord.actions.llm import InstanceLlm
from accord.actions.llm_calls import (
    CallInfo,
    Setup,
    do_fill_candidates,
    do_finish_call,
    do_store_judgement,
    reserve,
)
from accord.actions.llm_keys import decrypt_key
from accord.db import Database
from accord.errors import Invalid
from accord.jobs.llm_client import Completion, Endpoint, LlmFailed, complete
from accord.jobs.runner import JobContext, job_handler
from accord.kinds.interface import Interface
from accord.kinds.prompts import TemplateError, answer_format, parse_judgement, placeholders, render
from accord.models import Project, Task
from accord.queries.llm import endpoint_of, template_of
from accord.queries.projects import interface_of
from accord.settings import Settings

BATCH = 100
MAX_N = 10  # candidates per task


def setup_for(
    db: Database, settings: Settings, project_id: int, template: str, version: int | None = None
) -> Setup:
    with db.read() as session:
        endpoint = endpoint_of(session, project_id)
        chosen = template_of(session, project_id, template, version)
        if endpoint.uses_instance:
            instance = InstanceLlm.of(settings)
            if instance is None:
                raise Invalid(
                    "this project uses the server's LLM endpoint, and the server no longer "
                    "offers one (ACCORD_LLM_BASE_URL is unset); a manager sets the project's "
                    "own endpoint in its LLM settings",
                    code="llm_no_instance",
                )
            base_url, model, key = instance.base_url, instance.model, instance.key
        else:
            base_url, model = endpoint.base_url, endpoint.model
            key = decrypt_key(db, endpoint.key_encrypted) if endpoint.key_encrypted else None
        return Setup(
            project_id=project_id,
            endpoint=Endpoint(
                base_url=base_url,
                model=model,
                key=key,
                timeout=endpoint.timeout_seconds,
                # An address an admin set (the server's endpoint) may be a private one.
                allow_private=settings.webhook_allow_private or endpoint.uses_instance,
            ),
            max_tokens=endpoint.max_tokens,
            temperature=endpoint.temperature,
            template_id=chosen.id,
            template_name=chosen.name,
            template_version=chosen.version,
            system=chosen.system,
            prompt=chosen.prompt,
        )


def interface_for(db: Database, project_id: int) -> Interface:
    with db.read() as session:
        project = session.get(Project, project_id)
        if project is None:
            raise Invalid(f"project {project_id} no longer exists")
        return interface_of(project)


def messages_for(
    setup: Setup, data: dict[str, Any], extra: dict[str, Any], *, format_hint: str = ""
) -> list[dict[str, str]]:
    """The chat messages of the template filled from a task's data (`Invalid` if it cannot
    be: a placeholder the task does not have)."""
    context = {**data, "accord": extra}
    try:
        system = render(setup.system, context, where="system")
        prompt = render(setup.prompt, context, where="prompt")
        used = placeholders(setup.system) + placeholders(setup.prompt)
    except TemplateError as exc:
        raise Invalid(
            f"template {setup.template_name!r} (version {setup.template_version}): {exc}",
            code="llm_template",
        ) from None
    if format_hint and "accord.format" not in used:
        system = (system + "\n\n" + format_hint).strip()
    messages = [{"role": "system", "content": system}] if system else []
    return [*messages, {"role": "user", "content": prompt}]


def call(db: Database, setup: Setup, info: CallInfo) -> Completion:
    """Reserve, send; on failure log the call and raise `LlmFailed` (the caller logs success,
    with what it writes)."""
    reserve(db, setup, info)
    try:
        return asyncio.run(complete(setup.endpoint, info.messages, info.params(setup)))
    except LlmFailed as exc:
        with db.write() as session:
            do_finish_call(session, setup, info, None, "error", str(exc))
        raise


def judge_task(
    db: Database,
    setup: Setup,
    interface: Interface,
    task: Task,
    question: str,
    *,
    user_id: int | None = None,
    job_id: int | None = None,
) -> dict[str, Any]:
    """Ask the judge about one task; store its answer as a prediction if it fits the question.

    Returns ``{"status", "call_id", "result", "rationale", "error"}``; raises `LlmFailed` for
    a failed call, `BudgetExceeded` for a refused one.
    """
    asked = interface.question(question)
    if asked is None:
        raise Invalid(f"question: the project has no question {question!r}")
    try:
        hint = answer_format(asked)
    except TemplateError as exc:
        raise Invalid(f"question: {exc}") from None
    data = orjson.loads(task.data)
    info = CallInfo(
        use="judge",
        messages=messages_for(setup, data, {"format": hint}, format_hint=hint),
        task_id=task.id,
        user_id=user_id,
        job_id=job_id,
        extra={"question": question},
    )
    done = call(db, setup, info)
    try:
        answer, rationale = parse_judgement(done.text)
        result = {question: answer}
        problems = interface.check_result(result, data, partial=True)
        if problems:
            raise TemplateError(
                "the judge's answer does not fit the question: "
                + "; ".join(f"{p.path}: {p.message}" for p in problems[:3])
            )
    except TemplateError as exc:
        with db.write() as session:
            logged = do_finish_call(session, setup, info, done, "invalid", str(exc))
        return {"status": "invalid", "call_id": logged.id, "error": str(exc)}
    with db.write() as session:
        fresh = session.get(Task, task.id)
        if fresh is None:
            logged = do_finish_call(session, setup, info, done, "error", "the task was deleted")
            return {"status": "error", "call_id": logged.id, "error": "the task was deleted"}
        logged = do_store_judgement(session, setup, info, done, fresh, result, rationale)
    return {
        "status": "ok",
        "call_id": logged.id,
        "prediction_id": logged.prediction_id,
        "result": result,
        "rationale": rationale,
    }


def candidate_field(interface: Interface, name: str) -> int | None:
    """The most items the ``text_list`` field ``name`` takes (`Invalid` if it is not one)."""
    found = interface.field(name)
    if found is None or found.kind != "text_list":
        lists = [f.name for f in interface.fields if f.kind == "text_list"]
        raise Invalid(
            f"field: {name!r} is not a text_list field of this project; candidates fill one "
            f"({', '.join(lists) or 'the project has none'})",
            details={"field": "field"},
        )
    most: int | None = getattr(found, "max_items", None)
    return most


def candidates_for_task(
    db: Database,
    setup: Setup,
    task: Task,
    n: int,
    *,
    user_id: int | None = None,
    job_id: int | None = None,
) -> tuple[list[str], list[str]]:
    """``n`` candidate responses for one task (each its own call, logged): (texts, errors).
    Raises `BudgetExceeded` when a call is refused (earlier candidates are still returned by
    the job through its log; the per-task API call answers the refusal)."""
    data = orjson.loads(task.data)
    texts: list[str] = []
    errors: list[str] = []
    for index in range(n):
        info = CallInfo(
            use="candidates",
            messages=messages_for(setup, data, {"n": n, "index": index + 1}),
            task_id=task.id,
            user_id=user_id,
            job_id=job_id,
            extra={"index": index + 1, "n": n},
        )
        try:
            done = call(db, setup, info)
        except LlmFailed as exc:
            errors.append(str(exc))
            continue
        with db.write() as session:
            do_finish_call(session, setup, info, done, "ok")
        texts.append(done.text)
    return texts, errors


# -- the job ---------------------------------------------------------------------------------


def _tasks_after(db: Database, project_id: int, after: int) -> list[Task]:
    with db.read() as session:
        query = (
            select(Task)
            .where(Task.project_id == project_id, Task.id > after)
            .order_by(Task.id)
            .limit(BATCH)
        )
        tasks = list(session.scalars(query))
        session.expunge_all()
        return tasks


def _name(task: Task) -> str:
    return f"task {task.id}" + (f" ({task.external_id})" if task.external_id else "")


@job_handler("llm")
def llm_job(context: JobContext) -> dict[str, Any]:
    params = context.params
    db, _use = context.db, params["use"]
    setup = setup_for(
        db, context.settings, context.project_id, params["template"], params["template_version"]
    )
    interface = interface_for(db, context.project_id)
    counts = {"done": 0, "failed": 0, "skipped": 0, **context.notes.get("counts", {})}
    after = int(context.notes.get("after", 0))
    with db.read() as session:
        total = session.query(Task).filter(Task.project_id == context.project_id).count()
    seen = counts["done"] + counts["failed"] + counts["skipped"]
    while batch := _tasks_after(db, context.project_id, after):
        for task in batch:
            context.progress(seen, total, unit="tasks", phase=f"asking {setup.endpoint.model}")
            outcome = _one(context, setup, interface, task)
            counts[outcome] += 1
            seen += 1
            after = task.id
            context.note(after=after, counts=counts)
    context.progress(seen, total, unit="tasks", phase="done")
    return {**counts, "template": setup.template_name, "template_version": setup.template_version}


def _one(context: JobContext, setup: Setup, interface: Interface, task: Task) -> str:
    """``done``, ``failed`` or ``skipped``, for one task (the reason is in the job's log)."""
    params = context.params
    try:
        if params["use"] == "judge":
            outcome = judge_task(
                context.db, setup, interface, task, params["question"],
                user_id=context.created_by, job_id=context.job_id,
            )  # fmt: skip
            if outcome["status"] != "ok":
                context.log(f"{_name(task)}: {outcome['error']}")
                return "failed"
            return "done"
        field_name = params["field"]
        if task.n_claimed or task.n_submitted:
            return "skipped"
        if orjson.loads(task.data).get(field_name) and not params.get("overwrite"):
            return "skipped"
        texts, errors = candidates_for_task(
            context.db, setup, task, params["n"],
            user_id=context.created_by, job_id=context.job_id,
        )  # fmt: skip
        for error in errors:
            context.log(f"{_name(task)}: {error}")
        if len(texts) < params["n"]:
            context.log(f"{_name(task)}: {len(texts)} of {params['n']} candidates; left as it was")
            return "failed"
        with context.db.write() as session:
            why = do_fill_candidates(
                session, task.id, field_name, texts, overwrite=bool(params.get("overwrite"))
            )
        if why is not None:
            context.log(f"{_name(task)}: {why}")
            return "skipped"
        return "done"
    except LlmFailed as exc:
        context.log(f"{_name(task)}: {exc}")
        return "failed"
    except Invalid as exc:
        if exc.code == "llm_template":  # this task lacks a field the template uses
            context.log(f"{_name(task)}: {exc.message}")
            return "failed"
        raise
