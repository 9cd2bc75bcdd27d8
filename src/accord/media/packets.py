"""A video's compressed frames stream-copied for the browser to decode (WebCodecs), where that
is frame-exact; `accord.media.frames` stores JPEGs otherwise (docs/video.md, "The frames job").

For an eligible video (`ineligible` says why one is not) the frames job writes, in the video's
frames folder (`accord.media.frames.frames_prefix`):

- ``packets.bin``: the video stream's packets as the container holds them, in decode order,
  cut in chunks that each start at a random-access point (a keyframe; an IDR picture for
  H.264) and end before the next: one chunk decodes on its own;
- ``manifest.json`` (version 2, ``"format": "packets"``): what version 1 says (frames, size,
  rate, duration, each frame's time), plus what the browser's ``VideoDecoder`` is configured
  with (``codec``, e.g. ``avc1.64001f``; ``description``, the avcC record base64, for H.264)
  and each chunk's byte range with each packet's offset and frame number, and which packets
  hold a picture no other refers to (``disposable``: a seek may leave them out) (`write_packets`).

A packet's frame number is where its picture comes in FFmpeg's presentation order: the
browser gives it as the chunk's timestamp, and the decoder hands it back on the picture, so
frame N in the browser is frame N as FFmpeg decodes it. The job finds it by decoding every
packet while it copies them (no colour conversion, no inverse transform or deblocking: these
make pixels, not pictures; bench/frames_job.py),
each packet given its own index as its timestamp, which the decoder passes on to the picture
the packet holds (the container's timestamps may repeat: two frames at one millisecond). It
holds only if FFmpeg makes exactly one picture per packet: checked.

Eligible: H.264 (with its avcC record), VP8, VP9 or AV1 (with its av1C record), 8-bit 4:2:0,
not rotated, every packet with its own timestamp, closed chunks (a chunk's pictures are the
frames from its keyframe's to the next keyframe's), and keyframes at most `max_key_interval`
frames apart (a seek decodes from the keyframe before it: more frames than that miss the
seek's 100 ms in a browser without GPU, measured in docs/video.md).
"""

from __future__ import annotations

import base64
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import IO, Any

from accord.media.videos import (
    Opened,
    VideoLimits,
    bad,
    check_pixels,
    frame_rate,
    rotation_of,
    video_deadline,
)

DATA = "packets.bin"
# The decode that numbers the packets needs which pictures come out and in which order, not
# their pixels: FFmpeg skips the inverse transform and the deblocking filter (H.264; VP9 skips
# its loop filter), which decide no picture's output or order. `bench.frames_job` measures it.
COUNTING = {"skip_idct": "all", "skip_loop_filter": "all"}
VERSION = 2
CODECS = ("h264", "vp8", "vp9", "av1")
PIXEL_FORMATS = ("yuv420p", "yuvj420p")
FULL_HD = 1920 * 1080
KEY_INTERVAL_FULL_HD = 25  # frames between keyframes at most, at 1920 × 1080 (docs/video.md)
KEY_INTERVAL_MOST = 250
IDR = 5  # H.264 nal_unit_type of an IDR picture
# VP9 levels: (code, most luma samples a picture, most luma samples a second)
VP9_LEVELS = (
    (10, 36864, 829440),
    (11, 73728, 2764800),
    (20, 122880, 4608000),
    (21, 245760, 9216000),
    (30, 552960, 20736000),
    (31, 983040, 36864000),
    (40, 2228224, 83558400),
    (41, 2228224, 160432128),
    (50, 8912896, 311951360),
    (51, 8912896, 588251136),
    (52, 8912896, 1176502272),
    (60, 35651584, 1176502272),
    (61, 35651584, 2353004544),
    (62, 35651584, 4706009088),
)


class Ineligible(Exception):
    """The video keeps the JPEG path (the message says why, for the job's log)."""


