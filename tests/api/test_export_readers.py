"""An export stopped early (a client gone, a failed write to the bucket) closes its readers:
on PostgreSQL the export's server-side cursors, the consensus's streamed results among them,
are closed before their connection, not left to the collector (which warns, and may reach
them after the connection is gone)."""

from __future__ import annotations

import gc
import warnings
from typing import Any

from accord.db import Database
from accord.jobs.export_lines import ExportFilter
from accord.jobs.exports import export_csv, export_jsonl
from accord.models import Project
from accord.queries.projects import interface_of
from tests.api.conftest import Api
from tests.factories import add_tasks, make_project, make_user

TASKS = 40
TEXT = "x" * 100_000  # 4 MB in all: the export flushes each MB, so it yields before its end


def test_an_export_stopped_early_closes_its_cursors(db: Database, api: Api) -> None:
    owner, _ = make_user(db, "owner@example.com")
    annotator, annotator_token = make_user(db, "ann@example.com")
    project = make_project(db, owner, overlap=1, members={annotator: "annotator"})
    add_tasks(db, owner, project, [{"id": f"t{i}", "text": TEXT} for i in range(TASKS)])
    me = api.as_(annotator_token)
    for _ in range(TASKS):
        task = me.post(f"/projects/{project.id}/next").json()["task"]
        done = me.post(
            f"/tasks/{task['id']}/annotations", json={"result": {"label": {"choice": "pos"}}}
        )
        assert done.status_code == 201, done.text
    with db.read() as session:
        stored = session.get(Project, project.id)
        assert stored is not None
        session.expunge(stored)
    exports: list[Any] = [
        export_jsonl(db, stored, ExportFilter(), consensus=True),
        export_jsonl(db, stored, ExportFilter()),
        export_csv(db, stored, interface_of(stored), ExportFilter(), consensus=True),
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("error", ResourceWarning)
        for export in exports:
            first = next(export)
            assert len(first) >= 1 << 20  # stopped with most of the export unread
            export.close()
        del exports, export
        gc.collect()
