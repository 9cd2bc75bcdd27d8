"""Label Studio beside Accord: the same data, the same load, the same rules, one script.

    python -m bench.label_studio [--import-tasks 100000] [--export-tasks 10000]
        [--loop-tasks 100000] [--annotators 8] [--seconds 20] [--runs 3]
        [--only import,export,loop] [--side accord,label-studio]

Label Studio (the open-source edition, version ``VERSION`` from PyPI) is installed by this
script into its own virtual environment under bench/out/ (git-ignored; nothing of it is kept in
the repository) and started the way ``pip install label-studio`` runs it: ``label-studio
start``, Django's threaded server in one process, on 127.0.0.1, with its default SQLite
database in a temporary directory. Everything that would reach the internet is switched off
(Sentry, the PyPI version check, usage analytics, converter downloads; feature flags are
offline). The owner account and its API token are made at start-up from
``LABEL_STUDIO_USERNAME`` / ``LABEL_STUDIO_PASSWORD`` / ``LABEL_STUDIO_USER_TOKEN`` with legacy
tokens enabled (``--enable-legacy-api-token``; requests carry ``Authorization: Token …``);
annotators sign up through its sign-up form and read their token from
``/api/current-user/token``, as a person would.

Accord runs on SQLite too, one server process (``accord serve``), started by the same kind of
code. Both sides get the tasks of ``bench/setup.py``'s ``write_tasks``: Accord as the JSONL
file, Label Studio as a JSON array of the same objects (its open-source edition reads JSON,
CSV, TSV and TXT, not JSONL). Label Studio's project asks the question of Accord's SIMPLE
interface (``tests/factories.py``): one required single choice, pos or neg, over the text.

Measured, on each side:
- import: the whole file in one request (Accord: a streamed upload; Label Studio: a file
  upload to ``/api/projects/{id}/import``, which its open-source edition runs inside the
  request); seconds from sending to the answer, tasks/s, the server's peak RSS;
- export: every task with one annotation (and, with ``rich``, three annotations and a model
  prediction), imported beforehand; Accord's JSONL and CSV against Label Studio's JSON and CSV
  (``/api/projects/{id}/export?exportType=…&download_all_tasks=true``), to the last byte;
- the annotation loop: ``--annotators`` simulated annotators with no think time, each asking
  for the next task and submitting a choice (Label Studio: ``GET /api/projects/{id}/next/``,
  then ``POST /api/tasks/{id}/annotations/``), overlap 3 on both sides, for ``--seconds``.

Rules (the same as every server benchmark here): each run starts a fresh server on a fresh
database (neither side warmed; Label Studio's database is copied from a template made once, so
its migrations are not timed); each figure is the median of ``--runs`` runs with min–max,
latency pooled over the runs as p50 (p5–p95) / p99; every failed request is counted and shown,
and a failed run's time is left out. Label Studio is slow, so the default sizes are smaller
than Accord's own benchmarks: 100,000 tasks to import, 10,000 to export, a 100,000-task
project for the loop; the same sizes are used for Accord in the same table.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.annotation_loop import OVERLAP, Tally, accord_cycle, drive, load
from bench.annotation_loop import integrity as accord_integrity
from bench.exports import ONE, RICH, Shape, export_once, fill
from bench.machine import load_average, machine
from bench.setup import fresh, latency, peak_rss_mb, spread, table, upload_jsonl, write_tasks
from tests.live import free_port, live_server

VERSION = "1.23.2"
VENV = Path(__file__).resolve().parent / "out" / "label-studio-venv"
OWNER = "owner@example.com"
PASSWORD = "bench-password-1"  # a throwaway account on a server that lives for one run
CONFIG = """<View>
  <Text name="text" value="$text"/>
  <Choices name="label" toName="text" choice="single" required="true">
    <Choice value="pos"/>
    <Choice value="neg"/>
  </Choices>
