"""Label Studio tasks to Accord rows, and Accord's exported tasks to Label Studio tasks.

A Label Studio JSON export is an array of tasks ``{"id", "data", "annotations", "predictions",
"drafts", ...}``; each annotation ``{"id", "completed_by", "result": [regions], "created_at",
"lead_time", "was_cancelled", ...}``. `read_task` converts one into an Accord task: its data
(the keys the config's objects read, Paragraphs as chat turns, List items as strings), its
predictions and its annotations with their authors' emails, each converted by
`accord.formats.labelstudio_results`, with every problem named by task and region.
`write_task` turns one record of Accord's JSONL export into a Label Studio task. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from accord.formats.labelstudio_config import Translation, pairwise_objects
from accord.formats.labelstudio_results import convert_answer, to_answer
from accord.kinds.interface import Interface

EMAIL = re.compile(r"^[^@\s,]+@[^@\s,]+$")
MAX_LISTED = 200  # problems kept in a report (the count is always whole)


@dataclass
class Author:
    """Who made an annotation in Label Studio: an email when the export gives one, else
    Label Studio's user id (a placeholder account stands for it)."""

    email: str | None
    ls_id: int | None

    @property
    def key(self) -> str:
        return self.email.lower() if self.email else f"label-studio-user-{self.ls_id}"


@dataclass
class LsAnnotation:
    author: Author
    result: dict[str, Any]
    created_at: str | None
    updated_at: str | None
    seconds: float | None
    ls_id: Any
    refused: bool = False  # fails as a submission (a required answer missing, ...)


@dataclass
class LsTask:
    """One Label Studio task as Accord will store it."""

    external_id: str
    data: dict[str, Any]
    predictions: list[dict[str, Any]] = field(default_factory=list)
    annotations: list[LsAnnotation] = field(default_factory=list)
    drafts: int = 0
    cancelled: int = 0
    problems: list[str] = field(default_factory=list)

    def row(self) -> dict[str, Any]:
        """The task as an Accord import row (JSONL: id, fields, predictions)."""
        row = {"id": self.external_id, **self.data}
        if self.predictions:
            row["predictions"] = self.predictions
        return row


def author_of(annotation: Mapping[str, Any]) -> Author:
    """The author of an annotation: ``completed_by`` as an object with an email (what Label
    Studio's import takes), else ``created_username`` ("email, id", what its export writes),
    else the bare user id."""
    by = annotation.get("completed_by")
    if isinstance(by, dict):
        email = by.get("email")
        ls_id = by.get("id")
        if isinstance(email, str) and EMAIL.match(email.strip()):
            return Author(email.strip(), ls_id if type(ls_id) is int else None)
        by = ls_id
    username = annotation.get("created_username")
    if isinstance(username, str):
        email = username.split(",")[0].strip()
        if EMAIL.match(email):
            return Author(email, by if type(by) is int else None)
    return Author(None, by if type(by) is int else 0)


