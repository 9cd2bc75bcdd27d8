import { useMemo, useState } from "react";
import { api, type Project } from "../../api";
import { Notice } from "../../ui/Notice";
import { useLoad } from "../../ui/useLoad";
import { ManageLayout } from "./ManageLayout";
import { changeBody, draftOf } from "./projectDraft";
import { ProjectForm } from "./ProjectForm";
import { WebhooksSection } from "./WebhooksSection";
import { MlBackendsSection } from "./MlBackendsSection";
import { LlmSection } from "./LlmSection";
import { DataHandlingSection } from "../../sensitive/DataHandlingSection";

/** `/projects/:id/settings`: a project's settings, guidelines and interface (managers). */
export function SettingsScreen({ projectId }: { projectId: number }) {
  return (
    <ManageLayout projectId={projectId}>
      {(project, reload) => (
        <div className="manage-page">
          <h1>Settings</h1>
          <SettingsForm project={project} onSaved={reload} />
          <WebhooksSection project={project} />
          <MlBackendsSection project={project} />
          <LlmSection project={project} />
          <DataHandlingSection projectId={project.id} />
        </div>
      )}
    </ManageLayout>
  );
}

function SettingsForm({ project, onSaved }: { project: Project; onSaved: () => void }) {
  const initial = useMemo(() => draftOf(project), [project]);
  const [first] = useLoad(() => api.tasks.list(project.id, {}, 0, 1), `first-task:${project.id}`);
  const sample = first.status === "ready" ? (first.value.items[0]?.data ?? null) : null;
  const [saved, setSaved] = useState<string | null>(null);
  return (
    <ProjectForm
      initial={initial}
      sample={sample}
      projectId={project.id}
      submitLabel="Save changes"
      saved={saved ? <Notice tone="success">{saved}</Notice> : null}
      onSubmit={async (draft) => {
        setSaved(null);
        const changes = changeBody(initial, draft);
        if (Object.keys(changes).length === 0) {
          setSaved("Nothing changed.");
          return;
        }
        await api.projects.update(project.id, changes);
        setSaved(`Saved at ${new Date().toLocaleTimeString()}${changes.guidelines !== undefined ? " (annotators now see the new guidelines)" : ""}.`);
        onSaved();
      }}
    />
  );
}
