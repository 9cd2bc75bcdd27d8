"""`accord quality aggregate` end to end beside crowd-kit, on a 1,000,000-row CSV.

    python -m bench.aggregate_cli [--rows 1000000] [--runs 3] [--quick]

Each side is one fresh Python process per run, timed from the outside (start-up, imports,
reading the CSV, aggregating, writing the result), so neither side is warmed:

- ours: ``accord quality aggregate FILE --method ds -o OUT`` (and ``--method mean``, ``median``,
  ``robust`` on a numeric file of the same shape);
- crowd-kit 1.4.2, the way its documentation uses it: pandas reads the CSV, ``DawidSkene
  (n_iter=100, tol=1e-5)`` (its defaults; ours are the same: 100 iterations, tolerance 1e-5)
  ``.fit_predict``, pandas writes the labels. For the numeric file the reference is pandas'
  own ``groupby(...).agg(["mean", "std", "count"])`` (crowd-kit has no numeric aggregation).

Where ours spends its time is printed too: the same command in a fresh process whose phases are
timed from inside (``BREAKDOWN``: interpreter start, imports, reading and encoding the file,
Dawid-Skene, writing the result).

Data: simulated crowds, 100,000 items × 10 labels from 1,000 annotators (drawn with
repetition, as in real logs), 5 classes, one-coin accuracies U(0.3, 0.9), ids as text ("i17",
"w3", "c2"); the numeric file has ratings 1–5 with per-annotator bias and noise. Each figure is
the median of ``--runs`` runs with the min–max; the check compares the labels of both sides
(share of items labelled alike) and each side's accuracy against the simulated truth.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.machine import load_average, machine

CROWDKIT = """
import sys
import pandas as pd
from crowdkit.aggregation import DawidSkene
frame = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False)
frame.columns = ["task", "worker", "label"]
frame = frame[frame["label"] != ""]
labels = DawidSkene(n_iter=100, tol=1e-5).fit_predict(frame)
labels.to_csv(sys.argv[2], header=["value"], index_label="item")
"""
PANDAS_MEAN = """
import sys
import pandas as pd
frame = pd.read_csv(sys.argv[1])
frame.columns = ["item", "annotator", "value"]
out = frame.groupby("item")["value"].agg(["mean", "std", "count"])
out.columns = ["value", "spread", "n"]
out.to_csv(sys.argv[2])
"""
# `accord quality aggregate --method ds` as `accord.cli.quality_csv.quick_aggregate` runs it,
# its reading and its Dawid-Skene timed from inside.
BREAKDOWN = """
import json, sys, time
start = time.perf_counter()
from pathlib import Path
import numpy
import accord.quality
from accord.cli import quality_csv
from accord.quality.dawid_skene import dawid_skene
spent = {}
def timed(name, call):
    def run(*args, **kwargs):
        began = time.perf_counter()
        out = call(*args, **kwargs)
        spent[name] = time.perf_counter() - began
        return out
    return run
quality_csv.read_annotations = timed("read", quality_csv.read_annotations)
accord.quality.dawid_skene = timed("ds", dawid_skene)
imported = time.perf_counter()
quality_csv.aggregate_file(Path(sys.argv[1]), quality_csv.Method.ds, Path(sys.argv[2]))
end = time.perf_counter()
spent["imports"] = imported - start
spent["write"] = end - imported - spent["read"] - spent["ds"]
spent["inside"] = end - start
print(json.dumps(spent))
"""


def write_crowd(path: Path, rows: int, seed: int = 0) -> dict[str, str]:
    """Categorical labels; the truth of each item."""
    rng = np.random.default_rng(seed)
    n_items = rows // 10
    task = np.repeat(np.arange(n_items), 10)
    worker = rng.integers(0, 1000, task.size)
    truth = rng.integers(0, 5, n_items)
    accuracy = rng.uniform(0.3, 0.9, 1000)
    right = rng.random(task.size) < accuracy[worker]
    label = np.where(right, truth[task], rng.integers(0, 5, task.size))
    columns = zip(task.tolist(), worker.tolist(), label.tolist(), strict=True)
    lines = (f"i{t},w{w},c{v}" for t, w, v in columns)
    path.write_text("item,annotator,value\n" + "\n".join(lines) + "\n")
    return {f"i{i}": f"c{v}" for i, v in enumerate(truth.tolist())}


def write_ratings(path: Path, rows: int, seed: int = 1) -> None:
    rng = np.random.default_rng(seed)
    n_items = rows // 10
    task = np.repeat(np.arange(n_items), 10)
    worker = rng.integers(0, 1000, task.size)
    truth = rng.uniform(1, 5, n_items)
    bias = rng.normal(0, 0.5, 1000)
    score = np.clip(np.round(truth[task] + bias[worker] + rng.normal(0, 0.7, task.size)), 1, 5)
    columns = zip(task.tolist(), worker.tolist(), score.tolist(), strict=True)
    lines = (f"i{t},w{w},{int(s)}" for t, w, s in columns)
    path.write_text("item,annotator,value\n" + "\n".join(lines) + "\n")


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def breakdown(labels: Path, out: Path, runs: int) -> str:
    """Median seconds of each phase of ours over ``runs`` fresh processes (interpreter: the
    process's wall time not spent inside the script)."""
    import json

    phases: dict[str, list[float]] = {}
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", BREAKDOWN, str(labels), str(out)],
            check=True,
            capture_output=True,
            text=True,
        )
        wall = time.perf_counter() - start
        spent = json.loads(done.stdout)
        spent["interpreter"] = wall - spent.pop("inside")
        for name, seconds in spent.items():
            phases.setdefault(name, []).append(seconds)
    order = ("interpreter", "imports", "read", "ds", "write")
    names = {"read": "read and encode", "ds": "Dawid-Skene"}
    return ", ".join(
        f"{names.get(name, name)} {statistics.median(phases[name]):.3f}" for name in order
    )


