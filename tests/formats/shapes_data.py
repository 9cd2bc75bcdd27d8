"""Answers and images for the format tests: synthetic images with known shapes."""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable
from types import ModuleType
from typing import Any, TypeVar

import numpy as np

from accord.formats.shapes import ImageRow, ImageSchema
from accord.quality.masks import rle_encode

INTERFACE: dict[str, Any] = {
    "fields": [{"name": "image", "kind": "image"}],
    "questions": [
        {"name": "boxes", "kind": "boxes", "target": "image", "labels": ["cat", "dog"]},
        {"name": "outline", "kind": "polygons", "target": "image", "labels": ["cat", "dog"]},
        {
            "name": "pose",
            "kind": "keypoints",
            "target": "image",
            "labels": ["person"],
            "skeleton": {"points": ["nose", "left_eye", "right_eye"], "edges": [[0, 1], [0, 2]]},
        },
        {"name": "mask", "kind": "masks", "target": "image", "labels": ["cat", "dog"]},
    ],
}
ROTATED: dict[str, Any] = {
    "fields": [{"name": "image", "kind": "image"}],
    "questions": [
        {
            "name": "boxes",
            "kind": "boxes",
            "target": "image",
            "labels": ["ship", "plane"],
            "rotation": True,
        }
    ],
}
SCHEMA = ImageSchema.of(INTERFACE)
WIDTH, HEIGHT = 64, 48
T = TypeVar("T")


def supervision() -> ModuleType:
    """The outside reader of YOLO and VOC (it warns at import when OpenCV is absent and
    falls back on NumPy, which the tests accept)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import supervision as sv
    return sv


def outside(call: Callable[..., T], *args: Any) -> T:
    """Run an outside reader with its own warnings silenced (those raised from pycocotools'
    or supervision's code only: ours still fail the test)."""
    with warnings.catch_warnings():
        for module in (r"pycocotools", r"supervision"):
            warnings.filterwarnings("ignore", module=module)
        return call(*args)


def mask_of(box: tuple[int, int, int, int]) -> np.ndarray:
    x, y, w, h = box
    mask = np.zeros((HEIGHT, WIDTH), dtype=bool)
    mask[y : y + h, x : x + w] = True
    mask[y, x] = False  # not a plain rectangle
    return mask


def png(width: int = WIDTH, height: int = HEIGHT, seed: int = 0) -> bytes:
    from PIL import Image

    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 255, (height, width, 3), dtype=np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="PNG")
    return out.getvalue()


def answers(seed: int) -> dict[str, Any]:
    """An answer with every shape kind, coordinates inside a WIDTH x HEIGHT image."""
    s = seed
    return {
        "boxes": {
            "objects": [
                {"id": "b1", "label": "cat", "x": 1.5 + s, "y": 2.25, "w": 10.0, "h": 7.5},
                {
                    "id": "b2",
                    "label": "dog",
                    "x": 20 + s,
                    "y": 10,
                    "w": 30,
                    "h": 20,
                    "occluded": True,
                    "score": 0.75,
                },
            ]
        },
        "outline": {
            "objects": [
                {
                    "id": "p1",
                    "label": "dog",
                    "points": [[5.0 + s, 5.0], [30.5, 6.0], [28.0, 40.25], [6.0, 35.0]],
                },
            ]
        },
        "pose": {
            "objects": [
                {
                    "id": "k1",
                    "label": "person",
                    "points": [[10.0 + s, 12.0, 2], [14.5, 9.0, 1], [0.0, 0.0, 0]],
                },
            ]
        },
        "mask": {
            "objects": [
                {"id": "m1", "label": "cat", "rle": rle_encode(mask_of((3 + s, 4, 12, 9)))},
            ]
        },
    }


def rows(count: int = 3, *, with_images: bool = False) -> list[ImageRow]:
    return [
        ImageRow(
            task_id=100 + i,
            name=f"photos/img{i}.png",
            src=f"s3://bucket/photos/img{i}.png",
            width=WIDTH,
            height=HEIGHT,
            answer=answers(i),
            content=png(seed=i) if with_images else None,
        )
        for i in range(count)
    ]


def assert_valid(interface: dict[str, Any], row: dict[str, Any]) -> None:
    """The import row's predictions pass the project's checks (the image kinds' own)."""
    from accord.kinds import Interface

    checked = Interface.model_validate(interface)
    data = {k: v for k, v in row.items() if k not in ("id", "predictions")}
    assert checked.row_check()(data) is None
    for prediction in row.get("predictions", []):
        problems = checked.check_result(prediction["result"], data, partial=True, root="")
        assert problems == [], problems
