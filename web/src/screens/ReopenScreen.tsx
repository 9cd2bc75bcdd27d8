import { useEffect, useMemo, useState, useSyncExternalStore } from "react";
import { api, type Annotation, type Project, type TaskDetail } from "../api";
import { Layout } from "../app/Layout";
import { Link } from "../app/Link";
import { navigate } from "../app/router";
import { useSession } from "../app/session";
import { WidgetShared } from "../kinds/registry";
import { Loading } from "../ui/Loading";
import { Notice } from "../ui/Notice";
import { useLoad } from "../ui/useLoad";
import { ActionBar } from "./annotate/ActionBar";
import { CheatSheet } from "./annotate/dialogs";
import { GuidelinesPanel } from "./annotate/GuidelinesPanel";
import { OriginalityDialog } from "./annotate/OriginalityDialog";
import { ReopenSession } from "./annotate/reopenSession";
import { TaskView } from "./annotate/TaskView";
import { useAnnotateKeys } from "./annotate/useAnnotateKeys";
import { usePageLifecycle } from "./annotate/usePageLifecycle";
import { ReviewFeedback } from "./review/ReviewFeedback";

interface Loaded {
  project: Project;
  annotation: Annotation;
  detail: TaskDetail;
}

/** `/projects/:id/mine/:annotation`: fix one's own annotation until a reviewer accepts it
 * (a rejected one shows why, and saving it sends it back to review). */
export function ReopenScreen({ projectId, annotationId }: { projectId: number; annotationId: number }) {
  const [state, reload] = useLoad(async (): Promise<Loaded> => {
    const [project, annotation] = await Promise.all([api.projects.get(projectId), api.annotations.get(annotationId)]);
    return { project, annotation, detail: await api.tasks.get(annotation.task_id) };
  }, `reopen:${annotationId}`);
  const project = state.status === "ready" ? state.value.project : null;
  return (
    <Layout wide project={project}>
      <Loading state={state} retry={reload}>
        {(loaded) => <Editor {...loaded} />}
      </Loading>
    </Layout>
  );
}

/** The annotate screen's editing (drafts kept locally and on the server, checks, keys) on one annotation. */
function Editor({ project, annotation, detail }: Loaded) {
  const session = useSession();
  const userId = session.status === "signed-in" ? session.user.id : 0;
  const reopen = useMemo(() => new ReopenSession(project, annotation, detail, userId, window.localStorage), [project, annotation, detail, userId]);
  const view = useSyncExternalStore(reopen.subscribe, reopen.getSnapshot);
  const store = reopen.store;
  const editor = useSyncExternalStore(store.subscribe, store.getSnapshot);
  // A reviewed annotation is locked: shown as the review left it, nothing to save.
  const locked = !view.editable;
  const shared = useMemo(() => new WidgetShared(undefined, reopen.keeper.engine, null, locked), [reopen, locked]);
  const [help, setHelp] = useState(false);
  const [guidelines, setGuidelines] = useState(false);
  const seconds = useMemo(() => () => reopen.seconds(), [reopen]);

  useEffect(() => {
    reopen.start();
    return () => reopen.dispose();
  }, [reopen]);
  usePageLifecycle(reopen);

  async function save(anyway = false): Promise<void> {
    if (await reopen.save(anyway, () => void save(true))) navigate(`/projects/${project.id}/mine?saved=${annotation.id}`);
  }

  useAnnotateKeys({
    enabled: !help,
    store,
    submit: () => {
      if (!locked) void save();
    },
    skip: () => {},
    guidelines: () => setGuidelines((open) => !open),
    help: () => setHelp(true),
  });

  return (
    <div className={guidelines ? "annotate annotate-with-guidelines" : "annotate"}>
      <div className="annotate-messages">
        <Notice tone="info" actions={<Link to={`/projects/${project.id}/mine`}>Back to my work</Link>}>
          {locked ? (
            <>
              Your annotation #{annotation.id} of task #{detail.task.id} (version {annotation.version}), as the review left it.
            </>
          ) : (
            <>
              Fixing your annotation #{annotation.id} of task #{detail.task.id} (version {annotation.version}). Your changes are kept as a draft until you save
              them with the button below.
            </>
          )}
        </Notice>
        {annotation.review_state ? <ReviewFeedback annotationId={annotation.id} /> : null}
        {view.notice ? <Notice tone={view.notice.tone}>{view.notice.text}</Notice> : null}
      </div>
      <div className="annotate-body">
        <div className="task" data-task-id={detail.task.id} data-read-only={locked ? "" : undefined}>
          <TaskView store={store} data={detail.task.data} shared={shared} />
        </div>
        {guidelines ? <GuidelinesPanel markdown={project.guidelines} version={project.guidelines_version} onClose={() => setGuidelines(false)} /> : null}
      </div>
      <ActionBar
        canUndo={editor.canUndo}
        canRedo={editor.canRedo}
        saveState={view.saveState}
        touched={editor.revision > 0}
        busy={view.busy}
        seconds={seconds}
        guidelinesOpen={guidelines}
        onSubmit={() => void save()}
        onUndo={() => store.undo()}
        onRedo={() => store.redo()}
        onGuidelines={() => setGuidelines((open) => !open)}
        onHelp={() => setHelp(true)}
        submitLabel="Save changes"
        submitRefused={locked ? "This annotation was reviewed; it can no longer be changed." : undefined}
      />
      {help ? <CheatSheet onClose={() => setHelp(false)} /> : null}
      <OriginalityDialog />
    </div>
  );
}