def labels_of(path: Path) -> dict[str, str]:
    import csv

    with path.open() as handle:
        return {row["item"]: row["value"] for row in csv.DictReader(handle)}


def spread(times: list[float]) -> str:
    return f"{statistics.median(times):.2f} ({min(times):.2f}–{max(times):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="100,000 rows: a check, not figures")
    args = parser.parse_args()
    rows = 100_000 if args.quick else args.rows
    print(machine(), flush=True)
    accord = [sys.executable, "-m", "accord.cli.main", "quality", "aggregate"]
    python = [sys.executable, "-c"]
    with tempfile.TemporaryDirectory(prefix="accord-bench-aggregate-") as tmp:
        folder = Path(tmp)
        labels, ratings = folder / "labels.csv", folder / "ratings.csv"
        truth = write_crowd(labels, rows)
        write_ratings(ratings, rows)
        print(
            f"data: {rows:,} rows, {rows // 10:,} items × 10 labels, 1,000 annotators, 5 classes "
            f"({labels.stat().st_size / 1e6:.1f} MB); ratings file of the same shape, values 1–5",
            flush=True,
        )
        def ours(path: Path, method: str) -> list[str]:
            return [*accord, str(path), "--method", method, "-o", str(folder / f"{method}.csv")]

        crowdkit = [*python, CROWDKIT, str(labels), str(folder / "ck.csv")]
        groupby = [*python, PANDAS_MEAN, str(ratings), str(folder / "pd.csv")]
        cases = [
            ("Dawid-Skene", ours(labels, "ds"), crowdkit, "crowd-kit 1.4.2"),
            ("mean", ours(ratings, "mean"), groupby, "pandas groupby"),
            ("median", ours(ratings, "median"), None, ""),
            ("robust", ours(ratings, "robust"), None, ""),
        ]
        for name, command, reference, who in cases:
            our_times, ref_times = [], []
            for _ in range(args.runs):  # alternate the sides, so that drift hits both alike
                our_times.append(timed(command))
                if reference is not None:
                    ref_times.append(timed(reference))
            line = f"  {name:<12} accord {spread(our_times)} s"
            if ref_times:
                speedup = statistics.median(ref_times) / statistics.median(our_times)
                line += f"   {who} {spread(ref_times)} s   x{speedup:.1f}"
            print(line, flush=True)
        print(
            f"  breakdown of ours, s (median of {args.runs} fresh processes): "
            f"{breakdown(labels, folder / 'phases.csv', args.runs)}",
            flush=True,
        )
        ours_ds, theirs = labels_of(folder / "ds.csv"), labels_of(folder / "ck.csv")
        same = sum(ours_ds[i] == theirs.get(i) for i in ours_ds) / len(ours_ds)
        right_ours = sum(ours_ds[i] == truth[i] for i in ours_ds) / len(ours_ds)
        right_theirs = sum(theirs[i] == truth[i] for i in theirs) / len(theirs)
        print(
            f"  check: Dawid-Skene labels alike on {same:.2%} of items; accuracy against the "
            f"truth: accord {right_ours:.2%}, crowd-kit {right_theirs:.2%}",
            flush=True,
        )
    print(f"load average at the end: {load_average()}", flush=True)


if __name__ == "__main__":
    main()
