"""The audio player in Chromium: a 2-hour recording's waveform opened, and 1,000 segments
edited by mouse.

    python -m bench.audio_open [--runs 5] [--moves 60]

Data (made once, not timed): a 2-hour 8 kHz mono WAV (silence: the <audio> element reads
only its header until played) in the media folder, and its waveform data written where the
waveform job writes it (`accord.media.waveform` keys): 720,000 peak pairs (an envelope that
varies like speech) and a 360,000-column × 128-bin spectrogram (46 MB), so no 2-hour
decode is needed; a segments question with 1,000 segments (5 s each, 2.2 s apart) given as
a model's predictions, which the annotate screen starts from.

Reported, median and min–max over ``--runs`` page loads (or p50 / p95 / max of moves):
- **open**: from the navigation's start (performance.timeOrigin) to the end of wavesurfer's
  first complete draw of the waveform (app start, sign-in check, the task, the manifest, the
  1.4 MB of peaks, drawing), with 1,000 segments on it;
- **drag, all 1,000 drawn** (not zoomed): ``--moves`` pointer moves of a mouse drag making a
  new segment; each from the pointermove event to the first task after the next animation
  frame (React's render and the DOM update done, the frame painted);
- **edge drag, zoomed 64×** (about 15 of the 1,000 drawn, the spectrogram drawn too): the same
  for a drag of a segment's end edge, which recomputes the segment list each move.

Headless Chromium draws in software (--disable-gpu) on the same 2 cores as the server: the
figures are an upper bound of what a person's browser does.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
import wave
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from accord.db import Database
from accord.db.migrate import upgrade
from accord.media.storage import open_storage
from accord.media.waveform import (
    BINS,
    COLUMN_RATE,
    FLOOR_DB,
    PEAK_RATE,
    VERSION,
    manifest_key,
    peaks_key,
    spectrogram_key,
)
from accord.settings import Settings
from bench.machine import load_average, machine
from tests.factories import add_tasks, make_project, make_user
from tests.live import live_server

PASSWORD = "bench password 1"
SECONDS = 7200
RATE = 8000
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
PLAYER = "[data-audio-field=speech]"

# Per pointermove: the time to the first task after the next animation frame.
HOOK = """() => {
  window.__moves = [];
  window.addEventListener('pointermove', () => {
    const t0 = performance.now();
    requestAnimationFrame(() => setTimeout(() => window.__moves.push(performance.now() - t0), 0));
  }, {capture: true});
}"""


def recording(media: Path) -> str:
    media.mkdir(parents=True, exist_ok=True)
    path = media / "two-hours.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        silence = bytes(2 * RATE * 60)
        for _ in range(SECONDS // 60):
            out.writeframes(silence)
    return f"file://{path.resolve()}"


def waveform_data(settings: Settings, project_id: int, src: str) -> None:
    storage = open_storage(settings)
    count = SECONDS * PEAK_RATE
    t = np.arange(count) / PEAK_RATE
    envelope = np.abs(np.sin(t * 2.1)) * (0.4 + 0.6 * np.abs(np.sin(t / 37))) * 120
    peaks = np.empty(2 * count, dtype=np.int8)
    peaks[0::2] = -envelope.astype(np.int8)
    peaks[1::2] = envelope.astype(np.int8)
    storage.write_bytes(peaks_key(project_id, src), peaks.tobytes())
    columns = SECONDS * COLUMN_RATE
    rng = np.random.default_rng(3)
    block = rng.integers(0, 256, size=(COLUMN_RATE * 60, BINS), dtype=np.uint8)
    spectrogram = np.tile(block, (SECONDS // 60, 1))
    storage.write_bytes(spectrogram_key(project_id, src), spectrogram.tobytes())
    manifest = {
        "version": VERSION,
        "duration": float(SECONDS),
        "sample_rate": RATE,
        "channels": 1,
        "peaks": {"rate": PEAK_RATE, "count": count},
        "spectrogram": {
            "column_rate": COLUMN_RATE,
            "bins": BINS,
            "columns": columns,
            "max_hz": RATE / 2,
            "scale": "mel",
            "floor_db": FLOOR_DB,
        },
    }
    storage.write_bytes(manifest_key(project_id, src), orjson.dumps(manifest))


def segments(n: int) -> list[dict[str, Any]]:
    step = SECONDS / n
    return [
        {
            "id": f"s{i + 1}",
            "label": "speech",
            "start": round(i * step, 3),
            "end": round(i * step + 5, 3),
        }
        for i in range(n)
    ]


def stats(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"p50 {statistics.median(ordered):.1f} / p95 {p95:.1f} / max {ordered[-1]:.1f} ms"


def drag_moves(page: Any, start: tuple[float, float], dx: float, moves: int) -> list[float]:
    page.evaluate("() => { window.__moves = []; }")
    page.mouse.move(*start)
    page.mouse.down()
    for i in range(moves):
        page.mouse.move(start[0] + dx * (i + 1), start[1])
        page.wait_for_timeout(20)
    page.mouse.up()
    page.wait_for_timeout(100)
    return [float(v) for v in page.evaluate("() => window.__moves")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--moves", type=int, default=60)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    print(machine(), flush=True)
    data = Path(tempfile.mkdtemp(prefix="accord-bench-audio-"))
    try:
        settings = Settings(data_dir=data)
        db = Database(settings.resolved_database_url())
        upgrade(db)
        lead, _ = make_user(db, "lead@example.com")
        annotator, _ = make_user(db, "ann@example.com", password=PASSWORD)
        started = time.perf_counter()
        interface = {
            "fields": [{"name": "speech", "kind": "audio"}],
            "questions": [
                {
                    "name": "parts",
                    "kind": "segments",
                    "target": "speech",
                    "labels": ["speech", "music"],
                    "overlap": "refuse",
                }
            ],
        }
        made = make_project(db, lead, interface, members={annotator: "annotator"})
        src = recording(data / "media")
        waveform_data(settings, int(made.id), src)
        add_tasks(
            db,
            lead,
            made,
            [
                {
                    "id": "long",
                    "speech": {"src": src, "duration": float(SECONDS)},
                    "predictions": [
                        {
                            "model_version": "bench",
                            "result": {"parts": {"segments": segments(1000)}},
                        }
                    ],
                }
            ],
        )
        print(f"data made in {time.perf_counter() - started:.1f} s", flush=True)
        db.dispose()
        with live_server(settings) as server, sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", headless=True, args=ARGS
            )
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.goto(f"{server.url}/signin?next=/")
            page.get_by_label("Email").fill("ann@example.com")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_label("Password").press("Enter")
            page.wait_for_selector(".topbar-user")
            opens: list[float] = []
            for _ in range(args.runs):
                page.goto(f"{server.url}/projects/{made.id}/annotate")
                page.wait_for_selector(f"{PLAYER}[data-drawn=true]", timeout=60_000)
                page.wait_for_function(
                    "() => document.querySelectorAll('.seg-band [data-segment-id]').length "
                    "=== 1000",
                    timeout=60_000,
                )
                opens.append(float(page.get_attribute(PLAYER, "data-drawn-at") or "nan"))
            print(
                f"open (2 h waveform, 1,000 segments): median {statistics.median(opens):.0f} "
                f"ms (min {min(opens):.0f}, max {max(opens):.0f}) over {args.runs} loads",
                flush=True,
            )
            page.evaluate(HOOK)
            lane = page.locator("[data-lane=music] .seg-track").bounding_box()
            assert lane is not None
            moves = drag_moves(
                page, (lane["x"] + 40, lane["y"] + lane["height"] / 2), 8, args.moves
            )
            print(f"drag, all 1,000 drawn: {stats(moves)} ({len(moves)} moves)", flush=True)
            page.locator(PLAYER).focus()
            for _ in range(6):
                page.keyboard.press("z")
            page.wait_for_selector(f"{PLAYER}[data-zoom='64']")
            page.wait_for_function(
                "() => document.querySelector('[data-spectrogram-drawn]')"
                "?.dataset.spectrogramDrawn !== ''",
                timeout=30_000,
            )
            shown = page.locator(".seg-band [data-segment-id]").count()
            edge = page.locator("[data-lane=speech] [data-segment-id] [data-edge=end]").nth(3)
            box = edge.bounding_box()
            assert box is not None
            moves = drag_moves(
                page, (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2), -0.5, args.moves
            )
            print(
                f"edge drag, zoomed 64× ({shown} drawn of 1,000): {stats(moves)} "
                f"({len(moves)} moves)",
                flush=True,
            )
            browser.close()
    finally:
        shutil.rmtree(data, ignore_errors=True)
    print(f"load average after: {load_average()}", flush=True)


if __name__ == "__main__":
    main()
