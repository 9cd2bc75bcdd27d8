"""COCO export and import of N images with B boxes each: boxes per second and memory.

    python -m bench.coco [--images 100000] [--boxes 20] [--runs 3]

The issue's target: 100,000 images with 2,000,000 boxes exported at ≥ 100,000 boxes/s with
flat memory, imported at ≥ 50,000 boxes/s.

Set-up (not timed): an image project (an ``image`` field; ``boxes`` over it with 10 labels)
on SQLite in a fresh data directory; the tasks are imported (image field ``{src, width,
height}``), then every task gets one annotation of B boxes, inserted in bulk straight in the
database.

Each run, in this process:
- **export**: `accord.jobs.export_images.export_images` (the code behind ``GET
  /projects/{id}/export?format=coco`` and the export job) read to the end: the database read
  from one snapshot and the COCO JSON written as rows arrive. Memory: the growth of this
  process's anonymous resident memory (RssAnon: not the pages of the database file that
  SQLite maps, which count as resident) during the export, sampled every 20 ms (flat
  means it does not grow with the export's size: compare sizes);
- **import**: the exported file read back (`accord.formats.coco.CocoDataset`: images,
  categories, then the annotations parsed incrementally and grouped by image) into import
  rows, written as JSONL; then those rows imported into a second project by
  `accord.actions.imports.run_import` (each box checked against the image's size, the tasks
  and their predictions stored). Both times are given, and their sum (the import's boxes/s).
  The media upload of a real dataset (``accord import --media``) is not part of it;
- **outside reference**: ``pycocotools.coco.COCO(file)`` loading the same exported file (its
  JSON parse and index), the reader most training code uses: a yardstick for the read, warmed
  like Accord's (both read a file the export has just written).

A run fails when the export or the import does not hold every image and box.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import text

from accord.actions.imports import ImportOptions, run_import
from accord.db import Database
from accord.db.migrate import upgrade
from accord.formats.coco import CocoDataset
from accord.formats.shapes import ImageSchema, Placed
from accord.jobs.export_images import export_images
from accord.jobs.exports import ExportFilter
from accord.models import Project, User
from accord.settings import Settings
from bench.machine import load_average, machine
from tests.factories import make_project, make_user

LABELS = [f"class{i}" for i in range(10)]
INTERFACE: dict[str, Any] = {
    "fields": [{"name": "image", "kind": "image"}],
    "questions": [{"name": "boxes", "kind": "boxes", "target": "image", "labels": LABELS}],
}
WIDTH, HEIGHT = 1920, 1080


def answer(boxes: int) -> str:
    """One annotation's result: ``boxes`` boxes spread over the image."""
    objects = [
        {
            "id": str(k + 1),
            "label": LABELS[k % len(LABELS)],
            "x": float(17 * k % (WIDTH - 100)) + 0.5,
            "y": float(11 * k % (HEIGHT - 80)) + 0.25,
            "w": 40.0 + k % 50,
            "h": 30.0 + k % 40,
        }
        for k in range(boxes)
    ]
    return orjson.dumps({"boxes": {"objects": objects}}).decode()


def build(images: int, boxes: int) -> tuple[Settings, Database, User, Project, Project]:
    """The data directory, the database, the owner, the exported and the import project."""
    data = Path(tempfile.mkdtemp(prefix="accord-bench-coco-"))
    settings = Settings(data_dir=data)
    db = Database(settings.resolved_database_url())
    upgrade(db)
    owner, _ = make_user(db, "owner@example.com")
    source = make_project(db, owner, INTERFACE)
    target = make_project(db, owner, INTERFACE)
    rows = data / "tasks.jsonl"
    with rows.open("wb") as out:
        for i in range(images):
            image = {"src": f"s3://bench/images/{i:07d}.jpg", "width": WIDTH, "height": HEIGHT}
            out.write(orjson.dumps({"id": f"i{i}", "image": image}) + b"\n")
    options = ImportOptions(staging_dir=data / "imports")
    with rows.open("rb") as source_file:
        report = run_import(db, owner, source.id, source_file, "jsonl", options)
    assert report.created == images, report
    with db.write() as session:
        session.execute(
            text(
                "INSERT INTO annotations (task_id, project_id, user_id, result, seconds, version,"
                " guidelines_version, created_at, updated_at) SELECT id, project_id, :user,"
                " :result, 10, 1, 1, created_at, created_at FROM tasks WHERE project_id = :p"
            ),
            {"user": owner.id, "result": answer(boxes), "p": source.id},
        )
        session.execute(
            text("UPDATE tasks SET n_submitted = 1, is_open = :no WHERE project_id = :p"),
            {"p": source.id, "no": False},
        )
    return settings, db, owner, source, target


