import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from crowdkit.aggregation import DawidSkene, OneCoinDawidSkene

from accord.quality import Categorical, dawid_skene, one_coin_dawid_skene

from .conftest import reference, simulate


@pytest.mark.parametrize("seed", range(3))
def test_same_posteriors_as_crowdkit_for_fixed_iterations(seed: int) -> None:
    df, _ = simulate(n_items=400, n_annotators=20, per_item=4, n_classes=4, seed=seed)
    ours = dawid_skene(df, max_iter=10, tol=-np.inf)
    probas = reference(lambda: DawidSkene(n_iter=10, tol=-np.inf).fit_predict_proba(df))
    probas = probas.sort_index()[sorted(probas.columns)].to_numpy()
    assert np.allclose(ours.probabilities, probas, atol=1e-8)
    assert ours.n_iter == 10


def test_same_labels_as_crowdkit_with_default_stopping() -> None:
    df, truth = simulate(n_items=1000, seed=5)
    ours = dawid_skene(df)
    theirs = reference(lambda: DawidSkene(n_iter=100).fit_predict(df)).sort_index().to_numpy()
    assert np.mean(ours.labels == theirs) > 0.995
    assert ours.converged
    assert np.mean(ours.labels == truth) > 0.8


def test_confusion_priors_and_elbo() -> None:
    df, _ = simulate(seed=6)
    ours = dawid_skene(df)
    assert ours.confusion is not None and ours.priors is not None
    assert np.allclose(ours.confusion.sum(axis=2), 1.0, atol=1e-6)
    assert ours.priors.sum() == pytest.approx(1.0)
    assert np.all(np.diff(ours.loss_history) > -1e-9)  # EM never lowers the bound


def test_gold_labels_are_clamped() -> None:
    df, truth = simulate(n_items=300, seed=7, accuracy=(0.2, 0.6))
    gold = {i: int(truth[i]) for i in range(100)}
    ours = dawid_skene(df, gold=gold)
    assert np.array_equal(ours.labels[:100], truth[:100])
    assert np.all(ours.confidence[:100] == 1.0)
    with pytest.raises(ValueError, match="not a known class"):
        dawid_skene(df, gold={0: 99})


def test_warm_start_from_a_previous_result() -> None:
    df, _ = simulate(n_items=600, seed=8)
    full = dawid_skene(df)
    warm = dawid_skene(df, warm_start=full, max_iter=3)
    assert np.mean(warm.labels == full.labels) > 0.99
    more = pd.concat([df, pd.DataFrame({"task": [9999], "worker": [12345], "label": [0]})])
    assert dawid_skene(more, warm_start=full).labels.shape[0] == 601
    with pytest.raises(ValueError, match="warm_start"):
        dawid_skene(df, warm_start=one_coin_dawid_skene(df))


def test_one_coin_matches_crowdkit() -> None:
    df, _ = simulate(n_items=500, seed=9)
    ours = one_coin_dawid_skene(df, max_iter=10, tol=-np.inf)
    model = OneCoinDawidSkene(n_iter=10, tol=-np.inf)
    probas = reference(lambda: model.fit_predict_proba(df))
    probas = probas.sort_index()[sorted(probas.columns)].to_numpy()
    assert np.allclose(ours.probabilities, probas, atol=1e-8)
    skills = model.skills_.sort_index().to_numpy()
    assert np.allclose(ours.skills, skills, atol=1e-8)


def test_degenerate_one_class_and_one_annotator() -> None:
    one_class = dawid_skene(([1, 1, 2], ["a", "b", "a"], ["x", "x", "x"]))
    assert one_class.labels.tolist() == ["x", "x"]
    assert np.all(np.isfinite(one_class.probabilities))
    one_annotator = dawid_skene(([1, 2, 3], ["a", "a", "a"], ["x", "y", "x"]))
    assert one_annotator.labels.tolist() == ["x", "y", "x"]
    assert np.all(np.isfinite(one_annotator.skills))


def test_the_order_of_rows_does_not_change_the_result() -> None:
    """Rows grouped by item in item order, grouped in another order (a file's order), or
    scattered: the sums over each item's rows take different paths, with the same result."""
    df, _ = simulate(n_items=800, n_annotators=25, per_item=4, n_classes=3, seed=11)
    by_item = dawid_skene(df)
    rng = np.random.default_rng(0)
    order = rng.permutation(800)
    grouped = pd.concat([df[df["task"] == t] for t in order])
    scattered = df.sample(frac=1.0, random_state=1)
    for other in (dawid_skene(grouped), dawid_skene(scattered)):
        assert other.n_iter == by_item.n_iter
        assert np.allclose(other.probabilities, by_item.probabilities, atol=1e-12)
        assert np.allclose(other.confusion, by_item.confusion, atol=1e-12)


def test_an_item_without_rows_keeps_the_priors() -> None:
    cat = Categorical(
        item=np.array([0, 0, 2, 2]),
        annotator=np.array([0, 1, 0, 1]),
        items=np.array(["a", "b", "c"], dtype=object),
        annotators=np.array(["x", "y"], dtype=object),
        label=np.array([0, 0, 1, 1]),
        classes=np.array(["no", "yes"], dtype=object),
    )
    found = dawid_skene(cat)
    assert found.labels[[0, 2]].tolist() == ["no", "yes"]
    assert found.priors is not None
    assert np.allclose(found.probabilities[1], found.priors)


def test_dawid_skene_loads_no_scipy() -> None:
    """SciPy's sparse module took longer to import than a whole run on a million rows."""
    probe = (
        "import sys; from accord.quality import dawid_skene, one_coin_dawid_skene; "
        "data = ([1, 1, 2, 2], ['a', 'b', 'a', 'b'], ['x', 'x', 'y', 'x']); "
        "dawid_skene(data); one_coin_dawid_skene(data); print('scipy' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def test_two_threads_give_the_same_result_as_one(monkeypatch: pytest.MonkeyPatch) -> None:
    from accord.quality import parallel

    df, _ = simulate(n_items=3000, n_annotators=40, per_item=5, n_classes=4, seed=12)
    runs = {}
    for rows in (0, 10**12):  # from 0 rows: threads; from 10**12: one after the other
        monkeypatch.setattr(parallel, "PARALLEL_ROWS", rows)
        runs[rows] = dawid_skene(df.sample(frac=1.0, random_state=2))
    threaded, serial = runs[0], runs[10**12]
    assert np.array_equal(threaded.probabilities, serial.probabilities)
    assert threaded.loss_history == serial.loss_history


def test_the_package_names_the_functions_after_their_modules_are_imported() -> None:
    """``accord.jobs`` imports `accord.quality.dawid_skene` the module; the package's
    ``dawid_skene`` must still be the function (the metrics job once got the module)."""
    probe = (
        "import accord.quality.dawid_skene, accord.quality.mace; "
        "from accord.quality import dawid_skene, mace; "
        "print(callable(dawid_skene), callable(mace))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "True"]
