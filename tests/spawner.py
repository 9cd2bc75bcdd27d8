"""A fork server for the suite's `accord` processes (servers, workers, CLI commands).

Starting `python -m accord.cli.main serve` costs several seconds of CPU before it answers: the
interpreter imports the API's modules and builds their pydantic models, and the suite starts
well over a hundred servers and some hundreds of CLI commands. This process imports all that
once, then forks a child per request. The child sets the environment, argv and standard
streams it was given and runs the real `accord` command line, so what runs is the same code
from the same entry point as in a fresh process, minus the imports.

Protocol (one JSON object per line on stdin, one answer per line on stdout):
- ``{"op": "spawn", "argv": [...], "env": {...}, "stdin": path|null, "stdout": path,
  "stderr": path}`` → ``{"pid": N}``;
- ``{"op": "status", "pid": N}`` → ``{"returncode": int|null}`` (Popen's meaning: negative for
  a signal; null while it runs). The spawner reaps its children, so only it can tell.
Children outlive nothing: end of stdin (the test process went away) ends the spawner.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any


def preload() -> None:
    """Everything a server, a worker or a CLI command imports, imported once here."""
    import uvicorn  # noqa: F401

    import accord.api.asgi
    import accord.cli.main
    import accord.jobs.handlers
    import accord.sdk

    accord.cli.main.build()  # imports every command group


def run_child(request: dict[str, Any]) -> None:
    """In the forked child: become the requested `accord` process; never returns.

    Its standard streams replace the spawner's control pipe (file descriptors 0 and 1)."""
    code = 1
    try:
        stdin = request.get("stdin") or os.devnull
        fd = os.open(stdin, os.O_RDONLY)
        os.dup2(fd, 0)
        os.close(fd)
        for target, path in ((1, request["stdout"]), (2, request["stderr"])):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            os.dup2(fd, target)
            os.close(fd)
        os.environ.clear()
        os.environ.update(request["env"])
        sys.argv = ["accord", *request["argv"]]
        from accord.cli.main import app

        try:
            app()
            code = 0
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
            if isinstance(stop.code, str):
                print(stop.code, file=sys.stderr)
    except BaseException:  # the child must never fall back into the spawner's loop
        import traceback

        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def status(pid: int) -> int | None:
    try:
        done, raw = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return finished.get(pid)
    if done == 0:
        return None
    finished[pid] = os.waitstatus_to_exitcode(raw)
    return finished[pid]


finished: dict[int, int] = {}


def main() -> None:
    preload()
    for line in sys.stdin:
        request = json.loads(line)
        if request["op"] == "spawn":
            sys.stdout.flush()
            pid = os.fork()
            if pid == 0:
                run_child(request)
            answer: dict[str, Any] = {"pid": pid}
        else:
            answer = {"returncode": status(int(request["pid"]))}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
