"""An import's rows checked against a project's interface and made ready to store.

Each row holds the fields by name, plus optionally ``id`` (external id), ``priority`` (whole
number, for the priority queue order) and ``predictions`` (``[{model_version, score, result}]``,
checked like answers). A good row becomes a `TaskRow`; a bad one goes to the `ImportReport`
with its line, the field and what was expected. Nothing here touches a database: duplicates are
found when the rows are stored (`accord.db.staging`, `accord.db.bulk`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

import orjson

from accord.formats.rows import BadRow, FatalFormatError, Source, read_rows
from accord.kinds import Interface

MAX_ERRORS = 100
MAX_LISTED_DUPLICATES = 100
MAX_EXTERNAL_ID = 200
PRIORITY_RANGE = (-(2**31), 2**31 - 1)
NUL = "\x00"
ESCAPED_NUL = "\\u0000"  # how orjson writes a NUL character inside a JSON string
STRUCTURED_KINDS = frozenset({"text_list", "chat"})
NUL_IN_DATA = "a value holds a NUL character (\\u0000), which cannot be stored; remove it"

# (field, why) for the first media reference of a row that may not be used, or None.
MediaCheck = Callable[[Mapping[str, Any]], tuple[str, str] | None]
Prediction = tuple[str, float | None, str]  # model_version, score, result as JSON text
# A row's known answer (``gold``, with ``gold_purpose`` and ``gold_explanation``) travels
# through the import as a prediction whose model version is `GOLD_MARK` + purpose, so that
# every storage path carries it; `accord.actions.gold.settle_gold` moves it into
# ``gold_answers`` in the same transaction, before anyone can see it.
GOLD_MARK = "\x01gold:"
GOLD_PURPOSE = "gold_purpose"
GOLD_EXPLANATION = "gold_explanation"
GOLD_KEYS = frozenset({GOLD_PURPOSE, GOLD_EXPLANATION})
GOLD_PURPOSES = ("gold", "qualification", "training")
MAX_EXPLANATION = 20_000
# A row's ``"sensitive": true`` travels the same way, as a prediction with this model version;
# `accord.actions.sensitive.settle_sensitive` marks the task and drops it. A project with a
# field named ``sensitive`` keeps it as a field.
SENSITIVE_MARK = "\x01sensitive"
SENSITIVE = "sensitive"
TRUE_WORDS = frozenset({"true", "1", "yes"})
FALSE_WORDS = frozenset({"false", "0", "no", ""})
# (external_id, data as JSON text, priority, queue_key, predictions)
TaskRow = tuple[str | None, str, int, int, list[Prediction] | None]


@dataclass
class ImportReport:
    import_id: int | None = None
    created: int = 0
    duplicates: int = 0
    skipped: int = 0
    predictions: int = 0
    gold: int = 0  # tasks with a known answer (gold, qualification, training)
    errors: list[dict[str, Any]] = field(default_factory=list)
    duplicate_ids: list[str] = field(default_factory=list)

    def duplicate(self, external_id: str) -> None:
        self.duplicates += 1
        if len(self.duplicate_ids) < MAX_LISTED_DUPLICATES:
            self.duplicate_ids.append(external_id)

    def fail(self, line: int, field_name: str | None, message: str) -> None:
        self.skipped += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append({"line": line, "field": field_name, "message": message})


class RowProblem(Exception):
    def __init__(self, field_name: str | None, message: str) -> None:
        self.field = field_name
        self.message = message


@dataclass(frozen=True)
class RowRules:
    """What a good row is for one project."""

    interface: Interface
    queue_key: Callable[[int], int] | None  # priority -> key; None: every key is 0
    max_result_bytes: int = 1 << 20
    max_row_bytes: int = 16 << 20
    # Refuses a row's media references the server may not read (buckets tasks may not use:
    # `accord.media.links.bucket_row_check`), giving (field, why); None: nothing to refuse.
    media_check: MediaCheck | None = None


def checked_rows(
    source: Source, fmt: str, rules: RowRules, report: ImportReport, *, stop_early: bool
) -> Iterator[TaskRow]:
    """The good rows of ``source``; bad ones go to ``report``. The hot loop.

    With ``stop_early`` (an atomic import), reading stops once `MAX_ERRORS` rows are bad.
    A file that cannot be read past some point raises `FatalFormatError` after reporting it.
    """
    interface = rules.interface
    quick = interface.row_quick_check()
    explain = interface.row_check()
    media_check = rules.media_check
    structured = frozenset(f.name for f in interface.fields if f.kind in STRUCTURED_KINDS)
    key_of = rules.queue_key
    dumps = orjson.dumps
    low, high = PRIORITY_RANGE
    rows = read_rows(fmt, source, structured | {"predictions", "gold"}, rules.max_row_bytes)
    flag_key = None if any(f.name == SENSITIVE for f in interface.fields) else SENSITIVE
    enough = MAX_ERRORS if stop_early else -1
    try:
        for line, value in rows:
            if report.skipped == enough:
                return
            if type(value) is not dict:
                report.fail(line, None, _unreadable(value))
            else:
                ext = value.pop("id", None)
                priority = value.pop("priority", 0)
                predictions = value.pop("predictions", None)
                gold = value.pop("gold", None)
                sensitive = value.pop(flag_key, None) if flag_key else None
                if gold is not None or GOLD_KEYS & value.keys():
                    gold = _gold_parts(gold, value)
                if not quick(value):
                    problem = explain(value)
                    if problem is not None:
                        report.fail(line, *problem)
                        continue
                if media_check is not None and (problem := media_check(value)) is not None:
                    report.fail(line, *problem)
                    continue
                try:
                    if ext is not None and (
                        type(ext) is not str or not 0 < len(ext) <= MAX_EXTERNAL_ID or NUL in ext
                    ):
                        ext = _external_id(ext)
                    if type(priority) is not int or not low <= priority <= high:
                        priority = _priority(priority, fmt)
                    preds = (
                        _predictions(predictions, interface, value, rules.max_result_bytes)
                        if predictions
                        else None
                    )
                    if gold is not None:
                        preds = [*(preds or ()), _gold(gold, interface, value, rules)]
                    if sensitive is not None and _sensitive(sensitive):
                        preds = [*(preds or ()), (SENSITIVE_MARK, None, "true")]
                    data = dumps(value).decode()
                    if ESCAPED_NUL in data and _has_nul(value):
                        raise RowProblem(None, NUL_IN_DATA)
                except RowProblem as problem:
                    report.fail(line, problem.field, problem.message)
                    continue
                yield ext, data, priority, key_of(priority) if key_of else 0, preds
    except FatalFormatError as exc:
        report.fail(exc.line, None, exc.message)
        raise


def _sensitive(value: Any) -> bool:
    """A row's ``sensitive``: true or false (in CSV also 1/0, yes/no, or empty)."""
    if type(value) is bool:
        return value
    if isinstance(value, str) and value.strip().lower() in TRUE_WORDS | FALSE_WORDS:
        return value.strip().lower() in TRUE_WORDS
    raise RowProblem(SENSITIVE, "expected true or false (whether the task is sensitive)")


