"""Benchmarks of accord.quality against outside reference libraries, side by side in one run.

    python bench/quality.py            # full sizes of issue 4 (about 40 minutes with 3 runs:
                                       # crowd-kit's MACE alone takes about 7 minutes a run)
    python bench/quality.py --quick    # small sizes, a few minutes

Every reference is another project's code: crowd-kit (Dawid-Skene, GLAD, MACE), krippendorff
(alpha), pycocotools (mask IoU) and motmetrics (box IoU and its Hungarian assignment with
forbidden pairs). Both sides are warmed alike: each is called once, untimed, on a small input
before its timed runs. Each time is the median of ``--runs`` runs (3 unless told) with the
min–max across them; the speedup is the ratio of the medians. Prints one row per method with
the check that makes the comparison fair (same labels, accuracy against the simulated truth,
max |difference|, same true positives).
"""

from __future__ import annotations

import argparse
import statistics
import time
import tracemalloc
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

try:
    from bench.machine import load_average, machine
except ModuleNotFoundError:  # run as a script, python bench/quality.py: bench/ is on the path
    from machine import load_average, machine  # type: ignore[import-not-found,no-redef]

from accord.quality import (
    dawid_skene,
    glad,
    krippendorff_alpha,
    mace,
    mask_iou,
    match_boxes_batched,
)

warnings.filterwarnings("ignore", module="crowdkit")
warnings.filterwarnings("ignore", module="krippendorff")
ROWS: list[tuple[str, str, list[float], list[float], str]] = []
RUNS = 3  # set from --runs


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def timed_runs(fn: Callable[[], Any]) -> tuple[list[float], Any]:
    """``RUNS`` timed calls; their times and the last call's result."""
    times = []
    out = None
    for _ in range(RUNS):
        seconds, out = timed(fn)
        times.append(seconds)
    return times, out


def spread(times: list[float]) -> str:
    return f"{statistics.median(times):.3f} ({min(times):.3f}–{max(times):.3f})"


def peak_mb(fn: Callable[[], Any]) -> float:
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def crowd(
    n_items: int, n_annotators: int, per_item: int, k: int, seed: int = 0
) -> tuple[pd.DataFrame, Any]:
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, k, n_items)
    acc = rng.uniform(0.3, 0.9, n_annotators)
    task = np.repeat(np.arange(n_items), per_item)
    worker = rng.integers(0, n_annotators, task.size)  # repeats possible, as in real logs
    label = np.where(
        rng.random(task.size) < acc[worker], truth[task], rng.integers(0, k, task.size)
    )
    return pd.DataFrame({"task": task, "worker": worker, "label": label}), truth


def row(name: str, size: str, ref: list[float], ours: list[float], check: str) -> None:
    """One method: the reference's and our times (one per run), in seconds."""
    ROWS.append((name, size, ref, ours, check))
    speedup = statistics.median(ref) / statistics.median(ours)
    print(
        f"  {name:<28} {size:<22} ref {spread(ref)} s  ours {spread(ours)} s  "
        f"x{speedup:.1f}  {check}",
        flush=True,
    )


def sorted_appearance(df: pd.DataFrame) -> pd.DataFrame:
    """crowd-kit's MACE is only right when first-appearance order = sorted order (its bug)."""
    df = df.sort_values(["worker", "task"], kind="stable")
    firsts = pd.DataFrame({"task": -1, "worker": -1, "label": sorted(df["label"].unique())})
    return pd.concat([firsts, df], ignore_index=True)


def bench_dawid_skene(n_items: int, iters: int) -> None:
    from crowdkit.aggregation import DawidSkene

    df, _ = crowd(n_items, 1000, 10, 5)

    def run_ref(n: int) -> Any:
        return DawidSkene(n_iter=n, tol=-np.inf).fit_predict(df)

    def run_ours(n: int) -> Any:
        return dawid_skene(df, max_iter=n, tol=-np.inf)

    run_ref(2)  # warm-up, both sides
    run_ours(2)
    # marginal cost of an EM iteration: (T(2 + iters) - T(2)) / iters, setup excluded both sides
    t_ref = [
        (timed(lambda: run_ref(2 + iters))[0] - timed(lambda: run_ref(2))[0]) / iters
        for _ in range(RUNS)
    ]
    t_ours = [
        (timed(lambda: run_ours(2 + iters))[0] - timed(lambda: run_ours(2))[0]) / iters
        for _ in range(RUNS)
    ]
    t_all, ours = timed(lambda: run_ours(50))
    ref = run_ref(50)
    same = np.mean(ref.sort_index().to_numpy() == ours.labels)
    row(
        "Dawid-Skene per iteration",
        f"{len(df):,} labels",
        t_ref,
        t_ours,
        f"same labels {same:.4%} (50 iterations; ours {t_all:.2f} s in all)",
    )


