import { useState } from "react";
import { api, type Project } from "../../api";
import { Layout } from "../../app/Layout";
import { Loading } from "../../ui/Loading";
import { Notice } from "../../ui/Notice";
import { useLoad } from "../../ui/useLoad";
import { canManage, ProjectTabs } from "../manage/ManageLayout";
import { GuidelinesEditor } from "./GuidelinesEditor";
import { GuidelinesHistory } from "./GuidelinesHistory";
import { GuidelineMarkdown } from "./GuidelineMarkdown";
import { GuidelinesAcknowledge } from "./GuidelinesAcknowledge";
import "./guidelines.css";

/**
 * `/projects/:id/guidelines`: managers edit (preview, change note, material flag, images),
 * compare and restore versions; every member reads the current version, its history, and what
 * changed since they last acknowledged (docs/guidelines.md).
 */
export function GuidelinesScreen({ projectId }: { projectId: number }) {
  const [state, reload] = useLoad(() => api.projects.get(projectId), `project:${projectId}:guidelines`);
  const project = state.status === "ready" ? state.value : null;
  return (
    <Layout project={project} wide>
      {project && project.role !== "annotator" ? <ProjectTabs projectId={projectId} project={project} /> : null}
      <Loading state={state} retry={reload}>
        {(loaded) => <Guidelines project={loaded} reloadProject={reload} />}
      </Loading>
    </Layout>
  );
}

function Guidelines({ project, reloadProject }: { project: Project; reloadProject: () => void }) {
  const [round, setRound] = useState(0);
  const [message, setMessage] = useState<string | null>(null);
  const [history, reloadHistory] = useLoad(() => api.guidelines.state(project.id), `guidelines:${project.id}:${round}`);
  const changed = (said?: string): void => {
    setMessage(said ?? null);
    setRound((n) => n + 1);
    reloadHistory();
    reloadProject();
  };
  const manager = canManage(project);
  return (
    <div className="manage-page guidelines-page">
      <div className="page-head">
        <h1>Guidelines</h1>
        <span className="muted">
          version {project.guidelines_version}
          {history.status === "ready" && history.value.material_version ? ` · last material change: v${history.value.material_version}` : ""}
        </span>
      </div>
      {history.status === "ready" && history.value.must_acknowledge ? (
        <GuidelinesAcknowledge projectId={project.id} onDone={() => changed()} />
      ) : null}
      {message ? <Notice tone="success">{message}</Notice> : null}
      {manager ? (
        <GuidelinesEditor key={project.guidelines_version} project={project} onSaved={changed} />
      ) : (
        <section aria-label="Current guidelines" className="guidelines-read">
          {project.guidelines.trim() ? <GuidelineMarkdown source={project.guidelines} /> : <p className="muted">This project has no guidelines yet.</p>}
        </section>
      )}
      <Loading state={history} retry={reloadHistory}>
        {(loaded) => <GuidelinesHistory key={loaded.current_version} project={project} state={loaded} canRestore={manager} onRestored={() => changed()} />}
      </Loading>
    </div>
  );
}
