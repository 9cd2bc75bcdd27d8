import numpy as np
import pandas as pd
import pytest

from accord.quality import as_categorical, as_numeric
from accord.quality.data import factorize, split_columns
from accord.quality.pairs import item_pairs


def test_dataframe_first_three_columns_whatever_their_names() -> None:
    df = pd.DataFrame({"q": ["b", "a", "a"], "who": ["x", "x", "y"], "ans": ["no", "yes", None]})
    cat = as_categorical(df)
    assert list(cat.items) == ["a", "b"]
    assert list(cat.classes) == ["no", "yes"]
    assert cat.n_rows == 2  # the missing value is dropped


def test_tuple_input_and_fixed_classes() -> None:
    cat = as_categorical(([1, 1, 2], ["x", "y", "x"], ["b", "a", "b"]), classes=["b", "a", "c"])
    assert cat.label.tolist() == [0, 1, 0]
    assert cat.n_classes == 3


def test_unknown_class_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="not one of the classes"):
        as_categorical(([1], ["x"], ["z"]), classes=["a", "b"])


def test_all_missing_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="no annotations"):
        as_categorical(([1, 2], ["x", "y"], [None, float("nan")]))
    with pytest.raises(ValueError, match="no annotations"):
        as_numeric(([], [], []))


def test_numeric_rejects_text_and_inf() -> None:
    with pytest.raises(ValueError, match="numbers"):
        as_numeric(([1], ["x"], ["abc"]))
    with pytest.raises(ValueError, match="finite"):
        as_numeric(([1], ["x"], [np.inf]))


def test_mismatched_lengths_and_wrong_types() -> None:
    with pytest.raises(ValueError, match="differ in length"):
        split_columns(([1, 2], ["x"], [1, 2]))
    with pytest.raises(TypeError, match="DataFrame"):
        split_columns("nope")


@pytest.mark.parametrize(
    "values",
    [
        np.array([5, 3, 3, 9, 0]),
        np.array([10**12 + 7, 10**12, 10**12 + 7]),  # a narrow range far from 0
        np.array([-100, 100, -100, 0], dtype=np.int8),  # a span wider than int8
        np.array([2**63 + 5, 2**63 + 1], dtype=np.uint64),
        np.array([-(2**63), -(2**63) + 2]),
    ],
)
def test_factorize_dense_ints_matches_unique(values: np.ndarray) -> None:
    uniq, codes = factorize(values)
    ref_uniq, ref_codes = np.unique(values, return_inverse=True)
    assert uniq.dtype == ref_uniq.dtype
    assert uniq.tolist() == ref_uniq.tolist() and codes.tolist() == ref_codes.tolist()


def test_item_pairs_lists_every_within_item_pair_once() -> None:
    item = np.array([0, 1, 0, 0, 2, 1])
    a, b = item_pairs(item, 3)
    pairs = sorted(tuple(sorted(p)) for p in zip(a.tolist(), b.tolist(), strict=True))
    assert pairs == [(0, 2), (0, 3), (1, 5), (2, 3)]
