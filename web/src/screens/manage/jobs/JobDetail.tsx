import type { Job } from "../../../api";
import { DownloadLink, exportFileOf, fileSize } from "./BackgroundExport";
import { formatPace, stateLabel } from "./format";
import { ImportCounts, MediaDatasetCounts, RowErrors } from "./ImportReport";
import { importOutcome } from "./importOutcome";
import { JobLog } from "./JobProgress";

const when = (iso: string | null): string => (iso ? new Date(iso).toLocaleString() : "—");

/** A job's times, its result (an import's report, an export's file, other figures) and log. */
export function JobDetail({ job }: { job: Job }) {
  const pace = formatPace(job);
  const facts: [string, string][] = [
    ["State", `${stateLabel(job.state)}${job.cancel_requested && job.state !== "cancelled" ? " (a cancel was asked)" : ""}`],
    ["Phase", job.phase || "—"],
    ["Attempts", String(job.attempts)],
    ["Created", when(job.created_at)],
    ["Started", when(job.started_at)],
    ["Finished", when(job.finished_at)],
  ];
  if (pace) facts.push(["Pace", pace]);
  return (
    <div className="job-detail" data-job-detail={job.id}>
      <dl className="job-facts">
        {facts.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      {job.error ? <p className="job-error">{job.error}</p> : null}
      <JobResult job={job} />
      <JobLog job={job} />
    </div>
  );
}

function JobResult({ job }: { job: Job }) {
  if (job.kind === "import") {
    const outcome = importOutcome(job);
    if (outcome?.kind === "done")
      return (
        <>
          <ImportCounts report={outcome.report} />
          {outcome.report.media_dataset ? <MediaDatasetCounts dataset={outcome.report.media_dataset} /> : null}
          <RowErrors errors={outcome.report.errors} total={outcome.report.skipped} />
        </>
      );
    if (outcome?.kind === "refused") return <RowErrors errors={outcome.errors} total={outcome.badLines} />;
    if (outcome?.kind === "cancelled") return <p>{outcome.message}</p>;
    return null;
  }
  const file = exportFileOf(job);
  if (file)
    return (
      <p>
        <strong>{file.filename}</strong> ({fileSize(file)}), kept in {file.storage}. <DownloadLink job={job} />
      </p>
    );
  if (job.state !== "succeeded" || !job.result) return null;
  return <pre className="job-result">{JSON.stringify(job.result, null, 2)}</pre>;
}
