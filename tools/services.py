"""PostgreSQL and Redis for the test suite: the machine's own, or throwaway ones.

    python tools/services.py run [--fresh] -- COMMAND ...

runs COMMAND with ``ACCORD_TEST_DATABASE_URL`` and ``ACCORD_TEST_REDIS_URL`` set:

- a URL already in the environment is used as it is;
- else the machine's service, when it answers: PostgreSQL on 127.0.0.1:5432 as user
  ``postgres`` (database ``accord_test``, which the tests suffix per run), Redis on
  127.0.0.1:6379 (database 15, so that tests never touch a person's data in database 0);
- else (or with ``--fresh``, always) a throwaway instance from Debian's packages (installed
  with apt-get when the programs are missing), in a temporary folder, on a free port, stopped
  and removed when COMMAND ends. PostgreSQL refuses to run as root: as root it runs as the
  ``postgres`` user that Debian's package creates.

Exits with COMMAND's status. Standard library only: it runs before anything is installed.
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

HOST = "127.0.0.1"
PG_PORT, REDIS_PORT = 5432, 6379
PG_URL = "postgresql+psycopg://postgres@{host}:{port}/accord_test"
REDIS_URL = "redis://{host}:{port}/15"
STARTUP_SECONDS = 60


def say(message: str) -> None:
    print(f"services: {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def exchange(port: int, request: bytes, timeout: float = 1.0) -> bytes:
    """Send ``request`` to HOST:``port`` and return the first bytes of the answer (b'' when
    nothing listens or nothing answers)."""
    try:
        with socket.create_connection((HOST, port), timeout=timeout) as sock:
            sock.sendall(request)
            return sock.recv(64)
    except OSError:
        return b""


def redis_answers(port: int) -> bool:
    return exchange(port, b"PING\r\n").startswith(b"+PONG")


def postgres_answers(port: int) -> bool:
    """Whether a PostgreSQL server on ``port`` lets the user ``postgres`` in without a
    password (what the tests' URL asks), checked with the libpq tools when they are there."""
    if shutil.which("psql"):
        check = ["psql", "-h", HOST, "-p", str(port), "-U", "postgres", "-d", "postgres"]
        done = subprocess.run(
            [*check, "-w", "-Atc", "SELECT 1"], capture_output=True, text=True, timeout=30
        )
        return done.returncode == 0 and done.stdout.strip() == "1"
    # An SSLRequest: a PostgreSQL server answers one byte, S or N.
    return exchange(port, (8).to_bytes(4, "big") + (80877103).to_bytes(4, "big")) in (b"S", b"N")


def wait_for(check: Callable[[], bool], what: str, log: Path | None = None) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while not check():
        if time.monotonic() > deadline:
            tail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
            raise SystemExit(f"services: {what} did not start within {STARTUP_SECONDS} s\n{tail}")
        time.sleep(0.1)


def apt_install(package: str) -> None:
    """Install a Debian package (as root, or through sudo)."""
    command = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", package]
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    if sudo and not shutil.which("sudo"):
        raise SystemExit(f"services: install {package} (apt-get install {package}) and retry")
    say(f"installing {package} from Debian's packages")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run([*sudo, *command], check=True, env=env, stdout=subprocess.DEVNULL)


def postgres_bin() -> Path:
    """The folder of Debian's PostgreSQL server programs (the newest installed)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=_version)
    if not found:
        apt_install("postgresql")
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=_version)
    if not found:
        raise SystemExit("services: no pg_ctl under /usr/lib/postgresql after installing it")
    return Path(found[-1]).parent


def _version(path: str) -> int:
    return int(Path(path).parts[4]) if Path(path).parts[4].isdigit() else 0


def as_server_user(command: list[str]) -> list[str]:
    """PostgreSQL will not run as root: as root, run ``command`` as the ``postgres`` user."""
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


@contextmanager
def throwaway_postgres(folder: Path) -> Iterator[int]:
    """A PostgreSQL server in ``folder`` on a free port, trusting local users; its port."""
    programs = postgres_bin()
    folder.mkdir()
    data, port, log = folder / "data", free_port(), folder / "postgres.log"
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    initdb = [str(programs / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust"]
    subprocess.run(
        as_server_user([*initdb, "-E", "UTF8", "--locale=C", "--no-sync"]),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    # Throwaway data: no fsync; connections enough for several test servers at once.
    options = (
        f"-p {port} -k {folder} -c listen_addresses={HOST} -c max_connections=200 "
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    )
    pg_ctl = [str(programs / "pg_ctl"), "-D", str(data), "-l", str(log)]
    start = [*pg_ctl, "-o", options, "-w", "start"]
    subprocess.run(as_server_user(start), check=True, stdout=subprocess.DEVNULL)
    try:
        wait_for(lambda: postgres_answers(port), f"PostgreSQL on port {port}", log)
        say(f"throwaway PostgreSQL on {HOST}:{port} in {folder}")
        yield port
    finally:
        stop = [*pg_ctl, "-m", "immediate", "-w", "stop"]
        subprocess.run(as_server_user(stop), check=False, stdout=subprocess.DEVNULL)


@contextmanager
def throwaway_redis(folder: Path) -> Iterator[int]:
    """A Redis server in ``folder`` on a free port, keeping nothing on disk; its port."""
    program = shutil.which("redis-server")
    if program is None:
        apt_install("redis-server")
        program = shutil.which("redis-server") or "/usr/bin/redis-server"
    folder.mkdir()
    port, log = free_port(), folder / "redis.log"
    command = [program, "--port", str(port), "--bind", HOST, "--dir", str(folder)]
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [*command, "--save", "", "--appendonly", "no", "--protected-mode", "yes"],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(lambda: redis_answers(port), f"Redis on port {port}", log)
        say(f"throwaway Redis on {HOST}:{port} in {folder}")
        yield port
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(5)


def urls(stack: ExitStack, fresh: bool) -> dict[str, str]:
    """The URLs the tests are to use, starting what is missing (stopped with ``stack``)."""
    env: dict[str, str] = {}
    folder = Path(tempfile.mkdtemp(prefix="accord-services-"))
    stack.callback(shutil.rmtree, folder, ignore_errors=True)
    folder.chmod(0o755)  # the postgres user goes through it to its own folder
    if os.environ.get("ACCORD_TEST_DATABASE_URL"):
        say(f"PostgreSQL: {os.environ['ACCORD_TEST_DATABASE_URL']} (from the environment)")
    elif not fresh and postgres_answers(PG_PORT):
        env["ACCORD_TEST_DATABASE_URL"] = PG_URL.format(host=HOST, port=PG_PORT)
        say(f"PostgreSQL: the machine's, on {HOST}:{PG_PORT}")
    else:
        port = stack.enter_context(throwaway_postgres(folder / "postgres"))
        env["ACCORD_TEST_DATABASE_URL"] = PG_URL.format(host=HOST, port=port)
    if os.environ.get("ACCORD_TEST_REDIS_URL"):
        say(f"Redis: {os.environ['ACCORD_TEST_REDIS_URL']} (from the environment)")
    elif not fresh and redis_answers(REDIS_PORT):
        env["ACCORD_TEST_REDIS_URL"] = REDIS_URL.format(host=HOST, port=REDIS_PORT)
        say(f"Redis: the machine's, on {HOST}:{REDIS_PORT} (database 15)")
    else:
        port = stack.enter_context(throwaway_redis(folder / "redis"))
        env["ACCORD_TEST_REDIS_URL"] = REDIS_URL.format(host=HOST, port=port)
    return env


def run(command: list[str], fresh: bool) -> int:
    # A SIGTERM (CI stopping, `kill`) unwinds like Ctrl-C, so the throwaway servers stop too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    with ExitStack() as stack:
        env = urls(stack, fresh)
        for name, value in env.items():
            say(f"{name}={value}")
        return subprocess.run(command, env={**os.environ, **env}, check=False).returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="action", required=True)
    runner = sub.add_parser("run", help="run a command with the services' URLs set")
    runner.add_argument(
        "--fresh",
        action="store_true",
        help="start throwaway servers even if the machine has its own",
    )
    runner.add_argument("command", nargs=argparse.REMAINDER, help="-- COMMAND ...")
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to run after --")
    sys.exit(run(command, args.fresh))


if __name__ == "__main__":
    main()
