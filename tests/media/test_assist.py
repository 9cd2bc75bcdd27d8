"""The assist (`accord.media.assist`): GrabCut from a rough box to a mask or a polygon, on
synthetic images whose truth is exact (a filled shape on a textured background)."""

from __future__ import annotations

import io
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from accord.media import assist as assist_module
from accord.media.assist import (
    MAX_CLICKS,
    AssistRefused,
    AssistRequest,
    AssistTooSlow,
    Box,
    Output,
    assist,
    region_rle,
)
from accord.quality.masks import rle_decode, rle_encode

W, H = 640, 480


def textured(width: int = W, height: int = H, seed: int = 0) -> np.ndarray:
    """A greenish background with noise and stripes (RGB uint8)."""
    rng = np.random.default_rng(seed)
    ys, xs = np.mgrid[0:height, 0:width]
    base = np.stack(
        [
            60 + 20 * np.sin(xs / 7.0),
            140 + 25 * np.sin(ys / 5.0),
            70 + 15 * np.cos((xs + ys) / 9.0),
        ],
        axis=-1,
    )
    noisy = base + rng.normal(0, 12, size=base.shape)
    return np.clip(noisy, 0, 255).astype(np.uint8)


def ellipse_truth(width: int = W, height: int = H) -> tuple[np.ndarray, Box]:
    truth = Image.new("L", (width, height), 0)
    box = (200, 130, 420, 330)  # x0, y0, x1, y1 (inclusive in PIL)
    ImageDraw.Draw(truth).ellipse(box, fill=1)
    return np.asarray(truth, dtype=bool), Box(
        box[0], box[1], box[2] - box[0] + 1, box[3] - box[1] + 1
    )


def shape_image(
    fmt: str = "PNG", seed: int = 0, **save: object
) -> tuple[io.BytesIO, np.ndarray, Box]:
    pixels = textured(seed=seed)
    truth, box = ellipse_truth()
    rng = np.random.default_rng(seed + 1)
    shape = np.clip(rng.normal([200, 60, 50], 10, size=pixels.shape), 0, 255).astype(np.uint8)
    pixels[truth] = shape[truth]
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format=fmt, **save)
    out.seek(0)
    return out, truth, box


def rough(box: Box, grow: float = 12) -> Box:
    return Box(box.x - grow, box.y - grow * 0.7, box.w + 2 * grow, box.h + 1.4 * grow)


def iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / (a | b).sum())


def raster(points: list[list[float]], width: int = W, height: int = H) -> np.ndarray:
    from shapely import contains_xy
    from shapely.geometry import Polygon

    ys, xs = np.mgrid[0:height, 0:width]
    return contains_xy(Polygon(points), xs + 0.5, ys + 0.5)


def test_a_rough_box_gives_the_shapes_mask() -> None:
    image, truth, box = shape_image()
    result = assist(image, "shape.png", AssistRequest(box=rough(box)))
    assert result.rle is not None and result.rle["size"] == [H, W]
    assert (result.width, result.height) == (W, H)
    assert iou(rle_decode(result.rle), truth) >= 0.9
    assert result.seconds < assist_module.BUDGET_SECONDS


def test_the_polygon_follows_the_shape() -> None:
    image, truth, box = shape_image()
    result = assist(image, "shape.png", AssistRequest(box=rough(box), output="polygon"))
    assert result.points is not None and 3 <= len(result.points) <= assist_module.MAX_POINTS
    assert iou(raster(result.points), truth) >= 0.9


@pytest.mark.parametrize(("max_points", "least_iou"), [(8, 0.8), (4, 0.55), (3, 0.35)])
def test_max_points_raises_the_tolerance(max_points: int, least_iou: float) -> None:
    from shapely.geometry import Polygon

    image, truth, box = shape_image()
    request = AssistRequest(box=rough(box), output="polygon", max_points=max_points)
    result = assist(image, "s.png", request)
    assert result.points is not None and 3 <= len(result.points) <= max_points
    assert Polygon(result.points).is_valid
    assert iou(raster(result.points), truth) >= least_iou


def test_a_jpeg_larger_than_the_work_size_is_read_reduced_and_scaled_back() -> None:
    big = 4
    pixels = np.kron(textured(seed=3), np.ones((big, big, 1), dtype=np.uint8))
    truth_small, box = ellipse_truth()
    truth = np.kron(truth_small, np.ones((big, big), dtype=bool))
    pixels[truth] = (210, 50, 40)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="JPEG", quality=90)
    out.seek(0)
    scaled = Box(box.x * big, box.y * big, box.w * big, box.h * big)
    result = assist(out, "big.jpg", AssistRequest(box=rough(scaled, 40)))
    assert result.rle is not None and result.rle["size"] == [H * big, W * big]
    assert iou(rle_decode(result.rle), truth) >= 0.9


def test_exif_orientation_is_applied() -> None:
    """A JPEG stored turned with orientation 6 is answered in the upright (shown) pixels."""
    image, truth, box = shape_image()
    upright = Image.open(image).convert("RGB")
    stored = upright.transpose(Image.Transpose.ROTATE_90)  # orientation 6 turns it back
    exif = Image.Exif()
    exif[0x0112] = 6
    out = io.BytesIO()
    stored.save(out, format="JPEG", quality=95, exif=exif.tobytes())
    out.seek(0)
    result = assist(out, "turned.jpg", AssistRequest(box=rough(box)))
    assert result.rle is not None and result.rle["size"] == [H, W]
    assert iou(rle_decode(result.rle), truth) >= 0.9


