"""A real, small model server for the ML backend tests, run as a separate process.

It speaks both protocols (docs/ml_backends.md): Label Studio's ML backend protocol under
``/ls`` (``/ls/health``, ``/ls/setup``, ``/ls/predict``, ``/ls/webhook``) and Accord's native
one under ``/accord`` (``/accord/health``, ``/accord/predict``, ``/accord/train``). The model is
a scikit-learn text classifier (TF-IDF + naive Bayes) over the first text of a task,
answering the first choice question, seeded with a few examples and refitted on every
training event (its version goes ``sk-1``, ``sk-2``, ...).

Test controls: ``POST /_mode {"mode", "delay"}`` (ok, slow, garbage, misfit, partial, error,
unhealthy) and ``GET /_requests`` (every request received: path and JSON body).

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
        self._answer(201 if self.path.endswith(("/webhook", "/train")) else 200, route(body))

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
