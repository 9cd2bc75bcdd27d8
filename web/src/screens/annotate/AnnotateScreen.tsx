import { useEffect, useMemo, useState, useSyncExternalStore } from "react";
import { api, type Project } from "../../api";
import { Layout } from "../../app/Layout";
import { Link } from "../../app/Link";
import { useSession } from "../../app/session";
import { WidgetShared } from "../../kinds/registry";
import type { ModelAsk } from "../../kinds/widgetShared";
import { Loading } from "../../ui/Loading";
import { Kbd } from "../../ui/Kbd";
import { Notice } from "../../ui/Notice";
import { useLoad } from "../../ui/useLoad";
import { ActionBar } from "./ActionBar";
import { CheatSheet, SkipDialog } from "./dialogs";
import { OriginalityDialog } from "./OriginalityDialog";
import { GuidelinesPanel } from "./GuidelinesPanel";
import { GuidelinesAcknowledge } from "../guidelines/GuidelinesAcknowledge";
import { useGuidelinesOf } from "../guidelines/currentGuidelines";
import { FeedbackPanel, PracticeBanner } from "./PracticePanels";
import { FaqPanel } from "../flags/FaqPanel";
import { FlagControl } from "../flags/FlagDialog";
import { AnnotateSession, type SessionView, type Suggestion } from "./session";
import { TaskView } from "./TaskView";
import { ExposureNote, optInSaved, SensitiveOptIn, TaskShield } from "../../sensitive/TaskShield";
import { useAnnotateKeys } from "./useAnnotateKeys";
import { useServerChecks } from "../../editor/serverChecks";
import { usePageLifecycle } from "./usePageLifecycle";

/** `/projects/:id/annotate`: the queue. */
export function AnnotateScreen({ projectId }: { projectId: number }) {
  const [state, reload] = useLoad(() => api.projects.get(projectId), `project:${projectId}`);
  const project = state.status === "ready" ? state.value : null;
  return (
    <Layout
      wide
      project={project}
      actions={
        <>
          <SensitiveOptIn projectId={projectId} />
          <Link to={`/projects/${projectId}/mine`} className="button button-quiet">
            My work
          </Link>
        </>
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
  const mode = new URLSearchParams(window.location.search).get("mode") === "training" ? "training" : null;
  const annotate = useMemo(() => new AnnotateSession(project, userId, window.localStorage, { mode }), [project, userId, mode]);
  const view = useSyncExternalStore(annotate.subscribe, annotate.getSnapshot);
  useGuidelinesOf(project); // the sections shown beside questions (docs/guidelines.md)
  useServerChecks(project.id); // declared checks only the server runs (docs/checks.md)
  const [announcement, setAnnouncement] = useState("");
  const shared = useMemo(
    () => new WidgetShared(setAnnouncement, annotate.keeper.engine, view.phase.kind === "task" ? view.phase.task.id : null),
    // a fresh set of widget states for every task
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [view.phase.kind === "task" ? view.phase.task.id : null],
  );
  // The image widgets' Smart tool asks the interactive model server through the session.
  const offered = view.modelOffer !== null;
  useEffect(() => {
    const ask: ModelAsk = (context) => annotate.askModelAbout(context);
    shared.model.set(offered ? () => ask : null); // (a function given to set() is an updater)
  }, [shared, offered, annotate]);
  const [guidelines, setGuidelines] = useState(() => window.localStorage.getItem("accord.guidelines") === "open");
  const [dialog, setDialog] = useState<"help" | "skip" | null>(null);
  const [flagging, setFlagging] = useState(false); // "Flag as unclear" (key q)

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
    enabled: dialog === null && !flagging,
    store,
    submit: () => void annotate.submit({ byKey: true }),
    skip: () => store && !view.practice && setDialog("skip"),
    guidelines: toggleGuidelines,
    help: () => setDialog("help"),
    suggestion: store && view.suggestion ? () => (view.suggestion?.applied ? annotate.clearSuggestion() : annotate.useSuggestion()) : null,
    ask: store && view.modelOffer ? () => void annotate.askModel() : null,
    letters: { q: () => store && !view.practice && setFlagging(true) },
  });

  return (
    <div className={guidelines ? "annotate annotate-with-guidelines" : "annotate"}>
      <div className="visually-hidden" aria-live="polite">
        {announcement}
      </div>
      <Messages view={view} annotate={annotate} />
      <div className="annotate-body">
        <Body view={view} annotate={annotate} shared={shared} project={project} />
        {guidelines ? (
          <GuidelinesPanel markdown={project.guidelines} version={project.guidelines_version} projectId={project.id} onClose={toggleGuidelines}>
            <FaqPanel projectId={project.id} guidelines={project.guidelines} />
          </GuidelinesPanel>
        ) : null}
      </div>
      {store ? <StoreActionBar view={view} annotate={annotate} guidelines={guidelines} onGuidelines={toggleGuidelines} onHelp={() => setDialog("help")} onSkip={() => setDialog("skip")} onFlag={() => setFlagging(true)} /> : null}
      {dialog === "help" ? <CheatSheet onClose={() => setDialog(null)} /> : null}
      <OriginalityDialog />
      <FlagControl
        open={flagging}
        taskId={view.phase.kind === "task" ? view.phase.task.id : null}
        guidelines={project.guidelines}
        onClose={() => setFlagging(false)}
        onSkip={(reason) => void annotate.skip(reason)}
      />
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
  onFlag,
}: {
  view: SessionView;
  annotate: AnnotateSession;
  guidelines: boolean;
  onGuidelines: () => void;
  onHelp: () => void;
  onSkip: () => void;
  onFlag: () => void;
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
      touched={editor.revision > 0}
      busy={view.busy}
      seconds={seconds}
      guidelinesOpen={guidelines}
      onSubmit={() => void annotate.submit()}
      onSkip={view.practice ? undefined : onSkip}
      onFlag={view.practice ? undefined : onFlag}
      onUndo={() => store.undo()}
      onRedo={() => store.redo()}
      onGuidelines={onGuidelines}
      onHelp={onHelp}
      onSuggest={view.modelOffer ? () => void annotate.askModel() : undefined}
      suggesting={view.asking}
    />
  );
}

