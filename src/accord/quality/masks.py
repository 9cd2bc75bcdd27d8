"""Masks as COCO run-length encodings (RLE): decode, encode, area and IoU without pixels.

A COCO RLE is ``{"size": [h, w], "counts": ...}``: alternating run lengths of 0s and 1s over
the column-major (Fortran) pixel order, ``counts`` a list of ints or COCO's compressed string
(Lin et al., "Microsoft COCO: Common objects in context", ECCV 2014; pycocotools ``maskApi.c``).

IoU of two masks sets (``iou[i, j] = |D_i ∩ G_j| / |D_i ∪ G_j|``, or ``/ |D_i|`` when ``G_j`` is
a crowd region, as pycocotools does) is computed from runs: each pair of overlapping runs
adds ``max(0, min(end) - max(start))`` to its mask pair. Overlapping runs are found by an
output-sensitive join on sorted run starts (two runs overlap iff one starts inside the other;
``|[a, b) ∩ [c, d)| = min(b, d) - c`` when ``a <= c < b``),
so the cost grows with the overlap actually present, not with the number of mask pairs.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import Any

import numpy as np

from accord.quality.data import BoolArray, FloatArray, IntArray

RLE = Mapping[str, Any]

__all__ = ["RLE", "mask_iou", "rle_area", "rle_counts", "rle_decode", "rle_encode"]


def _segmented_cumsum(values: IntArray, seg_first: IntArray) -> IntArray:
    """Cumulative sums restarting at each segment; ``seg_first[i]`` = index of the first
    element of element i's segment."""
    total = np.cumsum(values)
    return np.asarray(total - (total[seg_first] - values[seg_first]))


def _decode_strings(texts: Sequence[str | bytes]) -> tuple[IntArray, IntArray]:
    """Decode many COCO compressed strings at once: all counts, and each count's mask."""
    encoded = [t.encode() if isinstance(t, str) else bytes(t) for t in texts]
    lengths = np.array([len(t) for t in encoded], dtype=np.int64)
    c = np.frombuffer(b"".join(encoded), dtype=np.uint8).astype(np.int64) - 48
    if c.size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    last = (c & 0x20) == 0
    starts = np.flatnonzero(np.concatenate([[True], last[:-1]]))
    group = np.cumsum(np.concatenate([[True], last[:-1]])) - 1
    k = np.arange(c.size) - starts[group]
    values = np.add.reduceat((c & 0x1F) << (5 * k), starts)
    size = np.diff(np.append(starts, c.size))
    values = np.where((c[last] & 0x10) != 0, values - (np.int64(1) << (5 * size)), values)
    owner = np.repeat(np.arange(lengths.shape[0]), lengths)[starts]
    n_per = np.bincount(owner, minlength=lengths.shape[0])
    first = np.cumsum(n_per) - n_per
    local = np.arange(values.shape[0]) - first[owner]
    # counts[i] += counts[i - 2] for i > 2: cumulative sums over odd (from 1) and even (from 2)
    # positions of each mask separately.
    out = values.copy()
    for parity, begin in ((1, 1), (0, 2)):
        sel = np.flatnonzero((local % 2 == parity) & (local >= begin))
        if sel.size:
            seg_owner = owner[sel]
            seg_first = np.searchsorted(seg_owner, seg_owner, side="left")
            out[sel] = _segmented_cumsum(values[sel], seg_first)
    return out, owner


def _decode_string(text: str | bytes) -> IntArray:
    return _decode_strings([text])[0]


def rle_counts(rle: RLE) -> IntArray:
    """Run lengths of an RLE as int64 (decompressing COCO's string form)."""
    counts = rle["counts"]
    if isinstance(counts, str | bytes):
        return _decode_string(counts)
    return np.asarray(counts, dtype=np.int64)


def _size(rle: RLE) -> tuple[int, int]:
    h, w = rle["size"]
    return int(h), int(w)


def rle_decode(rle: RLE) -> BoolArray:
    """The ``(h, w)`` boolean mask of an RLE."""
    h, w = _size(rle)
    counts = rle_counts(rle)
    if counts.sum() != h * w:
        raise ValueError(f"RLE counts sum to {int(counts.sum())}, expected h*w = {h * w}")
    values = np.arange(counts.shape[0]) % 2 == 1
    return np.repeat(values, counts).reshape((h, w), order="F")


def encode_counts(counts: IntArray) -> str:
    """Run lengths as COCO's compressed RLE string (the inverse of reading ``counts``)."""
    out: list[str] = []
    for i, value in enumerate(counts.tolist()):
        x = int(value) - (int(counts[i - 2]) if i > 2 else 0)
        more = True
        while more:
            c = x & 0x1F
            x >>= 5
            more = (x != -1) if (c & 0x10) else (x != 0)
            if more:
                c |= 0x20
            out.append(chr(c + 48))
    return "".join(out)


def rle_encode(mask: Any, compress: bool = True) -> dict[str, Any]:
    """RLE of a 2-D mask; ``compress`` gives COCO's string ``counts`` (else a list)."""
    arr = np.asarray(mask, dtype=bool)
    if arr.ndim != 2:
        raise ValueError(f"a mask must be 2-D, got shape {arr.shape}")
    flat = arr.ravel(order="F")
    change = np.flatnonzero(flat[1:] != flat[:-1]) + 1
    bounds = np.concatenate([[0], change, [flat.size]])
    counts = np.diff(bounds)
    if flat.size and flat[0]:
        counts = np.concatenate([[0], counts])
    h, w = arr.shape
    return {"size": [h, w], "counts": encode_counts(counts) if compress else counts.tolist()}


