import { useEffect, useId, useState, type FormEvent } from "react";
import { ApiError } from "../api/http";
import { sensitiveApi, type Handling, type SensitiveMetrics, type TaskView } from "../api/sensitive";
import { Notice } from "../ui/Notice";
import { MemberLimit } from "./MemberLimit";
import "./shield.css";

type NumberKey = "sensitive_daily_limit" | "sensitive_break_after" | "sensitive_break_minutes" | "access_log_days" | "retention_days";
type FlagKey = "export_admins_only" | "watermark" | "block_copy" | "access_log";

const NUMBERS: { key: NumberKey; label: string; hint: string; max: number }[] = [
  { key: "sensitive_daily_limit", label: "Sensitive tasks per annotator per day", hint: "0: no limit (UTC days)", max: 100000 },
  { key: "sensitive_break_after", label: "Ask for a break after", hint: "sensitive tasks in a row (0: never)", max: 100000 },
  { key: "sensitive_break_minutes", label: "…or after", hint: "minutes of sensitive tasks (0: never)", max: 1440 },
  { key: "access_log_days", label: "Keep task views for", hint: "days (0: keep them)", max: 36500 },
  { key: "retention_days", label: "Delete task data after export", hint: "days after an export carried it (0: keep)", max: 36500 },
];

const FLAGS: { key: FlagKey; label: string; protects: string }[] = [
  { key: "export_admins_only", label: "Only admins may export", protects: "managers get a refusal; admins still export" },
  { key: "watermark", label: "Watermark the viewer's identity", protects: "name, email and time over the task's fields" },
  { key: "block_copy", label: "Block copying from tasks", protects: "copy, cut, context menu and selection in the task's fields (not in answer boxes)" },
  { key: "access_log", label: "Record who views which task", protects: "each view in the audit log (recent views below)" },
];

/** The Data handling section of a project's settings (managers): sensitive work, exports,
 * watermark, copy, access log, retention (docs/confidentiality.md), who opted in, and each
 * member's own daily limit of sensitive tasks (`MemberLimit`). */
export function DataHandlingSection({ projectId }: { projectId: number }) {
  const [saved, setSaved] = useState<Handling | null>(null);
  const [draft, setDraft] = useState<Handling | null>(null);
  const [metrics, setMetrics] = useState<SensitiveMetrics | null>(null);
  const [views, setViews] = useState<TaskView[]>([]);
  const [outcome, setOutcome] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const [limitOutcome, setLimitOutcome] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const id = useId();

  useEffect(() => {
    void sensitiveApi.handling(projectId).then((found) => {
      setSaved(found);
      setDraft(found);
    });
    void sensitiveApi.metrics(projectId, 7).then(setMetrics);
    void sensitiveApi.accessLog(projectId).then((page) => setViews(page.items));
  }, [projectId]);

  if (!draft || !saved) return null;
  const changes = Object.fromEntries(Object.entries(draft).filter(([key, value]) => saved[key as keyof Handling] !== value)) as Partial<Handling>;

  async function save(event: FormEvent): Promise<void> {
    event.preventDefault();
    if (Object.keys(changes).length === 0) {
      setOutcome({ tone: "success", text: "Nothing changed." });
      return;
    }
    try {
      const stored = await sensitiveApi.setHandling(projectId, changes);
      setSaved(stored);
      setDraft(stored);
      setOutcome({ tone: "success", text: `Data handling saved at ${new Date().toLocaleTimeString()}.` });
    } catch (error) {
      setOutcome({ tone: "error", text: error instanceof ApiError ? error.message : "Could not save; try again." });
    }
  }

  const today = new Date().toISOString().slice(0, 10);
  return (
    <section className="form-section data-handling" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Data handling</h2>
      <p className="muted small">
        Sensitive tasks (marked at import with <code>&quot;sensitive&quot;: true</code>, or from the task with Shift+H) are served only to annotators who opted in, shown
        blurred until revealed. None of these settings stops a photo or screenshot of the screen: see docs/confidentiality.md for what each one protects.
      </p>
      <form onSubmit={(event) => void save(event)}>
        <div className="form-grid">
          {NUMBERS.map((field) => (
            <div className="form-field" key={field.key}>
              <label htmlFor={`${id}-${field.key}`} className="form-label">
                {field.label}
                <span className="muted small form-hint"> {field.hint}</span>
              </label>
              <input
                id={`${id}-${field.key}`}
                type="number"
                min={0}
                max={field.max}
                step={1}
                value={draft[field.key]}
                onChange={(event) => setDraft({ ...draft, [field.key]: Math.max(0, Math.trunc(Number(event.target.value) || 0)) })}
              />
            </div>
          ))}
        </div>
        <div className="form-grid">
          {FLAGS.map((flag) => (
            <label key={flag.key} className="form-field data-handling-flag">
              <span>
                <input type="checkbox" checked={draft[flag.key]} onChange={(event) => setDraft({ ...draft, [flag.key]: event.target.checked })} /> <strong>{flag.label}</strong>
              </span>
              <span className="muted small">{flag.protects}</span>
            </label>
          ))}
        </div>
        <button type="submit">Save data handling</button>
      </form>
      {outcome ? <Notice tone={outcome.tone}>{outcome.text}</Notice> : null}
      {metrics ? (
        <table className="data-handling-members">
          <caption className="muted small">Annotators and sensitive work (served today, UTC; the last 7 days)</caption>
          <thead>
            <tr>
              <th scope="col">Annotator</th>
              <th scope="col">Opted in</th>
              <th scope="col">Own daily limit (0: none)</th>
              <th scope="col">Today</th>
              <th scope="col">7 days</th>
            </tr>
          </thead>
          <tbody>
            {metrics.members.map((member) => {
              const days = metrics.days.filter((d) => d.user_id === member.user_id);
              return (
                <tr key={member.user_id}>
                  <td>{member.email ?? member.name}</td>
                  <td>{member.opted_in ? "yes" : "no"}</td>
                  <td>
                    <MemberLimit
                      projectId={projectId}
                      member={member}
                      projectLimit={saved.sensitive_daily_limit}
                      onSaved={(limit) => setMetrics((now) => now && { ...now, members: now.members.map((m) => (m.user_id === member.user_id ? { ...m, limit } : m)) })}
                      onOutcome={setLimitOutcome}
                    />
                  </td>
                  <td>{days.find((d) => d.day === today)?.served ?? 0}</td>
                  <td>{days.reduce((sum, d) => sum + d.served, 0)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
      <div aria-live="polite" data-member-limit-outcome>
        {limitOutcome ? <Notice tone={limitOutcome.tone}>{limitOutcome.text}</Notice> : null}
      </div>
      {views.length ? (
        <table className="data-handling-members data-handling-views">
          <caption className="muted small">Recent task views (the access log; all of it: GET /api/v1/projects/{projectId}/access-log)</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Task</th>
              <th scope="col">Where</th>
            </tr>
          </thead>
          <tbody>
            {views.map((view) => (
              <tr key={view.id}>
                <td>{new Date(view.at).toLocaleString()}</td>
                <td>{view.email ?? "(deleted account)"}</td>
                <td>#{view.task_id}</td>
                <td>{view.where}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
