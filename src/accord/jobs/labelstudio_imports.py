"""``labelstudio_import``: a Label Studio project brought in the background (docs/labelstudio.md).

The request made the project (empty, its interface the config's translation: a config that
cannot be read was refused then) and spooled the export and the config to the storage backend
(params ``key`` and ``config_key``). The job reads both from there and runs the import into
that project (`accord.actions.labelstudio_imports.run_labelstudio_import` with ``into``): a
retry first deletes what an earlier attempt wrote; a failure leaves the project empty, renamed
"... (import failed)", and the job's error and ``details.problems`` name every problem. Its
result is the import's report, with ``project_id``.
"""

from __future__ import annotations

from typing import Any

from accord.actions.labelstudio_imports import LabelStudioOptions, run_labelstudio_import
from accord.jobs.runner import JobContext, job_handler, open_storage
from accord.models import User
from accord.settings import Settings

MAX_CONFIG = 1 << 20
PHASES = {"checked": "checking the tasks", "writing": "writing the tasks and annotations"}


def _remove_spools(settings: Settings, params: dict[str, Any]) -> None:
    storage = open_storage(settings)
    for name in ("key", "config_key"):
        if params.get(name):
            storage.delete(str(params[name]))


@job_handler("labelstudio_import", cleanup=_remove_spools)
def labelstudio_import_job(context: JobContext) -> dict[str, Any]:
    from accord.jobs.handlers import import_options

    params = context.params
    with context.db.read() as session:
        user = session.get(User, context.created_by) if context.created_by else None
    if user is None:
        raise RuntimeError("the account that started the import is gone")
    with context.storage.open(str(params["config_key"])) as stream:
        xml = stream.read(MAX_CONFIG + 1).decode("utf-8")
    options = LabelStudioOptions(
        staging_dir=context.settings.data_dir / "imports",
        title=str(params.get("title") or "Label Studio import"),
        skip_invalid=bool(params.get("skip_invalid")),
        media_base=params.get("media_base"),
        max_row_bytes=context.settings.max_row_bytes,
        import_options=import_options(context.settings, False),
    )

    def progress(phase: str, count: int) -> None:
        doing = PHASES.get(phase, phase)
        context.progress(count, count if phase == "writing" else None, unit="tasks", phase=doing)

    context.progress(0, None, unit="tasks", phase="checking the tasks")
    with context.storage.open(str(params["key"])) as export:
        report = run_labelstudio_import(
            context.db, user, export, xml, options, on_progress=progress, into=context.project_id
        )
    context.progress(report.tasks, report.tasks, unit="tasks", phase="imported")
    return report.fields()
