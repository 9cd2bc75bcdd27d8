import { useCallback, useEffect, useMemo, useState, useSyncExternalStore } from "react";
import { api, type Project, type TaskFilter } from "../../../api";
import { navigate, useLocation } from "../../../app/router";
import { parseInterface } from "../../../editor/interface";
import { Notice } from "../../../ui/Notice";
import { NoAccess } from "../../../ui/NoAccess";
import { useLoad } from "../../../ui/useLoad";
import { Layout } from "../../../app/Layout";
import { canManage, ProjectTabs, refusal } from "../ManageLayout";
import { ProjectProgress } from "../ProjectProgress";
import { DataFilters } from "./DataFilters";
import { DeletionBar, useTicks } from "./Deletion";
import { filterFromSearch, lastSearch, searchOf } from "./filters";
import { TaskPages } from "./taskPages";
import { TaskTable } from "./TaskTable";

/** Where each table was, by project and filters: back from a task lands on the same row. */
const memories = new Map<string, { top: number; current: number }>();

/**
 * `/projects/:id/data`: progress, then every task, filtered and sorted on the server. The
 * first page is asked for at once, beside the project itself, not after it.
 */
export function DataScreen({ projectId }: { projectId: number }) {
  const location = useLocation();
  const filter = useMemo(() => filterFromSearch(location.search), [location.search]);
  const [round, setRound] = useState(0);
  const key = `${projectId}${searchOf(filter)}`;
  const pages = useTaskPages(projectId, filter, `${key}#${round}`);
  lastSearch.set(projectId, searchOf(filter));
  // The table does not wait for the project (its progress counts take longest on big projects).
  const [state, reload] = useLoad(() => api.projects.get(projectId), `project:${projectId}`);
  const project = state.status === "ready" ? state.value : null;
  const listing = useSyncExternalStore(pages?.subscribe ?? noSubscribe, pages?.getSnapshot ?? noSnapshot);
  const refused = refusal(state, "review") ?? (listing?.errorStatus === 403 || listing?.errorStatus === 404 ? <ListingRefused status={listing.errorStatus} /> : null);
  const afterDeletion = useCallback(() => {
    setRound((n) => n + 1);
    reload();
  }, [reload]);
  if (refused) return <Layout project={project}>{refused}</Layout>;
  return (
    <Layout project={project} wide>
      <ProjectTabs projectId={projectId} project={project} />
      <div className="manage-page data-page">
        <h1 className="visually-hidden">Data</h1>
        {state.status === "error" ? (
          <Notice tone="error" actions={<button type="button" onClick={reload}>Try again</button>}>
            {state.error.message}
          </Notice>
        ) : project ? (
          <ProjectProgress project={project} />
        ) : (
          <div className="progress-panel progress-panel-loading muted small" aria-busy="true">
            Counting the project's progress…
          </div>
        )}
        <DataManager projectId={projectId} project={project} filter={filter} pages={pages} tableKey={key} onDeleted={afterDeletion} />
      </div>
    </Layout>
  );
}

const noSubscribe = (): (() => void) => () => {};
const noSnapshot = (): null => null;

/** The listing itself was refused before the project arrived (an annotator, or no such project). */
function ListingRefused({ status }: { status: number }) {
  return (
    <NoAccess>
      <p>
        {status === 404
          ? "This project does not exist, or you are not a member of it."
          : "The data manager is for the project's managers and reviewers. If you need it, ask a manager of the project to change your role."}
      </p>
    </NoAccess>
  );
}

/** The rows of one query (project and filters): a new page cache whenever the query changes. */
function useTaskPages(projectId: number, filter: TaskFilter, key: string): TaskPages | null {
  const [loaded, setLoaded] = useState<{ key: string; pages: TaskPages } | null>(null);
  useEffect(() => {
    const created = new TaskPages((offset, limit, signal) => api.tasks.list(projectId, filter, offset, limit, signal));
    created.want(0, 30); // before the table is drawn: the first page is on its way
    setLoaded({ key, pages: created });
    return () => created.dispose();
    // `key` stands for the project and the filter
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  return loaded?.key === key ? loaded.pages : null;
}

interface DataManagerProps {
  projectId: number;
  /** null while it loads: the filters wait for its questions, the table does not. */
  project: Project | null;
  filter: TaskFilter;
  pages: TaskPages | null;
  tableKey: string;
  onDeleted: () => void;
}

const NO_INTERFACE = { fields: [], questions: [] };

function DataManager({ projectId, project, filter, pages, tableKey, onDeleted }: DataManagerProps) {
  const iface = useMemo(() => (project ? parseInterface(project.interface) : NO_INTERFACE), [project]);
  const [members] = useLoad(() => api.members.list(projectId), `members:${projectId}`);
  const emails = members.status === "ready" ? members.value.flatMap((m) => (m.email ? [m.email] : [])) : [];
  const [confirming, setConfirming] = useState(false);
  const openConfirm = useCallback(() => setConfirming(true), []);
  const { ticked, setTicked, selection } = useTicks(tableKey, pages, openConfirm);
  const manager = project !== null && canManage(project);
  const total = useSyncExternalStore(pages?.subscribe ?? noSubscribe, () => pages?.getSnapshot().total ?? null);
  let memory = memories.get(tableKey);
  if (!memory) {
    memory = { top: 0, current: 0 };
    memories.set(tableKey, memory);
  }
  const change = (next: TaskFilter): void => navigate(`/projects/${projectId}/data${searchOf(next)}`, { replace: true });

  return (
    <>
      <DataFilters filter={filter} onChange={change} iface={iface} emails={emails} />
      {pages ? <Summary pages={pages} /> : null}
      {manager ? (
        <DeletionBar
          projectId={projectId}
          filter={filter}
          total={total}
          ticked={ticked}
          setTicked={setTicked}
          confirming={confirming}
          setConfirming={setConfirming}
          onDeleted={onDeleted}
        />
      ) : null}
      {pages ? (
        <TaskTable
          key={tableKey}
          pages={pages}
          projectId={projectId}
          sort={filter.sort ?? "id"}
          onSort={(sort) => change({ ...filter, sort })}
          memory={memory}
          selection={manager ? selection : null}
        />
      ) : null}
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
  const keys = state.total ? " · ↑/↓ to move, Enter to open" : "";
  return (
    <p className="data-summary muted small" aria-live="polite">
      {state.total === null ? "Counting…" : `${state.total.toLocaleString()} task${state.total === 1 ? "" : "s"}`}
      {keys}
    </p>
  );
}
