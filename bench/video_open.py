"""The video player with a tracks question in Chromium, and the frames job that prepares a
video for it: a 10,000-frame 1080p video with 200 tracks.

    python -m bench.video_open [--frames 10000] [--size 1920x1080] [--gop 25]
        [--preset ultrafast] [--frames-format auto] [--tracks 200] [--every 150] [--runs 3]
        [--seeks 20] [--steps 20] [--edits 15] [--drags 5] [--play-seconds 5] [--keep DIR]

Data (made once, not timed): Debian's ffmpeg encodes ``testsrc2`` at ``--size``, 25 fps,
``--frames`` frames, x264 ``--preset`` (``ultrafast``, the default, or ``medium``, x264's
own; the video's bitrate is printed), a keyframe every ``--gop`` frames (25: the packets
path, the browser decoding the video with WebCodecs; 50, the earlier figures' video, keeps
JPEG frames), cached in ``$TMPDIR/accord-bench-video/`` so that reruns reuse it; the server
runs with ``ACCORD_VIDEO_FRAMES=--frames-format`` (``auto``: the player opens once the job
has ended, so on its JPEG frames; ``packets``: the packets path; ``jpeg``); a project with a
video field and a box ``tracks`` question; the video uploaded through the API (``POST
/projects/{id}/media``: the upload probes it, then starts the frames job); a task on it
whose model prediction holds ``--tracks`` tracks, each a box with a keyframe every
``--every`` frames (±20%) over the whole video, which the annotate screen starts from.
(Every 50 frames, as the issue's figure says, 200 tracks over 10,000 frames are 40,000
keyframes, 2.3 MB of JSON: over the 1 MiB an answer may hold by default,
``ACCORD_MAX_RESULT_BYTES``; every 150 frames they are 13,400 keyframes, under 1 MiB.)

Reported:
- **metadata and chunking** (once: the frames job is minutes of machine time): the upload
  request (transfer on localhost, probe, store), `accord.media.videos.probe` alone in this
  process, and the frames job (decode, JPEG per frame, chunks) from its start to its end as
  the server records them; each as seconds and "× real time" (the video's duration over
  the time). Outside reference: ``ffmpeg -i video -f null -`` (decoding alone, its default
  threads).
- In Chromium, per ``--runs`` (a fresh browser context each: cold cache, no draft):
  - **ready**: from the navigation's start to the end of the first paint of frame 0's
    picture with every track on it;
  - **seek**: ``--seeks`` random frames typed in the frame box (G, the number, Enter): from
    the Enter key's event to (a) the player's decoded frame (``data-drawn``) and (b) the end
    of the paint showing that frame's picture with its tracks;
  - **step**: ``--steps`` presses of ``.`` (the next frame), timed the same way;
  - **keyframe edit**: ``--edits`` Alt+→ (moves the selected box 1 px: a keyframe at this
    frame, the answer changed, the frame re-derived from 200 tracks, repainted), from the key
    event to the end of the repaint; and ``--drags`` mouse drags of the selected box, from the
    pointerup (the commit) to the end of the repaint, and each pointermove to the repaint
    it causes (the preview);
  - **playback**: ``--play-seconds`` of play at 1×: the distinct frames painted with their
    picture per second, against the video's rate, and the frames the player passed over to
    stay in time (``data-dropped``: the clock never waits for a frame being decoded).

``--keep DIR`` keeps the server's data (database, media, frames) in DIR and, when DIR holds
one from an earlier run with the same video, reuses it: no upload, frames job or task is
made again (their figures are not reported then), only the Chromium runs, whose figures are
those of a full run (the same video, task and server). For iterating on the player.

Latencies are pooled over the runs: p50 (p5–p95) / max; ready is the median (min–max) of
the runs. Headless Chromium draws in software (--disable-gpu) on the same 2 cores as the
server: the figures are an upper bound of what a person's browser does.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from accord.db import Database
from accord.db.migrate import upgrade
from accord.media.videos import probe_path
from accord.settings import Settings
from bench.machine import load_average, machine
from tests.factories import add_tasks, make_project, make_user
from tests.live import live_server

PASSWORD = "bench password 1"
FPS = 25
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
PLAYER = "[data-video-field=clip]"
LABELS = ["car", "person", "bike", "truck"]
INTERFACE = {
    "fields": [{"name": "clip", "kind": "video"}],
    "questions": [
        {"name": "objects", "kind": "tracks", "target": "clip", "shape": "box", "labels": LABELS}
    ],
}

# Page side: the time of the last Enter / '.' / Alt+→ key and pointerup, the overlay's paint
# count then, and when the player first set data-drawn to each frame.
HOOK = """() => {
  const overlay = () => document.querySelector('.tracks-stage [data-image-overlay]');
  window.__mark = () => { window.__t0 = performance.now();
    window.__before = Number(overlay().dataset.paints || 0); };
  window.addEventListener('keydown', e => {
    if (e.key === 'Enter' || e.key === '.' || (e.altKey && e.key === 'ArrowRight')) __mark();
  }, {capture: true});
  window.addEventListener('pointerup', () => __mark(), {capture: true});
  window.__moves = [];
  window.addEventListener('pointermove', e => {
    if (!e.buttons) return;
    const t0 = performance.now(), before = Number(overlay().dataset.paints || 0);
    const check = () => Number(overlay().dataset.paints) > before
      ? __moves.push(Number(overlay().dataset.paintedAt) - t0) : requestAnimationFrame(check);
    requestAnimationFrame(check);
  }, {capture: true});
  window.__drawn = {};
  const player = document.querySelector('[data-video-field]');
  new MutationObserver(() => {
    const f = player.dataset.drawn;
    if (!(f in __drawn)) __drawn[f] = performance.now();
  }).observe(player, {attributes: true, attributeFilter: ['data-drawn']});
}"""

# Resolves with the time (performance.now()) of the end of the first paint showing `frame`'s
# picture (the stage's picture-paints: the editor's count when it got the picture) with
# `count` objects.
PAINTED = """([frame, count]) => new Promise((resolve, reject) => {
  const started = performance.now();
  const check = () => {
    const stage = document.querySelector('.tracks-stage');
    const overlay = stage?.querySelector('[data-image-overlay]');
    const shapes = document.querySelector('.tracks-stage [data-shape-count]');
    if (stage && overlay && shapes && stage.dataset.pictureFrame === String(frame)
        && Number(overlay.dataset.paints) > Number(stage.dataset.picturePaints)
        && (count < 0 || Number(shapes.dataset.shapeCount) === count)) {
      resolve(Number(overlay.dataset.paintedAt));
    } else if (performance.now() - started > 60000) reject(new Error('no paint of ' + frame));
    else requestAnimationFrame(check);
  };
  check();
})"""

# The ms from the last mark to the player's decoding of `frame` and to its painted picture.
SEEK = """async (frame) => {
  const painted = await (""" + PAINTED + """)([frame, -1]);
  return [(__drawn[String(frame)] ?? NaN) - __t0, painted - __t0];
}"""

# The ms from the last mark to the end of the next repaint.
REPAINT = """() => new Promise(resolve => {
  const overlay = document.querySelector('.tracks-stage [data-image-overlay]');
  const check = () => Number(overlay.dataset.paints) > __before
    ? resolve(Number(overlay.dataset.paintedAt) - __t0) : requestAnimationFrame(check);
  check();
})"""

# Playing for `ms`: the distinct frames painted with their picture, those the player decoded
# and drew (data-drawn), and the frames advanced.
PLAYBACK = """(ms) => new Promise(resolve => {
  const stage = document.querySelector('.tracks-stage');
  const overlay = stage.querySelector('[data-image-overlay]');
  const player = document.querySelector('[data-video-field]');
  const painted = new Set(), drawn = new Set();
  const first = Number(player.dataset.frame);
  const observer = new MutationObserver(() => {
    if (Number(overlay.dataset.paints) > Number(stage.dataset.picturePaints))
      painted.add(stage.dataset.pictureFrame);
  });
  observer.observe(overlay, {attributes: true, attributeFilter: ['data-paints']});
  const decoded = new MutationObserver(() => drawn.add(player.dataset.drawn));
  decoded.observe(player, {attributes: true, attributeFilter: ['data-drawn']});
  setTimeout(() => {
    observer.disconnect();
    decoded.disconnect();
    resolve([painted.size, drawn.size, Number(player.dataset.frame) - first]);
  }, ms);
})"""


def video(frames: int, width: int, height: int, gop: int = 50, preset: str = "ultrafast") -> Path:
    """The test video (a keyframe every ``gop`` frames, x264's ``preset``), encoded once and
    kept for reruns."""
    folder = Path(tempfile.gettempdir()) / "accord-bench-video"
    folder.mkdir(exist_ok=True)
    suffix = ("" if gop == 50 else f"-gop{gop}") + ("" if preset == "ultrafast" else f"-{preset}")
    path = folder / f"testsrc2-{width}x{height}-{frames}{suffix}.mp4"
    if path.exists():
        return path
    part = path.with_suffix(f".{os.getpid()}.part.mp4")  # two runs at once: each its own
    started = time.perf_counter()
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
         f"testsrc2=size={width}x{height}:rate={FPS}", "-frames:v", str(frames),
         "-c:v", "libx264", "-preset", preset, "-pix_fmt", "yuv420p", "-g", str(gop),
         str(part)],
        check=True,
    )
    part.rename(path)
    mbits = path.stat().st_size * 8 / (frames / FPS) / 1e6
    print(f"video encoded in {time.perf_counter() - started:.0f} s: {path} ({mbits:.1f} Mbit/s)",
          flush=True)
    return path


def ffmpeg_decode(path: Path) -> float:
    started = time.perf_counter()
    subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-f", "null", "-"], check=True)
    return time.perf_counter() - started


def tracks(n: int, frames: int, every: int, size: tuple[int, int]) -> list[dict[str, Any]]:
    """``n`` box tracks over every frame, a keyframe about every ``every`` frames."""
    rng = random.Random(11)
    width, height = size
    out = []
    for i in range(n):
        w, h = rng.uniform(40, 200), rng.uniform(40, 200)
        keyframes, frame = [], 0
        while True:
            keyframes.append({"frame": frame, "x": round(rng.uniform(0, width - w), 2),
                              "y": round(rng.uniform(0, height - h), 2), "w": round(w, 2),
                              "h": round(h, 2)})
            if frame == frames - 1:
                break
            frame = min(frames - 1, frame + rng.randint(int(every * 0.8), int(every * 1.2)))
        out.append({"id": f"t{i + 1}", "label": LABELS[i % len(LABELS)], "keyframes": keyframes})
    return out


def upload(client: httpx.Client, project_id: int, path: Path) -> tuple[str, float, int]:
    """The video's reference, the upload's seconds, and the frames job's id."""
    started = time.perf_counter()
    with path.open("rb") as file:
        answer = client.post(f"/projects/{project_id}/media",
                             files=[("file", (path.name, file, "video/mp4"))])
    took = time.perf_counter() - started
    answer.raise_for_status()
    body = answer.json()
    return str(body["files"][0]["src"]), took, int(body["frames_job"])


def job_seconds(client: httpx.Client, job_id: int) -> tuple[float, float]:
    """Waits for the job; its seconds from start to end (server's clock), and from the
    upload's answer to seeing it done (ours)."""
    started = time.perf_counter()
    while (job := client.get(f"/jobs/{job_id}").json())["state"] not in (
        "succeeded", "failed", "cancelled"):
        time.sleep(0.5)
    waited = time.perf_counter() - started
    if job["state"] != "succeeded":
        raise SystemExit(f"the frames job ended {job['state']}: {job}")
    from datetime import datetime

    span = (datetime.fromisoformat(job["finished_at"])
            - datetime.fromisoformat(job["started_at"])).total_seconds()
    return span, waited


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def dist(values: list[float]) -> str:
    clean = [v for v in values if v == v]
    if not clean:
        return "none measured"
    return (f"p50 {statistics.median(clean):.1f} ({pct(clean, 0.05):.1f}–{pct(clean, 0.95):.1f})"
            f" / max {max(clean):.1f} ms, n={len(clean)}")


def spread(values: list[float], unit: str = "ms", digits: int = 0) -> str:
    return (f"{statistics.median(values):.{digits}f} {unit} ({min(values):.{digits}f}–"
            f"{max(values):.{digits}f})")


def sign_in(page: Any, url: str) -> None:
    page.goto(f"{url}/signin?next=/")
    page.get_by_label("Email").fill("ann@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    page.wait_for_selector(".topbar-user")


def to_page(page: Any, x: float, y: float) -> tuple[float, float]:
    overlay = page.locator(".tracks-stage [data-image-overlay]")
    scale, ox, oy = (float(v) for v in (overlay.get_attribute("data-view") or "").split(","))
    box = overlay.bounding_box()
    return box["x"] + x * scale + ox, box["y"] + y * scale + oy


def one_run(page: Any, url: str, project_id: int, frames: int, n: int,
            args: argparse.Namespace, out: dict[str, list[float]], rng: random.Random) -> None:
    page.goto(f"{url}/projects/{project_id}/annotate")
    out["ready"].append(page.evaluate(PAINTED, [0, n]))
    page.evaluate(HOOK)
    player = page.locator(PLAYER)
    player.focus()
    for _ in range(args.seeks):
        target = rng.randrange(frames)
        page.keyboard.press("g")
        page.keyboard.press("Control+a")
        page.keyboard.type(str(target))
        page.keyboard.press("Enter")
        drawn, painted = page.evaluate(SEEK, target)
        out["seek drawn"].append(drawn)
        out["seek painted"].append(painted)
    at = int(player.get_attribute("data-frame") or 0)
    if at + args.steps >= frames:
        page.keyboard.press("Home")
        at = 0
    for _ in range(args.steps):
        page.keyboard.press(".")
        at += 1
        drawn, painted = page.evaluate(SEEK, at)
        out["step drawn"].append(drawn)
        out["step painted"].append(painted)
    page.keyboard.press("Tab")  # the first track in the picture is selected
    page.wait_for_selector("[data-selected-track]")
    for _ in range(args.edits):
        page.keyboard.press("Alt+ArrowRight")
        out["edit key"].append(page.evaluate(REPAINT))
    selected = page.get_attribute("[data-selected-track]", "data-selected-track")
    page.evaluate("() => { window.__moves.length = 0; }")
    for i in range(args.drags):
        geom = page.locator(f"[data-track-id={selected}]").get_attribute("data-geom") or "{}"
        g = json.loads(geom)
        start = to_page(page, g["x"] + g["w"] / 2, g["y"] + g["h"] / 2)
        dx = 60 if i % 2 == 0 else -60
        page.mouse.move(*start)
        page.mouse.down()
        for k in range(1, 11):
            page.mouse.move(start[0] + dx * k / 10, start[1] + 4 * k / 10)
        page.mouse.up()
        out["edit drag"].append(page.evaluate(REPAINT))
    page.wait_for_timeout(100)
    out["drag move"].extend(float(v) for v in page.evaluate("() => window.__moves"))
    player.focus()
    page.keyboard.press("Home")
    page.keyboard.press("Space")
    page.wait_for_selector(f"{PLAYER}[data-playing=true]")
    shown, drawn, advanced = page.evaluate(PLAYBACK, int(args.play_seconds * 1000))
    page.keyboard.press("Space")
    page.wait_for_selector(f"{PLAYER}[data-playing=false]")
    dropped = int(player.get_attribute("data-dropped") or 0)
    out["play dropped/s"].append(dropped / args.play_seconds)
    out["play painted/s"].append(shown / args.play_seconds)
    out["play drawn/s"].append(drawn / args.play_seconds)
    out["play advanced/s"].append(advanced / args.play_seconds)


def browser_figures(url: str, project_id: int, frames: int, args: argparse.Namespace,
                    shots: Path) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    keys = ["ready", "seek drawn", "seek painted", "step drawn", "step painted", "edit key",
            "edit drag", "drag move", "play painted/s", "play drawn/s", "play advanced/s",
            "play dropped/s"]
    out: dict[str, list[float]] = {k: [] for k in keys}
    rng = random.Random(5)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                             headless=True, args=ARGS)
        for run in range(args.runs):
            context = browser.new_context(viewport={"width": 1440, "height": 1000})
            page = context.new_page()
            sign_in(page, url)
            one_run(page, url, project_id, frames, args.tracks, args, out, rng)
            print(f"  run {run + 1}: ready {out['ready'][-1]:.0f} ms, playback "
                  f"{out['play painted/s'][-1]:.1f} frames painted/s", flush=True)
            if run == 0:
                shots.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(shots / "video-bench.png"))
            context.close()
        browser.close()
    return out


