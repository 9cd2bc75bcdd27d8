import numpy as np
import pandas as pd
from crowdkit.aggregation import MACE

from accord.quality import mace, majority_vote

from .conftest import reference, simulate


def _sorted_appearance(df: pd.DataFrame) -> pd.DataFrame:
    """Rows ordered so that first appearance order = sorted order for workers and labels:
    the only inputs on which crowd-kit 1.4.2's MACE is correct (see the test below)."""
    df = df.sort_values(["worker", "task"], kind="stable").reset_index(drop=True)
    firsts = pd.DataFrame({"task": -1, "worker": -1, "label": sorted(df["label"].unique())})
    return pd.concat([firsts, df], ignore_index=True)


def test_mace_as_accurate_as_crowdkit() -> None:
    df, truth = simulate(n_items=600, n_annotators=25, per_item=5, seed=21, accuracy=(0.2, 0.9))
    ours = mace(df)
    ck_input = _sorted_appearance(df)
    theirs = reference(lambda: MACE(random_state=0).fit_predict(ck_input)).sort_index()
    theirs = theirs.drop(index=-1).to_numpy()
    assert np.mean(ours.labels == truth) >= np.mean(theirs == truth) - 0.01
    assert np.mean(ours.labels == truth) >= np.mean(majority_vote(df).labels == truth)
    assert np.mean(ours.labels == theirs) > 0.97


def test_mace_finds_spammers() -> None:
    df, truth = simulate(n_items=400, n_annotators=10, per_item=6, seed=22, accuracy=(0.9, 0.95))
    rng = np.random.default_rng(0)
    spam = df["worker"] == 0
    df.loc[spam, "label"] = rng.integers(0, 3, int(spam.sum()))
    ours = mace(df)
    assert int(np.argmin(ours.skills)) == 0
    assert np.mean(ours.labels == truth) > 0.95


def test_crowdkit_mace_misaligns_strategy_rows_pinned() -> None:
    """crowd-kit 1.4.2 MACE bug: ``strategy_expected_counts`` is a groupby result (rows sorted by
    worker, columns by label) but is used by position against ``pd.factorize`` order (first
    appearance). When the orders differ, annotators get each other's strategies, so the result
    depends on row order. Ours is invariant; crowd-kit is only right on _sorted_appearance."""
    worker = ["b"] * 30 + ["a"] * 30 + ["c"] * 30
    task = list(range(30)) * 3
    rng = np.random.default_rng(1)
    truth = rng.integers(0, 2, 30)
    label = list(truth) + list(truth) + [1] * 30  # "c" always says 1: a spammer
    df = pd.DataFrame({"task": task, "worker": worker, "label": label})
    ours = mace(df, n_restarts=1)
    ours_shuffled = mace(df.sample(frac=1.0, random_state=3), n_restarts=1)
    assert np.allclose(ours.probabilities, ours_shuffled.probabilities)
    assert ours.skills[2] < 0.2  # "c" (index 2 in sorted ids) is the spammer
    model = MACE(n_restarts=1)
    workers, worker_names = pd.factorize(df["worker"])
    labels, label_names = pd.factorize(df["label"])
    tasks, task_names = pd.factorize(df["task"])
    model._initialize(3, 2)
    _, _, strategy_counts, knowing = reference(
        lambda: model._e_step(
            df.copy(), task_names, worker_names, label_names, tasks, workers, labels
        )
    )
    assert list(worker_names) == ["b", "a", "c"]
    assert list(strategy_counts.index) == ["a", "b", "c"]  # used by position: rows swapped
    assert list(knowing.index) == ["b", "a", "c"]  # aligned by index: fine


def test_crowdkit_mace_restarts_are_identical_pinned() -> None:
    """crowd-kit 1.4.2 MACE bug: every restart reseeds with the same ``random_state``, so the
    10 restarts are one start repeated. Ours draws each restart from one generator."""
    df, _ = simulate(n_items=100, n_annotators=8, per_item=3, seed=23)
    one = reference(lambda: MACE(n_restarts=1, n_iter=5).fit(df))
    ten = reference(lambda: MACE(n_restarts=10, n_iter=5).fit(df))
    assert np.array_equal(one.spamming_, ten.spamming_)
    a = mace(df, n_restarts=1, n_iter=5)
    b = mace(df, n_restarts=10, n_iter=5)
    assert b.loss_history[0] >= a.loss_history[0]
