"""Running background jobs with huey: in the server process, or in `accord worker` processes.

With ``ACCORD_REDIS_URL`` unset, the queue is huey's SQLite storage in the data directory
(``jobs.db``) and each server process runs a few worker threads (``ACCORD_JOB_THREADS``): no
service to install. With it set, the queue is Redis and the servers only enqueue; `accord
worker` processes, any number on any machine, run the jobs.

The queue carries a job's id, nothing else; the ``jobs`` row is the truth (see
`accord.models.jobs` and `accord.actions.jobs`):
- a worker claims the row before running it, so a message delivered twice runs once;
- while it runs, a heartbeat thread records its progress every second and reads whether a
  cancel was asked (the job then stops at its next `JobContext.progress`);
- every process that runs jobs also sweeps, every few seconds: a running job whose heartbeat
  is older than ``ACCORD_JOB_STALE_SECONDS`` lost its worker (killed, machine gone) and is
  queued again (each kind of job is safe to run again: see `accord.jobs.handlers`), up to
  `accord.actions.jobs.MAX_ATTEMPTS`; a queued job no worker took for as long is handed to
  the queue again (its message may have died with a restarted Redis);
- a job that fails on a passing fault (the bucket or the database unreachable) is retried
  after a pause; a job that fails on its input (a refused file) fails at once with the message
  a person needs;
- and, every ten minutes, it deletes the files of exports finished more than
  ``ACCORD_EXPORT_KEEP_HOURS`` ago (`accord.jobs.expiry`).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from huey import Huey, RedisHuey, SqliteHuey
from huey.consumer import Consumer
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from accord.actions.jobs import (
    Claim,
    abandoned_jobs,
    do_beat_job,
    do_claim_job,
    do_finish_job,
    do_log_job,
    do_mark_sent,
    do_note_job,
    do_retry_job,
    unsent_jobs,
)
from accord.db import Database
from accord.db.types import utcnow
from accord.errors import AccordError
from accord.jobs.expiry import ExportExpiry
from accord.jobs.priority import give_way
from accord.jobs.retention import Retention
from accord.models import Job, JobState
from accord.settings import Settings

if TYPE_CHECKING:
    from accord.media.storage import Storage

log = logging.getLogger("accord.jobs")

BEAT_SECONDS = 1.0  # progress written at most this often
HEARTBEAT_SECONDS = 5.0  # and the heartbeat at least this often
SWEEP_SECONDS = 2.0
RETRY_DELAYS = (5.0, 30.0, 120.0)  # pauses before retrying after a passing fault


class JobCancelled(Exception):
    """A person cancelled the job: the handler stops and leaves nothing half-done."""


class JobLost(Exception):
    """The sweep gave this attempt up for dead and queued the job again (or it was deleted)."""


class PassingFault(Exception):
    """A fault worth retrying the job for (a service unreachable), with its message."""


Handler = Callable[["JobContext"], dict[str, Any]]
Cleanup = Callable[[Settings, dict[str, Any]], None]
HANDLERS: dict[str, Handler] = {}
CLEANUPS: dict[str, Cleanup] = {}


def job_handler(kind: str, *, cleanup: Cleanup | None = None) -> Callable[[Handler], Handler]:
    """Register the function that runs jobs of ``kind`` (and what to remove once such a job
    has finished for good, whatever its outcome)."""

    def register(handler: Handler) -> Handler:
        HANDLERS[kind] = handler
        if cleanup is not None:
            CLEANUPS[kind] = cleanup
        return handler

    return register


def open_storage(settings: Settings) -> Storage:
    from accord.media.storage import open_storage as _open

    return _open(settings)


class JobContext:
    """What a handler gets: the job's parameters, the database, the storage, and the calls
    that report progress, log and keep notes for a retry."""

    def __init__(self, runner: JobRunner, claim: Claim) -> None:
        self.runner = runner
        self.db = runner.db
        self.settings = runner.settings
        self.job_id = claim.job_id
        self.project_id = claim.project_id
        self.params = claim.params
        self.created_by = claim.created_by
        self.notes: dict[str, Any] = dict(claim.result or {})
        self.attempt = claim.attempt
        self._storage: Storage | None = None
        self._lock = threading.Lock()
        self._pending: dict[str, Any] = {}
        self.reached: dict[str, Any] = {}  # the last progress reported, written or not
        self._stopping = threading.Event()  # the heartbeat thread ends
        self._cancelled = False
        self._lost = False
        # Beat well within the time after which the sweep takes the job for abandoned.
        self._heartbeat = min(HEARTBEAT_SECONDS, runner.settings.job_stale_seconds / 3)
        self._beater = threading.Thread(
            target=self._beat_loop, name=f"accord-job-{claim.job_id}", daemon=True
        )

    @property
    def storage(self) -> Storage:
        if self._storage is None:
            self._storage = self.runner.storage
        return self._storage

    def progress(
        self,
        done: int,
        total: int | None = None,
        *,
        unit: str | None = None,
        phase: str | None = None,
    ) -> None:
        """Where the job is (written within a second); raises `JobCancelled` once a cancel
        was asked, `JobLost` once the job is no longer this attempt's."""
        with self._lock:
            self._pending["done"] = done
            if total is not None:
                self._pending["total"] = total
            if unit is not None:
                self._pending["unit"] = unit
            if phase is not None:
                self._pending["phase"] = phase
            self.reached.update(self._pending)
        self.check()

    def check(self) -> None:
        if self._lost:
            raise JobLost(f"job {self.job_id} was taken from this worker")
        if self._cancelled:
            raise JobCancelled(f"job {self.job_id} was cancelled")

    def log(self, message: str) -> None:
        """Add a line to the job's log (a row skipped, a retry, a warning)."""
        with self.db.write() as session:
            do_log_job(session, self.job_id, message)

    def note(self, **values: Any) -> None:
        """Keep ``values`` with the job (visible in its result; a retry finds them in
        ``notes``)."""
        self.notes.update(values)
        with self.db.write() as session:
            do_note_job(session, self.job_id, self.attempt, values)

    def start(self) -> None:
        self._beater.start()

    def stop(self) -> None:
        self._stopping.set()
        self._beater.join(10)

    def _beat_loop(self) -> None:
        last = 0.0
        while not self._stopping.wait(BEAT_SECONDS):
            with self._lock:
                pending, self._pending = self._pending, {}
            now = time.monotonic()
            if not pending and now - last < self._heartbeat:
                continue
            last = now
            try:
                with self.db.write() as session:
                    cancel = do_beat_job(session, self.job_id, self.attempt, **pending)
            except Exception:  # the database is away for a moment: try again next beat
                log.warning("job %d: could not record its heartbeat", self.job_id, exc_info=True)
                continue
            if cancel is None:
                self._lost = True
            elif cancel:
                self._cancelled = True


