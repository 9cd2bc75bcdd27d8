"""COCO per frame (``--format coco-video``): a project's box and polygon ``tracks`` as COCO
annotations on the frames of its videos, both ways (docs/video.md, "COCO per frame").

The layout is COCO's with the video keys of CocoVID (mmtracking) and TAO: ``videos``
``[{id, name, width, height, length}]``, ``images`` ``[{id, video_id, frame_id, file_name,
width, height}]`` (one per frame, ``frame_id`` from 0 as Accord counts frames, ``file_name``
``NAME/000000.jpg``), ``annotations`` ``[{id, image_id, video_id, category_id, instance_id,
track_id, bbox, segmentation, area, iscrowd}]`` (one per object and frame: ``bbox`` ``[x, y,
w, h]``, ``segmentation`` a list with one polygon ``[x1, y1, x2, y2, ...]`` for a polygon
track, else empty) and ``categories`` ``[{id, name}]``. A track is the annotations sharing a
video and an ``instance_id`` (Accord also writes its own ``track_id``, read back as the
track's id, as TAO and the tracks' answers name it).

It is the YouTube-VIS file (`accord.formats.ytvis`) cut per frame: writing takes the
per-frame lists YouTube-VIS writes and gives one annotation per frame an object is on;
reading gathers each track's frames into those lists and reads them as YouTube-VIS does (the
frames become keyframes, a gap an ``outside`` keyframe, a category no question takes is left
out and counted, an RLE mask read as the outline of its largest part). What reading checks
first, naming ``annotations[i] (id N)``: an ``image_id`` that is no image, an image of
another video than the annotation's, a track whose category changes, two annotations of one
track on one frame, a frame past the video's length, and an annotation with neither
``instance_id`` nor ``track_id`` (a detector's boxes are not tracks: give each object an
``instance_id``).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson

from accord.formats.mot import VideoRow
from accord.formats.shapes import DatasetError
from accord.formats.video_tracks import VideoSchema
from accord.formats.ytvis import (
    Video,
    YtvisFile,
    annotation_track,
    box_keys,
    loaded_json,
    polygon_keys,
    read_videos,
    video_annotations,
    ytvis_categories,
)


def coco_video_chunks(schema: VideoSchema, rows: Iterable[VideoRow]) -> Iterator[bytes]:
    """The JSON (see the module), streamed: videos as they come, images and annotations kept
    in temporary files meanwhile."""
    categories = [{"id": i, "name": n} for i, n in enumerate(schema.labels, 1)]
    ids = {name: i for i, name in enumerate(schema.labels, 1)}
    yield b'{"info":{"description":"Accord export"},"categories":'
    yield orjson.dumps(categories)
    yield b',"videos":['
    counts = _Counts()
    with _spool() as images, _spool() as annotations:
        for number, row in enumerate(rows, 1):
            tracks, length = video_annotations(schema, ids, row, number, 0)
            first_image = counts.images + 1
            for frame in range(length):
                counts.images += 1
                image = {
                    "id": counts.images,
                    "video_id": number,
                    "frame_id": frame,
                    "file_name": f"{row.name}/{frame:06d}.jpg",
                    "width": row.width,
                    "height": row.height,
                }
                images.write(b"," if images.tell() else b"")
                images.write(orjson.dumps(image))
            for track in tracks:
                counts.instances += 1
                _write_frames(annotations, track, first_image, counts)
            video = {
                "id": number,
                "name": row.name,
                "width": row.width,
                "height": row.height,
                "length": length,
            }
            yield (b"," if number > 1 else b"") + orjson.dumps(video)
        yield b'],"images":['
        yield from _read_back(images)
        yield b'],"annotations":['
        yield from _read_back(annotations)
    yield b"]}\n"


@dataclass
class _Counts:
    images: int = 0
    instances: int = 0
    annotations: int = 0


def _spool() -> IO[bytes]:
    return tempfile.SpooledTemporaryFile(max_size=16 << 20)


def _read_back(spool: IO[bytes]) -> Iterator[bytes]:
    spool.seek(0)
    while chunk := spool.read(1 << 20):
        yield chunk


def _write_frames(
    out: IO[bytes], track: Mapping[str, Any], first_image: int, counts: _Counts
) -> None:
    polygons = track["segmentations"]
    for frame, box in enumerate(track["bboxes"]):
        if box is None:
            continue
        counts.annotations += 1
        polygon = polygons[frame]
        annotation: dict[str, Any] = {
            "id": counts.annotations,
            "image_id": first_image + frame,
            "video_id": track["video_id"],
            "category_id": track["category_id"],
            "instance_id": counts.instances,
            "track_id": track["track_id"],
            "bbox": box,
            "segmentation": polygon if polygon is not None else [],
            "area": track["areas"][frame],
            "iscrowd": 0,
        }
        if "score" in track:
            annotation["score"] = track["score"]
        out.write(b"," if out.tell() else b"")
        out.write(orjson.dumps(annotation))


# -- reading ---------------------------------------------------------------------------------


@dataclass
class _Track:
    """One track's frames, gathered from its annotations."""

    where: str  # its first annotation
    video_id: Any
    category_id: Any
    track_id: str | None
    bboxes: dict[int, Any] = field(default_factory=dict)
    segmentations: dict[int, Any] = field(default_factory=dict)
    score: Any = None


