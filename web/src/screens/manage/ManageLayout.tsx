import type { ReactNode } from "react";
import { api, ApiError, type Project } from "../../api";
import { Layout } from "../../app/Layout";
import { Link } from "../../app/Link";
import { useLocation } from "../../app/router";
import { Loading } from "../../ui/Loading";
import { NoAccess } from "../../ui/NoAccess";
import { useLoad, type Loaded } from "../../ui/useLoad";
import "./manage.css";

export type ManageTab = "dashboard" | "data" | "reviews" | "flags" | "gold" | "guidelines" | "settings" | "members" | "import" | "export" | "jobs";

const TABS: { tab: ManageTab; label: string; path: string }[] = [
  { tab: "dashboard", label: "Dashboard", path: "dashboard" },
  { tab: "data", label: "Data", path: "data" },
  { tab: "reviews", label: "Review", path: "reviews" },
  { tab: "flags", label: "Questions", path: "flags" },
  { tab: "gold", label: "Gold", path: "gold" },
  { tab: "guidelines", label: "Guidelines", path: "guidelines" },
  { tab: "settings", label: "Settings", path: "settings" },
  { tab: "members", label: "Members", path: "members" },
  { tab: "import", label: "Import", path: "import" },
  { tab: "export", label: "Export", path: "export" },
  { tab: "jobs", label: "Jobs", path: "jobs" },
];

/** Managers may change things; reviewers may look at the data. */
export const canManage = (project: Project): boolean => project.role === "manager" || project.role === "admin";
export const canReview = (project: Project): boolean => canManage(project) || project.role === "reviewer";

export type Need = "manage" | "review";

interface ManageLayoutProps {
  projectId: number;
  /** Who may see this page: "manage" (managers and admins) or "review" (reviewers too). */
  need?: Need;
  children: (project: Project, reload: () => void) => ReactNode;
}

/** A manager's page: the top bar, the project's tabs, and the page once the project is loaded. */
export function ManageLayout({ projectId, need = "manage", children }: ManageLayoutProps) {
  const [state, reload] = useLoad(() => api.projects.get(projectId), `project:${projectId}`);
  const project = state.status === "ready" ? state.value : null;
  const refused = refusal(state, need);
  return (
    <Layout project={project} wide>
      {refused ? null : <ProjectTabs projectId={projectId} project={project} />}
      {refused ?? (
        <Loading state={state} retry={reload}>
          {(loaded) => children(loaded, reload)}
        </Loading>
      )}
    </Layout>
  );
}

/** The "no access" page for a project that is not there for the caller, or a role below `need`; else null. */
export function refusal(state: Loaded<Project>, need: Need): ReactNode {
  if (state.status === "error" && state.error instanceof ApiError && state.error.status === 404) {
    return (
      <NoAccess>
        <p>This project does not exist, or you are not a member of it. A manager of the project can add you.</p>
      </NoAccess>
    );
  }
  if (state.status !== "ready" || (need === "manage" ? canManage(state.value) : canReview(state.value))) return null;
  return <RoleRefusal project={state.value} need={need} />;
}

export function RoleRefusal({ project, need }: { project: Project; need: Need }) {
  const who = need === "manage" ? "the project's managers" : "the project's managers and reviewers";
  return (
    <NoAccess
      links={[
        { to: `/projects/${project.id}/annotate`, label: "Annotate" },
        { to: `/projects/${project.id}/mine`, label: "My work" },
      ]}
    >
      <p>
        This page is for {who}. Your role in “{project.name}” is {project.role}. If you need it, ask a manager of the project to change your
        role.
      </p>
    </NoAccess>
  );
}

export function ProjectTabs({ projectId, project }: { projectId: number; project: Project | null }) {
  const { pathname } = useLocation();
  const tabs = project && !canManage(project) ? TABS.filter((t) => t.tab === "dashboard" || t.tab === "data" || t.tab === "reviews" || t.tab === "flags" || t.tab === "guidelines") : TABS;
  return (
    <nav className="manage-tabs" aria-label="Project">
      {tabs.map(({ tab, label, path }) => {
        const to = `/projects/${projectId}/${path}`;
        const current = pathname === to || (tab === "data" && pathname.startsWith(`/projects/${projectId}/tasks/`));
        return (
          <Link key={tab} to={to} className={current ? "manage-tab manage-tab-current" : "manage-tab"} aria-current={current ? "page" : undefined}>
            {label}
          </Link>
        );
      })}
      <span className="manage-tabs-end">
        <Link to={`/projects/${projectId}/annotate`} className="manage-tab">
          Annotate
        </Link>
      </span>
    </nav>
  );
}
