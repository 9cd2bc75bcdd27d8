"""A decoded video frame as a JPEG (the frames job, `accord.media.frames`), with libjpeg-turbo
(``simplejpeg``), fast enough to keep up with the decoder.

A JPEG holds full-range BT.601 YCbCr, here 4:2:0; most videos decode to 4:2:0 YCbCr too. So a
frame in planar 4:2:0 (``yuv420p``, ``yuvj420p``) whose colour matrix is BT.601 or unspecified
(FFmpeg then takes BT.601 too) is encoded from the decoder's own Y, Cb and Cr planes, with no
conversion to RGB and back; studio-range planes (Y 16–235, chroma 16–240, the usual case) are
first stretched to full range by a lookup table, and a turned video has its planes turned. Any
other frame (another pixel format: 10-bit, 4:2:2, 4:4:4; a BT.709 or BT.2020 matrix, which a
change of the planes' values alone cannot turn into BT.601 exactly) is converted to RGB by
FFmpeg, as a player would, and encoded from that. Either way the JPEG, quality `QUALITY`,
shows what FFmpeg's RGB shows within JPEG's own error (tests/media/test_jpeg_encoding.py).

libjpeg-turbo and OpenCV's lookup release the GIL, so frames are encoded in a few threads
while the decoder runs (`accord.media.frames.encoded`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from accord.media.videos import Frame, upright

QUALITY = 85  # JPEG quality: see docs/video.md, "JPEG at quality 85"
PLANAR_420 = ("yuv420p", "yuvj420p")
BT601 = (2, 5, 6)  # AVColorSpace: unspecified, BT470BG, SMPTE170M (FFmpeg's BT.601)
RANGE_JPEG = 2  # AVColorRange: full range

_Y_FULL = np.clip(np.round((np.arange(256) - 16) * 255 / 219), 0, 255).astype(np.uint8)
_C_FULL = np.clip(np.round((np.arange(256) - 128) * 255 / 224 + 128), 0, 255).astype(np.uint8)


def from_planes(picture: Any) -> bool:
    """Whether ``picture`` (a PyAV VideoFrame) is encoded from its own YUV planes."""
    return picture.format.name in PLANAR_420 and picture.colorspace in BT601


def _plane(plane: Any) -> np.ndarray:
    """A plane of the frame as an array, without copying (its rows may be padded)."""
    rows = np.frombuffer(plane, np.uint8).reshape(plane.height, plane.line_size)
    return rows[:, : plane.width]


def _full_range(planes: list[np.ndarray]) -> list[np.ndarray]:
    import cv2  # releases the GIL; numpy's take does not

    y, u, v = planes
    return [cv2.LUT(y, _Y_FULL), cv2.LUT(u, _C_FULL), cv2.LUT(v, _C_FULL)]


def encode(frame: Frame) -> bytes:
    """The decoded frame as a JPEG, upright."""
    import simplejpeg

    picture = frame.picture
    if not from_planes(picture):
        pixels = frame.pixels()
        return bytes(
            simplejpeg.encode_jpeg(
                pixels, quality=QUALITY, colorspace="RGB", colorsubsampling="420"
            )
        )
    planes = [_plane(plane) for plane in picture.planes]
    full = picture.format.name == "yuvj420p" or picture.color_range == RANGE_JPEG
    if not full:
        planes = _full_range(planes)
    y, u, v = (upright(plane, frame.rotation) for plane in planes)
    return bytes(simplejpeg.encode_jpeg_yuv_planes(y, u, v, quality=QUALITY))
