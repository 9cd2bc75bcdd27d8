"""Exports in the formats training code reads (docs/training_exports.md): TRL's SFT,
preference and KTO datasets, reward-model pairs and OpenAI fine-tuning JSONL
(`accord.formats.training`), typed Parquet for Hugging Face ``datasets``
(`accord.formats.hf_parquet`), CoNLL IOB2 (`accord.formats.conll`) and spaCy ``DocBin``
(`accord.formats.spacy_docbin`).

The answers are read from one snapshot in task order, as `accord.jobs.exports` reads them:
every annotation the filters keep (status, annotator, since, until; ``reviewed``: only those a
reviewer accepted or fixed), or with ``final`` each complete task's final answer
(`accord.jobs.final_answers`: adjudicated, else consensus, else its one annotation). What
could not be written (ties, spans off token boundaries, empty answers) is counted and named
in the export's `Report`: a job's result carries it; a streamed export answers it with
``report=true`` instead of the file.
"""

from __future__ import annotations

import logging
from collections.abc import Generator, Iterator
from typing import Any

import orjson

from accord.db import Database
from accord.errors import Invalid
from accord.formats.conll import conll_chunks, spans_question
from accord.formats.training import (
    JSONL_FORMATS,
    Item,
    Report,
    TrainingError,
    TrainingOptions,
    TrainingPlan,
)
from accord.jobs.export_lines import (
    ExportFilter,
    _Sql,
    annotation_sql,
    close_readers,
    emails,
    status_sql,
)
from accord.kinds import Interface
from accord.models import Project

log = logging.getLogger(__name__)

TRAINING_FORMATS = (*JSONL_FORMATS, "hf-parquet", "conll", "spacy")
MEDIA_TYPES = {
    **{f: "application/x-ndjson" for f in JSONL_FORMATS},
    "hf-parquet": "application/vnd.apache.parquet",
    "conll": "text/plain; charset=utf-8",
    "spacy": "application/zip",
}
SUFFIXES = {
    **{f: f"{f}.jsonl" for f in JSONL_FORMATS},
    "hf-parquet": "parquet",
    "conll": "conll",
    "spacy": "spacy.zip",
}
REVIEWED = ("accepted", "fixed")

__all__ = [
    "MEDIA_TYPES",
    "SUFFIXES",
    "TRAINING_FORMATS",
    "check_training_format",
    "export_training",
]


def check_training_format(
    interface: Interface, fmt: str, options: TrainingOptions, *, consensus: bool = False
) -> Any:
    """What ``fmt`` writes from this interface (a plan, a spans question or None), or
    `Invalid` naming the questions or fields it needs."""
    if consensus:
        raise Invalid(
            f"{fmt} holds one answer per record: leave out consensus (use final for each "
            "task's consensus or adjudicated answer)",
            details={"field": "consensus"},
        )
    try:
        if fmt in JSONL_FORMATS:
            return TrainingPlan.of(interface, fmt, options)
        if fmt in ("conll", "spacy"):
            question = spans_question(interface, options, fmt)
            if fmt == "spacy":
                from accord.formats.spacy_docbin import check_alignment, load_spacy

                check_alignment(options.alignment_mode)
                load_spacy(options.lang)
            return question
        return None
    except TrainingError as exc:
        raise Invalid(f"{fmt}: {exc}", details={"field": "format"}) from None


