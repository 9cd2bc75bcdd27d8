"""Writing the originality index: a submission's texts and what its check found, and the
reference corpora managers upload (indexed by the ``originality_corpus`` job).

A corpus is written in a staging state (``indexing``: checks pass over its texts) in short
batches, and published (``ready``) in one update once every line is in; a job that fails or is
cancelled deletes what it wrote, so a corpus is used whole or not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import numpy as np
from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session

from accord.actions.audit import record
from accord.db.raw import Sql
from accord.errors import Conflict, Invalid
from accord.kinds import Interface
from accord.models import (
    CorpusState,
    Job,
    JobState,
    OriginalityBand,
    OriginalityCheck,
    OriginalityCorpus,
    OriginalityText,
    User,
)
from accord.quality import originality as lib
from accord.queries.originality import Outcome, originality_questions

SUBMISSION = "submission"
REFERENCE = "reference"
ADJUDICATION = "adjudication"  # an adjudicated final answer the adjudicator wrote
NOT_ORIGINAL = "not_original"  # the review reason of a submission above warn_above


def index_submission(
    session: Session,
    project_id: int,
    annotation_id: int,
    outcome: Outcome | None,
    typing: dict[str, Any] | None,
) -> None:
    """Index the accepted submission's texts and keep what its check found (in the submit
    transaction: a few inserts)."""
    if outcome is not None:
        _index_texts(session, project_id, outcome, SUBMISSION, annotation_id)
    findings = outcome.findings if outcome is not None else []
    if not findings and not typing:
        return
    warned = [f for f in findings if f.verdict == "warn"]
    session.add(
        OriginalityCheck(
            annotation_id=annotation_id,
            project_id=project_id,
            similarity=_rounded(outcome.similarity if outcome is not None else None),
            verdict="warn" if warned else "original",
            details={
                f.question: {
                    "similarity": round(f.similarity, 4),
                    "source": f.source,
                    "text_id": f.text_id,
                    "annotation_id": f.annotation_id,
                    "passages": [
                        {"yours": list(p.yours), "theirs": list(p.theirs), "words": p.words}
                        for p in f.passages
                    ],
                }
                for f in findings
            },
            typing=typing or {},
        )
    )


def _index_texts(
    session: Session, project_id: int, outcome: Outcome, source: str, annotation_id: int | None
) -> None:
    for item in outcome.to_index:
        text_id = session.execute(
            insert(OriginalityText)
            .values(
                project_id=project_id,
                question=item.question,
                source=source,
                annotation_id=annotation_id,
                text=item.text,
                signature=item.signature,
            )
            .returning(OriginalityText.id)
        ).scalar_one()
        keys = sorted(set(item.keys))
        session.execute(insert(OriginalityBand), [{"key": k, "text_id": text_id} for k in keys])


def index_adjudication(session: Session, project_id: int, outcome: Outcome | None) -> None:
    """Index an adjudicated final answer written by the adjudicator (source ``adjudication``,
    no annotation), in the decision's transaction, so later answers are compared with it."""
    if outcome is not None:
        _index_texts(session, project_id, outcome, ADJUDICATION, None)


def reindex_submission(
    session: Session,
    project_id: int,
    annotation_id: int,
    outcome: Outcome | None,
    typing: dict[str, Any] | None,
) -> None:
    """An edited annotation's texts indexed anew, in the edit's transaction: its earlier texts
    (and their band keys, by cascade) and check go, the edit's come in; the earlier typing
    counts stay when the edit sends none."""
    earlier = session.get(OriginalityCheck, annotation_id)
    kept_typing = typing if typing else (dict(earlier.typing) if earlier is not None else None)
    session.execute(
        delete(OriginalityText).where(
            OriginalityText.annotation_id == annotation_id,
            OriginalityText.source == SUBMISSION,
        )
    )
    if earlier is not None:
        session.delete(earlier)
        session.flush()
    index_submission(session, project_id, annotation_id, outcome, kept_typing)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def do_start_corpus(
    session: Session, user: User, project_id: int, interface: Interface, question: str, name: str
) -> OriginalityCorpus:
    """Record a reference corpus for ``question`` (staged: not used until published)."""
    names = [n for n, _ in originality_questions(interface)]
    if question not in names:
        listed = ", ".join(names) or "none"
        raise Invalid(
            f"question {question!r} has no originality check; reference corpora are for the "
            f"text questions with `originality` set (here: {listed})",
            details={"field": "question"},
        )
    corpus = OriginalityCorpus(
        project_id=project_id,
        question=question,
        name=name[:300],
        state=CorpusState.indexing.value,
        texts=0,
        created_by=user.id,
    )
    session.add(corpus)
    session.flush()
    record(
        session,
        user,
        "originality.corpus.start",
        ("originality_corpus", corpus.id),
        project_id=project_id,
        after={"question": question, "name": corpus.name},
    )
    return corpus


