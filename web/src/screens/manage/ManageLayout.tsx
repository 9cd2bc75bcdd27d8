import type { ReactNode } from "react";
import { api, type Project } from "../../api";
import { Layout } from "../../app/Layout";
import { Link } from "../../app/Link";
import { useLocation } from "../../app/router";
import { Loading } from "../../ui/Loading";
import { Notice } from "../../ui/Notice";
import { useLoad } from "../../ui/useLoad";
import "./manage.css";

export type ManageTab = "data" | "settings" | "members" | "import" | "export";

const TABS: { tab: ManageTab; label: string; path: string }[] = [
  { tab: "data", label: "Data", path: "data" },
  { tab: "settings", label: "Settings", path: "settings" },
  { tab: "members", label: "Members", path: "members" },
  { tab: "import", label: "Import", path: "import" },
  { tab: "export", label: "Export", path: "export" },
];

/** Managers may change things; reviewers may look at the data. */
export const canManage = (project: Project): boolean => project.role === "manager" || project.role === "admin";
export const canReview = (project: Project): boolean => canManage(project) || project.role === "reviewer";

interface ManageLayoutProps {
  projectId: number;
  /** Who may see this page: "manage" (managers and admins) or "review" (reviewers too). */
  need?: "manage" | "review";
  children: (project: Project, reload: () => void) => ReactNode;
}

/** A manager's page: the top bar, the project's tabs, and the page once the project is loaded. */
export function ManageLayout({ projectId, need = "manage", children }: ManageLayoutProps) {
  const [state, reload] = useLoad(() => api.projects.get(projectId), `project:${projectId}`);
  const project = state.status === "ready" ? state.value : null;
  return (
    <Layout project={project} wide>
      <ProjectTabs projectId={projectId} project={project} />
      <Loading state={state} retry={reload}>
        {(loaded) =>
          (need === "manage" ? canManage(loaded) : canReview(loaded)) ? (
            children(loaded, reload)
          ) : (
            <Notice tone="warning">
              Your role in this project ({loaded.role}) does not allow this page. A manager of the project can change your role.
            </Notice>
          )
        }
      </Loading>
    </Layout>
  );
}

export function ProjectTabs({ projectId, project }: { projectId: number; project: Project | null }) {
  const { pathname } = useLocation();
  const tabs = project && !canManage(project) ? TABS.filter((t) => t.tab === "data") : TABS;
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
