"""Image datasets (COCO, YOLO, Pascal VOC) as import rows, for the SDK and the server alike.

Both import paths make the same rows from the same readers: `open_dataset` reads the dataset,
its ``image_names()`` are resolved to `accord.formats.shapes.Placed` images (uploaded by the
SDK, or found in the project's uploaded media by the server), and ``rows(schema, placed,
source)`` gives one row per image (`accord.formats.shapes.import_row`). `RowStream` turns the
rows into the JSONL bytes `accord.actions.imports.run_import` reads.

The server takes YOLO and VOC as a zip (`unpack`), COCO as its JSON file or a zip: the zip's
``data.yaml`` (at its top or one folder down) with ``labels/...``, VOC's ``Annotations/*.xml``
(or the XML files alone), or the one COCO ``*.json`` at the zip's top or one folder down
(``annotations/instances.json`` beside ``images/``, as Accord and CVAT export it). The images
the zip may hold too are found by `accord.formats.bundled_images`. A member whose path leads
out of the folder, a link, or a zip that unpacks to more than `MAX_UNPACKED_BYTES` or
`MAX_MEMBERS` files is refused.
"""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Collection, Iterator
from pathlib import Path, PurePosixPath
from typing import Any

import orjson

from accord.formats.coco import CocoDataset
from accord.formats.shapes import DatasetError
from accord.formats.voc import VocDataset
from accord.formats.yolo import YoloDataset

DATASET_FORMATS = ("coco", "yolo", "voc")
ZIPPED_FORMATS = ("yolo", "voc")  # sent to the server as a zip
MAX_LISTED = 20  # names listed in a message about missing images
MAX_UNPACKED_BYTES = 4 << 30
MAX_MEMBERS = 2_000_000
SKIPPED_PARTS = ("__MACOSX",)  # folders of metadata some zip tools add
BATCH_FILES = 200  # media files per upload request (the SDK's)
BATCH_BYTES = 256 << 20  # bytes per upload request

Dataset = CocoDataset | YoloDataset | VocDataset


def open_dataset(
    fmt: str,
    path: Path,
    *,
    media_names: Collection[str] | None = None,
    within: Path | None = None,
) -> tuple[Dataset, Path]:
    """The dataset at ``path`` and the folder its images are in by default. For YOLO:
    ``media_names``, image names uploaded already, listed as the dataset's images too where
    its ``data.yaml`` names their folder (a zip of labels without the images); ``within``, the
    folder its ``path`` may not lead out of (see `YoloDataset`)."""
    if fmt == "coco":
        return CocoDataset(path), path.parent
    if fmt == "yolo":
        yolo = YoloDataset(path, media_names=media_names, within=within)
        return yolo, yolo.root
    if fmt == "voc":
        voc = VocDataset(path)
        return voc, voc.image_folder()
    raise DatasetError(f"unknown dataset format {fmt!r}; use one of {', '.join(DATASET_FORMATS)}")


def listed(names: list[str], limit: int = MAX_LISTED) -> str:
    """``a, b, c (and 12 more)``."""
    shown = ", ".join(names[:limit])
    return shown + (f" (and {len(names) - limit} more)" if len(names) > limit else "")


def batches(files: list[tuple[str, Path]]) -> Iterator[list[tuple[str, Path]]]:
    """``files`` (name, path) in groups of at most `BATCH_FILES` files and `BATCH_BYTES`
    (a group holds at least one file, however large)."""
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


def sent_zipped(fmt: str, body: Path) -> bool:
    """Whether the dataset in the file ``body`` is a zip to `unpack`: always for YOLO and
    VOC; for COCO when the file is a zip rather than the JSON itself."""
    return fmt in ZIPPED_FORMATS or (fmt == "coco" and zipfile.is_zipfile(body))


def unpack(
    archive: Path, folder: Path, fmt: str, *, max_bytes: int | None = MAX_UNPACKED_BYTES
) -> Path:
    """Unpack the zip ``archive`` into ``folder`` (safely: see the module); the path to open
    with `open_dataset`: the ``data.yaml`` (YOLO), the folder of the VOC files or the COCO
    JSON. ``max_bytes``: the most the zip may unpack to (None: no limit, for a person's own
    zip unpacked on their own machine)."""
    what = (
        "data.yaml with labels/ for YOLO, Annotations/ for VOC, the COCO JSON with its images "
        "for COCO"
    )
    unzip(archive, folder, fmt, what, max_bytes=max_bytes)
    return _dataset_path(folder, fmt)


