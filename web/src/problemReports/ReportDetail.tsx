import { useEffect, useId, useState } from "react";
import { ApiError } from "../api";
import { REPORT_STATUSES, type ProblemReport, type ReportChange, type ReportStatus } from "../api/problemReports";
import { Link } from "../app/Link";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { Kbd } from "../ui/Kbd";
import { Notice } from "../ui/Notice";

export const STATUS_LABELS: Record<ReportStatus, string> = {
  new: "New",
  triaged: "Triaged",
  in_progress: "In progress",
  fixed: "Fixed",
  wont_fix: "Won't fix",
  duplicate: "Duplicate",
};

export function StatusBadge({ status }: { status: ReportStatus }) {
  return <span className={`report-status report-status-${status}`}>{STATUS_LABELS[status]}</span>;
}

interface Recorded {
  at?: string;
  message?: string;
  source?: string;
  line?: number;
  method?: string;
  path?: string;
  status?: number;
  code?: string;
}

function listOf(value: unknown): Recorded[] {
  return Array.isArray(value) ? (value.filter((item) => item && typeof item === "object") as Recorded[]) : [];
}

function text(value: unknown): string {
  if (value === null || value === undefined) return "—";
  return typeof value === "string" || typeof value === "number" ? String(value) : JSON.stringify(value);
}

/** Reports a reporter may still withdraw: not yet fixed, won't fix or duplicate. */
export const OPEN_STATUSES: readonly ReportStatus[] = ["new", "triaged", "in_progress"];

interface Removal {
  /** "delete" (admins, any report) or "withdraw" (the reporter, an open report). */
  kind: "delete" | "withdraw";
  run: () => Promise<void>;
}

/** A report: what the reporter said, the context, the screenshot; for admins, the triage;
 * a Delete (admins) or Withdraw (the reporter's open report) button, confirmed first. */