def read_coco_video(path: Path, schema: VideoSchema) -> YtvisFile:
    """Read and check a COCO per frame JSON (see the module)."""
    data = loaded_json(
        path,
        ("videos", "images", "annotations", "categories"),
        "COCO per frame has videos, images, annotations and categories",
    )
    found = YtvisFile(path)
    categories = ytvis_categories(path, data["categories"])
    videos = read_videos(path, [_with_length(entry, data["images"]) for entry in data["videos"]])
    found.videos = list(videos.values())
    frames = _frames(path, data["images"], videos)
    tracks = _tracks(path, data["annotations"], frames, videos, categories)
    for i, track in enumerate(tracks.values()):
        length = videos[track.video_id].length
        entry = {
            "id": i + 1,
            "video_id": track.video_id,
            "category_id": track.category_id,
            "bboxes": [track.bboxes.get(f) for f in range(length)],
            "segmentations": [track.segmentations.get(f) for f in range(length)],
        }
        if track.track_id is not None:
            entry["track_id"] = track.track_id
        if track.score is not None:
            entry["score"] = track.score
        annotation_track(found, schema, categories, videos, entry, track.where)
    return found


def _with_length(entry: Any, images: list[Any]) -> Any:
    """The video entry, its ``length`` taken from its images' frame ids when it has none."""
    if not isinstance(entry, dict) or "length" in entry or "id" not in entry:
        return entry
    ids = [
        image.get("frame_id")
        for image in images
        if isinstance(image, dict) and image.get("video_id") == entry["id"]
    ]
    whole = [f for f in ids if isinstance(f, int) and not isinstance(f, bool)]
    return {**entry, "length": max(whole) + 1 if whole else None}


def _frames(
    path: Path, images: list[Any], videos: Mapping[Any, Video]
) -> dict[Any, tuple[Any, int]]:
    """Each image's (video id, frame)."""
    out: dict[Any, tuple[Any, int]] = {}
    for i, image in enumerate(images):
        where = f"{path}: images[{i}]"
        if not isinstance(image, dict) or "id" not in image:
            raise DatasetError(f"{where}: expected an object with id, video_id, frame_id")
        where += f" (id {image['id']})"
        video = videos.get(image.get("video_id"))
        if video is None:
            raise DatasetError(f"{where}: video_id {image.get('video_id')!r} is no video's id")
        frame = image.get("frame_id")
        if not isinstance(frame, int) or isinstance(frame, bool) or frame < 0:
            raise DatasetError(f"{where}: frame_id {frame!r} is not a whole number from 0")
        if frame >= video.length:
            raise DatasetError(
                f"{where}: frame_id {frame} is past the video's {video.length} frames (length)"
            )
        if image["id"] in out:
            raise DatasetError(f"{where}: a second image with id {image['id']!r}")
        out[image["id"]] = (image["video_id"], frame)
    return out


def _tracks(
    path: Path,
    annotations: list[Any],
    frames: Mapping[Any, tuple[Any, int]],
    videos: Mapping[Any, Video],
    categories: Mapping[Any, str],
) -> dict[tuple[Any, Any], _Track]:
    tracks: dict[tuple[Any, Any], _Track] = {}
    for i, entry in enumerate(annotations):
        where = f"{path}: annotations[{i}]"
        if not isinstance(entry, dict):
            raise DatasetError(f"{where}: expected an object")
        where += f" (id {entry.get('id')})"
        placed = frames.get(entry.get("image_id"))
        if placed is None:
            raise DatasetError(f"{where}: image_id {entry.get('image_id')!r} is no image's id")
        video_id, frame = placed
        if entry.get("video_id", video_id) != video_id:
            raise DatasetError(
                f"{where}: video_id {entry.get('video_id')!r}, but its image is a frame of "
                f"the video {video_id!r}"
            )
        if entry.get("category_id") not in categories:
            raise DatasetError(f"{where}: category_id {entry.get('category_id')!r} is no category")
        own = entry.get("track_id")
        key = own if isinstance(own, str) and own else entry.get("instance_id")
        if key is None or isinstance(key, bool | dict | list):
            raise DatasetError(
                f"{where}: no instance_id (nor track_id): an annotation of COCO per frame "
                "belongs to a track; give each object an instance_id shared by its frames"
            )
        track = tracks.get((video_id, key))
        if track is None:
            named = own if isinstance(own, str) and 0 < len(own) <= 64 else None
            track = _Track(where, video_id, entry["category_id"], named)
            tracks[(video_id, key)] = track
        elif track.category_id != entry["category_id"]:
            raise DatasetError(
                f"{where}: category_id {entry['category_id']!r}, but the track's first "
                f"annotation ({track.where.rsplit(': ', 1)[-1]}) has {track.category_id!r}; "
                "a track keeps one category"
            )
        if frame in track.bboxes:
            raise DatasetError(f"{where}: a second annotation of its track on frame {frame}")
        segmentation = entry.get("segmentation") or None
        if segmentation is not None:
            polygon_keys(segmentation, f"{where}: segmentation")
        box_keys(entry.get("bbox"), f"{where}: bbox")
        track.segmentations[frame] = segmentation
        track.bboxes[frame] = entry.get("bbox")
        if track.score is None and "score" in entry:
            track.score = entry["score"]
    return tracks