def unzip(
    archive: Path, folder: Path, fmt: str, what: str, *, max_bytes: int | None = MAX_UNPACKED_BYTES
) -> None:
    """Unpack the zip ``archive`` of a ``fmt`` dataset into ``folder`` (safely: see the
    module); ``what``: what the zip should hold, for the refusal of a file that is not one."""
    try:
        with zipfile.ZipFile(archive) as zipped:
            _extract(zipped, folder, max_bytes)
    except zipfile.BadZipFile:
        raise DatasetError(
            f"a {fmt.upper()} dataset is sent as a zip file, and this is not one; zip the "
            f"dataset's folder ({what})"
        ) from None


def dataset_top(folder: Path) -> Path:
    """Where an unpacked dataset starts: the folder, or its one folder when it holds nothing
    else (a zip of the dataset's folder rather than of its contents)."""
    entries = [p for p in folder.iterdir() if p.name not in SKIPPED_PARTS]
    if len(entries) == 1 and entries[0].is_dir():
        return entries[0]
    return folder


def _extract(zipped: zipfile.ZipFile, folder: Path, max_bytes: int | None) -> None:
    members = zipped.infolist()
    if len(members) > MAX_MEMBERS:
        raise DatasetError(f"the zip holds more than {MAX_MEMBERS:,} files; send a smaller one")
    if max_bytes is not None and sum(m.file_size for m in members) > max_bytes:
        raise DatasetError(
            f"the zip unpacks to more than {max_bytes >> 30} GiB; send the annotations alone "
            "(upload the images with POST /media), or import with `accord import PROJECT "
            "dataset.zip --format ...`, which unpacks the zip on your machine and uploads "
            "the images in batches"
        )
    root = folder.resolve()
    for member in members:
        name = PurePosixPath(member.filename.replace("\\", "/"))
        if member.is_dir() or any(part in SKIPPED_PARTS for part in name.parts):
            continue
        if (member.external_attr >> 16) & 0o170000 == 0o120000:
            raise DatasetError(f"the zip's member {member.filename!r} is a symbolic link")
        target = (root / name).resolve()
        if name.is_absolute() or ".." in name.parts or not target.is_relative_to(root):
            raise DatasetError(
                f"the zip's member {member.filename!r} leads out of the dataset's folder; "
                "zip the dataset with relative paths"
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        with zipped.open(member) as source, target.open("wb") as out:
            shutil.copyfileobj(source, out, 1 << 20)


def _dataset_path(folder: Path, fmt: str) -> Path:
    """Where the dataset starts in the unpacked zip: its top, or its one folder."""
    tops = [folder]
    entries = [p for p in folder.iterdir() if p.name not in SKIPPED_PARTS]
    if len(entries) == 1 and entries[0].is_dir():
        tops.append(entries[0])
    if fmt == "coco":
        return _coco_json(folder, tops)
    for top in tops:
        if fmt == "yolo":
            found = next((top / n for n in ("data.yaml", "data.yml") if (top / n).is_file()), None)
            if found is not None:
                return found
        elif (top / "Annotations").is_dir() or any(top.glob("*.xml")):
            return top
    if fmt == "yolo":
        raise DatasetError(
            "the zip has no data.yaml at its top (or in its one folder); a YOLO dataset is "
            "named by its data.yaml (names, train, val, ...)"
        )
    raise DatasetError(
        "the zip has no Annotations/ folder nor .xml files at its top (or in its one folder)"
    )


def _coco_json(folder: Path, tops: list[Path]) -> Path:
    """The one ``*.json`` at a top of the zip (see `_dataset_path`) or one folder below it."""
    found: set[Path] = set()
    for top in tops:
        for pattern in ("*.json", "*/*.json"):
            found.update(
                p
                for p in top.glob(pattern)
                if p.is_file() and not any(part in SKIPPED_PARTS for part in p.parts)
            )
    if len(found) == 1:
        return found.pop()
    if not found:
        raise DatasetError(
            "the zip has no COCO .json file at its top nor one folder down (such as "
            "annotations/instances.json beside images/); zip the COCO file with its images"
        )
    names = sorted(p.relative_to(folder).as_posix() for p in found)
    raise DatasetError(
        f"the zip holds {len(names)} .json files ({listed(names)}) and a COCO dataset is one: "
        "zip each annotation file (each split) with its images apart and import them one by one"
    )


class RowStream:
    """Import rows as the JSONL bytes an import reads (`accord.formats.rows.Source`), made
    as they are read: memory holds one row at a time."""

    def __init__(self, rows: Iterator[dict[str, Any]]) -> None:
        self._rows = rows
        self._buffer = bytearray()
        self._ended = False
        self.rows = 0

    def read(self, size: int = -1, /) -> bytes:
        while not self._ended and (size < 0 or len(self._buffer) < size):
            row = next(self._rows, None)
            if row is None:
                self._ended = True
                break
            self._buffer += orjson.dumps(row)
            self._buffer += b"\n"
            self.rows += 1
        taken = len(self._buffer) if size < 0 else min(size, len(self._buffer))
        data = bytes(self._buffer[:taken])
        del self._buffer[:taken]
        return data
