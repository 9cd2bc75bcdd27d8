import { api } from "../../api";
import { Layout } from "../../app/Layout";
import { navigate } from "../../app/router";
import { createBody, NEW_PROJECT } from "./projectDraft";
import { ProjectForm } from "./ProjectForm";
import "./manage.css";

/** `/projects/new`: name, settings, guidelines and interface; then on to importing tasks. */
export function NewProjectScreen() {
  return (
    <Layout wide>
      <div className="manage-page">
        <h1>New project</h1>
        <p className="muted">You become its manager. Next you import tasks and add people.</p>
        <ProjectForm
          initial={NEW_PROJECT}
          sample={null}
          projectId={null}
          submitLabel="Create project"
          onSubmit={async (draft) => {
            const project = await api.projects.create(createBody(draft));
            navigate(`/projects/${project.id}/import?created=1`);
          }}
        />
      </div>
    </Layout>
  );
}
