"""The heavy figures of a project's metrics snapshot, from its answers as arrays (no database).

For each categorical question: label distribution (overall and per annotator), Krippendorff's
alpha with a bootstrap interval, Dawid-Skene skills, each task's consensus (the stored one,
else Dawid-Skene's), each annotator's agreement with the others and with the consensus, and a
confusion matrix per annotator (consensus × given). docs/metrics.md gives the formulas.
"""

from __future__ import annotations

from array import array
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np

BOOT_ITEMS = 2000  # items per bootstrap resample, at most (see `alpha_interval`)
BOOT_ROUNDS = 200
MAX_CLASSES_CONFUSION = 20  # no confusion matrices for questions with more values

Ints = np.ndarray[Any, np.dtype[np.int64]]


@dataclass
class Answers:
    """One question's answers, as codes: task, annotator, value (an index into ``classes``)."""

    name: str
    kind: str
    classes: list[str]
    task: array[int]
    user: array[int]
    value: array[int]


@dataclass
class _Totals:
    """Per annotator, summed over questions."""

    agree: float = 0.0
    pairs: float = 0.0
    same: float = 0.0
    compared: float = 0.0
    skill_sum: float = 0.0
    answers: float = 0.0


def figures(
    answers: list[Answers], known: Ints, consensus: dict[str, dict[int, str]]
) -> dict[str, Any]:
    """The snapshot's ``questions`` and ``annotators`` (JSON-ready)."""
    totals: dict[int, _Totals] = defaultdict(_Totals)
    questions = []
    for found in answers:
        task = np.frombuffer(found.task, dtype=np.int64)
        keep = ~np.isin(task, known) if known.shape[0] else np.ones(task.shape[0], dtype=bool)
        if not keep.any():
            continue
        user = np.frombuffer(found.user, dtype=np.int64)[keep]
        value = np.asarray(found.value, dtype=np.int64)[keep]
        questions.append(
            _question(found, task[keep], user, value, consensus.get(found.name, {}), totals)
        )
    return {
        "questions": questions,
        "annotators": {str(who): _annotator(t) for who, t in sorted(totals.items())},
    }


def _annotator(t: _Totals) -> dict[str, Any]:
    return {
        "agreement_others": t.agree / t.pairs if t.pairs else None,
        "pairs": int(t.pairs),
        "agreement_consensus": t.same / t.compared if t.compared else None,
        "consensus_n": int(t.compared),
        "skill": t.skill_sum / t.answers if t.answers else None,
    }


def _question(
    found: Answers,
    task: Ints,
    user: Ints,
    value: Ints,
    stored: dict[int, str],
    totals: dict[int, _Totals],
) -> dict[str, Any]:
    k = len(found.classes)
    items, item = np.unique(task, return_inverse=True)
    people, person = np.unique(user, return_inverse=True)
    # Agreement with the others: of the pairs (this answer, another answer to the same
    # task), the share that agree.
    per_value = np.bincount(item * k + value, minlength=items.shape[0] * k)
    per_item = np.bincount(item, minlength=items.shape[0])
    agree = np.bincount(person, per_value[item * k + value] - 1.0, minlength=people.shape[0])
    pairs = np.bincount(person, per_item[item] - 1.0, minlength=people.shape[0])
    skills, ds_labels = _dawid_skene(item, person, value, k, people.shape[0], items.shape[0])
    chosen, source = _consensus(items, ds_labels, stored, found.classes)
    same = value == chosen[item]
    n_same = np.bincount(person, same.astype(np.float64), minlength=people.shape[0])
    n_answers = np.bincount(person, minlength=people.shape[0]).astype(np.float64)
    for i, who in enumerate(people.tolist()):
        t = totals[int(who)]
        t.agree += float(agree[i])
        t.pairs += float(pairs[i])
        t.same += float(n_same[i])
        t.compared += float(n_answers[i])
        if skills is not None:
            t.skill_sum += float(skills[i]) * float(n_answers[i])
            t.answers += float(n_answers[i])
    alpha, low, high = alpha_interval(found.kind, found.classes, item, person, value)
    return {
        "name": found.name,
        "kind": found.kind,
        "classes": found.classes,
        "answers": int(task.shape[0]),
        "items": int(items.shape[0]),
        "alpha": alpha,
        "alpha_low": low,
        "alpha_high": high,
        "labels": _labels(found.classes, value),
        "labels_by_annotator": _labels_by_annotator(found.classes, people, person, value),
        "consensus_from": source,
        "confusion": _confusion(people, person, chosen[item], value, k),
        "skills": {str(who): float(skills[i]) for i, who in enumerate(people.tolist())}
        if skills is not None
        else {},
    }


def _labels(classes: list[str], value: Ints) -> dict[str, int]:
    counts = np.bincount(value, minlength=len(classes))
    return {classes[i]: int(n) for i, n in enumerate(counts.tolist()) if n}


