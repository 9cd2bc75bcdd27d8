import { Fragment, useEffect, useMemo, useState, useSyncExternalStore } from "react";
import { api, type Project } from "../../api";
import { Layout } from "../../app/Layout";
import { Link } from "../../app/Link";
import { WidgetShared } from "../../kinds/registry";
import { Kbd } from "../../ui/Kbd";
import { Loading } from "../../ui/Loading";
import { Notice } from "../../ui/Notice";
import { useLoad } from "../../ui/useLoad";
import { GuidelinesPanel } from "../annotate/GuidelinesPanel";
import { GuidelineSection } from "../guidelines/GuidelineSection";
import { useGuidelinesOf } from "../guidelines/currentGuidelines";
import { TaskView } from "../annotate/TaskView";
import { TaskShield } from "../../sensitive/TaskShield";
import { useAnnotateKeys } from "../annotate/useAnnotateKeys";
import { FlagControl } from "../flags/FlagDialog";
import { RejectDialog, ReviewCheatSheet } from "./dialogs";
import { ReviewDesk, type Open } from "./reviewDesk";
import { PastRounds } from "./ReviewFeedback";
import { OriginalityNote } from "./OriginalityNote";
import "./review.css";

const REASONS: Record<string, string> = {
  all: "the project reviews everything",
  share: "drawn at random for review",
  first: "one of the author's first submissions",
  resubmitted: "resubmitted after a rejection",
  low_confidence: "the model was unsure of this task",
  disagrees: "the answer disagrees with the task's earlier answers",
  low_gold: "the author's gold score is low",
  fast: "made much faster than the project's median time",
  not_original: "close to earlier work (originality)",
};

const FIXING = "Changed: accepting saves your fix; the author's answer is kept";
const AS_SUBMITTED = "As the author submitted it";

/** `/projects/:id/review`: the reviewer's queue, one annotation at a time, keyboard first. */
export function ReviewScreen({ projectId }: { projectId: number }) {
  const [state, reload] = useLoad(() => api.projects.get(projectId), `project:${projectId}`);
  const project = state.status === "ready" ? state.value : null;
  return (
    <Layout wide project={project}>
      <Loading state={state} retry={reload}>
        {(loaded) => <Desk project={loaded} />}
      </Loading>
    </Layout>
  );
}

