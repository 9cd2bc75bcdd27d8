"""A small MOTChallenge sequence made on the spot: 30 frames of 64 × 48 with two moving
squares (``img1/`` JPEG frames), its ``seqinfo.ini`` and a ``gt/gt.txt`` whose rows exercise
the import: a track moving steadily (a few keyframes), one with a gap (an ``outside``
keyframe), fractional coordinates, an occluded stretch, and a ``conf`` 0 row."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

WIDTH, HEIGHT, FRAMES, FPS = 64, 48, 30, 25
INTERFACE = {
    "fields": [{"name": "clip", "kind": "video"}],
    "questions": [
        {
            "name": "objects",
            "kind": "tracks",
            "target": "clip",
            "shape": "box",
            "labels": ["pedestrian", "car"],
        }
    ],
}


def gt_rows() -> list[tuple[int, int, float, float, float, float, float, int, float]]:
    """(frame 1-based, id, x, y, w, h, conf, class, visibility) of the two tracks."""
    rows = []
    for frame in range(1, 11):  # track 1: steady, 1 px a frame, then gone for frames 11-14
        rows.append((frame, 1, 2 + frame, 5, 10, 12, 1, 1, 1))
    for frame in range(15, FRAMES + 1):  # ... back, wobbling, occluded on 20-22
        visibility = 0 if 20 <= frame <= 22 else 1
        rows.append((frame, 1, 30 + frame % 3, 6.5, 10, 12, 1, 1, visibility))
    for frame in range(5, FRAMES + 1):  # track 7: 0.1 px a frame (not exact in floats)
        rows.append((frame, 7, 40 - 0.1 * frame, 30.25, 8, 8, 1, 2, 1))
    return rows


def text_of(rows: list[tuple[float, ...]]) -> str:
    def cell(value: float) -> str:
        return str(int(value)) if float(value).is_integer() else repr(float(value))

    return "".join(",".join(cell(v) for v in row) + "\n" for row in rows)


def seqinfo(name: str, length: int = FRAMES, fps: int = FPS) -> str:
    return (
        f"[Sequence]\nname={name}\nimDir=img1\nframeRate={fps}\nseqLength={length}\n"
        f"imWidth={WIDTH}\nimHeight={HEIGHT}\nimExt=.jpg\n"
    )


def make_sequence(folder: Path, name: str = "SEQ-01", *, extra: str = "") -> Path:
    """The sequence ``folder/name`` (frames, seqinfo.ini, gt/gt.txt plus ``extra`` rows)."""
    root = folder / name
    (root / "img1").mkdir(parents=True)
    (root / "gt").mkdir()
    for frame in range(1, FRAMES + 1):
        pixels = np.full((HEIGHT, WIDTH, 3), 90, dtype=np.uint8)
        for number, ident, x, y, w, h, *_ in gt_rows():
            if number == frame:
                shade = 230 if ident == 1 else 20
                pixels[int(y) : int(y + h), int(x) : int(x + w)] = shade
        Image.fromarray(pixels).save(root / "img1" / f"{frame:06d}.jpg", quality=95)
    (root / "seqinfo.ini").write_text(seqinfo(name))
    ignored = "3,9,1,1,5,5,0,1,1\n"  # conf 0: not considered
    (root / "gt" / "gt.txt").write_text(text_of(gt_rows()) + ignored + extra)
    return root