def bench_glad(n_items: int) -> None:
    from crowdkit.aggregation import GLAD

    df, truth = crowd(n_items, 1000, 10, 5, seed=1)
    small, _ = crowd(200, 100, 10, 5, seed=1)
    GLAD().fit_predict(small)  # warm-up, both sides
    glad(small)
    t_ref, ref = timed_runs(lambda: GLAD().fit_predict(df))
    t_ours, ours = timed_runs(lambda: glad(df))
    acc_ref = np.mean(ref.sort_index().to_numpy() == truth)
    row(
        "GLAD",
        f"{len(df):,} labels",
        t_ref,
        t_ours,
        f"accuracy ref {acc_ref:.4f} ours {np.mean(ours.labels == truth):.4f}",
    )


def bench_mace(n_items: int) -> None:
    from crowdkit.aggregation import MACE

    df, truth = crowd(n_items, 1000, 10, 5, seed=2)
    ck = sorted_appearance(df)
    small, _ = crowd(200, 100, 10, 5, seed=2)
    MACE().fit_predict(sorted_appearance(small))  # warm-up, both sides
    mace(small)
    t_ref, ref = timed_runs(lambda: MACE().fit_predict(ck))
    t_ours, ours = timed_runs(lambda: mace(df))
    acc_ref = np.mean(ref.drop(index=-1).sort_index().to_numpy() == truth)
    row(
        "MACE",
        f"{len(df):,} labels",
        t_ref,
        t_ours,
        f"accuracy ref {acc_ref:.4f} ours {np.mean(ours.labels == truth):.4f}",
    )


def bench_alpha(n_items: int) -> None:
    import krippendorff

    df, _ = crowd(n_items, 1000, 10, 5, seed=3)
    matrix = np.full((1000, n_items), np.nan)
    matrix[df["worker"].to_numpy(), df["task"].to_numpy()] = df["label"].to_numpy()
    coder, unit = np.nonzero(~np.isnan(matrix))  # one value per (annotator, item), as the
    labels = matrix[coder, unit]  # reference's matrix input holds
    size = f"{labels.size:,} labels"
    head = unit < 1000  # the first thousand items: the warm-up input
    for level in ("nominal", "ordinal", "interval", "ratio"):
        krippendorff.alpha(reliability_data=matrix[:, :1000], level_of_measurement=level)
        krippendorff_alpha((unit[head], coder[head], labels[head]), level)  # warm-up, both
        t_ref, ref = timed_runs(
            lambda lv=level: krippendorff.alpha(reliability_data=matrix, level_of_measurement=lv)
        )
        ref_mb = peak_mb(
            lambda lv=level: krippendorff.alpha(reliability_data=matrix, level_of_measurement=lv)
        )
        triple = (unit, coder, labels)
        t_ours, ours = timed_runs(lambda lv=level, d=triple: krippendorff_alpha(d, lv))
        mem = peak_mb(lambda lv=level, d=triple: krippendorff_alpha(d, lv))
        row(
            f"Krippendorff alpha {level}",
            size,
            t_ref,
            t_ours,
            f"|diff| {abs(ref - ours):.1e}; peak MB ref {ref_mb:.0f} ours {mem:.0f}",
        )
    distinct = np.random.default_rng(0).normal(size=labels.size)
    for level in ("interval", "ordinal"):
        triple = (unit, coder, distinct)
        t_ours, _ = timed_runs(lambda lv=level, d=triple: krippendorff_alpha(d, lv))
        mem = peak_mb(lambda lv=level, d=triple: krippendorff_alpha(d, lv))
        print(
            f"  Krippendorff alpha {level:<9} {size} all values distinct: ours {spread(t_ours)} s, "
            f"peak {mem:.0f} MB (reference: units x coders x values booleans, "
            f"{n_items * 1000 * labels.size / 2**30:,.0f} GiB: not run)",
            flush=True,
        )


