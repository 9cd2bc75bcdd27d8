import { useEffect, useMemo } from "react";
import { api, type Flag, type Project } from "../../api";
import { Layout } from "../../app/Layout";
import { Link } from "../../app/Link";
import { Markdown } from "../../kinds/fields/Markdown";
import { Loading } from "../../ui/Loading";
import { useLoad } from "../../ui/useLoad";
import { FaqPanel } from "./FaqPanel";
import { guidelineSections, sectionTitle } from "./sections";
import "./flags.css";

/** `/projects/:id/questions`: the caller's own questions with their answers, and the FAQ (any
 * member; where an answer notification leads). */
export function QuestionsScreen({ projectId }: { projectId: number }) {
  const [state, reload] = useLoad(() => api.projects.get(projectId), `project:${projectId}`);
  const project = state.status === "ready" ? state.value : null;
  return (
    <Layout
      project={project}
      wide
      actions={
        <Link to={`/projects/${projectId}/annotate`} className="button button-quiet">
          Annotate
        </Link>
      }
    >
      <Loading state={state} retry={reload}>
        {(loaded) => <Questions project={loaded} />}
      </Loading>
    </Layout>
  );
}

function Questions({ project }: { project: Project }) {
  const [state, reload] = useLoad(() => api.flags.list(project.id, "all", null, 200), `my-flags:${project.id}`);
  const highlighted = Number(new URLSearchParams(window.location.search).get("flag")) || null;
  const sections = useMemo(() => guidelineSections(project.guidelines), [project.guidelines]);
  useEffect(() => {
    if (state.status === "ready" && highlighted) document.querySelector(`[data-flag-id="${highlighted}"]`)?.scrollIntoView({ block: "center" });
  }, [state.status, highlighted]);
  return (
    <div className="questions-page">
      <div className="questions-main manage-page">
        <div className="page-head">
          <h1>Questions</h1>
          <Link className="button button-primary" to={`/projects/${project.id}/annotate`}>
            Back to annotating
          </Link>
        </div>
        <p className="muted small">
          {project.role === "annotator"
            ? "The questions you flagged in this project, and the leads' answers. Flag a task while annotating with the “Flag as unclear” button (key q)."
            : "Your own questions; every question of the project is on the Questions page of the project's tabs."}
        </p>
        <Loading state={state} retry={reload}>
          {(page) =>
            page.items.filter((f) => f.mine).length === 0 ? (
              <p className="empty">You have not flagged anything here yet.</p>
            ) : (
              page.items
                .filter((f) => f.mine)
                .map((flag) => <MyQuestion key={flag.id} flag={flag} current={flag.id === highlighted} section={sectionTitle(flag.section, sections)} />)
            )
          }
        </Loading>
      </div>
      <FaqPanel projectId={project.id} guidelines={project.guidelines} />
    </div>
  );
}

function MyQuestion({ flag, current, section }: { flag: Flag; current: boolean; section: string }) {
  return (
    <article className="flag-card" data-flag-id={flag.id} data-state={flag.state} aria-current={current}>
      <div className="flag-meta muted">
        <span>Task {flag.task_external_id ?? `#${flag.task_id}`}</span>
        <span>{section}</span>
        <span>{new Date(flag.created_at).toLocaleString()}</span>
        {flag.amended_version ? <span className="badge">Now in the guidelines (v{flag.amended_version})</span> : null}
      </div>
      <p className="flag-question">{flag.question}</p>
      {flag.state === "answered" ? (
        <>
          <p className="small muted">Answer{flag.answered_at ? `, ${new Date(flag.answered_at).toLocaleString()}` : ""}:</p>
          <Markdown source={flag.answer} className="flag-answer" />
        </>
      ) : (
        <p className="muted small">Waiting for an answer.</p>
      )}
    </article>
  );
}
