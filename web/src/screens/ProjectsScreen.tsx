import { api, type Project } from "../api";
import { Layout } from "../app/Layout";
import { Link } from "../app/Link";
import { Loading } from "../ui/Loading";
import { ProgressBar } from "../ui/ProgressBar";
import { useLoad } from "../ui/useLoad";

const ROLE_NAMES: Record<string, string> = {
  manager: "Manager",
  reviewer: "Reviewer",
  annotator: "Annotator",
  admin: "Admin",
};

/** The projects I belong to, with progress and my role, and where I can go in each. */
export function ProjectsScreen() {
  const [state, reload] = useLoad(() => api.projects.list(), "projects");
  return (
    <Layout>
      <h1>Projects</h1>
      <Loading state={state} retry={reload}>
        {(projects) =>
          projects.length === 0 ? (
            <p className="empty">
              You are not in any project yet. Ask a project manager to add you, then reload this page.
            </p>
          ) : (
            <ul className="project-list">
              {projects.map((project) => (
                <ProjectRow key={project.id} project={project} />
              ))}
            </ul>
          )
        }
      </Loading>
    </Layout>
  );
}

function ProjectRow({ project }: { project: Project }) {
  const { progress } = project;
  const done = progress.complete;
  const canManage = project.role === "manager" || project.role === "admin";
  const canAnnotate = project.role !== "reviewer";
  const canReview = project.role !== "annotator";
  const home = canAnnotate ? `/projects/${project.id}/annotate` : `/projects/${project.id}/review`;
  return (
    <li className="project-row">
      <div className="project-main">
        <h2 className="project-name">
          <Link to={home}>{project.name}</Link>
        </h2>
        {project.description ? <p className="project-description">{project.description}</p> : null}
        <div className="project-progress">
          <ProgressBar value={done} max={progress.tasks} label={`${project.name}: tasks complete`} />
          <span className="muted small">
            {done.toLocaleString()} of {progress.tasks.toLocaleString()} tasks complete
            {progress.in_progress ? ` · ${progress.in_progress.toLocaleString()} in progress` : ""} · {progress.mine.toLocaleString()} by
            you
          </span>
        </div>
      </div>
      <div className="project-side">
        <span className={`role role-${project.role}`}>{ROLE_NAMES[project.role] ?? project.role}</span>
        <div className="project-links">
          {canAnnotate ? (
            <Link className="button button-primary" to={`/projects/${project.id}/annotate`}>
              Annotate
            </Link>
          ) : null}
          {canReview ? (
            <Link className={canAnnotate ? "button" : "button button-primary"} to={`/projects/${project.id}/review`}>
              Review
            </Link>
          ) : null}
          {canReview && project.overlap > 1 ? (
            <Link className="button" to={`/projects/${project.id}/adjudicate`}>
              Adjudicate
            </Link>
          ) : null}
          {canAnnotate ? (
            <Link className="button" to={`/projects/${project.id}/mine`}>
              My work
            </Link>
          ) : null}
          {canManage ? (
            <Link className="button" to={`/projects/${project.id}/settings`}>
              Settings
            </Link>
          ) : null}
        </div>
      </div>
    </li>
  );
}