def _rss_mb() -> float:
    """This process's anonymous resident memory (its heap and arrays), MiB. Not the whole
    resident set: SQLite maps the database file (``mmap_size``), and the pages of it that a
    read touches count as resident although they are the file's cache, not memory the
    export holds."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("RssAnon:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no RssAnon in /proc/self/status (Linux only)")


@contextmanager
def peak_growth() -> Iterator[list[float]]:
    """The growth of this process's resident set over the block (MiB), sampled every 20 ms:
    ``found[0]`` once the block has ended."""
    start = _rss_mb()
    peak = [start]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.02):
            peak[0] = max(peak[0], _rss_mb())

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    found: list[float] = []
    try:
        yield found
    finally:
        done.set()
        thread.join()
        found.append(max(peak[0], _rss_mb()) - start)


def export_run(settings: Settings, db: Database, project: Project, out: Path) -> dict[str, Any]:
    start = time.perf_counter()
    size = 0
    with peak_growth() as growth, out.open("wb") as file:
        for chunk in export_images(
            db, project, "coco", ExportFilter(), spool_dir=settings.data_dir
        ):
            file.write(chunk)
            size += len(chunk)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "bytes": size, "growth_mb": growth[0]}


def import_run(
    settings: Settings, db: Database, owner: User, project: Project, coco: Path
) -> dict[str, Any]:
    schema = ImageSchema.of(INTERFACE)
    rows_path = settings.data_dir / "coco-rows.jsonl"
    start = time.perf_counter()
    dataset = CocoDataset(coco)
    names = dataset.image_names()
    placed = {n: Placed(f"s3://bench/{n}", WIDTH, HEIGHT) for n in names}
    with rows_path.open("wb") as out:
        for row in dataset.rows(schema, placed, "coco:bench"):
            out.write(orjson.dumps(row) + b"\n")
    read_seconds = time.perf_counter() - start
    with db.write() as session:  # the previous run's tasks
        session.execute(text("DELETE FROM predictions WHERE project_id = :p"), {"p": project.id})
        session.execute(text("DELETE FROM tasks WHERE project_id = :p"), {"p": project.id})
    options = ImportOptions(staging_dir=settings.data_dir / "imports")
    start = time.perf_counter()
    with rows_path.open("rb") as source:
        report = run_import(db, owner, project.id, source, "jsonl", options)
    import_seconds = time.perf_counter() - start
    return {
        "read_seconds": read_seconds,
        "import_seconds": import_seconds,
        "created": report.created,
        "predictions": report.predictions,
        "images": len(names),
    }


def reference_run(coco: Path) -> float:
    """Seconds pycocotools takes to load ``coco`` (its stdout chatter silenced)."""
    import contextlib
    import io

    from pycocotools.coco import COCO

    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        loaded = COCO(str(coco))
    seconds = time.perf_counter() - start
    del loaded
    return seconds


def _spread(values: list[float], fmt: str = "{:,.0f}") -> str:
    median = statistics.median(values)
    return f"{fmt.format(median)} ({fmt.format(min(values))}–{fmt.format(max(values))})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--images", type=int, default=100_000)
    parser.add_argument("--boxes", type=int, default=20, help="boxes per image")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    total = args.images * args.boxes
    print(machine())
    print(f"COCO: {args.images:,} images x {args.boxes} boxes = {total:,} boxes, SQLite")
    settings, db, owner, source, target = build(args.images, args.boxes)
    out = settings.data_dir / "export.json"
    exports, reads, imports, growths, failures = [], [], [], [], []
    references: list[float] = []
    try:
        for run in range(args.runs):
            measured = export_run(settings, db, source, out)
            document_ok = _count(out) == (args.images, total)
            got = import_run(settings, db, owner, target, out)
            if not document_ok or got["created"] != args.images:
                failures.append(f"run {run + 1}: export or import incomplete: {got}")
                continue
            references.append(total / reference_run(out))
            exports.append(total / measured["seconds"])
            growths.append(measured["growth_mb"])
            reads.append(total / got["read_seconds"])
            imports.append(total / (got["read_seconds"] + got["import_seconds"]))
            print(
                f"run {run + 1}: export {measured['seconds']:.2f} s ({measured['bytes']:,} bytes,"
                f" +{measured['growth_mb']:.0f} MiB); read {got['read_seconds']:.2f} s, import "
                f"{got['import_seconds']:.2f} s"
            )
    finally:
        db.dispose()
        shutil.rmtree(settings.data_dir, ignore_errors=True)
    if exports:
        print(f"export: {_spread(exports)} boxes/s; memory growth {_spread(growths)} MiB")
        print(f"import, reading COCO into rows: {_spread(reads)} boxes/s")
        print(f"import, read + stored as tasks with predictions: {_spread(imports)} boxes/s")
        print(f"outside reference, pycocotools COCO() loading the file: {_spread(references)}"
              " boxes/s")
    for failure in failures:
        print("FAILED", failure)
    print(f"load average after: {load_average()}")


def _count(path: Path) -> tuple[int, int]:
    """Images and annotations in the exported file, counted by their keys (without loading
    the whole document)."""
    images = annotations = 0
    tail = b""
    with path.open("rb") as file:
        while chunk := file.read(1 << 24):
            block = tail + chunk
            images += block.count(b'"file_name":')
            annotations += block.count(b'"image_id":')
            tail = block[-16:]
            images -= tail.count(b'"file_name":')
            annotations -= tail.count(b'"image_id":')
    images += tail.count(b'"file_name":')
    annotations += tail.count(b'"image_id":')
    return images, annotations


if __name__ == "__main__":
    main()
