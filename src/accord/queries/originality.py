"""Checking a submission's text answers against the project's originality index.

One check per text question with ``originality`` set: the answer's signature and band keys
(`accord.quality.originality`), one indexed lookup of the band keys (at most `MAX_BAND_ROWS`
rows), the `MAX_CANDIDATES` texts sharing the most bands ranked by their estimated similarity,
the exact similarity of the best `VERIFIED` of them, and the passages of the closest one. Only
published reference corpora count. Nothing is written here (`accord.actions.originality`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from accord.kinds import Interface
from accord.kinds.questions.text import Originality, TextQuestion
from accord.models import (
    CorpusState,
    OriginalityBand,
    OriginalityCheck,
    OriginalityCorpus,
    OriginalityText,
)
from accord.quality import originality as lib

MAX_BAND_ROWS = 5000  # band rows read by one lookup, at most
MAX_CANDIDATES = 50  # candidates whose signatures are compared
VERIFIED = 5  # candidates whose exact similarity is computed
CONTEXT = 40  # characters of the other text shown around a passage


@dataclass
class Indexed:
    """What indexing the answer to one question writes (`accord.actions.originality`)."""

    question: str
    text: str
    signature: bytes
    keys: list[int]


@dataclass
class Finding:
    """The closest earlier text to the answer to one question."""

    question: str
    similarity: float
    source: str  # "submission" or "reference"
    text_id: int
    annotation_id: int | None
    theirs: str
    passages: list[lib.Passage]
    verdict: str  # "original", "warn" or "block"

    def public(self) -> dict[str, Any]:
        """As the annotator may see it: the passages with a little context, never the whole
        other text, whose it is, or its task."""
        return {
            "question": self.question,
            "similarity": round(self.similarity, 4),
            "source": self.source,
            "verdict": self.verdict,
            "passages": [
                {
                    "yours": list(p.yours),
                    "theirs": list(p.theirs),
                    "words": p.words,
                    "source": self.source,
                    "text": self.theirs[p.theirs[0] : p.theirs[1]],
                    "before": self.theirs[max(0, p.theirs[0] - CONTEXT) : p.theirs[0]],
                    "after": self.theirs[p.theirs[1] : p.theirs[1] + CONTEXT],
                }
                for p in self.passages
            ],
        }


@dataclass
class Outcome:
    """The check of one submission: what was found, and what to index once it is accepted."""

    findings: list[Finding] = field(default_factory=list)
    to_index: list[Indexed] = field(default_factory=list)

    @property
    def similarity(self) -> float | None:
        return max((f.similarity for f in self.findings), default=None)

    @property
    def blocked(self) -> list[Finding]:
        return [f for f in self.findings if f.verdict == "block"]

    @property
    def warned(self) -> list[Finding]:
        return [f for f in self.findings if f.verdict == "warn"]


def originality_questions(interface: Interface) -> list[tuple[str, Originality]]:
    """The text questions with ``originality`` set, with their settings (the submit path asks
    on every submission: an isinstance test per question, ~0.1 µs each)."""
    return [
        (q.name, q.originality)
        for q in interface.questions
        if isinstance(q, TextQuestion) and q.originality is not None
    ]


def answer_of(result: Any, question: str) -> str | None:
    value = result.get(question) if isinstance(result, dict) else None
    text = value.get("text") if isinstance(value, dict) else None
    return text if isinstance(text, str) else None


def check_submission(
    session: Session,
    project_id: int,
    interface: Interface,
    result: Any,
    *,
    exclude_annotation: int | None = None,
) -> Outcome | None:
    """The check of ``result`` (answers by question); None when no question asks for one.
    ``exclude_annotation``: an annotation being edited, whose own indexed texts do not count."""
    questions = originality_questions(interface)
    if not questions:
        return None
    outcome = Outcome()
    for name, config in questions:
        text = answer_of(result, name)
        if text is None:
            continue
        words = lib.words(text)
        if len(words.tokens) < config.min_words:
            continue
        shingle_set = lib.shingles(words.tokens)
        sig = lib.signature(shingle_set)
        keys = lib.band_keys(sig, lib.scope_of(project_id, name))
        outcome.to_index.append(Indexed(name, text, sig.astype("<u4").tobytes(), keys))
        found = closest(session, project_id, name, sig, keys, shingle_set, exclude_annotation)
        if found is None:
            continue
        similarity, row = found
        verdict = (
            "block"
            if similarity > config.block_above
            else "warn"
            if similarity > config.warn_above
            else "original"
        )
        passages = [] if verdict == "original" else lib.passages(words, lib.words(row.text))
        outcome.findings.append(
            Finding(
                name, similarity, row.source, row.id, row.annotation_id, row.text, passages, verdict
            )
        )
    return outcome


def closest(
    session: Session,
    project_id: int,
    question: str,
    sig: np.ndarray[Any, Any],
    keys: list[int],
    shingle_set: set[str],
    exclude_annotation: int | None = None,
) -> tuple[float, OriginalityText] | None:
    """The indexed text (of this project's question) most similar to the answer, with its
    exact similarity; None when no text shares a band key. The texts of the annotation
    ``exclude_annotation`` (one being edited) are passed over."""
    band_rows = session.execute(
        select(OriginalityBand.text_id).where(OriginalityBand.key.in_(keys)).limit(MAX_BAND_ROWS)
    ).scalars()
    shared = Counter(band_rows)
    if not shared:
        return None
    ids = [text_id for text_id, _ in shared.most_common(MAX_CANDIDATES)]
    rows = session.execute(
        select(OriginalityText.id, OriginalityText.signature)
        .outerjoin(OriginalityCorpus, OriginalityCorpus.id == OriginalityText.corpus_id)
        .where(
            OriginalityText.id.in_(ids),
            OriginalityText.project_id == project_id,
            OriginalityText.question == question,
            or_(
                OriginalityText.corpus_id.is_(None),
                OriginalityCorpus.state == CorpusState.ready.value,
            ),
            or_(
                OriginalityText.annotation_id.is_(None),
                OriginalityText.annotation_id != (exclude_annotation or 0),
            ),
        )
    ).all()
    ranked = sorted(
        ((lib.estimate(sig, lib.signature_from_bytes(s)), i) for i, s in rows), reverse=True
    )[:VERIFIED]
    if not ranked:
        return None
    texts = session.scalars(
        select(OriginalityText).where(OriginalityText.id.in_([i for _, i in ranked]))
    ).all()
    best: tuple[float, OriginalityText] | None = None
    for row in sorted(texts, key=lambda t: t.id):
        similarity = lib.jaccard(shingle_set, lib.shingles(lib.words(row.text).tokens))
        if best is None or similarity > best[0]:
            best = (similarity, row)
    return best


def check_of(session: Session, annotation_id: int) -> OriginalityCheck | None:
    return session.get(OriginalityCheck, annotation_id)
