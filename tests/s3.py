"""A real S3-compatible server for tests: moto in server mode, in a process of its own.

`s3_server` (session-wide) starts ``python -m moto.server`` on a free port, waits until it
answers, creates a bucket, and kills it at the end. Tests share it: each works under a prefix
of its own (`unique_prefix`). For fault tests, `S3Server.stop`/`start` kill it and start it
again on the same port (moto keeps objects in memory: a restart begins empty, with the bucket
created again), and `pause`/`resume` freeze it (SIGSTOP/SIGCONT: connections are accepted but
never answered) and let it go on where it was.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from mypy_boto3_s3 import S3Client

from accord.media.s3 import s3_client
from tests.live import free_port

BUCKET = "accord-test"
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}
START_SECONDS = 60.0


@dataclass
class S3Server:
    port: int
    log: Path
    bucket: str = BUCKET
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self, **options: float) -> S3Client:
        """A client of this server (``options``: timeouts and attempts of `s3_client`)."""
        return s3_client(self.endpoint, **options)  # type: ignore[arg-type]

    def start(self) -> None:
        assert self.process is None, "already running"
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + START_SECONDS
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"moto exited with {self.process.returncode}; see {self.log}")
            try:
                httpx.get(self.endpoint + "/moto-api/", timeout=1.0)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"moto did not answer in time; see {self.log}") from None
                time.sleep(0.1)
        self.client().create_bucket(Bucket=self.bucket)

    def stop(self) -> None:
        """Kill the server (as a crash would); `start` brings it back on the same port."""
        if self.process is None:
            return
        self.resume()
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)
        self.process = None

    def pause(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGCONT)


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    saved = {name: os.environ.get(name) for name in (*CREDENTIALS, "AWS_PROFILE")}
    os.environ.update(CREDENTIALS)
    os.environ.pop("AWS_PROFILE", None)
    server = S3Server(free_port(), tmp_path_factory.mktemp("moto") / "moto.log")
    server.start()
    try:
        yield server
    finally:
        server.stop()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@pytest.fixture
def s3(s3_server: S3Server) -> S3Server:
    """The shared server, running (a fault test before may have stopped or paused it)."""
    if s3_server.process is None:
        s3_server.start()
    s3_server.resume()
    return s3_server


def unique_prefix() -> str:
    return f"t-{uuid.uuid4().hex[:12]}"
