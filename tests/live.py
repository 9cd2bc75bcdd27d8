"""A real Accord server in a subprocess, for tests that go over real HTTP.

Servers, workers and CLI commands are forked by `tests.spawner`, a process that has imported
Accord once (see there why); `ACCORD_TEST_SPAWNER=0` starts each as a fresh interpreter
instead. A server with several worker processes always starts fresh.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from accord.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
USE_SPAWNER = os.environ.get("ACCORD_TEST_SPAWNER", "1") != "0"


class Spawned:
    """A process forked by the spawner, with the part of `subprocess.Popen` the tests use."""

    def __init__(self, spawner: Spawner, pid: int) -> None:
        self.spawner = spawner
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            self.returncode = self.spawner.status(self.pid)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"accord (pid {self.pid})", timeout or 0)
            time.sleep(0.02)
        assert self.returncode is not None
        return self.returncode

    def send_signal(self, sig: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, sig)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


class Spawner:
    """This test process's fork server (`tests.spawner`), started on first use."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.spawner"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def ask(self, request: dict[str, Any]) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        with self.lock:
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
            line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the test spawner exited ({self.process.poll()})")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def spawn(
        self,
        argv: list[str],
        env: dict[str, str],
        stdout: Path,
        stderr: Path,
        stdin: Path | None = None,
    ) -> Spawned:
        request = {
            "op": "spawn",
            "argv": argv,
            "env": env,
            "stdout": str(stdout),
            "stderr": str(stderr),
            "stdin": str(stdin) if stdin else None,
        }
        return Spawned(self, int(self.ask(request)["pid"]))

    def status(self, pid: int) -> int | None:
        code = self.ask({"op": "status", "pid": pid})["returncode"]
        return None if code is None else int(code)


_spawner: Spawner | None = None


def spawner() -> Spawner:
    global _spawner
    if _spawner is None or _spawner.process.poll() is not None:
        _spawner = Spawner()
    return _spawner


def start_accord(
    argv: list[str], env: dict[str, str], log: Path
) -> subprocess.Popen[bytes] | Spawned:
    """`accord ARGV` with ``env``, its output to ``log``: forked by the spawner, or fresh."""
    if USE_SPAWNER:
        log.write_bytes(b"")
        return spawner().spawn(argv, env, log, log)
    with open(log, "wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "accord.cli.main", *argv],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    url: str
    process: subprocess.Popen[bytes] | Spawned
    log: Path

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)


def server_env(settings: Settings, port: int) -> dict[str, str]:
    env = {**os.environ, "ACCORD_DATA_DIR": str(settings.data_dir), "ACCORD_PORT": str(port)}
    if settings.database_url:
        env["ACCORD_DATABASE_URL"] = settings.database_url
    else:
        env.pop("ACCORD_DATABASE_URL", None)
    return env


@contextmanager
def live_server(
    settings: Settings,
    *,
    workers: int = 1,
    extra: list[str] | None = None,
    env: dict[str, str] | None = None,
    start_seconds: float = 90,
) -> Iterator[LiveServer]:
    port = free_port()
    log = settings.data_dir / f"server-{port}.log"
    argv = ["serve", "--port", str(port), "--workers", str(workers), *(extra or [])]
    environment = {**server_env(settings, port), **(env or {})}
    process: subprocess.Popen[bytes] | Spawned
    if workers == 1:
        process = start_accord(argv, environment, log)
    else:
        with open(log, "wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "accord.cli.main", *argv],
                env=environment,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
    server = LiveServer(f"http://127.0.0.1:{port}", process, log)
    try:
        _wait_until_up(server, start_seconds)
        yield server
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)


def _wait_until_up(server: LiveServer, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"the server exited:\n{server.log.read_text()}")
        try:
            if httpx.get(server.url + "/api/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the server did not start:\n{server.log.read_text()}")


@dataclass
class LiveWorker:
    """An `accord worker` process."""

    process: subprocess.Popen[bytes] | Spawned
    log: Path

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()


def start_worker(settings: Settings, env: dict[str, str], *, threads: int = 2) -> LiveWorker:
    """Start `accord worker` with ``env`` over the server environment of ``settings``; returns
    once it has logged that it runs."""
    log = settings.data_dir / f"worker-{free_port()}.log"
    process = start_accord(
        ["worker", "--threads", str(threads)], {**server_env(settings, 0), **env}, log
    )
    worker = LiveWorker(process, log)
    deadline = time.monotonic() + 30
    while b"Accord worker" not in log.read_bytes():
        if process.poll() is not None:
            raise RuntimeError(f"the worker exited:\n{log.read_text()}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"the worker did not start:\n{log.read_text()}")
        time.sleep(0.05)
    return worker