def training_items(
    db: Database, project: Project, flt: ExportFilter, *, final: bool, reviewed: bool
) -> Generator[Item, None, None]:
    """The answers to write, in task order, from one snapshot (see the module)."""
    from accord.jobs.exports import snapshot

    conn = snapshot(db)
    try:
        if final:
            from accord.jobs.final_answers import final_rows

            for task_id, external_id, data, source, result, _, _ in final_rows(conn, project):
                yield Item(task_id, external_id, orjson.loads(data), result or {}, source=source)
            return
        sql = _Sql.of(conn)
        p = sql.param
        people = {uid: orjson.loads(email) for uid, email in emails(sql).items()}
        status_where, status_params = status_sql(flt, project.overlap, p)
        ann_where, ann_params = annotation_sql(flt, sql)
        if reviewed:
            ann_where += f" AND a.review_state IN ({p}, {p})"
            ann_params = [*ann_params, *REVIEWED]
        rows = sql.rows(
            "SELECT a.task_id, t.external_id, a.id, a.user_id, a.review_state, a.result, t.data "
            "FROM annotations a JOIN tasks t ON t.id = a.task_id "
            f"WHERE a.project_id = {p}{ann_where}{status_where} ORDER BY a.task_id, a.id",
            [project.id, *ann_params, *status_params],
        )
        for task_id, external_id, aid, uid, review, result, data in rows:
            yield Item(
                task_id,
                external_id,
                orjson.loads(data),
                orjson.loads(result),
                annotation_id=aid,
                annotator=people.get(uid),
                review_state=review,
            )
    finally:
        close_readers(conn)


def _jsonl(plan: TrainingPlan, items: Iterator[Item], report: Report) -> Iterator[bytes]:
    parts: list[bytes] = []
    size = 0
    for item in items:
        for record in plan.records(item, report):
            line = orjson.dumps(record) + b"\n"
            parts.append(line)
            size += len(line)
        if size >= 1 << 20:
            yield b"".join(parts)
            parts, size = [], 0
    yield b"".join(parts)


def export_training(
    db: Database,
    project: Project,
    interface: Interface,
    fmt: str,
    flt: ExportFilter,
    options: TrainingOptions,
    report: Report,
    *,
    final: bool = False,
    reviewed: bool = False,
) -> Iterator[bytes]:
    """The export's bytes; ``report`` fills as they are made (whole once they are all read)."""
    target = check_training_format(interface, fmt, options)
    items = training_items(db, project, flt, final=final, reviewed=reviewed)
    try:
        if fmt in JSONL_FORMATS:
            yield from _jsonl(target, items, report)
        elif fmt == "conll":
            yield from conll_chunks(items, target, report)
        elif fmt == "spacy":
            from accord.formats.spacy_docbin import docbin_chunks

            yield from docbin_chunks(items, interface, target, options, report)
        else:
            from accord.formats.hf_parquet import parquet_chunks

            yield from parquet_chunks(items, interface, report)
        if report.skipped:
            log.info("export of project %d as %s: %s", project.id, fmt, "; ".join(report.lines()))
    finally:
        items.close()


def report_of(body: Iterator[bytes], report: Report) -> dict[str, Any]:
    """Run an export without keeping its bytes: its report, and how many bytes it made."""
    size = sum(len(chunk) for chunk in body)
    return {**report.as_dict(), "bytes": size}


def options_in(params: dict[str, Any]) -> TrainingOptions:
    """The training options of an export job's parameters."""
    return TrainingOptions(
        question=params.get("question") or None,
        prompt=params.get("prompt") or None,
        response=params.get("response") or None,
        threshold=params.get("threshold"),
        desirable=tuple(params.get("desirable") or ()),
        lang=params.get("lang") or "en",
        alignment_mode=params.get("alignment_mode") or "strict",
    )


def job_body(
    db: Database, project: Project, params: dict[str, Any], report: Report
) -> Iterator[bytes]:
    """An export job's bytes in a training format (its parameters as `accord.api.jobs`
    records them)."""
    import datetime as dt

    from accord.queries.projects import interface_of

    def moment(value: str | None) -> dt.datetime | None:
        return dt.datetime.fromisoformat(value) if value else None

    flt = ExportFilter(
        status=params.get("status"),
        annotator_id=params.get("annotator_id"),
        since=moment(params.get("since")),
        until=moment(params.get("until")),
    )
    return export_training(
        db,
        project,
        interface_of(project),
        params["format"],
        flt,
        options_in(params),
        report,
        final=bool(params.get("final")),
        reviewed=bool(params.get("reviewed")),
    )
