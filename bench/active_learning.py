"""Active learning: how many labels each queue order needs before the model reaches a target
accuracy, against random order, through a real Accord server and a real model server.

    python -m bench.active_learning [--runs 3] [--pool 1200] [--test 400] [--step 20]
        [--budget 400] [--target 0.85]

The data (generated, seeded by the run): a pool of short documents in 4 classes. Each class has
its own 25 words; two pairs of classes share 10 more words each (the confusable ones); every
document has 10 words, from 1 to 5 of them its class's own and the rest drawn from the shared
words and 300 common words, so some documents are easy and many are hard. A held-out test set
of ``--test`` documents from the same source measures the model.

The loop, for each order: a fresh server (SQLite) and a fresh model server
(`tests/ml_backend_server.py --unseeded`: TF-IDF + multinomial naive Bayes, knowing nothing
until trained) connected by the native protocol. The pool is imported without predictions;
the model predicts it once (uniform: the first ``--step`` tasks are then a random sample, the
pool being shuffled). Then, until ``--budget`` labels: an annotator takes ``--step`` tasks
from the queue (``POST /next``) and submits each one's true class; the backend is retrained
(``POST .../train``, a job); in the active learning orders the retraining job starts the
prediction of the open tasks (a job) that reorders the queue; the backend's accuracy on the
test set is measured by calling it directly. Random order is the baseline.

The outside reference: the same loop written directly with scikit-learn (the same model, the
same pool, the same steps; uncertainty computed with NumPy and SciPy from ``predict_proba``),
no Accord. Accord's orders should need about as many labels as their reference.

Figures: labels to reach ``--target`` accuracy (median over the runs, min-max; "> budget" when
not reached), and accuracy after 100 and 200 labels. Each run uses its own seed for the data
and for random order; both sides see the same data.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import numpy as np
import orjson

from bench.machine import machine
from bench.setup import fresh, table
from tests.live import live_server
from tests.ml_backend_server import ml_server

CLASSES = ["alpha", "beta", "gamma", "delta"]
INTERFACE = {
    "fields": [{"name": "text", "kind": "text"}],
    "questions": [{"name": "label", "kind": "choice", "options": CLASSES, "required": True}],
}
ORDERS: list[tuple[str, dict[str, Any]]] = [
    ("random", {"order": "random"}),
    ("least_confident", {"order": "uncertainty", "uncertainty_measure": "least_confident"}),
    ("margin", {"order": "uncertainty", "uncertainty_measure": "margin"}),
    ("entropy", {"order": "uncertainty", "uncertainty_measure": "entropy"}),
    (
        "margin + diversity",
        {"order": "uncertainty", "uncertainty_measure": "margin", "diversity": True},
    ),
]


# -- data -------------------------------------------------------------------------------------


def documents(n: int, rng: random.Random) -> list[tuple[str, str]]:
    own = {c: [f"{c}{i}" for i in range(25)] for c in CLASSES}
    shared = {
        "alpha": [f"ab{i}" for i in range(10)],
        "beta": [f"ab{i}" for i in range(10)],
        "gamma": [f"gd{i}" for i in range(10)],
        "delta": [f"gd{i}" for i in range(10)],
    }
    common = [f"w{i}" for i in range(300)]
    out = []
    for _ in range(n):
        label = rng.choice(CLASSES)
        k = rng.randint(1, 5)
        words = rng.choices(own[label], k=k)
        words += [
            rng.choice(shared[label]) if rng.random() < 0.3 else rng.choice(common)
            for _ in range(10 - k)
        ]
        rng.shuffle(words)
        out.append((" ".join(words), label))
    return out


@dataclass
class Curve:
    """Accuracy on the test set after each number of labels."""

    points: list[tuple[int, float]] = field(default_factory=list)

    def to_reach(self, target: float) -> int | None:
        return next((n for n, a in self.points if a >= target), None)

    def at(self, labels: int) -> float | None:
        return next((a for n, a in self.points if n >= labels), None)


# -- through Accord ---------------------------------------------------------------------------


def wait_job(http: httpx.Client, job_id: int, timeout: float = 300) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job: dict[str, Any] = http.get(f"/jobs/{job_id}").json()
        if job["state"] in ("succeeded", "failed", "cancelled"):
            if job["state"] != "succeeded":
                raise RuntimeError(f"job {job_id} {job['state']}: {job.get('error')}")
            return job
        time.sleep(0.05)
    raise RuntimeError(f"job {job_id} did not finish in {timeout} s")


def accuracy(model_url: str, test: list[tuple[str, str]]) -> float:
    tasks = [{"id": i + 1, "data": {"text": t}} for i, (t, _) in enumerate(test)]
    body = {"project_id": 0, "interface": INTERFACE, "tasks": tasks, "model_version": ""}
    answer = httpx.post(model_url + "/predict", json=body, timeout=120).json()
    by_id = {p["task_id"]: p["result"]["label"]["choice"] for p in answer["predictions"]}
    return sum(by_id[i + 1] == label for i, (_, label) in enumerate(test)) / len(test)


def accord_run(
    settings: dict[str, Any],
    pool: list[tuple[str, str]],
    test: list[tuple[str, str]],
    step: int,
    budget: int,
) -> Curve:
    bench = fresh("sqlite")
    truth = {f"d{i}": label for i, (_, label) in enumerate(pool)}
    env = {"ACCORD_WEBHOOK_ALLOW_PRIVATE": "1"}
    try:
        with ml_server(seeded=False) as model, live_server(bench.settings, env=env) as server:
            http = httpx.Client(
                base_url=server.url + "/api/v1",
                headers={"Authorization": f"Bearer {bench.owner_token}"},
                timeout=120,
            )
            project = bench.project_id  # empty: it takes this interface and order
            made = http.patch(f"/projects/{project}", json={"interface": INTERFACE, **settings})
            made.raise_for_status()
            rows = b"".join(
                orjson.dumps({"id": f"d{i}", "text": t}) + b"\n" for i, (t, _) in enumerate(pool)
            )
            done = http.post(
                f"/projects/{project}/imports", params={"format": "jsonl"}, content=rows
            )
            done.raise_for_status()
            backend = http.post(
                f"/projects/{project}/ml-backends",
                json={"title": "nb", "url": model.url + "/accord", "protocol": "accord"},
            ).json()["id"]
            first = http.post(
                f"/projects/{project}/ml-backends/{backend}/predictions",
                json={"batch_size": 100},
            )
            wait_job(http, first.json()["id"])
            curve = Curve()
            labels = 0
            while labels < budget:
                for _ in range(step):
                    task = http.post(f"/projects/{project}/next").json()["task"]
                    if task is None:
                        break
                    answer = {"label": {"choice": truth[task["external_id"]]}}
                    sent = http.post(f"/tasks/{task['id']}/annotations", json={"result": answer})
                    sent.raise_for_status()
                    labels += 1
                trained = http.post(f"/projects/{project}/ml-backends/{backend}/train")
                job = wait_job(http, trained.json()["id"])
                if job["result"].get("predict_job_id"):
                    wait_job(http, job["result"]["predict_job_id"])
                curve.points.append((labels, accuracy(model.url + "/accord", test)))
            return curve
    finally:
        bench.close()


# -- the reference, without Accord ------------------------------------------------------------


def reference_run(
    settings: dict[str, Any],
    pool: list[tuple[str, str]],
    test: list[tuple[str, str]],
    step: int,
    budget: int,
    seed: int,
) -> Curve:
    from scipy.stats import entropy
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.naive_bayes import MultinomialNB
    from sklearn.pipeline import make_pipeline

    texts = [t for t, _ in pool]
    labels_of = [label for _, label in pool]
    measure = settings.get("uncertainty_measure", "least_confident")
    chosen: list[int] = list(range(step))  # as Accord: a uniform model serves in pool order
    if settings["order"] == "random":
        order = list(range(len(pool)))
        random.Random(seed).shuffle(order)
        chosen = order[:step]
    curve = Curve()
    model: Any = None
    while True:
        labelled = set(chosen)
        if len({labels_of[i] for i in chosen}) >= 2:
            model = make_pipeline(TfidfVectorizer(), MultinomialNB())
            model.fit([texts[i] for i in chosen], [labels_of[i] for i in chosen])
        if model is not None:
            predicted = model.predict([t for t, _ in test])
            curve.points.append(
                (len(chosen), float(np.mean(predicted == np.array([y for _, y in test]))))
            )
        else:
            curve.points.append((len(chosen), 0.25))
        if len(chosen) >= budget:
            return curve
        rest = [i for i in range(len(pool)) if i not in labelled]
        if settings["order"] == "random":
            chosen += [i for i in order if i not in labelled][:step]
            continue
        if model is None:
            chosen += rest[:step]
            continue
        p = model.predict_proba([texts[i] for i in rest])
        full = np.zeros((len(rest), len(CLASSES)))
        for j, c in enumerate(model.classes_):
            full[:, CLASSES.index(c)] = p[:, j]
        ranked = np.sort(full, axis=1)[:, ::-1]
        if measure == "least_confident":
            unsure = 1 - ranked[:, 0]
        elif measure == "margin":
            unsure = 1 - (ranked[:, 0] - ranked[:, 1])
        else:
            unsure = entropy(full.T) / math.log(len(CLASSES))
        by = sorted(range(len(rest)), key=lambda j: (-round(unsure[j], 4), rest[j]))
        if settings.get("diversity"):
            top = full.argmax(axis=1)
            rounds: dict[int, list[int]] = {}
            seen: dict[int, int] = {}
            for j in by:
                rank = seen.get(int(top[j]), 0)
                seen[int(top[j])] = rank + 1
                rounds.setdefault(rank, []).append(j)
            by = [j for r in sorted(rounds) for j in rounds[r]]
        chosen += [rest[j] for j in by[:step]]


# -- the report -------------------------------------------------------------------------------


def figure(values: list[int | None], budget: int) -> str:
    got = [v if v is not None else math.inf for v in values]
    median = statistics.median(got)
    shown = f"> {budget}" if math.isinf(median) else f"{median:.0f}"
    low, high = min(got), max(got)

    def fmt(v: float) -> str:
        return f">{budget}" if math.isinf(v) else f"{v:.0f}"

    return f"{shown} ({fmt(low)}–{fmt(high)})"


def share(values: list[float | None]) -> str:
    got = [v for v in values if v is not None]
    if not got:
        return "-"
    return f"{statistics.median(got):.1%} ({min(got):.1%}–{max(got):.1%})"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pool", type=int, default=1200)
    parser.add_argument("--test", type=int, default=400)
    parser.add_argument("--step", type=int, default=20)
    parser.add_argument("--budget", type=int, default=400)
    parser.add_argument("--target", type=float, default=0.85)
    parser.add_argument("--quick", action="store_true", help="small sizes, to check the script")
    args = parser.parse_args(argv)
    if args.quick:
        args.runs, args.pool, args.test, args.budget, args.step = 1, 200, 100, 60, 20
    print(machine())
    print(
        f"pool {args.pool} documents, test {args.test}, {len(CLASSES)} classes; "
        f"{args.step} labels per round, budget {args.budget}; target accuracy {args.target:.0%}; "
        f"{args.runs} runs (seeds 1..{args.runs})",
        flush=True,
    )
    rows = []
    for name, settings in ORDERS:
        results: dict[str, list[Curve]] = {"accord": [], "reference": []}
        started = time.monotonic()
        for seed in range(1, args.runs + 1):
            rng = random.Random(seed)
            pool, test = documents(args.pool, rng), documents(args.test, rng)
            results["accord"].append(accord_run(settings, pool, test, args.step, args.budget))
            results["reference"].append(
                reference_run(settings, pool, test, args.step, args.budget, seed)
            )
        for side, curves in results.items():
            rows.append(
                {
                    "order": name,
                    "side": "Accord" if side == "accord" else "scikit-learn loop (reference)",
                    f"labels to {args.target:.0%}": figure(
                        [c.to_reach(args.target) for c in curves], args.budget
                    ),
                    "accuracy @100": share([c.at(100) for c in curves]),
                    "accuracy @200": share([c.at(200) for c in curves]),
                }
            )
        print(f"{name}: {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
    print(table(rows))


if __name__ == "__main__":
    main()
