"""A real, small model server for the ML backend tests, run as a separate process.

It speaks both protocols (docs/ml_backends.md): Label Studio's ML backend protocol under
``/ls`` (``/ls/health``, ``/ls/setup``, ``/ls/predict``, ``/ls/webhook``) and Accord's native
one under ``/accord`` (``/accord/health``, ``/accord/predict``, ``/accord/train``). The model is
a scikit-learn text classifier (TF-IDF + naive Bayes) over the first text of a task,
answering the first choice question, seeded with a few examples and refitted on every
training event (its version goes ``sk-1``, ``sk-2``, ...).

For a project with a polygons question it answers by a rule instead (`ls_outline`,
`accord_outline`): the click or box of Suggest's context becomes a polygon, after fetching
the task's image at the URL it was sent (an image it cannot fetch fails the call).

Test controls: ``POST /_mode {"mode", "delay"}`` (ok, slow, garbage, misfit, partial, error,
unhealthy), ``GET /_requests`` (every request received: path and JSON body) and ``GET
/_fetched`` (the images the rule fetched: URL and HTTP status).

    python -m tests.ml_backend_server PORT
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

SEED = [
    ("great wonderful happy love", "pos"),
    ("good nice excellent fine", "pos"),
    ("awful terrible sad hate", "neg"),
    ("bad poor horrible worst", "neg"),
]


class Model:
    def __init__(self, seeded: bool = True) -> None:
        self.lock = threading.Lock()
        self.examples: list[tuple[str, str]] = list(SEED) if seeded else []
        self.version = 0
        self.pipeline: Any = None  # None until it has seen two classes: then it knows nothing
        self.fit()

    def fit(self, more: list[tuple[str, str]] | None = None) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.naive_bayes import MultinomialNB
        from sklearn.pipeline import make_pipeline

        with self.lock:
            examples = self.examples + (more or [])
            labels = {label for _, label in examples}
            if len(labels) < 2:
                return
            pipeline = make_pipeline(TfidfVectorizer(), MultinomialNB())
            pipeline.fit([t for t, _ in examples], [label for _, label in examples])
            self.pipeline = pipeline
            self.version += 1

    @property
    def name(self) -> str:
        return f"sk-{self.version}"

    def classify(self, text: str, options: list[str]) -> tuple[str, float, dict[str, float]]:
        """The label, its probability, and every option's probability."""
        with self.lock:
            if self.pipeline is None:
                share = 1.0 / max(len(options), 1)
                return (options[0] if options else ""), share, dict.fromkeys(options, share)
            probabilities = self.pipeline.predict_proba([text])[0]
            classes = list(self.pipeline.classes_)
        best = max(range(len(classes)), key=lambda i: probabilities[i])
        label = classes[best]
        if options and label not in options:
            label = options[0]
        given = {c: round(float(p), 4) for c, p in zip(classes, probabilities, strict=True)}
        spread = {o: given.get(o, 0.0) for o in options} if options else given
        return label, round(float(probabilities[best]), 4), spread


SEEDED = "--unseeded" not in sys.argv  # unseeded: the model knows nothing until trained


class State:
    def __init__(self) -> None:
        self.model = Model(SEEDED)
        self.mode = "ok"
        self.delay = 5.0
        self.requests: list[dict[str, Any]] = []
        self.fetched: list[dict[str, Any]] = []  # images GET by the outline rule: url, status
        self.lock = threading.Lock()


class _Lazy:
    """The process's state, made in the server process only (the tests import this module)."""

    state: State | None = None

    def __getattr__(self, name: str) -> Any:
        if _Lazy.state is None:
            _Lazy.state = State()
        return getattr(_Lazy.state, name)

    def __setattr__(self, name: str, value: Any) -> None:
        if _Lazy.state is None:
            _Lazy.state = State()
        setattr(_Lazy.state, name, value)


STATE: Any = _Lazy()


