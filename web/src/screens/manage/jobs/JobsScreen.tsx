import { useId, useRef, useState, type KeyboardEvent } from "react";
import { api, type Job } from "../../../api";
import { Kbd } from "../../../ui/Kbd";
import { Loading } from "../../../ui/Loading";
import { Notice } from "../../../ui/Notice";
import { isHandled, messageOf } from "../errors";
import { ManageLayout } from "../ManageLayout";
import { DownloadLink } from "./BackgroundExport";
import { JobDetail } from "./JobDetail";
import { CancelJobDialog, JobBar } from "./JobProgress";
import { attemptText, formatDuration, isActive, kindLabel, progressWords, resultSummary, runSeconds, stateLine } from "./format";
import { useJobList } from "./useJobList";
import "./jobs.css";

const PAGE = 50;

/** `/projects/:id/jobs`: the project's background jobs, newest first, live while any runs. */
export function JobsScreen({ projectId }: { projectId: number }) {
  return (
    <ManageLayout projectId={projectId}>
      {() => (
        <div className="manage-page">
          <h1>Jobs</h1>
          <p className="muted small">
            Imports, exports and recomputations run in the background. Newest first; the list follows the jobs while any is queued or running.
          </p>
          <JobList projectId={projectId} />
        </div>
      )}
    </ManageLayout>
  );
}

function JobList({ projectId }: { projectId: number }) {
  const [first, reload] = useJobList(projectId, { limit: PAGE }, true);
  const [older, setOlder] = useState<Job[]>([]);
  const [noMore, setNoMore] = useState(false);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function loadOlder(jobs: Job[]): Promise<void> {
    const last = jobs[jobs.length - 1];
    if (!last) return;
    setLoadingOlder(true);
    try {
      const page = await api.jobs.list(projectId, { limit: PAGE, before: last.id });
      setOlder((items) => [...items, ...page.jobs]);
      if (page.jobs.length < PAGE) setNoMore(true);
    } catch (failure) {
      if (!isHandled(failure)) setError(messageOf(failure));
    } finally {
      setLoadingOlder(false);
    }
  }

  return (
    <Loading state={first} retry={reload}>
      {(page) => {
        const jobs = newestFirst(page, older);
        if (jobs.length === 0) return <p className="empty">No jobs yet. Imports and background exports appear here.</p>;
        const more = !noMore && page.length === PAGE;
        return (
          <>
            <JobTable jobs={jobs} onChanged={reload} />
            {error ? <Notice tone="error">{error}</Notice> : null}
            {more ? (
              <p className="jobs-more">
                <button type="button" onClick={() => void loadOlder(jobs)} disabled={loadingOlder}>
                  {loadingOlder ? "Loading…" : "Show older jobs"}
                </button>
              </p>
            ) : null}
          </>
        );
      }}
    </Loading>
  );
}

/** The first page (read again while jobs run) and the older pages loaded, once each. */
function newestFirst(page: Job[], older: Job[]): Job[] {
  const seen = new Set(page.map((job) => job.id));
  return [...page, ...older.filter((job) => !seen.has(job.id))].sort((a, b) => b.id - a.id);
}

