"""A video's frames decoded once, for frame-exact playback in the browser (docs/video.md).

Each video a project's tasks reference gets a folder in Accord's storage,
``media/frames/projects/{project_id}/{sha256 of the reference}/`` (`frames_prefix`), holding:

- ``frames.bin``: every frame as a JPEG (quality 85: `accord.media.jpeg_encoding`), upright,
  in frame order, the frames grouped in chunks of `CHUNK_FRAMES`; one object, read by HTTP
  range requests, one range per chunk (one signed link serves them all);
- or, for a video the browser can decode itself frame-exactly (`accord.media.packets`: H.264,
  VP8, VP9, AV1 with keyframes close enough), ``packets.bin`` instead: its compressed packets
  stream-copied in chunks that each start at a keyframe (`make_video_frames` chooses, after
  ``ACCORD_VIDEO_FRAMES``: ``auto`` or ``jpeg``);
- ``manifest.json`` (written last: its presence means the frames are ready): the frame count,
  size, nominal rate, whether the rate varies, duration, each frame's presentation time in
  seconds, and each chunk's byte range in ``frames.bin`` with the offset of each of its
  frames (`write_frames`; version 2 for packets: `accord.media.packets.write_packets`);
- ``error.json`` instead, when the video could not be decoded: ``{"error": "why"}``.

Frame N is the N-th frame FFmpeg decodes in presentation order (`accord.media.videos`).

Speed: the decoder runs in FFmpeg's threads while the JPEGs are encoded in `encoders()`
threads (libjpeg-turbo releases the GIL), a few frames ahead at most (`AHEAD` per thread:
memory stays a few decoded frames), written in frame order.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import IO, Any

import numpy as np
import orjson

from accord.media.derived_links import failure_at, record_failure_at, source_digest
from accord.media.jpeg_encoding import encode
from accord.media.packets import DATA as PACKETS
from accord.media.packets import Ineligible, write_packets
from accord.media.storage import Storage
from accord.media.videos import BadVideo, Frame, VideoLimits, bad, decoded_frames

FRAMES = "media/frames/projects/"
FORMATS = ("auto", "packets", "jpeg")  # ACCORD_VIDEO_FRAMES
MANIFEST = "manifest.json"
DATA = "frames.bin"
ERROR = "error.json"
CHUNK_FRAMES = 32
VERSION = 1
AHEAD = 3  # frames queued for encoding per encoder thread, at most
VARIABLE_TOLERANCE = 0.01


def frames_prefix(project_id: int, src: str) -> str:
    """The folder of the frames of the video at ``src`` (a media reference) for the project."""
    digest = source_digest(src)
    return f"{FRAMES}{int(project_id)}/{digest}/"


def manifest_key(project_id: int, src: str) -> str:
    return frames_prefix(project_id, src) + MANIFEST


def data_key(project_id: int, src: str) -> str:
    return frames_prefix(project_id, src) + DATA


def packets_key(project_id: int, src: str) -> str:
    return frames_prefix(project_id, src) + PACKETS


def error_key(project_id: int, src: str) -> str:
    return frames_prefix(project_id, src) + ERROR


def encoders() -> int:
    """Threads encoding JPEGs: one per core this process may use (the decoder's threads
    share them; measured in bench/frames_job.py)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def encoded(
    frames: Iterator[Frame], encode: Callable[[Frame], bytes] = encode, threads: int = 0
) -> Iterator[tuple[Frame, bytes]]:
    """Each frame with its JPEG, in frame order, encoded in ``threads`` threads (0: `encoders`)
    while the next frames decode; at most `AHEAD` frames a thread wait for their encoder."""
    threads = threads or encoders()
    with ThreadPoolExecutor(threads, thread_name_prefix="jpeg") as pool:
        waiting: deque[tuple[Frame, Future[bytes]]] = deque()
        try:
            for frame in frames:
                waiting.append((frame, pool.submit(encode, frame)))
                if len(waiting) >= AHEAD * threads:
                    first, job = waiting.popleft()
                    yield first, job.result()
            while waiting:
                first, job = waiting.popleft()
                yield first, job.result()
        finally:  # stopped early (a bad frame, a cancel): the queued frames are dropped
            for _, job in waiting:
                job.cancel()


@dataclass
class _Chunk:
    start: int  # byte offset in frames.bin
    offsets: list[int]  # each frame's start from the chunk's start, then the chunk's length

    def out(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.start + self.offsets[-1], "offsets": self.offsets}


def rate_of(times: list[float]) -> tuple[float, bool, float]:
    """The nominal rate, whether it varies, and the typical frame interval (s)."""
    if len(times) < 2:
        return 0.0, False, 0.0
    steps = np.diff(np.asarray(times, dtype=np.float64))
    median = float(np.median(steps))
    variable = float(steps.max() - steps.min()) > VARIABLE_TOLERANCE * median + 1e-3
    duration = times[-1] - times[0] + median
    return (len(times) / duration if duration > 0 else 0.0), variable, median


