import { useEffect, useId, useState } from "react";
import { api, type ExportFile, type ExportJobBody, type Job } from "../../../api";
import { Link } from "../../../app/Link";
import { Loading } from "../../../ui/Loading";
import { Notice } from "../../../ui/Notice";
import { isHandled, messageOf } from "../errors";
import { formatAmount, formatBytes, stateLabel } from "./format";
import { JobProgress } from "./JobProgress";
import { useJob } from "./useJob";
import { useJobList } from "./useJobList";

const RECENT = 10;

/** The file a finished export job made, or null. */
export function exportFileOf(job: Job): ExportFile | null {
  const r = job.result;
  if (job.kind !== "export" || job.state !== "succeeded" || !r || typeof r.filename !== "string") return null;
  return r as unknown as ExportFile;
}

/** "1.2 MiB, 300 tasks". */
export function fileSize(file: ExportFile): string {
  const parts = [formatBytes(file.bytes)];
  if (typeof file.tasks === "number") parts.push(formatAmount(file.tasks, "tasks"));
  return parts.join(", ");
}

/** "until 8 May 2026, 10:00" for a file that expires, or "". */
export function keptUntil(job: Job): string {
  return job.file_expires_at ? `until ${new Date(job.file_expires_at).toLocaleString()}` : "";
}

/** A link that downloads a finished export's file (a short-lived link is made on each click),
 * or a note that the file expired. */
export function DownloadLink({ job, children, primary = false }: { job: Job; children?: string; primary?: boolean }) {
  const file = exportFileOf(job);
  if (!file) return null;
  if (job.file_expired)
    return (
      <span className="muted small" data-export-expired={job.id}>
        File deleted {keptUntil(job) ? `(kept ${keptUntil(job)})` : ""}: export again to get it
      </span>
    );
  if (!job.download_url) return null;
  return (
    <a className={primary ? "button button-primary" : "job-download"} href={job.download_url} download={file.filename} data-download-job={job.id} title={keptUntil(job) ? `Kept ${keptUntil(job)}` : undefined}>
      {children ?? `Download ${file.filename}`}
    </a>
  );
}

/** Export as a background job with the form's filters, follow it, then offer its file; the
 * project's recent export jobs below with their files. */
export function BackgroundExport({ projectId, body }: { projectId: number; body: ExportJobBody }) {
  const id = useId();
  const [job, setJob] = useState<Job | null>(null);
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [recent, reload] = useJobList(projectId, { kind: "export", limit: RECENT }, true);
  const [running, setRunning] = useState(false);

  async function start(): Promise<void> {
    setStarting(true);
    setError(null);
    try {
      const started = await api.exports.start(projectId, body);
      setJob(started);
      setRunning(true);
      reload();
    } catch (failure) {
      if (!isHandled(failure)) setError(messageOf(failure));
    } finally {
      setStarting(false);
    }
  }

  return (
    <section className="export-background" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Export in the background</h2>
      <p className="muted small">
        For large projects: the server writes the file (same format, content and filters as above) into its storage as a job. Download it when it is done, here
        or on the <Link to={`/projects/${projectId}/jobs`}>Jobs</Link> page.
      </p>
      <p>
        <button type="button" onClick={() => void start()} disabled={starting || running} data-export-job="">
          {starting ? "Starting…" : "Export in the background"}
        </button>
      </p>
      {error ? <Notice tone="error">Could not start the export: {error}</Notice> : null}
      {job ? (
        <ExportJob
          key={job.id}
          job={job}
          onEnded={() => {
            setRunning(false);
            reload();
          }}
        />
      ) : null}
      <h3 className="export-recent-title">Recent background exports</h3>
      <Loading state={recent} retry={reload}>
        {(jobs) => <RecentExports jobs={jobs} />}
      </Loading>
    </section>
  );
}

function ExportJob({ job: initial, onEnded }: { job: Job; onEnded: () => void }) {
  const { follow, replace } = useJob(initial);
  const over = follow.status === "ended" || follow.status === "lost";
  useEffect(() => {
    if (over) onEnded();
    // Once: when it ends (the callback is new on every render of the parent).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [over]);
  const { job } = follow;
  if (follow.status === "lost") return <Notice tone="error">Export job {job.id} can no longer be followed: {follow.error}</Notice>;
  if (follow.status !== "ended") return <JobProgress follow={follow} onChange={replace} />;
  const file = exportFileOf(job);
  if (file)
    return (
      <Notice tone="success" actions={
          <DownloadLink job={job} primary>
            Download
          </DownloadLink>
        }>
        Export ready: <strong data-export-file="">{file.filename}</strong> ({fileSize(file)}). The file stays in the server's storage{job.file_expires_at ? ` ${keptUntil(job)}` : ""}; download it from here or the Jobs page.
      </Notice>
    );
  if (job.state === "cancelled") return <Notice tone="warning">Export job {job.id} was cancelled: no file was kept.</Notice>;
  return <Notice tone="error">Export job {job.id} failed: {job.error ?? "no reason given; look at the server's log."}</Notice>;
}

function RecentExports({ jobs }: { jobs: Job[] }) {
  if (jobs.length === 0) return <p className="muted small">No background exports yet.</p>;
  return (
    <table className="table export-jobs">
      <caption className="visually-hidden">Recent background exports, newest first</caption>
      <thead>
        <tr>
          <th scope="col">Job</th>
          <th scope="col">Started</th>
          <th scope="col">State</th>
          <th scope="col">File</th>
        </tr>
      </thead>
      <tbody>
        {jobs.map((job) => {
          const file = exportFileOf(job);
          return (
            <tr key={job.id} data-export-job-row={job.id}>
              <td className="num">{job.id}</td>
              <td>
                {new Date(job.created_at).toLocaleString()}
                {job.created_by ? <span className="muted small"> · {job.created_by}</span> : null}
              </td>
              <td>
                <span className={`job-state job-state-${job.state}`}>{stateLabel(job.state)}</span>
              </td>
              <td>
                {file ? (
                  <>
                    <DownloadLink job={job} /> <span className="muted small">({fileSize(file)})</span>
                  </>
                ) : (
                  <span className="muted small">{job.error ?? "—"}</span>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
