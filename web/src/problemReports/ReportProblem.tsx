import { useEffect, useId, useRef, useState } from "react";
import { createPortal } from "react-dom";
import { ApiError } from "../api";
import { problemReports, type ProblemReport, type ReportLimits } from "../api/problemReports";
import { Link } from "../app/Link";
import { useSession } from "../app/session";
import { Kbd } from "../ui/Kbd";
import { Notice } from "../ui/Notice";
import { gatherContext, TASK_CONTENT_SELECTOR, whereNow, type ProblemContext } from "./capture";
import { captureScreenshot, DIALOG_ATTRIBUTE } from "./screenshot";
import "./problemReports.css";

/** The key that opens the dialog on every page (Ctrl or ⌘). */
export const REPORT_KEYS = "Mod+Shift+E";
const FALLBACK_LIMITS: ReportLimits = { app_version: "", max_text: 10_000, max_context_bytes: 65_536, max_screenshot_bytes: 1_048_576 };

export function isReportKey(event: Pick<KeyboardEvent, "ctrlKey" | "metaKey" | "shiftKey" | "altKey" | "code">): boolean {
  return (event.ctrlKey || event.metaKey) && event.shiftKey && !event.altKey && event.code === "KeyE";
}

/** "Report a problem": the top bar's button and the global key, opening the dialog. */
export function ReportProblemButton() {
  const [open, setOpen] = useState(false);
  useEffect(() => {
    function onKeyDown(event: KeyboardEvent): void {
      if (!isReportKey(event)) return;
      event.preventDefault();
      event.stopPropagation();
      setOpen(true);
    }
    window.addEventListener("keydown", onKeyDown, true);
    return () => window.removeEventListener("keydown", onKeyDown, true);
  }, []);
  return (
    <>
      <button type="button" className="button-quiet report-problem-button" title={`Report a problem (${REPORT_KEYS.replace("Mod", "Ctrl")})`} aria-keyshortcuts="Control+Shift+E" onClick={() => setOpen(true)}>
        Report a problem
      </button>
      {/* In the body, not the top bar: the bar's colours must not reach the dialog. */}
      {open ? createPortal(<ReportDialog onClose={() => setOpen(false)} />, document.body) : null}
    </>
  );
}

type Sent = { report: ProblemReport } | null;