function Desk({ project }: { project: Project }) {
  const desk = useMemo(() => new ReviewDesk(project), [project]);
  const view = useSyncExternalStore(desk.subscribe, desk.getSnapshot);
  useGuidelinesOf(project); // sections linked from questions and checklist items
  const [rejecting, setRejecting] = useState(false);
  const [help, setHelp] = useState(false);
  const [guidelines, setGuidelines] = useState(false);
  const [flagging, setFlagging] = useState(false); // "Flag as unclear" (key q)

  useEffect(() => {
    void desk.next();
    return () => desk.dispose();
  }, [desk]);

  // Alt+1…9 ticks (or unticks) the checklist's items as failed.
  useEffect(() => {
    function onKeyDown(event: KeyboardEvent): void {
      if (!event.altKey || event.ctrlKey || event.metaKey || rejecting || help) return;
      const digit = /^Digit([1-9])$/.exec(event.code)?.[1];
      const item = digit ? project.checklist[Number(digit) - 1] : undefined;
      if (!item || desk.getSnapshot().phase !== "reviewing") return;
      event.preventDefault();
      desk.toggleFailed(item.id);
    }
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, [desk, project, rejecting, help]);

  const open = view.phase === "reviewing" ? view.open : null;
  useAnnotateKeys({
    enabled: open !== null && !rejecting && !help && !flagging,
    store: open?.store ?? null,
    submit: () => void desk.approve(),
    skip: () => void desk.pass(),
    guidelines: () => setGuidelines((shown) => !shown),
    help: () => setHelp(true),
    letters: { r: () => setRejecting(true), q: () => setFlagging(true) },
  });

  return (
    <div className={guidelines ? "annotate annotate-with-guidelines" : "annotate"}>
      <div className="annotate-messages">
        {view.notice ? <Notice tone={view.notice.tone}>{view.notice.text}</Notice> : null}
        {view.phase === "empty" ? (
          <Notice
            tone="info"
            actions={
              <>
                <button type="button" onClick={() => void desk.next()}>
                  Check again
                </button>
                <Link to="/">Back to projects</Link>
              </>
            }
          >
            Nothing is waiting for your review in {project.name}
            {view.decided ? ` (you decided ${view.decided} in this sitting)` : ""}. Annotations come here as they are submitted, by the project's
            review policy; your own work goes to other reviewers.
          </Notice>
        ) : null}
        {view.phase === "error" ? (
          <Notice tone="error" actions={<button onClick={() => void desk.next()}>Try again</button>}>
            The next review could not be loaded.
          </Notice>
        ) : null}
      </div>
      {open ? (
        <Reviewing
          key={open.review.id}
          desk={desk}
          open={open}
          busy={view.busy}
          failed={view.failed}
          guidelines={guidelines}
          project={project}
          onGuidelines={setGuidelines}
          onReject={() => setRejecting(true)}
          onHelp={() => setHelp(true)}
          onFlag={() => setFlagging(true)}
        />
      ) : view.phase === "loading" ? (
        <p className="muted">Loading the next review…</p>
      ) : null}
      {rejecting && open ? (
        <RejectDialog
          questions={desk.iface.questions.map((q) => q.name)}
          onClose={() => setRejecting(false)}
          onReject={async (comment, comments) => {
            if (await desk.reject(comment, comments)) setRejecting(false);
          }}
          error={view.notice?.tone === "error" ? view.notice.text : null}
        />
      ) : null}
      {help ? <ReviewCheatSheet onClose={() => setHelp(false)} /> : null}
      <FlagControl open={flagging} taskId={open?.task.id ?? null} guidelines={project.guidelines} onClose={() => setFlagging(false)} />
    </div>
  );
}

interface ReviewingProps {
  desk: ReviewDesk;
  open: Open;
  busy: "deciding" | "passing" | null;
  failed: string[];
  project: Project;
  guidelines: boolean;
  onGuidelines: (shown: boolean) => void;
  onReject: () => void;
  onHelp: () => void;
  onFlag: () => void;
}

/** One annotation under review: who and why, the task with the answer (editable: a change is
 * the fix), and the decisions with their keys. */
function Reviewing({ desk, open, busy, failed, project, guidelines, onGuidelines, onReject, onHelp, onFlag }: ReviewingProps) {
  const editor = useSyncExternalStore(open.store.subscribe, open.store.getSnapshot);
  const changed = desk.changed();
  const { review, annotation, task } = open;
  // The task's id lets the image questions use the assist (key A) while fixing the answer.
  const shared = useMemo(() => new WidgetShared(undefined, desk.engine, task.id), [desk, task.id]);
  return (
    <>
      <div className="review-head" data-review-id={review.id}>
        <strong>
          Annotation #{annotation.id} by {review.author_name || review.author || "an annotator"}
        </strong>
        <span className="muted small">
          {" "}
          · task #{task.id}
          {task.external_id ? ` (${task.external_id})` : ""} · version {annotation.version} · round {review.round}: {REASONS[review.reason] ?? review.reason}
        </span>
        {review.round > 1 ? <PastRounds annotationId={annotation.id} /> : null}
        <OriginalityNote annotationId={annotation.id} result={annotation.result} />
        {project.checklist.length ? (
          <fieldset className="review-checklist">
            <legend>Checklist: tick what it fails (Alt+number)</legend>
            {project.checklist.map((item, i) => (
              <Fragment key={item.id}>
                <label className={`checklist-item severity-${item.severity}`}>
                  <input type="checkbox" checked={failed.includes(item.id)} onChange={() => desk.toggleFailed(item.id)} data-checklist-item={item.id} />
                  {i < 9 ? <Kbd keys={`Alt+${i + 1}`} /> : null} <span className="checklist-severity">{item.severity}</span> {item.text}
                </label>
                <GuidelineSection anchor={item.guideline ?? undefined} active={false} />
              </Fragment>
            ))}
          </fieldset>
        ) : null}
      </div>
      <div className="annotate-body">
        <div className="task" data-task-id={task.id}>
          <TaskShield projectId={project.id} taskId={task.id} sensitive={task.sensitive}>
            {(shieldBar) => <TaskView store={open.store} data={task.data} shared={shared} header={shieldBar} />}
          </TaskShield>
        </div>
        {guidelines ? <GuidelinesPanel markdown={project.guidelines} version={project.guidelines_version} onClose={() => onGuidelines(false)} /> : null}
      </div>
      <footer className="action-bar" aria-label="Review actions">
        <div className="action-group">
          <button type="button" className="button-primary" onClick={() => void desk.approve()} disabled={busy !== null}>
            {busy === "deciding" ? "Saving…" : changed ? "Fix and accept" : "Accept"} <Kbd keys="Mod+Enter" />
          </button>
          <button type="button" className="button-danger" onClick={onReject} disabled={busy !== null}>
            Reject… <Kbd keys="r" />
          </button>
          <button type="button" onClick={() => void desk.pass()} disabled={busy !== null}>
            Pass <Kbd keys="s" />
          </button>
          <button type="button" onClick={onFlag} disabled={busy !== null}>
            Flag as unclear <Kbd keys="q" />
          </button>
          <button type="button" onClick={() => open.store.undo()} disabled={!editor.canUndo}>
            Undo <Kbd keys="Mod+Z" />
          </button>
        </div>
        <div className="action-group action-status">
          {/* save-state: the status gives way (cut short, whole in its title) before the buttons wrap or are covered. */}
          <span className="save-state" role="status" data-review-changed={changed} title={changed ? FIXING : AS_SUBMITTED}>
            {changed ? FIXING : AS_SUBMITTED}
          </span>
        </div>
        <div className="action-group">
          <button type="button" aria-pressed={guidelines} onClick={() => onGuidelines(!guidelines)}>
            Guidelines <Kbd keys="g" />
          </button>
          <button type="button" onClick={onHelp}>
            Shortcuts <Kbd keys="?" />
          </button>
        </div>
      </footer>
    </>
  );
}
