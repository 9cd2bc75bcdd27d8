"""The frames job's packets path (`accord.media.packets`, `accord.media.frames.make_video_frames`):
videos whose frames carry their own number in their pixels, encoded by Debian's ffmpeg, are
stream-copied into GOP-aligned chunks; each chunk, decoded on its own as the browser does
(from its keyframe, the packets in the manifest's order), gives the frames the manifest says,
in order, at the times FFmpeg decodes them at. Videos the browser could not decode
frame-exactly keep the JPEG path, saying why; ``ACCORD_VIDEO_FRAMES=jpeg`` always does."""

from __future__ import annotations

import base64
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import av
import orjson
import pytest

from accord.media.frames import (
    data_key,
    make_video_frames,
    manifest_key,
    packets_key,
)
from accord.media.packets import (
    avc_codec,
    max_key_interval,
    vp9_codec,
)
from accord.media.storage import LocalStorage
from accord.media.videos import VideoLimits, decoded_frames
from accord.settings import Settings
from tests.media.video_samples import (
    HEIGHT,
    WIDTH,
    coded_frame,
    ffprobe_times,
    frame_number,
    have_ffmpeg,
    make_video,
)

pytestmark = pytest.mark.skipif(not have_ffmpeg(), reason="needs Debian's ffmpeg")

LIMITS = VideoLimits(seconds=300.0)
X264 = ["-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p"]


def encode(
    path: Path, frames: int, args: list[str], size: tuple[int, int] = (WIDTH, HEIGHT)
) -> Path:
    """``frames`` coded frames (each shows its number) encoded with ffmpeg ``args``."""
    width, height = size
    command = ["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24"]
    command += ["-s", f"{width}x{height}", "-r", "25", "-i", "-", *args, str(path)]
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert process.stdin is not None
    for number in range(frames):
        process.stdin.write(coded_frame(number, width, height).tobytes())
    process.stdin.close()
    assert process.wait(timeout=300) == 0, f"ffmpeg failed on {path}"
    return path


def has_encoder(name: str) -> bool:
    listed = subprocess.run(
        ["ffmpeg", "-hide_banner", "-encoders"], capture_output=True, text=True, check=True
    ).stdout
    return f" {name} " in listed


def make(
    tmp_path: Path,
    video: Path,
    frames_format: str = "packets",
    progress: Callable[[int], None] | None = None,
) -> tuple[LocalStorage, dict[str, Any]]:
    storage = LocalStorage(tmp_path / "store")
    with video.open("rb") as file:
        manifest = make_video_frames(storage, 1, video.name, file, LIMITS, progress, frames_format)
    stored = orjson.loads(b"".join(storage.read_range(manifest_key(1, video.name), 0, None)))
    assert stored == manifest
    return storage, manifest


DECODERS = {"avc1": "h264", "vp09": "vp9", "vp8": "vp8", "av01": "libdav1d"}


def decode_chunks(storage: LocalStorage, name: str, manifest: dict[str, Any]) -> list[list[int]]:
    """Each chunk decoded on its own, as the browser does: the numbers its pictures show."""
    data = b"".join(storage.read_range(packets_key(1, name), 0, None))
    assert len(data) == manifest["bytes"]
    out = []
    for chunk in manifest["chunks"]:
        context = av.CodecContext.create(DECODERS[manifest["codec"].split(".")[0]], "r")
        if manifest["description"]:
            context.extradata = base64.b64decode(manifest["description"])
        pictures: list[Any] = []
        offsets = chunk["offsets"]
        for i in range(len(offsets) - 1):
            packet = av.Packet(data[chunk["start"] + offsets[i] : chunk["start"] + offsets[i + 1]])
            packet.pts = chunk["frames"][i]
            pictures += context.decode(packet)
        pictures += context.decode(None)
        assert [p.pts for p in pictures] == sorted(chunk["frames"])  # as the browser maps them
        out.append([frame_number(p.to_ndarray(format="rgb24")) for p in pictures])
    return out


def assert_exact(storage: LocalStorage, video: Path, manifest: dict[str, Any]) -> None:
    assert manifest["version"] == 2 and manifest["format"] == "packets"
    assert manifest["data"] == "packets.bin"
    assert not storage.exists(data_key(1, video.name))
    chunks = decode_chunks(storage, video.name, manifest)
    shown = [number for chunk in chunks for number in chunk]
    assert shown == list(range(manifest["frames"]))
    for chunk, numbers in zip(manifest["chunks"], chunks, strict=True):
        assert numbers[0] == chunk["first"] and len(numbers) == chunk["count"]
    with video.open("rb") as file:
        assert manifest["times"] == [frame.time for frame in decoded_frames(file, video.name)]