class _EmbeddedConsumer(Consumer):  # type: ignore[misc]
    """huey's consumer without its signal handlers: the server process keeps its own."""

    def _set_signal_handlers(self) -> None:
        pass


def _huey(settings: Settings) -> Huey:
    if settings.redis_url:
        return RedisHuey(
            name="accord", url=settings.redis_url, results=False, blocking=True, read_timeout=1
        )
    folder = Path(settings.data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(name="accord", filename=str(folder / "jobs.db"), results=False, timeout=30)


def _deliver_webhooks(runner: JobRunner) -> None:
    from accord.jobs.webhooks import deliver_due

    deliver_due(runner.db, runner.settings)


class JobRunner:
    """The queue (to send jobs to) and, in processes that run jobs, the consumer and the
    sweep. One per process: `accord serve` makes one in `create_app`, `accord worker` one."""

    def __init__(self, settings: Settings, db: Database) -> None:
        import accord.jobs.handlers  # noqa: F401  (registers every kind of job)
        from accord.jobs.ml_predictions import TrainingTrigger

        self.settings = settings
        self.db = db
        self.huey = _huey(settings)
        self.worker = f"{socket.gethostname()}:{os.getpid()}"
        self._run_task = self.huey.task(name="accord.run_job", retries=0)(self.run)
        self._consumer: Consumer | None = None
        self._ticker: threading.Thread | None = None
        self._stopping = threading.Event()
        self._storage: Storage | None = None
        self._ticks: list[Callable[[JobRunner], None]] = [
            _deliver_webhooks,
            TrainingTrigger(),  # model servers retrained every N annotations
            ExportExpiry(),
            Retention(),  # access log and task data retention (accord.jobs.retention)
        ]

    @property
    def embedded(self) -> bool:
        """Whether the server process runs the jobs (no Redis configured)."""
        return not self.settings.redis_url

    @property
    def storage(self) -> Storage:
        if self._storage is None:
            self._storage = open_storage(self.settings)
        return self._storage

    # -- sending ---------------------------------------------------------------------------

    def send(self, job_id: int, *, delay: float | None = None) -> None:
        """Hand a committed job to the queue. A failure is only logged: the job stays
        queued in the database and the sweep hands it again."""
        try:
            if delay:
                self._run_task.schedule(args=(job_id,), delay=delay)
            else:
                self._run_task(job_id)
        except Exception:
            log.warning(
                "job %d: the queue is unreachable; it will be sent again", job_id, exc_info=True
            )

    # -- running ---------------------------------------------------------------------------

    def run(self, job_id: int) -> None:
        """Run one job (called by huey's worker threads with the id the queue carried)."""
        give_way(self.settings.job_niceness)
        with self.db.write() as session:
            claim = do_claim_job(session, job_id, self.worker)
        if claim is None:
            return  # another worker has it, or it finished, or it was cancelled
        context = JobContext(self, claim)
        context.start()
        try:
            outcome = self._outcome(claim, context)
        finally:
            context.stop()
        if outcome is None:
            return
        state, result, error = outcome
        progress = {k: v for k, v in context.reached.items() if k in ("done", "total", "unit")}
        with self.db.write() as session:
            job = do_finish_job(
                session, job_id, claim.attempt, state, result=result, error=error, progress=progress
            )
        if job is not None:
            log.info("job %d (%s) %s", job_id, claim.kind, state.value)
            self.cleanup(job)

    def _outcome(
        self, claim: Claim, context: JobContext
    ) -> tuple[JobState, dict[str, Any] | None, str | None] | None:
        handler = HANDLERS.get(claim.kind)
        if handler is None:
            return JobState.failed, None, f"no worker knows jobs of kind {claim.kind!r}"
        try:
            result = handler(context)
        except JobCancelled:
            return JobState.cancelled, None, None
        except JobLost:
            log.warning("job %d: taken from this worker; stopping", claim.job_id)
            return None
        except PassingFault as exc:
            return self._retry_later(claim, str(exc))
        except OperationalError as exc:
            return self._retry_later(claim, f"the database was unreachable: {exc.orig!r}")
        except AccordError as exc:
            if exc.status == 503:  # a service (the bucket) is unreachable: worth a retry
                return self._retry_later(claim, exc.message)
            return (
                JobState.failed,
                ({"details": exc.details} if exc.details else None),
                exc.message,
            )
        except Exception as exc:
            log.exception("job %d (%s) failed", claim.job_id, claim.kind)
            return JobState.failed, None, f"the job failed with an internal error: {exc!r}"
        return JobState.succeeded, result, None

    def _retry_later(
        self, claim: Claim, reason: str
    ) -> tuple[JobState, dict[str, Any] | None, str | None] | None:
        delay = RETRY_DELAYS[min(claim.attempt, len(RETRY_DELAYS)) - 1]
        with self.db.write() as session:
            job = session.get(Job, claim.job_id, with_for_update=True)
            if job is None or job.state != JobState.running.value or job.attempts != claim.attempt:
                return None
            again = do_retry_job(session, job, f"{reason}; retrying in {delay:.0f} s")
            if again:
                job.sent_at = utcnow() + dt.timedelta(seconds=delay)
            finished = None if again else job
        if again:
            self.send(claim.job_id, delay=delay)
        elif finished is not None:
            self.cleanup(finished)
        return None

    def cleanup(self, job: Job) -> None:
        """What a finished job leaves behind that nobody needs (its spooled upload)."""
        remove = CLEANUPS.get(job.kind)
        if remove is None:
            return
        try:
            remove(self.settings, job.params or {})
        except Exception:
            log.warning("job %d: could not remove its files", job.id, exc_info=True)

    def wait_idle(self, timeout: float = 60) -> bool:
        """Until no job is queued or running (tests, benchmarks); False on timeout."""
        from accord.actions.jobs import ACTIVE

        deadline = time.monotonic() + timeout
        while True:
            with self.db.read() as session:
                busy = session.scalar(select(Job.id).where(Job.state.in_(ACTIVE)).limit(1))
            if busy is None:
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)

    # -- sweeping --------------------------------------------------------------------------

    def sweep(self) -> None:
        """Queue again the jobs whose worker died; hand again those no worker took."""
        now = utcnow()
        stale = dt.timedelta(seconds=self.settings.job_stale_seconds)
        stale_before = now - stale
        requeued: list[int] = []
        finished: list[Job] = []
        with self.db.read() as session:  # the common case, nothing to do, takes no write lock
            abandoned = bool(abandoned_jobs(session, stale_before, lock=False))
            unsent = unsent_jobs(session, now - stale)
        if abandoned:
            with self.db.write() as session:
                for job in abandoned_jobs(session, stale_before):
                    reason = f"its worker ({job.worker}) stopped answering"
                    if do_retry_job(session, job, reason):
                        requeued.append(job.id)
                    else:
                        finished.append(job)
        for job in finished:
            self.cleanup(job)
        for job_id in requeued + unsent:
            self.send(job_id)
        if unsent:
            with self.db.write() as session:
                do_mark_sent(session, unsent)

    def _tick_loop(self) -> None:
        give_way(self.settings.job_niceness)
        next_sweep = 0.0
        while not self._stopping.wait(1.0):
            for call in self._ticks:
                try:
                    call(self)
                except Exception:
                    log.warning("a periodic job step failed", exc_info=True)
            if time.monotonic() >= next_sweep:
                next_sweep = time.monotonic() + SWEEP_SECONDS
                try:
                    self.sweep()
                except Exception:
                    log.warning("the job sweep failed", exc_info=True)

    # -- consuming -------------------------------------------------------------------------

    def _consumer_for(self, threads: int, consumer: type[Consumer]) -> Consumer:
        return consumer(
            self.huey,
            workers=threads,
            periodic=False,
            # Without Redis the job threads poll the SQLite queue: at most 0.1 s between two
            # looks (0.5 s made a job wait 0.45 s on average before it started; an idle
            # server then spends 7.0 instead of 4.3 ms of CPU a second). Redis's queue wakes
            # them at once.
            initial_delay=0.05,
            backoff=1.5,
            max_delay=0.1,
            worker_type="thread",
            shutdown_timeout=10,
            graceful_signal="TERM",
        )

    def start(self, threads: int | None = None) -> None:
        """Run jobs in this process, on background threads (the server, embedded mode)."""
        if self._consumer is not None:
            return
        self._stopping.clear()
        self._consumer = self._consumer_for(threads or self.settings.job_threads, _EmbeddedConsumer)
        self._consumer.start()
        self._start_ticker()

    def _start_ticker(self) -> None:
        self._ticker = threading.Thread(
            target=self._tick_loop, name="accord-jobs-tick", daemon=True
        )
        self._ticker.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._consumer is not None:
            self._consumer.stop(graceful=True)
            self._consumer = None
        if self._ticker is not None:
            self._ticker.join(10)
            self._ticker = None

    def run_forever(self, threads: int) -> None:
        """`accord worker`: run jobs until SIGTERM or SIGINT (both finish running jobs first,
        for up to 10 s; a job cut short is retried by the sweep)."""
        self._start_ticker()
        try:
            self._consumer_for(threads, Consumer).run()
        finally:
            self._stopping.set()
