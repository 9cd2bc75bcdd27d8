"""Assist: a rough box (and a few clicks) turned into a mask or a polygon, with OpenCV's GrabCut.

Pure library code (no database, no HTTP): an image file in, an answer's geometry out, in the
pixels of the image **after its EXIF orientation** (`accord.media.images.orientation_of`, as
browsers show it), origin at the top-left corner of the top-left pixel.

How it runs (`assist`):

1. The image is opened (`accord.media.images`: the same checks as an upload: format, size,
   bomb) and the box is checked against its oriented size.
2. Only a region around the box is used: the box plus a margin of `MARGIN` of its longest side
   (at least `MIN_MARGIN` px), cut to the image. A JPEG is decoded at a reduced scale (1/2,
   1/4, 1/8) when the region would still be at least `WORK_SIDE` px on its longest side.
3. The region is scaled down so that its longest side is at most `WORK_SIDE` (512) px; GrabCut
   runs on it for `ITERATIONS` rounds, starting from "outside the box: background, inside:
   probably foreground", foreground clicks forced to foreground and background clicks to
   background (discs of `CLICK_RADIUS` px of the scaled region).
4. The result is kept inside the box, its largest connected part (plus any part holding a
   foreground click) kept, scaled back to the image's pixels, and answered as a COCO
   compressed RLE of the whole image (`accord.quality.masks.encode_counts`, column-major, the
   same as `rle_encode`), or as the largest outline simplified with ``cv2.approxPolyDP`` at
   ``tolerance`` px (default `TOLERANCE`), the tolerance doubled until at most ``max_points``
   points remain.

Intelligent scissors (``tool="scissors"``, `scissors`): instead of a box, at least 3 points
clicked along the object's outline, in order; the region is cut around them as around a box,
and OpenCV's ``cv2.segmentation.IntelligentScissorsMB`` joins each point to the next along
the image's edges on the scaled region; the closed path is filled (then answered as above).

Budget: `BUDGET_SECONDS` (3 s) of wall-clock time for the whole call, checked between steps
(reading, decoding, each GrabCut round, each scissors segment); a step is not interrupted,
and each is short once the region is at most 512 px (a GrabCut round on 512 × 512 takes
about 0.1 s here). Past the budget the call stops with `AssistTooSlow`. Refused with
`AssistRefused` (422, naming the path of the bad value): boxes outside the image, boxes
smaller than `MIN_BOX` px on a side, more than `MAX_CLICKS` clicks, clicks outside the image,
foreground clicks outside the box, fewer than 3 scissors points.

OpenCV (``opencv-python-headless``) is imported when the first assist runs, not at start-up.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import IO, TYPE_CHECKING, Any, Literal

import numpy as np
from PIL import Image

from accord.errors import Invalid
from accord.media.images import (
    JPEGS,
    check_size,
    opened,
    orientation_of,
    oriented_size,
    to_8bit,
    upright,
)
from accord.quality.masks import encode_counts

if TYPE_CHECKING:
    from pathlib import Path

WORK_SIDE = 512  # px: the longest side of the region GrabCut works on
MARGIN = 0.15  # of the box's longest side, around the box
MIN_MARGIN = 8  # px of the image
ITERATIONS = 4  # GrabCut rounds
CLICK_RADIUS = 3  # px of the scaled region
MAX_CLICKS = 50  # foreground and background together
MIN_BOX = 4  # px: a box's smallest side
EDGE_SLACK = 0.5  # px a box may lie past an edge (as answers: edge snapping)
BUDGET_SECONDS = 3.0
TOLERANCE = 1.0  # px: approxPolyDP's epsilon, in the image's pixels
MAX_POINTS = 200  # points of a polygon, by default
KEPT_AREA = 0.7  # a simplified outline keeps at least this share of the area, else the hull
MAX_POINTS_LIMIT = 10_000  # the most a caller may ask for (a polygons question's default)

Output = Literal["mask", "polygon"]
Tool = Literal["grabcut", "scissors"]
Point = tuple[float, float]


class AssistRefused(Invalid):
    """The request cannot be served as it is (the message says where and what to do)."""

    code = "assist_refused"


class AssistTooSlow(Invalid):
    """The assist ran past its time budget."""

    code = "assist_too_slow"


def refused(path: str, message: str) -> AssistRefused:
    return AssistRefused(f"{path}: {message}", details=[{"path": path, "message": message}])


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float


@dataclass(frozen=True)
class AssistRequest:
    box: Box
    foreground: Sequence[Point] = ()
    background: Sequence[Point] = ()
    output: Output = "mask"
    tolerance: float = TOLERANCE
    max_points: int = MAX_POINTS
    tool: Tool = "grabcut"
    points: Sequence[Point] = ()  # scissors: points on the object's outline, in order


@dataclass
class AssistResult:
    width: int  # of the oriented image
    height: int
    rle: dict[str, Any] | None = None
    points: list[list[float]] | None = None
    seconds: float = 0.0
    steps: dict[str, float] = field(default_factory=dict)  # seconds per step


@dataclass(frozen=True)
class Region:
    """Pixels (RGB, uint8) of the part of the oriented image from ``(x0, y0)``, ``w × h`` px of
    the image, held at ``scale`` (pixels held per image pixel, ≤ 1)."""

    pixels: np.ndarray
    x0: int
    y0: int
    w: int
    h: int
    scale: float


class Deadline:
    def __init__(self, seconds: float) -> None:
        self.start = time.monotonic()
        self.seconds = seconds
        self.steps: dict[str, float] = {}
        self._last = self.start

    def check(self, step: str) -> None:
        now = time.monotonic()
        self.steps[step] = self.steps.get(step, 0.0) + now - self._last
        self._last = now
        if now - self.start > self.seconds:
            raise AssistTooSlow(
                f"the assist took more than its budget of {self.seconds:g} s (at {step}); the "
                "server is busy or the image is very large: try again, or draw the shape by hand",
                details={"budget_seconds": self.seconds, "step": step},
            )

    def elapsed(self) -> float:
        return time.monotonic() - self.start


def check_request(request: AssistRequest) -> None:
    """Refusals that need no image: a degenerate box, too many clicks, a bad option."""
    box = request.box
    for name in ("x", "y", "w", "h"):
        if not np.isfinite(getattr(box, name)):
            raise refused(f"box.{name}", "must be a finite number")
    for name in ("w", "h"):
        if getattr(box, name) < MIN_BOX:
            raise refused(
                f"box.{name}",
                f"the box is {getattr(box, name):g} px {'wide' if name == 'w' else 'high'}; "
                f"draw a box of at least {MIN_BOX} px on each side around the object",
            )
    clicks = len(request.foreground) + len(request.background)
    if clicks > MAX_CLICKS:
        raise refused(
            "foreground",
            f"{clicks} clicks in all; at most {MAX_CLICKS} (foreground and background together) "
            "are taken: keep the few that matter",
        )
    if not 0 < request.tolerance <= 100:
        raise refused("tolerance", "must be more than 0 and at most 100 px")
    if not 3 <= request.max_points <= MAX_POINTS_LIMIT:
        raise refused("max_points", f"must be from 3 to {MAX_POINTS_LIMIT}")


def _check_inside(request: AssistRequest, width: int, height: int) -> None:
    box = request.box
    clicks = (
        ("foreground", request.foreground),
        ("background", request.background),
        ("points", request.points),
    )
    for kind, points in clicks:
        for i, (px, py) in enumerate(points):
            if not (np.isfinite(px) and np.isfinite(py)) or not (
                0 <= px <= width and 0 <= py <= height
            ):
                raise refused(f"{kind}[{i}]", f"({px:g}, {py:g}) is outside the image")
            if kind == "foreground" and not _in_box(box, px, py):
                raise refused(
                    f"{kind}[{i}]",
                    f"({px:g}, {py:g}) is outside the box: a foreground click must be on the "
                    "object, inside the box",
                )
    if box.x < -EDGE_SLACK or box.y < -EDGE_SLACK:
        path = "box.x" if box.x < -EDGE_SLACK else "box.y"
        raise refused(path, "the box starts before the image's top-left corner")
    if box.x + box.w > width + EDGE_SLACK:
        raise refused(
            "box.w", f"x + w = {box.x + box.w:g} is past the image's right edge ({width})"
        )
    if box.y + box.h > height + EDGE_SLACK:
        raise refused(
            "box.h", f"y + h = {box.y + box.h:g} is past the image's bottom edge ({height})"
        )


def _in_box(box: Box, px: float, py: float) -> bool:
    return box.x <= px <= box.x + box.w and box.y <= py <= box.y + box.h


def _bounds(box: Box, width: int, height: int) -> tuple[int, int, int, int]:
    """The region's integer bounds: the box plus its margin, cut to the image."""
    margin = max(MIN_MARGIN, MARGIN * max(box.w, box.h))
    x0 = max(0, int(np.floor(box.x - margin)))
    y0 = max(0, int(np.floor(box.y - margin)))
    x1 = min(width, int(np.ceil(box.x + box.w + margin)))
    y1 = min(height, int(np.ceil(box.y + box.h + margin)))
    return x0, y0, x1, y1


