"""Object tracks through video frames: where a track is at each frame, and how alike two sets
of tracks are (identity F1, CLEAR MOT accuracy).

A track is ``{"id", "label", "keyframes": [...]}`` as the ``tracks`` question takes it
(`accord.kinds.questions.tracks`, docs/video.md "Tracks"); a keyframe is ``{"frame": N,
"outside": bool, "occluded": bool, "attributes": {...}}`` plus the geometry of the shape:
``box`` ``x, y, w, h[, rotation]``, ``point`` ``x, y``, ``polygon`` ``points: [[x, y], ...]``,
``keypoints`` ``points: [[x, y, v], ...]``. Functions here take tracks already checked.

Interpolation (`track_states`; the browser's web/src/kinds/questions/tracks agrees exactly, both
proven on web/src/kinds/questions/tracks/fixtures/interpolation.json). Keyframes k0 < k1 < ...:

1. before k0: absent;
2. at a keyframe: that keyframe (absent if outside);
3. between k_i and k_i+1: absent if k_i is outside; k_i's geometry held if k_i+1 is outside;
   else interpolated with ``t = (f - f_i) / (f_i+1 - f_i)``, each number as ``a + t * (b - a)``:
   box x, y, w, h linearly and rotation the shorter way round, ``d = ((r1 - r0 + 540) mod 360)
   - 180`` (mod floored: the result is in [0, 360), as Python's ``%``), ``r = r0 + t * d``
   (no rotation counts as 0, the result is not normalised); point x, y; polygon vertex to
   vertex, the outline with fewer vertices first resampled (`resample_polygon`) to the other's
   count when the counts differ (the other keeps its corners); keypoints: points labelled
   (v > 0) in both move, v from k_i, the others are k_i's as they are. ``occluded`` and the
   mutable attributes are k_i's, held;
4. after the last keyframe: absent if it is outside; else its geometry held up to the last
   frame, ``frames - 1``, when the frame count is known; absent when it is not.

A state's mutable ``attributes`` are those of every keyframe up to k_i merged in order (a
keyframe that leaves one out keeps the value it last had). A box state always has
``rotation`` (0 when its keyframe has none). Geometry numbers are floats.

Scores (`track_scores`): the per-frame similarity of two shapes is IoU (boxes, rotated ones
by their exact outline; polygons, with shapely), symmetric OKS (keypoints, as
`accord.quality.keypoints`, each side's scale the area of its labelled points' bounding box)
or nearness ``max(0, 1 - d / (2 radius))`` (points); two shapes of one label match in a frame
when it reaches the threshold. IDF1 (Ristani et al., "Performance measures and a data set for
multi-target, multi-camera tracking", ECCV 2016): tracks paired one to one over the whole
video to maximise the frames they match (IDTP), ``IDF1 = 2 IDTP / (frames of a + frames of
b)``. MOTA (Bernardin & Stiefelhagen, "Evaluating multiple object tracking performance: the
CLEAR MOT metrics", 2008), frame by frame as motmetrics does it: pairs matched before are kept
while they still match, the rest are assigned optimally; an identity switch is a reference
track matched to another track than it last was.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import shapely

from accord.quality.boxes import box_iou_batched
from accord.quality.data import BoolArray, FloatArray, IntArray
from accord.quality.keypoints import COCO_SIGMAS
from accord.quality.matching import match_similarity

Shape = Literal["box", "polygon", "point", "keypoints"]
BOX = ("x", "y", "w", "h")
PAIR_CHUNK = 1_000_000  # candidate (a row, b row) pairs measured at once

__all__ = ["Shape", "TrackScores", "resample_polygon", "track_scores", "track_states"]


# -- interpolation -------------------------------------------------------------------------


def resample_polygon(points: Sequence[Sequence[float]] | FloatArray, n: int) -> FloatArray:
    """``n`` vertices equally spaced along the closed outline ``points``, the first at vertex
    0, walking in the given order: vertex j lies at arc length ``j * P / n`` (P the perimeter).

    Exactly: edge k runs from p_k to p_k+1 (the last back to p_0), its length
    ``sqrt(dx * dx + dy * dy)``; c_k is the sum of the lengths before edge k, added in order;
    the vertex at arc length s lies on the last edge k with ``c_k <= s`` (so never on an edge
    of length 0) at ``p_k + u * (p_k+1 - p_k)``, ``u = (s - c_k) / length_k``.
    """
    p = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    d = np.roll(p, -1, axis=0) - p
    length = np.sqrt(d[:, 0] * d[:, 0] + d[:, 1] * d[:, 1])
    arc = np.concatenate([[0.0], np.cumsum(length)])
    perimeter = float(arc[-1])
    if perimeter == 0.0:
        return np.repeat(p[:1], n, axis=0)
    s = np.arange(n, dtype=np.float64) * perimeter / n
    k = np.minimum(np.searchsorted(arc, s, side="right") - 1, p.shape[0] - 1)
    u = (s - arc[k]) / length[k]
    return np.asarray(p[k] + u[:, None] * d[k])


@dataclass(frozen=True)
class Span:
    """Frames ``start..stop - 1`` of a track, all taken from keyframe ``key`` the same way:
    ``"key"`` (the keyframe itself), ``"lerp"`` (towards keyframe ``key + 1``), ``"hold"``."""

    start: int
    stop: int
    key: int
    how: Literal["key", "lerp", "hold"]


def spans(keyframes: Sequence[Mapping[str, Any]], frames: int | None) -> Iterator[Span]:
    """The frames a track is present on, in order, grouped by how they are found."""
    end = frames if frames is not None else None
    for i, key in enumerate(keyframes):
        if key.get("outside", False):
            continue
        frame = int(key["frame"])
        if end is not None and frame >= end:
            return
        yield Span(frame, frame + 1, i, "key")
        following = keyframes[i + 1] if i + 1 < len(keyframes) else None
        if following is None:
            if end is not None and frame + 1 < end:
                yield Span(frame + 1, end, i, "hold")
            continue
        stop = int(following["frame"]) if end is None else min(int(following["frame"]), end)
        if frame + 1 < stop:
            yield Span(frame + 1, stop, i, "hold" if following.get("outside", False) else "lerp")


def geometry(shape: Shape, key: Mapping[str, Any]) -> FloatArray:
    """A keyframe's geometry as an array: box ``(5,)`` x, y, w, h, rotation; point ``(2,)``;
    polygon ``(n, 2)``; keypoints ``(K, 3)``."""
    if shape == "box":
        return np.array([*(key[k] for k in BOX), key.get("rotation", 0)], dtype=np.float64)
    if shape == "point":
        return np.array([key["x"], key["y"]], dtype=np.float64)
    width = 2 if shape == "polygon" else 3
    return np.array(key["points"], dtype=np.float64).reshape(-1, width)


def lerp(shape: Shape, a: FloatArray, b: FloatArray, t: FloatArray) -> FloatArray:
    """The geometry between ``a`` (t = 0) and ``b`` (t = 1) at each ``t``: ``(len(t), ...)``."""
    if shape == "box":
        out = np.empty((t.shape[0], 5))
        out[:, :4] = a[:4] + t[:, None] * (b[:4] - a[:4])
        turn = np.mod(b[4] - a[4] + 540.0, 360.0) - 180.0
        out[:, 4] = a[4] + t * turn
        return out
    if shape == "point":
        return np.asarray(a + t[:, None] * (b - a))
    if shape == "polygon":
        n = max(a.shape[0], b.shape[0])
        first = a if a.shape[0] == n else resample_polygon(a, n)
        second = b if b.shape[0] == n else resample_polygon(b, n)
        return np.asarray(first + t[:, None, None] * (second - first))
    moving = (a[:, 2] > 0) & (b[:, 2] > 0)
    out = np.repeat(a[None], t.shape[0], axis=0)
    moved = a[:, :2] + t[:, None, None] * (b[:, :2] - a[:, :2])
    out[:, :, :2] = np.where(moving[None, :, None], moved, out[:, :, :2])
    return out


def span_geometry(shape: Shape, keyframes: Sequence[Mapping[str, Any]], span: Span) -> FloatArray:
    """The geometry of every frame of ``span``: ``(span.stop - span.start, ...)``."""
    own = geometry(shape, keyframes[span.key])
    count = span.stop - span.start
    if span.how != "lerp":
        return np.repeat(own[None], count, axis=0)
    f0 = int(keyframes[span.key]["frame"])
    f1 = int(keyframes[span.key + 1]["frame"])
    t = (np.arange(span.start, span.stop) - f0) / (f1 - f0)
    return lerp(shape, own, geometry(shape, keyframes[span.key + 1]), t.astype(np.float64))


def held_attributes(keyframes: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """For each keyframe, the mutable attributes in force from it on: those of every
    keyframe up to it merged in order."""
    out: list[dict[str, Any]] = []
    current: dict[str, Any] = {}
    for key in keyframes:
        given = key.get("attributes")
        if given:
            current = current | given
        out.append(current)
    return out


def _state(shape: Shape, row: FloatArray) -> dict[str, Any]:
    if shape == "box":
        x, y, w, h, rotation = (float(v) for v in row)
        return {"x": x, "y": y, "w": w, "h": h, "rotation": rotation}
    if shape == "point":
        return {"x": float(row[0]), "y": float(row[1])}
    return {"points": row.tolist()}


def track_states(
    track: Mapping[str, Any], shape: Shape, frames: int | None
) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(frame, state)`` for each frame the track is present on, in order.

    A state holds the geometry (box ``x, y, w, h, rotation``; point ``x, y``; polygon and
    keypoints ``points``), ``occluded``, ``attributes`` (the mutable ones in force) and
    ``keyframe`` (whether the frame is a keyframe). ``frames`` is the video's frame count when
    known (a track is then held to its last frame).
    """
    keyframes = track["keyframes"]
    attributes = held_attributes(keyframes)
    for span in spans(keyframes, frames):
        key = keyframes[span.key]
        occluded = bool(key.get("occluded", False))
        rows = span_geometry(shape, keyframes, span)
        for offset, row in enumerate(rows):
            state = _state(shape, row)
            state["occluded"] = occluded
            state["attributes"] = dict(attributes[span.key])
            state["keyframe"] = span.how == "key"
            yield span.start + offset, state


