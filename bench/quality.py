"""Benchmarks of accord.quality against the reference libraries, side by side in one run.

    python bench/quality.py            # full sizes of issue 4 (about 10 minutes: crowd-kit is slow)
    python bench/quality.py --quick    # small sizes, under a minute

Prints one row per method: reference time, ours, speedup, and the check that makes the
comparison fair (same labels, accuracy against the simulated truth, max |difference|).
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from accord.quality import (
    dawid_skene,
    glad,
    krippendorff_alpha,
    mace,
    mask_iou,
    match_boxes,
    match_boxes_batched,
)

warnings.filterwarnings("ignore", module="crowdkit")
warnings.filterwarnings("ignore", module="krippendorff")
ROWS: list[tuple[str, str, float, float, str]] = []


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


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


def row(name: str, size: str, ref: float, ours: float, check: str) -> None:
    ROWS.append((name, size, ref, ours, check))
    print(
        f"  {name:<28} {size:<22} ref {ref:9.3f} s  ours {ours:8.3f} s  "
        f"x{ref / ours:7.1f}  {check}",
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

    # marginal cost of an EM iteration: (T(2 + iters) - T(2)) / iters, setup excluded both sides
    t_ref = timed(lambda: run_ref(2 + iters))[0] - timed(lambda: run_ref(2))[0]
    t_ours = timed(lambda: run_ours(2 + iters))[0] - timed(lambda: run_ours(2))[0]
    t_all, ours = timed(lambda: run_ours(50))
    ref = run_ref(50)
    same = np.mean(ref.sort_index().to_numpy() == ours.labels)
    row(
        "Dawid-Skene per iteration",
        f"{len(df):,} labels",
        t_ref / iters,
        t_ours / iters,
        f"same labels {same:.4%} (50 iterations; ours {t_all:.2f} s in all)",
    )


def bench_glad(n_items: int) -> None:
    from crowdkit.aggregation import GLAD

    df, truth = crowd(n_items, 1000, 10, 5, seed=1)
    t_ref, ref = timed(lambda: GLAD().fit_predict(df))
    t_ours, ours = timed(lambda: glad(df))
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
    t_ref, ref = timed(lambda: MACE().fit_predict(ck))
    t_ours, ours = timed(lambda: mace(df))
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
    for level in ("nominal", "ordinal", "interval", "ratio"):
        t_ref, ref = timed(
            lambda lv=level: krippendorff.alpha(reliability_data=matrix, level_of_measurement=lv)
        )
        ref_mb = peak_mb(
            lambda lv=level: krippendorff.alpha(reliability_data=matrix, level_of_measurement=lv)
        )
        triple = (unit, coder, labels)
        krippendorff_alpha(triple, level)  # warm up
        t_ours, ours = timed(lambda lv=level, d=triple: krippendorff_alpha(d, lv))
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
        t_ours, _ = timed(lambda lv=level, d=triple: krippendorff_alpha(d, lv))
        mem = peak_mb(lambda lv=level, d=triple: krippendorff_alpha(d, lv))
        print(
            f"  Krippendorff alpha {level:<9} {size} all values distinct: ours {t_ours:.3f} s, "
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
    t_ref, ref = timed(lambda: coco_mask.iou(dt, gt, [0] * n))
    t_ours, ours = timed(lambda: mask_iou(dt, gt))
    row(
        "mask IoU (RLE, 1080x1920)",
        f"{n} x {n} masks",
        t_ref,
        t_ours,
        f"max |diff| {np.abs(ref - ours).max():.1e}",
    )


def bench_boxes(n_images: int) -> None:
    rng = np.random.default_rng(5)
    per = 20
    xy = rng.uniform(0, 1000, (n_images * per, 2))
    wh = rng.uniform(10, 100, (n_images * per, 2))
    ref_boxes = np.hstack([xy, xy + wh])
    pred = ref_boxes + rng.normal(0, 5, ref_boxes.shape)
    group = np.repeat(np.arange(n_images), per)

    def per_image() -> int:
        return sum(
            match_boxes(ref_boxes[g * per : (g + 1) * per], pred[g * per : (g + 1) * per]).tp
            for g in range(n_images)
        )

    t_ref, tp_ref = timed(per_image)
    match_boxes_batched(ref_boxes[:100], group[:100], pred[:100], group[:100])  # warm up
    t_ours, batch = timed(lambda: match_boxes_batched(ref_boxes, group, pred, group))
    row(
        "box matching (Hungarian)",
        f"{n_images:,} img x {per} boxes",
        t_ref,
        t_ours,
        f"same TP {tp_ref == int(batch.tp.sum())} (ref = per-image scipy loop)",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes (under a minute)")
    parser.add_argument(
        "--only", default="ds,glad,mace,alpha,masks,boxes", help="comma-separated subset to run"
    )
    args = parser.parse_args()
    only = set(args.only.split(","))
    q = args.quick
    print(f"accord.quality benchmarks ({'quick' if q else 'full'}); times are wall clock, 1 run")
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


if __name__ == "__main__":
    main()