def read_region(
    source: Path | IO[bytes], name: str, request: AssistRequest, deadline: Deadline
) -> tuple[Region, int, int]:
    """The region around the box, and the oriented image's width and height."""
    with opened(source, name) as image:
        check_size(name, image)
        orientation = orientation_of(image)
        if image.format == "TIFF":  # Pillow turns a TIFF itself on loading
            turned = upright(image)
            width, height = turned.size
        else:
            width, height = oriented_size(*image.size, orientation)
        _check_inside(request, width, height)
        x0, y0, x1, y1 = _bounds(request.box, width, height)
        if image.format in JPEGS:
            reduce = max(1.0, max(x1 - x0, y1 - y0) / WORK_SIDE)
            image.draft(image.mode, (int(image.width / reduce), int(image.height / reduce)))
        shown = upright(image)
        deadline.check("decoding")
        held = shown.width / width  # pixels held per image pixel (< 1 after a JPEG draft)
        crop = shown.crop(
            (
                int(x0 * held),
                int(y0 * held),
                max(int(x0 * held) + 1, int(np.ceil(x1 * held))),
                max(int(y0 * held) + 1, int(np.ceil(y1 * held))),
            )
        )
        rgb = to_8bit(crop).convert("RGB")
    scale = min(held, WORK_SIDE / max(x1 - x0, y1 - y0))
    size = (max(1, round((x1 - x0) * scale)), max(1, round((y1 - y0) * scale)))
    if rgb.size != size:
        rgb = rgb.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)
    pixels = np.ascontiguousarray(np.asarray(rgb, dtype=np.uint8)[:, :, ::-1])  # BGR for cv2
    deadline.check("cropping")
    return Region(pixels, x0, y0, x1 - x0, y1 - y0, scale), width, height