def _labels_by_annotator(
    classes: list[str], people: Ints, person: Ints, value: Ints
) -> dict[str, dict[str, int]]:
    k = len(classes)
    counts = np.bincount(person * k + value, minlength=people.shape[0] * k).reshape(-1, k)
    return {
        str(who): {classes[j]: int(n) for j, n in enumerate(counts[i].tolist()) if n}
        for i, who in enumerate(people.tolist())
    }


def _dawid_skene(
    item: Ints, person: Ints, value: Ints, k: int, n_people: int, n_items: int
) -> tuple[Any, Ints]:
    """Each annotator's Dawid-Skene skill (None with one class) and each item's label."""
    if k < 2:
        return None, np.zeros(n_items, dtype=np.int64)
    from accord.quality import dawid_skene

    found = dawid_skene((item, person, value), classes=np.arange(k))
    skills = np.zeros(n_people)
    skills[np.asarray(found.annotators, dtype=np.int64)] = found.skills
    labels = np.zeros(n_items, dtype=np.int64)
    labels[np.asarray(found.items, dtype=np.int64)] = np.asarray(found.labels, dtype=np.int64)
    return skills, labels


def _consensus(
    items: Ints, ds_labels: Ints, stored: dict[int, str], classes: list[str]
) -> tuple[Ints, dict[str, int]]:
    """Each item's consensus: the stored one where there is one, else Dawid-Skene's."""
    chosen = ds_labels.copy()
    index = {c: i for i, c in enumerate(classes)}
    used = 0
    if stored:
        for at, task_id in enumerate(items.tolist()):
            found = stored.get(int(task_id))
            if found is not None and found in index:
                chosen[at] = index[found]
                used += 1
    return chosen, {"stored": used, "dawid_skene": int(items.shape[0]) - used}


def _confusion(
    people: Ints, person: Ints, truth: Ints, value: Ints, k: int
) -> dict[str, list[list[int]]]:
    """Per annotator: counts[consensus][given] (rows: the consensus; columns: their answer)."""
    if k > MAX_CLASSES_CONFUSION:
        return {}
    cells = np.bincount(person * k * k + truth * k + value, minlength=people.shape[0] * k * k)
    tables = cells.reshape(people.shape[0], k, k)
    return {str(who): tables[i].tolist() for i, who in enumerate(people.tolist())}


def alpha_interval(
    kind: str, classes: list[str], item: Ints, person: Ints, value: Ints
) -> tuple[float | None, float | None, float | None]:
    """Krippendorff's alpha (nominal; interval for ratings) and its 95% bootstrap interval.

    Each of `BOOT_ROUNDS` rounds resamples items with replacement (all of an item's answers
    come along) and recomputes alpha; the interval is the 2.5% and 97.5% quantiles of the
    estimates (the percentile bootstrap). With more than `BOOT_ITEMS` items a round draws only
    `BOOT_ITEMS` of them, and the interval is alpha plus the quantiles of the estimates'
    deviations from their mean scaled by sqrt(BOOT_ITEMS / items) (a standard error shrinks
    with the square root of the number of items), so the interval of a million-item project
    costs what a 2,000-item one does. The high end is at most 1.
    """
    from accord.quality import UndefinedStatisticError, krippendorff_alpha

    level = "interval" if kind == "rating" else "nominal"
    data: tuple[Any, Any, Any] = (
        item,
        person,
        _numbers(classes, value) if level != "nominal" else value,
    )

    def statistic(sample: tuple[Any, Any, Any]) -> float:
        return float(krippendorff_alpha(sample, level))  # type: ignore[arg-type]

    try:
        alpha = statistic(data)
    except (UndefinedStatisticError, ValueError):
        return None, None, None
    n_items = int(item.max()) + 1 if item.shape[0] else 0
    rng = np.random.default_rng(0)
    estimates = []
    take = min(BOOT_ITEMS, n_items)
    order = np.argsort(item, kind="stable")
    starts = np.searchsorted(item[order], np.arange(n_items + 1))
    for _ in range(BOOT_ROUNDS):
        sample = rng.integers(0, n_items, size=take)
        sizes = starts[sample + 1] - starts[sample]
        rows = order[np.repeat(starts[sample], sizes) + _offsets(sizes)]
        new_item = np.repeat(np.arange(take), sizes)
        try:
            estimates.append(statistic((new_item, data[1][rows], data[2][rows])))
        except (UndefinedStatisticError, ValueError):
            continue
    if len(estimates) < BOOT_ROUNDS // 2:
        return alpha, None, None
    found = np.asarray(estimates)
    if take == n_items:  # the percentile bootstrap
        low, high = np.quantile(found, [0.025, 0.975])
    else:
        spread = (found - float(found.mean())) * np.sqrt(take / n_items)
        low, high = alpha + np.quantile(spread, [0.025, 0.975])
    return alpha, float(low), float(min(high, 1.0))


def _offsets(sizes: Ints) -> Ints:
    """0, 1, ..., size - 1 for each size, concatenated."""
    ends = np.cumsum(sizes)
    return np.arange(int(ends[-1]) if ends.shape[0] else 0) - np.repeat(ends - sizes, sizes)


def _numbers(classes: list[str], value: Ints) -> Any:
    return np.asarray([float(c) for c in classes], dtype=np.float64)[value]
