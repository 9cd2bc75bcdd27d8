import { useEffect, useId, useMemo, useRef, useState, type DragEvent } from "react";
import { api, type DatasetFormat, type ImportFormat, type ImportReport, type Job, type MediaDatasetFormat, type Project } from "../../api";
import { Link } from "../../app/Link";
import { parseInterface } from "../../editor/interface";
import { Notice } from "../../ui/Notice";
import { ProgressBar } from "../../ui/ProgressBar";
import { isHandled, messageOf } from "./errors";
import { DatasetCounts } from "./DatasetZip";
import { ImageImport } from "./ImageImport";
import { imageFieldOf } from "./imageSchema";
import { previewData } from "./interfaceText";
import { formatBytes } from "./jobs/format";
import { ImportCounts, MediaDatasetCounts, RowErrors } from "./jobs/ImportReport";
import { importOutcome } from "./jobs/importOutcome";
import { JobProgress } from "./jobs/JobProgress";
import { useJob } from "./jobs/useJob";
import { ManageLayout } from "./ManageLayout";
import { MediaDatasetImport } from "./MediaDatasetImport";
import { importSourceOf, mediaImportOffersOf } from "./mediaImports";
import { ReferenceCorpora } from "./ReferenceCorpora";

const FORMATS: { value: ImportFormat; label: string; ext: string[] }[] = [
  { value: "jsonl", label: "JSON Lines (one task per line)", ext: ["jsonl", "ndjson"] },
  { value: "json", label: "JSON (a list of tasks)", ext: ["json"] },
  { value: "csv", label: "CSV (a header row, then one task per row)", ext: ["csv"] },
  { value: "tsv", label: "TSV (tab-separated)", ext: ["tsv", "tab"] },
];

export function formatOf(name: string): ImportFormat | null {
  const ext = name.toLowerCase().split(".").pop() ?? "";
  return FORMATS.find((f) => f.ext.includes(ext))?.value ?? null;
}

/** `/projects/:id/import`: send a file of tasks, watch it upload and import (a background
 * job, followed here), read what happened. */
export function ImportScreen({ projectId }: { projectId: number }) {
  const created = new URLSearchParams(window.location.search).get("created");
  return (
    <ManageLayout projectId={projectId}>
      {(project, reload) => (
        <div className="manage-page manage-narrow">
          <h1>Import tasks</h1>
          {created ? (
            <Notice tone="success">
              Project “{project.name}” created. Import its tasks here, then add people on the <Link to={`/projects/${project.id}/members`}>Members</Link> page.
            </Notice>
          ) : null}
          <Importer project={project} onImported={reload} />
          <ReferenceCorpora project={project} />
        </div>
      )}
    </ManageLayout>
  );
}

type Phase =
  | { kind: "idle" }
  | { kind: "uploading"; loaded: number; total: number }
  /** The whole file is sent; the server stores it and starts the job. */
  | { kind: "storing" }
  /** The import runs as a job; `resumed`: it was running when the page opened. */
  | { kind: "job"; job: Job; resumed: boolean }
  | { kind: "ended"; job: Job }
  | { kind: "failed"; message: string };