</View>"""
CHOICE = [{"from_name": "label", "to_name": "text", "type": "choices",
           "value": {"choices": ["pos"]}}]
# Switches that keep Label Studio off the internet (read from its settings, 1.23.2).
OFFLINE = {
    "SENTRY_DSN": "",
    "FRONTEND_SENTRY_DSN": "",
    "LATEST_VERSION_CHECK": "false",
    "COLLECT_ANALYTICS": "false",
    "CONVERTER_DOWNLOAD_RESOURCES": "false",
    "FEATURE_FLAGS_OFFLINE": "true",
}


# --- Label Studio: install, template, server ---------------------------------------------


def ensure_installed() -> Path:
    """The virtual environment with Label Studio ``VERSION``, made if missing."""
    python = VENV / "bin" / "python"
    if not python.exists():
        print(f"installing label-studio=={VERSION} into {VENV} (a few minutes)", flush=True)
        VENV.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", f"label-studio=={VERSION}"],
                       check=True)
    found = subprocess.run(
        [str(python), "-c", "import importlib.metadata as m; print(m.version('label-studio'))"],
        check=True, capture_output=True, text=True).stdout.strip()
    if found != VERSION:
        raise SystemExit(f"{VENV} holds label-studio {found}, not {VERSION}: delete it and rerun")
    return python


@dataclass
class LabelStudio:
    url: str
    process: subprocess.Popen[bytes]
    token: str
    log: Path

    def client(self, token: str | None = None, timeout: float = 3600) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=timeout,
                            headers={"Authorization": f"Token {token or self.token}"})


def _env(data: Path, token: str) -> dict[str, str]:
    return {
        "PATH": f"{VENV / 'bin'}:/usr/bin:/bin",
        "HOME": str(data),
        "LANG": "C.UTF-8",
        "LABEL_STUDIO_BASE_DATA_DIR": str(data),
        "LABEL_STUDIO_USERNAME": OWNER,
        "LABEL_STUDIO_PASSWORD": PASSWORD,
        "LABEL_STUDIO_USER_TOKEN": token,
        **OFFLINE,
    }


@contextmanager
def label_studio(template: Path, token: str, keep: Path | None = None) -> Iterator[LabelStudio]:
    """A Label Studio server on a copy of ``template`` (a data directory), for one run; with
    ``keep``, its data directory is copied there once the server has stopped."""
    data = Path(tempfile.mkdtemp(prefix="label-studio-bench-"))
    shutil.copytree(template, data, dirs_exist_ok=True)
    port = free_port()
    log = data / "server.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [str(VENV / "bin" / "label-studio"), "start", "--no-browser", "--internal-host",
             "127.0.0.1", "--port", str(port), "--enable-legacy-api-token"],
            env=_env(data, token), cwd=data, stdout=out, stderr=subprocess.STDOUT)
    server = LabelStudio(f"http://127.0.0.1:{port}", process, token, log)
    try:
        _wait_until_up(server)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        if keep is not None:
            log.unlink(missing_ok=True)
            shutil.copytree(data, keep, dirs_exist_ok=True)
        shutil.rmtree(data, ignore_errors=True)


def _wait_until_up(server: LabelStudio, seconds: float = 600) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"Label Studio exited:\n{server.log.read_text()[-3000:]}")
        try:
            if httpx.get(server.url + "/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"Label Studio did not start:\n{server.log.read_text()[-3000:]}")


def make_template(root: Path) -> tuple[Path, str, float]:
    """A data directory with Label Studio's database migrated and the owner made: each run
    starts on a copy, so its migrations are not timed. Returns the directory, the owner's
    token and the seconds the first start took."""
    empty = root / "empty"
    empty.mkdir()
    template = root / "template"
    token = secrets.token_hex(20)
    start = time.perf_counter()
    with label_studio(empty, token, keep=template) as server, server.client() as http:
        http.get("/api/current-user/whoami").raise_for_status()
        seconds = time.perf_counter() - start
    return template, token, seconds


def create_project(server: LabelStudio, overlap: int) -> int:
    with server.client() as http:
        got = http.post("/api/projects/", json={
            "title": "bench", "label_config": CONFIG, "maximum_annotations": overlap})
        got.raise_for_status()
        return int(got.json()["id"])


def sign_up(server: LabelStudio, email: str) -> str:
    """An annotator signs up through the form and reads their API token."""
    with httpx.Client(base_url=server.url, timeout=60) as http:
        http.get("/user/signup/").raise_for_status()
        done = http.post("/user/signup/", data={
            "email": email, "password": PASSWORD,
            "csrfmiddlewaretoken": http.cookies.get("csrftoken", "")},
            headers={"Referer": server.url + "/user/signup/"})
        if done.status_code != 302:
            raise RuntimeError(f"sign-up of {email} answered {done.status_code}: "
                               f"{done.text[:300]}")
        got = http.get("/api/current-user/token")
        got.raise_for_status()
        return str(got.json()["token"])


def ls_tasks(path: Path, shape: Shape | None = None, annotators: list[str] | None = None,
             ) -> bytes:
    """The JSONL tasks as a JSON array, the same objects as Label Studio's task data; with a
    shape, each carries its annotations (by the given annotators' emails) and predictions."""
    items = []
    with open(path) as source:
        for line in source:
            task: dict[str, Any] = {"data": json.loads(line)}
            if shape is not None:
                assert annotators is not None
                task["annotations"] = [
                    {"result": CHOICE, "lead_time": 12.5, "completed_by": {"email": email}}
                    for email in annotators[: shape.annotations]]
                if shape.predictions:
                    task["predictions"] = [
                        {"result": CHOICE, "score": 0.87, "model_version": "model-1"}]
            items.append(task)
    return json.dumps(items).encode()


def ls_import(server: LabelStudio, project_id: int, body: bytes) -> httpx.Response:
    with server.client() as http:
        return http.post(f"/api/projects/{project_id}/import",
                         files={"file": ("tasks.json", body, "application/json")})


# --- measurements --------------------------------------------------------------------------


@dataclass
class Timed:
    seconds: float
    peak_mb: float = 0.0
    size: int = 0
    failure: str | None = None


def import_accord(path: Path, count: int) -> Timed:
    bench = fresh("sqlite")
    try:
        with live_server(bench.settings) as server:
            start = time.perf_counter()
            failure = None
            try:
                got = upload_jsonl(server.url, bench.owner_token, bench.project_id, path)
                if got.status_code not in (200, 201):
                    failure = f"HTTP {got.status_code}: {got.text[:200]}"
                elif got.json().get("created") != count:
                    failure = f"created {got.json().get('created')}, expected {count}"
            except httpx.HTTPError as exc:
                failure = f"{type(exc).__name__}: {exc}"
            seconds = time.perf_counter() - start
            peak = peak_rss_mb(server.process.pid)
    finally:
        bench.close()
    return Timed(seconds, peak, path.stat().st_size, failure)


def import_label_studio(template: Path, token: str, body: bytes, count: int) -> Timed:
    with label_studio(template, token) as server:
        project = create_project(server, 1)
        start = time.perf_counter()
        failure = None
        try:
            got = ls_import(server, project, body)
            if got.status_code != 201:
                failure = f"HTTP {got.status_code}: {got.text[:200]}"
            elif got.json().get("task_count") != count:
                failure = f"task_count {got.json().get('task_count')}, expected {count}"
        except httpx.HTTPError as exc:
            failure = f"{type(exc).__name__}: {exc}"
        seconds = time.perf_counter() - start
        peak = peak_rss_mb(server.process.pid)
    return Timed(seconds, peak, len(body), failure)


def export_accord(path: Path, count: int, shape: Shape, runs: int) -> dict[str, list[Timed]]:
    bench = fresh("sqlite", overlap=shape.annotations, annotators=shape.annotations)
    out: dict[str, list[Timed]] = {"jsonl": [], "csv": []}
    try:
        fill(bench, path, shape)
        bench.db.dispose()
        for fmt in out:
            expected = count if fmt == "jsonl" else 1 + count * shape.annotations  # header
            for _ in range(runs):
                with live_server(bench.settings) as server:
                    m = export_once(server.url, server.process.pid, bench.owner_token,
                                    bench.project_id, fmt, expected)
                out[fmt].append(Timed(m.seconds, m.rss_mb, m.size, m.failure))
    finally:
        bench.close()
    return out


def ls_export_once(server: LabelStudio, project_id: int, fmt: str, count: int) -> Timed:
    """One export to the last byte; ``count`` is the number of tasks (JSON) or of rows (CSV:
    one per annotation, as Accord's)."""
    start = time.perf_counter()
    failure = None
    body = b""
    try:
        with server.client() as http:
            got = http.get(f"/api/projects/{project_id}/export",
                           params={"exportType": fmt, "download_all_tasks": "true"})
        body = got.content
        if got.status_code != 200:
            failure = f"HTTP {got.status_code}: {got.text[:200]}"
    except httpx.HTTPError as exc:
        failure = f"{type(exc).__name__}: {exc}"
    seconds = time.perf_counter() - start
    if failure is None:
        found = (len(json.loads(body)) if fmt == "JSON"
                 else sum(1 for _ in csv.reader(io.StringIO(body.decode()))) - 1)
        if found != count:
            failure = f"{found:,} {'tasks' if fmt == 'JSON' else 'rows'}, expected {count:,}"
    return Timed(seconds, peak_rss_mb(server.process.pid), len(body), failure)


def export_label_studio(template: Path, token: str, path: Path, count: int, shape: Shape,
                        runs: int) -> dict[str, list[Timed]]:
    """Fill one project (annotators sign up, tasks imported with their annotations), then
    each run starts a fresh server on a copy of that data and exports once."""
    out: dict[str, list[Timed]] = {"JSON": [], "CSV": []}
    filled = template.parent / f"filled-{shape.annotations}-{shape.predictions}"
    with label_studio(template, token, keep=filled) as server:
        project = create_project(server, shape.annotations)
        emails = [f"annotator{i}@example.com" for i in range(shape.annotations)]
        for email in emails:
            sign_up(server, email)
        got = ls_import(server, project, ls_tasks(path, shape, emails))
        if got.status_code != 201 or got.json().get("task_count") != count:
            raise RuntimeError(f"Label Studio's import for the export answered "
                               f"{got.status_code}: {got.text[:300]}")
    try:
        for fmt in out:
            for _ in range(runs):
                rows = count if fmt == "JSON" else count * shape.annotations
                with label_studio(filled, token) as server:
                    out[fmt].append(ls_export_once(server, project, fmt, rows))
    finally:
        shutil.rmtree(filled, ignore_errors=True)
    return out


def label_studio_cycle(http: httpx.Client, project_id: int, tally: Tally) -> None:
    """One next → submit on Label Studio's API."""
    t0 = time.perf_counter()
    got = http.get(f"/projects/{project_id}/next/")
    t1 = time.perf_counter()
    if got.status_code == 404 and "There are no tasks" in got.text:
        tally.requests.append(t1 - t0)
        tally.empty += 1
        return
    if got.status_code != 200:
        tally.failed_next += 1
        tally.note(f"next {got.status_code}: {got.text}")
        return
    task = got.json()
    done = http.post(f"/tasks/{task['id']}/annotations/",
                     json={"result": CHOICE, "lead_time": 3})
    t2 = time.perf_counter()
    if done.status_code != 201:
        tally.requests.append(t1 - t0)
        tally.failed_submit += 1
        tally.note(f"submit {done.status_code}: {done.text}")
        return
    tally.requests += [t1 - t0, t2 - t1]
    tally.cycles.append(t2 - t0)


def ls_integrity(server: LabelStudio, project_id: int) -> str:
    """Read from Label Studio's database (opened read-only; exporting 100,000 tasks through
    its API would take minutes): no task annotated beyond the overlap, nobody with two
    annotations of one task."""
    database = server.log.parent / "label_studio.sqlite3"
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
        beyond = conn.execute(
            "SELECT count(*) FROM (SELECT task_id FROM task_completion WHERE project_id = ? "
            "AND NOT was_cancelled GROUP BY task_id HAVING count(*) > ?)",
            (project_id, OVERLAP)).fetchone()[0]
        twice = conn.execute(
            "SELECT count(*) FROM (SELECT task_id FROM task_completion WHERE project_id = ? "
            "AND NOT was_cancelled GROUP BY task_id, completed_by_id HAVING count(*) > 1)",
            (project_id,)).fetchone()[0]
    problems = {"annotated beyond overlap": beyond, "annotated twice by one person": twice}
    bad = {k: v for k, v in problems.items() if v}
    return "ok" if not bad else str(bad)


@dataclass
class LoopRun:
    seconds: float
    tally: Tally
    integrity: str


def loop_accord(path: Path, annotators: int, seconds: float) -> LoopRun:
    bench = fresh("sqlite", overlap=OVERLAP, annotators=annotators)
    try:
        load(bench, path)
        bench.db.dispose()
        auths = [f"Bearer {t}" for t in bench.annotator_tokens]
        with live_server(bench.settings) as server:
            tally = drive(accord_cycle, server.url + "/api/v1", auths, bench.project_id,
                          seconds)
        return LoopRun(seconds, tally, accord_integrity(bench, OVERLAP))
    finally:
        bench.close()


def loop_label_studio(template: Path, token: str, body: bytes, count: int, annotators: int,
                      seconds: float) -> LoopRun:
    """Fill a project (import, annotators sign up) on one server, then run the loop on a fresh
    server over that data, so that Label Studio starts the loop as cold as Accord does."""
    filled = template.parent / "loop-filled"
    with label_studio(template, token, keep=filled) as server:
        project = create_project(server, OVERLAP)
        got = ls_import(server, project, body)
        if got.status_code != 201 or got.json().get("task_count") != count:
            raise RuntimeError(f"Label Studio's import for the loop answered "
                               f"{got.status_code}: {got.text[:300]}")
        tokens = [sign_up(server, f"annotator{i}@example.com") for i in range(annotators)]
    try:
        with label_studio(filled, token) as server:
            auths = [f"Token {t}" for t in tokens]
            tally = drive(label_studio_cycle, server.url + "/api", auths, project, seconds)
            return LoopRun(seconds, tally, ls_integrity(server, project))
    finally:
        shutil.rmtree(filled, ignore_errors=True)


# --- the table ----------------------------------------------------------------------------


def timed_cells(runs: list[Timed], count: int) -> tuple[str, str, str]:
    ok = [r for r in runs if r.failure is None]
    return (spread([r.seconds for r in ok], "{:.2f}"), spread([count / r.seconds for r in ok]),
            f"{len(runs) - len(ok)} of {len(runs)}")


def loop_cells(runs: list[LoopRun]) -> dict[str, str]:
    total = Tally()
    for r in runs:
        total.add(r.tally)
    sent = sum(r.tally.requests_sent for r in runs)
    return {
        "cycles/s": spread([len(r.tally.cycles) / r.seconds for r in runs if r.tally.cycles],
                           "{:,.1f}"),
        "request ms p50 (p5–p95) / p99": latency(sorted(total.requests)),
        "cycle ms p50 (p5–p95) / p99": latency(sorted(total.cycles)),
        "failed requests": f"{total.failed} of {sent:,}"
        + (f" (e.g. {total.examples[0][:120]})" if total.examples else ""),
        "empty next": total.empty,
        "integrity": "; ".join(sorted({r.integrity for r in runs})),
    }


def repeat(label: str, runs: int, fn: Callable[[], Any]) -> list[Any]:
    """``fn()`` ``runs`` times, printing a line for each run as it ends."""
    out = []
    for i in range(runs):
        result = fn()
        out.append(result)
        if isinstance(result, LoopRun):
            t = result.tally
            print(f"  {label}: run {i + 1}: {len(t.cycles) / result.seconds:,.1f} cycles/s, "
                  f"{t.failed} failed, {t.empty} empty, integrity {result.integrity}"
                  + (f"; e.g. {t.examples}" if t.examples else ""), flush=True)
        else:
            print(f"  {label}: run {i + 1}: {result.seconds:.2f} s"
                  + (f", FAILED {result.failure}" if result.failure else ""), flush=True)
    return out


def show_failures(name: str, runs: list[Timed]) -> None:
    for r in runs:
        if r.failure:
            print(f"  {name}: FAILED {r.failure}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--import-tasks", type=int, default=100_000)
    parser.add_argument("--export-tasks", type=int, default=10_000)
    parser.add_argument("--loop-tasks", type=int, default=100_000)
    parser.add_argument("--annotators", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", default="import,export,loop")
    parser.add_argument("--rich", action="store_true",
                        help="also export tasks with 3 annotations and 1 prediction each")
    parser.add_argument("--side", default="accord,label-studio")
    parser.add_argument("--quick", action="store_true",
                        help="2,000 tasks, 5 s loops, 1 run (checks the script, not a figure)")
    args = parser.parse_args()
    if args.quick:
        args.import_tasks = args.export_tasks = args.loop_tasks = 2_000
        args.seconds, args.runs = 5.0, 1
    only, sides = set(args.only.split(",")), args.side.split(",")
    print(machine())
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="accord-vs-ls-") as tmp:
        root = Path(tmp)
        template = token = None
        if "label-studio" in sides:
            ensure_installed()
            template, token, first = make_template(root)
            print(f"Label Studio {VERSION}: first start with migrations {first:.0f} s; "
                  f"each run starts on a copy of that database", flush=True)

        def add(what: str, side: str, runs: list[Timed], count: int, extra: str = "") -> None:
            seconds, rate, failed = timed_cells(runs, count)
            ok = [r for r in runs if r.failure is None]
            rows.append({"measure": what, "side": side, "runs": len(runs),
                         "seconds": seconds, "tasks/s": rate,
                         "MB": f"{ok[0].size / 1e6:.1f}" if ok else "",
                         "server peak RSS MB": f"{max(r.peak_mb for r in ok):.0f}" if ok else "",
                         "failed requests": failed, "note": extra})
            show_failures(f"{what}, {side}", runs)

        if "import" in only:
            path = root / "import.jsonl"
            write_tasks(path, args.import_tasks)
            what = f"import {args.import_tasks:,} tasks"
            if "accord" in sides:
                runs = repeat("import, Accord", args.runs,
                              lambda: import_accord(path, args.import_tasks))
                add(what, "Accord (JSONL)", runs, args.import_tasks)
            if template is not None and token is not None:
                body = ls_tasks(path)
                runs = repeat("import, Label Studio", args.runs, lambda: import_label_studio(
                    template, token, body, args.import_tasks))
                add(what, f"Label Studio {VERSION} (JSON)", runs, args.import_tasks)
            print(table(rows[-2:]), flush=True)

        if "export" in only:
            path = root / "export.jsonl"
            write_tasks(path, args.export_tasks)
            for shape in (ONE, RICH) if args.rich else (ONE,):
                what = f"export {args.export_tasks:,} tasks, {shape.name} each"
                if "accord" in sides:
                    got = export_accord(path, args.export_tasks, shape, args.runs)
                    for fmt, runs in got.items():
                        add(what, f"Accord ({fmt.upper()})", runs, args.export_tasks,
                            "CSV: one row per annotation" if fmt == "csv" else "")
                if template is not None and token is not None:
                    got = export_label_studio(template, token, path, args.export_tasks, shape,
                                              args.runs)
                    for fmt, runs in got.items():
                        add(what, f"Label Studio {VERSION} ({fmt})", runs, args.export_tasks,
                            "CSV: one row per annotation" if fmt == "CSV" else "")
                print(table(rows[-4:]), flush=True)

        if "loop" in only:
            path = root / "loop.jsonl"
            write_tasks(path, args.loop_tasks)
            loop_rows = []
            what = (f"{args.annotators} annotators, next → submit, {args.loop_tasks:,} tasks, "
                    f"overlap {OVERLAP}, {args.seconds:g} s")
            if "accord" in sides:
                runs_a = repeat("loop, Accord", args.runs,
                                lambda: loop_accord(path, args.annotators, args.seconds))
                loop_rows.append({"measure": what, "side": "Accord", "runs": len(runs_a),
                                  **loop_cells(runs_a)})
            if template is not None and token is not None:
                body = ls_tasks(path)
                runs_l = repeat("loop, Label Studio", args.runs, lambda: loop_label_studio(
                    template, token, body, args.loop_tasks, args.annotators, args.seconds))
                loop_rows.append({"measure": what, "side": f"Label Studio {VERSION}",
                                  "runs": len(runs_l), **loop_cells(runs_l)})
            print(table(loop_rows), flush=True)

    print("\nsummary")
    if rows:
        print(table(rows))
    print(f"load average after: {load_average()}")


if __name__ == "__main__":
    main()
