import { useId, useRef, useState, type DragEvent } from "react";
import { api, ApiError, type ImportFormat, type ImportReport, type Project, type RowError } from "../../api";
import { Link } from "../../app/Link";
import { Notice } from "../../ui/Notice";
import { ProgressBar } from "../../ui/ProgressBar";
import { isHandled, messageOf } from "./errors";
import { previewData } from "./interfaceText";
import { ManageLayout } from "./ManageLayout";

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

/** `/projects/:id/import`: send a file of tasks, watch it upload, read what happened. */
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
        </div>
      )}
    </ManageLayout>
  );
}

type Phase =
  | { kind: "idle" }
  | { kind: "uploading"; loaded: number; total: number }
  | { kind: "processing" }
  | { kind: "done"; report: ImportReport; skipInvalid: boolean }
  | { kind: "refused"; message: string; errors: RowError[]; badLines: number }
  | { kind: "failed"; message: string };

function Importer({ project, onImported }: { project: Project; onImported: () => void }) {
  const id = useId();
  const [file, setFile] = useState<File | null>(null);
  const [format, setFormat] = useState<ImportFormat | "auto">("auto");
  const [skipInvalid, setSkipInvalid] = useState(false);
  const [phase, setPhase] = useState<Phase>({ kind: "idle" });
  const [dragging, setDragging] = useState(false);
  const abort = useRef<AbortController | null>(null);
  const busy = phase.kind === "uploading" || phase.kind === "processing";

  function choose(chosen: File | null): void {
    setFile(chosen);
    setPhase({ kind: "idle" });
  }

  async function start(skip: boolean): Promise<void> {
    if (!file || busy) return;
    const controller = new AbortController();
    abort.current = controller;
    setSkipInvalid(skip);
    setPhase({ kind: "uploading", loaded: 0, total: file.size });
    try {
      const report = await api.imports.upload(project.id, file, {
        format: format === "auto" ? formatOf(file.name) : format,
        filename: file.name,
        skipInvalid: skip,
        signal: controller.signal,
        onProgress: (p) => setPhase(p.sent ? { kind: "processing" } : { kind: "uploading", loaded: p.loaded, total: p.total }),
      });
      setPhase({ kind: "done", report, skipInvalid: skip });
      onImported();
    } catch (error) {
      if (error instanceof DOMException && error.name === "AbortError") setPhase({ kind: "failed", message: "Upload cancelled: nothing was imported." });
      else if (error instanceof ApiError && error.code === "invalid_rows") setPhase(refusal(error));
      else if (!isHandled(error)) setPhase({ kind: "failed", message: messageOf(error) });
    } finally {
      abort.current = null;
    }
  }

  function onDrop(event: DragEvent): void {
    event.preventDefault();
    setDragging(false);
    const dropped = event.dataTransfer.files[0];
    if (dropped && !busy) choose(dropped);
  }

  return (
    <div className="importer">
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
          {busy ? (
            <button type="button" onClick={() => abort.current?.abort()} disabled={phase.kind === "processing"}>
              Cancel
            </button>
          ) : null}
        </div>
      </div>
      <ImportStatus phase={phase} project={project} onRetry={() => void start(true)} />
    </div>
  );
}

function refusal(error: ApiError): Phase {
  const details = (error.details ?? {}) as { errors?: unknown; bad_lines?: unknown };
  const errors = Array.isArray(details.errors) ? (details.errors as RowError[]) : [];
  const badLines = typeof details.bad_lines === "number" ? details.bad_lines : errors.length;
  return { kind: "refused", message: error.message, errors, badLines };
}

function ImportStatus({ phase, project, onRetry }: { phase: Phase; project: Project; onRetry: () => void }) {
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
    case "processing":
      return (
        <div className="import-progress" role="status">
          <div className="progress progress-busy" aria-hidden="true">
            <div className="progress-fill" />
          </div>
          <span className="small">Uploaded. Checking and importing the rows…</span>
        </div>
      );
    case "failed":
      return <Notice tone="error">{phase.message}</Notice>;
    case "refused":
      return (
        <div className="import-report">
          <Notice
            tone="error"
            actions={
              <button type="button" onClick={onRetry}>
                Retry, skipping invalid rows
              </button>
            }
          >
            <strong>
              Import refused: {phase.badLines.toLocaleString()} bad line{phase.badLines === 1 ? "" : "s"}.
            </strong>{" "}
            {phase.message}
          </Notice>
          <RowErrors errors={phase.errors} total={phase.badLines} />
        </div>
      );
    case "done":
      return <ImportDone report={phase.report} project={project} />;
  }
}

function ImportDone({ report, project }: { report: ImportReport; project: Project }) {
  const counts: [string, number][] = [
    ["Tasks created", report.created],
    ["Duplicates (ids already there, not imported)", report.duplicates],
    ["Invalid rows skipped", report.skipped],
    ["Predictions", report.predictions],
  ];
  return (
    <section className="import-report" aria-label="Import report">
      <Notice tone={report.skipped ? "warning" : "success"}>
        Imported {report.created.toLocaleString()} task{report.created === 1 ? "" : "s"}
        {report.skipped ? `; ${report.skipped.toLocaleString()} invalid row${report.skipped === 1 ? " was" : "s were"} skipped` : ""}.{" "}
        <Link to={`/projects/${project.id}/data`}>See the data</Link> · <Link to={`/projects/${project.id}/members`}>Add people</Link>
      </Notice>
      <dl className="report-counts">
        {counts.map(([label, value]) => (
          <div key={label} className="report-count">
            <dt>{label}</dt>
            <dd>{value.toLocaleString()}</dd>
          </div>
        ))}
      </dl>
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

function RowErrors({ errors, total }: { errors: RowError[]; total: number }) {
  if (errors.length === 0) return null;
  return (
    <table className="table row-errors">
      <caption>
        Rejected lines{total > errors.length ? ` (the first ${errors.length} of ${total.toLocaleString()})` : ""}
      </caption>
      <thead>
        <tr>
          <th scope="col">Line</th>
          <th scope="col">Field</th>
          <th scope="col">Problem</th>
        </tr>
      </thead>
      <tbody>
        {errors.map((e, i) => (
          <tr key={i}>
            <td className="num">{e.line}</td>
            <td>{e.field ? <code>{e.field}</code> : <span className="muted">—</span>}</td>
            <td>{e.message}</td>
          </tr>
        ))}
      </tbody>
    </table>
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

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
