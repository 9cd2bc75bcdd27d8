"""What the jobs that decode each media file once share: the ``frames`` job for videos
(`accord.jobs.frames`) and the ``waveform`` job for recordings (`accord.jobs.waveform`).

A `Decoding` names the job, the field kind it works on and how one file is made into what
the browser reads. Its parameters name the files: ``sources`` (media references: what an
upload stored), or ``fields`` (fields of that kind: every media URL the project's tasks hold
there; all of them when the list is empty), with ``import_id`` only the tasks that import
added. An upload and an import (any format, a bucket sync too) adding tasks that reference
media in such a field start it (`Decoding.start_after_import`).

A file whose manifest exists is passed over, so a retry makes only what is missing. A file
that cannot be read or decoded gets ``error.json`` (the task read then says it failed, with
the reason), is named in the job's log, and the job goes on; an unreachable storage
(Accord's, or the media's for `UNREACHABLE_IN_A_ROW` files in a row) stops it, to be retried.
Web URLs are not fetched. No database transaction is held while a file is read or decoded:
each is first copied to a temporary file (the decoders seek).
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO

from accord.actions.jobs import do_start_job
from accord.db import Database
from accord.errors import AccordError, StorageUnavailable
from accord.jobs.media_fields import media_fields, scanned_references
from accord.jobs.runner import JobContext, JobRunner
from accord.jobs.thumbnails import open_source
from accord.media.links import is_link
from accord.media.storage import Storage
from accord.models import Project, User
from accord.queries.media import import_has_media
from accord.queries.projects import interface_of

log = logging.getLogger("accord.jobs")

UNREACHABLE_IN_A_ROW = 3

# make(context, src, spooled file, number of the file in the job): writes what the browser reads
Make = Callable[[JobContext, str, IO[bytes], int], None]


@dataclass(frozen=True)
class Decoding:
    job: str  # the job's name: "frames"
    field_kind: str  # the fields it works on: "video"
    unit: str  # what its progress counts: "videos"
    made: str  # what one file becomes, for messages: "frames"
    none_left: str  # said when the project has no such field: "there are no frames to make"
    phase: str  # the job's phase while it runs
    manifest_key: Callable[[int, str], str]  # (project, src) -> the manifest's storage key
    record_failure: Callable[[Storage, int, str, str], None]  # (storage, project, src, why)
    make: Make

    def fields(self, db: Database, project_id: int, wanted: list[str]) -> list[str]:
        """``wanted`` if each is a field of this kind in the project (none: all of them);
        `Invalid` naming the one that is not."""
        return media_fields(db, project_id, wanted, self.field_kind, self.none_left)

    def start_after_import(
        self,
        db: Database,
        runner: JobRunner,
        user: User | None,
        project_id: int,
        import_id: int | None,
    ) -> int | None:
        """Start the job for an import's tasks if they reference media in a field of this
        kind; its id, or None. A failure to start it is logged, not raised (the import is
        done)."""
        if import_id is None:
            return None
        try:
            with db.read() as session:
                project = session.get(Project, project_id)
                if project is None or project.deleted_at is not None:
                    return None
                fields = [f.name for f in interface_of(project).fields if f.kind == self.field_kind]
                if not fields or not import_has_media(session, project_id, import_id, fields):
                    return None
            params = {"import_id": import_id, "fields": fields}
            with db.write() as session:
                job_id = do_start_job(
                    session, user, project_id, self.job, params, unit=self.unit
                ).id
        except AccordError as exc:
            log.warning(
                "import %d: its %s job was not started: %s", import_id, self.job, exc.message
            )
            return None
        runner.send(job_id)
        return job_id

    def run(self, context: JobContext) -> dict[str, int]:
        """The job: every file decoded once; counts of the files, made, existing, failed."""
        sources, total = self._sources(context)
        storage, project_id = context.storage, context.project_id
        counts = {self.unit: 0, "made": 0, "existing": 0, "failed": 0}
        unreachable = 0
        context.progress(0, total, unit=self.unit, phase=self.phase)
        for src in sources:
            counts[self.unit] += 1
            if storage.exists(self.manifest_key(project_id, src)):
                counts["existing"] += 1
            else:
                try:
                    self._one(context, src, counts[self.unit] - 1)
                except AccordError as exc:
                    counts["failed"] += 1
                    context.log(f"{src}: no {self.made}: {exc.message}")
                    lost = isinstance(exc, StorageUnavailable)
                    unreachable = unreachable + 1 if lost else 0
                    if unreachable >= UNREACHABLE_IN_A_ROW:
                        raise
                    if not lost:
                        self.record_failure(storage, project_id, src, exc.message)
                else:
                    unreachable = 0
                    counts["made"] += 1
            context.progress(counts[self.unit], total, unit=self.unit)
        return counts

    def _sources(self, context: JobContext) -> tuple[Iterator[str], int | None]:
        sources = context.params.get("sources")
        if sources is not None:
            return iter(dict.fromkeys(str(s) for s in sources)), len(sources)
        wanted = list(context.params.get("fields") or [])
        fields = self.fields(context.db, context.project_id, wanted)
        return (r for r in scanned_references(context, fields) if is_link(r)), None

    def _one(self, context: JobContext, src: str, number: int) -> None:
        folder = context.settings.data_dir / "tmp"
        folder.mkdir(parents=True, exist_ok=True)
        with (
            open_source(context.settings, src) as stream,
            tempfile.TemporaryFile(dir=str(folder), prefix=f"{self.field_kind}-") as spool,
        ):
            shutil.copyfileobj(stream, spool, 1024 * 1024)
            spool.seek(0)
            self.make(context, src, spool, number)