def test_clicks_help_and_are_kept_inside_the_box(tmp_path: Path) -> None:
    image, truth, box = shape_image()
    path = tmp_path / "s.png"
    path.write_bytes(image.getvalue())
    centre = (box.x + box.w / 2, box.y + box.h / 2)
    request = AssistRequest(box=rough(box), foreground=[centre], background=[(5.0, 5.0)])
    result = assist(path, "s.png", request)
    assert result.rle is not None and iou(rle_decode(result.rle), truth) >= 0.9


def test_region_rle_is_the_whole_images_rle() -> None:
    rng = np.random.default_rng(5)
    for x0, y0, w, h in [(0, 0, 7, 9), (3, 4, 5, 6), (10 - 4, 12 - 5, 4, 5), (0, 2, 10, 10)]:
        part = rng.random((h, w)) > 0.5
        part[0, :] = True
        part[-1, :] = True
        whole = np.zeros((12, 10), dtype=bool)
        whole[y0 : y0 + h, x0 : x0 + w] = part
        assert region_rle(part.astype(np.uint8), x0, y0, 10, 12) == rle_encode(whole)


@pytest.mark.parametrize(
    ("request_", "path"),
    [
        (AssistRequest(box=Box(600, 10, 80, 40)), "box.w"),
        (AssistRequest(box=Box(10, 460, 80, 40)), "box.h"),
        (AssistRequest(box=Box(-5, 10, 80, 40)), "box.x"),
        (AssistRequest(box=Box(10, 10, 2, 40)), "box.w"),
        (AssistRequest(box=Box(10, 10, 40, 0)), "box.h"),
        (AssistRequest(box=Box(10, 10, float("nan"), 40)), "box.w"),
        (AssistRequest(box=Box(10, 10, 40, 40), foreground=[(100.0, 100.0)]), "foreground[0]"),
        (
            AssistRequest(box=Box(10, 10, 40, 40), background=[(20.0, 20.0), (700.0, 3.0)]),
            "background[1]",
        ),
        (
            AssistRequest(box=Box(10, 10, 40, 40), foreground=[(20.0, 20.0)] * (MAX_CLICKS + 1)),
            "foreground",
        ),
        (AssistRequest(box=Box(10, 10, 40, 40), output="polygon", max_points=2), "max_points"),
    ],
)
def test_bad_requests_are_refused_with_the_path(request_: AssistRequest, path: str) -> None:
    image, _, _ = shape_image()
    with pytest.raises(AssistRefused) as caught:
        assist(image, "s.png", request_)
    assert caught.value.details[0]["path"] == path
    assert caught.value.message.startswith(f"{path}: ")


def test_not_an_image_is_refused() -> None:
    from accord.media.images import BadImage

    with pytest.raises(BadImage):
        assist(io.BytesIO(b"not an image at all"), "x.png", AssistRequest(box=Box(1, 1, 9, 9)))


def test_the_budget_stops_a_slow_assist(monkeypatch: pytest.MonkeyPatch) -> None:
    image, _, box = shape_image()
    import cv2

    real = cv2.grabCut

    def slow(*args: object) -> object:
        time.sleep(0.05)
        return real(*args)

    monkeypatch.setattr(cv2, "grabCut", slow)
    with pytest.raises(AssistTooSlow) as caught:
        assist(image, "s.png", AssistRequest(box=rough(box)), budget=0.08)
    assert caught.value.details["step"] == "grabcut"
    assert "budget" in caught.value.message


def outline_points(box: Box, count: int = 8) -> list[tuple[float, float]]:
    """Points on the ellipse inscribed in ``box``, in order around it."""
    cx, cy = box.x + box.w / 2, box.y + box.h / 2
    angles = np.linspace(0, 2 * np.pi, count, endpoint=False)
    return [(float(cx + box.w / 2 * np.cos(a)), float(cy + box.h / 2 * np.sin(a))) for a in angles]


@pytest.mark.parametrize("output", ["mask", "polygon"])
def test_scissors_follow_the_edges_between_points(output: Output) -> None:
    image, truth, box = shape_image()
    points = outline_points(box)
    request = AssistRequest(box=Box(0, 0, 1, 1), tool="scissors", points=points, output=output)
    result = assist(image, "s.png", request)
    found = rle_decode(result.rle) if result.rle else raster(result.points or [])
    assert iou(found, truth) >= 0.9
    assert result.steps["scissors"] < assist_module.BUDGET_SECONDS


@pytest.mark.parametrize(
    ("points", "path"),
    [
        ([(10.0, 10.0), (20.0, 20.0)], "points"),
        ([(10.0, 10.0), (11.0, 10.0), (12.0, 10.0)], "points"),
        ([(10.0, 10.0), (50.0, 10.0), (30.0, 40.0)] * 17, "points"),
        ([(10.0, 10.0), (50.0, 10.0), (700.0, 40.0)], "points[2]"),
    ],
)
def test_scissors_refusals(points: list[tuple[float, float]], path: str) -> None:
    image, _, _ = shape_image()
    with pytest.raises(AssistRefused) as caught:
        assist(image, "s.png", AssistRequest(box=Box(0, 0, 1, 1), tool="scissors", points=points))
    assert caught.value.details[0]["path"] == path
