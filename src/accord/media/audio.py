"""Audio files: checking one and reading its metadata (`probe`), and decoding its sound to a
mono float32 signal in blocks (`decoded_blocks`), with PyAV (FFmpeg's libraries).

The container is told by the file's first bytes, whatever its name (`demuxer_of`): WAV
(RIFF/RF64 ``WAVE``), FLAC, Ogg (Vorbis, Opus, FLAC), MP3 (an ID3 tag or an MPEG audio frame),
AAC in ADTS, MP4/M4A (ISO base media) and Matroska/WebM. Only those demuxers are used, and the
file is handed to FFmpeg as an open file, not a path, so nothing in it can make FFmpeg read
another file (as `accord.media.videos` does for videos).

`probe` refuses, with a `BadAudio` naming the file and saying what to do: an empty file, one
that is none of those containers, one with no audio stream, a stream FFmpeg cannot decode
(its first frame is decoded), one holding no sound, and recordings over the limits
(`AudioLimits`: the longest duration, from ``ACCORD_AUDIO_MAX_SECONDS``; the most channels,
the sample rates Accord takes). The duration is counted from the packets' timestamps and
durations; a header's duration is taken only when it lies within `PADDING` below that (it
then leaves out the encoder's delay and padding, as an MP3's LAME header says). Every read
runs against a deadline (`AudioLimits.seconds`).

The mono signal is the mean of the channels, in [-1, 1], at the stream's sample rate; blocks
come as FFmpeg decodes them, so a recording of hours is never held whole in memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass
from fractions import Fraction
from pathlib import Path
from typing import IO, Any

import numpy as np

from accord.errors import Invalid
from accord.kinds.fields.audio import MAX_CHANNELS, MAX_RATE, MIN_RATE
from accord.media.decoding import Deadline, MediaFiles, open_stream, reason

# Names that mean a file is meant as audio (.webm is also a video's: told by its streams).
EXTENSIONS = (".wav", ".mp3", ".flac", ".ogg", ".oga", ".opus", ".m4a", ".aac", ".weba")
CONTAINERS = {"wav": "wav", "flac": "flac", "ogg": "ogg", "mp3": "mp3", "aac": "aac",
              "mov": "mp4", "matroska": "matroska"}  # fmt: skip


PADDING = 0.5  # seconds of encoder delay and padding a header's duration may leave out


class BadAudio(Invalid):
    """The file is not audio Accord takes (the message says which file and why)."""

    code = "bad_audio"


@dataclass(frozen=True)
class AudioLimits:
    max_seconds: float = 4 * 3600.0  # duration
    max_channels: int = MAX_CHANNELS
    seconds: float = 120.0  # the deadline of one probe (the waveform job allows more)


@dataclass(frozen=True)
class AudioInfo:
    container: str  # wav, flac, ogg, mp3, aac, mp4 (MP4/M4A), matroska (MKV/WebM)
    codec: str  # pcm_s16le, mp3, vorbis, opus, aac, flac, ...
    sample_rate: int  # Hz
    channels: int
    duration: float  # seconds

    def fields(self) -> dict[str, Any]:
        return asdict(self)


def bad(name: str, why: str, what_to_do: str) -> BadAudio:
    return BadAudio(f"{name}: {why}; {what_to_do}", details={"file": name, "reason": why})


CONVERT = "convert it, e.g. ffmpeg -i input -c:a flac output.flac, and send that"


def looks_like_audio(name: str) -> bool:
    """Whether a file called ``name`` is meant as audio (by its extension)."""
    return name.lower().endswith(EXTENSIONS)


def demuxer_of(head: bytes) -> str | None:
    """The FFmpeg demuxer for a file starting with ``head`` (at least 12 bytes); None if it is
    none Accord reads audio with."""
    if head[:4] in (b"RIFF", b"RF64") and head[8:12] == b"WAVE":
        return "wav"
    if head[:4] == b"fLaC":
        return "flac"
    if head[:4] == b"OggS":
        return "ogg"
    if head[:3] == b"ID3":
        return "mp3"
    if len(head) >= 2 and head[0] == 0xFF:
        if head[1] & 0xF6 == 0xF0:  # ADTS: sync, layer 00
            return "aac"
        if head[1] & 0xE0 == 0xE0 and head[1] & 0x06:  # MPEG audio: sync, layer I-III
            return "mp3"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "matroska"
    if head[4:8] in (b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip"):
        return "mov"
    return None


def has_audio_only(path: Path) -> bool:
    """Whether the file at ``path`` is audio rather than a video: a pure audio container, or
    an MP4/Matroska file with an audio stream and no video stream."""
    with path.open("rb") as file:
        demuxer = demuxer_of(file.read(16))
        if demuxer is None:
            return False
        if demuxer not in ("mov", "matroska"):
            return True
        import av

        file.seek(0)
        try:
            with av.open(file, mode="r", format=demuxer) as container:
                return bool(container.streams.audio) and not container.streams.video
        except (av.FFmpegError, ValueError, OSError):
            return False


def _deadline(name: str, seconds: float) -> Deadline:
    return Deadline(
        seconds,
        lambda seconds: bad(
            name,
            f"reading the audio took longer than {seconds:g} s, the most allowed",
            "cut it into shorter recordings and send those",
        ),
    )


FILES = MediaFiles(
    stream="audio",
    like="audio",
    formats="a WAV, FLAC, Ogg, Opus, MP3, AAC, M4A or WebM recording",
    convert=CONVERT,
    no_stream=("the file holds no audio stream", "send a file with sound"),
    demuxer_of=demuxer_of,
    bad=bad,
)


class _Opened:
    """The file opened by FFmpeg with its one allowed demuxer, and its audio stream."""

    def __init__(self, file: IO[bytes], name: str, limits: AudioLimits) -> None:
        self.container, self.stream, self.demuxer = open_stream(file, name, FILES)
        context = self.stream.codec_context
        self.sample_rate = int(context.sample_rate or 0)
        self.channels = int(context.channels or 0)
        try:
            _check_format(name, self.sample_rate, self.channels, limits)
        except BadAudio:
            self.container.close()
            raise

    def close(self) -> None:
        self.container.close()


def _check_format(name: str, rate: int, channels: int, limits: AudioLimits) -> None:
    if not MIN_RATE <= rate <= MAX_RATE:
        raise bad(
            name,
            f"its sample rate is {rate} Hz; {MIN_RATE}..{MAX_RATE} Hz are accepted",
            "resample it, e.g. ffmpeg -i input -ar 48000 output.flac",
        )
    if not 1 <= channels <= limits.max_channels:
        raise bad(
            name,
            f"it has {channels} channels; 1..{limits.max_channels} are accepted",
            "mix it down, e.g. ffmpeg -i input -ac 2 output.flac",
        )


def _first_frame(opened: _Opened, name: str, deadline: Deadline) -> None:
    import av

    try:
        for frame in opened.container.decode(opened.stream):
            deadline.check()
            if frame.samples:
                return
    except av.FFmpegError as exc:
        raise bad(
            name,
            f"its audio ({opened.stream.codec_context.name}) cannot be decoded ({reason(exc)})",
            CONVERT,
        ) from None
    raise bad(name, "it holds no sound (its audio stream has no samples)", "export it again")


def _duration(opened: _Opened, name: str, limits: AudioLimits, deadline: Deadline) -> float:
    """Seconds from the first packet's start to the last one's end (in the stream's time)."""
    import av

    opened.container.seek(0)
    first: int | None = None
    last = 0
    count = 0
    time_base = opened.stream.time_base or Fraction(1, opened.sample_rate)
    try:
        for packet in opened.container.demux(opened.stream):
            if not packet.size or packet.pts is None:
                continue
            pts = int(packet.pts)
            first = pts if first is None else min(first, pts)
            last = max(last, pts + int(packet.duration or 0))
            count += 1
            if count % 1024 == 0:
                deadline.check()
                if (last - first) * float(time_base) > limits.max_seconds:
                    break
    except av.FFmpegError as exc:
        raise bad(name, f"the audio is damaged ({reason(exc)})", "export it again") from None
    if first is None:
        raise bad(name, "it holds no sound (its audio stream has no packets)", "export it again")
    span = max(0.0, (last - first) * float(time_base))
    declared = float(opened.stream.duration * time_base) if opened.stream.duration else None
    if declared is not None and span - PADDING <= declared <= span:
        return declared  # the header's count leaves out the encoder's delay and padding
    return span


def _check_duration(name: str, duration: float, limits: AudioLimits) -> None:
    if duration > limits.max_seconds:
        raise bad(
            name,
            f"it lasts {duration:,.0f} s or more; at most {limits.max_seconds:,.0f} s are "
            "accepted (ACCORD_AUDIO_MAX_SECONDS)",
            "cut it into shorter recordings",
        )


def probe(file: IO[bytes], name: str, limits: AudioLimits | None = None) -> AudioInfo:
    """Check the audio in ``file`` (binary, seekable) and describe it; `BadAudio` naming
    ``name`` if Accord cannot take it (see the module)."""
    limits = limits or AudioLimits()
    deadline = _deadline(name, limits.seconds)
    opened = _Opened(file, name, limits)
    try:
        _first_frame(opened, name, deadline)
        duration = _duration(opened, name, limits, deadline)
        if duration <= 0:
            raise bad(name, "it holds no sound (it lasts 0 s)", "export it again")
        _check_duration(name, duration, limits)
        return AudioInfo(
            container=CONTAINERS[opened.demuxer],
            codec=str(opened.stream.codec_context.codec.canonical_name),
            sample_rate=opened.sample_rate,
            channels=opened.channels,
            duration=round(duration, 6),
        )
    finally:
        opened.close()


def probe_path(path: Path, name: str, limits: AudioLimits | None = None) -> AudioInfo:
    with path.open("rb") as file:
        return probe(file, name, limits)


@dataclass(frozen=True)
class Decoding:
    """What the decoding of a recording gives: its format, and its mono signal in blocks."""

    sample_rate: int
    channels: int
    blocks: Iterator[np.ndarray]  # float32, 1-D, the mean of the channels


def decoded(file: IO[bytes], name: str, limits: AudioLimits | None = None) -> Decoding:
    """The recording in ``file`` decoded (see `Decoding`); `BadAudio` if the file cannot be
    read or decoded (also while its blocks are read), goes over the limits, or runs past
    the deadline. The file is closed once the blocks are all read."""
    limits = limits or AudioLimits()
    opened = _Opened(file, name, limits)
    return Decoding(opened.sample_rate, opened.channels, _blocks(opened, name, limits))


def _blocks(opened: _Opened, name: str, limits: AudioLimits) -> Iterator[np.ndarray]:
    import av

    deadline = _deadline(name, limits.seconds)
    rate = opened.sample_rate
    most = int(limits.max_seconds * rate) + rate  # a second's grace on the header's duration
    # Packed float samples: PyAV's planar to_ndarray crashes the process on frames of 8 or
    # more channels without a known layout (PyAV 18); a packed frame is one plane.
    resampler = av.AudioResampler(format="flt", rate=rate)
    done = 0
    try:
        opened.stream.codec_context.thread_type = "AUTO"
        for frame in opened.container.decode(opened.stream):
            deadline.check()
            for out in resampler.resample(frame):
                block = _mono(out.to_ndarray(), out.layout.nb_channels)
                done += block.shape[0]
                if done > most:
                    _check_duration(name, done / rate, limits)
                yield block
        for out in resampler.resample(None):
            yield _mono(out.to_ndarray(), out.layout.nb_channels)
    except av.FFmpegError as exc:
        why = f"the audio cannot be decoded ({reason(exc)})"
        raise bad(name, why, "export it again") from None
    finally:
        opened.close()


def _mono(packed: np.ndarray, channels: int) -> np.ndarray:
    """The mean of a packed block's channels (samples interleaved) as float32 samples."""
    samples = np.asarray(packed, dtype=np.float32).reshape(-1, max(1, channels))
    mono: np.ndarray = samples[:, 0] if channels <= 1 else samples.mean(axis=1, dtype=np.float32)
    return np.ascontiguousarray(mono)
