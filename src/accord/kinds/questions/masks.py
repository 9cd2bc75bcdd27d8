"""``masks``: pixel masks (one per object) on an image field, as COCO compressed RLE.

``{"objects": [{"id": "m1", "label": "road", "rle": {"size": [h, w], "counts": "..."}}]}``:
``counts`` is COCO's compressed run-length string over the column-major pixel order, as
pycocotools writes it (`accord.quality.masks` encodes and decodes it). ``size`` is
``[height, width]`` and must be the image's when its size is known; the runs must cover
exactly ``height * width`` pixels, and a mask may not be empty.

Distance: ``1 -`` the F1 of masks matched one to one with the same label by mask IoU at
least the question's ``match_threshold`` (0.5 by default; `accord.quality.masks.mask_iou`,
computed on runs, never on pixels). Consensus: masks are grouped across answers (each joins
the group whose first mask it overlaps most, IoU at least ``match_threshold``,
same label, one mask per answer); a group drawn by more than half of the answers' weight
gives one mask, made by a per-pixel weighted vote of its members (a pixel is in when the
members covering it weigh more than half of the group), computed on runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np

from accord.kinds.base import Consensus, Problem, agreed, describe, expect_object
from accord.kinds.fields.image import MAX_SIDE
from accord.kinds.questions.shapes import ShapeKind, ShapeQuestion, Shapes, by_label, extras
from accord.quality.data import FloatArray, IntArray
from accord.quality.masks import encode_counts, mask_iou, rle_counts

MAX_COUNTS = 20_000_000  # characters of one mask's counts string
MAX_TOTAL_COUNTS = 50_000_000  # characters of all an answer's counts strings together
MAX_DIGITS = 7  # characters of one run length: 35 bits, above 50,000² pixels


class MasksQuestion(ShapeQuestion):
    kind: Literal["masks"] = "masks"


class MasksKind(ShapeKind[MasksQuestion]):
    name = "masks"
    config = MasksQuestion
    targets = frozenset({"image"})  # not per frame: a mask's runs are of one image's size
    shape_keys = frozenset({"rle"})
    required_keys = frozenset({"rle"})

    def check_geometry(self, config: MasksQuestion, shapes: Shapes) -> None:
        expected = None if shapes.size is None else [shapes.size[1], shapes.size[0]]
        total = 0
        for i, obj in enumerate(shapes.objects):
            counts = obj["rle"].get("counts") if type(obj["rle"]) is dict else None
            total += len(counts) if type(counts) is str else 0
            if total > MAX_TOTAL_COUNTS:
                raise Problem(
                    "objects",
                    f"the masks' counts strings add up to more than {MAX_TOTAL_COUNTS:,} "
                    "characters; split the work over several images or questions",
                )
            try:
                check_rle(obj["rle"], expected)
            except Problem as problem:
                raise problem.under(f"objects[{i}].rle") from None

    def similarity(
        self, config: MasksQuestion, a: list[dict[str, Any]], b: list[dict[str, Any]]
    ) -> FloatArray:
        """Mask IoU (0 between masks of different sizes)."""
        out = np.zeros((len(a), len(b)))
        for size in {tuple(o["rle"]["size"]) for o in a}:
            rows = [i for i, o in enumerate(a) if tuple(o["rle"]["size"]) == size]
            cols = [j for j, o in enumerate(b) if tuple(o["rle"]["size"]) == size]
            if cols:
                found = mask_iou([a[i]["rle"] for i in rows], [b[j]["rle"] for j in cols])
                out[np.ix_(rows, cols)] = found
        return out

    def combine(
        self, config: MasksQuestion, answers: Sequence[Any], weights: Sequence[float]
    ) -> Consensus:
        """Group masks across answers, keep the groups drawn by more than half of the
        weight, and vote each group's pixels (the medoid when mask sizes differ)."""
        drawn = [(j, obj) for j, answer in enumerate(answers) for obj in answer["objects"]]
        if len({tuple(obj["rle"]["size"]) for _, obj in drawn}) > 1:
            return super().combine(config, answers, weights)
        total = sum(weights)
        objects: list[dict[str, Any]] = []
        for label, rows in by_label([obj for _, obj in drawn]).items():
            rles = [drawn[r][1]["rle"] for r in rows]
            who = [drawn[r][0] for r in rows]
            for members in _groups(mask_iou(rles, rles), who, weights, config.match_threshold):
                weight = [weights[who[m]] for m in members]
                if sum(weight) * 2 <= total:
                    continue
                rle = vote([rles[m] for m in members], weight)
                if rle is None:
                    continue
                source = drawn[rows[members[int(np.argmax(weight))]]][1]
                objects.append(
                    {"id": f"c{len(objects) + 1}", "label": label, "rle": rle} | extras(source)
                )
        found = {"objects": objects}
        return agreed(lambda x, y: self.distance(config, x, y), found, answers, weights)


