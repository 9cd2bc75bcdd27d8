"""MOT rows (a box in every frame a track is seen) as the few keyframes of an Accord track.

A track's rows fall into runs of consecutive frames. Each run starts with a keyframe; a frame
with no row right after a run, when the track is seen again later or the video goes on, is an
``outside`` keyframe (the track is absent until its next keyframe, or for good); the last
run's end too, unless it is the video's last frame, since a track otherwise holds its last
box to the end of the video (docs/video.md, "Tracks").

Inside a run, a row is dropped when linear interpolation between the keyframes kept around it
gives back exactly its box (every value equal, in float64 as `accord.quality.tracks` computes
it: ``a + t * (b - a)``, ``t = (f - f0) / (f1 - f0)``) and its occlusion and visibility are
those of the keyframe before it (they are held, not interpolated). A track moving at a steady
speed thus becomes two keyframes. Each keyframe kept reaches as far as it can: the next one
is found by doubling the distance, then halving back, each candidate checked in full (numpy),
so a run of n rows costs about n log n.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from accord.formats.mot import OCCLUDED_BELOW, VISIBILITY, Box, GroundTruth


def tracks_of(gt: GroundTruth, frames: int | None, *, visibility: bool) -> list[dict[str, Any]]:
    """The tracks of ``gt`` (ids ``tN``, by N), each with its keyframes; ``frames``: the
    video's frame count; ``visibility``: keep the exact visibility in that attribute."""
    tracks = []
    for ident in sorted(gt.tracks):
        keyframes = list(_keyframes(gt.tracks[ident], frames, visibility))
        tracks.append({"id": f"t{ident}", "label": gt.labels[ident], "keyframes": keyframes})
    return tracks


def _keyframes(boxes: list[Box], frames: int | None, visibility: bool) -> Iterator[dict[str, Any]]:
    runs = _runs(boxes)
    for i, run in enumerate(runs):
        for box in _kept(run):
            yield _keyframe(box, visibility)
        after = run[-1].frame + 1
        if i + 1 < len(runs) or frames is None or after < frames:
            yield {"frame": after, "outside": True}


def _runs(boxes: list[Box]) -> list[list[Box]]:
    runs: list[list[Box]] = []
    for box in boxes:
        if runs and runs[-1][-1].frame + 1 == box.frame:
            runs[-1].append(box)
        else:
            runs.append([box])
    return runs


def _keyframe(box: Box, visibility: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"frame": box.frame, "x": box.x, "y": box.y, "w": box.w, "h": box.h}
    if box.visibility < OCCLUDED_BELOW:
        out["occluded"] = True
    if visibility:
        out["attributes"] = {VISIBILITY: box.visibility}
    return out


def _kept(run: Sequence[Box]) -> list[Box]:
    """The run's boxes that interpolation between the others does not give back."""
    n = len(run)
    if n <= 2:
        return list(run)
    geometry = np.array([(b.x, b.y, b.w, b.h) for b in run], dtype=np.float64)
    held = [(b.visibility < OCCLUDED_BELOW, b.visibility) for b in run]
    changes = [n] * n  # changes[i]: the first row after i held differently
    for i in range(n - 2, -1, -1):
        changes[i] = i + 1 if held[i + 1] != held[i] else changes[i + 1]
    kept = [0]
    while kept[-1] < n - 1:
        start = kept[-1]
        kept.append(_reach(geometry, start, min(changes[start], n - 1)))
    return [run[i] for i in kept]


def _reach(geometry: np.ndarray, start: int, limit: int) -> int:
    """The farthest row up to ``limit`` a keyframe at ``start`` can be followed by, every
    row between given back by interpolation (doubling the distance, then halving back
    between the last good and the first bad candidate)."""
    good, step, bad = start + 1, 2, -1
    while start + step <= limit:
        if not _reproduces(geometry, start, start + step):
            bad = start + step
            break
        good, step = start + step, step * 2
    if bad < 0:
        if good == limit or _reproduces(geometry, start, limit):
            return limit
        bad = limit
    while bad - good > 1:
        middle = (good + bad) // 2
        if _reproduces(geometry, start, middle):
            good = middle
        else:
            bad = middle
    return good


def _reproduces(geometry: np.ndarray, start: int, end: int) -> bool:
    """Whether keyframes at ``start`` and ``end`` give back every box between them."""
    t = (np.arange(start + 1, end, dtype=np.float64) - start) / float(end - start)
    a, b = geometry[start], geometry[end]
    between = a + t[:, None] * (b - a)
    return bool(np.array_equal(between, geometry[start + 1 : end]))