# -- reading the project's questions -----------------------------------------------------------


def ls_choices(config: str) -> tuple[str, str, list[str]]:
    """(control name, object name, option values) of the first <Choices> in a labeling config."""
    root = ElementTree.fromstring(config)
    for element in root.iter():
        if element.tag == "Choices":
            options = [c.get("alias") or c.get("value") or "" for c in element.iter("Choice")]
            return element.get("name", ""), element.get("toName", ""), options
    raise ValueError("no <Choices> in the labeling config")


def accord_choices(interface: dict[str, Any]) -> tuple[str, list[str]]:
    for q in interface.get("questions", []):
        if q.get("kind") == "choice":
            options = [o if isinstance(o, str) else o["value"] for o in q.get("options", [])]
            return q["name"], options
    raise ValueError("no choice question in the interface")


def first_text(data: dict[str, Any]) -> str:
    return next((v for v in data.values() if isinstance(v, str)), "")


# -- answers ------------------------------------------------------------------------------------


def ls_predict(body: dict[str, Any]) -> Any:
    if "<PolygonLabels" in body["label_config"]:
        return ls_outline(body)
    name, to_name, options = ls_choices(body["label_config"])
    results = []
    for task in body["tasks"]:
        label, score, _ = STATE.model.classify(first_text(task["data"]), options)
        if STATE.mode == "misfit" or (STATE.mode == "partial" and task["id"] % 2 == 1):
            label = "maybe"
        region = {
            "id": f"r{task['id']}",
            "from_name": name,
            "to_name": to_name,
            "type": "choices",
            "value": {"choices": [label]},
        }
        results.append({"result": [region], "score": score, "model_version": STATE.model.name})
    return {"results": results}


def accord_predict(body: dict[str, Any]) -> Any:
    if any(q.get("kind") == "polygons" for q in body["interface"].get("questions", [])):
        return accord_outline(body)
    name, options = accord_choices(body["interface"])
    predictions = []
    for task in body["tasks"]:
        label, score, spread = STATE.model.classify(first_text(task["data"]), options)
        if STATE.mode == "misfit" or (STATE.mode == "partial" and task["id"] % 2 == 1):
            label = "maybe"
        predictions.append(
            {
                "task_id": task["id"],
                "result": {name: {"choice": label}},
                "score": score,
                "probabilities": {name: spread},
                "model_version": STATE.model.name,
            }
        )
    return {"predictions": predictions}


def ls_train(body: dict[str, Any]) -> Any:
    examples = []
    for annotation in body.get("annotations", []):
        text = first_text(annotation["task"]["data"])
        for region in annotation.get("result", []):
            choices = region.get("value", {}).get("choices")
            if choices:
                examples.append((text, choices[0]))
    STATE.model.fit(examples)
    return {
        "status": "ok",
        "result": {"examples": len(examples)},
        "model_version": STATE.model.name,
    }


def accord_train(body: dict[str, Any]) -> Any:
    name, _ = accord_choices(body["interface"])
    examples = [
        (first_text(a["data"]), a["result"][name]["choice"])
        for a in body.get("annotations", [])
        if name in a["result"]
    ]
    STATE.model.fit(examples)
    return {"status": "ok", "model_version": STATE.model.name}


# -- image projects: a click becomes a polygon ------------------------------------------------
#
# A rule, no model: a click (a point in the context) becomes a square of SIDE px around it, a
# box becomes its outline, and without a context the square sits in the image's middle. Each
# task's image is first fetched at the URL it was sent with (no session, no cookie): an image
# that cannot be fetched fails the call (HTTP 500 naming the URL), so the tests see that the
# links Accord sends work from outside a browser.

SIDE = 40.0


class FetchFailed(Exception):
    pass


