"""Image files: checking one (`probe`), and its thumbnail (`thumbnail`).

`probe` takes a file for what its bytes say it is, whatever its name (a ``.jpg`` that holds a
PNG is a PNG), and accepts JPEG, PNG, WebP and TIFF (8- and 16-bit grey, RGB, RGBA, palette,
CMYK). It refuses, with an `BadImage` that names the file and says what to do:

- a file that is not an image of those formats;
- an image with a side of 0 pixels or more than `MAX_SIDE`, or more than `MAX_PIXELS` pixels
  in all (a decompression bomb: a small file that would fill the memory once decoded;
  Pillow's own guard, `Image.MAX_IMAGE_PIXELS`, is set to the same limit and its warning is
  an error);
- a truncated or corrupt image: the whole image is decoded, not only its header.

The size it reports is the size **after applying the EXIF orientation** (tag 274) the way
browsers apply it (`orientation_of`): a photo taken with the camera on its side is stored
4000 × 3000 with orientation 6 and shown 3000 × 4000 (Chromium applies the orientation to
``<img>`` and to canvas drawing). Every coordinate of an answer is in that oriented image.
Browsers show a WebP as stored whatever its EXIF says, and ignore a PNG's eXIf chunk that
comes after its pixel data (checked with Chromium 156): so does Accord.

`thumbnail` makes a WebP whose longest side is at most `THUMB_SIDE`, the orientation applied,
16-bit grey stretched to 8 bits (from the image's darkest to its brightest value).
`browser_copy` makes a PNG of an image browsers cannot show (TIFF), upright, 16-bit grey kept.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

import numpy as np
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from accord.errors import Invalid
from accord.media.decoding import reason

FORMATS = ("JPEG", "PNG", "WEBP", "TIFF")  # what Pillow may take a file for
JPEGS = frozenset({"JPEG", "MPO"})  # MPO: a camera's JPEG with more pictures after the first
MAX_SIDE = 50_000  # pixels, either side
MAX_PIXELS = 178_956_970  # width × height (Pillow's default bomb limit, ~13,400²)
THUMB_SIDE = 256
THUMB_QUALITY = 80
ORIENTATION = 0x0112  # EXIF tag 274
SWAPPED = frozenset({5, 6, 7, 8})  # orientations that turn the image by a quarter
GREY16 = frozenset({"I;16", "I;16L", "I;16B", "I;16N", "I", "F"})
REMEMBERED = "_accord_orientation"  # the attribute `orientation_of` keeps its answer in

# Pillow refuses images over twice this with DecompressionBombError and warns over it; the
# warning is made an error here, so both are refusals (`opened` turns them into BadImage).
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
warnings.simplefilter("error", Image.DecompressionBombWarning)
ImageFile.LOAD_TRUNCATED_IMAGES = False  # a truncated image is an error, never half-grey

Source = Path | IO[bytes]


class BadImage(Invalid):
    """The file is not an image Accord takes (the message says which file and why)."""

    code = "bad_image"


@dataclass(frozen=True)
class ImageInfo:
    format: str  # jpeg, png, webp, tiff
    width: int  # after applying the EXIF orientation
    height: int
    orientation: int  # the EXIF orientation, 1 (none) to 8
    mode: str  # Pillow's mode: L, RGB, RGBA, I;16, ...
    stored_width: int  # as the pixels are stored, before the orientation
    stored_height: int


def bad(name: str, why: str, what_to_do: str) -> BadImage:
    return BadImage(f"{name}: {why}; {what_to_do}", details={"file": name, "reason": why})


@contextmanager
def opened(source: Source, name: str) -> Iterator[ImageFile.ImageFile]:
    """The image, opened by what its bytes say (not its name); errors become `BadImage`."""
    image: ImageFile.ImageFile | None = None
    try:
        file = source if isinstance(source, Path) else cast(IO[bytes], _Borrowed(source))
        image = Image.open(file, formats=FORMATS)
        yield image
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_many(name, image, exc) from None
    except UnidentifiedImageError:
        raise _unidentified(source, name) from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise bad(
            name,
            f"the image is truncated or corrupt ({reason(exc)})",
            "export or copy it again from its source",
        ) from None
    finally:
        if image is not None:
            image.close()


SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "PNG",
    b"\xff\xd8\xff": "JPEG",
    b"II*\x00": "TIFF",
    b"MM\x00*": "TIFF",
}


class _Borrowed(io.RawIOBase):
    """The caller's file as Pillow reads it: closing the image leaves the file open."""

    def __init__(self, file: IO[bytes]) -> None:
        super().__init__()
        self._file = file

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def read(self, size: int = -1, /) -> bytes:
        return self._file.read(size)

    def readinto(self, buffer: Any, /) -> int:
        data = self._file.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def seek(self, offset: int, whence: int = 0, /) -> int:
        return self._file.seek(offset, whence)

    def tell(self) -> int:
        return self._file.tell()


