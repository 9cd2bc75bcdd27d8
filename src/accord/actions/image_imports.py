"""Importing a COCO, YOLO or Pascal VOC dataset whose images were uploaded into the project.

``POST /projects/{id}/imports?format=coco|yolo|voc`` (and its background job) sends the
dataset alone: a COCO JSON file, or a zip of a YOLO dataset (``data.yaml`` with ``labels/``)
or of VOC's XML files. Its images must already be in the project's media, uploaded with
``POST /projects/{id}/media`` (or ``accord import ... --media DIR``) under the names the
dataset gives them (COCO's ``file_name``, YOLO's path below the dataset's root such as
``images/train/0001.jpg``, VOC's ``filename``), i.e. at the storage keys
``media/projects/{id}/{name}``. A zip (COCO's too) may hold the images as well: those the
dataset names are checked and stored first exactly as uploads are
(`accord.actions.dataset_media`), the others must have been uploaded.

1. The dataset is read (`accord.formats.datasets`) and every image it names looked for in
   the zip and among the uploaded files (one listing of the project's media): if one is
   missing, the import is refused, naming the first `MAX_LISTED` and how many, before
   anything is written; the zip's images are then checked (a bad one refuses the import,
   nothing stored) and stored.
2. Each image's reference (the browser's PNG copy for a TIFF, as the upload answered) and
   its size after the EXIF orientation, read from the file's header (`SIZE_THREADS` at a
   time, the first `HEAD_BYTES` of the file, all of it if the header is longer).
3. The rows the SDK makes (`accord.formats.shapes.import_row`: the image's name as the task's
   id, the shapes as one prediction of model version ``<format>:<file name>``) go through the
   same import as a JSONL file (`accord.actions.imports.run_import`): checked against the
   interface, all or nothing.
4. With a ``source`` name, each new task's prediction becomes that source's submitted
   annotation (`accord.actions.source_answers`).
"""

from __future__ import annotations

import io
import shutil
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from accord.actions.dataset_media import Stage, store_zipped_images
from accord.actions.imports import ImportOptions, ImportReport, run_import
from accord.actions.source_answers import (
    Progress,
    SourceAnswers,
    adopt_predictions,
    check_source,
)
from accord.db import Database
from accord.errors import Invalid, NotFound
from accord.formats.datasets import (
    DATASET_FORMATS,
    Dataset,
    RowStream,
    listed,
    open_dataset,
    sent_zipped,
    unpack,
)
from accord.formats.shapes import DatasetError, ImageSchema, Placed
from accord.formats.yolo import YoloDataset
from accord.media.images import BadImage, shown_size
from accord.media.links import media_reference
from accord.media.storage import Storage
from accord.models import Project, User
from accord.queries.projects import interface_of
from accord.settings import Settings

MAX_LISTED = 20  # missing images named in the refusal
HEAD_BYTES = 64 << 10  # bytes read for an image's header (its EXIF block comes before)
SIZE_THREADS = 8  # images whose header is read at once (a bucket answers in parallel)
SPOOL_BYTES = 16 << 20
DEFAULT_NAMES = {"coco": "annotations.json", "yolo": "data.yaml", "voc": "annotations"}

Placing = Callable[[int, int], None]  # (images placed, images in all): progress


@dataclass
class DatasetImport:
    """The import's report and what the dataset held."""

    report: ImportReport
    images: int = 0
    skipped_labels: dict[str, int] = field(default_factory=dict)
    answers: SourceAnswers | None = None  # with a source: the annotations it was given
    from_zip: int = 0  # images the zip held, stored as uploads (`accord.actions.dataset_media`)
    new_from_zip: int = 0  # of those, how many the project's media did not have yet
    unnamed: list[str] = field(default_factory=list)  # images in the zip the dataset leaves out

    def dataset_fields(self) -> dict[str, Any]:
        """What the dataset held, for the report's ``dataset``."""
        return {
            "images": self.images,
            "skipped_labels": self.skipped_labels,
            "from_zip": self.from_zip,
            "new_from_zip": self.new_from_zip,
            "unnamed_in_zip": len(self.unnamed),
            "unnamed_examples": self.unnamed[:MAX_LISTED],
        }


def media_prefix(project_id: int) -> str:
    return f"media/projects/{int(project_id)}/"


def display_prefix(project_id: int) -> str:
    return f"media/display/projects/{int(project_id)}/"


def uploaded_media(storage: Storage, project_id: int) -> tuple[dict[str, str], set[str]]:
    """The project's uploaded files (name → storage key), and the names that have a
    browser copy (a TIFF's PNG)."""
    prefix, display = media_prefix(project_id), display_prefix(project_id)
    files = {item.key[len(prefix) :]: item.key for item in storage.list(prefix)}
    copies = {
        item.key[len(display) : -len(".png")]
        for item in storage.list(display)
        if item.key.endswith(".png")
    }
    return files, copies


def missing_media(
    missing: list[str], total: int, project_id: int, *, in_zip: bool = False
) -> Invalid:
    where = " (nor are they in the zip)" if in_zip else ""
    return Invalid(
        f"{len(missing)} of the {total} images the dataset names were not uploaded into the "
        f"project's media{where}: {listed(missing, MAX_LISTED)}. Put them in the zip, or "
        "upload them under those names with "
        f"POST /api/v1/projects/{project_id}/media (or import with `accord import PROJECT "
        "FILE --format ... --media DIR`, which uploads them), then import the dataset again; "
        "nothing was imported",
        details={"missing": missing[:MAX_LISTED], "count": len(missing)},
        code="missing_media",
    )


