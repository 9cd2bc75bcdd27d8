import { useEffect, useState } from "react";
import { api, ApiError } from "../../api";
import { Link } from "../../app/Link";
import { Kbd } from "../../ui/Kbd";
import { Loading } from "../../ui/Loading";
import { Notice } from "../../ui/Notice";
import { useLoad } from "../../ui/useLoad";
import { setCurrentGuidelines } from "./currentGuidelines";
import { DiffView } from "./DiffView";
import "./guidelines.css";

/**
 * Shown instead of the next task when the project's guidelines changed materially since the
 * annotator last acknowledged them (409 `guidelines_unacknowledged`): the change notes, what
 * changed (sections and lines), and "I have read it" (Mod+Enter, or Enter on the button), which
 * acknowledges and gets the next task.
 */
export function GuidelinesAcknowledge({ projectId, onDone }: { projectId: number; onDone: () => void }) {
  const [state, reload] = useLoad(() => api.guidelines.changes(projectId), `guideline-changes:${projectId}`);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const version = state.status === "ready" ? state.value.version : null;

  async function acknowledge(): Promise<void> {
    if (version === null || busy) return;
    setBusy(true);
    setError(null);
    try {
      await api.guidelines.acknowledge(projectId, version);
      const read = await api.guidelines.version(projectId, version);
      setCurrentGuidelines({ projectId, text: read.text, version });
      onDone();
    } catch (failure) {
      setBusy(false);
      if (failure instanceof ApiError && failure.code === "guidelines_changed") reload(); // newer again
      setError(failure instanceof Error ? failure.message : String(failure));
    }
  }

  useEffect(() => {
    function onKeyDown(event: KeyboardEvent): void {
      if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
        event.preventDefault();
        if (!event.repeat) void acknowledge();
      }
    }
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  });

  return (
    <section className="guidelines-ack" aria-labelledby="guidelines-ack-title">
      <Loading state={state} retry={reload}>
        {(changes) => (
          <>
            <h1 id="guidelines-ack-title">The guidelines changed</h1>
            <p>
              Version {changes.version} is in force{changes.since ? ` (you last ${changes.acknowledged ? "read" : "worked under"} version ${changes.since}; the changes since are below)` : ""}. Read what changed before your next task.
            </p>
            <ul className="guidelines-ack-notes">
              {changes.changes.map((change) => (
                <li key={change.version}>
                  <strong>v{change.version}</strong> {change.note || <span className="muted">no note</span>}
                  {change.material ? <span className="badge badge-material">must read</span> : null}
                </li>
              ))}
            </ul>
            <DiffView diff={changes.diff} />
            {error ? <Notice tone="error">{error}</Notice> : null}
            <p className="guidelines-ack-actions">
              <button type="button" className="button-primary" onClick={() => void acknowledge()} disabled={busy} autoFocus>
                I have read it — continue <Kbd keys="Mod+Enter" />
              </button>
              <Link to={`/projects/${projectId}/guidelines`}>Read the whole guidelines</Link>
            </p>
          </>
        )}
      </Loading>
    </section>
  );
}
