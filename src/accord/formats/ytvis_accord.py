"""Accord's extension of a YouTube-VIS annotation (docs/video.md, "YouTube-VIS"): what the
format has no place for, under the key ``accord``, so that an export reads back as the very
same tracks while YouTube-VIS readers, which look at their own keys only, load it as before.

``"accord": {"attributes": {...}, "keyframes": [{"frame": 0, "attributes": {...}},
{"frame": 6, "occluded": true}, {"frame": 9, "outside": true}, {"frame": 12, "x": 5, "y": 5,
"w": 10, "h": 10, "rotation": 15}]}``: the track's fixed attributes and its keyframes without
their shape, which the frame's ``bboxes`` or ``segmentations`` entry gives (a rotated box,
whose ``bboxes`` entry is the upright box around it, keeps its own ``x, y, w, h, rotation``).

Reading (`extension_track`): the keyframes are rebuilt from the extension and the lists, then
interpolated (`accord.quality.tracks.track_states`) and compared with every frame's entry;
when the lists were changed since (another tool edited the boxes), the lists win and the
track is read from them as any YouTube-VIS track, keeping only the fixed attributes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from accord.formats.shapes import DatasetError
from accord.formats.video_tracks import TrackQuestion
from accord.quality.tracks import track_states

KEY = "accord"
GEOMETRY = ("x", "y", "w", "h", "rotation", "points")


def extension_of(question: TrackQuestion, track: Mapping[str, Any]) -> dict[str, Any]:
    """The ``accord`` value of a track: its fixed attributes and its keyframes without the
    shapes the lists give (a rotated box's kept)."""
    keyframes = []
    for key in track.get("keyframes") or []:
        rotated = question.shape == "box" and "rotation" in key and not key.get("outside")
        keyframes.append({k: v for k, v in key.items() if rotated or k not in GEOMETRY})
    out: dict[str, Any] = {}
    if track.get("attributes"):
        out["attributes"] = track["attributes"]
    out["keyframes"] = keyframes
    return out


def extension_track(
    value: Any,
    track: dict[str, Any],
    question: TrackQuestion,
    entries: list[Any],
    keys_of: Callable[[Any, str], dict[str, Any]],
    written: Callable[[Mapping[str, Any]], Any],
    where: str,
) -> dict[str, Any]:
    """``track`` (read from the lists) with what the extension ``value`` adds: its fixed
    attributes, and its keyframes when the lists still agree with them. ``entries`` are the
    per-frame list read, ``keys_of`` reads one entry as a keyframe's shape keys, ``written``
    gives the entry a state is exported as."""
    at = f"{where}: {KEY}"
    if not isinstance(value, dict):
        raise DatasetError(f"{at}: expected an object with attributes and keyframes")
    attributes = value.get("attributes")
    if attributes is not None and not isinstance(attributes, dict):
        raise DatasetError(f"{at}.attributes: expected an object")
    out = dict(track)
    if attributes:
        out = {"id": track["id"], "label": track["label"], "attributes": attributes}
        out.update({k: v for k, v in track.items() if k not in out})
    keyframes = _keyframes(value.get("keyframes"), question, entries, keys_of, f"{at}.keyframes")
    if keyframes is not None and _agrees(keyframes, question, entries, written):
        out["keyframes"] = keyframes
    return out


def _keyframes(
    given: Any,
    question: TrackQuestion,
    entries: list[Any],
    keys_of: Callable[[Any, str], dict[str, Any]],
    at: str,
) -> list[dict[str, Any]] | None:
    """The keyframes the extension lists, their shapes from ``entries`` (None: they do not
    fit the lists any more)."""
    if not isinstance(given, list) or not given:
        raise DatasetError(f"{at}: expected a list of keyframes ({{frame, ...}})")
    out = []
    last = -1
    for i, key in enumerate(given):
        frame = key.get("frame") if isinstance(key, dict) else None
        if not isinstance(frame, int) or isinstance(frame, bool) or not last < frame:
            raise DatasetError(
                f"{at}[{i}]: expected {{frame, ...}} with a whole frame after the previous one's"
            )
        last = frame
        if frame >= len(entries):
            return None
        entry = entries[frame]
        if key.get("outside") or (question.shape == "box" and "rotation" in key):
            out.append(dict(key))
            continue
        if entry is None:
            return None
        shape = keys_of(entry, f"{at}[{i}]")
        out.append({"frame": frame, **shape, **{k: v for k, v in key.items() if k != "frame"}})
    return out


def _agrees(
    keyframes: list[dict[str, Any]],
    question: TrackQuestion,
    entries: list[Any],
    written: Callable[[Mapping[str, Any]], Any],
) -> bool:
    """Whether the keyframes, interpolated, give back every frame's entry (a millionth of a
    pixel apart at most), and null where the track is absent."""
    try:
        states = dict(
            track_states(
                {"id": "x", "label": "x", "keyframes": keyframes}, question.shape, len(entries)
            )
        )
    except (KeyError, TypeError, ValueError):
        return False
    for frame, entry in enumerate(entries):
        state = states.get(frame)
        if (state is None) != (entry is None):
            return False
        if state is not None and not _close(written(state), entry):
            return False
    return True


def _close(a: Any, b: Any) -> bool:
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, int | float) and isinstance(b, int | float):
        return abs(float(a) - float(b)) <= 1e-6
    return bool(a == b)
