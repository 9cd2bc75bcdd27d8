"""Originality: indexing texts into the database's MinHash LSH index, and checking one
submission against all of them.

    python -m bench.originality [--texts 1000000] [--queries 200] [--runs 3]
        [--db sqlite,postgres] [--quick]

Data: ``--texts`` random word sequences of 40-80 words drawn from a 20,000-word vocabulary
with Zipf-like frequencies (exponent 1.1: a few very common words, like real prose), seed 7.
Indexing: the texts go into one reference corpus of a fresh project, in batches of 2,000 by
`accord.actions.originality.index_corpus_batch`, one write transaction per batch, as the
``originality_corpus`` job does (without reading the file); the figure is texts per second.
Checking: each run checks ``--queries`` submissions with `accord.queries.originality.
check_submission` in a read transaction, as the submit handler does: half planted near-copies
(an indexed text with 10% of its words replaced: similarity about 0.55-0.75), half new random
texts. The figure is the latency per check, pooled over the runs: p50 (p5-p95) / p99, and the
share of planted copies found. The outside implementation: datasketch's own in-memory
`MinHashLSH` (threshold 0.5, 128 permutations), built from the same signatures, queried with
the same submissions (its time covers the LSH lookup only: no exact similarity, no passages,
nothing from a database).
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np
from datasketch import LeanMinHash, MinHashLSH
from sqlalchemy import select

from accord.actions.originality import analyze_index, do_start_corpus, index_corpus_batch
from accord.kinds import parse_interface
from accord.models import CorpusState, OriginalityCorpus, OriginalityText, Project, User
from accord.quality import originality as lib
from accord.queries.originality import check_submission
from bench.machine import load_average, machine
from bench.setup import Bench, fresh, spread, table

INTERFACE = {
    "fields": [{"name": "text", "kind": "text"}],
    "questions": [
        {"name": "why", "kind": "text", "originality": {"warn_above": 0.5, "block_above": 0.8}}
    ],
}
VOCABULARY = 20_000
BATCH = 2000


class Texts:
    def __init__(self, count: int, seed: int = 7) -> None:
        self.rng = np.random.default_rng(seed)
        weights = 1.0 / np.arange(1, VOCABULARY + 1) ** 1.1
        self.p = weights / weights.sum()
        self.words = np.array([f"w{i}" for i in range(VOCABULARY)])
        self.count = count

    def one(self) -> str:
        return self.many(1)[0]

    def many(self, count: int) -> list[str]:
        sizes = self.rng.integers(40, 81, count)
        drawn = self.words[self.rng.choice(VOCABULARY, int(sizes.sum()), p=self.p)]
        cuts = np.cumsum(sizes)[:-1]
        return [" ".join(part) for part in np.split(drawn, cuts)]

    def near_copy(self, text: str) -> str:
        words = text.split()
        for i in self.rng.choice(len(words), max(1, len(words) // 10), replace=False):
            words[i] = self.words[int(self.rng.integers(0, VOCABULARY))]
        return " ".join(words)


def prepare(bench: Bench) -> tuple[int, Any]:
    """The project's interface set to one text question with originality; its corpus."""
    with bench.db.write() as session:
        project = session.get(Project, bench.project_id)
        owner = session.query(User).filter(User.email == "owner@example.com").one()
        assert project is not None
        project.interface = INTERFACE
        interface = parse_interface(INTERFACE)
        corpus = do_start_corpus(session, owner, project.id, interface, "why", "bench")
        return corpus.id, interface


def index(bench: Bench, corpus_id: int, texts: Texts, kept: list[str]) -> tuple[float, float]:
    """Index every text; texts per second of wall time and per second of this process's CPU
    time (the database is in-process on SQLite: on a busy machine the CPU figure is the
    capacity), the time of generating them left out. Keeps every 1000th text in ``kept``."""
    spent = cpu = 0.0
    line = 0
    while line < texts.count:
        size = min(BATCH, texts.count - line)
        batch = [(line + i + 1, t) for i, t in enumerate(texts.many(size))]
        kept.extend(t for n, t in batch if n % 1000 == 1)
        t0, c0 = time.perf_counter(), time.process_time()
        with bench.db.write() as session:
            corpus = session.get(OriginalityCorpus, corpus_id)
            assert corpus is not None
            index_corpus_batch(session, corpus, batch)
        spent += time.perf_counter() - t0
        cpu += time.process_time() - c0
        line += size
        if line % 100_000 == 0:
            print(f"  indexed {line:,} ({line / spent:,.0f}/s; {line / cpu:,.0f} per CPU second)")
    with bench.db.write() as session:
        corpus = session.get(OriginalityCorpus, corpus_id)
        assert corpus is not None
        corpus.state = CorpusState.ready.value
    with bench.db.write() as session:
        analyze_index(session)  # as the job does once a corpus is in
    return texts.count / spent, texts.count / cpu


