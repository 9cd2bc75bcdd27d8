from typing import Any

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.quality import UndefinedStatisticError, krippendorff_alpha

from .conftest import reference

LEVELS = ["nominal", "ordinal", "interval", "ratio"]


def _random_matrix(seed: int, n_values: int = 5) -> np.ndarray[Any, Any]:
    rng = np.random.default_rng(seed)
    coders, units = rng.integers(2, 7), rng.integers(5, 60)
    truth = rng.integers(0, n_values, units)
    m = np.where(
        rng.random((coders, units)) < 0.6, truth, rng.integers(0, n_values, (coders, units))
    )
    m = m.astype(float)
    m[rng.random(m.shape) < 0.3] = np.nan
    return m


def _long(m: np.ndarray[Any, Any]) -> tuple[Any, Any, Any]:
    coder, unit = np.nonzero(~np.isnan(m))
    return unit, coder, m[coder, unit]


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("seed", range(8))
def test_matches_krippendorff_package(level: str, seed: int) -> None:
    m = _random_matrix(seed)
    expected = reference(lambda: krippendorff.alpha(reliability_data=m, level_of_measurement=level))
    assert krippendorff_alpha(_long(m), level) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("level", ["interval", "ordinal"])
def test_many_distinct_values_match_reference(level: str) -> None:
    rng = np.random.default_rng(3)
    m = rng.normal(size=(4, 80)).round(3)
    m[rng.random(m.shape) < 0.2] = np.nan
    expected = reference(lambda: krippendorff.alpha(reliability_data=m, level_of_measurement=level))
    assert krippendorff_alpha(_long(m), level) == pytest.approx(expected, abs=1e-10)


def test_custom_distance_equals_interval_with_squared_difference() -> None:
    m = _random_matrix(11)

    def squared(a: Any, b: Any) -> float:
        return float((a - b) ** 2)

    assert krippendorff_alpha(_long(m), distance=squared) == pytest.approx(
        krippendorff_alpha(_long(m), "interval"), abs=1e-12
    )


def test_custom_distance_sampling_estimates_expected_disagreement() -> None:
    m = _random_matrix(12)
    exact = krippendorff_alpha(_long(m), "nominal")

    def differ(a: Any, b: Any) -> float:
        return float(a != b)

    sampled = krippendorff_alpha(_long(m), distance=differ, max_pairs=20_000, seed=1)
    assert sampled == pytest.approx(exact, abs=0.05)


@settings(max_examples=30, deadline=None)
@given(
    values=st.lists(st.integers(0, 4), min_size=2, max_size=30),
    n_annotators=st.integers(2, 5),
    level=st.sampled_from(LEVELS),
)
def test_identical_annotators_give_alpha_one(
    values: list[int], n_annotators: int, level: str
) -> None:
    if len(set(values)) < 2:
        return
    items = np.tile(np.arange(len(values)), n_annotators)
    annotators = np.repeat(np.arange(n_annotators), len(values))
    assert krippendorff_alpha((items, annotators, np.tile(values, n_annotators)), level) == 1.0


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), level=st.sampled_from(LEVELS))
def test_permuting_rows_items_and_annotators_changes_nothing(seed: int, level: str) -> None:
    items, annotators, values = _long(_random_matrix(seed % 50))
    try:
        base = krippendorff_alpha((items, annotators, values), level)
    except UndefinedStatisticError:
        return
    rng = np.random.default_rng(seed)
    order = rng.permutation(items.shape[0])
    relabel = rng.permutation(items.max() + 1)
    shuffled = (relabel[items[order]], annotators[order] + 7, values[order])
    assert krippendorff_alpha(shuffled, level) == pytest.approx(base, abs=1e-12)


def test_degenerate_inputs_raise_clear_errors() -> None:
    with pytest.raises(UndefinedStatisticError, match="no item has two"):
        krippendorff_alpha(([1, 2], ["a", "a"], [0, 1]))
    with pytest.raises(UndefinedStatisticError, match="same"):
        krippendorff_alpha(([1, 1, 2, 2], ["a", "b", "a", "b"], [3, 3, 3, 3]), "interval")
    with pytest.raises(ValueError, match="no annotations"):
        krippendorff_alpha(([1], ["a"], [None]))
    with pytest.raises(ValueError, match="unknown level"):
        krippendorff_alpha(([1, 1], ["a", "b"], [0, 1]), "cardinal")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=">= 0"):
        krippendorff_alpha(([1, 1], ["a", "b"], [-1, 1]), "ratio")


def test_one_annotator_is_undefined_not_nan() -> None:
    with pytest.raises(UndefinedStatisticError):
        krippendorff_alpha((np.arange(10), np.zeros(10), np.arange(10) % 3))
