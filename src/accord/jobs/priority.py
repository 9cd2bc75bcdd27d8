"""Background work gives way to requests: the threads that run jobs run at a lower CPU priority.

Without ``ACCORD_REDIS_URL`` the server process runs the jobs itself (`accord.jobs.runner`),
so decoding a video or encoding its frames competes for the same cores as the annotators'
requests. Each thread that runs jobs (and the thread of periodic steps) lowers its own
priority by ``ACCORD_JOB_NICENESS`` (10 by default; 0 leaves it) the first time it works: when
the cores are busy the kernel runs the requests first, and when they are idle a job gets all
it can use. Subprocesses and the decoders' own threads started from such a thread inherit it.
`accord worker` does the same, for workers that share a machine with servers.

Linux gives each thread a priority of its own (``setpriority`` on the thread's id); elsewhere
that call would change the whole process, so nothing is changed there.
"""

from __future__ import annotations

import logging
import os
import sys
import threading

log = logging.getLogger("accord.jobs")

LOWEST = 19  # the kernel's lowest priority
_lowered = threading.local()


def give_way(niceness: int) -> None:
    """Lower the calling thread's CPU priority by ``niceness`` (once per thread; Linux). The
    main thread is left as it is: a script or a test that runs a job itself keeps its pace."""
    if (
        niceness <= 0
        or getattr(_lowered, "done", False)
        or not sys.platform.startswith("linux")
        or threading.current_thread() is threading.main_thread()
    ):
        return
    _lowered.done = True
    thread = threading.get_native_id()
    try:
        now = os.getpriority(os.PRIO_PROCESS, thread)
        os.setpriority(os.PRIO_PROCESS, thread, min(LOWEST, now + niceness))
    except OSError as exc:  # a sandbox that forbids it: the job runs at the usual priority
        log.warning("could not lower the priority of a job thread: %s", exc)


def niceness_of(thread: int) -> int:
    """A thread's niceness (its id as `threading.get_native_id` gives it)."""
    return os.getpriority(os.PRIO_PROCESS, thread)