def test_h264_with_b_frames_is_cut_at_each_keyframe_and_decodes_exactly(tmp_path: Path) -> None:
    video = encode(tmp_path / "b.mp4", 100, [*X264, "-bf", "3", "-g", "12", "-sc_threshold", "0"])
    storage, manifest = make(tmp_path, video)
    assert_exact(storage, video, manifest)
    assert [c["first"] for c in manifest["chunks"]] == list(range(0, 100, 12))
    assert manifest["chunks"][0]["frames"] != sorted(manifest["chunks"][0]["frames"])  # B-frames
    extradata = base64.b64decode(manifest["description"])
    assert extradata[0] == 1 and manifest["codec"] == avc_codec(extradata)
    assert manifest["codec"].startswith("avc1.64")  # High profile
    assert (manifest["frames"], manifest["width"], manifest["height"]) == (100, WIDTH, HEIGHT)
    assert manifest["fps"] == 25.0 and not manifest["variable_rate"]


def test_disposable_pictures_are_ones_no_other_needs(tmp_path: Path) -> None:
    """The packets marked disposable (H.264 non-reference pictures) can be left out of a
    chunk's decoding, as a seek does: every other picture still comes out, showing its own
    number."""
    video = encode(tmp_path / "b.mp4", 60, [*X264, "-bf", "3", "-g", "30", "-sc_threshold", "0"])
    storage, manifest = make(tmp_path, video)
    data = b"".join(storage.read_range(packets_key(1, video.name), 0, None))
    assert sum(len(chunk["disposable"]) for chunk in manifest["chunks"]) >= 10
    for chunk in manifest["chunks"]:
        assert 0 not in chunk["disposable"]  # the keyframe never is
        context = av.CodecContext.create("h264", "r")
        context.extradata = base64.b64decode(manifest["description"])
        pictures: list[Any] = []
        offsets = chunk["offsets"]
        for i in range(len(offsets) - 1):
            if i in chunk["disposable"]:
                continue
            packet = av.Packet(data[chunk["start"] + offsets[i] : chunk["start"] + offsets[i + 1]])
            packet.pts = chunk["frames"][i]
            pictures += context.decode(packet)
        pictures += context.decode(None)
        kept = sorted(f for i, f in enumerate(chunk["frames"]) if i not in chunk["disposable"])
        assert [p.pts for p in pictures] == kept
        assert [frame_number(p.to_ndarray(format="rgb24")) for p in pictures] == kept


def test_variable_frame_rate_keeps_ffmpegs_times(tmp_path: Path) -> None:
    video = make_video(tmp_path / "vfr.mp4", 80, variable=True)  # two frames share a time
    storage, manifest = make(tmp_path, video)
    assert_exact(storage, video, manifest)
    assert manifest["variable_rate"]
    assert manifest["times"] == ffprobe_times(video)


def test_vp9_in_webm(tmp_path: Path) -> None:
    video = encode(
        tmp_path / "v.webm",
        40,
        ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-g", "10", "-pix_fmt", "yuv420p"],
    )
    storage, manifest = make(tmp_path, video)
    assert_exact(storage, video, manifest)
    assert manifest["codec"].startswith("vp09.00.") and manifest["description"] is None
    assert len(manifest["chunks"]) == 4


@pytest.mark.skipif(not has_encoder("libsvtav1"), reason="needs ffmpeg's libsvtav1 encoder")
def test_av1(tmp_path: Path) -> None:
    video = encode(tmp_path / "a.mp4", 30, ["-c:v", "libsvtav1", "-g", "10", "-pix_fmt", "yuv420p"])
    storage, manifest = make(tmp_path, video)
    assert_exact(storage, video, manifest)
    assert manifest["codec"].startswith("av01.0.") and manifest["codec"].endswith("M.08")


@pytest.mark.parametrize(
    ("name", "args", "why"),
    [
        ("hevc.mp4", ["-c:v", "libx265", "-x265-params", "log-level=none"], "codec hevc"),
        ("10bit.mp4", ["-c:v", "libx264", "-pix_fmt", "yuv420p10le"], "pixel format"),
        ("part2.mp4", ["-c:v", "mpeg4"], "codec mpeg4"),
        ("444.mp4", ["-c:v", "libx264", "-pix_fmt", "yuv444p"], "pixel format"),
    ],
)
def test_what_the_browser_may_not_decode_keeps_jpeg_frames(
    tmp_path: Path, name: str, args: list[str], why: str
) -> None:
    video = encode(tmp_path / name, 20, args)
    storage, manifest = make(tmp_path, video)
    assert manifest["version"] == 1 and manifest["format"] == "jpeg" and manifest["frames"] == 20
    assert why in manifest["why_jpeg"]
    assert storage.exists(data_key(1, name)) and not storage.exists(packets_key(1, name))


