"""Storing the images a dataset's zip holds into the project's media, as uploads are stored.

``POST /projects/{id}/imports?format=coco|yolo|voc`` takes a zip that holds the images too.
Each image the dataset names and the zip holds (`accord.formats.bundled_images`) is taken as
``POST /projects/{id}/media`` takes a file (`accord.actions.media`): its name checked, at most
`MAX_FILE_BYTES`, decoded whole (`accord.media.images.probe`: format, size, bombs, truncated
files), its size after the EXIF orientation, a TIFF stored with its PNG copy for browsers,
kept under the dataset's name for it at ``media/projects/{id}/{name}``; the same bytes under
the same name are accepted and not stored twice, other bytes under a name the media already
has are refused (409 ``media_exists``).

Every image is checked before any is stored: bad ones refuse the import (422 ``bad_image``)
naming each zip member and why, and nothing is stored. Then they are stored `BATCH` at a
time (`store_files`: a batch the storage fails half-way is removed again; the batches before
stay, and the same zip imported again takes them as the same bytes).

Like `accord.actions.media`, nothing here touches the database.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from accord.actions.media import (
    MAX_FILE_BYTES,
    MAX_REPORTED,
    Received,
    media_key,
    store_files,
    stored_already,
)
from accord.errors import Invalid
from accord.formats.bundled_images import Dataset, bundled_images, unnamed_images
from accord.formats.shapes import Placed
from accord.media.images import BadImage, ImageInfo, probe
from accord.media.storage import Storage
from accord.settings import Settings

BATCH = 200  # images stored per `store_files` call (as the SDK's upload batches)
EVERY = 50  # images checked between two progress reports

Stage = Callable[[int, int, str], None]  # (images done, images in all, what is being done)


@dataclass
class ZippedImages:
    """The dataset's images found in its zip, as placed in the project's media."""

    placed: dict[str, Placed] = field(default_factory=dict)
    new: int = 0  # of those, how many the project's media did not have yet
    missing: list[str] = field(default_factory=list)  # neither in the zip nor uploaded
    unnamed: list[str] = field(default_factory=list)  # images in the zip the dataset leaves out
    is_zip: bool = False  # the dataset came in a zip


def store_zipped_images(
    storage: Storage,
    settings: Settings,
    project_id: int,
    dataset: Dataset,
    names: list[str],
    within: Path,
    uploaded: Collection[str],
    on_progress: Stage | None = None,
) -> ZippedImages:
    """Check, then store the images of ``names`` (those the dataset names) that the zip
    unpacked in ``within`` holds into the project's media (see the module). ``uploaded``:
    the names the media has already. When an image is neither in the zip nor uploaded,
    nothing is stored and the answer's ``missing`` lists them."""
    files = bundled_images(dataset, names, within)
    done = ZippedImages(is_zip=dataset_in(dataset, within))
    done.missing = [name for name in names if name not in uploaded and name not in files]
    if done.missing:
        return done
    if done.is_zip:
        done.unnamed = unnamed_images(within, files.values())
    if not files:
        return done
    received = [Received(name, path, path.stat().st_size) for name, path in files.items()]
    infos = _checked(project_id, received, within, on_progress)
    for item in received:
        if item.name in uploaded:
            stored_already(storage, project_id, item)  # other bytes there: 409, nothing stored
    for start in range(0, len(received), BATCH):
        batch = slice(start, start + BATCH)
        for answer in store_files(storage, settings, project_id, received[batch], infos[batch]):
            done.placed[answer["name"]] = Placed(answer["src"], answer["width"], answer["height"])
            done.new += 1 if answer["stored"] else 0
        if on_progress is not None:
            on_progress(len(done.placed), len(received), "storing the zip's images")
    return done


def dataset_in(dataset: Dataset, within: Path) -> bool:
    """Whether ``dataset`` was read from the folder ``within`` (an unpacked zip)."""
    return dataset.path.resolve().is_relative_to(within.resolve())


def _checked(
    project_id: int, received: list[Received], within: Path, on_progress: Stage | None
) -> list[ImageInfo]:
    """Each image's description, or `Invalid` naming every refused zip member and why."""
    root = within.resolve()
    infos: list[ImageInfo] = []
    problems: list[dict[str, Any]] = []
    for number, item in enumerate(received, 1):
        media_key(project_id, item.name)  # a name the media cannot have is refused at once
        member = item.path.relative_to(root).as_posix()
        try:
            if item.size > MAX_FILE_BYTES:
                raise BadImage(
                    f"{member}: larger than {MAX_FILE_BYTES >> 20} MiB, the most one image "
                    "may be; scale it down or cut it into tiles"
                )
            infos.append(probe(item.path, member))
        except BadImage as exc:
            problems.append({"file": member, "name": item.name, "message": exc.message})
        if on_progress is not None and (number % EVERY == 0 or number == len(received)):
            on_progress(number, len(received), "checking the zip's images")
    if not problems:
        return infos
    named = "; ".join(p["message"] for p in problems[:MAX_REPORTED])
    more = f" (and {len(problems) - MAX_REPORTED} more)" if len(problems) > MAX_REPORTED else ""
    raise Invalid(
        f"{len(problems)} of the {len(received)} images in the zip are refused, so nothing "
        f"was stored or imported: {named}{more}. Fix or replace those files in the zip (or "
        f"leave them out of the dataset) and import it again",
        details={"files": problems},
        code="bad_image",
    )
