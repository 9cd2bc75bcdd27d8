import type { ReactNode } from "react";
import { NotificationBell } from "../notifications/NotificationBell";
import { ReportProblemButton } from "../problemReports/ReportProblem";
import { Link } from "./Link";
import { leaveThen } from "./router";
import { mayCreateProjects, signOut, useSession } from "./session";

interface LayoutProps {
  /** The project this page belongs to, shown in the top bar. */
  project?: { id: number; name: string } | null;
  /** Extra items on the right of the top bar (before the user). */
  actions?: ReactNode;
  /** Use the full window width (the annotate screen). */
  wide?: boolean;
  children: ReactNode;
}

/** Every signed-in page: the top bar (home, project, user, sign out) and the page's main. */
export function Layout({ project, actions, wide, children }: LayoutProps) {
  const session = useSession();
  const user = session.status === "signed-in" ? session.user : null;
  return (
    <div className="app">
      <header className="topbar">
        <nav className="topbar-nav" aria-label="Main">
          <Link to="/" className="brand">
            Accord
          </Link>
          {project ? (
            <>
              <span className="crumb-sep" aria-hidden="true">/</span>
              <span className="topbar-project" title={project.name}>
                {project.name}
              </span>
            </>
          ) : null}
        </nav>
        <div className="topbar-actions">
          {actions}
          {user && !project && mayCreateProjects(user) ? (
            <Link to="/projects/new" className="button button-quiet">
              New project
            </Link>
          ) : null}
          {user?.is_admin ? (
            <Link to="/admin/users" className="button button-quiet">
              Accounts
            </Link>
          ) : null}
          {session.status === "signed-in" ? (
            <>
              <ReportProblemButton />
              <NotificationBell />
              <span className="topbar-user" title={session.user.email}>
                {session.user.name || session.user.email}
              </span>
              <button type="button" className="button-quiet" onClick={() => leaveThen(() => void signOut())}>
                Sign out
              </button>
            </>
          ) : null}
        </div>
      </header>
      <main id="main" className={wide ? "main main-wide" : "main"}>
        {children}
      </main>
    </div>
  );
}
