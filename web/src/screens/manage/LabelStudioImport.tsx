import { useId, useState, type FormEvent } from "react";
import { api, type Job, type LabelStudioReport, type LabelStudioStarted } from "../../api";
import { navigate } from "../../app/router";
import { Notice } from "../../ui/Notice";
import { ProgressBar } from "../../ui/ProgressBar";
import { messageOf } from "./errors";
import { JobProgress } from "./jobs/JobProgress";
import { useJob } from "./jobs/useJob";

/**
 * "Bring a Label Studio project": its JSON export and labeling config, uploaded; the project is
 * made at once and a background job fills it (docs/labelstudio.md). The job's progress shows
 * here; when it ends, its report (or every problem it found) and the way on.
 */
export function LabelStudioImport() {
  const id = useId();
  const [exportFile, setExportFile] = useState<File | null>(null);
  const [config, setConfig] = useState<File | null>(null);
  const [title, setTitle] = useState("");
  const [mediaBase, setMediaBase] = useState("");
  const [skipInvalid, setSkipInvalid] = useState(false);
  const [sending, setSending] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [started, setStarted] = useState<LabelStudioStarted | null>(null);

  async function start(event: FormEvent): Promise<void> {
    event.preventDefault();
    if (!exportFile || !config || sending !== null) return;
    setError(null);
    setSending(0);
    try {
      const name = title.trim() || exportFile.name.replace(/\.json$/i, "");
      setStarted(
        await api.labelStudio.start(
          { export: exportFile, config, title: name, skipInvalid, mediaBase },
          { onProgress: (p) => setSending(p.total ? p.loaded / p.total : 0) },
        ),
      );
    } catch (caught) {
      setError(caught);
    } finally {
      setSending(null);
    }
  }

  if (started) return <Following key={started.job.id} started={started} onAgain={() => setStarted(null)} />;
  return (
    <details className="form-section labelstudio-import">
      <summary>
        <h2 id={`${id}-title`}>Coming from Label Studio? Bring its project</h2>
      </summary>
      <form aria-labelledby={`${id}-title`} onSubmit={(e) => void start(e)} data-labelstudio-import="">
      <p className="muted small">
        Its JSON export (Export → JSON in Label Studio, with annotations and predictions) and its labeling config (Settings → Labeling
        Interface → Code). The config becomes the interface; authors are matched to accounts by email. By default nothing is imported
        if anything does not fit, and every problem is listed. Large exports import in the background.
      </p>
      <div className="form-grid">
        <div className="form-field">
          <label htmlFor={`${id}-export`} className="form-label">
            Export (JSON)
          </label>
          <input id={`${id}-export`} type="file" accept=".json,application/json" onChange={(e) => setExportFile(e.target.files?.[0] ?? null)} />
        </div>
        <div className="form-field">
          <label htmlFor={`${id}-config`} className="form-label">
            Labeling config (XML)
          </label>
          <input id={`${id}-config`} type="file" accept=".xml,application/xml,text/xml" onChange={(e) => setConfig(e.target.files?.[0] ?? null)} />
        </div>
        <div className="form-field">
          <label htmlFor={`${id}-name`} className="form-label">
            Project name <span className="muted small form-hint">(default: the export&apos;s file name)</span>
          </label>
          <input id={`${id}-name`} value={title} maxLength={200} onChange={(e) => setTitle(e.target.value)} />
        </div>
        <div className="form-field">
          <label htmlFor={`${id}-media`} className="form-label">
            Media base URL <span className="muted small form-hint">(for Label Studio&apos;s /data/upload/… paths)</span>
          </label>
          <input id={`${id}-media`} value={mediaBase} placeholder="https://label-studio.example.com" onChange={(e) => setMediaBase(e.target.value)} />
        </div>
      </div>
      <p>
        <label>
          <input type="checkbox" checked={skipInvalid} onChange={(e) => setSkipInvalid(e.target.checked)} /> Import what fits and list what was
          left out
        </label>
      </p>
      {error ? (
        <Notice tone="error">
          Nothing was imported: {messageOf(error)}
        </Notice>
      ) : null}
      {sending !== null ? <ProgressBar value={sending} max={1} label="Upload" /> : null}
      <p className="import-buttons">
        <button type="submit" className="button-primary" disabled={!exportFile || !config || sending !== null}>
          {sending !== null ? "Uploading…" : "Import the Label Studio project"}
        </button>
      </p>
      </form>
    </details>
  );
}