def _disc(mask: np.ndarray, points: Sequence[Point], region: Region, value: int) -> None:
    import cv2

    for px, py in points:
        cx = int((px - region.x0) * region.scale)
        cy = int((py - region.y0) * region.scale)
        if 0 <= cx < mask.shape[1] and 0 <= cy < mask.shape[0]:
            cv2.circle(mask, (cx, cy), CLICK_RADIUS, value, -1)


def _box_in_region(box: Box, region: Region) -> tuple[int, int, int, int]:
    h, w = region.pixels.shape[:2]
    bx0 = int(np.clip(np.floor((box.x - region.x0) * region.scale), 0, w - 1))
    by0 = int(np.clip(np.floor((box.y - region.y0) * region.scale), 0, h - 1))
    bx1 = int(np.clip(np.ceil((box.x + box.w - region.x0) * region.scale), bx0 + 1, w))
    by1 = int(np.clip(np.ceil((box.y + box.h - region.y0) * region.scale), by0 + 1, h))
    return bx0, by0, bx1, by1


def grabcut(region: Region, request: AssistRequest, deadline: Deadline) -> np.ndarray:
    """The foreground of the scaled region (uint8, 0 or 1), inside the box."""
    import cv2

    h, w = region.pixels.shape[:2]
    bx0, by0, bx1, by1 = _box_in_region(request.box, region)
    mask = np.full((h, w), cv2.GC_BGD, dtype=np.uint8)
    mask[by0:by1, bx0:bx1] = cv2.GC_PR_FGD
    if not (mask == cv2.GC_BGD).any():  # the box fills the image: its rim is likely background
        mask[[0, -1], :] = cv2.GC_PR_BGD
        mask[:, [0, -1]] = cv2.GC_PR_BGD
    _disc(mask, request.foreground, region, cv2.GC_FGD)
    _disc(mask, request.background, region, cv2.GC_BGD)
    inside = np.zeros((h, w), dtype=bool)
    inside[by0:by1, bx0:bx1] = True
    if not (mask[inside] != cv2.GC_BGD).any():
        raise refused("background", "the background clicks cover the whole box: nothing is left")
    background = np.zeros((1, 65), np.float64)
    foreground = np.zeros((1, 65), np.float64)
    mode = cv2.GC_INIT_WITH_MASK
    for _ in range(ITERATIONS):
        cv2.grabCut(region.pixels, mask, (0, 0, 0, 0), background, foreground, 1, mode)
        mode = cv2.GC_EVAL
        deadline.check("grabcut")
    chosen = ((mask == cv2.GC_FGD) | (mask == cv2.GC_PR_FGD)) & inside
    return _kept_parts(chosen.astype(np.uint8), mask == cv2.GC_FGD)


