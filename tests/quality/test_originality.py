"""The originality library: words, similarity, signatures, band keys, passages."""

from __future__ import annotations

import random

import numpy as np
import pytest

from accord.quality import originality as o

BASE = (
    "The quick brown fox jumps over the lazy dog while the farmer watches from the porch "
    "and drinks his morning coffee slowly before the long day of harvest begins"
)


def _sim(a: str, b: str) -> float:
    return o.jaccard(o.shingles(o.words(a).tokens), o.shingles(o.words(b).tokens))


def test_words_are_normalised_with_offsets() -> None:
    w = o.words("Hello, WORLD!  ﬁne")
    assert w.tokens == ("hello", "world", "fine")
    assert w.spans == ((0, 5), (7, 12), (15, 18))


def test_similarity_of_known_pairs() -> None:
    assert _sim(BASE, BASE) == 1.0
    assert _sim(BASE, BASE.upper().replace(" ", "  ")) == 1.0  # case and spacing do not count
    assert _sim(BASE, "Completely different words about sailing boats on the sea today") == 0.0
    # One word changed in 29: 3 of 27 shingles lost on each side -> 24 / 30.
    changed = BASE.replace("lazy", "sleepy")
    assert _sim(BASE, changed) == pytest.approx(24 / 30)
    # A text contained in one twice as long.
    other = " ".join(f"word{i}" for i in range(29))
    assert _sim(BASE, BASE + " " + other) == pytest.approx(27 / 56)


def test_signature_estimates_similarity_and_is_stable() -> None:
    a = o.signature(o.shingles(o.words(BASE).tokens))
    b = o.signature(o.shingles(o.words(BASE.replace("lazy", "sleepy")).tokens))
    assert a.dtype == np.uint32 and a.shape == (o.NUM_PERM,)
    assert abs(o.estimate(a, b) - 0.8) < 0.15
    assert o.estimate(a, o.signature_from_bytes(a.tobytes())) == 1.0
    again = o.signature(o.shingles(o.words(BASE).tokens))
    assert (a == again).all()  # fixed seed: the same in every process


def test_band_keys_share_when_similar_and_differ_by_scope() -> None:
    a = o.signature(o.shingles(o.words(BASE).tokens))
    b = o.signature(o.shingles(o.words(BASE.replace("lazy", "sleepy")).tokens))
    scope = o.scope_of(1, "why")
    ka, kb = o.band_keys(a, scope), o.band_keys(b, scope)
    assert len(ka) == o.BANDS
    assert set(ka) & set(kb)
    assert not set(ka) & set(o.band_keys(a, o.scope_of(2, "why")))
    many = o.band_keys_many(np.stack([a, b]), scope)
    assert many.dtype == np.int64 and list(many[0]) == ka


def test_unrelated_texts_rarely_collide() -> None:
    rng = random.Random(3)
    vocab = [f"w{i}" for i in range(5000)]
    scope = o.scope_of(1, "q")
    keys: set[int] = set()
    hits = 0
    for _ in range(300):
        text = " ".join(rng.choice(vocab) for _ in range(60))
        mine = set(o.band_keys(o.signature(o.shingles(o.words(text).tokens)), scope))
        hits += bool(mine & keys)
        keys |= mine
    assert hits == 0


def test_detection_curve() -> None:
    assert o.detection_probability(0.5) > 0.99
    assert o.detection_probability(0.8) > 0.999999
    assert o.detection_probability(0.05) < 0.01


def test_passages_exact_offsets() -> None:
    yours = "Intro words here. The quick brown fox jumps over it. Nothing else matches."
    theirs = "Elsewhere: the QUICK brown fox jumps over the hill, and more."
    found = o.passages(o.words(yours), o.words(theirs))
    assert len(found) == 1
    p = found[0]
    assert yours[p.yours[0] : p.yours[1]] == "The quick brown fox jumps over"
    assert theirs[p.theirs[0] : p.theirs[1]] == "the QUICK brown fox jumps over"
    assert p.words == 6


def test_passages_several_and_none() -> None:
    a = "alpha beta gamma delta one two three four epsilon zeta eta theta"
    b = "one two three four and then alpha beta gamma delta"
    found = o.passages(o.words(a), o.words(b))
    assert [(a[p.yours[0] : p.yours[1]], b[p.theirs[0] : p.theirs[1]]) for p in found] == [
        ("alpha beta gamma delta", "alpha beta gamma delta"),
        ("one two three four", "one two three four"),
    ]
    assert o.passages(o.words("a b"), o.words("c d e")) == []
    assert o.passages(o.words(""), o.words("c d e")) == []
