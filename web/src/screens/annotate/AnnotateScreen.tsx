import { useEffect, useMemo, useState, useSyncExternalStore } from "react";
import { api, type Project } from "../../api";
import { Layout } from "../../app/Layout";
import { Link } from "../../app/Link";
import { useSession } from "../../app/session";
import { WidgetShared } from "../../kinds/registry";
import { Loading } from "../../ui/Loading";
import { Notice } from "../../ui/Notice";
import { useLoad } from "../../ui/useLoad";
import { ActionBar } from "./ActionBar";
import { CheatSheet, SkipDialog } from "./dialogs";
import { GuidelinesPanel } from "./GuidelinesPanel";
import { AnnotateSession, type SessionView } from "./session";
import { TaskView } from "./TaskView";
import { useAnnotateKeys } from "./useAnnotateKeys";

/** `/projects/:id/annotate`: the queue. */
export function AnnotateScreen({ projectId }: { projectId: number }) {
  const [state, reload] = useLoad(() => api.projects.get(projectId), `project:${projectId}`);
  const project = state.status === "ready" ? state.value : null;
  return (
    <Layout
      wide
      project={project}
      actions={
        <Link to={`/projects/${projectId}/mine`} className="button button-quiet">
          My work
        </Link>
      }
    >
      <Loading state={state} retry={reload}>
        {(loaded) => <Annotator project={loaded} />}
      </Loading>
    </Layout>
  );
}

function Annotator({ project }: { project: Project }) {
  const session = useSession();
  const userId = session.status === "signed-in" ? session.user.id : 0;
  const annotate = useMemo(() => new AnnotateSession(project, userId, window.localStorage), [project, userId]);
  const view = useSyncExternalStore(annotate.subscribe, annotate.getSnapshot);
  const [announcement, setAnnouncement] = useState("");
  const shared = useMemo(
    () => new WidgetShared(setAnnouncement),
    // a fresh set of widget states for every task
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [view.phase.kind === "task" ? view.phase.task.id : null],
  );
  const [guidelines, setGuidelines] = useState(() => window.localStorage.getItem("accord.guidelines") === "open");
  const [dialog, setDialog] = useState<"help" | "skip" | null>(null);

  useEffect(() => {
    void annotate.start();
    return () => annotate.dispose();
  }, [annotate]);

  usePageLifecycle(annotate);

  function toggleGuidelines(): void {
    setGuidelines((open) => {
      window.localStorage.setItem("accord.guidelines", open ? "closed" : "open");
      return !open;
    });
  }

  const store = view.phase.kind === "task" ? view.phase.store : null;
  useAnnotateKeys({
    enabled: dialog === null,
    store,
    submit: () => void annotate.submit(),
    skip: () => store && setDialog("skip"),
    guidelines: toggleGuidelines,
    help: () => setDialog("help"),
  });

  return (
    <div className={guidelines ? "annotate annotate-with-guidelines" : "annotate"}>
      <div className="visually-hidden" aria-live="polite">
        {announcement}
      </div>
      <Messages view={view} annotate={annotate} />
      <div className="annotate-body">
        <Body view={view} annotate={annotate} shared={shared} project={project} />
        {guidelines ? <GuidelinesPanel markdown={project.guidelines} version={project.guidelines_version} onClose={toggleGuidelines} /> : null}
      </div>
      {store ? <StoreActionBar view={view} annotate={annotate} guidelines={guidelines} onGuidelines={toggleGuidelines} onHelp={() => setDialog("help")} onSkip={() => setDialog("skip")} /> : null}
      {dialog === "help" ? <CheatSheet onClose={() => setDialog(null)} /> : null}
      {dialog === "skip" ? (
        <SkipDialog
          onClose={() => setDialog(null)}
          onSkip={(reason) => {
            setDialog(null);
            void annotate.skip(reason);
          }}
        />
      ) : null}
    </div>
  );
}

