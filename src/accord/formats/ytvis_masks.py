"""RLE masks in YouTube-VIS (and COCO per frame) segmentations, read as polygon outlines
(docs/video.md, "YouTube-VIS"): a tracks question draws one polygon per frame, so a mask
becomes the outline of its largest part, through the centres of its boundary pixels.

Both RLE forms COCO defines are read: uncompressed (``counts`` a list of run lengths, as
``iscrowd`` annotations and pycocotools' ``frPyObjects`` give) and compressed (``counts`` a
string, pycocotools' ``encode``), decoded by `accord.quality.masks` (column-major runs,
starting with background).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from accord.formats.shapes import DatasetError
from accord.formats.video_tracks import number
from accord.quality.masks import rle_decode

MAX_PIXELS = 3840 * 2160  # the video limit (ACCORD_VIDEO_MAX_PIXELS' default)


@dataclass
class Outline:
    """A mask's outline as a polygon keyframe's keys (None: the mask is empty or too thin to
    outline), and how many other parts of it were left out."""

    keys: dict[str, Any] | None
    parts_left_out: int = 0


def is_rle(value: Any) -> bool:
    return isinstance(value, dict) and "counts" in value


def mask_outline(value: Any, at: str, size: tuple[int, int] | None = None) -> Outline:
    """The outline of the RLE ``value`` (``at`` names it for errors; ``size``, the video's
    (height, width), when known: the mask must be of that size)."""
    mask = _decoded(value, at, size)
    import cv2

    found, _ = cv2.findContours(mask.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    parts = [c.reshape(-1, 2) for c in found]
    if not parts:
        return Outline(None)
    largest = max(range(len(parts)), key=lambda i: (cv2.contourArea(found[i]), len(parts[i])))
    outline = parts[largest]
    if len(outline) < 3:
        return Outline(None, len(parts) - 1)
    points = [[number(float(x) + 0.5), number(float(y) + 0.5)] for x, y in outline.tolist()]
    return Outline({"points": points}, len(parts) - 1)


def _decoded(value: Any, at: str, size: tuple[int, int] | None) -> np.ndarray:
    shape = value.get("size")
    if not (
        isinstance(shape, list)
        and len(shape) == 2
        and all(isinstance(s, int) and not isinstance(s, bool) and s > 0 for s in shape)
    ):
        raise DatasetError(f"{at}: an RLE mask's size is [height, width], got {shape!r}")
    if shape[0] * shape[1] > MAX_PIXELS:
        raise DatasetError(f"{at}: an RLE mask of {shape[1]} × {shape[0]} is past the limit")
    if size is not None and tuple(shape) != size:
        raise DatasetError(
            f"{at}: the RLE mask is {shape[1]} × {shape[0]} (size {shape}), but the video is "
            f"{size[1]} × {size[0]}: encode the masks at the video's size"
        )
    counts = value.get("counts")
    if isinstance(counts, list):
        if not all(isinstance(c, int) and not isinstance(c, bool) and c >= 0 for c in counts):
            raise DatasetError(f"{at}: an uncompressed RLE's counts are whole numbers ≥ 0")
    elif isinstance(counts, str):
        if not counts or any(not 48 <= ord(c) <= 111 for c in counts):
            raise DatasetError(
                f"{at}: not a COCO compressed RLE (counts uses the characters '0' to 'o')"
            )
    else:
        raise DatasetError(f"{at}: an RLE's counts is a list of run lengths or COCO's string")
    try:
        mask = rle_decode({"size": shape, "counts": counts})
    except ValueError as exc:
        raise DatasetError(f"{at}: {exc}") from None
    return mask
