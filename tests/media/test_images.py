"""Checking image files (`accord.media.images.probe`) and their thumbnails: every format, every
EXIF orientation, 16-bit grey, bombs, truncated and lying files, impossible sizes, and real
photographs (scikit-image's bundled samples). Every image is made here, in memory."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from skimage import data as samples

from accord.media.images import (
    MAX_PIXELS,
    MAX_SIDE,
    THUMB_SIDE,
    BadImage,
    browser_copy,
    orientation_of,
    oriented_size,
    probe,
    thumbnail,
    upright,
)

FORMATS = ["JPEG", "PNG", "WEBP", "TIFF"]
# What EXIF orientation N asks a viewer to do to the stored pixels, and its inverse (what
# turns upright pixels into the stored ones).
SHOWN = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
INVERSE = {
    **SHOWN,
    6: Image.Transpose.ROTATE_90,
    8: Image.Transpose.ROTATE_270,
}
RED, GREEN, BLUE, WHITE = (255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255)


def encoded(image: Image.Image, fmt: str, **options: Any) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


def check(data: bytes, name: str = "test.img") -> Any:
    return probe(io.BytesIO(data), name)


def refused(data: bytes, name: str = "bad.img") -> str:
    with pytest.raises(BadImage) as caught:
        check(data, name)
    message = caught.value.message
    assert message.startswith(f"{name}: "), message
    assert caught.value.status == 422 and caught.value.details["file"] == name
    return message


def quadrants(width: int, height: int) -> Image.Image:
    """Red top-left, green top-right, blue bottom-left, white bottom-right."""
    pixels = np.zeros((height, width, 3), dtype=np.uint8)
    pixels[: height // 2, : width // 2] = RED
    pixels[: height // 2, width // 2 :] = GREEN
    pixels[height // 2 :, : width // 2] = BLUE
    pixels[height // 2 :, width // 2 :] = WHITE
    return Image.fromarray(pixels)


def with_orientation(upright: Image.Image, orientation: int, fmt: str) -> bytes:
    """The file a camera would write: pixels stored turned, with the tag that undoes it."""
    stored = upright.transpose(INVERSE[orientation]) if orientation in INVERSE else upright
    exif = Image.Exif()
    exif[0x0112] = orientation
    options: dict[str, Any] = {"exif": exif.tobytes()}
    if fmt in ("JPEG", "WEBP"):
        options["quality"] = 95
    return encoded(stored, fmt, **options)


def png(width: int, height: int, body: bytes = b"", *, depth: int = 8) -> bytes:
    """A grey PNG written by hand (Pillow will not write some of these)."""

    def chunk(kind: bytes, content: bytes) -> bytes:
        crc = zlib.crc32(kind + content)
        return struct.pack(">I", len(content)) + kind + content + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, depth, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(body, 9))
        + chunk(b"IEND", b"")
    )


# -- formats ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("mode", ["RGB", "RGBA", "L", "P"])
def test_every_format_and_mode(fmt: str, mode: str) -> None:
    if fmt == "JPEG" and mode in ("RGBA", "P"):
        pytest.skip("JPEG holds neither transparency nor palettes")
    image = quadrants(120, 70).convert(mode)
    info = check(encoded(image, fmt), f"a.{fmt.lower()}")
    assert (info.format, info.width, info.height) == (fmt.lower(), 120, 70)
    assert info.orientation == 1
    small = Image.open(io.BytesIO(thumbnail(io.BytesIO(encoded(image, fmt)), "a")))
    assert small.format == "WEBP" and small.size == (120, 70)  # small images keep their size


def test_a_file_on_disk_and_cmyk(tmp_path: Path) -> None:
    path = tmp_path / "cmyk.jpg"
    quadrants(300, 200).convert("CMYK").save(path, format="JPEG")
    info = probe(path, "cmyk.jpg")
    assert (info.format, info.mode, info.width, info.height) == ("jpeg", "CMYK", 300, 200)
    small = Image.open(io.BytesIO(thumbnail(path, "cmyk.jpg")))
    assert small.size == (256, 171)


def test_thumbnails_keep_the_longest_side_at_256() -> None:
    for size, expected in (((2000, 1000), (256, 128)), ((300, 3000), (26, 256))):
        data = encoded(quadrants(*size), "PNG")
        small = Image.open(io.BytesIO(thumbnail(io.BytesIO(data), "x.png")))
        assert small.size == expected and max(small.size) == THUMB_SIDE


# -- orientation --------------------------------------------------------------------------


def corner_colours(image: Image.Image) -> list[tuple[int, ...]]:
    """The colour near each corner: top-left, top-right, bottom-left, bottom-right."""
    rgb = np.asarray(image.convert("RGB"), dtype=int)
    h, w = rgb.shape[:2]
    spots = [(h // 4, w // 4), (h // 4, 3 * w // 4), (3 * h // 4, w // 4), (3 * h // 4, 3 * w // 4)]
    nearest = []
    for y, x in spots:
        pixel = rgb[y, x]
        best = min((RED, GREEN, BLUE, WHITE), key=lambda c: int(np.abs(pixel - c).sum()))
        nearest.append(best)
    return nearest


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "TIFF"])
@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_gives_the_size_and_pixels_a_browser_shows(
    fmt: str, orientation: int
) -> None:
    upright = quadrants(320, 200)  # landscape as the viewer sees it
    data = with_orientation(upright, orientation, fmt)
    info = check(data, f"photo.{fmt.lower()}")
    assert info.orientation == orientation
    assert (info.width, info.height) == (320, 200)
    stored = (200, 320) if orientation >= 5 else (320, 200)
    assert (info.stored_width, info.stored_height) == stored
    small = Image.open(io.BytesIO(thumbnail(io.BytesIO(data), "photo")))
    assert small.size == (256, 160)
    assert corner_colours(small) == [RED, GREEN, BLUE, WHITE]


@pytest.mark.parametrize("orientation", range(1, 9))
def test_a_webp_is_shown_as_stored_whatever_its_exif_says(orientation: int) -> None:
    """Chromium (156, checked) and Firefox ignore the EXIF orientation of a WebP: so does
    Accord, or the size recorded would not be the one the annotator draws on."""
    data = with_orientation(quadrants(320, 200), orientation, "WEBP")
    stored = Image.open(io.BytesIO(data))
    info = check(data, "photo.webp")
    assert info.orientation == 1 and (info.width, info.height) == stored.size
    small = Image.open(io.BytesIO(thumbnail(io.BytesIO(data), "photo")))
    assert corner_colours(small) == corner_colours(stored)


def test_a_png_exif_after_the_pixels_is_ignored_like_browsers_do() -> None:
    stored = quadrants(200, 320)
    plain = encoded(stored, "PNG")
    exif = Image.Exif()
    exif[0x0112] = 6
    block = exif.tobytes()
    block = block[6:] if block.startswith(b"Exif\x00\x00") else block
    chunk = struct.pack(">I", len(block)) + b"eXIf" + block
    chunk += struct.pack(">I", zlib.crc32(b"eXIf" + block))
    end = plain.index(b"IEND") - 4
    late = plain[:end] + chunk + plain[end:]
    assert Image.open(io.BytesIO(late)).getexif().get(0x0112) == 6  # Pillow reads it...
    info = check(late, "late.png")
    assert (info.orientation, info.width, info.height) == (1, 200, 320)  # ...browsers do not
    small = Image.open(io.BytesIO(thumbnail(io.BytesIO(late), "late")))
    assert corner_colours(small) == corner_colours(stored)
    early = check(with_orientation(quadrants(320, 200), 6, "PNG"), "early.png")
    assert (early.orientation, early.width, early.height) == (6, 320, 200)


def test_oriented_size() -> None:
    assert [oriented_size(4, 3, o) for o in range(1, 9)] == [(4, 3)] * 4 + [(3, 4)] * 4


def test_an_orientation_out_of_range_is_ignored() -> None:
    image = quadrants(40, 20)
    exif = Image.Exif()
    exif[0x0112] = 9
    info = check(encoded(image, "JPEG", exif=exif.tobytes()))
    assert (info.orientation, info.width, info.height) == (1, 40, 20)


# -- 16-bit grey --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["PNG", "TIFF"])
def test_16_bit_grey(fmt: str) -> None:
    ramp = np.tile(np.linspace(1000, 5000, 300).astype(np.uint16), (100, 1))
    data = encoded(Image.fromarray(ramp), fmt)
    info = check(data, f"scan.{fmt.lower()}")
    assert (info.format, info.width, info.height) == (fmt.lower(), 300, 100)
    assert info.mode.startswith("I")
    small = np.asarray(Image.open(io.BytesIO(thumbnail(io.BytesIO(data), "scan"))).convert("L"))
    assert small.shape == (85, 256)
    # stretched from the darkest to the brightest value, not cut to the top 8 bits (which
    # would leave an almost black picture: 5000 >> 8 = 19)
    assert small[:, :5].mean() < 10 and small[:, -5:].mean() > 245


def test_16_bit_grey_with_an_orientation() -> None:
    ramp = np.tile(np.linspace(0, 65535, 64).astype(np.uint16), (32, 1))  # dark left
    image = Image.fromarray(ramp).transpose(Image.Transpose.ROTATE_90)  # stored turned
    exif = Image.Exif()
    exif[0x0112] = 6
    data = encoded(image, "TIFF", exif=exif.tobytes())
    info = check(data)
    assert (info.width, info.height, info.orientation) == (64, 32, 6)
    small = np.asarray(Image.open(io.BytesIO(thumbnail(io.BytesIO(data), "t"))).convert("L"))
    assert small.shape == (32, 64) and small[:, 0].mean() < small[:, -1].mean()


# -- copies for browsers, and turning an image for an export ----------------------------


@pytest.mark.parametrize("orientation", [1, 6, 7])
def test_a_tiff_gets_an_upright_png_copy(orientation: int) -> None:
    data = with_orientation(quadrants(320, 200), orientation, "TIFF")
    info = check(data)
    copy = Image.open(io.BytesIO(browser_copy(io.BytesIO(data), "a.tif")))
    assert copy.format == "PNG" and copy.size == (info.width, info.height) == (320, 200)
    assert copy.getexif().get(0x0112) is None
    assert corner_colours(copy) == [RED, GREEN, BLUE, WHITE]
    ramp = np.tile(np.arange(0, 60000, 1000, dtype=np.uint16), (4, 1))
    grey = encoded(Image.fromarray(ramp), "TIFF")
    copied = Image.open(io.BytesIO(browser_copy(io.BytesIO(grey), "g.tif")))
    assert copied.mode == "I;16" and np.array_equal(np.asarray(copied), ramp)  # lossless
    cmyk = encoded(quadrants(20, 10).convert("CMYK"), "TIFF")
    assert Image.open(io.BytesIO(browser_copy(io.BytesIO(cmyk), "c.tif"))).mode == "RGB"


@pytest.mark.parametrize("fmt", FORMATS)
def test_upright_turns_as_browsers_do_after_orientation_of(fmt: str) -> None:
    """The way an export bundling images uses it: orientation_of, load, upright."""
    data = with_orientation(quadrants(320, 200), 8, fmt)
    with Image.open(io.BytesIO(data)) as image:
        orientation = orientation_of(image)
        image.load()
        turned = upright(image)
    if fmt == "WEBP":
        assert orientation == 1 and turned.size == (200, 320)  # shown as stored
    else:
        assert orientation == 8 and turned.size == (320, 200)
        assert corner_colours(turned) == [RED, GREEN, BLUE, WHITE]


# -- refusals -----------------------------------------------------------------------------


def test_a_png_bomb_is_refused_before_it_is_decoded() -> None:
    # 16,000 × 16,000 grey (256 MB decoded) in a file of a few hundred bytes
    bomb = png(16_000, 16_000, bytes(16_001 * 4))
    assert len(bomb) < 1000
    message = refused(bomb, "bomb.png")
    assert "too many pixels" in message and "256,000,000" in message


def test_just_over_the_pixel_limit_is_refused_too() -> None:
    side = int(MAX_PIXELS**0.5) + 1  # over the limit, under twice it (Pillow only warns)
    assert "too many pixels" in refused(png(side, side), "big.png")


@pytest.mark.parametrize(
    ("width", "height"), [(0, 10), (10, 0), (100_000, 1), (1, 100_000), (MAX_SIDE + 1, 2)]
)
def test_impossible_sides_are_refused(width: int, height: int) -> None:
    row = bytes(1 + width)
    message = refused(png(width, height, row * min(height, 2)), "side.png")
    assert f"{width} × {height} pixels" in message


def test_a_side_of_50000_is_accepted() -> None:
    info = check(png(MAX_SIDE, 1, bytes(1 + MAX_SIDE)))
    assert (info.width, info.height) == (MAX_SIDE, 1)


@pytest.mark.parametrize("fmt", FORMATS)
def test_truncated_images_are_refused(fmt: str) -> None:
    rng = np.random.default_rng(7)
    noise = Image.fromarray(rng.integers(0, 256, (200, 300, 3), dtype=np.uint8))
    data = encoded(noise, fmt)
    check(data)  # whole: fine
    message = refused(data[: len(data) * 2 // 3], f"cut.{fmt.lower()}")
    assert "truncated or corrupt" in message


def test_a_png_with_corrupt_data_is_refused() -> None:
    data = bytearray(encoded(quadrants(200, 100), "PNG"))
    at = data.index(b"IDAT") + 40
    data[at : at + 8] = b"\xff" * 8
    assert "truncated or corrupt" in refused(bytes(data), "corrupt.png")


def test_the_bytes_decide_the_format_not_the_name() -> None:
    info = check(encoded(quadrants(50, 40), "PNG"), "holiday.jpg")
    assert info.format == "png"
    message = refused(b"<html><script>alert(1)</script></html>", "cat.png")
    assert "not a JPEG, PNG, WebP or TIFF image" in message
    assert "not a JPEG" in refused(encoded(quadrants(10, 10), "GIF"), "anim.png")
    assert "not a JPEG" in refused(b"", "empty.jpg")
    assert "starts like a PNG" in refused(b"\x89PNG\r\n\x1a\n" + b"\0" * 30, "head.png")


# -- real photographs ---------------------------------------------------------------------


@pytest.mark.parametrize("sample", ["astronaut", "coffee", "camera"])
def test_real_photographs(sample: str) -> None:
    pixels = getattr(samples, sample)()
    photo = Image.fromarray(pixels)
    height, width = pixels.shape[:2]
    exif = Image.Exif()
    exif[0x0112] = 6
    turned = photo.transpose(Image.Transpose.ROTATE_90)  # as a camera held on its side
    data = encoded(turned, "JPEG", quality=90, exif=exif.tobytes())
    info = check(data, f"{sample}.jpg")
    assert (info.format, info.width, info.height, info.orientation) == (
        "jpeg",
        width,
        height,
        6,
    )
    small = Image.open(io.BytesIO(thumbnail(io.BytesIO(data), sample))).convert("RGB")
    expected = photo.convert("RGB")
    expected.thumbnail((THUMB_SIDE, THUMB_SIDE))
    assert small.size == expected.size
    difference = np.abs(np.asarray(small, dtype=int) - np.asarray(expected, dtype=int)).mean()
    assert difference < 12  # the same picture, the same way up (a wrong turn gives ~50)