def image_size(storage: Storage, key: str, name: str) -> tuple[int, int]:
    """The stored image's size after the EXIF orientation, from its header."""
    head = b"".join(storage.read_range(key, 0, HEAD_BYTES))
    try:
        return shown_size(io.BytesIO(head), name)
    except BadImage:
        if len(head) < HEAD_BYTES:
            raise  # that was the whole file
    with tempfile.SpooledTemporaryFile(SPOOL_BYTES) as spool:
        with storage.open(key) as stream:
            shutil.copyfileobj(stream, spool, 1 << 20)
        spool.seek(0)
        return shown_size(spool, name)


def place_images(
    storage: Storage,
    settings: Settings,
    project_id: int,
    names: list[str],
    copies: set[str],
    on_placed: Placing | None = None,
) -> dict[str, Placed]:
    """Each image's reference and size (see the module, step 2)."""
    prefix, display = media_prefix(project_id), display_prefix(project_id)

    def place(name: str) -> Placed:
        key = f"{display}{name}.png" if name in copies else f"{prefix}{name}"
        width, height = image_size(storage, key, name)
        return Placed(media_reference(settings, key), width, height)

    placed: dict[str, Placed] = {}
    with ThreadPoolExecutor(SIZE_THREADS, thread_name_prefix="accord-sizes") as pool:
        for name, where in zip(names, pool.map(place, names), strict=True):
            placed[name] = where
            if on_placed is not None and len(placed) % 100 == 0:
                on_placed(len(placed), len(names))
    if on_placed is not None:
        on_placed(len(placed), len(names))
    return placed


def _schema(db: Database, project_id: int) -> ImageSchema:
    with db.read() as session:
        project = session.get(Project, project_id)
        if project is None or project.deleted_at is not None:
            raise NotFound(f"no project {project_id}, or you are not a member of it")
        interface = interface_of(project)
    try:
        return ImageSchema.of(interface)
    except DatasetError as exc:
        raise Invalid(str(exc), code="not_an_image_project") from None


class _Refusal:
    """Turns a reader's `DatasetError` into `Invalid`, its temporary paths made readable."""

    def __init__(self, paths: dict[str, str]) -> None:
        self.paths = paths

    def __call__(self, exc: DatasetError) -> Invalid:
        message = str(exc)
        for path, shown in self.paths.items():
            message = message.replace(path, shown)
        return Invalid(message, code="bad_dataset")

    def rows(self, rows: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        try:
            yield from rows
        except DatasetError as exc:
            raise self(exc) from None


def _opened(
    fmt: str, body: Path, folder: Path, media: dict[str, str], refusal: _Refusal
) -> Dataset:
    try:
        if not sent_zipped(fmt, body):
            return open_dataset(fmt, body)[0]
        path = unpack(body, folder, fmt)
        return open_dataset(fmt, path, media_names=media.keys(), within=folder)[0]
    except DatasetError as exc:
        raise refusal(exc) from None


def _names(dataset: Dataset) -> list[str]:
    names = list(dict.fromkeys(dataset.image_names()))
    if isinstance(dataset, YoloDataset):
        names += dataset.unmatched_labels()
    return names


def run_dataset_import(
    db: Database,
    storage: Storage,
    settings: Settings,
    user: User,
    project_id: int,
    body: Path,
    fmt: str,
    options: ImportOptions,
    *,
    filename: str = "",
    on_start: Callable[[int], None] | None = None,
    on_placed: Placing | None = None,
    on_stored: Stage | None = None,
    source: str | None = None,
    on_adopted: Progress | None = None,
) -> DatasetImport:
    """Import the dataset in the file ``body`` (see the module); with ``source``, its shapes
    become that source's annotations. The caller has checked that ``user`` manages the
    project."""
    if fmt not in DATASET_FORMATS:
        raise Invalid(f"unknown dataset format {fmt!r}; use one of {', '.join(DATASET_FORMATS)}")
    if source is not None:
        source = check_source(db, source)
    schema = _schema(db, project_id)
    shown = filename or DEFAULT_NAMES[fmt]
    media, copies = uploaded_media(storage, project_id)
    spool = settings.data_dir / "tmp"
    spool.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=spool, prefix="dataset-") as folder:
        refusal = _Refusal({f"{folder}/": "", str(body): shown})
        dataset = _opened(fmt, body, Path(folder), media, refusal)
        names = _names(dataset)
        # The images a zip holds are checked and stored as uploads; the others were uploaded.
        zipped = store_zipped_images(
            storage, settings, project_id, dataset, names, Path(folder), media.keys(), on_stored
        )
        if zipped.missing:
            raise missing_media(zipped.missing, len(names), project_id, in_zip=zipped.is_zip)
        others = [name for name in names if name not in zipped.placed]
        placed = place_images(storage, settings, project_id, others, copies, on_placed)
        placed.update(zipped.placed)
        rows = refusal.rows(dataset.rows(schema, placed, f"{fmt}:{shown}"))
        report = run_import(
            db,
            user,
            project_id,
            RowStream(rows),
            "jsonl",
            options,
            filename=shown,
            on_start=on_start,
        )
    done = DatasetImport(report, len(names), dict(dataset.skipped))
    done.from_zip, done.new_from_zip = len(zipped.placed), zipped.new
    done.unnamed = zipped.unnamed
    if source is not None and report.import_id is not None:
        done.answers = adopt_predictions(db, user, project_id, report.import_id, source, on_adopted)
    return done
