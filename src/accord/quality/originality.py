"""Originality of written text: near-duplicate detection by MinHash LSH, and the passages two
texts share.

Definitions (the numbers people see are these, exactly):

- **Words**: maximal runs of Unicode word characters (``\\w+``) of the text, each normalised by
  NFKC and case folding; punctuation, spacing and case do not count. Each word keeps its
  character offsets (code points) in the original text.
- **Shingles**: the set of runs of `SHINGLE_WORDS` consecutive words (a text with fewer words
  has one shingle: all of them). Three words tolerate light edits: changing one word in ten
  keeps about 70% of a text's shingles.
- **Similarity** of texts A and B: the Jaccard index of their shingle sets,
  ``|S(A) ∩ S(B)| / |S(A) ∪ S(B)|``, in 0-1. 1 is the same words in the same order; a text
  pasted whole into a text twice as long scores about 0.5.
- **Signature**: a MinHash of the shingles (`datasketch`, `NUM_PERM` = 128 permutations, the
  ``affine32`` scheme, fixed seed `SEED`, so signatures stored by one process are comparable
  with those of any other). The share of equal values estimates the similarity with a standard
  error of ``sqrt(s (1 - s) / 128)``, at most 0.044; 128 values are 512 bytes per text.
- **Band keys** (LSH): the first ``BANDS * ROWS`` = 42 x 3 = 126 values cut into 42 bands of 3;
  each band hashes (with the scope: project and question) to a 64-bit key. Two texts become
  candidates when any band key is equal, with probability ``1 - (1 - s^3)^42``
  (`detection_probability`): 0.68 at s = 0.3, 0.93 at 0.4, 0.996 at 0.5, 0.9999 at 0.6 and
  1 - 1e-18 at 0.8. Thresholds below 0.4 are therefore caught only most of the time; a pair at
  s = 0.05 (unrelated texts that share a few common phrases) is a candidate with probability
  0.005, which keeps the candidates of one lookup few.
- **Passages**: the exact overlap report: maximal runs of at least `SHINGLE_WORDS` words that
  occur in both texts, greedily from the start of the first text (the longest run wherever the
  second text has the same three words), as character offsets in both texts.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

__all__ = [
    "BANDS",
    "NUM_PERM",
    "ROWS",
    "SHINGLE_WORDS",
    "Passage",
    "Words",
    "band_keys",
    "band_keys_many",
    "detection_probability",
    "estimate",
    "jaccard",
    "passages",
    "scope_of",
    "shingles",
    "signature",
    "signature_from_bytes",
    "words",
]

SHINGLE_WORDS = 3
NUM_PERM = 128
SEED = 20261205
BANDS = 42
ROWS = 3
MAX_PASSAGES = 50  # passages reported for one pair, at most
MAX_SAME_START = 8  # places of the same three words in the other text tried for a passage

_WORD = re.compile(r"\w+")
_U64 = np.uint64
_M1 = np.array([0xBF58476D1CE4E5B9], dtype=_U64)
_M2 = np.array([0x94D049BB133111EB], dtype=_U64)
_SALTS = np.array(
    [int.from_bytes(hashlib.blake2b(b"band%d" % i, digest_size=8).digest()) for i in range(BANDS)],
    dtype=_U64,
)


@dataclass(frozen=True)
class Words:
    """A text's normalised words and their ``(start, end)`` character offsets."""

    tokens: tuple[str, ...]
    spans: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Passage:
    """Words that occur in both texts: character offsets ``[start, end)`` in each."""

    yours: tuple[int, int]
    theirs: tuple[int, int]
    words: int


def _fold(token: str) -> str:
    return unicodedata.normalize("NFKC", token).casefold()


def words(text: str) -> Words:
    tokens: list[str] = []
    spans: list[tuple[int, int]] = []
    for match in _WORD.finditer(text):
        token = match.group()
        tokens.append(token.lower() if token.isascii() else _fold(token))
        spans.append(match.span())
    return Words(tuple(tokens), tuple(spans))


def shingles(tokens: Sequence[str]) -> set[str]:
    """The text's shingles (`SHINGLE_WORDS` words joined by a space); empty for no words."""
    if len(tokens) < SHINGLE_WORDS:
        return {" ".join(tokens)} if tokens else set()
    return {" ".join(tokens[i : i + SHINGLE_WORDS]) for i in range(len(tokens) - SHINGLE_WORDS + 1)}


