"""Shared factories for the quality tests: simulated crowds and quiet reference calls."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
import pandas as pd

T = TypeVar("T")


def simulate(
    n_items: int = 500,
    n_annotators: int = 30,
    per_item: int = 5,
    n_classes: int = 3,
    seed: int = 0,
    accuracy: tuple[float, float] = (0.3, 0.9),
) -> tuple[pd.DataFrame, np.ndarray[Any, Any]]:
    """A crowd of one-coin annotators: DataFrame (task, worker, label) and the true labels."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, n_classes, n_items)
    acc = rng.uniform(*accuracy, n_annotators)
    task = np.repeat(np.arange(n_items), per_item)
    worker = np.argsort(rng.random((n_items, n_annotators)), axis=1)[:, :per_item].ravel()
    right = rng.random(task.size) < acc[worker]
    label = np.where(right, truth[task], rng.integers(0, n_classes, task.size))
    return pd.DataFrame({"task": task, "worker": worker, "label": label}), truth


def reference(call: Callable[[], T]) -> T:
    """Run a reference library call with its own deprecation warnings silenced (only those
    raised from crowd-kit's, krippendorff's or pycocotools' code: ours still fail the test)."""
    with warnings.catch_warnings():
        for module in (r"crowdkit", r"krippendorff", r"pycocotools", r"statsmodels"):
            warnings.filterwarnings("ignore", module=module)
        return call()