const noSubscribe = (): (() => void) => () => {};
const noSnapshot = (): null => null;

function Messages({ view, annotate }: { view: SessionView; annotate: AnnotateSession }) {
  const suggestion = view.phase.kind === "task" ? view.suggestion : null;
  const practice = view.phase.kind === "task" || view.phase.kind === "feedback" ? view.practice : null;
  if (!view.notice && !view.otherDraft && !suggestion && !practice) return null;
  return (
    <div className="annotate-messages">
      {practice ? <PracticeBanner practice={practice} /> : null}
      {suggestion ? <SuggestionBanner suggestion={suggestion} annotate={annotate} /> : null}
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

/** The model's suggestion: which model, how sure, and a way to take it out (or put it in). */
function SuggestionBanner({ suggestion, annotate }: { suggestion: Suggestion; annotate: AnnotateSession }) {
  const model = (
    <>
      <strong className="suggestion-model">{suggestion.modelVersion}</strong>, {suggestion.score === null ? "no score given" : `score ${formatScore(suggestion.score)}`}
    </>
  );
  const others = suggestion.count > 1 ? ` ${suggestion.count} models predicted this task; this one scored highest.` : "";
  return (
    <div className="suggestion-banner" role="status" data-suggestion={suggestion.modelVersion}>
      <span className="suggestion-tag">Model suggestion</span>
      <span className="suggestion-text">
        {suggestion.applied ? (
          <>
            Pre-filled with a model’s answers ({model}). Answers marked <em>Suggested</em> are the model’s: check each one and change what is wrong; submitting accepts the
            rest.{others}
          </>
        ) : (
          <>
            A model suggested answers for this task ({model}); your own work is shown.{others}
          </>
        )}
      </span>
      {suggestion.applied ? (
        <button type="button" className="button-quiet" onClick={() => annotate.clearSuggestion()}>
          Start blank instead <Kbd keys="m" />
        </button>
      ) : (
        <button type="button" className="button-quiet" onClick={() => annotate.useSuggestion()}>
          Use the suggestion <Kbd keys="m" />
        </button>
      )}
    </div>
  );
}

function formatScore(score: number): string {
  return Number.isInteger(score) ? String(score) : score.toFixed(Math.abs(score) < 10 ? 2 : 1);
}

function Body({ view, annotate, shared, project }: { view: SessionView; annotate: AnnotateSession; shared: WidgetShared; project: Project }) {
  const phase = view.phase;
  if (phase.kind === "loading") return <p className="annotate-status muted">Getting your next task…</p>;
  if (phase.kind === "error" && phase.code === "guidelines_unacknowledged")
    return <GuidelinesAcknowledge projectId={project.id} onDone={() => void annotate.start()} />;
  if (phase.kind === "error")
    return (
      <div className="annotate-status">
        <Notice tone="error" actions={<button type="button" onClick={() => void annotate.start()}>Try again</button>}>
          {phase.message}
        </Notice>
      </div>
    );
  if (phase.kind === "feedback") return <FeedbackPanel feedback={phase.feedback} given={phase.given} onContinue={() => annotate.continue()} />;
  if (phase.kind === "done")
    return (
      <div className="annotate-status done" role="status">
        <h1>All done here</h1>
        <p>
          There is nothing left for you in <strong>{project.name}</strong> right now
          {view.submitted ? `; you submitted ${view.submitted} task${view.submitted === 1 ? "" : "s"} in this sitting` : ""}.
        </p>
        <ExposureNote projectId={project.id} />
        <p className="done-actions">
          <button type="button" onClick={() => void optInSaved().then(() => annotate.start())}>
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
  const suggestion = view.suggestion ? { result: view.suggestion.result, by: `model ${view.suggestion.modelVersion}` } : null;
  return (
    // Keyed by task: a new task starts with both columns scrolled to the top.
    <div className="task" data-task-id={phase.task.id} key={phase.task.id}>
      <TaskShield projectId={project.id} taskId={phase.task.id} sensitive={phase.task.sensitive}>
        {(shieldBar) => (
          <TaskView
            store={phase.store}
            data={phase.task.data}
            shared={shared}
            suggestion={suggestion}
            header={
              <>
                <p className="task-meta muted small">
                  Task {phase.task.external_id ?? `#${phase.task.id}`} · {project.progress.tasks.toLocaleString()} in project
                  {view.submitted ? ` · ${view.submitted} done this sitting` : ""}
                </p>
                {shieldBar}
              </>
            }
          />
        )}
      </TaskShield>
    </div>
  );
}