@lru_cache(maxsize=1)
def _permutations() -> Any:
    from datasketch import MinHash  # here: its package imports scipy, which servers start without

    return MinHash(num_perm=NUM_PERM, seed=SEED, scheme="affine32").permutations


def signature(shingle_set: Iterable[str]) -> np.ndarray[Any, np.dtype[np.uint32]]:
    """The MinHash of the shingles: `NUM_PERM` unsigned 32-bit values."""
    from datasketch import MinHash

    minhash = MinHash(num_perm=NUM_PERM, seed=SEED, scheme="affine32", permutations=_permutations())
    minhash.update_batch([s.encode() for s in shingle_set])
    return np.asarray(minhash.hashvalues, dtype=np.uint32)


def signature_from_bytes(data: bytes) -> np.ndarray[Any, np.dtype[np.uint32]]:
    return np.frombuffer(data, dtype="<u4")


def estimate(a: np.ndarray[Any, Any], b: np.ndarray[Any, Any]) -> float:
    """The similarity estimated from two signatures (the share of equal values)."""
    return float(np.count_nonzero(a == b)) / NUM_PERM


def scope_of(project_id: int, question: str) -> int:
    """A 64-bit number for a project's question: band keys of different scopes differ."""
    digest = hashlib.blake2b(f"{project_id}/{question}".encode(), digest_size=8).digest()
    return int.from_bytes(digest)


def _mix(x: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """The splitmix64 finaliser (a bijection of 64-bit numbers), element-wise."""
    x = x ^ (x >> _U64(30))
    x = x * _M1
    x = x ^ (x >> _U64(27))
    x = x * _M2
    mixed: np.ndarray[Any, Any] = x ^ (x >> _U64(31))
    return mixed


def band_keys_many(signatures: np.ndarray[Any, Any], scope: int) -> np.ndarray[Any, Any]:
    """The band keys of ``n`` signatures (an ``(n, NUM_PERM)`` array): ``(n, BANDS)`` signed
    64-bit numbers (what a BIGINT column holds)."""
    values = signatures[:, : BANDS * ROWS].astype(_U64).reshape(-1, BANDS, ROWS)
    packed = values[:, :, 0] | (values[:, :, 1] << _U64(32))
    salted = values[:, :, 2] + _SALTS + np.array([scope], dtype=_U64)
    return (_mix(packed ^ _mix(salted))).view(np.int64)


def band_keys(sig: np.ndarray[Any, Any], scope: int) -> list[int]:
    return [int(k) for k in band_keys_many(sig.reshape(1, -1), scope)[0]]


def detection_probability(similarity: float, bands: int = BANDS, rows: int = ROWS) -> float:
    """The chance that two texts of this similarity share at least one band key."""
    return 1.0 - (1.0 - similarity**rows) ** bands


def jaccard(a: set[str], b: set[str]) -> float:
    if not a and not b:
        return 0.0
    return len(a & b) / len(a | b)


def _run(a: Sequence[str], b: Sequence[str], i: int, j: int) -> int:
    n = 0
    while i + n < len(a) and j + n < len(b) and a[i + n] == b[j + n]:
        n += 1
    return n


def passages(yours: Words, theirs: Words, limit: int = MAX_PASSAGES) -> list[Passage]:
    """The runs of words both texts share (see the module's definition), at most ``limit``."""
    a, b = yours.tokens, theirs.tokens
    k = min(SHINGLE_WORDS, len(a), len(b))
    if k == 0:
        return []
    starts: dict[tuple[str, ...], list[int]] = {}
    for j in range(len(b) - k + 1):
        places = starts.setdefault(tuple(b[j : j + k]), [])
        if len(places) < MAX_SAME_START:
            places.append(j)
    found: list[Passage] = []
    i = 0
    while i <= len(a) - k and len(found) < limit:
        same = starts.get(tuple(a[i : i + k]))
        if not same:
            i += 1
            continue
        length, j = max((_run(a, b, i, j), -j) for j in same)
        j = -j
        found.append(
            Passage(
                yours=(yours.spans[i][0], yours.spans[i + length - 1][1]),
                theirs=(theirs.spans[j][0], theirs.spans[j + length - 1][1]),
                words=length,
            )
        )
        i += length
    return found
