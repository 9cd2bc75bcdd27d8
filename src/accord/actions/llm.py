"""A project's LLM endpoint and prompt templates (docs/llm.md): set, clear, save a version.

Every change is audited without the key: the audit shows ``has_key`` and the key's hint.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.actions.audit import record
from accord.actions.llm_keys import key_hint
from accord.db.types import utcnow
from accord.errors import Invalid, NotFound
from accord.jobs.webhook_targets import check_url
from accord.kinds.prompts import TemplateError, placeholders
from accord.models import LlmEndpoint, LlmTemplate, User
from accord.settings import Settings

MAX_KEY = 500
MAX_TEMPLATES = 100  # names per project
NAME = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9_.-]{0,99}\Z")


@dataclass(frozen=True)
class EndpointChange:
    """What a manager sets; ``api_key`` None keeps the stored key, "" removes it.
    ``use_instance``: the endpoint the server offers (`InstanceLlm`), with this project's
    parameters and budget; ``base_url``, ``model`` and ``api_key`` are not given then."""

    base_url: str | None = None
    model: str | None = None
    api_key: str | None = None
    timeout_seconds: float = 60.0
    max_tokens: int = 1024
    temperature: float = 0.7
    token_budget: int | None = None
    use_instance: bool = False


@dataclass(frozen=True)
class InstanceLlm:
    """The endpoint the server offers every project (ACCORD_LLM_BASE_URL, _MODEL, _API_KEY)."""

    base_url: str
    model: str
    key: str | None

    @classmethod
    def of(cls, settings: Settings) -> InstanceLlm | None:
        if not settings.llm_base_url or not settings.llm_model:
            return None
        return cls(settings.llm_base_url.rstrip("/"), settings.llm_model, settings.llm_api_key)


def shown(endpoint: LlmEndpoint, instance: InstanceLlm | None = None) -> dict[str, Any]:
    """The endpoint as anyone is shown it: never the key, only whether there is one (for a
    project on the server's endpoint, that one's address, model and key hint)."""
    if endpoint.uses_instance:
        key = instance.key if instance is not None else None
        where = {
            "base_url": instance.base_url if instance is not None else "",
            "model": instance.model if instance is not None else "",
            "has_key": bool(key),
            "key_hint": key_hint(key) if key else "",
        }
    else:
        where = {
            "base_url": endpoint.base_url,
            "model": endpoint.model,
            "has_key": endpoint.key_encrypted is not None,
            "key_hint": endpoint.key_hint,
        }
    return {
        "uses_instance": endpoint.uses_instance,
        **where,
        "timeout_seconds": endpoint.timeout_seconds,
        "max_tokens": endpoint.max_tokens,
        "temperature": endpoint.temperature,
        "token_budget": endpoint.token_budget,
        "tokens_used": endpoint.tokens_used,
    }


def do_set_endpoint(
    session: Session,
    actor: User,
    project_id: int,
    change: EndpointChange,
    *,
    seal: Callable[[str], str],
    allow_private: bool,
    instance: InstanceLlm | None = None,
) -> LlmEndpoint:
    """Create or change the project's endpoint (its token count is kept); ``seal`` encrypts
    the key (`accord.actions.llm_keys.key_sealer`); ``instance``: the server's endpoint, for
    ``use_instance``."""
    if change.use_instance:
        if instance is None:
            raise Invalid(
                "use_instance: this server offers no LLM endpoint (an admin sets "
                "ACCORD_LLM_BASE_URL and ACCORD_LLM_MODEL); give the project's own base_url "
                "and model instead",
                details={"field": "use_instance"},
            )
        if change.base_url or change.model or change.api_key:
            raise Invalid(
                "use_instance: leave out base_url, model and api_key (the server's are used)",
                details={"field": "use_instance"},
            )
        url, model = "", ""
    else:
        if not change.base_url:
            raise Invalid(
                "base_url: give the API's root (e.g. https://api.openai.com/v1), or "
                "use_instance for the server's endpoint",
                details={"field": "base_url"},
            )
        url = check_url(change.base_url, allow_private=allow_private)
        model = (change.model or "").strip()
        if not model or len(model) > 200:
            raise Invalid(
                "model: give the model's name (1 to 200 characters)", details={"field": "model"}
            )
    endpoint = session.get(LlmEndpoint, project_id, with_for_update=True)
    before = shown(endpoint) if endpoint is not None else None
    now = utcnow()
    if endpoint is None:
        endpoint = LlmEndpoint(project_id=project_id, created_at=now, tokens_used=0, key_hint="")
        session.add(endpoint)
    endpoint.base_url, endpoint.model = url, model
    endpoint.uses_instance = change.use_instance
    endpoint.timeout_seconds = change.timeout_seconds
    endpoint.max_tokens = change.max_tokens
    endpoint.temperature = change.temperature
    endpoint.token_budget = change.token_budget
    endpoint.updated_by, endpoint.updated_at = actor.id, now
    if change.use_instance:
        endpoint.key_encrypted, endpoint.key_hint = None, ""
    elif change.api_key is not None:
        key = change.api_key.strip()
        if len(key) > MAX_KEY:
            raise Invalid(f"api_key: at most {MAX_KEY} characters", details={"field": "api_key"})
        endpoint.key_encrypted = seal(key) if key else None
        endpoint.key_hint = key_hint(key) if key else ""
    session.flush()
    record(
        session, actor, "llm.endpoint.set", ("project", project_id),
        project_id=project_id, before=before, after=shown(endpoint),
    )  # fmt: skip
    return endpoint


def do_delete_endpoint(session: Session, actor: User, project_id: int) -> None:
    endpoint = session.get(LlmEndpoint, project_id)
    if endpoint is None:
        return  # nothing to remove: what was asked for is already so
    before = shown(endpoint)
    session.delete(endpoint)
    record(
        session, actor, "llm.endpoint.delete", ("project", project_id),
        project_id=project_id, before=before,
    )  # fmt: skip


def do_reset_usage(session: Session, actor: User, project_id: int) -> LlmEndpoint:
    endpoint = session.get(LlmEndpoint, project_id, with_for_update=True)
    if endpoint is None:
        raise NotFound("this project has no LLM endpoint")
    before = shown(endpoint)
    endpoint.tokens_used = 0
    record(
        session, actor, "llm.usage.reset", ("project", project_id),
        project_id=project_id, before=before, after=shown(endpoint),
    )  # fmt: skip
    return endpoint


def do_save_template(
    session: Session, actor: User, project_id: int, name: str, prompt: str, system: str = ""
) -> LlmTemplate:
    """Save a new version of the template ``name`` (version 1 if it is new)."""
    if not NAME.match(name):
        raise Invalid(
            f"name: {name!r} must be 1 to 100 letters, digits, _, . or -, starting with a "
            "letter or digit",
            details={"field": "name"},
        )
    try:
        placeholders(system, where="system")
        placeholders(prompt, where="prompt")
    except TemplateError as exc:
        raise Invalid(str(exc), details={"field": str(exc).split(":")[0].split(",")[0]}) from None
    if not prompt.strip():
        raise Invalid("prompt: write the prompt", details={"field": "prompt"})
    last = session.scalar(
        select(func.max(LlmTemplate.version)).where(
            LlmTemplate.project_id == project_id, LlmTemplate.name == name
        )
    )
    if last is None:
        names = session.scalar(
            select(func.count(func.distinct(LlmTemplate.name))).where(
                LlmTemplate.project_id == project_id
            )
        )
        if (names or 0) >= MAX_TEMPLATES:
            raise Invalid(f"this project has {MAX_TEMPLATES} templates, the most it may have")
    template = LlmTemplate(
        project_id=project_id,
        name=name,
        version=(last or 0) + 1,
        system=system,
        prompt=prompt,
        created_by=actor.id,
        created_at=utcnow(),
    )
    session.add(template)
    session.flush()
    record(
        session, actor, "llm.template.save", ("llm_template", template.id),
        project_id=project_id, after={"name": name, "version": template.version},
    )  # fmt: skip
    return template