def blob_masks(n: int, seed: int) -> list[np.ndarray[Any, Any]]:
    rng = np.random.default_rng(seed)
    h, w = 1080, 1920
    out = []
    for _ in range(n):
        cy, cx = rng.uniform(0, h), rng.uniform(0, w)
        ry, rx = rng.uniform(20, 300, 2)
        y0, y1 = int(max(cy - ry, 0)), int(min(cy + ry, h))
        x0, x1 = int(max(cx - rx, 0)), int(min(cx + rx, w))
        m = np.zeros((h, w), dtype=np.uint8, order="F")
        yy, xx = np.ogrid[y0:y1, x0:x1]
        m[y0:y1, x0:x1] = ((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2 <= 1
        out.append(m)
    return out


def bench_masks(n: int) -> None:
    from pycocotools import mask as coco_mask

    base = blob_masks(min(n, 200), seed=4)
    dt = [coco_mask.encode(base[i % len(base)]) for i in range(n)]
    gt = [
        coco_mask.encode(np.asfortranarray(np.roll(base[(7 * i) % len(base)], i % 40, axis=1)))
        for i in range(n)
    ]
    coco_mask.iou(dt[:10], gt[:10], [0] * 10)  # warm-up, both sides
    mask_iou(dt[:10], gt[:10])
    t_ref, ref = timed_runs(lambda: coco_mask.iou(dt, gt, [0] * n))
    t_ours, ours = timed_runs(lambda: mask_iou(dt, gt))
    row(
        "mask IoU (RLE, 1080x1920)",
        f"{n} x {n} masks",
        t_ref,
        t_ours,
        f"max |diff| {np.abs(ref - ours).max():.1e}",
    )


def bench_boxes(n_images: int) -> None:
    """Hungarian matching at IoU >= 0.5, image by image. Reference: py-motmetrics, the MOT
    benchmark's library: its box IoU (``distances.boxiou``, boxes as x, y, w, h) turned into
    distances 1 − IoU with pairs below the threshold forbidden (NaN), solved by its
    ``lap.linear_sum_assignment``, which gives forbidden pairs a cost no matching can prefer
    (so it maximises the number of matches first) and drops them from the answer. motmetrics'
    own ``distances.iou_matrix`` does exactly this but calls ``np.asfarray``, which NumPy 2
    removed, so its two remaining steps are spelled out here."""
    import motmetrics as mm

    rng = np.random.default_rng(5)
    per = 20
    xy = rng.uniform(0, 1000, (n_images * per, 2))
    wh = rng.uniform(10, 100, (n_images * per, 2))
    ref_boxes = np.hstack([xy, xy + wh])
    pred = ref_boxes + rng.normal(0, 5, ref_boxes.shape)
    group = np.repeat(np.arange(n_images), per)
    # motmetrics takes x, y, w, h: converted before timing, as a caller would store them
    ref_xywh = np.hstack([ref_boxes[:, :2], ref_boxes[:, 2:] - ref_boxes[:, :2]])
    pred_xywh = np.hstack([pred[:, :2], pred[:, 2:] - pred[:, :2]])

    def motmetrics_tp(images: int) -> int:
        tp = 0
        for g in range(images):
            a = ref_xywh[g * per : (g + 1) * per]
            b = pred_xywh[g * per : (g + 1) * per]
            dist = 1.0 - mm.distances.boxiou(a[:, None], b[None, :])
            rows, _ = mm.lap.linear_sum_assignment(np.where(dist > 0.5, np.nan, dist))
            tp += len(rows)
        return tp

    motmetrics_tp(100)  # warm-up, both sides
    match_boxes_batched(ref_boxes[:100 * per], group[:100 * per], pred[:100 * per],
                        group[:100 * per])
    t_ref, tp_ref = timed_runs(lambda: motmetrics_tp(n_images))
    t_ours, batch = timed_runs(lambda: match_boxes_batched(ref_boxes, group, pred, group))
    tp_ours = int(batch.tp.sum())
    row(
        "box matching (Hungarian)",
        f"{n_images:,} img x {per} boxes",
        t_ref,
        t_ours,
        f"true positives ref {tp_ref:,} ours {tp_ours:,} (same: {tp_ref == tp_ours}); "
        f"ref = motmetrics {mm.__version__} boxiou + lap ({mm.lap.default_solver})",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes (under a minute)")
    parser.add_argument(
        "--only", default="ds,glad,mace,alpha,masks,boxes", help="comma-separated subset to run"
    )
    parser.add_argument("--runs", type=int, default=3, help="timed runs per side (median)")
    args = parser.parse_args()
    global RUNS
    RUNS = args.runs
    only = set(args.only.split(","))
    q = args.quick
    print(machine())
    print(
        f"accord.quality benchmarks ({'quick' if q else 'full'}); wall-clock seconds, median "
        f"(min–max) of {RUNS} runs per side, both sides warmed by one untimed call first",
        flush=True,
    )
    if "ds" in only:
        bench_dawid_skene(5_000 if q else 100_000, 5)
    if "glad" in only:
        bench_glad(1_000 if q else 10_000)
    if "mace" in only:
        bench_mace(2_000 if q else 100_000)
    if "alpha" in only:
        bench_alpha(10_000 if q else 100_000)
    if "masks" in only:
        bench_masks(200 if q else 1_000)
    if "boxes" in only:
        bench_boxes(1_000 if q else 10_000)
    print(f"load average after: {load_average()}")


if __name__ == "__main__":
    main()