function JobTable({ jobs, onChanged }: { jobs: Job[]; onChanged: () => void }) {
  const id = useId();
  const [open, setOpen] = useState<Set<number>>(() => new Set());
  const [cancelling, setCancelling] = useState<Job | null>(null);
  const body = useRef<HTMLTableSectionElement>(null);

  const toggle = (jobId: number) =>
    setOpen((current) => {
      const next = new Set(current);
      if (!next.delete(jobId)) next.add(jobId);
      return next;
    });

  function onKey(event: KeyboardEvent<HTMLTableRowElement>, job: Job): void {
    if (event.target !== event.currentTarget || event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key === "Enter" || event.key === " ") toggle(job.id);
    else if ((event.key === "c" || event.key === "C") && isActive(job) && !job.cancel_requested) setCancelling(job);
    else if (event.key === "ArrowDown" || event.key === "ArrowUp") moveFocus(event.currentTarget, event.key === "ArrowDown" ? 1 : -1);
    else return;
    event.preventDefault();
  }

  function moveFocus(row: HTMLTableRowElement, step: number): void {
    const rows = Array.from(body.current?.querySelectorAll<HTMLTableRowElement>("tr[data-job-row]") ?? []);
    rows[rows.indexOf(row) + step]?.focus();
  }

  return (
    <>
      <p className="jobs-keys muted small" id={`${id}-keys`}>
        <Kbd keys="↑" /> <Kbd keys="↓" /> move between jobs · <Kbd keys="Enter" /> shows a job's log and result · <Kbd keys="C" /> cancels a queued or running job
      </p>
      <table className="table jobs-table">
        <caption className="visually-hidden">The project's jobs, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Job</th>
            <th scope="col">Kind</th>
            <th scope="col">State</th>
            <th scope="col">Created, by</th>
            <th scope="col">Progress</th>
            <th scope="col">Took</th>
            <th scope="col">Outcome</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody ref={body}>
          {jobs.map((job) => {
            const expanded = open.has(job.id);
            return (
              <JobRows
                key={job.id}
                job={job}
                expanded={expanded}
                describedBy={`${id}-keys`}
                onToggle={() => toggle(job.id)}
                onKey={(event) => onKey(event, job)}
                onCancel={() => setCancelling(job)}
              />
            );
          })}
        </tbody>
      </table>
      {cancelling ? (
        <CancelJobDialog
          job={cancelling}
          onChange={onChanged}
          onClose={() => {
            const row = body.current?.querySelector<HTMLTableRowElement>(`tr[data-job-row='${cancelling.id}']`);
            setCancelling(null);
            row?.focus();
          }}
        />
      ) : null}
    </>
  );
}

interface RowsProps {
  job: Job;
  expanded: boolean;
  describedBy: string;
  onToggle: () => void;
  onKey: (event: KeyboardEvent<HTMLTableRowElement>) => void;
  onCancel: () => void;
}

function JobRows({ job, expanded, describedBy, onToggle, onKey, onCancel }: RowsProps) {
  const seconds = runSeconds(job);
  const retry = attemptText(job);
  const outcome = resultSummary(job);
  const detailId = `job-${job.id}-detail`;
  return (
    <>
      <tr
        tabIndex={0}
        className={expanded ? "job-row job-row-open" : "job-row"}
        data-job-row={job.id}
        data-state={job.state}
        aria-describedby={describedBy}
        onKeyDown={onKey}
      >
        <td className="num">
          <button type="button" className="button-quiet job-toggle" tabIndex={-1} aria-expanded={expanded} aria-controls={detailId} onClick={onToggle}>
            <span aria-hidden="true">{expanded ? "▾" : "▸"}</span> {job.id}
          </button>
        </td>
        <td>{kindLabel(job.kind)}</td>
        <td>
          <span className={`job-state job-state-${job.state}`}>{stateLine(job)}</span>
          {retry ? <div className="job-retry small">{retry}</div> : null}
        </td>
        <td className="job-when">
          <time dateTime={job.created_at}>{new Date(job.created_at).toLocaleString()}</time>
          <div className="small muted">{job.created_by ?? "the system"}</div>
        </td>
        <td className="job-progress-cell">
          <JobBar job={job} label={`Progress of job ${job.id}`} />
          <span className="small muted">{progressWords(job)}</span>
        </td>
        <td className="num job-took">{seconds === null ? "—" : formatDuration(seconds)}</td>
        <td className={job.error ? "job-outcome job-outcome-error" : "job-outcome"} title={outcome || undefined}>
          <div className="job-outcome-text">{outcome || <span className="muted">—</span>}</div>
        </td>
        <td className="job-actions">
          {isActive(job) && !job.cancel_requested ? (
            <button type="button" className="button-danger" onClick={onCancel} aria-label={`Cancel job ${job.id}`}>
              Cancel
            </button>
          ) : null}
          <DownloadLink job={job}>Download</DownloadLink>
        </td>
      </tr>
      {expanded ? (
        <tr className="job-detail-row" id={detailId}>
          <td colSpan={8}>
            <JobDetail job={job} />
          </td>
        </tr>
      ) : null}
    </>
  );
}