function Importer({ project, onImported }: { project: Project; onImported: () => void }) {
  const id = useId();
  const [file, setFile] = useState<File | null>(null);
  const chosenFile = file;
  const images = useMemo(() => imageFieldOf(parseInterface(project.interface)) !== null, [project.interface]);
  const media = useMemo(() => {
    const offers = mediaImportOffersOf(parseInterface(project.interface));
    return offers.video.length + offers.audio.length > 0;
  }, [project.interface]);
  const [format, setFormat] = useState<ImportFormat | "auto">("auto");
  const [skipInvalid, setSkipInvalid] = useState(false);
  /** A named source whose annotations the rows' predictions become; "" keeps predictions. */
  const [answersBy, setAnswersBy] = useState("");
  const [phase, setPhase] = useState<Phase>({ kind: "idle" });
  const [dragging, setDragging] = useState(false);
  /** Where the import came from: a file chosen below, images, or a video or audio dataset
   * zip (the status shows there). */
  const [source, setSource] = useState<"file" | "images" | "media">("file");
  /** The rows made of the images last uploaded (JSON Lines), for a retry; null after a
   * dataset zip, which the server reads whole (no bad rows to skip). */
  const [imageRows, setImageRows] = useState<File | null>(null);
  const running = useRunningImports(project.id, setPhase);
  const abort = useRef<AbortController | null>(null);
  const busy = phase.kind === "uploading" || phase.kind === "storing" || phase.kind === "job";
  // An import found running when the page opened is followed in the section it came from.
  const resumed = phase.kind === "job" && phase.resumed ? phase.job : null;
  useEffect(() => {
    if (resumed) setSource(importSourceOf(resumed.params.format, { images, media }));
  }, [resumed, images, media]);

  function choose(chosen: File | null): void {
    setFile(chosen);
    setSource("file");
    setPhase({ kind: "idle" });
  }

  /** Rows made of uploaded images (or a dataset zip with its images, `format`): imported at
   * once, followed in the images' section. */
  function importImages(rows: File, datasetFormat?: DatasetFormat): void {
    setImageRows(datasetFormat ? null : rows);
    setSource("images");
    void start(false, rows, datasetFormat ?? "jsonl");
  }

  /** A video or audio dataset zip: sent whole, imported at once, followed in its section. */
  function importMedia(zip: File, mediaFormat: MediaDatasetFormat, question: string | null): void {
    setSource("media");
    void start(false, zip, mediaFormat, question);
  }

  async function start(
    skip: boolean,
    file: File | null = chosenFile,
    chosenFormat: ImportFormat | DatasetFormat | MediaDatasetFormat | "auto" = format,
    question: string | null = null,
  ): Promise<void> {
    if (!file || busy) return;
    const controller = new AbortController();
    abort.current = controller;
    setSkipInvalid(skip);
    setPhase({ kind: "uploading", loaded: 0, total: file.size });
    try {
      const job = await api.imports.start(project.id, file, {
        format: chosenFormat === "auto" ? formatOf(file.name) : chosenFormat,
        filename: file.name,
        skipInvalid: skip,
        source: answersBy.trim() || null,
        question,
        signal: controller.signal,
        onProgress: (p) => setPhase(p.sent ? { kind: "storing" } : { kind: "uploading", loaded: p.loaded, total: p.total }),
      });
      setPhase({ kind: "job", job, resumed: false });
    } catch (error) {
      if (error instanceof DOMException && error.name === "AbortError") setPhase({ kind: "failed", message: "Upload cancelled: nothing was imported." });
      else if (!isHandled(error)) setPhase({ kind: "failed", message: messageOf(error) });
    } finally {
      abort.current = null;
    }
  }

  function ended(job: Job): void {
    setPhase({ kind: "ended", job });
    if (job.state === "succeeded") onImported();
  }

  function onDrop(event: DragEvent): void {
    event.preventDefault();
    setDragging(false);
    const dropped = event.dataTransfer.files[0];
    if (dropped && !busy) choose(dropped);
  }

  const again = source === "images" ? imageRows : source === "media" ? null : file;
  const status = (
    <ImportStatus
      phase={phase}
      project={project}
      onEnded={ended}
      onLost={(message) => setPhase({ kind: "failed", message })}
      onRetry={again ? () => void start(true, again, source === "images" ? "jsonl" : format) : null}
    />
  );
  return (
    <div className="importer">
      <AnswersBy value={answersBy} onChange={setAnswersBy} disabled={busy} />
      <ImageImport project={project} busy={busy} onRows={importImages} status={source === "images" ? status : null} />
      {media ? <MediaDatasetImport project={project} busy={busy} source={answersBy} onZip={importMedia} status={source === "media" ? status : null} /> : null}
      {images || media ? <h2 className="import-file-title">Import a file of tasks</h2> : null}
      {running.error ? <Notice tone="warning">Could not check for imports already running: {running.error}</Notice> : null}
      {running.others > 0 ? (
        <Notice tone="info">
          {running.others} more import{running.others === 1 ? " is" : "s are"} running in this project: see the{" "}
          <Link to={`/projects/${project.id}/jobs`}>Jobs</Link> page.
        </Notice>
      ) : null}
      <div
        className={dragging ? "drop-zone drop-zone-active" : "drop-zone"}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <p>
          <strong>Drop a file here</strong> or{" "}
          <label htmlFor={`${id}-file`} className="button">
            choose a file…
          </label>
        </p>
        <input
          id={`${id}-file`}
          className="visually-hidden"
          type="file"
          accept=".jsonl,.ndjson,.json,.csv,.tsv,.tab,application/json,text/csv,text/tab-separated-values"
          onChange={(e) => choose(e.target.files?.[0] ?? null)}
          disabled={busy}
        />
        {file ? (
          <p className="drop-file" data-file={file.name}>
            {file.name} · {formatBytes(file.size)}
          </p>
        ) : (
          <p className="muted small">JSON Lines, JSON, CSV or TSV: one task per row, with a value for each field.</p>
        )}
      </div>
      <RowExample project={project} />
      <div className="import-options">
        <div className="form-field">
          <label htmlFor={`${id}-format`} className="form-label">
            Format
          </label>
          <select id={`${id}-format`} value={format} onChange={(e) => setFormat(e.target.value as ImportFormat | "auto")} disabled={busy}>
            <option value="auto">From the file name{file && formatOf(file.name) ? ` (${formatOf(file.name)})` : ""}</option>
            {FORMATS.map((f) => (
              <option key={f.value} value={f.value}>
                {f.label}
              </option>
            ))}
          </select>
        </div>
        <label className="checkbox">
          <input type="checkbox" checked={skipInvalid} onChange={(e) => setSkipInvalid(e.target.checked)} disabled={busy} />
          Skip invalid rows (import the good ones and list the bad); otherwise one bad row stops the import
        </label>
        <div className="import-buttons">
          <button type="button" className="button-primary" disabled={!file || busy} onClick={() => void start(skipInvalid)}>
            Import
          </button>
          {phase.kind === "uploading" || phase.kind === "storing" ? (
            <button type="button" onClick={() => abort.current?.abort()} disabled={phase.kind === "storing"}>
              Cancel upload
            </button>
          ) : null}
        </div>
        <p className="muted small">
          The file is uploaded, then imported in the background: you may leave this page and come back, or follow every job on the{" "}
          <Link to={`/projects/${project.id}/jobs`}>Jobs</Link> page.
        </p>
      </div>
      {source === "file" ? status : null}
    </div>
  );
}

