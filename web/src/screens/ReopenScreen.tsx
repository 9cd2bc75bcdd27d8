import { useEffect, useMemo, useState, useSyncExternalStore } from "react";
import { api, ApiError, type Annotation, type Project, type TaskDetail } from "../api";
import { Layout } from "../app/Layout";
import { Link } from "../app/Link";
import { navigate } from "../app/router";
import { useSession } from "../app/session";
import { ActiveClock } from "../editor/activeTime";
import { compileTextRules, localProblems } from "../editor/answers";
import { Autosaver } from "../editor/autosave";
import { LocalDrafts, mergeDrafts } from "../editor/draft";
import { parseInterface } from "../editor/interface";
import { EditorStore } from "../editor/store";
import { WidgetShared } from "../kinds/registry";
import { Loading } from "../ui/Loading";
import { Notice } from "../ui/Notice";
import { useLoad } from "../ui/useLoad";
import { ActionBar } from "./annotate/ActionBar";
import { CheatSheet } from "./annotate/dialogs";
import { GuidelinesPanel } from "./annotate/GuidelinesPanel";
import { TaskView } from "./annotate/TaskView";
import { useAnnotateKeys } from "./annotate/useAnnotateKeys";

interface Loaded {
  project: Project;
  annotation: Annotation;
  detail: TaskDetail;
}

/** `/projects/:id/mine/:annotation`: fix one's own annotation until it is reviewed. */
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

function Editor({ project, annotation, detail }: Loaded) {
  const session = useSession();
  const userId = session.status === "signed-in" ? session.user.id : 0;
  const drafts = useMemo(() => new LocalDrafts(window.localStorage, userId), [userId]);
  const clock = useMemo(() => new ActiveClock(), []);
  const store = useMemo(() => {
    const iface = parseInterface(project.interface);
    const local = drafts.read(detail.task.id);
    // A copy newer than the annotation (in this browser, or autosaved on the server) is work
    // in progress on this fix.
    const saved = detail.draft && detail.draft.updated_at > annotation.updated_at ? detail.draft : null;
    const merged = mergeDrafts(local, saved ?? { result: annotation.result, seconds: 0, updated_at: annotation.updated_at });
    return new EditorStore(iface, detail.task.data, merged.chosen?.result ?? annotation.result);
  }, [project, annotation, detail, drafts]);
  const rules = useMemo(() => compileTextRules(store.iface), [store]);
  const editor = useSyncExternalStore(store.subscribe, store.getSnapshot);
  const shared = useMemo(() => new WidgetShared(), []);
  const [notice, setNotice] = useState<{ tone: "error" | "warning"; text: string } | null>(
    annotation.review_state ? { tone: "warning", text: `This annotation was reviewed (${annotation.review_state}); it can no longer be changed.` } : null,
  );
  const [busy, setBusy] = useState(false);
  const [help, setHelp] = useState(false);
  const [guidelines, setGuidelines] = useState(false);
  const seconds = useMemo(() => () => clock.seconds(), [clock]);
  // The fix in progress is also autosaved on the server (the task's draft), so it survives
  // another browser or a cleared cache, not only a reload.
  const saver = useMemo(
    () => new Autosaver(async () => void (await api.queue.saveDraft(detail.task.id, store.result, clock.seconds()))),
    [detail, store, clock],
  );
  useEffect(() => () => void saver.flush(), [saver]);

  useEffect(
    () =>
      store.onResultChange((result) => {
        clock.activity();
        drafts.write({ taskId: detail.task.id, result, seconds: clock.seconds(), savedAt: new Date().toISOString(), syncedAt: annotation.updated_at });
        if (!annotation.review_state) saver.changed();
      }),
    [store, clock, drafts, detail, annotation, saver],
  );

  async function save(): Promise<void> {
    if (busy) return;
    const problems = localProblems(store.iface, store.result, rules);
    if (problems.length) {
      store.setServerProblems(problems);
      return;
    }
    setBusy(true);
    try {
      await saver.flush(); // no autosave may land after the edit and leave a stale draft
      saver.cancel();
      await api.annotations.edit(annotation.id, store.result, clock.seconds());
      drafts.remove(detail.task.id);
      navigate(`/projects/${project.id}/mine?saved=${annotation.id}`);
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) setNotice({ tone: "warning", text: error.message });
      else if (error instanceof ApiError && error.status === 422) {
        store.setServerProblems(error.problems);
        setNotice({ tone: "error", text: error.message });
      } else if (!(error instanceof ApiError && error.isUnauthorized)) setNotice({ tone: "error", text: error instanceof Error ? error.message : String(error) });
    } finally {
      setBusy(false);
    }
  }

  useAnnotateKeys({
    enabled: !help,
    store,
    submit: () => void save(),
    skip: () => {},
    guidelines: () => setGuidelines((open) => !open),
    help: () => setHelp(true),
  });

  return (
    <div className={guidelines ? "annotate annotate-with-guidelines" : "annotate"}>
      <div className="annotate-messages">
        <Notice tone="info" actions={<Link to={`/projects/${project.id}/mine`}>Back to my work</Link>}>
          Fixing your annotation #{annotation.id} of task #{detail.task.id} (version {annotation.version}). Save with the button below.
        </Notice>
        {notice ? <Notice tone={notice.tone}>{notice.text}</Notice> : null}
      </div>
      <div className="annotate-body">
        <div className="task" data-task-id={detail.task.id}>
          <TaskView store={store} data={detail.task.data} shared={shared} />
        </div>
        {guidelines ? <GuidelinesPanel markdown={project.guidelines} version={project.guidelines_version} onClose={() => setGuidelines(false)} /> : null}
      </div>
      <ActionBar
        canUndo={editor.canUndo}
        canRedo={editor.canRedo}
        saveState="pending"
        busy={busy ? "submitting" : null}
        seconds={seconds}
        guidelinesOpen={guidelines}
        onSubmit={() => void save()}
        onUndo={() => store.undo()}
        onRedo={() => store.redo()}
        onGuidelines={() => setGuidelines((open) => !open)}
        onHelp={() => setHelp(true)}
        submitLabel="Save changes"
      />
      {help ? <CheatSheet onClose={() => setHelp(false)} /> : null}
    </div>
  );
}
