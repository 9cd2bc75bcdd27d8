"""The metrics of a big project: the API call a dashboard makes, and the background
recomputation of the snapshot behind it.

    python -m bench.metrics [--tasks 1000000] [--annotators 500] [--overlap 3] [--days 60]
        [--db sqlite,postgres] [--runs 3] [--calls 20] [--quick]

A fresh database gets a project of ``--tasks`` tasks, each with ``--overlap`` single-choice
answers from ``--annotators`` annotators (written in bulk, as `bench.consensus.prefill` does),
the counters those people's work over ``--days`` days would have left (one `WorkCount` row per
annotator and day), and one scored gold answer for each of 5% of the tasks. Then:

- **recomputation**: `accord.jobs.metrics.refresh` (read every answer, figures, store the
  snapshot), ``--runs`` times: median (min–max), with its write transaction timed apart;
- **API**: a fresh ``accord serve`` (not warmed) on that database, and ``--calls`` calls of
  ``GET /projects/{id}/metrics`` for each of ``by=annotator|day|week|question`` by the
  project's manager, one after another; latency pooled over the runs as p50 (p5–p95) / p99;
- with ``--browser``: the dashboard's first paint in Chromium (from navigation to the
  per-annotator table on screen), ``--runs`` times.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text

import accord.jobs.metrics as job
from bench.annotation_loop import load
from bench.consensus import prefill
from bench.machine import load_average, machine
from bench.setup import Bench, fresh, latency, recount_progress, spread, table, write_tasks
from tests.live import live_server

BY = ("annotator", "day", "week", "question")


def fill_counts(bench: Bench, days: int, overlap: int, seed: int = 5) -> None:
    """One `WorkCount` row per annotator and day, the answers spread over the days; gold
    scores on 5% of the tasks."""
    rng = random.Random(seed)
    with bench.db.write() as session:
        people = [
            int(r[0])
            for r in session.execute(
                text(
                    "SELECT user_id, count(*) FROM annotations WHERE project_id = :p "
                    "GROUP BY user_id"
                ),
                {"p": bench.project_id},
            )
        ]
        rows = []
        for user in people:
            for day in range(days):
                n = rng.randint(50, 150)
                rows.append(
                    {
                        "p": bench.project_id,
                        "u": user,
                        "d": f"2026-{1 + day // 28:02d}-{1 + day % 28:02d}",
                        "n": n,
                        "s": n * rng.uniform(10, 40),
                        "a": n // 10,
                        "f": n // 40,
                        "r": n // 50,
                        "x": n // 60,
                        "k": rng.randint(0, 3),
                    }
                )
        session.execute(
            text(
                "INSERT INTO work_counts (project_id, user_id, day, submitted, deleted, "
                "skipped, seconds, accepted, fixed, rejected, failed) "
                "VALUES (:p, :u, :d, :n, 0, :k, :s, :a, :f, :r, :x)"
            ),
            rows,
        )
        session.execute(
            text(
                "INSERT INTO gold_scores (project_id, task_id, user_id, purpose, attempt, "
                "result, score, detail, seconds, created_at) "
                "SELECT project_id, task_id, user_id, 'gold', 1, '{}', "
                "CASE WHEN task_id % 5 = 0 THEN 0.0 ELSE 1.0 END, '{}', 10, created_at "
                "FROM annotations WHERE project_id = :p AND task_id % 20 = 0"
            ),
            {"p": bench.project_id},
        )
    recount_progress(bench.db, bench.project_id)


def time_refresh(bench: Bench) -> tuple[float, float]:
    """`refresh` end to end, and the part spent in its write transaction."""
    spent = {"write": 0.0}
    store = job.do_store_metrics

    def timed(*args: Any) -> bool:
        t0 = time.perf_counter()
        out = store(*args)
        spent["write"] += time.perf_counter() - t0
        return out

    job.do_store_metrics = timed  # type: ignore[assignment]
    try:
        t0 = time.perf_counter()
        assert job.refresh(bench.db, bench.project_id)
        total = time.perf_counter() - t0
    finally:
        job.do_store_metrics = store  # type: ignore[assignment]
    return total, spent["write"]


def time_calls(url: str, token: str, project_id: int, calls: int) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {by: [] for by in BY}
    with httpx.Client(
        base_url=url + "/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=60
    ) as http:
        for _ in range(calls):
            for by in BY:
                t0 = time.perf_counter()
                got = http.get(f"/projects/{project_id}/metrics", params={"by": by})
                out[by].append(time.perf_counter() - t0)
                assert got.status_code == 200, got.text
                assert got.json()["computed_at"] is not None and not got.json()["stale"]
    return out


TABLE = "section[aria-labelledby=per-annotator] table tbody tr"
# Notes the moment the per-annotator table enters the page, from the navigation's start.
WATCH = (
    "new MutationObserver(() => { if (!window.__shown && document.querySelector("
    + repr(TABLE)
    + ")) window.__shown = performance.now(); })"
    ".observe(document, {subtree: true, childList: true});"
)


def first_paint(url: str, project_id: int, email: str, password: str, runs: int) -> list[float]:
    """Seconds from the navigation's start (performance.timeOrigin) to the dashboard's
    per-annotator table in the page (a MutationObserver installed before the page's scripts
    notes it; it is painted at the next frame)."""
    from playwright.sync_api import sync_playwright

    out = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox"]
        )
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.add_init_script(WATCH)
        page.goto(f"{url}/signin?next=/")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_label("Password").press("Enter")
        page.wait_for_selector(".topbar-user")
        for _ in range(runs):
            page.goto(f"{url}/")
            page.wait_for_selector(".topbar-user")
            page.goto(f"{url}/projects/{project_id}/dashboard")
            page.wait_for_selector(TABLE)
            out.append(float(page.evaluate("window.__shown")) / 1000)
        # Where the last run's time went: when each request ended, from the navigation.
        ends = page.evaluate(
            "performance.getEntriesByType('resource').filter(e => /metrics|projects\\/\\d+$|"
            "Dashboard|index-/.test(e.name)).map(e => [e.name.replace(location.origin, ''), "
            "Math.round(e.startTime), Math.round(e.responseEnd)])"
        )
        for name, start, end in ends:
            print(f"    {name}: {start}-{end} ms", flush=True)
        browser.close()
    return out


def run_once(database: str, args: argparse.Namespace, path: Path) -> dict[str, Any]:
    from tests.factories import make_user

    bench = fresh(database, overlap=args.overlap)
    t0 = time.perf_counter()
    load(bench, path)
    prefill(bench, args.annotators, args.overlap)
    fill_counts(bench, args.days, args.overlap)
    filled = time.perf_counter() - t0
    refreshes = [time_refresh(bench) for _ in range(args.runs)]
    found: dict[str, Any] = {"filled": filled, "refresh": refreshes}
    password = "bench password 1"
    if args.browser:
        make_user(bench.db, "lead@example.com", password=password, admin=True)
    with live_server(bench.settings) as server:
        found["calls"] = time_calls(server.url, bench.owner_token, bench.project_id, args.calls)
        if args.browser:
            found["paint"] = first_paint(
                server.url, bench.project_id, "lead@example.com", password, args.runs
            )
    bench.close()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=1_000_000)
    parser.add_argument("--annotators", type=int, default=500)
    parser.add_argument("--overlap", type=int, default=3)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--browser", action="store_true", help="also the dashboard's first paint")
    parser.add_argument(
        "--quick", action="store_true", help="20,000 tasks, 1 run (checks the script, not a figure)"
    )
    args = parser.parse_args()
    if args.quick:
        args.tasks, args.runs, args.calls = 20_000, 1, 5
    print(machine())
    print(
        f"metrics of {args.tasks:,} tasks × {args.overlap} answers from {args.annotators} "
        f"annotators over {args.days} days; {args.runs} recomputations and {args.calls} calls "
        f"per `by` ({', '.join(BY)}), fresh server",
        flush=True,
    )
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tasks.jsonl"
        write_tasks(path, args.tasks)
        for database in args.db.split(","):
            found = run_once(database, args, path)
            totals = [t for t, _ in found["refresh"]]
            writes = [w for _, w in found["refresh"]]
            print(
                f"  {database}: data written in {found['filled']:.0f} s; recomputation "
                + ", ".join(f"{t:.1f} s (write {w * 1000:.0f} ms)" for t, w in found["refresh"]),
                flush=True,
            )
            row = {
                "database": database,
                "recompute s median (min–max)": spread(totals, "{:.1f}"),
                "its write ms": spread([w * 1000 for w in writes], "{:.0f}"),
            }
            for by in BY:
                row[f"GET by={by} ms p50 (p5–p95) / p99"] = latency(sorted(found["calls"][by]))
            if "paint" in found:
                row["dashboard first paint s"] = spread(found["paint"], "{:.2f}")
            rows.append(row)
    print(table(rows))
    print(f"load average at the end: {load_average()}", flush=True)


if __name__ == "__main__":
    main()