/** The project's imports already running when the page opens: the newest is followed (if
 * nothing else started meanwhile); how many more there are. */
function useRunningImports(projectId: number, setPhase: (update: (phase: Phase) => Phase) => void): { others: number; error: string | null } {
  const [others, setOthers] = useState(0);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    api.jobs.list(projectId, { active: true, kind: "import", limit: 20 }).then(
      ({ jobs }) => {
        const newest = jobs[0];
        if (!live || !newest) return;
        setPhase((phase) => (phase.kind === "idle" ? { kind: "job", job: newest, resumed: true } : phase));
        setOthers(jobs.length - 1);
      },
      (failure: unknown) => live && !isHandled(failure) && setError(messageOf(failure)),
    );
    return () => {
      live = false;
    };
  }, [projectId, setPhase]);
  return { others, error };
}

interface StatusProps {
  phase: Phase;
  project: Project;
  onEnded: (job: Job) => void;
  onLost: (message: string) => void;
  /** Import the same file again, skipping bad rows (null: the file is not at hand). */
  onRetry: (() => void) | null;
}

function ImportStatus({ phase, project, onEnded, onLost, onRetry }: StatusProps) {
  switch (phase.kind) {
    case "idle":
      return null;
    case "uploading":
      return (
        <div className="import-progress" role="status">
          <ProgressBar value={phase.loaded} max={phase.total} label="Upload" />
          <span className="small">
            Uploading… {formatBytes(phase.loaded)} of {formatBytes(phase.total)} ({phase.total ? Math.floor((phase.loaded / phase.total) * 100) : 0}%)
          </span>
        </div>
      );
    case "storing":
      return (
        <div className="import-progress" role="status">
          <div className="progress progress-busy" aria-hidden="true">
            <div className="progress-fill" />
          </div>
          <span className="small">Uploaded. Storing the file and starting the import…</span>
        </div>
      );
    case "job":
      return <ImportJob key={phase.job.id} job={phase.job} resumed={phase.resumed} onEnded={onEnded} onLost={onLost} />;
    case "failed":
      return <Notice tone="error">{phase.message}</Notice>;
    case "ended":
      return <ImportEnd job={phase.job} project={project} onRetry={onRetry} />;
  }
}

