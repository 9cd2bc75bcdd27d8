"""The frames job's JPEGs (`accord.media.jpeg_encoding`) and their ordered, bounded encoding in
threads (`accord.media.frames.encoded`).

A JPEG made from the decoder's own YUV planes must show what FFmpeg's conversion to RGB shows
(the colours a player gives), whatever the pixel format, range, colour matrix or rotation: each
case below decodes the JPEG with Pillow and compares it with `Frame.pixels` (FFmpeg's RGB).
"""

from __future__ import annotations

import io
import random
import subprocess
import threading
import time
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from accord.media.frames import AHEAD, encoded, write_frames
from accord.media.jpeg_encoding import encode, from_planes
from accord.media.videos import Frame, decoded_frames
from tests.media.video_samples import have_ffmpeg, make_video

pytestmark = pytest.mark.skipif(not have_ffmpeg(), reason="needs Debian's ffmpeg")

# (pixel format, extra ffmpeg options, whether the planes are encoded directly)
CASES = {
    "yuv420p studio range": ("yuv420p", [], True),
    "yuvj420p full range": ("yuvj420p", [], True),
    "yuv420p tagged full range": ("yuv420p", ["-color_range", "pc"], True),
    "yuv420p BT.601 tagged": ("yuv420p", ["-colorspace", "smpte170m"], True),
    "yuv420p BT.709 tagged": ("yuv420p", ["-colorspace", "bt709"], False),
    "yuv444p": ("yuv444p", [], False),
    "yuv420p 10-bit": ("yuv420p10le", [], False),
}


def colour_video(
    path: Path, pix_fmt: str, options: list[str], size: str = "322x182", codec: str = "libx264"
) -> Path:
    """Five frames of FFmpeg's colour test pattern (saturated bars, gradients, fine detail),
    made as RGB first (its source keeps sizes even: the frames are cropped to ``size``)."""
    width, height = (int(v) for v in size.split("x"))
    pattern = f"testsrc2=size={width + width % 2}x{height + height % 2}:rate=25"
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", pattern, "-frames:v", "5", "-vf",
         f"format=rgb24,crop={width}:{height}:0:0", "-pix_fmt", "rgb24", "-f", "rawvideo", "-"],
        check=True, capture_output=True, timeout=120,
    ).stdout  # fmt: skip
    command = ["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24"]
    command += ["-s", size, "-r", "25", "-i", "-", "-c:v", codec, "-pix_fmt", pix_fmt]
    subprocess.run([*command, *options, str(path)], input=raw, check=True, timeout=120)
    return path


def first_frame(path: Path) -> Frame:
    with path.open("rb") as file:
        return next(iter(decoded_frames(file, path.name)))


def shown(data: bytes) -> np.ndarray:
    """A JPEG's pixels as a browser's decoder gives them (libjpeg, via Pillow)."""
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB")).astype(np.int16)


@pytest.mark.parametrize("case", list(CASES))
def test_a_frames_jpeg_shows_the_colours_ffmpeg_gives(tmp_path: Path, case: str) -> None:
    pix_fmt, options, direct = CASES[case]
    frame = first_frame(colour_video(tmp_path / "colours.mp4", pix_fmt, options))
    assert from_planes(frame.picture) is direct
    rgb = frame.pixels().astype(np.int16)
    got = shown(encode(frame))
    assert got.shape == rgb.shape
    error = np.abs(got - rgb)
    # JPEG at quality 85 on a busy test pattern: a few levels on average (what the RGB route
    # gives too); a wrong range or matrix is 10 to 30 levels off on the bars.
    assert float(error.mean()) < 4.0, case
    assert float(np.percentile(error, 90)) < 10, case
    # the flat colour bars, where compression is near lossless: within a few levels
    bars = (slice(frame.size[1] // 8, frame.size[1] // 3), slice(0, frame.size[0]))
    assert float(np.median(error[bars])) <= 3, case


@pytest.mark.parametrize("degrees", [90, 180, 270])
def test_a_turned_frames_planes_are_turned_with_it(tmp_path: Path, degrees: int) -> None:
    """An odd size too (VP9 allows one): a 4:2:0 picture 321 × 183 has chroma planes 161 × 92."""
    path = colour_video(tmp_path / "colours.webm", "yuv420p", [], "321x183", "libvpx-vp9")
    stored = first_frame(path)
    assert from_planes(stored.picture)
    turned = Frame(stored.index, stored.time, stored.picture, degrees)
    assert turned.size == ((183, 321) if degrees in (90, 270) else (321, 183))
    got = shown(encode(turned))
    expected = np.rot90(stored.pixels(), {90: -1, 180: 2, 270: 1}[degrees]).astype(np.int16)
    assert got.shape == expected.shape
    assert float(np.abs(got - expected).mean()) < 4.0


class _Picture:
    """Stands in for a decoded picture in the ordering tests."""

    width, height = 4, 2


def _frames(n: int, taken: list[int]) -> Iterator[Frame]:
    for index in range(n):
        taken.append(index)
        yield Frame(index, index / 25, _Picture())


def test_frames_come_out_in_order_with_a_few_ahead_at_most() -> None:
    rng = random.Random(3)
    taken: list[int] = []
    ahead: list[int] = []

    def slow(frame: Frame) -> bytes:  # encoders finishing out of order
        time.sleep(rng.uniform(0, 0.004))
        return f"jpeg {frame.index}".encode()

    out = []
    for frame, data in encoded(_frames(200, taken), slow, threads=3):
        ahead.append(len(taken) - frame.index - 1)
        out.append((frame.index, data))
    assert out == [(i, f"jpeg {i}".encode()) for i in range(200)]
    assert max(ahead) <= AHEAD * 3  # decoded frames held in memory stay bounded


def test_an_encoding_error_stops_the_frames_and_says_so() -> None:
    def failing(frame: Frame) -> bytes:
        if frame.index == 40:
            raise ValueError("frame 40 cannot be encoded")
        return b"x"

    taken: list[int] = []
    with pytest.raises(ValueError, match="frame 40"):
        write_frames(_frames(1000, taken), io.BytesIO(), encode=failing, threads=2)
    assert len(taken) < 40 + AHEAD * 2 + 2  # decoding stopped soon after


def test_a_cancel_from_the_progress_stops_the_encoders() -> None:
    class Cancelled(Exception):
        pass

    def progress(done: int) -> None:
        if done == 10:
            raise Cancelled

    before = threading.active_count()
    with pytest.raises(Cancelled):
        write_frames(_frames(1000, []), io.BytesIO(), progress, encode=lambda f: b"x", threads=2)
    assert threading.active_count() == before  # no encoder thread left behind


def test_the_frames_of_a_coded_video_are_in_order(tmp_path: Path) -> None:
    """frames.bin's JPEGs decode to the frame numbers 0…N−1 (exactness through the threads)."""
    from tests.media.video_samples import frame_number

    path = make_video(tmp_path / "coded.mp4", 70)
    out = io.BytesIO()
    with path.open("rb") as file:
        manifest = write_frames(decoded_frames(file, path.name), out, threads=2)
    data = out.getvalue()
    numbers = []
    for chunk in manifest["chunks"]:
        offsets = chunk["offsets"]
        for a, b in pairwise(offsets):
            numbers.append(frame_number(shown(data[chunk["start"] + a : chunk["start"] + b])))
    assert numbers == list(range(70))