def in_memory(bench: Bench) -> tuple[MinHashLSH, float]:
    """datasketch's MinHashLSH holding every indexed signature; its insertions per second."""
    lsh = MinHashLSH(threshold=0.5, num_perm=lib.NUM_PERM)
    spent = 0.0
    count = 0
    with bench.db.read() as session:
        rows = session.execute(select(OriginalityText.id, OriginalityText.signature))
        with lsh.insertion_session() as inserting:
            for text_id, signature in rows:
                t0 = time.perf_counter()
                sig = lib.signature_from_bytes(signature)
                inserting.insert(
                    text_id, LeanMinHash(seed=lib.SEED, hashvalues=sig, scheme="affine32")
                )
                spent += time.perf_counter() - t0
                count += 1
    return lsh, count / spent if spent else 0.0


def check_run(
    bench: Bench, interface: Any, queries: list[tuple[str, bool]]
) -> tuple[list[float], float]:
    """Latencies (ms) of checking each query; the share of planted copies found."""
    latencies: list[float] = []
    found = planted = 0
    for text, is_copy in queries:
        t0 = time.perf_counter()
        with bench.db.read() as session:
            outcome = check_submission(
                session, bench.project_id, interface, {"why": {"text": text}}
            )
        latencies.append((time.perf_counter() - t0) * 1000)
        if is_copy:
            planted += 1
            found += bool(outcome and outcome.findings and outcome.findings[0].similarity > 0.5)
    return latencies, found / max(planted, 1)


def datasketch_run(lsh: MinHashLSH, queries: list[tuple[str, bool]]) -> tuple[list[float], float]:
    latencies: list[float] = []
    found = planted = 0
    for text, is_copy in queries:
        t0 = time.perf_counter()
        sig = lib.signature(lib.shingles(lib.words(text).tokens))
        hits = lsh.query(LeanMinHash(seed=lib.SEED, hashvalues=sig, scheme="affine32"))
        latencies.append((time.perf_counter() - t0) * 1000)
        if is_copy:
            planted += 1
            found += bool(hits)
    return latencies, found / max(planted, 1)


def pooled(latencies: list[float]) -> str:
    a = np.array(latencies)
    p5, p50, p95, p99 = np.percentile(a, [5, 50, 95, 99])
    return f"{p50:.2f} ({p5:.2f}-{p95:.2f}) / {p99:.2f}"


def run(database: str, count: int, queries: int, runs: int) -> list[dict[str, Any]]:
    bench = fresh(database)
    corpus_id, interface = prepare(bench)
    texts = Texts(count)
    kept: list[str] = []
    print(f"{database}: indexing {count:,} texts; load average {load_average()}")
    rate, cpu_rate = index(bench, corpus_id, texts, kept)
    sample = Texts(count, seed=11)
    print(f"{database}: {rate:,.0f} texts/s; load average {load_average()}")
    lsh, lsh_rate = in_memory(bench)
    ours: list[float] = []
    theirs: list[float] = []
    recalls: list[float] = []
    for r in range(runs):
        rng = np.random.default_rng(100 + r)
        picks = rng.choice(len(kept), min(len(kept), queries // 2))
        qs = [(texts.near_copy(kept[i]), True) for i in picks]
        qs += [(t, False) for t in sample.many(queries - len(qs))]
        latencies, recall = check_run(bench, interface, qs)
        ours.extend(latencies)
        recalls.append(recall)
        theirs.extend(datasketch_run(lsh, qs)[0])
    bench.close()  # the database files go (a million texts take gigabytes)
    return [
        {
            "db": database,
            "texts": f"{count:,}",
            "index texts/s": f"{rate:,.0f}",
            "index texts/CPU-s": f"{cpu_rate:,.0f}",
            "check ms p50 (p5-p95) / p99": pooled(ours),
            "copies found": spread([x * 100 for x in recalls], "{:.0f}%"),
            "datasketch in memory: check ms": pooled(theirs),
            "index texts/s (datasketch)": f"{lsh_rate:,.0f}",
        }
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--texts", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--db", default="sqlite")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.texts, args.queries = 20_000, 40
    print(machine())
    rows: list[dict[str, Any]] = []
    for database in args.db.split(","):
        rows += run(database, args.texts, args.queries, args.runs)
    print(table(rows))
    print(f"load average after: {load_average()}")


if __name__ == "__main__":
    main()
