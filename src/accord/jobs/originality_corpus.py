"""The ``originality_corpus`` job: index a reference corpus a manager uploaded (and the
``originality_corpus_delete`` job: remove one a manager deleted).

The upload was spooled to the storage backend (``params.key``): one text per line
(``format: lines``), or JSON Lines with a ``"text"`` string on each line (``format: jsonl``),
UTF-8, at most `MAX_LINES` lines. The file is read twice: first every line is decoded and
checked, and the first bad one (an invalid UTF-8 byte sequence, a line that is not a JSON
object with a "text" string) fails the job with its line number before anything is written;
then the texts are indexed in short transactions of `BATCH` lines into the corpus, which stays
staged (``indexing``: checks pass over it) until it is published (``ready``) in one update.
A failure or a cancel deletes what was written; a retry starts over after deleting what an
earlier attempt wrote, so running the job again is safe.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson

from accord.actions.originality import (
    analyze_index,
    clear_corpus_batch,
    do_fail_corpus,
    do_publish_corpus,
    do_remove_corpus,
    index_corpus_batch,
)
from accord.errors import Invalid, NotFound
from accord.jobs.runner import JobCancelled, JobContext, job_handler, open_storage
from accord.models import OriginalityCorpus
from accord.settings import Settings

MAX_LINES = 1_000_000
MAX_LINE_BYTES = 1 << 20
BATCH = 2000
FORMATS = ("lines", "jsonl")


def _remove_spool(settings: Settings, params: dict[str, Any]) -> None:
    key = params.get("key")
    if key:
        open_storage(settings).delete(key)


def _raw_lines(context: JobContext) -> Iterator[tuple[int, bytes]]:
    with context.storage.open(context.params["key"]) as file:
        yield from enumerate(file, start=1)


def _text(number: int, line: bytes, fmt: str) -> str | None:
    """The text of one line (None: a blank line), or `Invalid` naming the line."""
    if len(line) > MAX_LINE_BYTES:
        raise Invalid(
            f"line {number}: longer than {MAX_LINE_BYTES} bytes; split or shorten it",
            details={"line": number},
        )
    try:
        decoded = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Invalid(
            f"line {number}: not UTF-8 (byte {exc.start + 1} of the line: {exc.reason}); "
            "save the file as UTF-8 and upload it again. Nothing was indexed.",
            details={"line": number, "byte": exc.start + 1},
            code="bad_encoding",
        ) from None
    decoded = decoded.rstrip("\r\n")
    if fmt == "lines":
        return decoded if decoded.strip() else None
    if not decoded.strip():
        return None
    try:
        value = orjson.loads(decoded)
    except orjson.JSONDecodeError as exc:
        raise Invalid(
            f'line {number}: not JSON ({exc}); each line must be an object with a "text" '
            "string. Nothing was indexed.",
            details={"line": number},
        ) from None
    text = value.get("text") if isinstance(value, dict) else None
    if not isinstance(text, str):
        raise Invalid(
            f'line {number}: expected an object with a "text" string. Nothing was indexed.',
            details={"line": number},
        )
    return text


def _validate(context: JobContext, fmt: str) -> int:
    """Pass one: every line decodes; the number of lines."""
    count = 0
    for number, line in _raw_lines(context):
        if number > MAX_LINES:
            raise Invalid(
                f"more than {MAX_LINES} lines; split the corpus into several uploads",
                details={"line": number},
            )
        _text(number, line, fmt)
        count = number
        if number % 50_000 == 0:
            context.progress(number, unit="lines", phase="checking the file")
    return count


def _clear(context: JobContext, corpus_id: int) -> None:
    while True:
        with context.db.write() as session:
            if clear_corpus_batch(session, corpus_id) == 0:
                return


def _index(context: JobContext, corpus_id: int, fmt: str, total: int) -> int:
    """Pass two: index the texts in batches; how many were indexed."""
    written = 0
    batch: list[tuple[int, str]] = []
    done = 0
    for number, line in _raw_lines(context):
        text = _text(number, line, fmt)
        done = number
        if text is not None:
            batch.append((number, text))
        if len(batch) >= BATCH:
            written += _write(context, corpus_id, batch)
            batch = []
            context.progress(done, total, unit="lines", phase="indexing")
    if batch:
        written += _write(context, corpus_id, batch)
    context.progress(done, total, unit="lines", phase="indexing")
    return written


def _write(context: JobContext, corpus_id: int, batch: list[tuple[int, str]]) -> int:
    with context.db.write() as session:
        corpus = session.get(OriginalityCorpus, corpus_id)
        if corpus is None:
            raise NotFound(f"reference corpus {corpus_id} was deleted")
        return index_corpus_batch(session, corpus, batch)


@job_handler("originality_corpus", cleanup=_remove_spool)
def corpus_job(context: JobContext) -> dict[str, Any]:
    corpus_id = int(context.params["corpus_id"])
    fmt = str(context.params.get("format", "lines"))
    _clear(context, corpus_id)  # what an earlier attempt wrote
    try:
        total = _validate(context, fmt)
        texts = _index(context, corpus_id, fmt, total)
    except (Invalid, JobCancelled) as exc:
        _clear(context, corpus_id)
        with context.db.write() as session:
            do_fail_corpus(session, corpus_id, getattr(exc, "message", "cancelled"))
        raise
    with context.db.write() as session:
        do_publish_corpus(session, corpus_id)
    with context.db.write() as session:
        analyze_index(session)
    return {"corpus_id": corpus_id, "lines": total, "texts": texts}


@job_handler("originality_corpus_delete")
def corpus_delete_job(context: JobContext) -> dict[str, Any]:
    """Remove a deleted reference corpus (``deleting``, out of use since the request): its
    texts and band keys in short transactions of `clear_corpus_batch`, then the corpus."""
    corpus_id = int(context.params["corpus_id"])
    total = int(context.params.get("texts", 0)) or None
    removed = 0
    while True:
        with context.db.write() as session:
            gone = clear_corpus_batch(session, corpus_id)
        if gone == 0:
            break
        removed += gone
        context.progress(removed, total, unit="texts", phase="deleting")
    with context.db.write() as session:
        do_remove_corpus(session, corpus_id)
    return {"corpus_id": corpus_id, "texts": removed}
