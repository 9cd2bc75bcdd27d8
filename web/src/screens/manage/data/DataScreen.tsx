import { useEffect, useMemo, useState, useSyncExternalStore } from "react";
import { api, type Project, type TaskFilter } from "../../../api";
import { navigate, useLocation } from "../../../app/router";
import { parseInterface } from "../../../editor/interface";
import { Notice } from "../../../ui/Notice";
import { useLoad } from "../../../ui/useLoad";
import { ManageLayout } from "../ManageLayout";
import { ProjectProgress } from "../ProjectProgress";
import { DataFilters } from "./DataFilters";
import { filterFromSearch, lastSearch, searchOf } from "./filters";
import { TaskPages } from "./taskPages";
import { TaskTable } from "./TaskTable";

/** Where each table was, by project and filters: back from a task lands on the same row. */
const memories = new Map<string, { top: number; current: number }>();

/** `/projects/:id/data`: progress, then every task, filtered and sorted on the server. */
export function DataScreen({ projectId }: { projectId: number }) {
  return (
    <ManageLayout projectId={projectId} need="review">
      {(project) => (
        <div className="manage-page data-page">
          <div className="page-head">
            <h1>Data</h1>
          </div>
          <ProjectProgress project={project} />
          <DataManager project={project} />
        </div>
      )}
    </ManageLayout>
  );
}

function DataManager({ project }: { project: Project }) {
  const location = useLocation();
  const filter = useMemo(() => filterFromSearch(location.search), [location.search]);
  const key = `${project.id}${searchOf(filter)}`;
  lastSearch.set(project.id, searchOf(filter));
  const iface = useMemo(() => parseInterface(project.interface), [project.interface]);
  const [members] = useLoad(() => api.members.list(project.id), `members:${project.id}`);
  const emails = members.status === "ready" ? members.value.map((m) => m.email) : [];
  const [loaded, setLoaded] = useState<{ key: string; pages: TaskPages } | null>(null);
  const pages = loaded?.key === key ? loaded.pages : null;

  useEffect(() => {
    const created = new TaskPages((offset, limit, signal) => api.tasks.list(project.id, filter, offset, limit, signal));
    setLoaded({ key, pages: created });
    return () => created.dispose();
    // `key` stands for the project and the filter
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);

  let memory = memories.get(key);
  if (!memory) {
    memory = { top: 0, current: 0 };
    memories.set(key, memory);
  }
  const change = (next: TaskFilter): void => navigate(`/projects/${project.id}/data${searchOf(next)}`, { replace: true });

  return (
    <>
      <DataFilters filter={filter} onChange={change} iface={iface} emails={emails} />
      {pages ? <Summary pages={pages} /> : null}
      {pages ? <TaskTable key={key} pages={pages} projectId={project.id} sort={filter.sort ?? "id"} onSort={(sort) => change({ ...filter, sort })} memory={memory} /> : null}
    </>
  );
}

function Summary({ pages }: { pages: TaskPages }) {
  const state = useSyncExternalStore(pages.subscribe, pages.getSnapshot);
  if (state.error) {
    return (
      <Notice tone="error" actions={<button type="button" onClick={() => pages.retry()}>Try again</button>}>
        Some rows could not be loaded: {state.error}
      </Notice>
    );
  }
  return (
    <p className="data-summary muted small" aria-live="polite">
      {state.total === null ? "Counting…" : `${state.total.toLocaleString()} task${state.total === 1 ? "" : "s"}`}
      {state.total ? " · ↑/↓ to move, Enter to open" : ""}
    </p>
  );
}
