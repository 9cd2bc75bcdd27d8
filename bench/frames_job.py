"""The frames job's two paths against FFmpeg's own speed, on the 10,000-frame 1080p video of
bench/video_open.py: JPEG frames (`accord.media.frames.make_frames`) and the packets the
browser decodes (`accord.media.frames.make_packets`: stream copy, and a decode without colour
conversion that checks each packet makes one picture).

    python -m bench.frames_job [--frames 10000] [--size 1920x1080] [--gop 25] [--runs 3]
        [--threads 0] [--before]

Data (made once, not timed): the video of bench/video_open.py (``testsrc2``, 25 fps, x264
``ultrafast``, a keyframe every ``--gop`` frames: 25, the most the packets path takes at
1080p; 50 was the video of the earlier figures, which the packets path refuses), cached in
``$TMPDIR/accord-bench-video/``.

Reported, each the median of ``--runs`` runs with the lowest and highest, in seconds, "× real
time" (the video's duration over the time) and frames/s:
- ``make_packets`` into a local storage folder (what the job does for an eligible video:
  packets.bin and manifest.json written, every packet decoded once to check it), its CPU
  seconds per frame too;
- ``make_frames`` into a local storage folder (what the job does for one video: decode, a
  JPEG per frame, frames.bin and manifest.json written), ``--threads`` JPEG encoding threads
  (0: one per core); its CPU seconds (all threads) per frame too;
- with ``--before``, the design it replaced, for comparison: each frame converted to RGB and
  encoded with Pillow in the decoding thread, one after the other;
- outside references: ``ffmpeg -i video -f null -`` (decoding alone, its default threads) and
  ``ffmpeg -i video -q:v 3 -f image2pipe -vcodec mjpeg -`` (FFmpeg decoding and writing JPEGs
  itself, to /dev/null).
Timings on a shared machine are noisy: the load average is printed before and after.
"""

from __future__ import annotations

import argparse
import io
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from accord.media.frames import make_frames, make_packets, write_frames
from accord.media.storage import LocalStorage
from accord.media.videos import Frame, VideoLimits, decoded_frames
from bench.machine import load_average, machine
from bench.video_open import FPS, video

LIMITS = VideoLimits(seconds=3600.0)


def pillow_rgb(frame: Frame) -> bytes:
    """The JPEG as the frames job made it before: RGB from FFmpeg, Pillow at quality 85."""
    from PIL import Image

    out = io.BytesIO()
    Image.fromarray(frame.pixels(), mode="RGB").save(out, format="JPEG", quality=85)
    return out.getvalue()


def job(path: Path, threads: int) -> tuple[float, float, int]:
    """Wall and CPU seconds of make_frames on the video, and the bytes of frames.bin."""
    root = Path(tempfile.mkdtemp(prefix="accord-bench-frames-"))
    try:
        storage = LocalStorage(root)
        wall, cpu = time.perf_counter(), time.process_time()
        with path.open("rb") as file:
            manifest = make_frames(storage, 1, "bench.mp4", file, LIMITS, threads=threads)
        return time.perf_counter() - wall, time.process_time() - cpu, int(manifest["bytes"])
    finally:
        shutil.rmtree(root, ignore_errors=True)


def packets(path: Path) -> tuple[float, float, int]:
    """Wall and CPU seconds of make_packets on the video, and the bytes of packets.bin."""
    root = Path(tempfile.mkdtemp(prefix="accord-bench-packets-"))
    try:
        storage = LocalStorage(root)
        wall, cpu = time.perf_counter(), time.process_time()
        with path.open("rb") as file:
            manifest = make_packets(storage, 1, "bench.mp4", file, LIMITS)
        return time.perf_counter() - wall, time.process_time() - cpu, int(manifest["bytes"])
    finally:
        shutil.rmtree(root, ignore_errors=True)


def before(path: Path) -> tuple[float, float, int]:
    """The replaced design: RGB and Pillow, one frame after the other in one thread."""
    wall, cpu = time.perf_counter(), time.process_time()
    out = io.BytesIO()
    with path.open("rb") as file:
        manifest = write_frames(
            decoded_frames(file, "bench.mp4", LIMITS), out, encode=pillow_rgb, threads=1
        )
    return time.perf_counter() - wall, time.process_time() - cpu, int(manifest["bytes"])


def ffmpeg(*args: str) -> Callable[[Path], tuple[float, float, int]]:
    def run(path: Path) -> tuple[float, float, int]:
        started = time.perf_counter()
        done = subprocess.run(
            ["ffmpeg", "-v", "error", "-i", str(path), *args], check=True, stdout=subprocess.PIPE
        )
        return time.perf_counter() - started, float("nan"), len(done.stdout)

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--frames", type=int, default=10_000)
    parser.add_argument("--size", default="1920x1080")
    parser.add_argument("--gop", type=int, default=25, help="frames between keyframes")
    parser.add_argument("--preset", default="ultrafast", help="x264's preset (bench/video_open.py)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=0, help="JPEG threads (0: one a core)")
    parser.add_argument("--before", action="store_true", help="also time the replaced design")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))

    print(machine(), flush=True)
    path = video(args.frames, width, height, args.gop, args.preset)
    seconds = args.frames / FPS
    print(
        f"video: {path.name}, {args.frames:,} frames, {width}×{height}, {FPS} fps, "
        f"{seconds:.0f} s, {path.stat().st_size / 1e6:.0f} MB (x264 {args.preset}, GOP {args.gop})",
        flush=True,
    )
    cases: list[tuple[str, Callable[[Path], tuple[float, float, int]]]] = [
        ("make_packets (stream copy + checking decode)", packets),
        (
            f"make_frames ({args.threads or 'one per core'} JPEG threads)",
            lambda p: job(p, args.threads),
        ),
        ("reference: ffmpeg -i video -f null - (decode only)", ffmpeg("-f", "null", "-")),
        (
            "reference: ffmpeg -i video -q:v 3 -f image2pipe -vcodec mjpeg - (JPEGs)",
            ffmpeg("-q:v", "3", "-f", "image2pipe", "-vcodec", "mjpeg", "-"),
        ),
    ]
    if args.before:
        cases.insert(1, ("before: RGB + Pillow, one thread, one frame at a time", before))
    results: dict[str, list[tuple[float, float, int]]] = {name: [] for name, _ in cases}
    for run in range(args.runs):  # interleaved, so a burst of load hits every case alike
        for name, case in cases:
            results[name].append(case(path))
            wall = results[name][-1][0]
            print(f"  run {run + 1}, {name}: {wall:.1f} s (load {load_average()})", flush=True)
    print(f"{args.runs} runs each; median (lowest–highest):", flush=True)
    for name, _ in cases:
        walls = [r[0] for r in results[name]]
        median = statistics.median(walls)
        cpu = statistics.median(r[1] for r in results[name])
        cpu_text = "" if cpu != cpu else f"; CPU {cpu / args.frames * 1000:.1f} ms a frame"
        print(
            f"  {name}: {median:.1f} s ({min(walls):.1f}–{max(walls):.1f}), "
            f"{seconds / median:.1f}× real time ({seconds / max(walls):.1f}–"
            f"{seconds / min(walls):.1f}), {args.frames / median:.0f} frames/s{cpu_text}; "
            f"{results[name][0][2] / 1e6:.0f} MB out",
            flush=True,
        )
    print(f"load average after: {load_average()}", flush=True)


if __name__ == "__main__":
    main()
