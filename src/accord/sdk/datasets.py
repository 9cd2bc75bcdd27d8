"""Importing a COCO, YOLO or Pascal VOC dataset: its images are uploaded, then its shapes
are imported as predictions, one task per image.

1. The dataset is read (`accord.formats.coco`, `.yolo`, `.voc`) and every image it names is
   looked for in the media folder: one missing is an error naming them, before anything is
   uploaded or imported.
2. The images are uploaded in batches (``POST /projects/{id}/media``, which checks each and
   answers its reference and its size after the EXIF orientation).
3. One row per image, ``{"id": <name>, <image field>: {src, width, height}, "predictions":
   [{"model_version": "<format>:<file name>", "result": {...}}]}``, is imported as a
   background job (the image's name is the task's id: importing again adds nothing twice).

The media folder defaults to where the format keeps its images: the folder of the COCO file,
the ``path`` of YOLO's ``data.yaml``, VOC's ``JPEGImages``. The dataset is read and its rows
made by `accord.formats.datasets`, as the server does for ``POST /projects/{id}/imports?
format=coco|yolo|voc`` (the dataset sent, its images found among those uploaded).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from accord.formats.datasets import DATASET_FORMATS, open_dataset
from accord.formats.shapes import DatasetError, ImageSchema, Placed

if TYPE_CHECKING:
    from accord.sdk.client import Client

__all__ = ["DATASET_FORMATS", "image_files", "import_dataset", "open_dataset"]

BATCH_FILES = 200  # images per upload request
BATCH_BYTES = 256 << 20  # bytes per upload request
MAX_LISTED = 10


def image_files(names: list[str], media: Path) -> list[tuple[str, Path]]:
    """Each image name with its file under ``media``; `DatasetError` naming those missing."""
    root = media.resolve()
    found: list[tuple[str, Path]] = []
    missing: list[str] = []
    for name in dict.fromkeys(names):
        path = (root / name).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            missing.append(name)
        else:
            found.append((name, path))
    if missing:
        listed = ", ".join(missing[:MAX_LISTED])
        more = f" (and {len(missing) - MAX_LISTED} more)" if len(missing) > MAX_LISTED else ""
        raise DatasetError(
            f"{len(missing)} of the dataset's {len(found) + len(missing)} images are not in "
            f"{media}: {listed}{more}; pass the folder that holds them (--media DIR); "
            "nothing was uploaded or imported"
        )
    return found


def batches(files: list[tuple[str, Path]]) -> Iterator[list[tuple[str, Path]]]:
    batch: list[tuple[str, Path]] = []
    size = 0
    for name, path in files:
        length = path.stat().st_size
        if batch and (len(batch) >= BATCH_FILES or size + length > BATCH_BYTES):
            yield batch
            batch, size = [], 0
        batch.append((name, path))
        size += length
    if batch:
        yield batch


def import_dataset(
    client: Client,
    project_id: int,
    path: Path,
    fmt: str,
    media_dir: Path | None = None,
    *,
    on_upload: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Upload the images and start the import job (see the module). Returns the job, with
    ``dataset``: ``images``, ``uploaded`` (files stored anew) and ``skipped`` (annotations by
    category name that no question of the project offers)."""
    schema = ImageSchema.of(client.project(project_id).raw["interface"])
    dataset, default_media = open_dataset(fmt, path)
    files = image_files(dataset.image_names(), media_dir or default_media)
    placed: dict[str, Placed] = {}
    stored = 0
    for batch in batches(files):
        for answer in client.upload_media(project_id, batch):
            placed[answer["name"]] = Placed(answer["src"], answer["width"], answer["height"])
            stored += 1 if answer.get("stored", True) else 0
        if on_upload is not None:
            on_upload(len(placed), len(files))
    rows = dataset.rows(schema, placed, f"{fmt}:{path.name}")
    job = client.start_import(project_id, rows)
    job["dataset"] = {"images": len(files), "uploaded": stored, "skipped": dict(dataset.skipped)}
    return job
