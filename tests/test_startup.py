"""Importing Accord does nothing but define things: no password hashing, no process-wide state
changed, no files touched, no settings read; and the command line loads only what the command
it runs needs, so that `accord --help` answers at once."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "accord"

IMPORT_EVERYTHING = """
import csv, os, sys
import argon2

def refuse(*args, **kwargs):
    raise AssertionError("a password was hashed at import time")

argon2.PasswordHasher.hash = refuse
before = (csv.field_size_limit(), sys.getswitchinterval(), sorted(os.listdir(".")))
import importlib, pkgutil, accord
for module in pkgutil.walk_packages(accord.__path__, "accord."):
    if ".migrations" not in module.name:
        importlib.import_module(module.name)
after = (csv.field_size_limit(), sys.getswitchinterval(), sorted(os.listdir(".")))
assert before == after, (before, after)
print("ok")
"""


def test_importing_every_module_has_no_side_effect(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_EVERYTHING],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]


HEAVY = ("sqlalchemy", "fastapi", "httpx", "numpy", "uvicorn", "rich.progress", "argon2")


def test_the_command_line_loads_no_heavy_module_before_a_command_runs() -> None:
    probe = (
        "import sys, accord.cli.main; "
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]", f"loaded at import: {done.stdout}"


# Loaded on first use only: every server process, worker and test process imports the app, and
# these add about half a second to each start (scipy.stats, .sparse, .optimize) or more.
LAZY = ("scipy", "cv2", "pandas", "sklearn")


def test_a_server_process_starts_without_the_heavy_numeric_libraries() -> None:
    probe = (
        "import sys, accord.api.app, accord.jobs.handlers; "
        f"print(sorted(m for m in {LAZY!r} if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]", f"loaded at import: {done.stdout}"


def test_settings_are_read_in_one_place() -> None:
    """Only `accord.settings` reads ACCORD_* variables (the CLI passes its options to server
    processes through them; the SDK, a client, reads ACCORD_URL and ACCORD_TOKEN; `accord llm
    set --key-env VAR` reads the API key from the variable its user names, never a setting)."""
    allowed = {"settings.py", "cli/local.py", "sdk/client.py", "cli/llm.py"}
    for path in SRC.rglob("*.py"):
        relative = path.relative_to(SRC).as_posix()
        if relative in allowed:
            continue
        text = path.read_text()
        assert not re.search(r"os\.environ|getenv\(", text), f"{relative} reads the environment"


def test_a_server_process_keeps_what_it_is_built_of_out_of_the_collectors_sight(
    tmp_path: Path,
) -> None:
    """`accord.api.asgi.build` freezes the objects the app is made of (`gc.freeze`), so that a
    full collection walks only what came after, not a couple of hundred thousand objects."""
    probe = (
        "import gc; from accord.api.asgi import build; "
        "before = gc.get_freeze_count(); build(); print(before, gc.get_freeze_count())"
    )
    env = {"PATH": "/usr/bin:/bin", "ACCORD_DATA_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    before, after = (int(n) for n in done.stdout.split())
    assert before == 0 and after > 50_000, done.stdout