# -- per-frame tables ----------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """Every (track, frame) an answer's tracks are present on: ``track[r]`` (index in the
    answer), ``label[r]`` (a code shared by both answers), ``frame[r]`` and the geometry:
    ``values`` (box ``(N, 5)``, point ``(N, 2)``, keypoints ``(N, K, 3)``) or ``outlines``
    (polygon: shapely polygons), and ``bounds`` (xyxy, ``(N, 4)``; box, polygon, point)."""

    track: IntArray
    label: IntArray
    frame: IntArray
    values: FloatArray
    outlines: Any
    bounds: FloatArray


def table(
    tracks: Sequence[Mapping[str, Any]],
    shape: Shape,
    frames: int | None,
    labels: Mapping[str, int],
    radius: float = 10.0,
) -> Table:
    """The per-frame rows of ``tracks`` (``labels`` gives each label's code)."""
    owner: list[IntArray] = []
    at: list[IntArray] = []
    chunks: list[FloatArray] = []
    outlines: list[Any] = []
    for i, track in enumerate(tracks):
        for span in spans(track["keyframes"], frames):
            rows = span_geometry(shape, track["keyframes"], span)
            owner.append(np.full(rows.shape[0], i, dtype=np.intp))
            at.append(np.arange(span.start, span.stop, dtype=np.intp))
            if shape == "polygon":
                outlines.append(_outlines(rows))
            else:
                chunks.append(rows)
    owners = np.concatenate(owner) if owner else np.zeros(0, dtype=np.intp)
    frame = np.concatenate(at) if at else np.zeros(0, dtype=np.intp)
    codes = np.array([labels[t["label"]] for t in tracks], dtype=np.intp)
    label = codes[owners] if owners.size else np.zeros(0, dtype=np.intp)
    width = {"box": (5,), "point": (2,), "polygon": (0,), "keypoints": (0, 3)}[shape]
    values = np.concatenate(chunks) if chunks else np.zeros((0, *width))
    shapes = np.concatenate(outlines) if outlines else np.zeros(0, dtype=object)
    if shape == "box":
        bounds = np.column_stack([values[:, :2], values[:, :2] + values[:, 2:4]])
        turned = values[:, 4] != 0
        if turned.any():
            corners = _corners(values[turned])
            bounds[turned] = np.column_stack([corners.min(axis=1), corners.max(axis=1)])
    elif shape == "polygon":
        bounds = shapely.bounds(shapes).reshape(-1, 4)
    elif shape == "point":
        bounds = np.column_stack([values - radius, values + radius])
    else:
        bounds = np.zeros((frame.shape[0], 4))
    return Table(owners, label, frame, values, shapes, bounds)


def _outlines(rows: FloatArray) -> Any:
    """Shapely polygons of ``(T, n, 2)`` outlines, made valid where they cross themselves."""
    shapes = shapely.polygons(rows)
    broken = ~shapely.is_valid(shapes)
    if broken.any():
        shapes[broken] = shapely.make_valid(shapes[broken])
    return shapes


def _corners(boxes: FloatArray) -> FloatArray:
    """``(N, 4, 2)`` corners of boxes ``x, y, w, h, rotation`` turned clockwise (y down)
    about their centres."""
    x, y, w, h, rotation = boxes.T
    cx, cy = x + w / 2, y + h / 2
    theta = np.deg2rad(rotation)
    cos, sin = np.cos(theta)[:, None], np.sin(theta)[:, None]
    lx = np.stack([-w, w, w, -w], axis=1) / 2
    ly = np.stack([-h, -h, h, h], axis=1) / 2
    return np.stack([cx[:, None] + lx * cos - ly * sin, cy[:, None] + lx * sin + ly * cos], axis=2)


# -- per-frame similarity ------------------------------------------------------------------


def frame_pairs(
    shape: Shape,
    first: Table,
    second: Table,
    threshold: float,
    sigmas: Sequence[float] | None = None,
    radius: float = 10.0,
) -> tuple[IntArray, IntArray, FloatArray]:
    """The rows of ``first`` and ``second`` of one label and frame whose shapes are alike by
    at least ``threshold``: their row numbers and similarity.

    Candidates come from `_candidates` (a sweep along x within each (label, frame) group;
    every pair of the group for keypoints) and are measured `PAIR_CHUNK` at a time; pairs of
    another group, or whose bounds do not overlap, are dropped before they are measured.
    """
    rows, cols, sims = [np.zeros(0, dtype=np.intp)], [np.zeros(0, dtype=np.intp)], [np.zeros(0)]
    if first.frame.size == 0 or second.frame.size == 0:
        return rows[0], cols[0], sims[0]
    span = int(max(first.frame.max(), second.frame.max())) + 1
    key_a = first.label * span + first.frame
    key_b = second.label * span + second.frame
    order, low, count = _candidates(shape, first, second, key_a, key_b)
    reach = np.cumsum(count)
    start = 0
    while start < key_a.shape[0]:
        base = int(reach[start - 1]) if start else 0
        stop = max(int(np.searchsorted(reach, base + PAIR_CHUNK, side="right")), start + 1)
        c = count[start:stop]
        i = np.repeat(np.arange(start, stop), c)
        k = np.arange(i.shape[0]) - np.repeat(np.cumsum(c) - c, c) + np.repeat(low[start:stop], c)
        j = order[k]
        near = key_a[i] == key_b[j]
        if shape != "keypoints":
            a, b = first.bounds[i], second.bounds[j]
            near &= (b[:, 2] > a[:, 0]) & (b[:, 0] < a[:, 2]) & (b[:, 3] > a[:, 1])
            near &= b[:, 1] < a[:, 3]
        i, j = i[near], j[near]
        sim = similarity(shape, first, second, i, j, sigmas, radius)
        keep = sim >= threshold
        rows.append(i[keep].astype(np.intp))
        cols.append(j[keep].astype(np.intp))
        sims.append(sim[keep])
        start = stop
    return np.concatenate(rows), np.concatenate(cols), np.concatenate(sims)


def _candidates(
    shape: Shape, first: Table, second: Table, key_a: IntArray, key_b: IntArray
) -> tuple[IntArray, IntArray, IntArray]:
    """For each row of ``first``, a range of rows of ``second`` holding every row of its
    group (``key``) it may overlap: ``order[low[r]:low[r] + count[r]]``.

    Keypoints: the whole group. Other shapes: the groups are laid side by side along x (each
    group's x shifted by its rank times the width of all bounds, with a pixel to spare), and
    only the rows of ``second`` whose left edge lies between ``x1 - widest - 1`` and ``x2 + 1``
    of the row of ``first`` are taken (the search range is a pixel wider than needed, so
    rounding in the shifted coordinates loses no pair; `frame_pairs` then tests the pairs
    exactly).
    """
    if shape == "keypoints":
        order = np.argsort(key_b, kind="stable")
        low = np.searchsorted(key_b[order], key_a, side="left")
        count = np.searchsorted(key_b[order], key_a, side="right") - low
        return order, low, count
    _, rank = np.unique(np.concatenate([key_a, key_b]), return_inverse=True)
    rank_a, rank_b = rank[: key_a.shape[0]], rank[key_a.shape[0] :]
    both = np.concatenate([first.bounds, second.bounds])
    origin = float(both[:, 0].min())
    stride = float(both[:, 2].max()) - origin + 4.0
    left_b = second.bounds[:, 0] - origin + rank_b * stride
    order = np.argsort(left_b, kind="stable")
    widest = float((second.bounds[:, 2] - second.bounds[:, 0]).max())
    shift_a = rank_a * stride - origin
    low = np.searchsorted(left_b[order], first.bounds[:, 0] + shift_a - widest - 1.0, "left")
    high = np.searchsorted(left_b[order], first.bounds[:, 2] + shift_a + 1.0, "right")
    return order, low, np.maximum(high - low, 0)


def similarity(
    shape: Shape,
    first: Table,
    second: Table,
    i: IntArray,
    j: IntArray,
    sigmas: Sequence[float] | None = None,
    radius: float = 10.0,
) -> FloatArray:
    """The similarity of each pair ``(first row i[k], second row j[k])``, 0..1."""
    if shape == "polygon":
        return _area_iou(first.outlines[i], second.outlines[j])
    a, b = first.values[i], second.values[j]
    if shape == "point":
        distance = np.hypot(a[:, 0] - b[:, 0], a[:, 1] - b[:, 1])
        return np.asarray(np.clip(1.0 - distance / (2.0 * radius), 0.0, 1.0))
    if shape == "keypoints":
        return symmetric_oks(a, b, sigmas)
    out = np.zeros(i.shape[0])
    straight = (a[:, 4] == 0) & (b[:, 4] == 0)
    xyxy = [np.column_stack([v[:, :2], v[:, :2] + v[:, 2:4]]) for v in (a, b)]
    iou = box_iou_batched(xyxy[0][straight][:, None, :], xyxy[1][straight][:, None, :])
    out[straight] = iou[:, 0, 0]
    turned = ~straight
    if turned.any():
        outlines = [shapely.polygons(_corners(v[turned])) for v in (a, b)]
        out[turned] = _area_iou(*outlines)
    return out


def _area_iou(first: Any, second: Any) -> FloatArray:
    inter = shapely.area(shapely.intersection(first, second))
    union = shapely.area(first) + shapely.area(second) - inter
    out = np.zeros(np.shape(inter))
    np.divide(inter, union, out=out, where=union > 0)
    return out


def symmetric_oks(
    a: FloatArray, b: FloatArray, sigmas: Sequence[float] | None = None
) -> FloatArray:
    """OKS of each pair of skeletons ``a[k]``, ``b[k]`` (``(P, K, 3)``), the mean of either
    side as the reference; each side's scale is the area of its labelled points' bounding box
    (at least 1 px²). The formula of `accord.quality.keypoints.keypoint_oks`, pair by pair."""
    k = a.shape[1]
    chosen = np.asarray(sigmas if sigmas is not None else COCO_SIGMAS if k == 17 else [0.1] * k)
    var = (2.0 * chosen.astype(np.float64)) ** 2
    return np.asarray((_oks(a, b, var) + _oks(b, a, var)) / 2.0)


def _oks(ref: FloatArray, pred: FloatArray, var: FloatArray) -> FloatArray:
    area = _areas(ref)
    d2 = np.sum((ref[..., :2] - pred[..., :2]) ** 2, axis=2)
    e = d2 / var[None, :] / (2.0 * (area[:, None] + np.finfo(float).eps))
    visible = ref[..., 2] > 0
    count = visible.sum(axis=1)
    total = np.sum(np.exp(-e) * visible, axis=1)
    out = np.zeros(ref.shape[0])
    np.divide(total, count, out=out, where=count > 0)
    return out


def _areas(points: FloatArray) -> FloatArray:
    labelled = points[..., 2] > 0
    some = labelled.any(axis=1)
    spans = []
    for column in (0, 1):
        value = points[..., column]
        high = np.where(labelled, value, -np.inf).max(axis=1, initial=-np.inf)
        low = np.where(labelled, value, np.inf).min(axis=1, initial=np.inf)
        spans.append(np.where(some, high - low, 0.0))
    return np.asarray(np.maximum(spans[0] * spans[1], 1.0))


# -- scores --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrackScores:
    """How well tracks ``b`` follow tracks ``a`` (a the reference when there is one).

    ``frames_a`` / ``frames_b``: (track, frame) presences of each side. Identity: ``idtp`` the
    frames matched by the best one-to-one pairing of whole tracks, ``idp = idtp / frames_b``,
    ``idr = idtp / frames_a``, ``idf1 = 2 idtp / (frames_a + frames_b)`` (1 when both are
    empty). CLEAR MOT: ``matches``, ``misses`` (a unmatched), ``false_positives`` (b
    unmatched), ``id_switches``, ``mota = 1 - (misses + false_positives + id_switches) /
    frames_a`` (with no frame in a: 1 when b has none either, else 0)."""

    idf1: float
    idp: float
    idr: float
    idtp: int
    mota: float
    matches: int
    misses: int
    false_positives: int
    id_switches: int
    frames_a: int
    frames_b: int


def track_scores(
    a: Mapping[str, Any] | Sequence[Mapping[str, Any]],
    b: Mapping[str, Any] | Sequence[Mapping[str, Any]],
    shape: Shape,
    frames: int | None,
    threshold: float,
    *,
    sigmas: Sequence[float] | None = None,
    radius: float = 10.0,
) -> TrackScores:
    """IDF1 and MOTA of ``b`` against ``a``: two ``tracks`` answers (``{"tracks": [...]}``)
    or their lists of tracks. Two shapes of one label match in a frame when their similarity
    (IoU, OKS with ``sigmas``, nearness within ``radius``) is at least ``threshold``."""
    tracks_a = _tracks(a)
    tracks_b = _tracks(b)
    names = sorted({t["label"] for t in (*tracks_a, *tracks_b)})
    labels = {name: code for code, name in enumerate(names)}
    first = table(tracks_a, shape, frames, labels, radius)
    second = table(tracks_b, shape, frames, labels, radius)
    row, col, sim = frame_pairs(shape, first, second, threshold, sigmas, radius)
    n_a, n_b = int(first.frame.size), int(second.frame.size)
    idtp = _identity_tp(first.track[row], second.track[col])
    idp = idtp / n_b if n_b else (1.0 if n_a == 0 else 0.0)
    idr = idtp / n_a if n_a else (1.0 if n_b == 0 else 0.0)
    idf1 = 2.0 * idtp / (n_a + n_b) if n_a + n_b else 1.0
    matched, switches = _clear_mot(first.frame[row], first.track[row], second.track[col], sim)
    misses, false_positives = n_a - matched, n_b - matched
    errors = misses + false_positives + switches
    mota = 1.0 - errors / n_a if n_a else (1.0 if n_b == 0 else 0.0)
    return TrackScores(
        idf1, idp, idr, idtp, mota, matched, misses, false_positives, switches, n_a, n_b
    )


def _tracks(value: Mapping[str, Any] | Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    if isinstance(value, Mapping):
        return list(value["tracks"])
    return list(value)


def _identity_tp(track_a: IntArray, track_b: IntArray) -> int:
    """The most frames a one-to-one pairing of whole tracks matches, given the matching
    (track of a, track of b) of every frame."""
    if track_a.size == 0:
        return 0
    ids_a, at_a = np.unique(track_a, return_inverse=True)
    ids_b, at_b = np.unique(track_b, return_inverse=True)
    counts = np.bincount(at_a * ids_b.size + at_b, minlength=ids_a.size * ids_b.size)
    matrix = counts.reshape(ids_a.size, ids_b.size)
    from scipy.optimize import linear_sum_assignment  # on first use (tests/test_startup.py)

    rows, cols = linear_sum_assignment(matrix, maximize=True)
    return int(matrix[rows, cols].sum())


def _clear_mot(
    frame: IntArray, track_a: IntArray, track_b: IntArray, sim: FloatArray
) -> tuple[int, int]:
    """Matches and identity switches, frame by frame in order (motmetrics' rules): a pair of
    tracks matched before is kept while it still matches (a's tracks in order), the other
    pairs are assigned optimally (most matches, then most similarity); a switch is a track of
    a matched to another track of b than it last was."""
    if frame.size == 0:
        return 0, 0
    order = np.lexsort((track_b, track_a, frame))
    frame, track_a, track_b, sim = frame[order], track_a[order], track_b[order], sim[order]
    starts = np.flatnonzero(np.diff(frame, prepend=-1))
    stops = [*starts[1:].tolist(), frame.size]
    last: dict[int, int] = {}
    matched = switches = 0
    lonely = _lonely(frame, track_a) & _lonely(frame, track_b)
    plain = np.logical_and.reduceat(lonely, starts)  # no two pairs of the frame compete
    pairs = list(zip(track_a.tolist(), track_b.tolist(), strict=True))
    for begin, end, simple in zip(starts.tolist(), stops, plain.tolist(), strict=True):
        if simple:
            found = pairs[begin:end]
        else:
            part = slice(begin, end)
            found = _frame_matches(track_a[part], track_b[part], sim[part], last)
        for o, h in found:
            if last.get(o, h) != h:
                switches += 1
            last[o] = h
        matched += len(found)
    return matched, switches


def _lonely(frame: IntArray, track: IntArray) -> BoolArray:
    """Whether each pair is the only one of its frame with its track."""
    _, at, counts = np.unique(
        np.column_stack([frame, track]), axis=0, return_inverse=True, return_counts=True
    )
    return np.asarray(counts[at.reshape(-1)] == 1)


def _frame_matches(
    oa: IntArray, hb: IntArray, sim: FloatArray, last: Mapping[int, int]
) -> list[tuple[int, int]]:
    """One frame's matches from its candidate pairs ``(oa[k], hb[k])`` (sorted by oa)."""
    found: list[tuple[int, int]] = []
    taken_a: set[int] = set()
    taken_b: set[int] = set()
    for o, h in zip(oa.tolist(), hb.tolist(), strict=True):
        if last.get(o) == h and h not in taken_b and o not in taken_a:
            found.append((o, h))
            taken_a.add(o)
            taken_b.add(h)
    pairs = zip(oa.tolist(), hb.tolist(), strict=True)
    free: BoolArray = np.array([o not in taken_a and h not in taken_b for o, h in pairs], bool)
    oa, hb, sim = oa[free], hb[free], sim[free]
    if oa.size == 0:
        return found
    ids_a, at_a = np.unique(oa, return_inverse=True)
    ids_b, at_b = np.unique(hb, return_inverse=True)
    if ids_a.size == oa.size and ids_b.size == hb.size:  # no pair competes with another
        return found + list(zip(oa.tolist(), hb.tolist(), strict=True))
    local = np.zeros((ids_a.size, ids_b.size))
    local[at_a, at_b] = sim
    match = match_similarity(local, float(sim.min()))
    return found + [
        (int(ids_a[r]), int(ids_b[c])) for r, c in zip(match.ref, match.pred, strict=True)
    ]
