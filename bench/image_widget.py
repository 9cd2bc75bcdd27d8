"""The image annotation widget in Chromium: a 4000×3000 image with 5,000 boxes, and one
with 500 polygons of 100 points, pre-filled as a model's predictions; and an 8000×8000 image
with no objects (its open time, and pan and zoom on it).

    python -m bench.image_widget [--runs 5] [--edits 60] [--frames 60]

For each image it reports
- **open**: from the navigation's start (performance.timeOrigin) to the end of the first
  canvas repaint that shows every object (app start, sign-in check, the task's request, the
  image, parsing and drawing), median and min–max over ``--runs`` page loads; the time
  that first repaint itself took; and when the full-resolution image was in (a thumbnail,
  when the server has made one, is shown first);
- **edit**: from a key event (move: ArrowRight, resize: Alt+ArrowRight, relabel: a digit,
  delete: Delete, timed, then Tab to the next object, untimed; and selecting the next object
  with Tab, which redraws every other object) to the end of the canvas repaint it causes
  (React, the editor's history, re-indexing and drawing: the repaint runs in the next
  animation frame), p50 / p95 / max over ``--edits`` edits of each kind;
- **pan / zoom**: zoomed in 3.8× from the fitted view, ``--frames`` pointer-move events of a
  middle-button drag (10 px each, so that the drag leaves the cached bitmap and it is redrawn)
  and as many wheel events, one per animation frame: the repaint's own time (p50 / p95) and
  the interval between consecutive repaints (p95), from which the frames per second
  (1000 / p95 interval).

Headless Chromium draws the canvas in software (--disable-gpu), on the same 2 cores as the
server: the figures are an upper bound of what a person's browser does.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from accord.db import Database
from accord.db.migrate import upgrade
from accord.settings import Settings
from bench.machine import load_average, machine
from tests.factories import add_tasks, make_project, make_user
from tests.live import live_server

PASSWORD = "bench password 1"
LABELS = ["car", "person", "bike", "truck", "bus", "sign", "light", "dog"]
W, H = 4000, 3000
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]

# Resolves with the first time (ms since navigation) a repaint showed `count` objects.
OPENED = """([count, size]) => new Promise(resolve => {
  const check = () => {
    const stage = document.querySelector('[data-shape-count]');
    const overlay = document.querySelector('[data-image-overlay]');
    if (stage && overlay && Number(stage.dataset.shapeCount) === count && overlay.dataset.paintedAt
        && document.querySelector('.image-status')?.textContent.includes(size)) {
      resolve([Number(overlay.dataset.paintedAt), Number(overlay.dataset.paintMs)]);
    } else requestAnimationFrame(check);
  };
  check();
})"""

# One key event on the question card; resolves with the ms until the repaint it caused ended.
EDIT = """async ([key, code, alt]) => {
  const card = document.querySelector('[data-question] [data-keys]');
  const overlay = document.querySelector('[data-image-overlay]');
  const before = Number(overlay.dataset.paints || 0);
  const t0 = performance.now();
  card.dispatchEvent(new KeyboardEvent('keydown',
    {key, code, altKey: alt, bubbles: true, cancelable: true}));
  const painted = await new Promise(resolve => {
    const check = () => Number(overlay.dataset.paints) > before ? resolve(true)
      : performance.now() - t0 > 3000 ? resolve(false) : requestAnimationFrame(check);
    check();
  });
  return painted ? Number(overlay.dataset.paintedAt) - t0 : null;
}"""

# `frames` pointer moves (middle button held) or wheel events, one per animation frame;
# resolves with [repaint ms, ms since the previous repaint] per frame.
FRAMES = """async ([kind, frames]) => {
  const overlay = document.querySelector('[data-image-overlay]');
  const rect = overlay.getBoundingClientRect();
  const x = rect.left + rect.width / 2, y = rect.top + rect.height / 2;
  const frame = () => new Promise(r => requestAnimationFrame(() => r()));
  const out = [];
  let last = Number(overlay.dataset.paintedAt);
  const pointer = (type, i, more) => overlay.dispatchEvent(new PointerEvent(type,
    {clientX: x - 10 * i, clientY: y - 4 * i, pointerId: 1, bubbles: true, ...more}));
  if (kind === 'pan') pointer('pointerdown', 0, {button: 1, buttons: 4});
  for (let i = 0; i < frames; i++) {
    const before = Number(overlay.dataset.paints);
    if (kind === 'pan') pointer('pointermove', i + 1, {buttons: 4});
    else overlay.dispatchEvent(new WheelEvent('wheel', {deltaY: i < frames / 2 ? -40 : 40,
      clientX: x, clientY: y, bubbles: true, cancelable: true}));
    while (Number(overlay.dataset.paints) === before) await frame();
    const at = Number(overlay.dataset.paintedAt);
    out.push([Number(overlay.dataset.paintMs), at - last]);
    last = at;
  }
  if (kind === 'pan') pointer('pointerup', frames, {button: 1});
  return out;
}"""


# Resolves with the time (ms since navigation) the full image replaced its thumbnail.
FULL = """() => new Promise(resolve => {
  const check = () => {
    const status = document.querySelector('.image-status')?.textContent ?? '';
    if (/\\d×\\d/.test(status) && !status.includes('preview')) resolve(performance.now());
    else requestAnimationFrame(check);
  };
  check();
})"""


def picture(media: Path, w: int = W, h: int = H, name: str = "big.jpg") -> str:
    image = Image.new("RGB", (w, h), (200, 205, 210))
    draw = ImageDraw.Draw(image)
    rng = random.Random(7)
    for _ in range(400 * (w * h) // (W * H)):
        x, y = rng.randrange(w), rng.randrange(h)
        draw.rectangle((x, y, x + rng.randrange(20, 300), y + rng.randrange(20, 300)),
                       fill=tuple(rng.randrange(256) for _ in range(3)))
    media.mkdir(parents=True, exist_ok=True)
    path = media / name
    image.save(path, quality=85)
    return f"file://{path.resolve()}"


def boxes(n: int) -> list[dict[str, Any]]:
    rng = random.Random(1)
    out = []
    for i in range(n):
        w, h = rng.randrange(10, 120), rng.randrange(10, 120)
        out.append({"id": str(i + 1), "label": rng.choice(LABELS), "x": rng.randrange(W - w),
                    "y": rng.randrange(H - h), "w": w, "h": h, "score": round(rng.random(), 2)})
    return out


def polygons(n: int, points: int) -> list[dict[str, Any]]:
    import math

    rng = random.Random(2)
    out = []
    for i in range(n):
        cx, cy, r = rng.randrange(160, W - 160), rng.randrange(160, H - 160), rng.randrange(60, 150)
        angles = [2 * math.pi * k / points for k in range(points)]
        # Star-shaped about its centre (so never self-intersecting), 0.1 px precision.
        ring = [[round(cx + r * (0.8 + 0.2 * math.sin(5 * a)) * math.cos(a), 1),
                 round(cy + r * (0.8 + 0.2 * math.sin(5 * a)) * math.sin(a), 1)] for a in angles]
        out.append({"id": str(i + 1), "label": rng.choice(LABELS), "points": ring})
    return out


def project(db: Database, lead: Any, annotator: Any, kind: str, src: str,
            objects: list[dict[str, Any]], size: tuple[int, int] = (W, H)) -> int:
    interface = {"fields": [{"name": "image", "kind": "image"}],
                 "questions": [{"name": "objects", "kind": kind, "target": "image",
                                "labels": LABELS}]}
    made = make_project(db, lead, interface, members={annotator: "annotator"})
    row: dict[str, Any] = {"id": kind, "image": {"src": src, "width": size[0], "height": size[1]}}
    if objects:
        row["predictions"] = [{"model_version": "bench",
                               "result": {"objects": {"objects": objects}}}]
    add_tasks(db, lead, made, [row])
    return int(made.id)


def stats(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"p50 {statistics.median(ordered):.1f} / p95 {p95:.1f} / max {ordered[-1]:.1f} ms"


def measure(page: Any, url: str, case: tuple[str, int, int, tuple[int, int]],
            args: argparse.Namespace) -> None:
    _, project_id, count, (w, h) = case
    opens, firsts, fulls = [], [], []
    for _ in range(args.runs):
        page.goto(f"{url}/projects/{project_id}/annotate")
        shown, first = page.evaluate(OPENED, [count, f"{w}×{h}"])
        opens.append(shown)
        firsts.append(first)
        fulls.append(page.evaluate(FULL))
    print(f"  open: median {statistics.median(opens):.0f} ms (min {min(opens):.0f}, max "
          f"{max(opens):.0f}) over {args.runs} loads; its repaint "
          f"{statistics.median(firsts):.1f} ms; full-resolution image in: median "
          f"{statistics.median(fulls):.0f} ms", flush=True)
    if count == 0:
        frame_rates(page, args)
        return
    page.locator("[data-question] [data-keys]").first.focus()
    page.evaluate(EDIT, ["Tab", "Tab", False])
    kinds = {
        "move": [("ArrowRight", "ArrowRight", False)],
        "resize": [("ArrowRight", "ArrowRight", True)] if count == 5000
        else [(".", "Period", False), ("ArrowDown", "ArrowDown", False)],
        "relabel": [(str(d), f"Digit{d}", False) for d in range(1, 9)],
        "delete": [("Delete", "Delete", False), ("Tab", "Tab", False)],
        "select (Tab)": [("Tab", "Tab", False)],
    }
    for name, keys in kinds.items():
        times: list[float] = []
        skipped = 0
        for i in range(args.edits):
            key, code, alt = keys[i % len(keys)]
            took = page.evaluate(EDIT, [key, code, alt])
            if took is None:  # nothing to repaint (e.g. the label it already had)
                skipped += 1
            elif name != "delete" or key == "Delete":
                times.append(took)
        print(f"  edit {name}: {stats(times)} ({len(times)} edits"
              f"{f'; {skipped} keys changed nothing' if skipped else ''})", flush=True)
        if name == "resize" and count != 5000:
            page.evaluate(EDIT, ["Escape", "Escape", False])
    frame_rates(page, args)


def frame_rates(page: Any, args: argparse.Namespace) -> None:
    """Pan (zoomed in 3.8×, 10 px a frame: the drag leaves the cached bitmap, which is then
    redrawn) and zoom (the wheel, in then out)."""
    for _ in range(6):
        page.evaluate(EDIT, ["+", "Equal", False])
    page.wait_for_timeout(300)
    for kind in ("pan", "zoom"):
        frames = page.evaluate(FRAMES, [kind, args.frames])
        paints = [f[0] for f in frames]
        gaps = sorted(f[1] for f in frames)
        p95 = gaps[int(0.95 * (len(gaps) - 1))]
        print(f"  {kind}: repaint {stats(paints)}; interval p50 {statistics.median(gaps):.1f} / "
              f"p95 {p95:.1f} ms → {1000 / p95:.0f} frames/s at p95", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--edits", type=int, default=60)
    parser.add_argument("--frames", type=int, default=60)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    print(machine(), flush=True)
    data = Path(tempfile.mkdtemp(prefix="accord-bench-image-"))
    try:
        settings = Settings(data_dir=data)
        db = Database(settings.resolved_database_url())
        upgrade(db)
        lead, _ = make_user(db, "lead@example.com")
        annotator, _ = make_user(db, "ann@example.com", password=PASSWORD)
        src = picture(data / "media")
        started = time.perf_counter()
        huge = picture(data / "media", 8000, 8000, "huge.jpg")
        cases = [
            ("5,000 boxes", project(db, lead, annotator, "boxes", src, boxes(5000)), 5000, (W, H)),
            ("500 polygons × 100 points",
             project(db, lead, annotator, "polygons", src, polygons(500, 100)), 500, (W, H)),
            ("no objects", project(db, lead, annotator, "points", huge, [], (8000, 8000)), 0,
             (8000, 8000)),
        ]
        print(f"data made in {time.perf_counter() - started:.1f} s", flush=True)
        db.dispose()
        with live_server(settings) as server, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                                 headless=True, args=ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.goto(f"{server.url}/signin?next=/")
            page.get_by_label("Email").fill("ann@example.com")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_label("Password").press("Enter")
            page.wait_for_selector(".topbar-user")
            for case in cases:
                print(f"{case[0]} on a {case[3][0]}×{case[3][1]} image:", flush=True)
                measure(page, server.url, case, args)
            browser.close()
    finally:
        shutil.rmtree(data, ignore_errors=True)
    print(f"load average after: {load_average()}", flush=True)


if __name__ == "__main__":
    main()