/** Follow the import's job until it ends. */
function ImportJob({ job: initial, resumed, onEnded, onLost }: { job: Job; resumed: boolean; onEnded: (job: Job) => void; onLost: (message: string) => void }) {
  const { follow, replace } = useJob(initial);
  useEffect(() => {
    if (follow.status === "ended") onEnded(follow.job);
    else if (follow.status === "lost") onLost(`Import job ${follow.job.id} can no longer be followed: ${follow.error}`);
    // Once: when it ends (the callbacks are new on every render of the parent).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [follow.status]);
  return (
    <div className="import-job">
      {resumed ? (
        <Notice tone="info">
          An import{typeof initial.params.filename === "string" && initial.params.filename ? ` of ${initial.params.filename}` : ""} {initial.created_by ? `started by ${initial.created_by} ` : ""}at {new Date(initial.created_at).toLocaleTimeString()} is still running; here is how far it has got.
        </Notice>
      ) : null}
      <JobProgress follow={follow} onChange={replace} />
    </div>
  );
}

function ImportEnd({ job, project, onRetry }: { job: Job; project: Project; onRetry: (() => void) | null }) {
  const outcome = importOutcome(job);
  if (outcome === null) return null;
  switch (outcome.kind) {
    case "done":
      return <ImportDone report={outcome.report} project={project} lateCancel={outcome.lateCancel} />;
    case "failed":
      return <Notice tone="error">{outcome.message}</Notice>;
    case "cancelled":
      return <Notice tone="warning">{outcome.message}</Notice>;
    case "refused":
      return (
        <div className="import-report">
          <Notice
            tone="error"
            actions={
              onRetry ? (
                <button type="button" onClick={onRetry}>
                  Retry, skipping invalid rows
                </button>
              ) : undefined
            }
          >
            <strong>
              Import refused: {outcome.badLines.toLocaleString()} bad line{outcome.badLines === 1 ? "" : "s"}.
            </strong>{" "}
            {outcome.message}
            {onRetry ? null : " To import the good rows, choose the file again and tick “Skip invalid rows”."}
          </Notice>
          <RowErrors errors={outcome.errors} total={outcome.badLines} />
        </div>
      );
  }
}

function ImportDone({ report, project, lateCancel }: { report: ImportReport; project: Project; lateCancel: boolean }) {
  return (
    <section className="import-report" aria-label="Import report">
      {lateCancel ? <Notice tone="info">The cancel came after the import had passed its commit point, so it finished.</Notice> : null}
      <Notice tone={report.skipped ? "warning" : "success"}>
        Imported {report.created.toLocaleString()} task{report.created === 1 ? "" : "s"}
        {report.skipped ? `; ${report.skipped.toLocaleString()} invalid row${report.skipped === 1 ? " was" : "s were"} skipped` : ""}.{" "}
        <Link to={`/projects/${project.id}/data`}>See the data</Link> · <Link to={`/projects/${project.id}/members`}>Add people</Link>
      </Notice>
      <ImportCounts report={report} />
      {report.dataset ? <DatasetCounts dataset={report.dataset} /> : null}
      {report.media_dataset ? <MediaDatasetCounts dataset={report.media_dataset} /> : null}
      {report.errors.length ? <RowErrors errors={report.errors} total={report.skipped} /> : null}
      {report.duplicate_ids.length ? (
        <p className="small">
          <strong>Duplicate ids:</strong> {report.duplicate_ids.join(", ")}
          {report.duplicates > report.duplicate_ids.length ? ", …" : ""}
        </p>
      ) : null}
    </section>
  );
}

/** A row that fits the project's fields, as a JSON Lines example. */
function RowExample({ project }: { project: Project }) {
  const example = JSON.stringify({ id: "task-1", ...previewData(project.interface, null) });
  return (
    <details className="row-example">
      <summary>What a row looks like for this project</summary>
      <pre>{example}</pre>
      <p className="muted small">
        <code>id</code> (optional) makes re-imports skip rows already there; <code>priority</code> orders the queue when the order is “by priority”;{" "}
        <code>predictions</code> holds model pre-labels.
      </p>
    </details>
  );
}

/** How the answers an import carries (rows' `predictions`, a dataset's shapes) are kept: as
 * predictions that annotators see pre-filled, or as the submitted annotations of a named
 * source (a vendor, an earlier tool), which count like an annotator's work. */
function AnswersBy({ value, onChange, disabled }: { value: string; onChange: (name: string) => void; disabled: boolean }) {
  const id = useId();
  const [bySource, setBySource] = useState(value !== "");
  return (
    <fieldset className="import-answers-by" data-answers-by="">
      <legend className="form-label">Answers in the import (rows' predictions, a dataset's shapes)</legend>
      <label className="radio">
        <input
          type="radio"
          name={`${id}-by`}
          checked={!bySource}
          disabled={disabled}
          onChange={() => {
            setBySource(false);
            onChange("");
          }}
        />
        <span>as predictions: annotators see them as editable pre-filled answers</span>
      </label>
      <label className="radio">
        <input type="radio" name={`${id}-by`} checked={bySource} disabled={disabled} onChange={() => setBySource(true)} data-answers-by-source="" />
        <span>as submitted annotations by a named source (a vendor, an earlier tool): they count in the overlap, agreement, review and exports</span>
      </label>
      {bySource ? (
        <div className="form-field">
          <label htmlFor={`${id}-source`} className="form-label">
            Source name
          </label>
          <input id={`${id}-source`} value={value} maxLength={100} placeholder="e.g. vendor-a or legacy-2024" disabled={disabled} onChange={(e) => onChange(e.target.value)} data-source-name="" />
        </div>
      ) : null}
    </fieldset>
  );
}