def _unreadable(value: Any) -> str:
    return value.message if isinstance(value, BadRow) else "expected an object of field values"


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(NUL in k or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _external_id(ext: Any) -> str:
    if type(ext) is int and -(2**63) <= ext < 2**63:
        return str(ext)
    if type(ext) is str and NUL in ext:
        raise RowProblem("id", "holds a NUL character (\\u0000), which cannot be stored")
    raise RowProblem(
        "id",
        f"expected a non-empty string (at most {MAX_EXTERNAL_ID} characters) or a whole number",
    )


def _priority(priority: Any, fmt: str) -> int:
    low, high = PRIORITY_RANGE
    if fmt in ("csv", "tsv") and isinstance(priority, str):
        with suppress(ValueError):
            priority = int(priority)
    if type(priority) is int and low <= priority <= high:
        return priority
    raise RowProblem("priority", f"expected a whole number from {low} to {high}")


def _predictions(
    predictions: Any, interface: Interface, data: dict[str, Any], max_bytes: int
) -> list[Prediction]:
    if type(predictions) is not list:
        raise RowProblem("predictions", "expected a list of {model_version, score, result}")
    out = []
    for i, pred in enumerate(predictions):
        where = f"predictions[{i}]"
        if type(pred) is not dict or not set(pred) <= {"model_version", "score", "result"}:
            raise RowProblem(where, "expected an object {model_version, score, result}")
        version, score, result = pred.get("model_version"), pred.get("score"), pred.get("result")
        if (
            type(version) is not str
            or not 0 < len(version) <= 200
            or NUL in version
            or version.startswith(GOLD_MARK)
        ):
            raise RowProblem(f"{where}.model_version", "expected a non-empty string")
        if score is not None and type(score) not in (int, float):
            raise RowProblem(f"{where}.score", "expected a number or null")
        problems = interface.check_result(result, data, partial=True, root=f"{where}.result")
        if problems:
            raise RowProblem(problems[0].path, problems[0].message)
        text = orjson.dumps(result).decode()
        if len(text) > max_bytes:
            raise RowProblem(
                f"{where}.result", f"{len(text)} bytes of JSON, more than the limit of {max_bytes}"
            )
        if ESCAPED_NUL in text and _has_nul(result):
            raise RowProblem(f"{where}.result", "holds a NUL character, which cannot be stored")
        out.append((version, None if score is None else float(score), text))
    return out


def _gold_parts(gold: Any, value: dict[str, Any]) -> tuple[Any, Any, Any] | None:
    """(answer, purpose, explanation) of a row, None when it has none (empty CSV cells)."""
    parts = (gold, value.pop(GOLD_PURPOSE, None), value.pop(GOLD_EXPLANATION, None))
    return None if all(part in (None, "") for part in parts) else parts


def _gold(
    parts: tuple[Any, Any, Any], interface: Interface, data: dict[str, Any], rules: RowRules
) -> Prediction:
    """The row's known answer, checked like a submitted answer (it may leave questions out:
    only those it answers are scored), as a marked prediction."""
    answer, purpose, explanation = parts
    if answer in (None, "", {}):
        raise RowProblem("gold", "expected the known answer, an object keyed by question name")
    purpose = "gold" if purpose in (None, "") else purpose
    if purpose not in GOLD_PURPOSES:
        raise RowProblem(GOLD_PURPOSE, f"expected one of {', '.join(GOLD_PURPOSES)}")
    explanation = "" if explanation is None else explanation
    if type(explanation) is not str or len(explanation) > MAX_EXPLANATION or NUL in explanation:
        raise RowProblem(GOLD_EXPLANATION, f"expected text of at most {MAX_EXPLANATION} characters")
    problems = interface.check_result(answer, data, partial=True, root="gold")
    if problems:
        raise RowProblem(problems[0].path, problems[0].message)
    text = orjson.dumps({"answer": answer, "explanation": explanation}).decode()
    if len(text) > rules.max_result_bytes:
        raise RowProblem("gold", f"{len(text)} bytes of JSON, more than the limit")
    if ESCAPED_NUL in text and _has_nul(answer):
        raise RowProblem("gold", "holds a NUL character, which cannot be stored")
    return (GOLD_MARK + purpose, None, text)