function ReportDialog({ onClose }: { onClose: () => void }) {
  const id = useId();
  const ref = useRef<HTMLDialogElement>(null);
  const session = useSession();
  const isAdmin = session.status === "signed-in" && session.user.is_admin;
  const [text, setText] = useState("");
  const [includeTask, setIncludeTask] = useState(false);
  const [limits, setLimits] = useState<ReportLimits>(FALLBACK_LIMITS);
  const [screenshot, setScreenshot] = useState<string | null>(null);
  const [capturing, setCapturing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [sent, setSent] = useState<Sent>(null);
  const hasTask = useRef(document.querySelector(TASK_CONTENT_SELECTOR) !== null).current;
  const context: ProblemContext = gatherContext(whereNow(), { includeTaskContent: includeTask, appVersion: limits.app_version || null });

  useEffect(() => {
    const dialog = ref.current;
    const before = document.activeElement as HTMLElement | null;
    dialog?.showModal();
    dialog?.querySelector<HTMLElement>("[data-autofocus]")?.focus();
    problemReports.limits().then(setLimits, () => undefined);
    return () => {
      dialog?.close();
      before?.focus({ preventScroll: true });
    };
  }, []);

  async function takeScreenshot(withTask: boolean): Promise<void> {
    setCapturing(true);
    setError(null);
    try {
      setScreenshot(await captureScreenshot({ includeTaskContent: withTask, maxBytes: limits.max_screenshot_bytes }));
    } catch (cause) {
      setError(`Could not make a screenshot: ${cause instanceof Error ? cause.message : String(cause)}`);
    } finally {
      setCapturing(false);
    }
  }

  function toggleTask(checked: boolean): void {
    setIncludeTask(checked);
    if (screenshot) void takeScreenshot(checked); // the screenshot shows what is allowed
  }

  async function send(): Promise<void> {
    if (busy || sent) return;
    if (!text.trim()) {
      setError("Say what happened first.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      setSent({ report: await problemReports.create({ text, context, screenshot }) });
    } catch (cause) {
      setError(cause instanceof ApiError ? cause.message : String(cause));
    } finally {
      setBusy(false);
    }
  }

  function onKeyDown(event: React.KeyboardEvent): void {
    // The screen's own keys (annotate: s, g, Mod+Enter…) must not fire behind the dialog.
    event.stopPropagation();
    if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
      event.preventDefault();
      void send();
    } else if (event.altKey && !event.ctrlKey && event.code === "KeyS" && !capturing) {
      event.preventDefault();
      if (screenshot) setScreenshot(null);
      else void takeScreenshot(includeTask);
    }
  }

  return (
    <dialog
      ref={ref}
      className="modal report-dialog"
      aria-labelledby={`${id}-title`}
      {...{ [DIALOG_ATTRIBUTE]: "" }}
      onKeyDown={onKeyDown}
      onCancel={(event) => {
        event.preventDefault();
        if (!busy) onClose();
      }}
    >
      <div className="modal-head">
        <h2 id={`${id}-title`}>Report a problem</h2>
        <button type="button" className="button-quiet" onClick={onClose} aria-label="Close">
          ✕
        </button>
      </div>
      {sent ? (
        <div className="report-sent">
          <Notice tone="success">
            Report #{sent.report.id} sent, thank you. Its status is in <Link to="/problem-reports">My reports</Link>.
          </Notice>
          <div className="modal-actions">
            {isAdmin ? <Link to="/admin/problem-reports" className="button">All reports</Link> : null}
            <button type="button" className="button-primary" data-autofocus onClick={onClose}>
              Close
            </button>
          </div>
        </div>
      ) : (
        <>
          <p className="muted small report-links">
            Follow what you reported in <Link to="/problem-reports">My reports</Link>
            {isAdmin ? (
              <>
                {" "}
                · triage everyone's in <Link to="/admin/problem-reports">All reports</Link>
              </>
            ) : null}
            .
          </p>
          <label className="form-label" htmlFor={`${id}-text`}>
            What happened? What did you expect?
          </label>
          <textarea
            id={`${id}-text`}
            data-autofocus
            className="report-text"
            rows={4}
            maxLength={limits.max_text}
            value={text}
            onChange={(event) => setText(event.target.value)}
            placeholder="e.g. I pressed Submit and the page froze; the answer was kept."
          />
          <p className="muted small report-count">
            {text.length.toLocaleString()} / {limits.max_text.toLocaleString()} characters
          </p>
          <label className="report-check">
            <input type="checkbox" checked={includeTask} disabled={!hasTask} onChange={(event) => toggleTask(event.target.checked)} />
            Include the task's content (its fields and your answers) {hasTask ? "" : "— there is no task on this page"}
          </label>
          <div className="report-shot">
            {screenshot ? (
              <figure>
                <img src={screenshot} alt="Screenshot to be sent with the report" className="report-shot-preview" />
                <figcaption className="muted small">
                  {includeTask ? "The page as you see it." : "The task's content is left out."}{" "}
                  <button type="button" className="button-quiet" onClick={() => setScreenshot(null)}>
                    Remove screenshot <Kbd keys="Alt+S" />
                  </button>
                </figcaption>
              </figure>
            ) : (
              <button type="button" onClick={() => void takeScreenshot(includeTask)} disabled={capturing}>
                {capturing ? "Making a screenshot…" : "Add a screenshot"} <Kbd keys="Alt+S" />
              </button>
            )}
          </div>
          <details className="report-context">
            <summary>What is sent with it (gathered automatically)</summary>
            <pre data-testid="report-context">{JSON.stringify(context, null, 2)}</pre>
          </details>
          {error ? <Notice tone="error">{error}</Notice> : null}
          <p className="muted small report-keys">
            Open anywhere: <Kbd keys={REPORT_KEYS} /> · Screenshot: <Kbd keys="Alt+S" /> · Send: <Kbd keys="Mod+Enter" /> · Close: <Kbd keys="Esc" />
          </p>
          <div className="modal-actions">
            <button type="button" onClick={onClose} disabled={busy}>
              Cancel
            </button>
            <button type="button" className="button-primary" onClick={() => void send()} disabled={busy || capturing}>
              {busy ? "Sending…" : "Send report"}
            </button>
          </div>
        </>
      )}
    </dialog>
  );
}