def index_corpus_batch(
    session: Session, corpus: OriginalityCorpus, lines: Sequence[tuple[int, str]]
) -> int:
    """Index ``lines`` (line number, text) of a staged corpus; the number of texts written.
    Texts without a word are passed over."""
    scope = lib.scope_of(corpus.project_id, corpus.question)
    kept: list[tuple[int, str, np.ndarray[Any, Any]]] = []
    for line, text in lines:
        tokens = lib.words(text).tokens
        if tokens:
            kept.append((line, text, lib.signature(lib.shingles(tokens))))
    if not kept:
        return 0
    texts_table = cast(Table, OriginalityText.__table__)  # Core: no ORM bulk-insert overhead
    ids = session.execute(
        insert(texts_table).returning(texts_table.c.id, sort_by_parameter_order=True),
        [
            {
                "project_id": corpus.project_id,
                "question": corpus.question,
                "source": REFERENCE,
                "annotation_id": None,
                "corpus_id": corpus.id,
                "line": line,
                "text": text,
                "signature": sig.astype("<u4").tobytes(),
            }
            for line, text, sig in kept
        ],
    ).scalars()
    keys = lib.band_keys_many(np.stack([sig for _, _, sig in kept]), scope)
    bands = [
        (k, text_id) for text_id, row in zip(ids, keys.tolist(), strict=True) for k in set(row)
    ]
    insert_bands(session, bands)
    session.execute(
        update(OriginalityCorpus)
        .where(OriginalityCorpus.id == corpus.id)
        .values(texts=OriginalityCorpus.texts + len(kept))
    )
    return len(kept)


# Band keys in bulk: the driver's executemany of plain tuples (SQLAlchemy's ORM bulk insert
# spent ~25 µs a row turning dictionaries into parameters, more than the insert itself).
_INSERT_BANDS = Sql("INSERT INTO originality_bands (key, text_id) VALUES (?, ?)")


def insert_bands(session: Session, bands: list[tuple[int, int]]) -> None:
    connection = session.connection()
    sqlite = connection.dialect.name == "sqlite"
    cursor: Any = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    cursor.executemany(_INSERT_BANDS.sqlite if sqlite else _INSERT_BANDS.postgres, bands)


def do_publish_corpus(session: Session, corpus_id: int) -> None:
    session.execute(
        update(OriginalityCorpus)
        .where(OriginalityCorpus.id == corpus_id)
        .values(state=CorpusState.ready.value)
    )


def analyze_index(session: Session) -> None:
    """Refresh PostgreSQL's statistics of the index after a bulk load: without them the
    planner reads the band keys' table whole for a lookup (55 ms at 840,000 rows instead of
    5 ms), until autovacuum gets to it. SQLite plans the lookup on the primary key anyway."""
    if session.connection().dialect.name == "postgresql":
        session.execute(sql_text("ANALYZE originality_bands"))
        session.execute(sql_text("ANALYZE originality_texts"))


def clear_corpus_batch(session: Session, corpus_id: int, batch: int = 5000) -> int:
    """Delete up to ``batch`` of a corpus's texts (their band keys go with them); how many."""
    ids = session.scalars(
        select(OriginalityText.id).where(OriginalityText.corpus_id == corpus_id).limit(batch)
    ).all()
    if ids:
        session.execute(delete(OriginalityBand).where(OriginalityBand.text_id.in_(ids)))
        session.execute(delete(OriginalityText).where(OriginalityText.id.in_(ids)))
    return len(ids)


def do_fail_corpus(session: Session, corpus_id: int, error: str) -> None:
    session.execute(
        update(OriginalityCorpus)
        .where(OriginalityCorpus.id == corpus_id)
        .values(state=CorpusState.failed.value, error=error[:2000], texts=0)
    )


def do_delete_corpus(session: Session, user: User, corpus: OriginalityCorpus) -> None:
    """Take a reference corpus out of use at once (``deleting``: checks pass over it); its
    texts are removed afterwards in short batches (`clear_corpus_batch`, the
    ``originality_corpus_delete`` job), then the corpus itself (`do_remove_corpus`). A corpus
    still being indexed is refused: its job must end first. Deleting one again (its job was
    cancelled, say) is allowed: the removal picks up what is left."""
    if corpus.state == CorpusState.indexing.value and corpus.job_id is not None:
        job_state = session.scalar(select(Job.state).where(Job.id == corpus.job_id))
        if job_state in (JobState.queued.value, JobState.running.value):
            raise Conflict(
                f"reference corpus {corpus.id} is still being indexed by job {corpus.job_id}; "
                "cancel that job (Jobs page) or wait for it to end, then delete the corpus",
                code="corpus_indexing",
                details={"corpus_id": corpus.id, "job_id": corpus.job_id},
            )
    corpus.state = CorpusState.deleting.value
    record(
        session,
        user,
        "originality.corpus.delete",
        ("originality_corpus", corpus.id),
        project_id=corpus.project_id,
        before={"question": corpus.question, "name": corpus.name, "texts": corpus.texts},
    )


def do_remove_corpus(session: Session, corpus_id: int) -> None:
    """Remove a deleted corpus's row once its texts are gone."""
    session.execute(delete(OriginalityCorpus).where(OriginalityCorpus.id == corpus_id))
