"""LLM assistance (docs/llm.md): a project's OpenAI-compatible endpoint, its prompt templates
(every save a new version), and the log of every call made to the endpoint.

The endpoint's API key is kept encrypted (`accord.actions.llm_keys`): ``key_encrypted`` is a
Fernet token; only ``key_hint`` (its last four characters) is ever shown. ``tokens_used`` is the
project's running total against ``token_budget``: a call reserves its worst case before it is
sent and settles to what the server reported after (`accord.actions.llm_calls`).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from accord.db.base import Base
from accord.db.types import BigId, JSONText, UTCDateTime, utcnow


class LlmEndpoint(Base):
    __tablename__ = "llm_endpoints"

    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    # The project uses the endpoint the server offers (ACCORD_LLM_BASE_URL, _MODEL, _API_KEY):
    # base_url, model and the key here are then empty; the budget and parameters are its own.
    uses_instance: Mapped[bool] = mapped_column(
        Boolean(create_constraint=False), default=False, server_default=false()
    )
    base_url: Mapped[str] = mapped_column(String(2000))
    model: Mapped[str] = mapped_column(String(200))
    key_encrypted: Mapped[str | None] = mapped_column(Text)
    key_hint: Mapped[str] = mapped_column(String(8), default="")
    timeout_seconds: Mapped[float] = mapped_column(Float, default=60.0)
    max_tokens: Mapped[int] = mapped_column(Integer, default=1024)
    temperature: Mapped[float] = mapped_column(Float, default=0.7)
    token_budget: Mapped[int | None] = mapped_column(BigInteger)  # None: no cap
    tokens_used: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class LlmTemplate(Base):
    """One version of a named prompt template; a save adds a row, never changes one."""

    __tablename__ = "llm_templates"
    __table_args__ = (
        Index(
            "uq_llm_templates_project_name_version", "project_id", "name", "version", unique=True
        ),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(Integer)
    system: Mapped[str] = mapped_column(Text, default="")
    prompt: Mapped[str] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class LlmCall(Base):
    """One request to the endpoint: what was asked, with what, what it cost and how it ended.

    ``status``: ``ok``; ``error`` (the endpoint failed, timed out, or answered garbage);
    ``invalid`` (a judge's answer that does not fit the question: recorded, never stored);
    ``refused`` (over the budget: not sent).
    """

    __tablename__ = "llm_calls"
    __table_args__ = (
        Index("ix_llm_calls_project_id_id", "project_id", "id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    task_id: Mapped[int | None] = mapped_column(BigInteger)  # kept when the task goes
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    job_id: Mapped[int | None] = mapped_column(BigInteger)
    use: Mapped[str] = mapped_column(String(20))  # candidates, judge, rewrite
    model: Mapped[str] = mapped_column(String(200))
    template_id: Mapped[int | None] = mapped_column(BigInteger)
    template_name: Mapped[str] = mapped_column(String(100), default="")
    template_version: Mapped[int | None] = mapped_column(Integer)
    parameters: Mapped[dict[str, object]] = mapped_column(JSONText, default=dict)
    prompt: Mapped[str] = mapped_column(Text, default="")
    completion: Mapped[str] = mapped_column(Text, default="")
    rationale: Mapped[str] = mapped_column(Text, default="")
    prediction_id: Mapped[int | None] = mapped_column(BigInteger)
    prompt_tokens: Mapped[int] = mapped_column(Integer, default=0)
    completion_tokens: Mapped[int] = mapped_column(Integer, default=0)
    latency_ms: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(20))
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