export function ReportDetail({ report, onTriage, removal }: { report: ProblemReport; onTriage?: (change: ReportChange) => Promise<void>; removal?: Removal }) {
  const context = report.context;
  const browser = (context.browser ?? {}) as { user_agent?: string; viewport?: number[]; language?: string };
  const errors = listOf(context.errors);
  const failed = listOf(context.failed_requests);
  const taskLink = onTriage && report.project_id && report.task_id ? `/projects/${report.project_id}/tasks/${report.task_id}` : null;
  return (
    <article className="report-detail" aria-label={`Report ${report.id}`}>
      <h2>
        Report #{report.id} <StatusBadge status={report.status} />
      </h2>
      <p className="report-detail-text">{report.text}</p>
      <dl>
        <dt>Reported</dt>
        <dd>
          {new Date(report.created_at).toLocaleString()}
          {report.reporter ? ` by ${report.reporter.name || report.reporter.email}` : ""}
        </dd>
        <dt>Page</dt>
        <dd>{text(context.page)}</dd>
        <dt>Project / task</dt>
        <dd>
          {text(report.project_id)} / {taskLink ? <Link to={taskLink}>{report.task_id}</Link> : text(report.task_id)}
        </dd>
        <dt>Browser</dt>
        <dd>
          {text(browser.user_agent)} · {Array.isArray(browser.viewport) ? browser.viewport.join(" × ") : "—"} · {text(browser.language)}
        </dd>
        <dt>App version</dt>
        <dd>
          {text(context.app_version)} (server {text(context.server_version)})
        </dd>
        {report.duplicate_of ? (
          <>
            <dt>Duplicate of</dt>
            <dd>#{report.duplicate_of}</dd>
          </>
        ) : null}
      </dl>
      {onTriage ? <TriageForm key={report.id} report={report} onTriage={onTriage} /> : null}
      {removal ? <RemoveReport key={`remove-${report.id}`} report={report} removal={removal} /> : null}
      <h3>Recent errors in the browser ({errors.length})</h3>
      {errors.length ? (
        <ul className="small">
          {errors.map((error, index) => (
            <li key={index}>
              <code>{error.message}</code> {error.source ? <span className="muted">{`${error.source}:${error.line ?? ""}`}</span> : null}
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted small">None.</p>
      )}
      <h3>Recent failed requests ({failed.length})</h3>
      {failed.length ? (
        <ul className="small">
          {failed.map((request, index) => (
            <li key={index}>
              <code>
                {request.method} {request.path}
              </code>{" "}
              → {request.status} {request.code}
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted small">None.</p>
      )}
      {typeof context.task_content === "string" ? (
        <>
          <h3>The task's content (the reporter allowed it)</h3>
          <pre className="small report-task-content">{context.task_content}</pre>
        </>
      ) : null}
      {report.screenshot_url ? (
        <>
          <h3>Screenshot</h3>
          <a href={report.screenshot_url} target="_blank" rel="noreferrer">
            <img src={report.screenshot_url} alt={`Screenshot of report ${report.id}`} />
          </a>
        </>
      ) : null}
      <details className="report-context">
        <summary>Everything that was sent</summary>
        <pre>{JSON.stringify(context, null, 2)}</pre>
      </details>
    </article>
  );
}

function TriageForm({ report, onTriage }: { report: ProblemReport; onTriage: (change: ReportChange) => Promise<void> }) {
  const id = useId();
  const [status, setStatus] = useState<ReportStatus>(report.status);
  const [duplicateOf, setDuplicateOf] = useState(report.duplicate_of ? String(report.duplicate_of) : "");
  const [notes, setNotes] = useState(report.notes ?? "");
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ tone: "success" | "error"; text: string } | null>(null);

  async function save(): Promise<void> {
    setBusy(true);
    setOutcome(null);
    const change: ReportChange = { notes };
    if (status === "duplicate") change.duplicate_of = duplicateOf ? Number(duplicateOf) : null;
    else change.status = status;
    try {
      await onTriage(change);
      setOutcome({ tone: "success", text: "Saved." });
    } catch (cause) {
      setOutcome({ tone: "error", text: cause instanceof ApiError ? cause.message : String(cause) });
    } finally {
      setBusy(false);
    }
  }

  useEffect(() => {
    function onKeyDown(event: KeyboardEvent): void {
      if ((event.ctrlKey || event.metaKey) && event.key === "Enter" && !busy) {
        event.preventDefault();
        void save();
      }
    }
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  });

  return (
    <form
      className="report-triage"
      aria-label="Triage"
      onSubmit={(event) => {
        event.preventDefault();
        void save();
      }}
    >
      <h3>Triage</h3>
      <label htmlFor={`${id}-status`} className="form-label">
        Status
      </label>
      <select id={`${id}-status`} value={status} onChange={(event) => setStatus(event.target.value as ReportStatus)}>
        {REPORT_STATUSES.map((value) => (
          <option key={value} value={value}>
            {STATUS_LABELS[value]}
          </option>
        ))}
      </select>
      {status === "duplicate" ? (
        <>
          <label htmlFor={`${id}-dup`} className="form-label">
            Duplicate of report #
          </label>
          <input id={`${id}-dup`} inputMode="numeric" value={duplicateOf} onChange={(event) => setDuplicateOf(event.target.value.replace(/\D/g, ""))} />
        </>
      ) : null}
      <label htmlFor={`${id}-notes`} className="form-label">
        Notes (admins only)
      </label>
      <textarea id={`${id}-notes`} rows={3} value={notes} onChange={(event) => setNotes(event.target.value)} />
      {outcome ? <Notice tone={outcome.tone}>{outcome.text}</Notice> : null}
      <div>
        <button type="submit" className="button-primary" disabled={busy}>
          {busy ? "Saving…" : "Save"} <Kbd keys="Mod+Enter" />
        </button>
      </div>
    </form>
  );
}

function RemoveReport({ report, removal }: { report: ProblemReport; removal: Removal }) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const withdraw = removal.kind === "withdraw";
  const label = withdraw ? "Withdraw this report" : "Delete this report";

  async function go(): Promise<void> {
    setBusy(true);
    setError(null);
    try {
      await removal.run();
    } catch (cause) {
      setError(cause instanceof ApiError ? cause.message : String(cause));
      setBusy(false);
      setAsking(false);
    }
  }

  return (
    <div className="report-remove">
      {error ? <Notice tone="error">{error}</Notice> : null}
      <button type="button" className="button-danger" onClick={() => setAsking(true)} disabled={busy}>
        {label}
      </button>
      {asking ? (
        <ConfirmDialog
          title={withdraw ? `Withdraw report #${report.id}?` : `Delete report #${report.id}?`}
          confirmLabel={withdraw ? "Withdraw it" : "Delete it"}
          tone="danger"
          busy={busy}
          onConfirm={() => void go()}
          onCancel={() => setAsking(false)}
        >
          <p>
            {withdraw
              ? "The admins will no longer see it; its screenshot is deleted too. This cannot be undone."
              : `The report${report.screenshot_url ? " and its screenshot are" : " is"} deleted for good; reports marked as its duplicates take its status. The audit log keeps a record that it was deleted.`}
          </p>
        </ConfirmDialog>
      ) : null}
    </div>
  );
}