def max_key_interval(width: int, height: int) -> int:
    """Most frames between keyframes for the packets path: `KEY_INTERVAL_FULL_HD` at 1080p,
    more for smaller pictures (decoding time follows the pixels), at most
    `KEY_INTERVAL_MOST`."""
    pixels = max(1, width * height)
    return max(1, min(KEY_INTERVAL_MOST, KEY_INTERVAL_FULL_HD * FULL_HD // pixels))


def avc_codec(extradata: bytes) -> str:
    """The WebCodecs codec string of H.264 from its avcC record (profile, flags, level)."""
    if len(extradata) < 7 or extradata[0] != 1:
        raise Ineligible("H.264 without an avcC record (Annex B stream)")
    return "avc1." + extradata[1:4].hex()


def vp9_codec(profile: int, width: int, height: int, fps: float) -> str:
    """The WebCodecs codec string of 8-bit VP9, its level the lowest that fits the picture."""
    samples = width * height
    level = next(
        (code for code, most, rate in VP9_LEVELS if samples <= most and samples * fps <= rate),
        62,
    )
    return f"vp09.{max(0, profile):02d}.{level}.08"


def av1_codec(extradata: bytes) -> str:
    """The WebCodecs codec string of AV1 from its av1C record (profile, level, tier)."""
    if len(extradata) < 4 or extradata[0] & 0x7F != 1:
        raise Ineligible("AV1 without an av1C record")
    profile, level = extradata[1] >> 5, extradata[1] & 0x1F
    tier = "H" if extradata[2] & 0x80 else "M"
    if extradata[2] & 0x60:
        raise Ineligible("AV1 of more than 8 bits")
    return f"av01.{profile}.{level:02d}{tier}.08"


def nal_length_size(extradata: bytes) -> int:
    return (extradata[4] & 0x03) + 1


def is_idr(data: bytes, length_size: int) -> bool:
    """Whether an H.264 access unit (length-prefixed NAL units) holds an IDR picture."""
    at = 0
    while at + length_size < len(data):
        size = int.from_bytes(data[at : at + length_size], "big")
        if data[at + length_size] & 0x1F == IDR:
            return True
        at += length_size + size
    return False


def is_disposable(data: bytes, length_size: int) -> bool:
    """Whether an H.264 access unit's picture is one no other picture refers to: it has slices
    and each is a non-IDR slice with ``nal_ref_idc`` 0 (a seek need not decode it, H.264
    7.4.1). False when unsure."""
    at, slices = 0, 0
    while at + length_size < len(data):
        size = int.from_bytes(data[at : at + length_size], "big")
        header = data[at + length_size]
        kind = header & 0x1F
        if kind in (1, 2, 3, 4, IDR):  # a slice (or slice data partition) of a picture
            if kind == IDR or header & 0x60:
                return False
            slices += 1
        at += length_size + size
    return slices > 0


@dataclass
class Codec:
    name: str  # FFmpeg's: h264, vp8, vp9, av1
    string: str  # WebCodecs': avc1.64001f, vp8, vp09.00.40.08, av01.0.08M.08
    description: bytes | None  # the decoder's configuration record (H.264's avcC)

    def random_access(self, data: bytes, key: bool) -> bool:
        """Whether a packet starts a chunk: a keyframe (for H.264, an IDR picture)."""
        if not key:
            return False
        if self.name == "h264" and self.description is not None:
            return is_idr(data, nal_length_size(self.description))
        return True

    def disposable(self, data: bytes) -> bool:
        """Whether no other picture refers to the packet's (H.264 only; False otherwise)."""
        if self.name == "h264" and self.description is not None:
            return is_disposable(data, nal_length_size(self.description))
        return False


def codec_of(opened: Opened) -> Codec:
    """The stream's codec for WebCodecs; `Ineligible` if the packets path does not take it."""
    stream = opened.stream
    context = stream.codec_context
    name = str(context.codec.canonical_name)  # av1 whichever decoder (libdav1d)
    if name not in CODECS:
        raise Ineligible(f"codec {name} (the packets path takes {', '.join(CODECS)})")
    pixels = str(context.pix_fmt or "")
    if pixels not in PIXEL_FORMATS:
        raise Ineligible(f"pixel format {pixels or 'unknown'} (8-bit 4:2:0 only)")
    extradata = bytes(context.extradata or b"")
    if name == "h264":
        return Codec(name, avc_codec(extradata), extradata)
    if name == "av1":
        return Codec(name, av1_codec(extradata), None)
    if name == "vp9":
        fps = frame_rate(stream) or 30.0
        profile = int("".join(c for c in str(context.profile or "0") if c.isdigit()) or 0)
        return Codec(name, vp9_codec(profile, context.width, context.height, fps), None)
    return Codec(name, "vp8", None)


@dataclass
class _Chunk:
    start: int  # byte offset in packets.bin
    offsets: list[int] = field(default_factory=list)  # each packet's, then the chunk's length
    packets: list[int] = field(default_factory=list)  # each packet's index, decode order
    disposable: list[int] = field(default_factory=list)  # places (decode order) of those
    # whose picture no other refers to

    def out(self, frame_of: list[int]) -> dict[str, Any]:
        frames = [frame_of[packet] for packet in self.packets]
        return {
            "start": self.start,
            "end": self.start + self.offsets[-1],
            "first": frames[0],
            "count": len(frames),
            "offsets": self.offsets,
            "frames": frames,
            "disposable": self.disposable,
        }


def _check_chunks(chunks: list[_Chunk], frame_of: list[int], most: int) -> None:
    """Each chunk closed (its pictures are the frames from its keyframe's on, none of
    another chunk's) and at most ``most`` frames long."""
    for number, chunk in enumerate(chunks):
        frames = [frame_of[packet] for packet in chunk.packets]
        first = frames[0]
        if sorted(frames) != list(range(first, first + len(frames))):
            raise Ineligible(f"chunk {number} is an open GOP (pictures out of its range)")
        if len(frames) > most:
            raise Ineligible(f"keyframes {len(frames)} frames apart (at most {most})")


@dataclass
class _Pass:
    """What one pass over the packets gathers."""

    chunks: list[_Chunk] = field(default_factory=list)
    stamps: list[int] = field(default_factory=list)  # packets' pts, decode order
    decoded: list[int] = field(default_factory=list)  # each picture's packet, as decoded
    written: int = 0


def _copy(
    opened: Opened,
    codec: Codec,
    out: IO[bytes],
    limits: VideoLimits,
    name: str,
    progress: Callable[[int], None] | None,
    most: int,
) -> _Pass:
    """Copy every packet into ``out`` in chunks and decode it (no conversion) to check it."""
    import av

    deadline = video_deadline(name, limits.seconds)
    seen = _Pass()
    context = opened.stream.codec_context
    first = True

    def pictures(frames: list[Any]) -> None:
        nonlocal first
        for frame in frames:
            if first:
                first = False
                if frame.format.name not in PIXEL_FORMATS:
                    raise Ineligible(f"decodes to {frame.format.name} (8-bit 4:2:0 only)")
                if rotation_of(frame):
                    raise Ineligible("rotated by the container (drawn upright by JPEGs)")
            if frame.pts is None:
                raise Ineligible("a decoded picture without a timestamp")
            seen.decoded.append(int(frame.pts))
            if progress is not None:
                progress(len(seen.decoded))

    try:
        for packet in opened.container.demux(opened.stream):
            if not packet.size:
                continue
            if packet.pts is None:
                raise Ineligible("a packet without a timestamp")
            data = bytes(packet)
            if codec.random_access(data, bool(packet.is_keyframe)):
                if seen.chunks:
                    _close(seen.chunks[-1], seen.written)
                    if len(seen.chunks[-1].packets) > most:
                        raise Ineligible(f"keyframes more than {most} frames apart")
                seen.chunks.append(_Chunk(start=seen.written))
            elif not seen.chunks:
                raise Ineligible("the first packet is not a keyframe")
            chunk = seen.chunks[-1]
            if chunk.packets and codec.disposable(data):
                chunk.disposable.append(len(chunk.packets))
            chunk.offsets.append(seen.written - chunk.start)
            chunk.packets.append(len(seen.stamps))
            seen.stamps.append(int(packet.pts))
            packet.pts = len(seen.stamps) - 1  # handed back on the packet's picture
            out.write(data)
            seen.written += len(data)
            if len(seen.stamps) > limits.max_frames:
                raise bad(
                    name,
                    f"it has more than {limits.max_frames:,} frames (ACCORD_VIDEO_MAX_FRAMES)",
                    "cut it into shorter videos",
                )
            pictures(context.decode(packet))
            if len(seen.stamps) % 64 == 0:
                deadline.check()
        pictures(context.decode(None))
    except av.FFmpegError as exc:
        raise Ineligible(f"FFmpeg could not decode a packet ({exc})") from None
    if seen.chunks:
        _close(seen.chunks[-1], seen.written)
    return seen


def _close(chunk: _Chunk, written: int) -> None:
    chunk.offsets.append(written - chunk.start)


def write_packets(
    file: IO[bytes],
    name: str,
    out: IO[bytes],
    limits: VideoLimits,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Copy the video in ``file``'s packets into ``out`` (packets.bin); the manifest.
    `Ineligible` if the video is not for the packets path (``out`` is then to be dropped),
    `BadVideo` if it cannot be read."""
    from accord.media.frames import rate_of

    opened = Opened(file, name)
    try:
        context = opened.stream.codec_context
        check_pixels(name, context.width, context.height, limits)
        codec = codec_of(opened)
        most = max_key_interval(context.width, context.height)
        opened.stream.thread_type = "AUTO"
        opened.stream.codec_context.options = dict(COUNTING)
        seen = _copy(opened, codec, out, limits, name, progress, most)
        time_base = opened.stream.time_base or Fraction(1, 1)
        width, height = context.width, context.height
    finally:
        opened.close()
    if not seen.stamps:
        raise bad(name, "its video stream holds no frame FFmpeg can decode", "export it again")
    if sorted(seen.decoded) != list(range(len(seen.stamps))):
        raise Ineligible(
            f"FFmpeg decodes {len(seen.decoded)} pictures from {len(seen.stamps)} packets, "
            "not one per packet"
        )
    stamps = [seen.stamps[packet] for packet in seen.decoded]  # presentation order
    if any(later < earlier for earlier, later in itertools.pairwise(stamps)):
        raise Ineligible("pictures whose timestamps go back")
    frame_of = [0] * len(stamps)
    for number, packet in enumerate(seen.decoded):
        frame_of[packet] = number
    _check_chunks(seen.chunks, frame_of, most)
    times = [round((pts - stamps[0]) * float(time_base), 6) for pts in stamps]
    fps, variable, step = rate_of(times)
    return {
        "version": VERSION,
        "format": "packets",
        "frames": len(times),
        "width": width,
        "height": height,
        "fps": round(fps, 6),
        "variable_rate": variable,
        "duration": round(times[-1] - times[0] + step, 6),
        "codec": codec.string,
        "description": (
            base64.b64encode(codec.description).decode("ascii") if codec.description else None
        ),
        "data": DATA,
        "bytes": seen.written,
        "times": times,
        "chunks": [chunk.out(frame_of) for chunk in seen.chunks],
    }
