"""A throwaway Redis server in a process of its own (Debian's ``redis-server``), for the tests
that restart it under running jobs. It keeps nothing on disk: a restart begins empty, as a
Redis without persistence does after a crash."""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import redis

from tests.live import free_port

START_SECONDS = 20.0


@dataclass
class RedisServer:
    port: int
    folder: Path
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        assert self.process is None, "already running"
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        with (self.folder / "redis.log").open("ab") as out:
            self.process = subprocess.Popen(
                [
                    binary,
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    str(self.folder),
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + START_SECONDS
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5)
        while True:
            try:
                client.ping()
                return
            except redis.RedisError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not start; see {self.folder}") from None
                time.sleep(0.05)

    def stop(self) -> None:
        """Kill it, as a crash would (nothing it held survives)."""
        if self.process is None:
            return
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)
        self.process = None


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    folder = tmp_path / "redis"
    folder.mkdir()
    server = RedisServer(free_port(), folder)
    server.start()
    try:
        yield server
    finally:
        server.stop()
