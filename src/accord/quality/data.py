"""Long-format input: ``(item, annotator, value)`` rows, sparse, missing values allowed.

Every function of :mod:`accord.quality` takes its annotations as one of

* a DataFrame-like object (anything with ``.columns`` and ``.iloc``): the first three columns are
  item, annotator and value, whatever their names;
* a tuple ``(items, annotators, values)`` of equal-length sequences or arrays;
* an already encoded :class:`Categorical` or :class:`Numeric`.

Encoding turns ids into dense integer codes (``np.unique`` order, so results are sorted by id)
once, so that the algorithms work on integer arrays only. Missing values (``None``, ``NaN``)
are dropped: most annotators never see most items, and that is normal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
from numpy.typing import NDArray

IntArray: TypeAlias = NDArray[np.intp]
FloatArray: TypeAlias = NDArray[np.float64]
BoolArray: TypeAlias = NDArray[np.bool_]
AnyArray: TypeAlias = NDArray[Any]

__all__ = [
    "AnyArray",
    "BoolArray",
    "Categorical",
    "FloatArray",
    "IntArray",
    "LongFormat",
    "Numeric",
    "as_categorical",
    "as_numeric",
    "factorize",
    "split_columns",
]


@dataclass(frozen=True)
class LongFormat:
    """Rows of annotations as integer codes.

    ``item[r]`` and ``annotator[r]`` index ``items`` and ``annotators`` (the original ids, sorted).
    """

    item: IntArray
    annotator: IntArray
    items: AnyArray
    annotators: AnyArray

    @property
    def n_rows(self) -> int:
        return int(self.item.shape[0])

    @property
    def n_items(self) -> int:
        return int(self.items.shape[0])

    @property
    def n_annotators(self) -> int:
        return int(self.annotators.shape[0])


@dataclass(frozen=True)
class Categorical(LongFormat):
    """Categorical annotations: ``label[r]`` indexes ``classes``."""

    label: IntArray
    classes: AnyArray

    @property
    def n_classes(self) -> int:
        return int(self.classes.shape[0])


@dataclass(frozen=True)
class Numeric(LongFormat):
    """Ordinal, interval or ratio annotations: ``value[r]`` is a float."""

    value: FloatArray


def _column(frame: Any, index: int) -> AnyArray:
    return np.asarray(frame.iloc[:, index].to_numpy())


def split_columns(data: Any) -> tuple[AnyArray, AnyArray, AnyArray]:
    """Return the ``(items, annotators, values)`` arrays of a DataFrame-like or a 3-tuple."""
    if hasattr(data, "columns") and hasattr(data, "iloc"):
        if len(data.columns) < 3:
            raise ValueError(
                f"expected at least 3 columns (item, annotator, value), got {len(data.columns)}"
            )
        return _column(data, 0), _column(data, 1), _column(data, 2)
    if isinstance(data, tuple | list) and len(data) == 3:
        cols = [np.asarray(c) if not isinstance(c, np.ndarray) else c for c in data[:2]]
        try:
            values = data[2] if isinstance(data[2], np.ndarray) else np.asarray(data[2])
            ragged = values.ndim != 1
        except ValueError:  # ragged values (lists of spans, polygons): keep them as objects
            ragged = True
        if ragged:
            values = np.empty(len(data[2]), dtype=object)
            values[:] = list(data[2])
        cols.append(values)
        lengths = {c.shape[0] for c in cols}
        if len(lengths) != 1:
            raise ValueError(f"items, annotators and values differ in length: {sorted(lengths)}")
        return cols[0], cols[1], cols[2]
    raise TypeError(
        "annotations must be a DataFrame (item, annotator, value columns first) "
        f"or a tuple (items, annotators, values); got {type(data).__name__}"
    )


def missing_mask(values: AnyArray) -> BoolArray:
    """True where a value is missing: ``None`` or ``NaN`` (empty strings are values)."""
    if values.dtype.kind == "f":
        return np.isnan(values)
    if values.dtype.kind == "O":
        return np.fromiter(
            (v is None or (isinstance(v, float) and v != v) for v in values),
            dtype=bool,
            count=values.shape[0],
        )
    return np.zeros(values.shape[0], dtype=bool)


def factorize(values: AnyArray) -> tuple[AnyArray, IntArray]:
    """Sorted unique values and the code of each element (like ``np.unique(return_inverse)``).

    Integer ids whose range is narrow enough (e.g. the task ids of one project) are coded in
    O(N) with ``np.bincount``; object arrays go through pandas when it is installed (30× faster
    on strings).
    """
    if values.dtype.kind in "iu" and values.shape[0] > 0:
        low, high = int(values.min()), int(values.max())
        if high - low < 4 * values.shape[0] + 1024:
            # Signed: widened first (int8 -100..100 spans 200); unsigned: values >= low.
            wide = values.astype(np.int64) if values.dtype.kind == "i" else values
            offsets = (wide - wide.dtype.type(low)).astype(np.intp)
            present = np.bincount(offsets, minlength=high - low + 1) > 0
            remap = np.cumsum(present) - 1
            ids = (np.flatnonzero(present).astype(wide.dtype) + wide.dtype.type(low)).astype(
                values.dtype
            )
            return ids, remap[offsets].astype(np.intp)
    if values.dtype.kind == "O":
        try:
            import pandas as pd
        except ImportError:  # pragma: no cover - pandas is optional at run time
            pd = None
        if pd is not None:
            try:
                codes, uniques = pd.factorize(values, sort=True)
            except TypeError as exc:
                raise ValueError(f"ids mix types that cannot be ordered: {exc}") from exc
            return np.asarray(uniques, dtype=object), codes.astype(np.intp)
    try:
        uniques, codes = np.unique(values, return_inverse=True)
    except TypeError as exc:
        raise ValueError(f"ids mix types that cannot be ordered: {exc}") from exc
    return uniques, codes.reshape(-1).astype(np.intp)


def _encode_ids(
    items: AnyArray, annotators: AnyArray
) -> tuple[IntArray, IntArray, AnyArray, AnyArray]:
    item_ids, item = factorize(items)
    annotator_ids, annotator = factorize(annotators)
    return item, annotator, item_ids, annotator_ids


def as_categorical(data: Any, classes: Sequence[Any] | AnyArray | None = None) -> Categorical:
    """Encode categorical annotations; ``classes`` fixes the class order (default: sorted).

    Raises ``ValueError`` if a value is not in ``classes`` or nothing is left once missing values
    are dropped.
    """
    if isinstance(data, Categorical):
        return data
    items, annotators, values = split_columns(data)
    keep = ~missing_mask(values)
    if not keep.all():
        items, annotators, values = items[keep], annotators[keep], values[keep]
    if values.shape[0] == 0:
        raise ValueError("no annotations: every value is missing or the input is empty")
    item, annotator, item_ids, annotator_ids = _encode_ids(items, annotators)
    if classes is None:
        class_ids, label = factorize(values)
    else:
        class_ids = np.asarray(classes)
        order = np.argsort(class_ids, kind="stable")
        pos = np.searchsorted(class_ids[order], values)
        pos = np.minimum(pos, class_ids.shape[0] - 1)
        label = order[pos].astype(np.intp)
        bad = class_ids[label] != values
        if np.any(bad):
            raise ValueError(
                f"value {values[np.argmax(bad)]!r} is not one of the classes {list(class_ids)!r}"
            )
    return Categorical(item, annotator, item_ids, annotator_ids, label, class_ids)


def as_numeric(data: Any) -> Numeric:
    """Encode numeric (ordinal, interval, ratio) annotations; values must convert to float."""
    if isinstance(data, Numeric):
        return data
    if isinstance(data, Categorical):
        try:
            value = data.classes.astype(np.float64)[data.label]
        except (TypeError, ValueError) as exc:
            raise ValueError(f"classes are not numbers: {exc}") from exc
        return Numeric(data.item, data.annotator, data.items, data.annotators, value)
    items, annotators, values = split_columns(data)
    try:
        numbers = values.astype(np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"values must be numbers: {exc}") from exc
    keep = ~np.isnan(numbers)
    if not keep.all():
        items, annotators, numbers = items[keep], annotators[keep], numbers[keep]
    if numbers.shape[0] == 0:
        raise ValueError("no annotations: every value is missing or the input is empty")
    if not np.all(np.isfinite(numbers)):
        raise ValueError("values must be finite numbers (found inf)")
    item, annotator, item_ids, annotator_ids = _encode_ids(items, annotators)
    return Numeric(item, annotator, item_ids, annotator_ids, numbers)
