"""Numbered frame images made into one video file, with PyAV (FFmpeg's libraries).

The video is H.264 (libx264) in MP4 at a constant rate, one frame per image in order, each
frame's timestamp its number (the time base one frame), with no frame dropped or doubled, so
that frame N of the video (`accord.media.videos`: the N-th frame FFmpeg decodes) is image
N + 1. The quality is near-lossless (constant rate factor `CRF`, 4:2:0 colour, or 4:4:4 when
a side is odd, which 4:2:0 cannot hold), far smaller than a lossless codec for the same
pictures, which come from JPEG files already.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction
from pathlib import Path

import numpy as np

from accord.errors import Invalid

CRF = 12  # x264's constant rate factor: 0 lossless, 23 its default; 12 is visually lossless
PRESET = "veryfast"


class EncodeError(Invalid):
    """A frame cannot be read or does not fit the video (the message names it)."""

    code = "bad_frames"


def encode_frames(
    frames: Sequence[Path],
    out: Path,
    fps: float,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> Path:
    """Encode the images ``frames`` (all one size) into the MP4 ``out`` at ``fps`` frames a
    second; `EncodeError` naming a frame that cannot be read or differs in size."""
    import av
    from PIL import Image

    rate = Fraction(fps).limit_denominator(1001)
    with av.open(str(out), mode="w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=rate)  # time base: one frame
        first = True
        for number, path in enumerate(frames):
            try:
                with Image.open(path) as image:
                    pixels = np.asarray(image.convert("RGB"))
            except Exception as exc:  # Pillow's many ways of saying the file is not an image
                raise EncodeError(f"{path}: not an image Pillow can read ({exc})") from None
            height, width = pixels.shape[:2]
            if first:
                stream.width, stream.height = width, height
                odd = width % 2 or height % 2
                stream.pix_fmt = "yuv444p" if odd else "yuv420p"
                stream.options = {"crf": str(CRF), "preset": PRESET}
                first = False
            elif (width, height) != (stream.width, stream.height):
                raise EncodeError(
                    f"{path}: {width} × {height} pixels, but the frames before it are "
                    f"{stream.width} × {stream.height}; every frame of a sequence is one size"
                )
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            frame.pts = number
            for packet in stream.encode(frame):
                container.mux(packet)
            if progress is not None:
                progress(number + 1, len(frames))
        for packet in stream.encode():
            container.mux(packet)
    return out
