"""The size of an uploaded image after its EXIF orientation, read from its header alone
(`accord.media.images.shown_size`), and from a stored file's beginning with a fallback on the
whole file (`accord.actions.image_imports.image_size`), as the server-side dataset import
reads it."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from accord.actions import image_imports
from accord.actions.image_imports import image_size
from accord.media.images import BadImage, probe, shown_size
from accord.media.storage import LocalStorage


def picture(width: int, height: int, fmt: str, orientation: int = 1, **options: Any) -> bytes:
    pixels = np.random.default_rng(width).integers(0, 256, (height, width, 3), dtype=np.uint8)
    if orientation != 1:
        exif = Image.Exif()
        exif[0x0112] = orientation
        options["exif"] = exif.tobytes()
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format=fmt, **options)
    return out.getvalue()


@pytest.mark.parametrize(
    ("fmt", "orientation", "shown"),
    [
        ("JPEG", 1, (40, 30)),
        ("JPEG", 6, (30, 40)),
        ("JPEG", 8, (30, 40)),
        ("PNG", 1, (40, 30)),
        ("WEBP", 6, (40, 30)),
        ("TIFF", 6, (30, 40)),
    ],
)
def test_shown_size_is_probes(fmt: str, orientation: int, shown: tuple[int, int]) -> None:
    data = picture(40, 30, fmt, orientation)
    assert shown_size(io.BytesIO(data), "x") == shown
    info = probe(io.BytesIO(data), "x")
    assert (info.width, info.height) == shown


def test_a_header_longer_than_the_first_bytes_is_read_whole(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    # A large ICC profile comes before the frame header: the first bytes are not enough.
    data = picture(50, 20, "JPEG", 6, icc_profile=bytes(200_000))
    storage.write_bytes("media/projects/1/big.jpg", data)
    with pytest.raises(BadImage):
        shown_size(io.BytesIO(data[: image_imports.HEAD_BYTES]), "big.jpg")
    assert image_size(storage, "media/projects/1/big.jpg", "big.jpg") == (20, 50)
    storage.write_bytes("media/projects/1/short.png", data[:100])
    with pytest.raises(BadImage):
        image_size(storage, "media/projects/1/short.png", "short.png")
