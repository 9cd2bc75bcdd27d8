"""What Accord sends to a model server and how it reads the answers, for both protocols
(docs/ml_backends.md). No HTTP here (`accord.jobs.ml_client` calls the servers) and no
database: bodies in, `Predicted` out.

- ``labelstudio``: Label Studio's ML backend protocol, so that the backends people already run
  work unchanged. The project's interface is sent as a Label Studio labeling config
  (`accord.formats.labelstudio_config.to_xml`) and each answer's regions are turned into an
  Accord answer (`accord.formats.labelstudio_results.to_answer`).
- ``accord``: the native protocol: the interface as Accord declares it, answers in Accord's
  own shapes.

Every answer is checked against the interface with the question kinds' own validation (as a
prediction: nothing is required); one that does not fit is refused for its task, with the
problems named, and nothing of it is kept.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from accord.kinds.interface import Interface

MAX_VERSION = 200
MAX_PROBLEMS = 5  # named in one failure message


@dataclass(frozen=True)
class TaskIn:
    """A task as it is sent: its id and its data."""

    id: int
    data: Mapping[str, Any]


@dataclass
class Predicted:
    """One task's outcome: an answer that fits the interface, or why there is none."""

    task_id: int
    result: dict[str, Any] | None = None
    score: float | None = None
    model_version: str = ""
    error: str | None = None
    # The model's class probabilities by question, when the server gives them (active learning's
    # margin and entropy measures: accord.quality.uncertainty).
    probabilities: dict[str, dict[str, float]] | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.result is not None


class Garbage(Exception):
    """The server's answer as a whole is not what the protocol says (for every task)."""


# -- Label Studio ---------------------------------------------------------------------------


def ls_project(project_id: int, created_at: dt.datetime) -> str:
    """Label Studio's project reference: ``<id>.<created, Unix seconds>``."""
    return f"{project_id}.{int(created_at.timestamp())}"


def label_config(interface: Interface) -> str:
    """The interface as a Label Studio labeling config (XML)."""
    from accord.formats.labelstudio_config import to_xml

    return str(to_xml(interface))


def ls_setup_body(project: str, schema: str, model_version: str) -> dict[str, Any]:
    return {
        "project": project,
        "schema": schema,
        "hostname": "",
        "access_token": "",
        "model_version": model_version,
        "extra_params": None,
    }


def ls_tasks(interface: Interface, tasks: Sequence[TaskIn]) -> list[dict[str, Any]]:
    """The tasks as Label Studio sends them: ``{"id", "data"}``, the data as Label Studio
    reads it with the config of `label_config` (`accord.formats.labelstudio_tasks.ls_data`)."""
    from accord.formats.labelstudio_tasks import ls_data

    return [{"id": t.id, "data": ls_data(interface, t.data)} for t in tasks]