function StoreActionBar({
  view,
  annotate,
  guidelines,
  onGuidelines,
  onHelp,
  onSkip,
}: {
  view: SessionView;
  annotate: AnnotateSession;
  guidelines: boolean;
  onGuidelines: () => void;
  onHelp: () => void;
  onSkip: () => void;
}) {
  const store = view.phase.kind === "task" ? view.phase.store : null;
  const editor = useSyncExternalStore(store?.subscribe ?? noSubscribe, store?.getSnapshot ?? noSnapshot);
  const seconds = useMemo(() => () => annotate.seconds(), [annotate]);
  if (!store || !editor) return null;
  return (
    <ActionBar
      canUndo={editor.canUndo}
      canRedo={editor.canRedo}
      saveState={view.saveState}
      busy={view.busy}
      seconds={seconds}
      guidelinesOpen={guidelines}
      onSubmit={() => void annotate.submit()}
      onSkip={onSkip}
      onUndo={() => store.undo()}
      onRedo={() => store.redo()}
      onGuidelines={onGuidelines}
      onHelp={onHelp}
    />
  );
}

const noSubscribe = (): (() => void) => () => {};
const noSnapshot = (): null => null;

function Messages({ view, annotate }: { view: SessionView; annotate: AnnotateSession }) {
  if (!view.notice && !view.otherDraft) return null;
  return (
    <div className="annotate-messages">
      {view.otherDraft ? (
        <Notice
          tone="warning"
          actions={
            <>
              <button type="button" onClick={() => annotate.useOtherDraft()}>
                Open the other version
              </button>
              <button type="button" className="button-quiet" onClick={() => annotate.dismissOther()}>
                Keep this one
              </button>
            </>
          }
        >
          This task has two different drafts. Showing the newer one; the other was saved {view.otherDraft.from === "server" ? "on the server" : "in this browser"} at{" "}
          {new Date(view.otherDraft.at).toLocaleString()}.
        </Notice>
      ) : null}
      {view.notice ? (
        <Notice
          tone={view.notice.tone}
          actions={
            <button type="button" className="button-quiet" onClick={() => annotate.dismissNotice()} aria-label="Dismiss">
              ✕
            </button>
          }
        >
          {view.notice.text}
        </Notice>
      ) : null}
    </div>
  );
}

function Body({ view, annotate, shared, project }: { view: SessionView; annotate: AnnotateSession; shared: WidgetShared; project: Project }) {
  const phase = view.phase;
  if (phase.kind === "loading") return <p className="annotate-status muted">Getting your next task…</p>;
  if (phase.kind === "error")
    return (
      <div className="annotate-status">
        <Notice tone="error" actions={<button type="button" onClick={() => void annotate.start()}>Try again</button>}>
          {phase.message}
        </Notice>
      </div>
    );
  if (phase.kind === "done")
    return (
      <div className="annotate-status done" role="status">
        <h1>All done here</h1>
        <p>
          There is nothing left for you in <strong>{project.name}</strong> right now
          {view.submitted ? `; you submitted ${view.submitted} task${view.submitted === 1 ? "" : "s"} in this sitting` : ""}.
        </p>
        <p className="done-actions">
          <button type="button" onClick={() => void annotate.start()}>
            Check again
          </button>
          <Link className="button" to={`/projects/${project.id}/mine`}>
            See my work
          </Link>
          <Link className="button" to="/">
            All projects
          </Link>
        </p>
      </div>
    );
  return (
    <div className="task" data-task-id={phase.task.id}>
      <TaskView
        store={phase.store}
        data={phase.task.data}
        shared={shared}
        header={
          <p className="task-meta muted small">
            Task {phase.task.external_id ?? `#${phase.task.id}`} · {project.progress.tasks.toLocaleString()} in project
            {view.submitted ? ` · ${view.submitted} done this sitting` : ""}
          </p>
        }
      />
    </div>
  );
}

/** Count time only while the tab is visible; save when it is hidden or closed. */
function usePageLifecycle(annotate: AnnotateSession): void {
  useEffect(() => {
    const onVisibility = (): void => {
      if (document.visibilityState === "hidden") annotate.leaving();
      else annotate.back();
    };
    const onLeave = (): void => annotate.leaving();
    const onActivity = (): void => annotate.activity();
    document.addEventListener("visibilitychange", onVisibility);
    window.addEventListener("pagehide", onLeave);
    const events = ["keydown", "pointerdown", "wheel", "pointermove"] as const;
    let last = 0;
    const throttled = (): void => {
      const now = performance.now();
      if (now - last > 1000) {
        last = now;
        onActivity();
      }
    };
    for (const name of events) window.addEventListener(name, throttled, { passive: true });
    return () => {
      document.removeEventListener("visibilitychange", onVisibility);
      window.removeEventListener("pagehide", onLeave);
      for (const name of events) window.removeEventListener(name, throttled);
    };
  }, [annotate]);
}
