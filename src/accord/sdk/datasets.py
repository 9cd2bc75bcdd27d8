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
   With ``source``, the job then makes each new task's prediction a submitted annotation by
   that named source (`accord.actions.source_answers`).

The media folder defaults to where the format keeps its images: the folder of the COCO file,
the ``path`` of YOLO's ``data.yaml``, VOC's ``JPEGImages``. The dataset is read and its rows
made by `accord.formats.datasets`, as the server does for ``POST /projects/{id}/imports?
format=coco|yolo|voc`` (the dataset sent, its images found among those uploaded).

A zip (``accord import PROJECT dataset.zip --format coco|yolo|voc``: an Accord export made
``--with-media``, Roboflow's, CVAT's) is unpacked into a temporary folder on this machine
(`dataset_files`) with the server's rules (`accord.formats.datasets.unpack`: where the
dataset is in the zip, no member leading out, no links) and its images found where the
server looks for them (`accord.formats.bundled_images`), then imported as a folder is. The
server takes such a zip too, but sending it whole is the fragile way for a big one: one
request of many GiB that starts again from nothing when the connection breaks, 4 GiB at most
unpacked, and room for the zip three times on the server (spooled, copied, unpacked). Here
the images go up in requests of at most `accord.formats.datasets.BATCH_FILES` files and
`BATCH_BYTES` (`batches`), each checked and stored on its own, with a progress bar; a batch
that fails costs that batch, and running the command again stores nothing twice.
"""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from accord.formats.bundled_images import bundled_images
from accord.formats.datasets import (
    DATASET_FORMATS,
    Dataset,
    batches,
    listed,
    open_dataset,
    unpack,
)
from accord.formats.shapes import DatasetError, ImageSchema, Placed

if TYPE_CHECKING:
    from accord.sdk.client import Client

__all__ = ["DATASET_FORMATS", "image_files", "import_dataset", "open_dataset"]

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


def import_dataset(
    client: Client,
    project_id: int,
    path: Path,
    fmt: str,
    media_dir: Path | None = None,
    *,
    on_upload: Callable[[int, int], None] | None = None,
    source: str | None = None,
) -> dict[str, Any]:
    """Upload the images and start the import job (see the module). Returns the job, with
    ``dataset``: ``images``, ``uploaded`` (files stored anew) and ``skipped`` (annotations by
    category name that no question of the project offers)."""
    schema = ImageSchema.of(client.project(project_id).raw["interface"])
    with dataset_files(path, fmt, media_dir) as (dataset, files):
        placed: dict[str, Placed] = {}
        stored = 0
        for batch in batches(files):
            for answer in client.upload_media(project_id, batch):
                placed[answer["name"]] = Placed(answer["src"], answer["width"], answer["height"])
                stored += 1 if answer.get("stored", True) else 0
            if on_upload is not None:
                on_upload(len(placed), len(files))
        rows = dataset.rows(schema, placed, f"{fmt}:{path.name}")
        job = client.start_import(project_id, rows, source=source)
    job["dataset"] = {"images": len(files), "uploaded": stored, "skipped": dict(dataset.skipped)}
    return job


@contextmanager
def dataset_files(
    path: Path, fmt: str, media_dir: Path | None
) -> Iterator[tuple[Dataset, list[tuple[str, Path]]]]:
    """The dataset at ``path`` and the files of the images it names (`DatasetError` naming
    those missing). A zip (``dataset.zip``) is unpacked into a temporary folder, removed
    afterwards, as the server unpacks one (`accord.formats.datasets.unpack`: the same
    layouts, the same safety, no size limit), and its images found as the server finds them
    (`accord.formats.bundled_images`) unless ``media_dir`` is given."""
    if not (path.is_file() and zipfile.is_zipfile(path)):
        dataset, default_media = open_dataset(fmt, path)
        yield dataset, image_files(dataset.image_names(), media_dir or default_media)
        return
    with tempfile.TemporaryDirectory(prefix="accord-dataset-") as unpacked:
        folder = Path(unpacked)
        dataset = open_dataset(fmt, unpack(path, folder, fmt, max_bytes=None), within=folder)[0]
        names = list(dict.fromkeys(dataset.image_names()))
        if media_dir is not None:
            yield dataset, image_files(names, media_dir)
            return
        found = bundled_images(dataset, names, folder)
        missing = [name for name in names if name not in found]
        if missing:
            raise DatasetError(
                f"{len(missing)} of the dataset's {len(names)} images are not in {path.name}: "
                f"{listed(missing, MAX_LISTED)}; put them in the zip (or pass the folder that "
                "holds them with --media DIR); nothing was uploaded or imported"
            )
        yield dataset, [(name, found[name]) for name in names]
