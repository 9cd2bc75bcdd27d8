"""A small, typed client for Accord's HTTP API (httpx).

    from accord import Client
    client = Client("http://127.0.0.1:8080", token)
    project = client.create_project("Sentiment", interface, overlap=3)
    client.import_tasks(project.id, "tasks.jsonl")
    while (task := client.next_task(project.id)) is not None:
        client.submit(task.id, {"label": {"choice": "pos"}})
    for row in client.export(project.id):
        ...

Every failure raises `AccordError` carrying the server's message, code and details.
"""

from __future__ import annotations

import csv
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson

from accord.sdk.adjudications import AdjudicationCalls
from accord.sdk.flags import FlagCalls
from accord.sdk.guidelines import GuidelineCalls
from accord.sdk.labelstudio import LabelStudioCalls
from accord.sdk.llm import LlmCalls
from accord.sdk.ml_backends import MLBackendCalls
from accord.sdk.originality import OriginalityCalls
from accord.sdk.problem_reports import ProblemReportCalls
from accord.sdk.reviews import ReviewCalls
from accord.sdk.uploads import CHUNK, Progress, file_chunks, jsonl_chunks
from accord.sdk.webhooks import WebhookCalls

# Training formats whose file is JSON lines: `Client.export` yields their records
# (docs/training_exports.md).
TRAINING_JSONL = ("trl-sft", "trl-preference", "trl-kto", "reward-pairs", "openai-ft")
DELETE_BATCH = 1000  # task ids per deletion request (the server's limit)