def _rewound(source: Source) -> Source:
    if not isinstance(source, Path):
        source.seek(0)
    return source


def _head(source: Source, size: int = 32) -> bytes:
    if isinstance(source, Path):
        with source.open("rb") as file:
            return file.read(size)
    source.seek(0)
    return source.read(size)


def _unidentified(source: Source, name: str) -> BadImage:
    """Why Pillow could not open the file: not an image at all, or a damaged header."""
    head = _head(source)
    known = next((f for s, f in SIGNATURES.items() if head.startswith(s)), None)
    if known is None and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        known = "WebP"
    if known is None:
        return bad(
            name,
            "this is not a JPEG, PNG, WebP or TIFF image (its first bytes are those of none "
            "of them, whatever its name says)",
            "convert it to one of those formats",
        )
    if known == "PNG" and head[12:16] == b"IHDR":
        width, height = int.from_bytes(head[16:20]), int.from_bytes(head[20:24])
        if width == 0 or height == 0:
            return bad(
                name,
                f"the image is {width} × {height} pixels: a side of 0 pixels holds nothing",
                "export it again from its source",
            )
    return bad(
        name,
        f"the file starts like a {known} image but its header cannot be read (it is "
        "damaged, or declares an impossible size)",
        "export or copy it again from its source",
    )


def _too_many(name: str, image: Image.Image | None, exc: BaseException | None = None) -> BadImage:
    if image is not None:
        size = f" ({image.width} × {image.height})"
    else:
        found = re.search(r"\((\d+) pixels\)", str(exc or ""))
        size = f" ({int(found[1]):,} pixels)" if found else ""
    return bad(
        name,
        f"the image has too many pixels{size}: at most {MAX_PIXELS:,} are accepted, "
        "so that decoding it cannot exhaust the server's memory (a decompression bomb)",
        "scale it down or cut it into tiles",
    )


def check_size(name: str, image: Image.Image) -> None:
    width, height = image.size
    if width < 1 or height < 1:
        raise bad(
            name,
            f"the image is {width} × {height} pixels: a side of 0 pixels holds nothing",
            "export it again from its source",
        )
    if width > MAX_SIDE or height > MAX_SIDE:
        raise bad(
            name,
            f"the image is {width} × {height} pixels: a side may have at most {MAX_SIDE:,} pixels",
            "scale it down or cut it into tiles",
        )
    if width * height > MAX_PIXELS:
        raise _too_many(name, image)


def _tag(image: Image.Image) -> int:
    """The orientation tag as the image now holds it (1 when none or not a valid value)."""
    try:
        value = image.getexif().get(ORIENTATION, 1)
    except Exception:  # an unreadable EXIF block: the pixels are shown as stored
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _browser_orientation(image: Image.Image) -> int:
    if image.format == "WEBP":
        return 1  # browsers show a WebP as stored, whatever its EXIF says
    if image.format == "PNG" and "exif" not in image.info:
        return 1  # no eXIf chunk before the pixel data (browsers ignore one after it)
    return _tag(image)


def orientation_of(image: Image.Image) -> int:
    """The EXIF orientation (1..8) as browsers apply it: the tag of a JPEG or TIFF, of a PNG
    whose eXIf chunk comes before its pixel data; 1 for a WebP (Chromium and Firefox show it
    as stored), and when there is no tag or it is not a valid value. Call it on an image just
    opened, before its pixels are loaded; the answer is remembered for `upright`."""
    known: int | None = getattr(image, REMEMBERED, None)
    if known is None:
        known = _browser_orientation(image)
        setattr(image, REMEMBERED, known)
    return known


def oriented_size(width: int, height: int, orientation: int) -> tuple[int, int]:
    """The size a browser shows an image of ``width`` × ``height`` with that orientation."""
    return (height, width) if orientation in SWAPPED else (width, height)