def write_frames(
    frames: Iterator[Frame],
    out: IO[bytes],
    progress: Callable[[int], None] | None = None,
    encode: Callable[[Frame], bytes] = encode,
    threads: int = 0,
) -> dict[str, Any]:
    """Write every frame to ``out`` (frames.bin) in chunks, encoded in ``threads`` threads
    (0: `encoders`); the manifest describing them."""
    times: list[float] = []
    chunks: list[_Chunk] = []
    written = 0
    size = (0, 0)
    for frame, data in encoded(frames, encode, threads):
        if frame.index % CHUNK_FRAMES == 0:
            if chunks:
                chunks[-1].offsets.append(written - chunks[-1].start)
            chunks.append(_Chunk(start=written, offsets=[]))
        chunks[-1].offsets.append(written - chunks[-1].start)
        out.write(data)
        written += len(data)
        times.append(frame.time)
        size = frame.size
        if progress is not None:
            progress(frame.index + 1)
    if chunks:
        chunks[-1].offsets.append(written - chunks[-1].start)
    fps, variable, step = rate_of(times)
    return {
        "version": VERSION,
        "frames": len(times),
        "width": size[0],
        "height": size[1],
        "fps": round(fps, 6),
        "variable_rate": variable,
        "duration": round(times[-1] - times[0] + step, 6) if times else 0.0,
        "format": "jpeg",
        "chunk_frames": CHUNK_FRAMES,
        "data": DATA,
        "bytes": written,
        "times": times,
        "chunks": [chunk.out() for chunk in chunks],
    }


def make_frames(
    storage: Storage,
    project_id: int,
    src: str,
    video: IO[bytes],
    limits: VideoLimits,
    progress: Callable[[int], None] | None = None,
    threads: int = 0,
    why_jpeg: str | None = None,
    keep_packets: bool = False,
) -> dict[str, Any]:
    """Decode the video in ``video`` (binary, seekable) and store its frames as JPEGs and
    the manifest (an earlier error.json and, unless ``keep_packets``, packets.bin removed),
    the JPEGs encoded in ``threads`` threads (0: `encoders`); the manifest (``why_jpeg``,
    when given, says in it why the packets path was not taken). `BadVideo` if it cannot be
    decoded (nothing is left behind then: the caller records the error)."""
    key = data_key(project_id, src)
    with storage.writer(key) as out:  # nothing is left if decoding fails half-way
        frames = decoded_frames(video, src, limits)
        manifest = write_frames(frames, out, progress, threads=threads)
    if not manifest["frames"]:
        storage.delete(key)
        raise bad(src, "its video stream holds no frame FFmpeg can decode", "export it again")
    if why_jpeg is not None:
        manifest["why_jpeg"] = why_jpeg
    stale = None if keep_packets else packets_key(project_id, src)
    _publish(storage, project_id, src, manifest, stale=stale)
    return manifest


def _publish(
    storage: Storage, project_id: int, src: str, manifest: dict[str, Any], stale: str | None
) -> None:
    """The manifest written (the frames are ready), then the other format's data of an
    earlier run (``stale``) and any error removed."""
    storage.delete(error_key(project_id, src))
    storage.write_bytes(manifest_key(project_id, src), orjson.dumps(manifest))
    if stale is not None:
        storage.delete(stale)


def make_packets(
    storage: Storage,
    project_id: int,
    src: str,
    video: IO[bytes],
    limits: VideoLimits,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Stream-copy the video's packets into packets.bin and store its manifest (version 2);
    the manifest. `Ineligible` (nothing left behind) if the browser could not decode it
    frame-exactly; `BadVideo` if it cannot be read."""
    with storage.writer(packets_key(project_id, src)) as out:  # dropped on any error
        manifest = write_packets(video, src, out, limits, progress)
    _publish(storage, project_id, src, manifest, stale=data_key(project_id, src))
    return manifest


def make_video_frames(
    storage: Storage,
    project_id: int,
    src: str,
    video: IO[bytes],
    limits: VideoLimits,
    progress: Callable[[int], None] | None = None,
    frames_format: str = "auto",
    threads: int = 0,
) -> dict[str, Any]:
    """What the frames job does for one video, after ``frames_format``
    (``ACCORD_VIDEO_FRAMES``); the manifest it leaves.

    - ``auto``: packets where eligible, published as soon as they are written (the video is
      ready to annotate at stream-copy speed), then JPEG frames, whose manifest replaces
      theirs (a seek is quicker from JPEGs); packets.bin stays, for players that opened the
      first manifest. A video the packets path refuses gets JPEG frames only.
    - ``packets``: packets where eligible, else JPEG frames.
    - ``jpeg``: JPEG frames only.
    """
    if frames_format == "jpeg":
        return make_frames(storage, project_id, src, video, limits, progress, threads)
    try:
        packets = make_packets(storage, project_id, src, video, limits, progress)
    except Ineligible as exc:
        video.seek(0)
        return make_frames(
            storage, project_id, src, video, limits, progress, threads, why_jpeg=str(exc)
        )
    if frames_format == "packets":
        return packets
    video.seek(0)
    try:
        return make_frames(
            storage, project_id, src, video, limits, progress, threads, keep_packets=True
        )
    except BadVideo as exc:  # the packets stay what the player reads
        return {**packets, "jpeg_error": exc.message}


def record_failure(storage: Storage, project_id: int, src: str, message: str) -> None:
    record_failure_at(storage, error_key(project_id, src), message)


def failure_of(storage: Storage, project_id: int, src: str) -> str | None:
    """Why the frames of ``src`` could not be made, if that is what happened."""
    return failure_at(storage, error_key(project_id, src), "the video could not be decoded")
