"""A real Accord server in a subprocess, for tests that go over real HTTP."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from accord.settings import Settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    url: str
    process: subprocess.Popen[bytes]
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
    start_seconds: float = 30,
) -> Iterator[LiveServer]:
    port = free_port()
    log = settings.data_dir / f"server-{port}.log"
    command = [
        sys.executable,
        "-m",
        "accord.cli.main",
        "serve",
        "--port",
        str(port),
        "--workers",
        str(workers),
        *(extra or []),
    ]
    with open(log, "wb") as out:
        process = subprocess.Popen(
            command,
            env={**server_env(settings, port), **(env or {})},
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


def _wait_until_up(server: LiveServer, seconds: float = 30) -> None:
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

    process: subprocess.Popen[bytes]
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
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "accord.cli.main", "worker", "--threads", str(threads)],
            env={**server_env(settings, 0), **env},
            stdout=out,
            stderr=subprocess.STDOUT,
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