def ls_predict_body(
    project: str,
    schema: str,
    tasks: list[dict[str, Any]],
    model_version: str,
    context: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """``tasks``: as `ls_tasks` makes them."""
    params: dict[str, Any] = {"login": None, "password": None}
    if context is not None:
        params["context"] = dict(context)
    return {
        "tasks": tasks,
        "model_version": model_version,
        "project": project,
        "label_config": schema,
        "params": params,
    }


def read_ls_predictions(
    answer: Any, tasks: Sequence[TaskIn], interface: Interface, fallback_version: str
) -> list[Predicted]:
    """``{"results": [{"result": [regions], "score", "model_version"}, ...]}``, one item per
    task in the order sent (Label Studio's ``/predict``)."""
    if isinstance(answer, Mapping) and "results" in answer:
        items = answer["results"]
    elif isinstance(answer, list):  # older backends answered the list itself
        items = answer
    else:
        raise Garbage('expected {"results": [...]}, one prediction per task sent')
    if not isinstance(items, list):
        raise Garbage('"results" is not a list')
    version = _version(answer.get("model_version") if isinstance(answer, Mapping) else None)
    out: list[Predicted] = []
    for index, task in enumerate(tasks):
        if index >= len(items):
            out.append(
                Predicted(
                    task.id,
                    error=f"the server answered {len(items)} predictions for "
                    f"{len(tasks)} tasks; none for this one",
                )
            )
            continue
        out.append(_ls_item(items[index], task, interface, version or fallback_version))
    return out


def _ls_item(item: Any, task: TaskIn, interface: Interface, version: str) -> Predicted:
    from accord.formats.labelstudio_results import to_answer

    if isinstance(item, list):  # a bare list of regions
        item = {"result": item}
    if not isinstance(item, Mapping):
        return Predicted(task.id, error=f"its prediction is {_what(item)}, not an object")
    regions = item.get("result")
    if not isinstance(regions, list):
        return Predicted(task.id, error='its prediction has no "result" list of regions')
    score, why = _score(item.get("score"))
    probabilities, why = (None, why) if why else _probabilities(item, interface)
    if why:
        return Predicted(task.id, error=why)
    try:
        result, problems = to_answer(interface, regions, data=task.data)
    except Exception as exc:  # a converter's refusal of a broken region, whatever its type
        return Predicted(task.id, error=f"its regions could not be read: {exc}")
    if problems:
        return Predicted(
            task.id, error="its regions do not fit the interface: " + _listed(problems)
        )
    found = _checked(
        task, dict(result), interface, score, _version(item.get("model_version")) or version
    )
    return replace(found, probabilities=probabilities) if found.ok else found


# -- what the person did: points and boxes on an image (Suggest's context) -------------------

SHAPE_KINDS = ("boxes", "polygons", "polylines", "points", "keypoints", "masks")
MAX_CONTEXT_SHAPES = 50  # points and boxes together in one request
CONTEXT_KEYS = ("question", "field", "image", "points", "boxes")


def image_context_problems(context: Mapping[str, Any], interface: Interface) -> list[str]:
    """What is wrong with the image part of a Suggest context: ``{"question", "field",
    "image": {"width", "height"}, "points": [{"x", "y", "label", "positive"?}], "boxes": [{"x",
    "y", "width", "height", "label"}]}``, in pixels of the image. Empty when it is right, or
    when the context has neither points nor boxes."""
    if "points" not in context and "boxes" not in context:
        return []
    question = interface.question(str(context.get("question", "")))
    if question is None or getattr(question, "kind", "") not in SHAPE_KINDS:
        return [
            f"context.question: {str(context.get('question'))[:80]!r} is not a shape question "
            "of the project (points and boxes are drawn for one)"
        ]
    problems: list[str] = []
    target = getattr(question, "target", None)
    if context.get("field") != target:
        problems.append(f"context.field: the question {question.name!r} is drawn on {target!r}")
    image = context.get("image")
    width = image.get("width") if isinstance(image, Mapping) else None
    height = image.get("height") if isinstance(image, Mapping) else None
    if not (_positive(width) and _positive(height)):
        return [*problems, 'context.image: expected {"width", "height"} in pixels (above 0)']
    width, height = float(width), float(height)  # type: ignore[arg-type]
    points, boxes = context.get("points", []), context.get("boxes", [])
    if not isinstance(points, list) or not isinstance(boxes, list):
        return [*problems, "context.points and context.boxes: expected lists"]
    if not points and not boxes:
        problems.append("context: no point and no box: click or drag on the image first")
    if len(points) + len(boxes) > MAX_CONTEXT_SHAPES:
        problems.append(f"context: at most {MAX_CONTEXT_SHAPES} points and boxes together")
    for kind, items, keys in (
        ("points", points, ("x", "y")),
        ("boxes", boxes, ("x", "y", "width", "height")),
    ):
        for i, item in enumerate(items[:MAX_CONTEXT_SHAPES]):
            where = f"context.{kind}[{i}]"
            if not isinstance(item, Mapping) or not all(_number(item.get(k)) for k in keys):
                problems.append(f"{where}: expected numbers {', '.join(keys)}")
                continue
            x, y = float(item["x"]), float(item["y"])
            x1 = x + (float(item["width"]) if kind == "boxes" else 0.0)
            y1 = y + (float(item["height"]) if kind == "boxes" else 0.0)
            if kind == "boxes" and (x1 <= x or y1 <= y):
                problems.append(f"{where}: width and height must be above 0 px")
            elif min(x, y) < 0 or x1 > width or y1 > height:
                problems.append(f"{where}: lies outside the {width:g}×{height:g} px image")
            if not isinstance(item.get("label", ""), str):
                problems.append(f"{where}.label: expected a label's name")
    return problems


def ls_context(context: Mapping[str, Any], interface: Interface) -> dict[str, Any]:
    """The Suggest context as a Label Studio backend gets it in ``params.context``: points
    and boxes (`image_context_problems`, pixels) become ``{"result": [regions]}`` of type
    ``keypointlabels`` and ``rectanglelabels`` in percent of the image, as Label Studio's
    smart tools send them; anything else (``answer``) is passed on as it is."""
    if "points" not in context and "boxes" not in context:
        return dict(context)
    out = {k: v for k, v in context.items() if k not in CONTEXT_KEYS}
    image = context["image"]
    width, height = float(image["width"]), float(image["height"])
    common = {
        "from_name": context["question"],
        "to_name": context["field"],
        "original_width": image["width"],
        "original_height": image["height"],
        "image_rotation": 0,
    }
    regions: list[dict[str, Any]] = []
    for i, p in enumerate(context.get("points", [])):
        label = [p["label"]] if p.get("label") else []
        value = {
            "x": 100 * float(p["x"]) / width,
            "y": 100 * float(p["y"]) / height,
            "width": 100 / width,  # a point of one pixel (Label Studio: the point's size)
            "keypointlabels": label,
        }
        positive = 0 if p.get("positive") is False else 1
        regions.append(
            {
                "id": f"p{i}",
                "type": "keypointlabels",
                **common,
                "is_positive": positive,
                "value": value,
            }
        )
    for i, b in enumerate(context.get("boxes", [])):
        value = {
            "x": 100 * float(b["x"]) / width,
            "y": 100 * float(b["y"]) / height,
            "width": 100 * float(b["width"]) / width,
            "height": 100 * float(b["height"]) / height,
            "rotation": 0,
            "rectanglelabels": [b["label"]] if b.get("label") else [],
        }
        regions.append({"id": f"b{i}", "type": "rectanglelabels", **common, "value": value})
    out["result"] = regions
    return out


def _number(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | float) and math.isfinite(value)


def _positive(value: Any) -> bool:
    return _number(value) and value > 0


# -- Accord ---------------------------------------------------------------------------------


def accord_predict_body(
    project_id: int,
    interface: Mapping[str, Any],
    tasks: Sequence[TaskIn],
    model_version: str,
    context: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """``interface``: the project's interface as it declares it (JSON)."""
    return {
        "project_id": project_id,
        "interface": dict(interface),
        "tasks": [{"id": t.id, "data": dict(t.data)} for t in tasks],
        "model_version": model_version,
        "context": dict(context) if context is not None else None,
    }


def read_accord_predictions(
    answer: Any, tasks: Sequence[TaskIn], interface: Interface, fallback_version: str
) -> list[Predicted]:
    """``{"predictions": [{"task_id", "result", "score", "model_version"}, ...]}``, matched
    to the tasks by ``task_id`` (a task without one is reported missing)."""
    if not isinstance(answer, Mapping) or not isinstance(answer.get("predictions"), list):
        raise Garbage('expected {"predictions": [{"task_id", "result", ...}, ...]}')
    by_task: dict[int, Any] = {}
    for item in answer["predictions"]:
        if isinstance(item, Mapping) and isinstance(item.get("task_id"), int):
            by_task.setdefault(item["task_id"], item)
    version = _version(answer.get("model_version")) or fallback_version
    out: list[Predicted] = []
    for task in tasks:
        item = by_task.get(task.id)
        if item is None:
            out.append(Predicted(task.id, error="the server's answer has no prediction for it"))
            continue
        score, why = _score(item.get("score"))
        probabilities, why = (None, why) if why else _probabilities(item, interface)
        if why:
            out.append(Predicted(task.id, error=why))
            continue
        found = _checked(
            task,
            item.get("result"),
            interface,
            score,
            _version(item.get("model_version")) or version,
        )
        out.append(replace(found, probabilities=probabilities) if found.ok else found)
    return out


# -- both -----------------------------------------------------------------------------------


def _checked(
    task: TaskIn, result: Any, interface: Interface, score: float | None, version: str
) -> Predicted:
    """The answer if it fits the interface (as a prediction), else why not."""
    if not isinstance(result, dict):
        return Predicted(task.id, error=f'its "result" is {_what(result)}, not an object')
    problems = interface.check_result(result, task.data, partial=True)
    if problems:
        return Predicted(
            task.id, error="its answer does not fit the interface: " + _listed(problems)
        )
    if not result:
        return Predicted(task.id, error="its answer is empty (it answers no question)")
    return Predicted(task.id, result=result, score=score, model_version=version)


MAX_CLASSES = 1000


def _probabilities(
    item: Mapping[str, Any], interface: Interface
) -> tuple[dict[str, dict[str, float]] | None, str | None]:
    """The optional ``"probabilities": {"question": {"label": p}}`` (p a number from 0 to 1):
    the parsed value, or why it is refused."""
    value = item.get("probabilities")
    if value is None:
        return None, None
    if not isinstance(value, Mapping):
        return None, f'its "probabilities" is {_what(value)}, not an object by question'
    names = {q.name for q in interface.questions}
    found: dict[str, dict[str, float]] = {}
    for question, classes in value.items():
        where = f'its "probabilities" of {str(question)[:80]!r}'
        if question not in names:
            return None, f"{where}: the interface has no such question"
        if not isinstance(classes, Mapping) or len(classes) > MAX_CLASSES:
            return None, f"{where}: expected an object of up to {MAX_CLASSES} labels"
        parsed: dict[str, float] = {}
        for label, p in classes.items():
            if isinstance(p, bool) or not isinstance(p, int | float) or not 0 <= p <= 1:
                return None, f"{where}: {str(label)[:80]!r} is {_what(p)}, not a number from 0 to 1"
            parsed[str(label)] = float(p)
        found[str(question)] = parsed
    return found or None, None


def _score(value: Any) -> tuple[float | None, str | None]:
    if value is None:
        return None, None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None, f'its "score" is {_what(value)}, not a finite number'
    return float(value), None


def _version(value: Any) -> str:
    if value is None or not isinstance(value, str | int | float):
        return ""
    return str(value).strip()[:MAX_VERSION]


def _what(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _listed(problems: Sequence[Any]) -> str:
    shown = "; ".join(str(p) for p in problems[:MAX_PROBLEMS])
    more = len(problems) - MAX_PROBLEMS
    return shown + (f"; and {more} more" if more > 0 else "")


def ls_regions(
    interface: Interface, result: Mapping[str, Any], data: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """An Accord answer as Label Studio regions, for a training event; answers Label Studio
    has no form for are left out (the event carries the Accord answer beside them, as
    ``accord_result``)."""
    from accord.formats.labelstudio_results import convert_answer

    try:
        regions, _problems = convert_answer(interface, result, data=data)
    except Exception:  # an answer the converter cannot read: the Accord answer is there
        return []
    return regions


def train_version(value: Any) -> str:
    """The model version a ``/train`` or ``/setup`` answer names, if any."""
    if isinstance(value, Mapping):
        return _version(value.get("model_version"))
    return ""