def _kept_parts(chosen: np.ndarray, clicked: np.ndarray) -> np.ndarray:
    """The largest connected part of ``chosen`` and every part holding a foreground click."""
    import cv2

    count, labels, stats, _ = cv2.connectedComponentsWithStats(chosen, connectivity=8)
    if count <= 1:
        return chosen
    keep = np.zeros(count, dtype=bool)
    keep[1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))] = True
    keep[np.unique(labels[clicked & (chosen > 0)])] = True
    keep[0] = False
    kept: np.ndarray = keep[labels].astype(np.uint8)
    return kept


def full_scale(small: np.ndarray, region: Region) -> np.ndarray:
    """``small`` (the scaled region's 0/1 mask) at the image's pixels (``h × w``, uint8 0/1)."""
    import cv2

    if small.shape == (region.h, region.w):
        return small
    grown = cv2.resize(small * 255, (region.w, region.h), interpolation=cv2.INTER_LINEAR)
    return (grown >= 128).astype(np.uint8)


def region_rle(mask: np.ndarray, x0: int, y0: int, width: int, height: int) -> dict[str, Any]:
    """COCO compressed RLE of a ``width × height`` image that is 0 except ``mask`` at
    ``(x0, y0)``: the same as `accord.quality.masks.rle_encode` of the whole image, without
    making it (the runs of each column of the region are placed at their image offsets)."""
    h, w = mask.shape
    padded = np.zeros((h + 2, w), dtype=bool)
    padded[1:-1] = mask > 0
    flat = padded.ravel(order="F")
    change = np.flatnonzero(flat[1:] != flat[:-1]) + 1  # index where the new value starts
    column, row = np.divmod(change, h + 2)
    at = (x0 + column).astype(np.int64) * height + y0 + row - 1
    # A run ending at a column's last pixel and one starting at the next column's first meet
    # at the same offset: the two changes cancel.
    unique, times = np.unique(at, return_counts=True)
    at = unique[(times % 2 == 1) & (unique < width * height)]  # none at the very end
    bounds = np.concatenate([[0], at, [width * height]]).astype(np.int64)
    counts = np.diff(bounds)
    return {"size": [height, width], "counts": encode_counts(counts)}


def polygon(mask: np.ndarray, region: Region, request: AssistRequest) -> list[list[float]]:
    """The outline of the largest part of ``mask`` (the region at image pixels), simplified."""
    import cv2

    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    if not contours:
        raise _nothing_found()
    outline = max(contours, key=cv2.contourArea)
    simple = _simplified(outline, request.tolerance, request.max_points)
    if len(simple) < 3:
        raise _nothing_found()
    # Contours run through pixel indices; a pixel's centre is at +0.5 in answer coordinates.
    xs = simple[:, 0].astype(np.float64) + region.x0 + 0.5
    ys = simple[:, 1].astype(np.float64) + region.y0 + 0.5
    return [[round(float(x), 2), round(float(y), 2)] for x, y in zip(xs, ys, strict=True)]


def _simplified(outline: np.ndarray, tolerance: float, max_points: int) -> np.ndarray:
    """``outline`` simplified at ``tolerance`` px, doubled until at most ``max_points`` points
    remain; a simplification that crosses itself is tried finer (twice) while it stays within
    ``max_points`` (and keeps `KEPT_AREA` of the area: a few points may make a sliver); else
    the convex hull, thinned evenly along its perimeter to ``max_points``."""
    import cv2
    from shapely.geometry import Polygon

    for _ in range(40):
        simple: np.ndarray = cv2.approxPolyDP(outline, tolerance, True).reshape(-1, 2)
        if len(simple) <= max_points:
            break
        tolerance *= 2
    area = cv2.contourArea(outline)
    for finer in (tolerance, tolerance / 2, tolerance / 4):
        simple = cv2.approxPolyDP(outline, finer, True).reshape(-1, 2)
        if 3 <= len(simple) <= max_points:
            shape = Polygon(simple)
            if shape.is_valid and shape.area >= KEPT_AREA * area:
                return simple
    hull: np.ndarray = cv2.convexHull(outline).reshape(-1, 2)
    if len(hull) <= max_points:
        return hull
    # Vertices spread evenly along the hull's perimeter (a subset of a convex polygon's
    # vertices, in order, is convex: never crossing itself).
    steps = np.hypot(*np.diff(np.vstack([hull, hull[:1]]), axis=0).T)
    along = np.concatenate([[0.0], np.cumsum(steps)[:-1]])
    wanted = np.arange(max_points) * (steps.sum() / max_points)
    picked = np.unique(np.searchsorted(along, wanted).clip(0, len(hull) - 1))
    thinned: np.ndarray = hull[picked]
    return thinned