def test_a_rotated_video_keeps_jpeg_frames(tmp_path: Path) -> None:
    video = make_video(tmp_path / "turned.mp4", 10, rotate=90)
    _, manifest = make(tmp_path, video)
    assert manifest["format"] == "jpeg" and "rotated" in manifest["why_jpeg"]
    assert (manifest["width"], manifest["height"]) == (HEIGHT, WIDTH)


def test_keyframes_too_far_apart_for_a_quick_seek_keep_jpeg_frames(tmp_path: Path) -> None:
    assert max_key_interval(1920, 1080) == 25 and max_key_interval(320, 240) == 250
    most = max_key_interval(640, 480)
    video = encode(
        tmp_path / "long.mp4",
        most + 20,
        [*X264, "-g", str(most + 10), "-sc_threshold", "0"],
        size=(640, 480),
    )
    _, manifest = make(tmp_path, video)
    assert manifest["format"] == "jpeg" and "keyframes" in manifest["why_jpeg"]


def test_the_jpeg_setting_and_a_second_run_replace_the_other_data(tmp_path: Path) -> None:
    video = make_video(tmp_path / "clip.mp4", 30)
    storage, manifest = make(tmp_path, video, "jpeg")
    assert manifest["format"] == "jpeg" and "why_jpeg" not in manifest
    assert storage.exists(data_key(1, video.name)) and not storage.exists(
        packets_key(1, video.name)
    )
    storage, manifest = make(tmp_path, video, "packets")  # the job run again with packets
    assert manifest["format"] == "packets"
    assert storage.exists(packets_key(1, video.name)) and not storage.exists(
        data_key(1, video.name)
    )
    storage, manifest = make(tmp_path, video, "jpeg")
    assert not storage.exists(packets_key(1, video.name))


def test_auto_publishes_the_packets_first_then_the_jpeg_frames_in_their_place(
    tmp_path: Path,
) -> None:
    """The default: the video is ready (a packets manifest) as soon as its packets are
    written, while the JPEG frames are being made; then their manifest replaces it, and
    packets.bin stays for a player that opened the first one."""
    video = make_video(tmp_path / "clip.mp4", 30)
    seen: list[tuple[int, str]] = []
    storage = LocalStorage(tmp_path / "store")

    def progress(done: int) -> None:
        if storage.exists(manifest_key(1, video.name)):
            stored = orjson.loads(
                b"".join(storage.read_range(manifest_key(1, video.name), 0, None))
            )
            seen.append((done, stored["format"]))

    with video.open("rb") as file:
        manifest = make_video_frames(storage, 1, video.name, file, LIMITS, progress, "auto")
    assert manifest["version"] == 1 and manifest["format"] == "jpeg" and manifest["frames"] == 30
    assert "why_jpeg" not in manifest
    assert "packets" in {f for _, f in seen}, "the packets were published before the JPEGs"
    assert seen[-1][1] == "packets", "the JPEG manifest comes only once every frame is made"
    assert storage.exists(data_key(1, video.name)) and storage.exists(packets_key(1, video.name))
    stored = orjson.loads(b"".join(storage.read_range(manifest_key(1, video.name), 0, None)))
    assert stored == manifest
    _, packets = make(tmp_path / "again", video, "packets")
    assert packets["frames"] == manifest["frames"] and packets["times"] == manifest["times"]


def test_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().video_frames == "auto"
    for value in ("packets", "jpeg"):
        monkeypatch.setenv("ACCORD_VIDEO_FRAMES", value)
        assert Settings().video_frames == value
    monkeypatch.setenv("ACCORD_VIDEO_FRAMES", "webp")
    with pytest.raises(ValueError, match="auto"):
        Settings()


def test_codec_strings() -> None:
    assert avc_codec(bytes.fromhex("0164001fffe1") + b"\0") == "avc1.64001f"
    assert vp9_codec(0, 1920, 1080, 25) == "vp09.00.40.08"
    assert vp9_codec(0, 320, 240, 25) == "vp09.00.20.08"
