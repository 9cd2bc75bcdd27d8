import { useState } from "react";
import { api, ApiError, type Job } from "../../../api";
import { ConfirmDialog } from "../../../ui/ConfirmDialog";
import { Notice } from "../../../ui/Notice";
import { ProgressBar } from "../../../ui/ProgressBar";
import { isHandled, messageOf } from "../errors";
import type { Follow } from "./follow";
import { attemptText, formatPace, formatProgress, isActive, kindLabel, stateLine } from "./format";
import "./jobs.css";

const time = (iso: string): string => new Date(iso).toLocaleTimeString();

/** Where a job is: its phase, a bar, done/total, pace, retries, its log, and Cancel. */
export function JobProgress({ follow, onChange }: { follow: Follow; onChange: (job: Job) => void }) {
  const { job } = follow;
  const kind = kindLabel(job.kind);
  const retry = attemptText(job);
  const pace = formatPace(job);
  return (
    <section className="job-progress" aria-label={`${kind} job ${job.id}`} data-job={job.id} data-state={job.state}>
      <div className="job-progress-head">
        <strong>
          {kind} job {job.id}
        </strong>
        <span className={`job-state job-state-${job.state}`} data-job-state>
          {stateLine(job)}
        </span>
        {retry ? <span className="job-retry">{retry}</span> : null}
        {isActive(job) ? <CancelJob job={job} onChange={onChange} /> : null}
      </div>
      <div className="job-progress-bar">
        <JobBar job={job} />
      </div>
      <p className="job-figures small" role="status">
        <span data-job-progress>{job.state === "queued" ? "Waiting for a worker to take it…" : formatProgress(job)}</span>
        {pace ? <span className="muted"> · {pace}</span> : null}
      </p>
      {follow.status !== "ended" && "error" in follow && follow.error ? (
        <p className="form-warning small">
          {follow.status === "lost" ? `This job can no longer be followed: ${follow.error}` : `Cannot read the job's progress (${follow.error}); trying again…`}
        </p>
      ) : null}
      <JobLog job={job} />
    </section>
  );
}

/** The bar: filled to the share done when the total is known, moving while it runs without one. */
export function JobBar({ job, label }: { job: Job; label?: string }) {
  const name = label ?? `${kindLabel(job.kind)} progress`;
  if (job.total !== null && job.total > 0) return <ProgressBar value={Math.min(job.done, job.total)} max={job.total} label={name} />;
  if (job.state === "running")
    return (
      <div className="progress progress-busy" role="progressbar" aria-label={name} aria-valuetext={formatProgress(job)}>
        <div className="progress-fill" />
      </div>
    );
  return <ProgressBar value={job.state === "succeeded" ? 1 : 0} max={1} label={name} />;
}

/** What went wrong along the way (a row skipped, a retry), oldest first. */
export function JobLog({ job }: { job: Job }) {
  if (job.log.length === 0) return null;
  return (
    <details className="job-log" open={job.state !== "succeeded"}>
      <summary className="small">
        Log ({job.log.length} line{job.log.length === 1 ? "" : "s"})
      </summary>
      <ol>
        {job.log.map((line, i) => (
          <li key={i}>
            <time dateTime={line.at} className="muted">
              {time(line.at)}
            </time>{" "}
            {line.message}
          </li>
        ))}
      </ol>
    </details>
  );
}

/** What cancelling does, by kind (a running import past its commit point finishes). */
export function cancelWarning(job: Job): string {
  if (job.state === "queued") return "It has not started: it will not run.";
  if (job.kind === "import")
    return "It stops at its next step and nothing is imported. If it has already passed its commit point (all rows checked), it finishes anyway.";
  if (job.kind === "export") return "It stops at its next step; no file is kept.";
  return "It stops at its next step.";
}

/** The Cancel button and its confirmation; `onChange` gets the job as the cancel left it. */
export function CancelJob({ job, onChange }: { job: Job; onChange: (job: Job) => void }) {
  const [asking, setAsking] = useState(false);
  if (job.cancel_requested) return null;
  return (
    <>
      <button type="button" className="button-danger job-cancel" onClick={() => setAsking(true)} aria-label={`Cancel ${kindLabel(job.kind).toLowerCase()} job ${job.id}`}>
        Cancel
      </button>
      {asking ? <CancelJobDialog job={job} onChange={onChange} onClose={() => setAsking(false)} /> : null}
    </>
  );
}

/** "Cancel this job?", and the cancel itself. A job that ended meanwhile is read again. */
export function CancelJobDialog({ job, onChange, onClose }: { job: Job; onChange: (job: Job) => void; onClose: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const kind = kindLabel(job.kind).toLowerCase();

  async function cancel(): Promise<void> {
    setBusy(true);
    setError(null);
    try {
      const cancelled = await api.jobs.cancel(job.id);
      onClose();
      onChange(cancelled);
    } catch (failure) {
      if (failure instanceof ApiError && failure.code === "job_finished") {
        onClose();
        onChange(await api.jobs.get(job.id).catch(() => job));
      } else {
        if (!isHandled(failure)) setError(messageOf(failure));
        setBusy(false);
      }
    }
  }

  return (
    <ConfirmDialog
      title={`Cancel ${kind} job ${job.id}?`}
      confirmLabel={`Cancel the ${kind}`}
      cancelLabel="Keep the job"
      tone="danger"
      busy={busy}
      onConfirm={() => void cancel()}
      onCancel={onClose}
    >
      <p>{cancelWarning(job)}</p>
      {error ? <Notice tone="error">{error}</Notice> : null}
    </ConfirmDialog>
  );
}
