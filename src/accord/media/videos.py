"""Video files: checking one and reading its metadata (`probe`), and decoding its frames
(`decoded_frames`), with PyAV (FFmpeg's libraries, no program to install).

Frame N of a video is, by definition, the N-th frame (0-based) FFmpeg's decoder gives in
presentation order; its time is its presentation timestamp in seconds, from the video's
start (the first frame's timestamp is taken for 0, as players do).

The container is told by the file's first bytes, whatever its name: MP4 / MOV (ISO base
media, ``ftyp``...) or Matroska / WebM (EBML). Only those two demuxers are ever used, and
the file is handed to FFmpeg as an open file, not a path, so a playlist or a reference to
other files (HLS, concat, a MOV data reference) can never make it read anything else.

`probe` refuses, with a `BadVideo` naming the file and saying what to do: a file that is not
one of those containers, one with no video stream, a stream FFmpeg cannot decode (its first
frame is decoded), and videos over the limits (`VideoLimits`: the largest frame in pixels,
the most frames, the longest duration; from ``ACCORD_VIDEO_MAX_*``). The frame count is
counted from the packets' timestamps (never the header's guess); a video whose frame times
are not evenly spaced is reported as variable rate. Every read runs against a deadline
(`VideoLimits.seconds`): past it the work stops and the file is refused, so a crafted file
cannot keep a worker busy.

Size: width and height are those of the picture as shown, after the rotation the container
declares (a phone's portrait video is stored 1920 × 1080 with a 90° rotation and shown
1080 × 1920); `decoded_frames` gives each frame with that turn (`Frame.pixels` applies it).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass
from fractions import Fraction
from pathlib import Path
from typing import IO, Any

import numpy as np

from accord.errors import Invalid
from accord.media.decoding import Deadline, MediaFiles, open_stream, reason

CONTAINERS = {"mov": "mp4", "matroska": "matroska"}  # FFmpeg demuxer: what the answer says
EXTENSIONS = (".mp4", ".m4v", ".mov", ".webm", ".mkv")
VARIABLE_TOLERANCE = 0.01  # frame intervals differing by more than 1% + a tick: variable rate


class BadVideo(Invalid):
    """The file is not a video Accord takes (the message says which file and why)."""

    code = "bad_video"


@dataclass(frozen=True)
class VideoLimits:
    max_pixels: int = 3840 * 2160  # one frame, width × height
    max_frames: int = 200_000
    max_seconds: float = 4 * 3600.0  # duration
    seconds: float = 120.0  # the deadline of one probe (the frames job allows more)


@dataclass(frozen=True)
class VideoInfo:
    container: str  # mp4 (MP4 and QuickTime MOV) or matroska (MKV and WebM)
    codec: str  # h264, hevc, vp9, av1, ...
    width: int  # as shown: after the rotation
    height: int
    rotation: int  # degrees the stored picture is turned by to show it: 0, 90, 180, 270
    frames: int  # counted from the packets' timestamps
    fps: float  # nominal (the stream's average rate)
    variable_rate: bool
    duration: float  # seconds, first frame's start to last frame's end

    def fields(self) -> dict[str, Any]:
        return asdict(self)


def bad(name: str, why: str, what_to_do: str) -> BadVideo:
    return BadVideo(f"{name}: {why}; {what_to_do}", details={"file": name, "reason": why})


def looks_like_video(name: str) -> bool:
    """Whether a file called ``name`` is meant as a video (by its extension)."""
    return name.lower().endswith(EXTENSIONS)


def demuxer_of(head: bytes) -> str | None:
    """The FFmpeg demuxer for a file starting with ``head`` (mov or matroska); None if it is
    neither."""
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "matroska"
    if head[4:8] in (b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip"):
        return "mov"
    return None


def video_deadline(name: str, seconds: float) -> Deadline:
    return Deadline(
        seconds,
        lambda seconds: bad(
            name,
            f"reading the video took longer than {seconds:g} s, the most allowed",
            "cut it into shorter videos or lower its resolution, and send those",
        ),
    )


FILES = MediaFiles(
    stream="video",
    like="a video",
    formats="an MP4, MOV, MKV or WebM video",
    convert="convert it to one of those, e.g. ffmpeg -i input -c:v libx264 output.mp4",
    no_stream=("the file holds no video stream", "send a file with a picture"),
    demuxer_of=demuxer_of,
    bad=bad,
)


class Opened:
    """The file opened by FFmpeg with its one allowed demuxer, and its video stream."""

    def __init__(self, file: IO[bytes], name: str) -> None:
        self.container, self.stream, self.demuxer = open_stream(file, name, FILES)

    def close(self) -> None:
        self.container.close()


def frame_rate(stream: Any) -> float:
    """The stream's nominal frames a second (its average rate, else FFmpeg's guess; 0 if
    neither is known)."""
    rate = stream.average_rate or stream.guessed_rate
    return float(rate) if rate else 0.0


def rotation_of(frame: Any) -> int:
    """Degrees (0, 90, 180, 270) a decoded frame is turned by to be shown upright."""
    try:
        turn = round(float(frame.rotation))
    except (AttributeError, TypeError, ValueError):
        return 0
    return (-turn) % 360 if turn % 90 == 0 else 0


def check_pixels(name: str, width: int, height: int, limits: VideoLimits) -> None:
    if width < 1 or height < 1:
        raise bad(name, f"the video is {width} × {height} pixels", "export it again")
    if width * height > limits.max_pixels:
        raise bad(
            name,
            f"its frames are {width} × {height} pixels; at most {limits.max_pixels:,} "
            "pixels a frame are accepted (ACCORD_VIDEO_MAX_PIXELS)",
            "scale it down, e.g. ffmpeg -i input -vf scale=-2:1080 output.mp4",
        )


def _first_frame(opened: Opened, name: str, deadline: Deadline) -> Any:
    import av

    try:
        for frame in opened.container.decode(opened.stream):
            deadline.check()
            return frame
    except av.FFmpegError as exc:
        raise bad(
            name,
            f"its video ({opened.stream.codec_context.name}) cannot be decoded ({reason(exc)})",
            "convert it to H.264 or VP9, e.g. ffmpeg -i input -c:v libx264 output.mp4",
        ) from None
    raise bad(name, "its video stream holds no frame FFmpeg can decode", "export it again")


def _timestamps(opened: Opened, name: str, limits: VideoLimits, deadline: Deadline) -> list[int]:
    """The presentation timestamps of the stream's packets (in its time base), sorted."""
    import av

    stamps: list[int] = []
    opened.container.seek(0)
    try:
        for packet in opened.container.demux(opened.stream):
            if packet.size and packet.pts is not None:
                stamps.append(int(packet.pts))
                if len(stamps) > limits.max_frames:
                    raise bad(
                        name,
                        f"it has more than {limits.max_frames:,} frames, the most accepted "
                        "(ACCORD_VIDEO_MAX_FRAMES)",
                        "cut it into shorter videos",
                    )
                if len(stamps) % 256 == 0:
                    deadline.check()
    except av.FFmpegError as exc:
        raise bad(name, f"the video is damaged ({reason(exc)})", "export it again") from None
    stamps.sort()
    return stamps


