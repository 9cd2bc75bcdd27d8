"""Jobs give way to requests: the server's job threads run at a lower CPU priority (Linux)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from typing import Any

import pytest

from accord.actions.jobs import do_start_job
from accord.db import Database
from accord.jobs.priority import give_way, niceness_of
from accord.jobs.runner import HANDLERS, JobContext
from accord.settings import Settings
from tests.api.conftest import Api
from tests.api.test_jobs import wait
from tests.factories import make_project, make_user

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="Linux gives threads priorities of their own"
)


def in_thread(niceness: int, times: int = 1) -> tuple[int, int]:
    """A new thread's niceness before and after ``give_way(niceness)`` (called ``times``)."""
    seen: list[int] = []

    def work() -> None:
        me = threading.get_native_id()
        seen.append(niceness_of(me))
        for _ in range(times):
            give_way(niceness)
        seen.append(niceness_of(me))

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    return seen[0], seen[1]


LOWER = 7  # the niceness these tests give job threads (the suite runs jobs at 0)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"job_niceness": LOWER})


def test_a_thread_lowers_only_its_own_priority_and_once() -> None:
    main = niceness_of(threading.get_native_id())
    before, after = in_thread(4, times=3)
    assert after == min(19, before + 4), "lowered once, by 4, whatever the calls"
    assert niceness_of(threading.get_native_id()) == main, "the other threads keep theirs"
    assert in_thread(0) == (before, before), "0 leaves it"
    give_way(4)  # the main thread (a script or a test running a job itself) is left alone
    assert niceness_of(threading.get_native_id()) == main


def test_the_servers_job_threads_and_what_they_start_run_lower(
    db: Database, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner, token = make_user(db, "owner@example.com")
    project = make_project(db, owner)

    def handler(context: JobContext) -> dict[str, Any]:
        child = subprocess.run(  # a decoder or another program the job starts
            ["sh", "-c", "cut -d' ' -f19 /proc/self/stat"], capture_output=True, check=True
        )
        return {
            "thread": niceness_of(threading.get_native_id()),
            "child": int(child.stdout),
        }

    monkeypatch.setitem(HANDLERS, "priority_probe", handler)
    with db.write() as session:
        job_id = do_start_job(session, None, project.id, "priority_probe", {}).id
    api.client.app.state.jobs.send(job_id)
    done = wait(api.as_(token), job_id)
    assert done["state"] == "succeeded", done
    process = os.getpriority(os.PRIO_PROCESS, 0)
    assert api.client.app.state.settings.job_niceness == LOWER
    expected = min(19, process + LOWER)
    assert done["result"] == {"thread": expected, "child": expected}
    assert niceness_of(threading.get_native_id()) == process, "requests keep theirs"