function Following({ started, onAgain }: { started: LabelStudioStarted; onAgain: () => void }) {
  const { follow, replace } = useJob(started.job);
  const job = follow.job;
  return (
    <section className="form-section" aria-label="Label Studio import" data-labelstudio-job={job.id}>
      <h2>Bringing the Label Studio project</h2>
      <JobProgress follow={follow} onChange={replace} />
      {job.state === "succeeded" ? <Imported job={job} projectId={started.project_id} /> : null}
      {job.state === "failed" || job.state === "cancelled" ? <NotImported job={job} projectId={started.project_id} onAgain={onAgain} /> : null}
    </section>
  );
}

function Imported({ job, projectId }: { job: Job; projectId: number }) {
  const report = job.result as unknown as LabelStudioReport;
  const left: [number, string][] = [
    [report.tasks_skipped, "tasks left out"],
    [report.annotations_skipped, "annotations left out"],
    [report.cancelled_skipped, "cancelled (skipped) annotations not imported"],
    [report.drafts_not_imported, "drafts not imported"],
  ];
  return (
    <div data-labelstudio-report="">
      <Notice tone="success">
        Imported {report.tasks.toLocaleString()} tasks, {report.annotations.toLocaleString()} annotations and {report.predictions.toLocaleString()}{" "}
        predictions; authors: {report.accounts_matched} matched by email, {report.accounts_created} placeholder accounts made.
      </Notice>
      {left.some(([n]) => n > 0) ? (
        <ul className="small">
          {left
            .filter(([n]) => n > 0)
            .map(([n, what]) => (
              <li key={what}>
                {n.toLocaleString()} {what}
              </li>
            ))}
        </ul>
      ) : null}
      <Problems problems={report.problems} total={report.problem_count} />
      {report.notes.length ? (
        <ul className="muted small">
          {report.notes.map((note) => (
            <li key={note}>{note}</li>
          ))}
        </ul>
      ) : null}
      <p>
        <button type="button" className="button-primary" onClick={() => navigate(`/projects/${projectId}/settings`)}>
          Open the project
        </button>
      </p>
    </div>
  );
}

function NotImported({ job, projectId, onAgain }: { job: Job; projectId: number; onAgain: () => void }) {
  const [deleted, setDeleted] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const details = (job.result as { details?: { problems?: string[]; problem_count?: number } } | null)?.details;
  async function remove(): Promise<void> {
    try {
      await api.projects.delete(projectId);
      setDeleted(true);
    } catch (caught) {
      setProblem(messageOf(caught));
    }
  }
  return (
    <div data-labelstudio-failed="">
      <Notice tone="error">
        {job.error ?? "The import was cancelled; nothing was imported."}
      </Notice>
      <Problems problems={details?.problems ?? []} total={details?.problem_count ?? 0} />
      <p>
        {deleted ? (
          <span role="status">The empty project was deleted. </span>
        ) : (
          <button type="button" onClick={() => void remove()}>
            Delete the empty project
          </button>
        )}{" "}
        <button type="button" onClick={onAgain}>
          Try again
        </button>
      </p>
      {problem ? <p className="form-warning small">{problem}</p> : null}
    </div>
  );
}

function Problems({ problems, total }: { problems: string[]; total: number }) {
  if (!problems.length) return null;
  return (
    <div className="small">
      <p>
        {total > problems.length ? `The first ${problems.length} of ${total.toLocaleString()} problems:` : `${problems.length} problem(s):`}
      </p>
      <ul data-labelstudio-problems="">
        {problems.map((text) => (
          <li key={text}>{text}</li>
        ))}
      </ul>
    </div>
  );
}