def _rate(stamps: list[int], time_base: Fraction) -> tuple[bool, float]:
    """Whether the frame intervals vary, and the typical one in seconds."""
    if len(stamps) < 2:
        return False, 0.0
    steps = np.diff(np.asarray(stamps, dtype=np.int64))
    low, high = int(steps.min()), int(steps.max())
    median = float(np.median(steps))
    variable = high - low > VARIABLE_TOLERANCE * median + 1
    return variable, median * float(time_base)


def probe(file: IO[bytes], name: str, limits: VideoLimits | None = None) -> VideoInfo:
    """Check the video in ``file`` (binary, seekable) and describe it; `BadVideo` naming
    ``name`` if Accord cannot take it (see the module)."""
    limits = limits or VideoLimits()
    deadline = video_deadline(name, limits.seconds)
    opened = Opened(file, name)
    try:
        context = opened.stream.codec_context
        check_pixels(name, context.width, context.height, limits)
        first = _first_frame(opened, name, deadline)
        rotation = rotation_of(first)
        stamps = _timestamps(opened, name, limits, deadline)
        if not stamps:
            raise bad(name, "its video stream holds no frame", "export it again")
        time_base = opened.stream.time_base or Fraction(1, 1)
        variable, step = _rate(stamps, time_base)
        duration = (stamps[-1] - stamps[0]) * float(time_base) + step
        if duration > limits.max_seconds:
            raise bad(
                name,
                f"it lasts {duration:,.0f} s; at most {limits.max_seconds:,.0f} s are "
                "accepted (ACCORD_VIDEO_MAX_SECONDS)",
                "cut it into shorter videos",
            )
        rate = opened.stream.average_rate or opened.stream.guessed_rate
        fps = float(rate) if rate else (1.0 / step if step else 0.0)
        width, height = first.width, first.height
        if rotation in (90, 270):
            width, height = height, width
        return VideoInfo(
            container=CONTAINERS[opened.demuxer],
            codec=str(context.name),
            width=width,
            height=height,
            rotation=rotation,
            frames=len(stamps),
            fps=round(fps, 6),
            variable_rate=variable,
            duration=round(duration, 6),
        )
    finally:
        opened.close()


