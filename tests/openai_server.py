"""A small OpenAI-compatible chat server for the tests, run as its own process:

    python tests/openai_server.py [--port 0]    # prints "PORT <n>" when it listens

``POST /<mode>/v1/chat/completions`` answers deterministically, whole or streamed
(``"stream": true``: server-sent events, then ``data: [DONE]``), with usage tokens (words).
The reply is the text after ``REPLY:`` in the last user message if there is one, else
``Echo: <that message>``. ``<mode>``:
- ``ok``: as above;
- ``slow``: waits 0.2 s before answering and between streamed pieces;
- ``timeout``: waits 30 s before answering;
- ``garbage``: answers 200 with HTML (whole) or events that are not JSON (streamed);
- ``fail``: answers 500 with an OpenAI-style error;
- ``nousage``: as ``ok`` without usage.
``GET /_last`` answers the last request's Authorization header and body, as JSON.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

LAST: dict[str, Any] = {}
LOCK = threading.Lock()


def reply_for(body: dict[str, Any]) -> str:
    users = [m.get("content", "") for m in body.get("messages", []) if m.get("role") == "user"]
    last = users[-1] if users else ""
    if "REPLY:" in last:
        return last.split("REPLY:", 1)[1].strip()
    return f"Echo: {last}"


def words(text: str) -> int:
    return len(text.split())


class Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        if self.path == "/_last":
            with LOCK:
                self._json(200, dict(LAST))
        else:
            self._json(404, {"error": {"message": "not found"}})

    def do_POST(self) -> None:
        parts = self.path.strip("/").split("/")
        if len(parts) != 4 or parts[1:] != ["v1", "chat", "completions"]:
            self._json(404, {"error": {"message": f"no route {self.path}"}})
            return
        mode = parts[0]
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        body = json.loads(raw)
        with LOCK:
            LAST.clear()
            LAST.update(authorization=self.headers.get("Authorization"), body=body, mode=mode)
        if mode == "timeout":
            time.sleep(30)
        if mode == "slow":
            time.sleep(0.2)
        if mode == "fail":
            self._json(500, {"error": {"message": "the model is overloaded", "type": "server"}})
            return
        text = reply_for(body)
        prompt_tokens = sum(words(m.get("content", "")) for m in body.get("messages", []))
        usage = {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": words(text),
            "total_tokens": prompt_tokens + words(text),
        }
        if body.get("stream"):
            self._stream(mode, body, text, usage)
            return
        if mode == "garbage":
            self._send(200, b"<html>Service temporarily unavailable</html>", "text/html")
            return
        answer: dict[str, Any] = {
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "model": body.get("model"),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": "stop",
                }
            ],
        }
        if mode != "nousage":
            answer["usage"] = usage
        self._json(200, answer)

    def _stream(self, mode: str, body: dict[str, Any], text: str, usage: dict[str, int]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Connection", "close")
        self.end_headers()
        if mode == "garbage":
            self.wfile.write(b"data: this is not json\n\n")
            self.wfile.flush()
            return
        pieces = [w + " " for w in text.split(" ")]
        pieces[-1] = pieces[-1][:-1]
        for piece in pieces:
            event = {"choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
            self.wfile.write(b"data: " + json.dumps(event).encode() + b"\n\n")
            self.wfile.flush()
            if mode == "slow":
                time.sleep(0.2)
        end = {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
        self.wfile.write(b"data: " + json.dumps(end).encode() + b"\n\n")
        wants_usage = (body.get("stream_options") or {}).get("include_usage")
        if wants_usage and mode != "nousage":
            self.wfile.write(
                b"data: " + json.dumps({"choices": [], "usage": usage}).encode() + b"\n\n"
            )
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()

    def _json(self, status: int, value: Any) -> None:
        self._send(status, json.dumps(value).encode(), "application/json")

    def _send(self, status: int, data: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@contextmanager
def running() -> Iterator[str]:
    """This server in its own process; yields its address (``http://127.0.0.1:<port>``)."""
    process = subprocess.Popen(
        [sys.executable, __file__, "--port", "0"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("PORT "), line
        yield f"http://127.0.0.1:{int(line.split()[1])}"
    finally:
        process.terminate()
        process.wait(10)
        if process.stdout is not None:
            process.stdout.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    port = parser.parse_args().port
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    print(f"PORT {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
