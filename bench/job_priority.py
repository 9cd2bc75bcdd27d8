"""Annotators' latency while the server makes a video's frames, at each ``ACCORD_JOB_NICENESS``.

    python -m bench.job_priority [--niceness 0,10] [--runs 3] [--annotators 8]
        [--frames 1500] [--idle-seconds 8] [--b-tasks 60000]

The layout of ``make run``: one server process on SQLite, no Redis, so the server's own job
threads make the frames (`accord.jobs.priority`). Each run starts from a fresh database and a
fresh server: project B holds ``--b-tasks`` text tasks and the annotators (next → submit, no
pause, as in bench/imports.py); project A has a video field. The annotators work alone for
``--idle-seconds`` (the idle figure), then a 1080p video of ``--frames`` frames (that of
bench/video_open.py, a keyframe every 25 frames: the packets path, then the JPEG frames, as
``ACCORD_VIDEO_FRAMES=auto`` does) is uploaded to A, which starts the frames job; "during"
runs from the upload to the job seen finished. The runs take the niceness values in turn
(0, 10, 0, 10, …), so that both meet the same machine.

Figures per niceness: the median over runs with min–max; latency pooled over the runs as p50
(p5–p95) / p99 in ms; the frames job's seconds (the server's clock, start to end).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from accord.settings import Settings
from bench.imports import Annotators, prepare
from bench.machine import load_average, machine
from bench.setup import latency, spread, table, write_tasks
from bench.video_open import INTERFACE, job_seconds, upload, video
from tests.factories import make_project, make_user
from tests.live import live_server


@dataclass
class Run:
    niceness: int
    job_seconds: float
    during_seconds: float
    idle: list[float]
    idle_seconds: float
    during: list[float]
    failed: int


def run_once(niceness: int, path: Path, args: argparse.Namespace, b_path: Path) -> Run:
    bench, _ = prepare("sqlite", args.b_tasks, args.annotators, b_path)
    lead, _token = make_user(bench.db, "lead@example.com")
    target = make_project(bench.db, lead, INTERFACE)
    bench.db.dispose()
    auths = [f"Bearer {t}" for t in bench.annotator_tokens]
    settings: Settings = bench.settings
    env = {"ACCORD_JOB_NICENESS": str(niceness)}
    with live_server(settings, env=env) as server:
        crowd = Annotators(server.url + "/api/v1", auths, bench.project_id)
        idle_start = time.time() + 1  # connections up
        time.sleep(1 + args.idle_seconds)
        idle_end = time.time()
        with httpx.Client(
            base_url=server.url + "/api/v1",
            timeout=600,
            headers={"Authorization": f"Bearer {_token}"},
        ) as client:
            start = time.time()
            _src, _took, job_id = upload(client, int(target.id), path)
            span, _waited = job_seconds(client, job_id)
            end = time.time()
        cycles = crowd.stop()
    bench.close()
    idle, idle_failed = cycles.within(idle_start, idle_end)
    during, during_failed = cycles.within(start, end)
    return Run(
        niceness,
        span,
        end - start,
        idle,
        idle_end - idle_start,
        during,
        idle_failed + during_failed,
    )


def summarise(niceness: int, runs: list[Run]) -> dict[str, object]:
    idle = sorted(x for r in runs for x in r.idle)
    during = sorted(x for r in runs for x in r.during)
    return {
        "ACCORD_JOB_NICENESS": niceness,
        "runs": len(runs),
        "frames job s": spread([r.job_seconds for r in runs], "{:.1f}"),
        "cycle ms idle p50 (p5–p95) / p99": latency(idle),
        "cycle ms during the job": latency(during),
        "cycles/s idle → during": f"{spread([len(r.idle) / r.idle_seconds for r in runs])} → "
        f"{spread([len(r.during) / r.during_seconds for r in runs])}",
        "failed": sum(r.failed for r in runs),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--niceness", default="0,10")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--annotators", type=int, default=8)
    parser.add_argument("--frames", type=int, default=1500)
    parser.add_argument("--idle-seconds", type=float, default=8)
    parser.add_argument("--b-tasks", type=int, default=60_000)
    args = parser.parse_args()
    values = [int(v) for v in args.niceness.split(",")]
    print(machine(), flush=True)
    path = video(args.frames, 1920, 1080, gop=25)
    folder = Path(tempfile.mkdtemp(prefix="accord-bench-priority-"))
    b_path = folder / "b.jsonl"
    write_tasks(b_path, args.b_tasks, seed=2)
    print(
        f"{args.annotators} annotators; a {args.frames}-frame 1080p video; niceness "
        f"{values}; {args.runs} runs each, in turn",
        flush=True,
    )
    runs: dict[int, list[Run]] = {v: [] for v in values}
    for number in range(args.runs):
        for value in values:
            done = run_once(value, path, args, b_path)
            runs[value].append(done)
            print(
                f"  run {number + 1}, niceness {value}: job {done.job_seconds:.1f} s; "
                f"cycles idle {latency(sorted(done.idle))}, during "
                f"{latency(sorted(done.during))}; load {load_average()}",
                flush=True,
            )
    print(table([summarise(v, runs[v]) for v in values]), flush=True)
    print(f"load average after: {load_average()}", flush=True)


if __name__ == "__main__":
    main()
