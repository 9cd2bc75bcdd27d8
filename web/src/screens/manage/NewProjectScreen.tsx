import { useEffect, useState } from "react";
import { api, ApiError } from "../../api";
import { Layout } from "../../app/Layout";
import { navigate } from "../../app/router";
import { mayCreateProjects, refreshUser, useSession } from "../../app/session";
import { NoAccess } from "../../ui/NoAccess";
import { LabelStudioImport } from "./LabelStudioImport";
import { createBody, NEW_PROJECT } from "./projectDraft";
import { ProjectForm } from "./ProjectForm";
import "./manage.css";

/** `/projects/new`: name, settings, guidelines and interface; then on to importing tasks. */
export function NewProjectScreen() {
  const session = useSession();
  const [checked, setChecked] = useState(false);
  useEffect(() => {
    // The grant may have changed since sign-in: ask once before saying no.
    refreshUser().finally(() => setChecked(true));
  }, []);
  const user = session.status === "signed-in" ? session.user : null;
  if (user && !mayCreateProjects(user)) {
    return (
      <Layout>
        {checked ? (
          <NoAccess title="You cannot create projects">
            <p>
              Creating projects is for accounts an admin has allowed to. Ask an admin of this Accord to give your account
              “can create projects”, then open this page again. Until then, a manager can add you to an existing project.
            </p>
          </NoAccess>
        ) : (
          <p className="muted loading">Loading…</p>
        )}
      </Layout>
    );
  }
  return (
    <Layout wide>
      <div className="manage-page">
        <h1>New project</h1>
        <p className="muted">You become its manager. Next you import tasks and add people.</p>
        <LabelStudioImport />
        <ProjectForm
          initial={NEW_PROJECT}
          sample={null}
          projectId={null}
          submitLabel="Create project"
          onSubmit={async (draft) => {
            try {
              const project = await api.projects.create(createBody(draft));
              navigate(`/projects/${project.id}/import?created=1`, { force: true });
            } catch (error) {
              if (error instanceof ApiError && error.code === "cannot_create_projects") void refreshUser();
              throw error;
            }
          }}
        />
      </div>
    </Layout>
  );
}