def probe_path(path: Path, name: str, limits: VideoLimits | None = None) -> VideoInfo:
    with path.open("rb") as file:
        return probe(file, name, limits)


@dataclass(frozen=True)
class Frame:
    """One decoded frame: its number, time in seconds, the decoder's picture as stored and the
    clockwise turn (degrees) that shows it upright."""

    index: int
    time: float
    picture: Any  # av.VideoFrame
    rotation: int = 0

    @property
    def size(self) -> tuple[int, int]:
        """Width and height as shown (after the turn)."""
        width, height = self.picture.width, self.picture.height
        return (height, width) if self.rotation in (90, 270) else (width, height)

    def pixels(self) -> np.ndarray:
        """RGB, upright (height × width × 3, uint8), as FFmpeg converts the picture."""
        return upright(self.picture.to_ndarray(format="rgb24"), self.rotation)


def upright(pixels: np.ndarray, rotation: int) -> np.ndarray:
    """The pixels (an image or one plane of it) turned clockwise by ``rotation`` degrees."""
    turns = {90: -1, 180: 2, 270: 1}.get(rotation, 0)
    return np.ascontiguousarray(np.rot90(pixels, turns)) if turns else pixels


def decoded_frames(
    file: IO[bytes], name: str, limits: VideoLimits | None = None
) -> Iterator[Frame]:
    """Every frame of the video, in the decoder's (presentation) order, with the turn that
    shows it upright (its pixels are left as decoded: the caller may not need RGB);
    `BadVideo` if the file cannot be read or decoded, goes over the limits, or runs past the
    deadline."""
    import av

    limits = limits or VideoLimits()
    deadline = video_deadline(name, limits.seconds)
    opened = Opened(file, name)
    try:
        context = opened.stream.codec_context
        check_pixels(name, context.width, context.height, limits)
        opened.stream.thread_type = "AUTO"
        time_base = float(opened.stream.time_base or Fraction(1, 1))
        start: int | None = None
        last = -1.0
        for index, frame in enumerate(opened.container.decode(opened.stream)):
            deadline.check()
            if index >= limits.max_frames:
                raise bad(
                    name,
                    f"it has more than {limits.max_frames:,} frames (ACCORD_VIDEO_MAX_FRAMES)",
                    "cut it into shorter videos",
                )
            pts = frame.pts
            if pts is None:  # no timestamp: right after the previous frame
                seconds = last + (1.0 / float(opened.stream.average_rate or 25))
            else:
                start = pts if start is None else start
                seconds = (pts - start) * time_base
            last = seconds
            yield Frame(index, round(seconds, 6), frame, rotation_of(frame))
    except av.FFmpegError as exc:
        raise bad(name, f"the video cannot be decoded ({reason(exc)})", "export it again") from None
    finally:
        opened.close()