def rle_area(rles: Sequence[RLE]) -> IntArray:
    """Foreground pixel count of each RLE (int64: no overflow however many masks; pycocotools
    2.0.11 ``mask.area`` overflows under NumPy 2 from 256 masks on)."""
    if not rles:
        return np.zeros(0, dtype=np.int64)
    owner, start, end = _runs(rles)
    return np.bincount(owner, end - start, minlength=len(rles)).astype(np.int64)


def _all_counts(rles: Sequence[RLE]) -> tuple[IntArray, IntArray]:
    """Counts of all masks concatenated, and the mask of each count."""
    if all(isinstance(r["counts"], str | bytes) for r in rles):
        return _decode_strings([r["counts"] for r in rles])
    parts = [rle_counts(r) for r in rles]
    owner = np.repeat(np.arange(len(parts)), [p.shape[0] for p in parts])
    return np.concatenate(parts), owner


def _runs(rles: Sequence[RLE]) -> tuple[IntArray, IntArray, IntArray]:
    """Foreground runs of all masks as half-open pixel ranges, by mask then start."""
    counts, owner = _all_counts(rles)
    n_per = np.bincount(owner, minlength=len(rles))
    first = np.cumsum(n_per) - n_per
    local = np.arange(counts.shape[0]) - first[owner]
    edges = _segmented_cumsum(counts, first[owner])
    # run k of a mask is [edges[2k], edges[2k + 1]): ends are odd positions
    end_at = np.flatnonzero(local % 2 == 1)
    start, end = edges[end_at - 1], edges[end_at]
    keep = end > start
    return owner[end_at][keep], start[keep], end[keep]


def _join(
    a: tuple[IntArray, IntArray, IntArray],
    b: tuple[IntArray, IntArray, IntArray],
    shape: tuple[int, int],
    inclusive: bool,
) -> FloatArray:
    """``out[ma, mb]`` = total overlap of runs of b that start inside runs of a (``[s, e)``,
    or ``(s, e)`` when not inclusive). Output-sensitive: only such pairs are generated, in
    cache-sized chunks of whole a-masks so that each chunk adds into its own rows."""
    a_mask, a_start, a_end = a
    order = np.argsort(b[1], kind="stable")
    b_mask, b_start, b_end = b[0][order], b[1][order], b[2][order]
    lo = np.searchsorted(b_start, a_start, side="left" if inclusive else "right")
    count = np.maximum(np.searchsorted(b_start, a_end, side="left") - lo, 0)
    out = np.zeros(shape)
    cum = np.cumsum(count)
    mask_end = np.searchsorted(a_mask, np.arange(shape[0]), side="right")
    chunks = []
    first = 0
    while first < a_mask.shape[0]:
        base = int(cum[first - 1]) if first else 0
        stop = int(np.searchsorted(cum, base + 262_144, side="right"))
        stop = int(mask_end[a_mask[min(max(stop, first + 1), a_mask.shape[0]) - 1]])
        chunks.append((first, stop))
        first = stop

    def add(bounds: tuple[int, int]) -> None:
        first, stop = bounds
        c = count[first:stop]
        i = np.repeat(np.arange(first, stop), c)
        j = np.arange(i.shape[0]) + np.repeat(lo[first:stop] - (np.cumsum(c) - c), c)
        overlap = (np.minimum(a_end[i], b_end[j]) - b_start[j]).astype(np.float64)
        row0 = int(a_mask[first])
        rows = int(a_mask[stop - 1]) - row0 + 1
        code = (a_mask[i] - row0) * shape[1] + b_mask[j]
        out[row0 : row0 + rows] += np.bincount(code, overlap, minlength=rows * shape[1]).reshape(
            rows, shape[1]
        )

    # Chunks hold whole a-masks, so each adds into its own rows: they run on every core
    # (NumPy releases the interpreter lock inside these kernels).
    list(_pool().map(add, chunks))
    return out


@cache
def _pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 1))


def mask_iou(
    dt: Sequence[RLE], gt: Sequence[RLE], iscrowd: Sequence[bool] | None = None
) -> FloatArray:
    """``(len(dt), len(gt))`` IoU matrix of two lists of same-size RLE masks.

    With ``iscrowd[j]`` true the union is replaced by ``|D_i|`` (pycocotools' convention).
    """
    if not dt or not gt:
        return np.zeros((len(dt), len(gt)))
    sizes = {_size(r) for r in (*dt, *gt)}
    if len(sizes) != 1:
        raise ValueError(f"all masks must have the same size, got {sorted(sizes)}")
    h, w = sizes.pop()
    del h, w
    pending = _pool().submit(_runs, gt)  # decode the two lists side by side
    d_runs, g_runs = _runs(dt), pending.result()
    inter = _join(d_runs, g_runs, (len(dt), len(gt)), True)
    inter += _join(g_runs, d_runs, (len(gt), len(dt)), False).T
    area_d = np.bincount(d_runs[0], d_runs[2] - d_runs[1], minlength=len(dt))[:, None]
    area_g = np.bincount(g_runs[0], g_runs[2] - g_runs[1], minlength=len(gt))[None, :]
    union = area_d + area_g - inter
    if iscrowd is not None:
        crowd = np.asarray(iscrowd, dtype=bool)[None, :]
        union = np.where(crowd, np.broadcast_to(area_d, union.shape), union)
    out = np.zeros_like(inter)
    np.divide(inter, union, out=out, where=union > 0)
    return out