def check_rle(value: Any, expected: list[int] | None) -> None:
    """Raise `Problem` (path within the rle) unless ``value`` is a valid, non-empty COCO
    compressed RLE, of size ``expected`` ([height, width]) when given."""
    rle = expect_object(value, {"size", "counts"}, {"size", "counts"})
    size = rle["size"]
    if type(size) is not list or len(size) != 2:
        raise Problem("size", f"expected [height, width], got {describe(size)}")
    for k, side in enumerate(size):
        if type(side) is not int or not 1 <= side <= MAX_SIDE:
            raise Problem(f"size[{k}]", f"expected a whole number from 1 to {MAX_SIDE}")
    if expected is not None and size != expected:
        raise Problem(
            "size",
            f"{size} is not the image's [height, width] {expected}; encode the mask at the "
            "image's size",
        )
    counts = rle["counts"]
    if type(counts) is not str:
        raise Problem("counts", f"expected COCO's compressed RLE string, got {describe(counts)}")
    runs = _runs(counts)
    pixels = size[0] * size[1]
    if int(runs.max()) > pixels:
        raise Problem("counts", f"a run is longer than height × width = {pixels} pixels")
    if int(runs.sum()) != pixels:
        raise Problem(
            "counts", f"the runs cover {int(runs.sum())} pixels, not height × width = {pixels}"
        )
    if int(runs[1::2].sum()) == 0:
        raise Problem("counts", "the mask is empty; remove the object or paint it")


def _runs(counts: str) -> IntArray:
    """The run lengths of a compressed counts string; `Problem` when it is malformed."""
    if not counts:
        raise Problem("counts", "empty; a mask has at least one run")
    if len(counts) > MAX_COUNTS:
        raise Problem("counts", f"{len(counts)} characters; at most {MAX_COUNTS}")
    code = np.frombuffer(counts.encode("utf-8"), dtype=np.uint8).astype(np.int64) - 48
    if len(code) != len(counts) or code.min() < 0 or code.max() > 63:
        raise Problem("counts", "not a COCO compressed RLE: use characters '0' to 'o' only")
    last = (code & 0x20) == 0
    if not last[-1]:
        raise Problem("counts", "not a COCO compressed RLE: it ends inside a run length")
    ends = np.flatnonzero(last)
    if np.diff(np.concatenate([[-1], ends])).max() > MAX_DIGITS:
        raise Problem("counts", "not a COCO compressed RLE: a run length is too long")
    runs = rle_counts({"counts": counts})
    if (runs < 0).any():
        raise Problem("counts", "not a COCO compressed RLE: a run length is negative")
    return runs


def _groups(
    iou: FloatArray, who: list[int], weights: Sequence[float], threshold: float
) -> list[list[int]]:
    """Masks grouped greedily, heaviest answer first: each joins the group whose first mask
    it overlaps most (IoU >= ``threshold``) among groups with no mask of its answer."""
    order = sorted(range(len(who)), key=lambda r: -weights[who[r]])
    groups: list[list[int]] = []
    for r in order:
        best, best_iou = -1, threshold
        for g, members in enumerate(groups):
            overlap = iou[r, members[0]]
            if overlap >= best_iou and all(who[m] != who[r] for m in members):
                best, best_iou = g, overlap
        if best < 0:
            groups.append([r])
        else:
            groups[best].append(r)
    return groups


def vote(rles: Sequence[dict[str, Any]], weights: Sequence[float]) -> dict[str, Any] | None:
    """The mask of the pixels covered by more than half of the weight (None when empty),
    computed on runs: every mask's runs add their weight from start to end."""
    height, width = rles[0]["size"]
    starts: list[IntArray] = []
    ends: list[IntArray] = []
    lifts: list[FloatArray] = []
    for rle, weight in zip(rles, weights, strict=True):
        edges = np.concatenate([[0], np.cumsum(rle_counts(rle))])
        start, end = edges[1:-1:2], edges[2::2]
        starts.append(start)
        ends.append(end)
        lifts.append(np.full(start.shape[0], float(weight)))
    position = np.concatenate(starts + ends)
    change = np.concatenate(lifts + [-lift for lift in lifts])
    at, where = np.unique(position, return_inverse=True)
    level = np.cumsum(np.bincount(where, change, minlength=at.shape[0]))
    inside = level > sum(weights) / 2 + 1e-9
    flips = at[inside != np.concatenate([[False], inside[:-1]])]
    if flips.shape[0] == 0:
        return None
    counts = np.diff(np.concatenate([[0], flips, [height * width]]))
    return {"size": [height, width], "counts": encode_counts(counts)}


KIND = MasksKind()