def fetch_image(url: Any) -> tuple[int, int]:
    """GET the image at ``url``: its (width, height); `FetchFailed` when it cannot be read."""
    from io import BytesIO

    from PIL import Image

    src = url.get("src") if isinstance(url, dict) else url
    try:
        got = httpx.get(str(src), timeout=10)
    except (httpx.HTTPError, ValueError) as exc:
        raise FetchFailed(f"could not fetch the image {src!r}: {exc}") from None
    with STATE.lock:
        STATE.fetched.append({"url": str(src), "status": got.status_code})
    if got.status_code != 200:
        raise FetchFailed(f"could not fetch the image {src!r}: HTTP {got.status_code}")
    try:
        with Image.open(BytesIO(got.content)) as image:
            return image.size
    except Exception as exc:
        raise FetchFailed(f"the image {src!r} is not a picture: {exc}") from None


def outline(
    width: float, height: float, points: list[tuple[float, float]], boxes: list[list[float]]
) -> list[list[float]]:
    """The polygon (pixels) for the first box, else the first point, else the middle."""
    if boxes:
        x, y, w, h = boxes[0]
        x0, y0, x1, y1 = x, y, x + w, y + h
    else:
        cx, cy = points[0] if points else (width / 2, height / 2)
        x0, y0 = max(0.0, cx - SIDE / 2), max(0.0, cy - SIDE / 2)
        x1, y1 = min(width, cx + SIDE / 2), min(height, cy + SIDE / 2)
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]


def ls_polygon_labels(config: str) -> tuple[str, str, list[str]]:
    root = ElementTree.fromstring(config)
    for element in root.iter("PolygonLabels"):
        labels = [c.get("value") or "" for c in element.iter("Label")]
        return element.get("name", ""), element.get("toName", ""), labels
    raise ValueError("no <PolygonLabels> in the labeling config")


def ls_outline(body: dict[str, Any]) -> Any:
    name, to_name, labels = ls_polygon_labels(body["label_config"])
    context = (body.get("params") or {}).get("context") or {}
    regions = context.get("result") or []
    results = []
    for task in body["tasks"]:
        width, height = fetch_image(task["data"][to_name])
        points = [
            (r["value"]["x"] * width / 100, r["value"]["y"] * height / 100)
            for r in regions
            if r.get("type") == "keypointlabels"
        ]
        boxes = [
            [
                r["value"][k] * (width if k in ("x", "width") else height) / 100
                for k in ("x", "y", "width", "height")
            ]
            for r in regions
            if r.get("type") == "rectanglelabels"
        ]
        asked = [lab for r in regions for lab in r["value"].get(r["type"], [])]
        label = asked[0] if asked else labels[0]
        polygon = outline(width, height, points, boxes)
        region = {
            "id": f"o{task['id']}",
            "from_name": name,
            "to_name": to_name,
            "type": "polygonlabels",
            "original_width": width,
            "original_height": height,
            "image_rotation": 0,
            "value": {
                "points": [[100 * x / width, 100 * y / height] for x, y in polygon],
                "polygonlabels": [label],
            },
        }
        results.append({"result": [region], "score": 0.8, "model_version": "outline-1"})
    return {"results": results}


def accord_outline(body: dict[str, Any]) -> Any:
    question = next(q for q in body["interface"]["questions"] if q.get("kind") == "polygons")
    labels = [o if isinstance(o, str) else o["value"] for o in question.get("labels", [])]
    context = body.get("context") or {}
    predictions = []
    for task in body["tasks"]:
        width, height = fetch_image(task["data"][question["target"]])
        points = [(p["x"], p["y"]) for p in context.get("points", [])]
        boxes = [[b["x"], b["y"], b["width"], b["height"]] for b in context.get("boxes", [])]
        asked = [i["label"] for i in context.get("points", []) + context.get("boxes", [])]
        label = next((a for a in asked if a), labels[0])
        polygon = outline(width, height, points, boxes)
        predictions.append(
            {
                "task_id": task["id"],
                "result": {
                    question["name"]: {
                        "objects": [{"id": f"o{task['id']}", "label": label, "points": polygon}]
                    }
                },
                "score": 0.8,
                "model_version": "outline-1",
            }
        )
    return {"predictions": predictions}


