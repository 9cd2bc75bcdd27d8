import { useState } from "react";
import { api, ApiError, type AnnotatorGold, type KnownPurpose, type Project } from "../../api";
import { Link } from "../../app/Link";
import { Loading } from "../../ui/Loading";
import { Notice } from "../../ui/Notice";
import { useLoad } from "../../ui/useLoad";
import { summary } from "../answerSummary";
import { ManageLayout } from "./ManageLayout";
import { goldPolicyWords } from "./goldPolicy";

/** `/projects/:id/gold`: gold, qualification and training tasks, each member's gold score with
 * its interval, pauses and qualification results (managers). */
export function GoldScreen({ projectId }: { projectId: number }) {
  return (
    <ManageLayout projectId={projectId}>
      {(project) => (
        <div className="manage-page gold-page">
          <div className="page-head">
            <h1>Gold, qualification and training</h1>
            <Link className="button" to={`/projects/${project.id}/import`}>
              Import known answers
            </Link>
          </div>
          <p className="muted">
            {goldPolicyWords(project)} <Link to={`/projects/${project.id}/settings`}>Change it in Settings</Link>
          </p>
          <Annotators project={project} />
          <KnownAnswers project={project} />
          <HowToImport />
        </div>
      )}
    </ManageLayout>
  );
}

const percent = (value: number | null): string => (value === null ? "—" : `${Math.round(value * 100)}%`);

function Annotators({ project }: { project: Project }) {
  const [state, reload] = useLoad(() => api.gold.annotators(project.id), `gold-annotators:${project.id}`);
  const [error, setError] = useState<string | null>(null);
  async function act(row: AnnotatorGold): Promise<void> {
    setError(null);
    try {
      if (row.paused_at) await api.gold.resume(project.id, row.user_id);
      else await api.gold.pause(project.id, row.user_id, "");
      reload();
    } catch (failure) {
      setError(failure instanceof ApiError ? failure.message : String(failure));
    }
  }
  return (
    <section aria-labelledby="gold-annotators">
      <h2 id="gold-annotators">Members</h2>
      {error ? <Notice tone="error">{error}</Notice> : null}
      <Loading state={state} retry={reload}>
        {(summaryOf) => (
          <>
            <table className="table gold-annotators">
              <thead>
                <tr>
                  <th scope="col">Member</th>
                  <th scope="col">Role</th>
                  <th scope="col">Gold tasks</th>
                  <th scope="col">Gold score (95% interval)</th>
                  <th scope="col">Qualification</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {summaryOf.annotators.map((row) => (
                  <tr key={row.user_id} data-user={row.email}>
                    <th scope="row">{row.name || row.email}</th>
                    <td>{row.role}</td>
                    <td>{row.gold_tasks}</td>
                    <td>
                      {row.gold_tasks ? (
                        <>
                          <strong>{percent(row.score)}</strong> <span className="muted">({percent(row.low)}–{percent(row.high)})</span>
                        </>
                      ) : (
                        <span className="muted">none yet</span>
                      )}
                    </td>
                    <td>
                      {row.qualification
                        ? `${row.qualification.replace("_", " ")}${row.qualification_score === null ? "" : ` (${percent(row.qualification_score)}, attempt ${row.qualification_attempt})`}`
                        : "—"}
                    </td>
                    <td>
                      {row.paused_at ? <span className="gold-paused" title={row.pause_reason}>Paused: {row.pause_reason}</span> : "Working"}{" "}
                      {row.role === "annotator" ? (
                        <button type="button" className="button-quiet" onClick={() => void act(row)}>
                          {row.paused_at ? "Resume" : "Pause"}
                        </button>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <p className="muted small">Computed {new Date(summaryOf.computed_at).toLocaleString()} from every scored gold task.</p>
          </>
        )}
      </Loading>
    </section>
  );
}

const PURPOSES: { value: KnownPurpose | null; label: string }[] = [
  { value: null, label: "All" },
  { value: "gold", label: "Gold" },
  { value: "qualification", label: "Qualification" },
  { value: "training", label: "Training" },
];

function KnownAnswers({ project }: { project: Project }) {
  const [purpose, setPurpose] = useState<KnownPurpose | null>(null);
  const [state, reload] = useLoad(() => api.gold.list(project.id, purpose, null, 200), `gold-list:${project.id}:${purpose ?? "all"}`);
  return (
    <section aria-labelledby="gold-known">
      <h2 id="gold-known">Tasks with a known answer</h2>
      <div className="gold-purposes" role="radiogroup" aria-label="Which tasks">
        {PURPOSES.map((option) => (
          <label key={option.label}>
            <input type="radio" name="gold-purpose" checked={purpose === option.value} onChange={() => setPurpose(option.value)} /> {option.label}
          </label>
        ))}
      </div>
      <Loading state={state} retry={reload}>
        {(page) =>
          page.items.length === 0 ? (
            <p className="empty">None yet. Import rows with a “gold” answer (see below).</p>
          ) : (
            <table className="table gold-known">
              <thead>
                <tr>
                  <th scope="col">Task</th>
                  <th scope="col">Purpose</th>
                  <th scope="col">Known answer</th>
                  <th scope="col">Explanation</th>
                  <th scope="col">Answered</th>
                  <th scope="col">Mean score</th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((known) => (
                  <tr key={known.task.id}>
                    <th scope="row">
                      <Link to={`/projects/${project.id}/tasks/${known.task.id}`}>{known.task.external_id ?? `#${known.task.id}`}</Link>
                    </th>
                    <td>{known.purpose}</td>
                    <td>{summary(known.answer)}</td>
                    <td className="gold-explanation">{known.explanation || <span className="muted">—</span>}</td>
                    <td>{known.answers}</td>
                    <td>{percent(known.mean_score)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Loading>
    </section>
  );
}

function HowToImport() {
  return (
    <section aria-labelledby="gold-how">
      <h2 id="gold-how">How to add known answers</h2>
      <p>
        Import rows like any task, with the known answer in <code>gold</code> (shaped like an answer: only the questions it fills are scored),
        optionally <code>gold_purpose</code> (<code>gold</code>, the default: hidden among real tasks; <code>qualification</code>: the test before
        real work; <code>training</code>: practice with the answer shown) and <code>gold_explanation</code> (shown with the answer):
      </p>
      <pre className="code-sample">{`{"id": "g1", "text": "Great service!", "gold": {"sentiment": {"choice": "positive"}}, "gold_explanation": "Praise: §2.1"}
{"id": "q1", "text": "Meh.", "gold": {"sentiment": {"choice": "neutral"}}, "gold_purpose": "qualification"}`}</pre>
      <p className="muted small">
        Give gold tasks ids that do not give them away: annotators see a task’s id. Changing a known answer later never rescores answers already
        given.
      </p>
    </section>
  );
}