def _data(
    translation: Translation, ls_data: Mapping[str, Any], where: str, problems: list[str]
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    data: dict[str, Any] = {}
    item_ids: dict[str, list[str]] = {}
    for obj in translation.objects.values():
        accord = obj["field"]
        key = translation.data_keys[accord]
        if key not in ls_data:
            continue
        value = ls_data[key]
        tag, attrs = obj["tag"], obj["attrs"]
        if tag == "paragraphs" and isinstance(value, list):
            who, said = attrs.get("namekey", "author"), attrs.get("textkey", "text")
            turns = []
            for i, item in enumerate(value):
                if not isinstance(item, dict) or not isinstance(item.get(said), str):
                    problems.append(f"{where}: data.{key}[{i}] has no text {said!r}")
                    break
                turns.append({"role": str(item.get(who, "")), "content": item[said]})
            value = turns
        elif tag == "list" and isinstance(value, list):
            texts, ids = [], []
            for i, item in enumerate(value):
                if isinstance(item, str):
                    texts.append(item)
                    ids.append(str(i))
                elif isinstance(item, dict):
                    text = item.get("body") or item.get("title") or item.get("html") or ""
                    texts.append(str(text))
                    ids.append(str(item.get("id", i)))
                else:
                    problems.append(f"{where}: data.{key}[{i}] is not a list item")
                    break
            value = texts
            item_ids[accord] = ids
        data[accord] = value
    for accord, (a, b) in translation.pairs.items():
        if a in ls_data and b in ls_data:
            data[accord] = [ls_data[a], ls_data[b]]
    return data, item_ids


def _sizes(task: Mapping[str, Any], translation: Translation, data: dict[str, Any]) -> None:
    """Give image fields their size from the regions' original_width/height (so percent
    coordinates become pixels, and shapes are checked inside the image)."""
    images = {name: o["field"] for name, o in translation.objects.items() if o["tag"] == "image"}
    for group in ("annotations", "predictions"):
        for item in task.get(group) or []:
            for region in (item.get("result") or []) if isinstance(item, dict) else []:
                if not isinstance(region, dict):
                    continue
                accord = images.get(str(region.get("to_name")))
                width, height = region.get("original_width"), region.get("original_height")
                if accord is None or type(width) is not int or type(height) is not int:
                    continue
                value = data.get(accord)
                if isinstance(value, str):
                    data[accord] = {"src": value, "width": width, "height": height}


def read_task(
    translation: Translation,
    interface: Interface,
    task: Any,
    index: int,
    *,
    media_base: str | None = None,
) -> LsTask:
    """One task of a Label Studio export (``index``: its position, 1-based)."""
    if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
        out = LsTask(str(index), {})
        out.problems.append(f"task {index}: not a Label Studio task (an object with data)")
        return out
    ls_id = task.get("id", index)
    where = f"task {ls_id}"
    out = LsTask(str(ls_id), {})
    out.data, item_ids = _data(translation, task["data"], where, out.problems)
    if media_base:
        _rebase(out.data, translation, media_base)
    _sizes(task, translation, out.data)
    convert = {"data": out.data, "names": translation.names, "item_ids": item_ids}
    for i, prediction in enumerate(task.get("predictions") or []):
        if not isinstance(prediction, dict):
            out.problems.append(
                f"{where}: prediction {prediction!r} is an id, not the "
                "prediction (Label Studio's quick export); export a snapshot "
                "with full predictions (its Export dialog)"
            )
            continue
        result, problems = to_answer(interface, prediction.get("result") or [], **convert)
        pid = prediction.get("id", i)
        out.problems.extend(f"{where}, prediction {pid}: {p}" for p in problems)
        score = prediction.get("score")
        out.predictions.append(
            {
                "model_version": str(prediction.get("model_version") or "label-studio")[:200],
                "score": _number(score),
                "result": result,
            }
        )
    for i, annotation in enumerate(task.get("annotations") or []):
        if not isinstance(annotation, dict):
            out.problems.append(f"{where}: annotation {i} is not an object")
            continue
        if annotation.get("was_cancelled"):
            out.cancelled += 1  # skipped in Label Studio: not an answer
            continue
        aid = annotation.get("id", i)
        result, problems = to_answer(interface, annotation.get("result") or [], **convert)
        out.problems.extend(f"{where}, annotation {aid}: {p}" for p in problems)
        checked = interface.check_result(result, out.data)
        out.problems.extend(f"{where}, annotation {aid}: {p}" for p in checked)
        lead = annotation.get("lead_time")
        out.annotations.append(
            LsAnnotation(
                author_of(annotation),
                result,
                _stamp(annotation.get("created_at")),
                _stamp(annotation.get("updated_at")),
                _number(lead, low=0.0),
                aid,
                refused=bool(checked),
            )
        )
    out.drafts = len(task.get("drafts") or [])
    return out


def _number(value: Any, low: float | None = None) -> float | None:
    if not isinstance(value, int | float) or isinstance(value, bool) or value != value:
        return None
    return None if low is not None and value < low else float(value)


def _stamp(value: Any) -> str | None:
    return value if isinstance(value, str) and 10 <= len(value) <= 40 else None


def _rebase(data: dict[str, Any], translation: Translation, base: str) -> None:
    """Relative media paths of Label Studio (``/data/upload/1/a.png``) joined to ``base``."""
    media = {
        o["field"]
        for o in translation.objects.values()
        if o["tag"] in ("image", "audio", "audioplus", "video")
    }
    for name in media:
        value = data.get(name)
        if isinstance(value, str) and value.startswith("/"):
            data[name] = base.rstrip("/") + value


# --- Accord -> Label Studio ----------------------------------------------------------------


def ls_data(interface: Interface, data: Mapping[str, Any]) -> dict[str, Any]:
    """A task's Accord data as Label Studio reads it with `labelstudio_config.to_xml`'s config:
    media as their reference, lists as List items, a pairwise's two candidates as two texts."""
    out: dict[str, Any] = {}
    pair_targets = {
        getattr(q, "target", None) for q in interface.questions if q.kind == "pairwise"
    } - {None}
    for f in interface.fields:
        if f.name not in data:
            continue
        value = data[f.name]
        if f.kind in ("image", "audio", "video") and isinstance(value, dict):
            value = value.get("src")
        elif f.kind == "text_list" and isinstance(value, list):
            if f.name in pair_targets and len(value) == 2:
                a, b = pairwise_objects(f.name)
                out[a], out[b] = value
            value = [{"id": str(i), "body": item} for i, item in enumerate(value)]
        out[f.name] = value
    return out


def write_task(
    interface: Interface,
    record: Mapping[str, Any],
    problems: list[str],
    emails: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """One record of Accord's JSONL export as a Label Studio task; answers that have no Label
    Studio form are left out and named in ``problems``. ``emails``: an account's email ->
    the email to write instead (a placeholder's Label Studio email)."""
    data = record.get("data") or {}
    task_id = int(record["id"])
    where = f"task {task_id}"
    annotations = []
    for annotation in record.get("annotations") or []:
        regions, lost = convert_answer(interface, annotation.get("result") or {}, data=data)
        problems.extend(f"{where}, annotation {annotation.get('id')}: {p}" for p in lost)
        email = annotation.get("annotator")
        email = (emails or {}).get(email, email) if isinstance(email, str) else email
        annotations.append(
            {
                "id": annotation.get("id"),
                "completed_by": {"email": email} if email else None,
                "created_username": f"{email}, 0" if email else "",
                "result": regions,
                "was_cancelled": False,
                "ground_truth": False,
                "created_at": annotation.get("created_at"),
                "updated_at": annotation.get("updated_at"),
                "lead_time": annotation.get("seconds"),
            }
        )
    predictions = []
    for prediction in record.get("predictions") or []:
        regions, lost = convert_answer(interface, prediction.get("result") or {}, data=data)
        problems.extend(f"{where}, prediction: {p}" for p in lost)
        predictions.append(
            {
                "model_version": prediction.get("model_version") or "",
                "score": prediction.get("score"),
                "result": regions,
            }
        )
    meta = {"accord_task_id": task_id}
    if record.get("external_id") is not None:
        meta["accord_external_id"] = record["external_id"]
    return {
        "id": task_id,
        "data": ls_data(interface, data),
        "annotations": annotations,
        "predictions": predictions,
        "meta": meta,
    }
