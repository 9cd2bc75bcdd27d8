"""The images a dataset's zip holds: each image the dataset names, found in the unpacked zip.

Where an image is looked for, by format (the first place that has the file wins):

- COCO: its ``file_name`` below the JSON's folder, below the ``images/`` folder there, or
  below the ``images/`` folder beside the JSON's folder (``annotations/instances.json`` with
  ``images/``: Accord's and CVAT's layout; Roboflow's keeps the images beside the JSON);
- YOLO: its name below the dataset's root (``images/train/0001.jpg``), where the reader
  found it;
- Pascal VOC: its ``filename`` in ``JPEGImages/``, else beside the XML files.

Only regular files inside the unpacked folder count: a name leading out of it (``..``, an
absolute path) is not found there. Images the zip holds that the dataset does not name are
left alone (`unnamed_images` counts them, for the report).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from pathlib import Path

from accord.formats.coco import CocoDataset
from accord.formats.voc import VocDataset
from accord.formats.yolo import IMAGE_SUFFIXES, YoloDataset

Dataset = CocoDataset | YoloDataset | VocDataset


def _bases(dataset: Dataset) -> list[Path]:
    """The folders an image's name is relative to, in the order they are tried."""
    if isinstance(dataset, CocoDataset):
        folder = dataset.path.parent
        return [folder, folder / "images", folder.parent / "images"]
    if isinstance(dataset, YoloDataset):
        return [dataset.root]
    return [dataset.image_folder(), dataset.files[0].parent]


def bundled_images(dataset: Dataset, names: Iterable[str], within: Path) -> dict[str, Path]:
    """Each of ``names`` (images the dataset names) that the zip unpacked in ``within``
    holds, with its file (see the module). Empty for a dataset read from outside
    ``within`` (a COCO JSON sent alone)."""
    root = within.resolve()
    bases: list[Path] = []
    for base in _bases(dataset):
        resolved = base.resolve()
        if resolved.is_relative_to(root) and resolved.is_dir() and resolved not in bases:
            bases.append(resolved)
    found: dict[str, Path] = {}
    if not bases:
        return found
    for name in names:
        if not name or name in found:
            continue
        for base in bases:
            path = (base / name).resolve()
            if path.is_relative_to(root) and path.is_file():
                found[name] = path
                break
    return found


def unnamed_images(within: Path, named: Collection[Path]) -> list[str]:
    """The image files in the unpacked zip (by their suffix) that are not among ``named``,
    as paths in the zip, sorted."""
    root = within.resolve()
    taken = set(named)
    return sorted(
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.suffix.lower() in IMAGE_SUFFIXES and path.is_file() and path not in taken
    )