class AccordError(Exception):
    """A request failed; ``message`` is the server's explanation."""

    def __init__(
        self, message: str, *, status: int = 0, code: str = "", details: Any = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.details = details


@dataclass
class Project:
    id: int
    name: str
    raw: dict[str, Any] = field(repr=False)


@dataclass
class Task:
    id: int
    data: dict[str, Any]
    external_id: str | None = None
    draft: dict[str, Any] | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass
class ImportReport:
    created: int
    skipped: int
    errors: list[dict[str, Any]]
    duplicates: int = 0
    predictions: int = 0
    duplicate_ids: list[str] = field(default_factory=list)
    # With source=NAME: the source, the predictions made its annotations, those left as
    # predictions (and the first of their tasks, with the reason).
    source: str | None = None
    annotations: int = 0
    left_as_predictions: int = 0
    left_tasks: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Annotation:
    id: int
    task_id: int
    result: dict[str, Any]
    version: int
    raw: dict[str, Any] = field(repr=False)
    # What the checks warned about when it was submitted or edited (docs/checks.md,
    # docs/originality.md): [{path, check, message}]; empty when read back later.
    warnings: list[dict[str, Any]] = field(default_factory=list)


class Client(
    AdjudicationCalls,
    FlagCalls,
    GuidelineCalls,
    LabelStudioCalls,
    LlmCalls,
    MLBackendCalls,
    OriginalityCalls,
    ProblemReportCalls,
    ReviewCalls,
    WebhookCalls,
):
    def __init__(
        self, url: str | None = None, token: str | None = None, *, timeout: float = 300.0
    ) -> None:
        url = url or os.environ.get("ACCORD_URL") or "http://127.0.0.1:8080"
        token = token or os.environ.get("ACCORD_TOKEN")
        if not token:
            raise AccordError(
                "no API token: pass one, or set ACCORD_TOKEN "
                "(create one with `accord tokens create EMAIL`)"
            )
        self.url = url.rstrip("/")
        self._http = httpx.Client(
            base_url=self.url + "/api/v1",
            headers={"Authorization": f"Bearer {token}"},
            timeout=httpx.Timeout(timeout, connect=10.0),
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- projects ------------------------------------------------------------------------

    def create_project(
        self, name: str, interface: dict[str, Any] | str, overlap: int = 1, **settings: Any
    ) -> Project:
        body = {"name": name, "interface": interface, "overlap": overlap, **settings}
        return _project(self._call("POST", "/projects", json=body))

    def project(self, project_id: int) -> Project:
        return _project(self._call("GET", f"/projects/{project_id}"))

    def projects(self) -> list[Project]:
        return [_project(p) for p in self._call("GET", "/projects")]

    def update_project(self, project_id: int, **changes: Any) -> Project:
        return _project(self._call("PATCH", f"/projects/{project_id}", json=changes))

    def add_member(self, project_id: int, email: str, role: str) -> dict[str, Any]:
        body = {"email": email, "role": role}
        result: dict[str, Any] = self._call("POST", f"/projects/{project_id}/members", json=body)
        return result

    # -- accounts and tokens -------------------------------------------------------------

    def me(self) -> dict[str, Any]:
        """The token's account."""
        result: dict[str, Any] = self._call("GET", "/me")
        return result

    def create_token(self, name: str = "", expires_in_days: int | None = None) -> dict[str, Any]:
        """A new API token for the caller's account: ``token`` (shown only this once), ``id``,
        ``expires_at`` (None: until revoked)."""
        body = {"name": name, "expires_in_days": expires_in_days}
        result: dict[str, Any] = self._call("POST", "/tokens", json=body)
        return result

    def tokens(self) -> list[dict[str, Any]]:
        """The caller's tokens (without the tokens themselves), with expiry and last use."""
        result: list[dict[str, Any]] = self._call("GET", "/tokens")
        return result

    def revoke_token(self, token_id: int) -> None:
        self._call("DELETE", f"/tokens/{token_id}")

    def change_password(self, current: str, new: str, *, revoke_tokens: bool = False) -> None:
        """Change the caller's password: their browser sessions end (and their API tokens,
        this client's included, with ``revoke_tokens``)."""
        body = {"current_password": current, "new_password": new, "revoke_tokens": revoke_tokens}
        self._call("PUT", "/me/password", json=body)

    def set_password(self, user_id: int, password: str, *, revoke_tokens: bool = False) -> None:
        """Admins: set an account's password; its browser sessions end (its API tokens too
        with ``revoke_tokens``) and a sign-in lock is lifted."""
        body = {"password": password, "revoke_tokens": revoke_tokens}
        self._call("PUT", f"/users/{user_id}/password", json=body)

    # -- data in and out -----------------------------------------------------------------

    def import_tasks(
        self,
        project_id: int,
        path_or_rows: str | Path | Iterable[dict[str, Any]],
        skip_invalid: bool = False,
        *,
        format: str | None = None,
        progress: Progress | None = None,
        source: str | None = None,
    ) -> ImportReport:
        """Import a file (JSONL, JSON, CSV, TSV; by extension or ``format``) or dict rows.
        With ``source``, each row's prediction becomes a submitted annotation by that named
        source (a vendor, an earlier tool) instead."""
        params: dict[str, Any] = {"skip_invalid": skip_invalid}
        if source is not None:
            params["source"] = source
        if isinstance(path_or_rows, str | Path):
            path = Path(path_or_rows)
            params["filename"] = path.name
            if format:
                params["format"] = format
            body: Iterator[bytes] = file_chunks(path, progress)
        else:
            params["format"] = "jsonl"
            body = jsonl_chunks(path_or_rows, progress)
        data = self._call(
            "POST",
            f"/projects/{project_id}/imports",
            params=params,
            content=body,
            headers={"Content-Type": "application/octet-stream"},
        )
        return ImportReport(
            created=data["created"],
            skipped=data["skipped"],
            errors=data["errors"],
            duplicates=data["duplicates"],
            predictions=data["predictions"],
            duplicate_ids=data["duplicate_ids"],
            source=data.get("source"),
            annotations=data.get("annotations", 0),
            left_as_predictions=data.get("left_as_predictions", 0),
            left_tasks=data.get("left_tasks", []),
        )

    def export(
        self, project_id: int, format: str = "jsonl", **filters: Any
    ) -> Iterator[dict[str, Any]]:
        """Rows of the export: one dict per task (jsonl) or per annotation (csv), or the
        records of a JSONL training format (trl-sft, trl-preference, trl-kto, reward-pairs,
        openai-ft; their options such as ``question=`` or ``reviewed=True`` as filters). CSV
        cells come exactly as stored (``spreadsheet_safe=False``: a program reads them, not a
        spreadsheet). COCO, YOLO, VOC, hf-parquet, conll and spacy are files, not rows: use
        `export_to` or `start_export`."""
        if format not in ("jsonl", "csv", *TRAINING_JSONL):
            raise AccordError(
                f"{format} is a file, not rows: use export_to(project_id, path, "
                f"format={format!r}) or start_export"
            )
        if format == "csv":
            filters.setdefault("spreadsheet_safe", False)
        lines = self._export_lines(project_id, format, filters)
        if format == "csv":
            yield from csv.DictReader(lines)
        else:
            for line in lines:
                if line.strip():
                    yield orjson.loads(line)

    def export_to(
        self,
        project_id: int,
        path: str | Path,
        format: str = "jsonl",
        progress: Progress | None = None,
        **filters: Any,
    ) -> int:
        """Write the export to ``path``; returns the number of bytes written."""
        written = 0
        with open(path, "wb") as out:
            for chunk in self.export_bytes(project_id, format, filters):
                out.write(chunk)
                written += len(chunk)
                if progress:
                    progress(len(chunk))
        return written

    def export_report(self, project_id: int, format: str, **filters: Any) -> dict[str, Any]:
        """What a training format's export writes and leaves out, and why (``records``,
        ``answers``, ``skipped`` by reason, ``problems`` each named, ``bytes``), without the
        file (docs/training_exports.md)."""
        params = {"format": format, "report": True}
        params.update({k: v for k, v in filters.items() if v is not None})
        found: dict[str, Any] = self._call("GET", f"/projects/{project_id}/export", params=params)
        return found

    def export_bytes(
        self, project_id: int, format: str = "jsonl", filters: dict[str, Any] | None = None
    ) -> Iterator[bytes]:
        """The export as raw bytes, streamed (for writing straight to a file or a pipe)."""
        filters = filters or {}
        params = {"format": format, **{k: v for k, v in filters.items() if v is not None}}
        try:
            with self._http.stream("GET", f"/projects/{project_id}/export", params=params) as r:
                if r.status_code >= 400:
                    r.read()
                    raise _error(r)
                yield from r.iter_bytes(CHUNK)
        except httpx.HTTPError as exc:
            raise self._unreachable(exc) from None

    # -- background jobs -----------------------------------------------------------------

    def start_import(
        self,
        project_id: int,
        path_or_rows: str | Path | Iterable[dict[str, Any]],
        skip_invalid: bool = False,
        *,
        format: str | None = None,
        progress: Progress | None = None,
        source: str | None = None,
        question: str | None = None,
    ) -> dict[str, Any]:
        """Upload a file (or dict rows) and import it as a background job; returns the job
        at once (follow it with `job` or `wait_job`; its ``result`` is the import report).
        With ``source``, each row's prediction becomes a submitted annotation by that named
        source instead (the report's ``annotations``). With a dataset zip of ``format`` mot,
        rttm, vtt or srt, ``question`` names the question its tracks or segments go to
        (needed only when the project has several that suit the format)."""
        params: dict[str, Any] = {"skip_invalid": skip_invalid, "background": True}
        if source is not None:
            params["source"] = source
        if question is not None:
            params["question"] = question
        if isinstance(path_or_rows, str | Path):
            path = Path(path_or_rows)
            params["filename"] = path.name
            if format:
                params["format"] = format
            body: Iterator[bytes] = file_chunks(path, progress)
        else:
            params["format"] = "jsonl"
            body = jsonl_chunks(path_or_rows, progress)
        job: dict[str, Any] = self._call(
            "POST",
            f"/projects/{project_id}/imports",
            params=params,
            content=body,
            headers={"Content-Type": "application/octet-stream"},
        )
        return job

    def import_dataset(
        self,
        project_id: int,
        path: str | Path,
        format: str,
        media_dir: str | Path | None = None,
        *,
        on_upload: Callable[[int, int], None] | None = None,
        source: str | None = None,
        question: str | None = None,
    ) -> dict[str, Any]:
        """Import a COCO file, a YOLO ``data.yaml`` or a Pascal VOC folder (``format``: coco,
        yolo or voc), or a zip of any of them with its images (unpacked into a temporary
        folder here): the images it names are uploaded from ``media_dir`` (by default where
        the format keeps them, or the zip), then one task per image is imported with the
        dataset's shapes as a prediction (with ``source``: as a submitted annotation by that
        named source), as a background job. Returns the job (follow it with `wait_job`),
        with ``dataset``: ``images``, ``uploaded`` and ``skipped`` (annotations by category
        that no question offers). An image missing from ``media_dir`` raises before anything
        is uploaded. ``on_upload(done, total)`` follows the upload. ``format`` mot: ``path``
        is a MOTChallenge sequence folder or a folder of them, each sequence's video uploaded
        (its frames encoded first) and its ``gt/gt.txt`` imported as tracks
        (`accord.sdk.mot`; ``dataset`` then counts sequences, tracks, keyframes, rows).
        ``format`` rttm, vtt or srt: ``path`` is such a file or a folder of them, the
        recordings they name uploaded from ``media_dir`` and their segments imported
        (`accord.sdk.audio_datasets`; ``dataset`` then has ``recordings``). ``format``
        cvat-video (a CVAT for video 1.1 XML or a folder of them) or ytvis (a YouTube-VIS
        JSON): the videos uploaded from ``media_dir`` and the tracks imported
        (`accord.sdk.video_tracks`; ``dataset`` then has ``videos``, ``tracks``).
        ``question`` (mot, rttm, vtt, srt): the question the tracks or segments go to, needed
        only when the project has several that suit the format (docs/video.md, docs/audio.md);
        refused, before anything is uploaded, when it must be named and is not."""
        from accord.formats.format_question import QuestionChoiceError, refuse_question
        from accord.formats.shapes import DatasetError

        try:
            refuse_question(format, question)
            return self._import_dataset(
                project_id, Path(path), format, media_dir, on_upload, source, question
            )
        except QuestionChoiceError as exc:
            raise AccordError(str(exc), code="invalid", details={"field": "question"}) from None
        except DatasetError as exc:
            raise AccordError(str(exc), code="bad_dataset") from None

    def _import_dataset(
        self,
        project_id: int,
        path: Path,
        format: str,
        media_dir: str | Path | None,
        on_upload: Callable[[int, int], None] | None,
        source: str | None,
        question: str | None,
    ) -> dict[str, Any]:
        """`import_dataset` by format (its `DatasetError` raised as it is)."""
        from accord.sdk.datasets import import_dataset

        media = Path(media_dir) if media_dir is not None else None
        if format == "mot":  # a MOTChallenge sequence folder, or a folder of them
            from accord.sdk.mot import import_mot

            return import_mot(
                self, project_id, path, on_upload=on_upload, source=source, question=question
            )
        if format in ("rttm", "vtt", "srt"):
            from accord.sdk.audio_datasets import import_audio_dataset

            return import_audio_dataset(
                self, project_id, path, format, media, on_upload=on_upload, source=source,
                question=question,
            )  # fmt: skip
        if format in ("cvat-video", "ytvis", "coco-video"):  # tracks with their videos
            from accord.sdk.video_tracks import import_video_tracks as import_dataset
        return import_dataset(
            self, project_id, path, format, media, on_upload=on_upload, source=source
        )

    def export_mot(self, project_id: int, folder: str | Path, **filters: Any) -> list[str]:
        """Export the project's tracks as MOTChallenge sequences into ``folder`` (made if
        missing): one ``SEQUENCE/`` (``seqinfo.ini``, ``gt/gt.txt``) per task with a video.
        Returns the sequences' folder names. The filters of `export`, or ``final=True``;
        ``question="vehicles"`` names the tracks question when the project has several."""
        from accord.sdk.mot import export_mot

        return export_mot(self, project_id, Path(folder), **filters)

    def export_cvat_video(self, project_id: int, folder: str | Path, **filters: Any) -> list[str]:
        """Export the project's tracks as CVAT for video 1.1 XML into ``folder`` (made if
        missing): one ``NAME.xml`` per task with a video. Returns the files' names. The
        filters of `export`, or ``final=True``."""
        from accord.sdk.video_tracks import export_cvat_folder

        return export_cvat_folder(self, project_id, Path(folder), **filters)

    def export_folder(
        self, project_id: int, folder: str | Path, format: str = "vtt", **filters: Any
    ) -> list[Path]:
        """Export the project's transcripts as subtitles (``format`` vtt or srt) into
        ``folder`` (made if missing): one file per task, named by its id. Returns their
        paths. The filters of `export`, or ``final=True``; ``question="captions"`` names the
        transcript question when the project has several."""
        from accord.sdk.audio_datasets import export_folder

        return export_folder(self, project_id, Path(folder), format, **filters)

    def start_export(
        self, project_id: int, format: str = "jsonl", **filters: Any
    ) -> dict[str, Any]:
        """Export into the server's storage backend as a background job (the filters of
        `export`); download the file with `download_job` once it has succeeded."""
        body = {"format": format, **{k: v for k, v in filters.items() if v is not None}}
        job: dict[str, Any] = self._call("POST", f"/projects/{project_id}/exports", json=body)
        return job

    def upload_media(
        self, project_id: int, paths: Sequence[tuple[str, Path]]
    ) -> list[dict[str, Any]]:
        """Upload image files into the project's media in one request: ``paths`` pairs each
        file's relative name (``train/0001.jpg``; ``/``-separated, no ``..``) with the file to
        send. Every file is checked, then all are stored or none (a bad one raises
        `AccordError` naming it). Returns, per file, ``name``, ``src`` (the reference to put in
        a task's image field), ``width`` and ``height`` (after the EXIF orientation),
        ``format``, ``stored`` (False when the same bytes were already there) and
        ``original`` (a TIFF's own reference; its ``src`` is a PNG copy browsers show). At most
        1,000 files and 4 GiB a request: send larger sets in batches."""
        with ExitStack() as stack:
            parts = [
                ("file", (name, stack.enter_context(open(path, "rb")), "application/octet-stream"))
                for name, path in paths
            ]
            data = self._call("POST", f"/projects/{project_id}/media", files=parts)
        files: list[dict[str, Any]] = data["files"]
        return files

    def start_bucket_sync(self, project_id: int, url: str, field: str) -> dict[str, Any]:
        """Create a task per object under ``url`` (``s3://bucket/prefix``) with its URL in
        ``field``, as a background job (objects synced before are left as duplicates)."""
        job: dict[str, Any] = self._call(
            "POST", f"/projects/{project_id}/bucket-syncs", json={"url": url, "field": field}
        )
        return job

    def job(self, job_id: int) -> dict[str, Any]:
        """One job: state, phase, done/total/unit, percent, rate, eta_seconds, log, result."""
        job: dict[str, Any] = self._call("GET", f"/jobs/{job_id}")
        return job

    def jobs(
        self, project_id: int, *, active: bool = False, kind: str | None = None, limit: int = 50
    ) -> list[dict[str, Any]]:
        """The project's jobs, newest first (managers)."""
        params: dict[str, Any] = {"active": active, "limit": limit}
        if kind:
            params["kind"] = kind
        jobs: list[dict[str, Any]] = self._call(
            "GET", f"/projects/{project_id}/jobs", params=params
        )["jobs"]
        return jobs

    def cancel_job(self, job_id: int) -> dict[str, Any]:
        job: dict[str, Any] = self._call("POST", f"/jobs/{job_id}/cancel")
        return job

    def wait_job(
        self,
        job_id: int,
        *,
        timeout: float | None = None,
        poll: float = 0.5,
        on_progress: Callable[[dict[str, Any]], None] | None = None,
    ) -> dict[str, Any]:
        """Poll the job until it has finished; returns it (check ``state``). ``on_progress``
        gets the job at every poll. Raises AccordError on timeout."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            job = self.job(job_id)
            if on_progress is not None:
                on_progress(job)
            if job["state"] in ("succeeded", "failed", "cancelled"):
                return job
            if deadline is not None and time.monotonic() > deadline:
                raise AccordError(f"job {job_id} is still {job['state']} after {timeout} s")
            time.sleep(poll)

    def download_job(self, job_id: int, path: str | Path) -> int:
        """Download the file an export job made to ``path``; returns its size in bytes."""
        try:
            response = self._http.get(f"/jobs/{job_id}/download", follow_redirects=False)
        except httpx.HTTPError as exc:
            raise self._unreachable(exc) from None
        if response.status_code >= 400:
            raise _error(response)
        link = str(self._http.base_url.join(response.headers["location"]))
        written = 0
        try:  # the link is signed: it needs no token (and a bucket must not get ours)
            with httpx.stream("GET", link, timeout=self._http.timeout) as r:
                if r.status_code >= 400:
                    r.read()
                    raise _error(r)
                with open(path, "wb") as out:
                    for chunk in r.iter_bytes(CHUNK):
                        out.write(chunk)
                        written += len(chunk)
        except httpx.HTTPError as exc:
            raise self._unreachable(exc) from None
        return written

    def _export_lines(self, project_id: int, format: str, filters: dict[str, Any]) -> Iterator[str]:
        pending = b""
        for chunk in self.export_bytes(project_id, format, filters):
            lines = (pending + chunk).split(b"\n")
            pending = lines.pop()
            for line in lines:
                yield line.decode() + "\n"
        if pending:
            yield pending.decode()

    # -- the annotation loop -------------------------------------------------------------

    def next_task(self, project_id: int, mode: str | None = None) -> Task | None:
        """Lease the next task for the caller; None when nothing is left for them. A project's
        qualification tasks come first for annotators who must qualify (``task.raw["practice"]``
        says where they stand); ``mode="training"`` serves the training tasks."""
        params = {"mode": mode} if mode else None
        return _next(self._call("POST", f"/projects/{project_id}/next", params=params))

    def task(self, task_id: int) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", f"/tasks/{task_id}")
        return result

    def mark_sensitive(self, task_id: int, sensitive: bool = True, reason: str = "") -> bool:
        """Mark a task sensitive (any member who sees it) or unmark it (managers); docs/
        confidentiality.md. Returns whether it is sensitive now."""
        body = {"sensitive": sensitive, "reason": reason}
        return bool(self._call("POST", f"/tasks/{task_id}/sensitive", json=body)["sensitive"])

    def data_handling(self, project_id: int, **changes: Any) -> dict[str, Any]:
        """The project's data-handling settings; with ``changes`` (managers), change them first
        (e.g. ``watermark=True, sensitive_daily_limit=40``)."""
        path = f"/projects/{project_id}/handling"
        if changes:
            changed: dict[str, Any] = self._call("PATCH", path, json=changes)
            return changed
        result: dict[str, Any] = self._call("GET", path)
        return result

    def save_draft(self, task_id: int, result: dict[str, Any], seconds: float = 0) -> None:
        self._call("PUT", f"/tasks/{task_id}/draft", json={"result": result, "seconds": seconds})

    def skip(self, task_id: int, reason: str = "") -> None:
        self._call("POST", f"/tasks/{task_id}/skip", json={"reason": reason})

    def submit(
        self, task_id: int, result: dict[str, Any], seconds: float | None = None
    ) -> Annotation:
        data = self.answer(task_id, result, seconds)
        if data["annotation"] is None:
            raise AccordError(
                "this was a qualification or training task: its answer is not an annotation; "
                "use answer() to get its score",
                status=200,
                code="practice",
            )
        return _annotation(data["annotation"], data.get("warnings", []))

    def answer(
        self, task_id: int, result: dict[str, Any], seconds: float | None = None
    ) -> dict[str, Any]:
        """Submit, and get the whole response: ``annotation`` (None for a qualification or
        training task), ``feedback`` (the expected answer and the score, when shown) and
        ``practice`` (where the caller stands in the qualification or training)."""
        data: dict[str, Any] = self._call(
            "POST", f"/tasks/{task_id}/annotations", json={"result": result, "seconds": seconds}
        )
        return data

    def check_text(self, project_id: int, question: str, text: str) -> list[dict[str, Any]]:
        """The verdict of each declared check of a text question on ``text`` (docs/checks.md):
        ``[{check, index, level, ok, message}]``, as the server judges it at submit."""
        data: dict[str, Any] = self._call(
            "POST", f"/projects/{project_id}/checks", json={"question": question, "text": text}
        )
        return list(data["verdicts"])

    def edit(
        self, annotation_id: int, result: dict[str, Any], seconds: float | None = None
    ) -> Annotation:
        """Edit one's own annotation; the new version, with ``warnings`` (what the declared
        checks and the originality check warned about, as at submit)."""
        data = self._call(
            "PUT", f"/annotations/{annotation_id}", json={"result": result, "seconds": seconds}
        )
        return _annotation(data)

    # -- metrics -------------------------------------------------------------------------

    def metrics(self, project_id: int, by: str = "annotator") -> dict[str, Any]:
        """The project's metrics per ``annotator``, ``day``, ``week`` or ``question``
        (docs/metrics.md): ``{"rows", "questions", "progress", "computed_at", ...}``.
        Reviewers and managers get everyone's figures; an annotator only their own."""
        data: dict[str, Any] = self._call(
            "GET", f"/projects/{project_id}/metrics", params={"by": by}
        )
        return data

    def metrics_csv(self, project_id: int, by: str = "annotator") -> str:
        """The same figures as CSV text (one row per annotator, period or question)."""
        try:
            response = self._http.get(
                f"/projects/{project_id}/metrics", params={"by": by, "format": "csv"}
            )
        except httpx.HTTPError as exc:
            raise self._unreachable(exc) from None
        if response.status_code >= 400:
            raise _error(response)
        return response.text

    # -- gold, qualification and training ---------------------------------------------------

    def gold(self, project_id: int, purpose: str | None = None) -> Iterator[dict[str, Any]]:
        """The project's tasks with a known answer (managers), every page."""
        yield from self._pages(f"/projects/{project_id}/gold", {"purpose": purpose}, limit=1000)

    def set_gold(
        self,
        task_id: int,
        answer: dict[str, Any],
        purpose: str = "gold",
        explanation: str = "",
    ) -> dict[str, Any]:
        """Give a task a known answer or change it (scores already given stay as they are)."""
        body = {"answer": answer, "purpose": purpose, "explanation": explanation}
        data: dict[str, Any] = self._call("PUT", f"/tasks/{task_id}/gold", json=body)
        return data

    def gold_scores(self, project_id: int) -> dict[str, Any]:
        """Each member's gold score with its 95 % Wilson interval, pause and qualification."""
        data: dict[str, Any] = self._call("GET", f"/projects/{project_id}/gold/annotators")
        return data

    def qualification(self, project_id: int) -> dict[str, Any]:
        """Where the caller stands in the project's qualification, and training tasks left."""
        data: dict[str, Any] = self._call("GET", f"/projects/{project_id}/qualification")
        return data

    def pause_member(self, project_id: int, user_id: int, reason: str = "") -> dict[str, Any]:
        data: dict[str, Any] = self._call(
            "POST", f"/projects/{project_id}/members/{user_id}/pause", json={"reason": reason}
        )
        return data

    def resume_member(self, project_id: int, user_id: int) -> dict[str, Any]:
        data: dict[str, Any] = self._call(
            "POST", f"/projects/{project_id}/members/{user_id}/resume"
        )
        return data

    # -- managers: deleting --------------------------------------------------------------

    def delete_tasks(self, project_id: int, ids: Iterable[int]) -> dict[str, Any]:
        """Delete tasks with their annotations (1,000 per request): how many tasks and
        annotations went, and the ids that were no task of the project."""
        wanted = list(ids)
        done: dict[str, Any] = {"deleted": 0, "annotations": 0, "missing": []}
        for start in range(0, len(wanted), DELETE_BATCH):
            batch = wanted[start : start + DELETE_BATCH]
            data = self._call("POST", f"/projects/{project_id}/tasks/delete", json={"ids": batch})
            done["deleted"] += data["deleted"]
            done["annotations"] += data["annotations"]
            done["missing"] += data["missing"]
        return done

    def delete_annotation(self, annotation_id: int) -> None:
        """Delete an annotation (its task goes back to the queue for one more answer)."""
        self._call("DELETE", f"/annotations/{annotation_id}")

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise self._unreachable(exc) from None
        if response.status_code >= 400:
            raise _error(response)
        if response.status_code == 204 or not response.content:
            return None
        return orjson.loads(response.content)

    def _unreachable(self, exc: httpx.HTTPError) -> AccordError:
        return AccordError(f"cannot talk to the Accord server at {self.url}: {exc}")


def _error(response: httpx.Response) -> AccordError:
    try:
        error = orjson.loads(response.content)["error"]
        return AccordError(
            error["message"],
            status=response.status_code,
            code=error.get("code", ""),
            details=error.get("details"),
        )
    except (orjson.JSONDecodeError, KeyError, TypeError):
        text = response.text.strip()[:200] or response.reason_phrase
        return AccordError(f"HTTP {response.status_code}: {text}", status=response.status_code)


def _project(data: dict[str, Any]) -> Project:
    return Project(id=data["id"], name=data["name"], raw=data)


def _next(data: dict[str, Any]) -> Task | None:
    task = data.get("task")
    if task is None:
        return None
    draft = data.get("draft")
    return Task(
        id=task["id"],
        data=task["data"],
        external_id=task.get("external_id"),
        draft=draft["result"] if draft else None,
        raw=data,
    )


def _annotation(data: dict[str, Any], warnings: list[dict[str, Any]] | None = None) -> Annotation:
    return Annotation(
        id=data["id"],
        task_id=data["task_id"],
        result=data["result"],
        version=data["version"],
        raw=data,
        warnings=list(data.get("warnings", []) if warnings is None else warnings),
    )
