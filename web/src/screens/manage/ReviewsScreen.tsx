import { useState } from "react";
import { api, type ChecklistFailures, type Project, type ReviewCounts } from "../../api";
import { Link } from "../../app/Link";
import { Loading } from "../../ui/Loading";
import { useLoad } from "../../ui/useLoad";
import { ManageLayout } from "./ManageLayout";
import { policyWords } from "./reviewPolicy";
import "../review/review.css";

type By = "annotator" | "day" | "week";
const REASONS = ["first", "all", "low_confidence", "disagrees", "low_gold", "fast", "share", "resubmitted"];

/** `/projects/:id/reviews`: what went to review and why, the decisions per annotator, and which
 * checklist items fail (managers and reviewers). */
export function ReviewsScreen({ projectId }: { projectId: number }) {
  return (
    <ManageLayout projectId={projectId} need="review">
      {(project) => (
        <div className="manage-page">
          <div className="page-head">
            <h1>Review</h1>
            <Link className="button button-primary" to={`/projects/${project.id}/review`}>
              Review next
            </Link>
          </div>
          <Policy project={project} />
          <Summary projectId={project.id} />
          <Checklist project={project} />
        </div>
      )}
    </ManageLayout>
  );
}

function Policy({ project }: { project: Project }) {
  return (
    <p className="muted review-policy">
      Policy: {policyWords(project)}{" "}
      {project.role === "manager" || project.role === "admin" ? <Link to={`/projects/${project.id}/settings`}>Change it in Settings</Link> : null}
    </p>
  );
}

function Summary({ projectId }: { projectId: number }) {
  const [state, reload] = useLoad(() => api.reviews.summary(projectId), `review-summary:${projectId}`);
  return (
    <section aria-labelledby="per-annotator">
      <h2 id="per-annotator">Per annotator</h2>
      <Loading state={state} retry={reload}>
        {(rows) =>
          rows.length === 0 ? (
            <p className="empty">Nobody has submitted anything yet.</p>
          ) : (
            <table className="table review-summary">
              <thead>
                <tr>
                  <th scope="col">Annotator</th>
                  <th scope="col">Submitted</th>
                  <th scope="col">Sent to review (why)</th>
                  <th scope="col">Waiting</th>
                  <th scope="col">Accepted</th>
                  <th scope="col">Fixed</th>
                  <th scope="col">Rejected</th>
                  <th scope="col">Rejected or fixed</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <SummaryRow key={row.annotator ?? row.annotator_name} row={row} />
                ))}
              </tbody>
            </table>
          )
        }
      </Loading>
    </section>
  );
}

function SummaryRow({ row }: { row: ReviewCounts }) {
  // Share of the submissions sent to review (resubmissions after a rejection are listed, not counted).
  const sent = Object.entries(row.sent_to_review).reduce((sum, [why, n]) => (why === "resubmitted" ? sum : sum + n), 0);
  const accept = row.decisions.accept ?? 0;
  const fix = row.decisions.fix ?? 0;
  const reject = row.decisions.reject ?? 0;
  const decided = accept + fix + reject;
  const why = REASONS.filter((r) => row.sent_to_review[r]).map((r) => `${row.sent_to_review[r]} ${r}`);
  return (
    <tr>
      <td>
        {row.annotator_name || row.annotator || "(no name)"}
        {row.annotator && row.annotator_name ? <div className="muted small">{row.annotator}</div> : null}
      </td>
      <td>{row.submitted}</td>
      <td>
        {sent}
        {row.submitted ? ` (${Math.round((100 * sent) / row.submitted)}%)` : ""}
        {why.length ? <div className="muted small">{why.join(" · ")}</div> : null}
      </td>
      <td>{row.open}</td>
      <td>{accept}</td>
      <td>{fix}</td>
      <td>{reject}</td>
      <td>{decided ? `${Math.round((100 * (fix + reject)) / decided)}%` : "–"}</td>
    </tr>
  );
}

function Checklist({ project }: { project: Project }) {
  const [by, setBy] = useState<By>("annotator");
  const [state, reload] = useLoad(() => api.reviews.checklist(project.id, by), `checklist:${project.id}:${by}`);
  return (
    <section aria-labelledby="checklist-failures">
      <h2 id="checklist-failures">Checklist failures</h2>
      {project.checklist.length === 0 ? (
        <p className="muted">This project has no review checklist; a manager adds one in Settings → Review.</p>
      ) : (
        <>
          <label className="inline-field">
            Per{" "}
            <select value={by} onChange={(e) => setBy(e.target.value as By)} aria-label="Count failures per">
              <option value="annotator">annotator</option>
              <option value="week">week</option>
              <option value="day">day</option>
            </select>
          </label>
          <Loading state={state} retry={reload}>
            {(rows) => (rows.length === 0 ? <p className="empty">No checklist item has failed yet.</p> : <FailureTable rows={rows} by={by} />)}
          </Loading>
        </>
      )}
    </section>
  );
}

function FailureTable({ rows, by }: { rows: ChecklistFailures[]; by: By }) {
  return (
    <table className="table checklist-failures">
      <thead>
        <tr>
          <th scope="col">Item</th>
          <th scope="col">Severity</th>
          <th scope="col">{by === "annotator" ? "Annotator" : by === "week" ? "Week of" : "Day"}</th>
          <th scope="col">Failures</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={`${row.item}:${row.annotator ?? row.annotator_name ?? row.period}`}>
            <td>{row.text}</td>
            <td className={`severity-${row.severity}`}>
              <span className="checklist-severity">{row.severity}</span>
            </td>
            <td>{by === "annotator" ? row.annotator_name || row.annotator || "(no name)" : row.period}</td>
            <td>{row.failures}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