def _nothing_found() -> AssistRefused:
    return refused(
        "box",
        "GrabCut found no object in the box; draw the box closer around the object, or add "
        "foreground clicks on it (Shift+click)",
    )


def assist(
    source: Path | IO[bytes],
    name: str,
    request: AssistRequest,
    budget: float = BUDGET_SECONDS,
    deadline: Deadline | None = None,
) -> AssistResult:
    """Run the assist on the image in ``source`` (a path or a seekable binary file; ``name``
    names it in errors); see the module."""
    deadline = deadline or Deadline(budget)
    if request.tool == "scissors":
        request = replace(request, box=outline_box(request.points))
    check_request(request)
    region, width, height = read_region(source, name, request, deadline)
    if request.tool == "scissors":
        mask = scissors(region, request, deadline)
    else:
        small = grabcut(region, request, deadline)
        if not small.any():
            raise _nothing_found()
        mask = full_scale(small, region)
    result = AssistResult(width=width, height=height)
    if request.output == "polygon":
        result.points = polygon(mask, region, request)
    else:
        result.rle = region_rle(mask, region.x0, region.y0, width, height)
    deadline.check("answer")
    result.seconds = deadline.elapsed()
    result.steps = {k: round(v, 4) for k, v in deadline.steps.items()}
    return result


# --- intelligent scissors ------------------------------------------------------------------


def outline_box(points: Sequence[Point]) -> Box:
    """The bounds of the scissors' points (the region is cut around them)."""
    if len(points) < 3:
        raise refused(
            "points",
            f"{len(points)} point(s); the scissors need at least 3 points on the object's "
            "outline, in order around it",
        )
    if len(points) > MAX_CLICKS:
        raise refused("points", f"{len(points)} points; at most {MAX_CLICKS} are taken")
    xs = np.array([p[0] for p in points], dtype=np.float64)
    ys = np.array([p[1] for p in points], dtype=np.float64)
    if not (np.isfinite(xs).all() and np.isfinite(ys).all()):
        raise refused("points", "every point must be two finite numbers")
    box = Box(float(xs.min()), float(ys.min()), float(np.ptp(xs)), float(np.ptp(ys)))
    if box.w < MIN_BOX or box.h < MIN_BOX:
        raise refused(
            "points",
            f"the points span {box.w:g} × {box.h:g} px; they must span at least {MIN_BOX} px "
            "each way: put them around the object's outline",
        )
    return box


def scissors(region: Region, request: AssistRequest, deadline: Deadline) -> np.ndarray:
    """The area inside the closed path that OpenCV's intelligent scissors
    (``cv2.segmentation.IntelligentScissorsMB``) find from each point to the next along the
    image's edges, on the scaled region; at the image's pixels (uint8 0/1, region-sized)."""
    import cv2

    tool = cv2.segmentation.IntelligentScissorsMB()
    tool.setEdgeFeatureCannyParameters(32, 100)
    tool.setGradientMagnitudeMaxLimit(200)
    tool.applyImage(region.pixels)
    deadline.check("scissors")
    h, w = region.pixels.shape[:2]
    small = [
        (
            int(np.clip((x - region.x0) * region.scale, 0, w - 1)),
            int(np.clip((y - region.y0) * region.scale, 0, h - 1)),
        )
        for x, y in request.points
    ]
    pieces = []
    for i, start in enumerate(small):
        tool.buildMap(start)
        pieces.append(np.asarray(tool.getContour(small[(i + 1) % len(small)])).reshape(-1, 2))
        deadline.check("scissors")
    path = np.concatenate(pieces).astype(np.float64)
    at_image = np.round((path + 0.5) / region.scale - 0.5).astype(np.int32)
    mask = np.zeros((region.h, region.w), dtype=np.uint8)
    cv2.fillPoly(mask, [at_image], 1)
    if not mask.any():
        raise refused(
            "points", "the scissors' path encloses nothing; put the points around the object"
        )
    return mask
