"""Every setting Accord reads, in one place: name, default and help.

Settings come from ``ACCORD_*`` environment variables (or the matching ``accord serve`` options).
Nothing reads them at import time: ``Settings()`` is built by the CLI or by tests and handed to
``create_app``. ``tests/test_settings_docs.py`` fails when a setting here is missing from the
README's settings table.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# A bucket's name as S3 has allowed it (today's rules are stricter: lower case, 3 to 63).
BUCKET_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._\-]{0,254}")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ACCORD_", extra="ignore")

    data_dir: Path = Field(
        default=Path("data"),
        description="Folder for the SQLite database and uploaded files; created if missing.",
    )
    database_url: str | None = Field(
        default=None,
        description=(
            "SQLAlchemy URL of the database. Unset: SQLite at <data dir>/accord.db. "
            "PostgreSQL: postgresql+psycopg://user@host:5432/dbname."
        ),
    )
    host: str = Field(default="127.0.0.1", description="Address `accord serve` listens on.")
    port: int = Field(default=8080, description="Port `accord serve` listens on.")
    workers: int = Field(
        default=1, ge=1, le=64, description="Server processes `accord serve` starts."
    )
    session_hours: float = Field(
        default=24 * 14, gt=0, description="How long a browser sign-in lasts, in hours."
    )
    cookie_secure: bool = Field(
        default=False,
        description="Mark session cookies Secure (set to true when served over HTTPS).",
    )
    max_body_bytes: int = Field(
        default=2 * 1024 * 1024,
        gt=0,
        description="Largest JSON request body accepted, in bytes (imports excepted).",
    )
    max_import_bytes: int = Field(
        default=4 * 1024 * 1024 * 1024,
        gt=0,
        description="Largest import upload accepted, in bytes.",
    )
    max_result_bytes: int = Field(
        default=1024 * 1024,
        gt=0,
        description="Largest single annotation result, draft or prediction, in bytes of JSON.",
    )
    login_attempts_per_minute: int = Field(
        default=10,
        gt=0,
        description="Failed sign-ins allowed per minute for one address and one email.",
    )
    lockout_after: int = Field(
        default=10,
        gt=0,
        description=(
            "Consecutive failed sign-ins after which an account is locked for a while "
            "(the lock doubles with each further failure, up to an hour)."
        ),
    )
    lockout_seconds: int = Field(
        default=60, gt=0, description="How long the first lock of an account lasts, in seconds."
    )
    trusted_proxies: str = Field(
        default="",
        description=(
            "Addresses of reverse proxies whose X-Forwarded-For header gives the client's "
            "address (comma-separated IPs or CIDR ranges); empty: trust no header."
        ),
    )
    max_row_bytes: int = Field(
        default=16 * 1024 * 1024,
        gt=0,
        description=(
            "Largest single import row (a JSONL line, a CSV record, an item of a JSON array), "
            "in bytes."
        ),
    )
    threads: int = Field(
        default=40,
        ge=1,
        le=1000,
        description="Worker threads each server process runs blocking work (database, files) on.",
    )
    db_writers: int | None = Field(
        default=None,
        ge=1,
        le=32,  # each holds a connection: well within a process's pool (accord.db.database)
        description=(
            "Write transactions each server process runs at once, the rest waiting their turn "
            'in order; unset: 3 per core, from 4 to 16 (docs/deployment.md, "Sizing").'
        ),
    )
    switch_interval: float = Field(
        default=0.005,
        gt=0,
        le=1,
        description=(
            "Seconds a Python thread runs before another may take the interpreter "
            "(sys.setswitchinterval), set by `accord serve`."
        ),
    )
    log_level: str = Field(default="info", description="Server log level.")
    job_threads: int = Field(
        default=2,
        ge=1,
        le=64,
        description=(
            "Background jobs (imports, exports, consensus) each process runs at once: the "
            "server without ACCORD_REDIS_URL, `accord worker` with it (its --threads default)."
        ),
    )
    job_niceness: int = Field(
        default=10,
        ge=0,
        le=19,
        description=(
            "How much lower the CPU priority of the threads that run jobs is (Linux niceness, "
            "added to the process's): on busy cores requests go first, on idle ones a job "
            "gets all it can use. 0 runs jobs at the requests' priority."
        ),
    )
    export_processes: int = Field(
        default=2,
        ge=1,
        le=32,
        description=(
            "Processes that write one large JSONL export job at once (the job's own and "
            "helpers, each a range of the tasks, all from one snapshot); 1 turns helpers off."
        ),
    )
    export_keep_hours: float = Field(
        default=168,
        gt=0,
        le=24 * 366,
        description=(
            "How long the file of a finished export job is kept, in hours (7 days by "
            "default); then it is deleted from the storage and its download answers 410 "
            "(`export_expired`): run the export again."
        ),
    )
    job_stale_seconds: float = Field(
        default=30,
        ge=2,
        le=3600,
        description=(
            "A running job whose worker has not been heard of for this long (killed, machine "
            "gone) is retried; a queued job no worker took for this long is handed to the "
            "queue again (its message may have been lost with a restarted Redis)."
        ),
    )
    redis_url: str | None = Field(
        default=None,
        description=(
            "Redis URL (redis://host:6379/0). Unset: background jobs run inside the server "
            "process from a queue file in the data directory. Set: jobs go through Redis to "
            "`accord worker` processes, and servers share cache invalidations through it."
        ),
    )

    storage_url: str | None = Field(
        default=None,
        description=(
            "Where Accord keeps files (uploads, exports, media): file:///path for a local "
            "folder, or s3://bucket/prefix for an S3-compatible bucket (credentials from the "
            "standard AWS_* variables). Unset: the data directory."
        ),
    )
    s3_endpoint_url: str | None = Field(
        default=None,
        description=(
            "Endpoint of an S3-compatible server (MinIO, Ceph, moto: http://host:9000). "
            "Unset: Amazon S3."
        ),
    )
    file_url_seconds: int = Field(
        default=300,
        ge=1,
        le=7 * 24 * 3600,
        description="How long a signed link to a stored file (a download, a medium) works, "
        "in seconds.",
    )
    public_url: str | None = Field(
        default=None,
        description=(
            "The address others reach this server at (https://accord.example.org). Media links "
            "sent to model servers are made absolute with it; unset, Suggest uses the server's "
            "own address (ACCORD_HOST, ACCORD_PORT) and pre-labelling jobs send paths "
            "(/api/v1/files/...)."
        ),
    )
    media_buckets: str = Field(
        default="",
        description=(
            "Buckets whose objects tasks may reference by s3://bucket/key URLs (comma-separated "
            "names) besides the media/ area of Accord's own storage, which is always allowed; "
            "the server signs reads of them with its own credentials. Empty: Accord's own "
            "bucket only; *: any bucket its credentials reach."
        ),
    )
    video_max_pixels: int = Field(
        default=3840 * 2160,
        ge=1,
        description="Largest video frame accepted (uploads, the frames job), in pixels "
        "(width × height).",
    )
    video_max_frames: int = Field(
        default=200_000, ge=1, description="Most frames a video accepted may have."
    )
    video_frames: Literal["auto", "packets", "jpeg"] = Field(
        default="auto",
        description="What the frames job makes of a video: auto, its compressed packets "
        "stream-copied for the browser to decode (WebCodecs) where that is frame-exact, ready "
        "at once, then JPEG frames in their place (quicker seeks), or JPEG frames only where "
        "packets are not possible; packets, the packets alone where possible; jpeg, JPEG "
        "frames only (for browsers without WebCodecs, or a site served over plain HTTP from "
        "another address than localhost). Run the frames job again after a change.",
    )
    video_max_seconds: float = Field(
        default=14400.0, gt=0, description="Longest video accepted, in seconds."
    )
    audio_max_seconds: float = Field(
        default=14400.0,
        gt=0,
        description="Longest audio recording accepted (uploads, the waveform job), in seconds.",
    )
    audio_max_channels: int = Field(
        default=64, ge=1, le=64, description="Most channels an audio recording accepted may have."
    )
    webhook_allow_private: bool = Field(
        default=False,
        description=(
            "Let webhooks target loopback, link-local (169.254.169.254), private-network, "
            "multicast and this server's own addresses; off by default, so a project's "
            "manager cannot make the server call what only it can reach."
        ),
    )
    llm_base_url: str | None = Field(
        default=None,
        description=(
            "An OpenAI-compatible chat API this server offers every project (its root, as "
            "https://api.openai.com/v1): a manager chooses it in the project's LLM settings "
            "instead of giving an endpoint of the project's own (docs/llm.md)."
        ),
    )
    llm_model: str | None = Field(
        default=None, description="The model of ACCORD_LLM_BASE_URL (e.g. gpt-4o-mini)."
    )
    llm_api_key: str | None = Field(
        default=None,
        repr=False,
        description=(
            "The API key of ACCORD_LLM_BASE_URL; read from the environment only, never stored "
            "in the database nor shown (its last four characters tell keys apart)."
        ),
    )
    guideline_image_bytes: int = Field(
        default=5 * 1024 * 1024,
        gt=0,
        description=(
            "Largest image accepted in a project's guidelines (PNG, JPEG, WebP or GIF), in "
            "bytes; a larger upload is refused with 422 and nothing is stored."
        ),
    )
    problem_report_retention_days: int = Field(
        default=365,
        ge=0,
        le=100 * 366,
        description=(
            "Closed problem reports (fixed, won't fix, duplicate) not changed for this many "
            "days are deleted, with their screenshots, by the periodic retention job; 0 keeps "
            "them forever."
        ),
    )

    @field_validator("llm_base_url", "llm_model", "llm_api_key")
    @classmethod
    def _blank_is_unset(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        if value is None or value.strip() == "":
            return None
        value = value.strip().rstrip("/")
        scheme, _, rest = value.partition("://")
        if scheme not in ("http", "https") or not rest or "/" in rest.split("?")[0][:1]:
            raise ValueError(f"ACCORD_PUBLIC_URL must be an http(s) URL, not {value!r}")
        return value

    @field_validator("storage_url")
    @classmethod
    def _storage_url(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if value.startswith("file:///") or (value.startswith("s3://") and len(value) > 5):
            return value
        raise ValueError(
            f"ACCORD_STORAGE_URL must be file:///absolute/path or s3://bucket/prefix, not {value!r}"
        )

    @field_validator("media_buckets")
    @classmethod
    def _media_buckets(cls, value: str) -> str:
        names = [name.strip() for name in value.split(",") if name.strip()]
        if "*" in names and len(names) > 1:
            raise ValueError(
                "ACCORD_MEDIA_BUCKETS is either * (any bucket) or a list of bucket names, "
                f"not both: {value!r}"
            )
        for name in names:
            if name != "*" and not BUCKET_NAME.fullmatch(name):
                raise ValueError(
                    f"ACCORD_MEDIA_BUCKETS: {name!r} is not a bucket name (letters, digits, dots, "
                    "hyphens, underscores; no s3://, no prefix); separate names with commas"
                )
        return ",".join(names)

    @property
    def media_bucket_names(self) -> frozenset[str] | None:
        """The buckets of `media_buckets`; None when any bucket is allowed (``*``)."""
        names = frozenset(name for name in self.media_buckets.split(",") if name)
        return None if "*" in names else names

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'accord.db').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url().startswith("sqlite")