def _decode_all(image: ImageFile.ImageFile) -> None:
    """Decode every pixel (a truncated or corrupt file fails here). A JPEG is decoded at an
    eighth of its size: every byte of its data is still read and checked, in 1/64 of the
    memory."""
    if image.format in JPEGS:
        image.draft(image.mode, (max(1, image.width // 8), max(1, image.height // 8)))
    image.load()  # a multi-page TIFF or an animated WebP: the first frame is the image


def probe(source: Source, name: str) -> ImageInfo:
    """Check ``source`` (a path, or a binary file open for reading, seekable) and describe it;
    `BadImage` naming ``name`` if Accord cannot take it (see the module)."""
    with opened(source, name) as image:
        check_size(name, image)
        fmt = "jpeg" if image.format in JPEGS else str(image.format).lower()
        mode = image.mode
        size = image.size
        orientation = orientation_of(image)
        _decode_all(image)
        # Recent Pillow turns a TIFF by its orientation itself (its size is the turned one
        # from the start) and drops the tag once loaded; other formats are left as stored.
        turned = orientation != 1 and _tag(image) != orientation
    if fmt == "png":
        with opened(_rewound(source), name) as again:
            again.verify()  # the chunks' checksums, which decoding does not look at
    if turned:
        width, height = size
        stored = oriented_size(*size, orientation)
    else:
        stored = size
        width, height = oriented_size(*size, orientation)
    return ImageInfo(
        format=fmt,
        width=width,
        height=height,
        orientation=orientation,
        mode=mode,
        stored_width=stored[0],
        stored_height=stored[1],
    )


def shown_size(source: Source, name: str) -> tuple[int, int]:
    """The size after the EXIF orientation of an image `probe` accepted before (an uploaded
    one), read from its header alone: no pixel is decoded, except for a TIFF (whose turned
    size Pillow knows only once loaded: `probe` then). `BadImage` if the header cannot be
    read (e.g. a ``source`` holding only the file's beginning, and too little of it)."""
    with opened(source, name) as image:
        check_size(name, image)
        if image.format != "TIFF":
            return oriented_size(*image.size, orientation_of(image))
    info = probe(_rewound(source), name)
    return info.width, info.height


def to_8bit(image: Image.Image) -> Image.Image:
    """A mode a WebP can hold: 16-bit (or 32-bit, float) grey stretched to 8-bit grey from
    its darkest to its brightest value; palette, CMYK and the rest to RGB(A) or L."""
    if image.mode in GREY16:
        values = np.asarray(image, dtype=np.float64)
        low, high = float(values.min()), float(values.max())
        scale = 255.0 / (high - low) if high > low else 0.0
        grey = np.clip((values - low) * scale + 0.5, 0, 255).astype(np.uint8)
        return Image.fromarray(grey, mode="L")
    if image.mode in ("L", "RGB", "RGBA"):
        return image
    if image.mode in ("LA", "PA") or "transparency" in image.info:
        return image.convert("RGBA")
    if image.mode == "1":
        return image.convert("L")
    return image.convert("RGB")


def upright(image: Image.Image) -> Image.Image:
    """The image as a browser shows it: its pixels turned per `orientation_of` (the
    orientation tag then dropped), loaded. For code that writes images whose coordinates must
    match the answers' (exports bundling the images, thumbnails). Call `orientation_of` (or
    this) before loading the image yourself."""
    orientation = orientation_of(image)
    image.load()
    if orientation == 1 or _tag(image) != orientation:
        return image  # nothing to turn, or the decoder turned it already (a TIFF)
    turned = ImageOps.exif_transpose(image)
    return turned if turned is not None else image


def thumbnail(source: Source, name: str, side: int = THUMB_SIDE) -> bytes:
    """A WebP of the image, upright, its longest side at most ``side`` pixels (a smaller image
    keeps its size); `BadImage` as for `probe`."""
    with opened(source, name) as image:
        check_size(name, image)
        orientation_of(image)  # before the pixels are loaded
        if image.format in JPEGS:  # decode at a reduced scale: faster, less memory
            image.draft(image.mode, (side, side))
        small = to_8bit(upright(image))
        small.thumbnail((side, side), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        options: dict[str, Any] = {"quality": THUMB_QUALITY, "method": 4}
        small.save(out, format="WEBP", **options)
    return out.getvalue()


BROWSER_FORMATS = frozenset({"jpeg", "png", "webp"})  # what every browser shows


def _png_mode(image: Image.Image) -> Image.Image:
    """``image`` in a mode PNG holds without loss where it can: 16-bit grey stays 16-bit."""
    if image.mode in ("I;16", "I;16L", "I;16B", "I;16N"):
        return Image.fromarray(np.asarray(image, dtype=np.uint16))
    if image.mode in ("1", "L", "LA", "P", "RGB", "RGBA"):
        return image
    return to_8bit(image)  # 32-bit and float grey stretched; CMYK and the rest as RGB(A)


def browser_copy(source: Source, name: str) -> bytes:
    """A PNG of an image browsers cannot show (a TIFF): upright (its EXIF orientation applied,
    none left), 16-bit grey kept 16-bit, 32-bit or float grey stretched to 8 bits, CMYK as
    RGB. Its size is the size `probe` reports; `BadImage` as for `probe`."""
    with opened(source, name) as image:
        check_size(name, image)
        shown = _png_mode(upright(image))
        out = io.BytesIO()
        shown.save(out, format="PNG", compress_level=3)
    return out.getvalue()
