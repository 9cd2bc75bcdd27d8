"""``tracks``: objects followed through the frames of a ``video`` field (docs/video.md, "Tracks").

``{"tracks": [{"id": "t1", "label": "car", "attributes": {...}, "keyframes": [KEY, ...]}]}``,
every KEY ``{"frame": N, "outside": bool, "occluded": bool, "attributes": {...}}`` plus, unless
``outside``, the geometry of the question's ``shape``: ``box`` ``x, y, w, h`` (and
``rotation`` with ``rotation: true``), ``point`` ``x, y``, ``polygon`` ``points: [[x, y], ...]``,
``keypoints`` ``points: [[x, y, v], ...]`` (one per skeleton point). Geometry is checked by the
shape kinds' own checks (`accord.kinds.questions.boxes` etc.: finite numbers, w and h above 0,
inside the video's width and height when known, polygons' self-intersection rule), with the
keyframe's path.

A track has ``id`` (1-64 characters, unique), ``label``, the attributes that do not change
(``mutable: false``), optional ``score`` (0..1, predictions) and at least one keyframe; frames
are whole numbers, strictly increasing, below the video's frame count when the task's data
gives it; the first keyframe is not ``outside``. Keyframes carry the ``mutable`` attributes;
a required mutable attribute must be on the first keyframe. What the track is between
keyframes: `accord.quality.tracks.track_states`.

Distance: ``1 -`` IDF1 (`accord.quality.tracks.track_scores`): tracks of one label paired one
to one over the video to maximise the frames where their shapes match (IoU, OKS or nearness
at least ``match_threshold``). The video's length is not known there: tracks are held up to the
last keyframe of either answer. Consensus: the medoid answer (the one closest to the others).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field, model_validator

from accord.kinds.base import (
    Problem,
    QuestionConfig,
    QuestionKind,
    describe,
    expect_object,
)
from accord.kinds.fields.image import image_size
from accord.kinds.fields.video import video_frames
from accord.kinds.questions import boxes, keypoints, points, polygons
from accord.kinds.questions.boxes import XYWH, BoxesQuestion
from accord.kinds.questions.keypoints import KeypointsQuestion, Skeleton
from accord.kinds.questions.options import Options, values
from accord.kinds.questions.points import PointsQuestion
from accord.kinds.questions.polygons import MAX_POINTS, PolygonsQuestion
from accord.kinds.questions.shapes import (
    MAX_ID,
    Attribute,
    ShapeKind,
    ShapeQuestion,
    Shapes,
    check_attribute,
    distinct_attributes,
)
from accord.quality.tracks import track_scores

TRACK_KEYS = frozenset({"id", "label", "attributes", "keyframes", "score"})
KEY_KEYS = frozenset({"frame", "outside", "occluded", "attributes"})
GEOMETRY: dict[str, tuple[str, ...]] = {
    "box": XYWH,
    "point": ("x", "y"),
    "polygon": ("points",),
    "keypoints": ("points",),
}
SHAPE_KINDS: dict[str, ShapeKind[Any]] = {
    "box": boxes.KIND,
    "point": points.KIND,
    "polygon": polygons.KIND,
    "keypoints": keypoints.KIND,
}
OBJECT_PATH = re.compile(r"^objects\[(\d+)\](.*)$", re.DOTALL)


class TrackAttribute(Attribute):
    """A shape attribute that may also change along the track (``mutable``)."""

    mutable: bool = Field(
        default=False,
        description="May change from keyframe to keyframe (given on keyframes, held between); "
        "else fixed for the whole track (given on the track).",
    )


class TracksQuestion(QuestionConfig):
    kind: Literal["tracks"] = "tracks"
    target: str = Field(description="The video field the objects are followed through.")
    shape: Literal["box", "polygon", "point", "keypoints"] = Field(
        description="What every keyframe draws: a box, polygon, point or keypoint skeleton."
    )
    rotation: bool = Field(default=False, description="box only: boxes may be rotated.")
    labels: Options = Field(description="The labels a track can take (strings or objects).")
    skeleton: Skeleton | None = Field(
        default=None, description="keypoints only: the named points and edges."
    )
    sigmas: list[float] | None = Field(
        default=None, description="keypoints only: per-point OKS falloff."
    )
    attributes: list[TrackAttribute] = Field(
        default_factory=list, max_length=100, description="Per-track (or per-keyframe) attributes."
    )
    match_threshold: float = Field(
        default=0.5,
        gt=0,
        le=1,
        description="How alike two shapes of one label must be to match in a frame (IoU for "
        "boxes and polygons, OKS for keypoints, nearness within radius for points).",
    )
    max_tracks: int = Field(default=1000, ge=1, le=100_000, description="Most tracks.")
    max_keyframes: int = Field(
        default=100_000, ge=1, le=1_000_000, description="Most keyframes, all tracks together."
    )
    max_points: int = Field(
        default=10_000, ge=3, le=MAX_POINTS, description="polygon only: most vertices."
    )
    self_intersection: Literal["refuse", "warn", "allow"] = Field(
        default="refuse", description="polygon only: whether an outline may cross itself."
    )
    radius: float = Field(
        default=10.0, gt=0, le=10_000, description="point only: points this close (px) agree."
    )

    @model_validator(mode="after")
    def _consistent(self) -> TracksQuestion:
        if self.rotation and self.shape != "box":
            raise ValueError(f"rotation is for box tracks; this question's shape is {self.shape}")
        if (self.skeleton is None) == (self.shape == "keypoints"):
            raise ValueError("keypoints tracks need a skeleton; other shapes take none")
        if self.sigmas is not None and self.shape != "keypoints":
            raise ValueError("sigmas are for keypoints tracks")
        distinct_attributes(self.attributes)
        self.shape_question()  # the shape's own rules (sigmas per skeleton point, ...)
        return self

    def shape_question(self) -> ShapeQuestion:
        """The shape question whose geometry checks every keyframe goes through."""
        common: dict[str, Any] = {"name": self.name, "target": self.target, "labels": self.labels}
        if self.shape == "box":
            return BoxesQuestion(**common, rotation=self.rotation)
        if self.shape == "point":
            return PointsQuestion(**common, radius=self.radius)
        if self.shape == "polygon":
            return PolygonsQuestion(
                **common, self_intersection=self.self_intersection, max_points=self.max_points
            )
        return KeypointsQuestion(**common, skeleton=self.skeleton, sigmas=self.sigmas)


class TracksKind(QuestionKind[TracksQuestion]):
    name = "tracks"
    config = TracksQuestion
    targets = frozenset({"video"})
    target_required = True

    def check(self, config: TracksQuestion, value: Any, data: Mapping[str, Any]) -> None:
        answer = expect_object(value, {"tracks"}, {"tracks"})
        tracks = answer["tracks"]
        if type(tracks) is not list:
            raise Problem("tracks", f"expected a list of tracks, got {describe(tracks)}")
        if len(tracks) > config.max_tracks:
            raise Problem(
                "tracks", f"{len(tracks)} tracks; this question allows at most {config.max_tracks}"
            )
        if config.target not in data:
            raise Problem("", f"the task has no {config.target!r} video")
        frames = video_frames(data, config.target)
        checker = _Checker(config, frames)
        for i, track in enumerate(tracks):
            checker.track(track, i)
        _geometry(config, checker, data)

    def is_empty(self, value: Any) -> bool:
        if isinstance(value, dict) and value.get("tracks") == [] and len(value) == 1:
            return True
        return super().is_empty(value)

    def answer_distance(self, config: TracksQuestion, a: Any, b: Any) -> float:
        """``1 -`` IDF1, the tracks held up to the last keyframe of either answer."""
        if a == b:
            return 0.0
        last = [k["frame"] for t in (*a["tracks"], *b["tracks"]) for k in t["keyframes"]]
        scores = track_scores(
            a,
            b,
            config.shape,
            max(last, default=0) + 1,
            config.match_threshold,
            sigmas=config.sigmas,
            radius=config.radius,
        )
        return 1.0 - scores.idf1


class _Checker:
    """Walks an answer's tracks, gathering the keyframes that carry geometry."""

    def __init__(self, config: TracksQuestion, frames: int | None) -> None:
        self.config = config
        self.frames = frames
        self.labels = values(config.labels)
        self.fixed = {a.name: a for a in config.attributes if not a.mutable}
        self.mutable = {a.name: a for a in config.attributes if a.mutable}
        self.geometry = GEOMETRY[config.shape]
        self.allowed = (
            KEY_KEYS | set(self.geometry) | ({"rotation"} if config.shape == "box" else set())
        )
        self.ids: dict[str, int] = {}
        self.count = 0
        self.present: list[dict[str, Any]] = []  # keyframes in view, in order
        self.paths: list[str] = []  # and their paths

    def track(self, track: Any, i: int) -> None:
        at = f"tracks[{i}]"
        if type(track) is not dict:
            raise Problem(at, f"expected a track object, got {describe(track)}")
        if not TRACK_KEYS.issuperset(track):
            key = sorted(set(track) - TRACK_KEYS)[0]
            raise Problem(
                f"{at}.{key}", f"unknown key; a track has {', '.join(sorted(TRACK_KEYS))}"
            )
        for key in ("id", "label", "keyframes"):
            if key not in track:
                raise Problem(f"{at}.{key}", "missing")
        self._id(track["id"], i)
        label = track["label"]
        if type(label) is not str or label not in self.labels:
            shown = repr(label) if type(label) is str else describe(label)
            raise Problem(f"{at}.label", f"{shown} is not one of {sorted(self.labels)}")
        if "score" in track:
            score = track["score"]
            if type(score) not in (int, float) or not 0.0 <= score <= 1.0:
                raise Problem(f"{at}.score", f"expected a number from 0 to 1, got {score!r}")
        self._attributes(track.get("attributes"), f"{at}.attributes", self.fixed, "track")
        keyframes = track["keyframes"]
        if type(keyframes) is not list:
            raise Problem(
                f"{at}.keyframes", f"expected a list of keyframes, got {describe(keyframes)}"
            )
        if not keyframes:
            raise Problem(f"{at}.keyframes", "no keyframes; a track has at least one")
        self.count += len(keyframes)
        if self.count > self.config.max_keyframes:
            raise Problem(
                f"{at}.keyframes",
                f"{self.count} keyframes so far; this question allows at most "
                f"{self.config.max_keyframes} in all",
            )
        previous: int | None = None
        for j, key in enumerate(keyframes):
            previous = self._keyframe(key, f"{at}.keyframes[{j}]", previous)
        first = keyframes[0].get("attributes") or {}
        for name, attribute in self.mutable.items():
            if attribute.required and name not in first:
                raise Problem(
                    f"{at}.keyframes[0].attributes.{name}",
                    "missing; it is required, so the first keyframe gives it",
                )

    def _id(self, value: Any, i: int) -> None:
        if type(value) is not str:
            raise Problem(f"tracks[{i}].id", f"expected a string, got {describe(value)}")
        if not 1 <= len(value) <= MAX_ID:
            raise Problem(f"tracks[{i}].id", f"must be 1 to {MAX_ID} characters, not {len(value)}")
        first = self.ids.setdefault(value, i)
        if first != i:
            raise Problem(f"tracks[{i}].id", f"{value!r} is also the id of tracks[{first}]")

    def _keyframe(self, key: Any, at: str, previous: int | None) -> int:
        """Check one keyframe; its frame."""
        if type(key) is not dict:
            raise Problem(at, f"expected a keyframe object, got {describe(key)}")
        if not self.allowed.issuperset(key):
            key_name = sorted(set(key) - self.allowed)[0]
            known = ", ".join(sorted(self.allowed))
            raise Problem(
                f"{at}.{key_name}", f"unknown key; a {self.config.shape} keyframe has {known}"
            )
        if "frame" not in key:
            raise Problem(f"{at}.frame", "missing")
        frame = self._frame(key["frame"], f"{at}.frame", previous)
        for flag in ("outside", "occluded"):
            if flag in key and type(key[flag]) is not bool:
                raise Problem(f"{at}.{flag}", f"expected true or false, got {describe(key[flag])}")
        if key.get("outside", False):
            if previous is None:
                raise Problem(
                    f"{at}.outside",
                    "the first keyframe is not outside: a track starts where the object is "
                    "first seen; remove this keyframe",
                )
            drawn = [k for k in (*self.geometry, "rotation") if k in key]
            if drawn:
                raise Problem(
                    f"{at}.{drawn[0]}",
                    f"an outside keyframe carries no geometry (the object is out of view); "
                    f"remove {drawn[0]}, or set outside to false",
                )
        else:
            for name in self.geometry:
                if name not in key:
                    raise Problem(
                        f"{at}.{name}",
                        f"missing; a {self.config.shape} keyframe in "
                        f"view gives {', '.join(self.geometry)}",
                    )
            self.present.append(key)
            self.paths.append(at)
        self._attributes(key.get("attributes"), f"{at}.attributes", self.mutable, "keyframe")
        return frame

    def _frame(self, value: Any, path: str, previous: int | None) -> int:
        if type(value) is not int:
            raise Problem(path, f"expected a whole frame number, got {describe(value)}")
        if value < 0:
            raise Problem(path, f"frame {value} is before the first frame, 0")
        if self.frames is not None and value >= self.frames:
            raise Problem(
                path,
                f"frame {value} is past the video's last frame, {self.frames - 1} "
                f"({self.frames} frames)",
            )
        if previous is not None and value <= previous:
            raise Problem(
                path,
                f"frame {value} is not after the previous keyframe's, {previous} — keyframes "
                "go in frame order, one per frame",
            )
        return value

    def _attributes(
        self, given: Any, at: str, declared: Mapping[str, Attribute], where: str
    ) -> None:
        if given is None:
            if where == "track":
                self._required(at, {})
            return
        if type(given) is not dict:
            raise Problem(at, f"expected an object, got {describe(given)}")
        for name, item in given.items():
            path = f"{at}.{name}"
            if name not in declared:
                if name in self.fixed or name in self.mutable:
                    place = (
                        "the track's attributes: it is fixed for the whole track"
                        if name in self.fixed
                        else "the keyframes' attributes: it may change along the track"
                    )
                    raise Problem(path, f"give {name!r} in {place}")
                known = ", ".join(sorted((*self.fixed, *self.mutable))) or "none"
                raise Problem(path, f"no such attribute; the attributes are {known}")
            check_attribute(declared[name], item, path)
        if where == "track":
            self._required(at, given)

    def _required(self, at: str, given: Mapping[str, Any]) -> None:
        for name, attribute in self.fixed.items():
            if attribute.required and name not in given:
                raise Problem(f"{at}.{name}", "missing; it is required")


def _geometry(config: TracksQuestion, checker: _Checker, data: Mapping[str, Any]) -> None:
    """Check the geometry of every keyframe in view at once, with the shape kind's checks."""
    if not checker.present:
        return
    shapes = Shapes(checker.present, image_size(data, config.target))
    try:
        SHAPE_KINDS[config.shape].check_geometry(config.shape_question(), shapes)
    except Problem as problem:
        raise _relocated(problem, checker.paths) from None


def _relocated(problem: Problem, paths: list[str]) -> Problem:
    """The shape kind's problem at ``objects[k]...`` told at the k-th keyframe's path."""
    message = problem.message.replace("image", "video")
    found = OBJECT_PATH.match(problem.path)
    if found is None:
        return Problem("tracks" if problem.path == "objects" else problem.path, message)
    return Problem(paths[int(found.group(1))] + found.group(2), message)


KIND = TracksKind()