def prepare(settings: Settings, path: Path, args: argparse.Namespace) -> tuple[Any, Any, str]:
    """The database, a project with a video field and a tracks question, its lead and the
    annotator; the lead's API token."""
    db = Database(settings.resolved_database_url())
    upgrade(db)
    lead, token = make_user(db, "lead@example.com")
    annotator, _ = make_user(db, "ann@example.com", password=PASSWORD)
    made = make_project(db, lead, INTERFACE, members={annotator: "annotator"})
    return db, (lead, made), token


def process(db: Any, owner: tuple[Any, Any], token: str, url: str, path: Path,
            args: argparse.Namespace, data: Path) -> tuple[int, int]:
    """The video uploaded and its frames made (timed, with the references), then the task
    with its tracks: the project's id and the video's frame count."""
    lead, made = owner
    width, height = (int(v) for v in args.size.split("x"))
    seconds = args.frames / FPS
    reference = ffmpeg_decode(path)
    started = time.perf_counter()
    info = probe_path(path, path.name)
    probed = time.perf_counter() - started
    with httpx.Client(base_url=url + "/api/v1", timeout=600,
                      headers={"Authorization": f"Bearer {token}"}) as client:
        src, uploaded, job_id = upload(client, int(made.id), path)
        span, waited = job_seconds(client, job_id)
    frames_bin = sum(f.stat().st_size for f in data.rglob("frames.bin"))
    frames_bin += sum(f.stat().st_size for f in data.rglob("packets.bin"))
    made_as = {json.loads(f.read_text()).get("format") for f in data.rglob("manifest.json")}
    print(f"frames made as: {', '.join(sorted(made_as))}", flush=True)
    print(f"probe alone: {probed:.2f} s ({seconds / probed:.0f}× real time); "
          f"{info.frames} frames, {info.fps} fps", flush=True)
    print(f"upload request (transfer, probe, store): {uploaded:.2f} s "
          f"({seconds / uploaded:.0f}× real time)", flush=True)
    print(f"frames job: {span:.1f} s start to end ({seconds / span:.1f}× real time; "
          f"{args.frames / span:.0f} frames/s); seen done {waited:.1f} s after the "
          f"upload's answer; frames.bin or packets.bin {frames_bin / 1e6:.0f} MB", flush=True)
    print(f"reference, ffmpeg -i video -f null - (decode only): {reference:.1f} s "
          f"({seconds / reference:.1f}× real time)", flush=True)
    started = time.perf_counter()
    add_tasks(db, lead, made, [{
        "id": "long", "clip": src,
        "predictions": [{"model_version": "bench", "result": {"objects": {
            "tracks": tracks(args.tracks, info.frames, args.every, (width, height))}}}],
    }])
    print(f"task with {args.tracks} tracks made in {time.perf_counter() - started:.1f} s",
          flush=True)
    db.dispose()
    return int(made.id), int(info.frames)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--frames", type=int, default=10_000)
    parser.add_argument("--size", default="1920x1080")
    parser.add_argument("--gop", type=int, default=25, help="frames between keyframes")
    parser.add_argument("--preset", default="ultrafast",
                        help="x264's preset for the test video: ultrafast, or medium (x264's "
                        "own default: CABAC and B-frames, smaller, slower to decode)")
    parser.add_argument("--frames-format", choices=("auto", "packets", "jpeg"), default="auto",
                        help="ACCORD_VIDEO_FRAMES of the server")
    parser.add_argument("--tracks", type=int, default=200)
    parser.add_argument("--every", type=int, default=150)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seeks", type=int, default=20)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--edits", type=int, default=15)
    parser.add_argument("--drags", type=int, default=5)
    parser.add_argument("--play-seconds", type=float, default=5.0)
    parser.add_argument("--shots", default="/tmp/shots/video-bench")
    parser.add_argument("--keep", default=None, help="keep (or reuse) the server's data here")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))

    print(machine(), flush=True)
    path = video(args.frames, width, height, args.gop, args.preset)
    mb = path.stat().st_size / 1e6
    print(f"video: {path.name}, {args.frames:,} frames, {width}×{height}, {FPS} fps, "
          f"{args.frames / FPS:.0f} s, {mb:.0f} MB (x264 {args.preset}, GOP {args.gop}); "
          f"ACCORD_VIDEO_FRAMES={args.frames_format}", flush=True)
    kept = Path(args.keep) if args.keep else None
    data = kept or Path(tempfile.mkdtemp(prefix="accord-bench-video-"))
    data.mkdir(parents=True, exist_ok=True)
    record = data / "bench-video.json"
    earlier = json.loads(record.read_text()) if kept and record.exists() else None
    if earlier and earlier.get("video") != path.name + args.frames_format:
        raise SystemExit(f"{data} holds the data of {earlier.get('video')}, not "
                         f"{path.name + args.frames_format}: "
                         "give --keep another folder")
    try:
        os.environ["ACCORD_VIDEO_FRAMES"] = args.frames_format  # the server's environment
        settings = Settings(data_dir=data)
        prepared = None if earlier else prepare(settings, path, args)
        with live_server(settings, start_seconds=120) as server:  # a busy machine starts slowly
            if earlier:
                project_id, frames = int(earlier["project"]), int(earlier["frames"])
                print(f"reusing the project, video and task kept in {data}", flush=True)
            else:
                assert prepared is not None
                project_id, frames = process(*prepared, server.url, path, args, data)
                if kept:
                    record.write_text(json.dumps({"video": path.name + args.frames_format,
                                                  "project": project_id,
                                                  "frames": frames}))
            out = browser_figures(server.url, project_id, frames, args, Path(args.shots))
        print(f"in Chromium ({args.runs} runs, {args.tracks} tracks, a keyframe every "
              f"~{args.every} frames):", flush=True)
        print(f"  ready to annotate: {spread(out['ready'])}", flush=True)
        for name in ("seek drawn", "seek painted", "step drawn", "step painted", "edit key",
                     "edit drag", "drag move"):
            print(f"  {name}: {dist(out[name])}", flush=True)
        painted = spread(out["play painted/s"], "frames painted/s", 1)
        print(f"  playback at 1× ({FPS} fps): {painted}; decoded and drawn by the player "
              f"{spread(out['play drawn/s'], '/s', 1)}; frames advanced "
              f"{spread(out['play advanced/s'], '/s', 1)}; frames passed over to stay in "
              f"time (dropped) {spread(out['play dropped/s'], '/s', 1)}", flush=True)
    finally:
        if not kept:
            shutil.rmtree(data, ignore_errors=True)
    print(f"load average after: {load_average()}", flush=True)


if __name__ == "__main__":
    main()