ROUTES = {
    ("POST", "/ls/predict"): ls_predict,
    ("POST", "/ls/setup"): lambda body: {"model_version": STATE.model.name},
    ("POST", "/ls/webhook"): ls_train,
    ("POST", "/accord/predict"): accord_predict,
    ("POST", "/accord/train"): accord_train,
}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _answer(self, status: int, payload: Any = None, raw: bytes | None = None) -> None:
        body = raw if raw is not None else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path == "/_requests":
            with STATE.lock:
                return self._answer(200, STATE.requests)
        if self.path == "/_fetched":
            with STATE.lock:
                return self._answer(200, STATE.fetched)
        if self.path in ("/ls/health", "/accord/health"):
            if STATE.mode == "unhealthy":
                return self._answer(503, {"status": "DOWN"})
            return self._answer(200, {"status": "UP", "model_version": STATE.model.name})
        return self._answer(404, {"error": "not found"})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(length) or b"null")
        if self.path == "/_mode":
            STATE.mode = body["mode"]
            STATE.delay = float(body.get("delay", 5.0))
            return self._answer(200, {"mode": STATE.mode})
        with STATE.lock:
            STATE.requests.append({"path": self.path, "body": body})
        route = ROUTES.get(("POST", self.path))
        if route is None:
            return self._answer(404, {"error": "not found"})
        if STATE.mode == "slow":
            time.sleep(STATE.delay)
        if STATE.mode == "garbage" and self.path.endswith("/predict"):
            return self._answer(200, raw=b"<html>this is not json</html>")
        if STATE.mode == "error":
            return self._answer(500, raw=b"Traceback: the model fell over")
        try:
            answer = route(body)
        except FetchFailed as exc:
            return self._answer(500, raw=str(exc).encode())
        self._answer(201 if self.path.endswith(("/webhook", "/train")) else 200, answer)

    def log_message(self, format: str, *args: object) -> None:
        pass


def main(port: int) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    print(f"ml backend on {port}", flush=True)
    server.serve_forever()


# -- for the tests --------------------------------------------------------------------------


@dataclass
class MLServer:
    url: str  # its root; the backends are at url + "/ls" and url + "/accord"
    process: subprocess.Popen[bytes]

    def mode(self, mode: str, delay: float = 5.0) -> None:
        httpx.post(self.url + "/_mode", json={"mode": mode, "delay": delay}, timeout=5)

    def fetched(self) -> list[dict[str, Any]]:
        """The images the outline rule fetched: ``{"url", "status"}`` each."""
        got: list[dict[str, Any]] = httpx.get(self.url + "/_fetched", timeout=5).json()
        return got

    def requests(self, path: str | None = None) -> list[dict[str, Any]]:
        got: list[dict[str, Any]] = httpx.get(self.url + "/_requests", timeout=5).json()
        return [r for r in got if path is None or r["path"] == path]


@contextmanager
def ml_server(seeded: bool = True) -> Iterator[MLServer]:
    """The server in a process of its own on a free port of 127.0.0.1; ``seeded``: its model
    starts from a few sentiment examples (else it knows nothing until it is trained)."""
    from tests.live import free_port

    port = free_port()
    log = tempfile.TemporaryFile()  # noqa: SIM115 (closed at the end, below)
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.ml_backend_server", str(port)]
        + ([] if seeded else ["--unseeded"]),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server = MLServer(f"http://127.0.0.1:{port}", process)
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"the ML backend exited: {log.read().decode()}")
            try:
                if httpx.get(server.url + "/ls/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the ML backend did not start")
            time.sleep(0.1)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        log.close()


if __name__ == "__main__":
    main(int(sys.argv[1]))
