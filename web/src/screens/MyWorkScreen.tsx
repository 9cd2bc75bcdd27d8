import { api, type Annotation } from "../api";
import { summary } from "./answerSummary";
import { savedNotice } from "./annotate/checkWarnings";
import { Layout } from "../app/Layout";
import { Link } from "../app/Link";
import { Loading } from "../ui/Loading";
import { Notice } from "../ui/Notice";
import { useLoad } from "../ui/useLoad";
import { usePages } from "../ui/usePages";
import { PracticeStanding } from "./PracticeStanding";
import { MyFigures } from "./dashboard/MyFigures";
import { FailedItems } from "./review/ReviewFeedback";
import "./review/review.css";

const PAGE = 50;

/** `/projects/:id/mine`: what I submitted, newest first, with its review state and a way to fix it. */
export function MyWorkScreen({ projectId }: { projectId: number }) {
  const [project] = useLoad(() => api.projects.get(projectId), `project:${projectId}`);
  const work = usePages((before) => api.annotations.mine(projectId, before, PAGE), `mine:${projectId}`);
  const saved = new URLSearchParams(window.location.search).get("saved");

  const name = project.status === "ready" ? project.value : null;
  return (
    <Layout project={name}>
      <div className="page-head">
        <h1>My work</h1>
        <Link className="button button-primary" to={`/projects/${projectId}/annotate`}>
          Annotate
        </Link>
      </div>
      {saved ? <SavedNotice annotationId={Number(saved)} /> : null}
      <PracticeStanding projectId={projectId} />
      <Rework projectId={projectId} />
      <MyFigures projectId={projectId} />
      {work.error ? <Notice tone="error">{work.error}</Notice> : null}
      <Loading state={work.first} retry={work.reload}>
        {(page) => {
          const items = work.items(page);
          if (items.length === 0) return <p className="empty">You have not submitted anything in this project yet.</p>;
          return (
            <>
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">Task</th>
                    <th scope="col">Answer</th>
                    <th scope="col">Submitted</th>
                    <th scope="col">Review</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((a) => (
                    <WorkRow key={a.id} annotation={a} projectId={projectId} />
                  ))}
                </tbody>
              </table>
              {work.hasOlder ? (
                <p>
                  <button type="button" onClick={() => void work.loadOlder()} disabled={work.loadingOlder}>
                    {work.loadingOlder ? "Loading…" : "Show older"}
                  </button>
                </p>
              ) : null}
            </>
          );
        }}
      </Loading>
      <MySkips projectId={projectId} />
    </Layout>
  );
}

/** My annotations a reviewer sent back, with their reasons, first: they wait for me. */
function Rework({ projectId }: { projectId: number }) {
  const [state] = useLoad(() => api.reviews.rework(projectId), `rework:${projectId}`);
  if (state.status !== "ready" || state.value.length === 0) return null;
  return (
    <section className="rework" aria-labelledby="rework-title">
      <h2 id="rework-title">Sent back to you ({state.value.length})</h2>
      <ul className="rework-list">
        {state.value.map(({ annotation, review }) => (
          <li key={annotation.id} data-rework-annotation={annotation.id}>
            <div>
              <strong>Task #{annotation.task_id}</strong> <span className="muted small">· {review.reviewer_name || "a reviewer"} wrote:</span> “{review.comment}”
              <FailedItems review={review} />
              {review.comments.length ? (
                <ul className="review-comments">
                  {review.comments.map((c, i) => (
                    <li key={i}>
                      <strong>{c.question}</strong>: {c.text}
                    </li>
                  ))}
                </ul>
              ) : null}
            </div>
            <Link className="button button-primary" to={`/projects/${projectId}/mine/${annotation.id}`}>
              Rework
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The tasks I skipped, newest first, with the reason I gave (a skipped task does not come back). */
function MySkips({ projectId }: { projectId: number }) {
  const skips = usePages((before) => api.skips.mine(projectId, before, PAGE), `skips:${projectId}`);

  return (
    <section className="my-skips" aria-labelledby="my-skips-title">
      <h2 id="my-skips-title">Skipped</h2>
      {skips.error ? <Notice tone="error">{skips.error}</Notice> : null}
      <Loading state={skips.first} retry={skips.reload}>
        {(page) => {
          const items = skips.items(page);
          if (items.length === 0) return <p className="empty">You have not skipped any task in this project.</p>;
          return (
            <>
              <p className="muted small">Skipped tasks do not come back to you. A manager sees your reason beside the task.</p>
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">Task</th>
                    <th scope="col">Your reason</th>
                    <th scope="col">Skipped</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((skip) => (
                    <tr key={skip.id} data-skip-task={skip.task_id}>
                      <td>
                        #{skip.task_id}
                        {skip.external_id ? <span className="muted small"> · {skip.external_id}</span> : null}
                      </td>
                      <td className="work-summary">{skip.reason ? skip.reason : <span className="muted">no reason given</span>}</td>
                      <td className="small">{new Date(skip.at).toLocaleString()}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {skips.hasOlder ? (
                <p>
                  <button type="button" onClick={() => void skips.loadOlder()} disabled={skips.loadingOlder}>
                    {skips.loadingOlder ? "Loading…" : "Show older skips"}
                  </button>
                </p>
              ) : null}
            </>
          );
        }}
      </Loading>
    </section>
  );
}

function WorkRow({ annotation, projectId }: { annotation: Annotation; projectId: number }) {
  const reviewed = annotation.review_state !== null;
  const rework = annotation.review_state === "rejected";
  return (
    <tr>
      <td>
        #{annotation.task_id}
        {annotation.version > 1 ? <span className="muted small"> · v{annotation.version}</span> : null}
      </td>
      <td className="work-summary">{summary(annotation.result)}</td>
      <td className="small">
        {new Date(annotation.created_at).toLocaleString()}
        {annotation.updated_at !== annotation.created_at ? <div className="muted">edited {new Date(annotation.updated_at).toLocaleString()}</div> : null}
      </td>
      <td>{reviewed ? <span className={`badge badge-${annotation.review_state}`}>{annotation.review_state}</span> : <span className="muted small">not reviewed</span>}</td>
      <td>
        {annotation.editable ? (
          <Link className={rework ? "button button-primary" : "button"} to={`/projects/${projectId}/mine/${annotation.id}`}>
            {rework ? "Rework" : "Reopen"}
          </Link>
        ) : (
          <span className="muted small">reviewed: locked</span>
        )}
      </td>
    </tr>
  );
}

/** After an edit was saved: said so, with what the checks warned about (docs/checks.md). */
function SavedNotice({ annotationId }: { annotationId: number }) {
  const notice = savedNotice(annotationId);
  return <Notice tone={notice.tone}>{notice.text}</Notice>;
}
