"""Reads of a project's LLM endpoint, templates and call log (docs/llm.md)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.errors import NotFound
from accord.models import LlmCall, LlmEndpoint, LlmTemplate


def endpoint_of(session: Session, project_id: int) -> LlmEndpoint:
    endpoint = session.get(LlmEndpoint, project_id)
    if endpoint is None:
        raise NotFound(
            "this project has no LLM endpoint; a manager sets one in the project's settings "
            "(PUT /api/v1/projects/{id}/llm, or `accord llm set`)"
        )
    return endpoint


def template_of(
    session: Session, project_id: int, name: str, version: int | None = None
) -> LlmTemplate:
    """The template ``name`` at ``version`` (None: its latest)."""
    query = select(LlmTemplate).where(
        LlmTemplate.project_id == project_id, LlmTemplate.name == name
    )
    if version is not None:
        query = query.where(LlmTemplate.version == version)
    found = session.scalars(query.order_by(LlmTemplate.version.desc()).limit(1)).first()
    if found is None:
        at = f" version {version}" if version is not None else ""
        raise NotFound(f"this project has no prompt template {name!r}{at}")
    return found


def latest_templates(session: Session, project_id: int) -> list[LlmTemplate]:
    newest = (
        select(LlmTemplate.name, func.max(LlmTemplate.version).label("version"))
        .where(LlmTemplate.project_id == project_id)
        .group_by(LlmTemplate.name)
        .subquery()
    )
    query = (
        select(LlmTemplate)
        .join(
            newest,
            (LlmTemplate.name == newest.c.name) & (LlmTemplate.version == newest.c.version),
        )
        .where(LlmTemplate.project_id == project_id)
        .order_by(LlmTemplate.name)
    )
    return list(session.scalars(query))


def template_versions(session: Session, project_id: int, name: str) -> list[LlmTemplate]:
    query = select(LlmTemplate).where(
        LlmTemplate.project_id == project_id, LlmTemplate.name == name
    )
    found = list(session.scalars(query.order_by(LlmTemplate.version)))
    if not found:
        raise NotFound(f"this project has no prompt template {name!r}")
    return found


def calls_of(
    session: Session,
    project_id: int,
    *,
    before: int | None = None,
    limit: int = 50,
    task_id: int | None = None,
    job_id: int | None = None,
) -> list[LlmCall]:
    query = select(LlmCall).where(LlmCall.project_id == project_id)
    if before is not None:
        query = query.where(LlmCall.id < before)
    if task_id is not None:
        query = query.where(LlmCall.task_id == task_id)
    if job_id is not None:
        query = query.where(LlmCall.job_id == job_id)
    return list(session.scalars(query.order_by(LlmCall.id.desc()).limit(limit)))
