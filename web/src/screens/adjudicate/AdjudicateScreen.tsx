import { useEffect, useMemo, useState, useSyncExternalStore } from "react";
import { api, type Json, type Project, type QuestionConsensus } from "../../api";
import { Layout } from "../../app/Layout";
import { Link } from "../../app/Link";
import { sameJson } from "../../editor/draft";
import type { Interface, QuestionSpec } from "../../editor/interface";
import { isShapeQuestion } from "../../kinds/questions/image/ImageFieldView";
import { shapeImageFields, ShownAnswer } from "../../kinds/questions/image/ShownAnswer";
import { WidgetShared } from "../../kinds/registry";
import { digitOf, isTypingTarget } from "../../kinds/types";
import { Kbd } from "../../ui/Kbd";
import { Loading } from "../../ui/Loading";
import { Notice } from "../../ui/Notice";
import { useLoad } from "../../ui/useLoad";
import { summary } from "../answerSummary";
import { answerLines } from "../manage/answerText";
import { CheatSheet } from "../annotate/dialogs";
import { GuidelinesPanel } from "../annotate/GuidelinesPanel";
import { TaskView } from "../annotate/TaskView";
import { useAnnotateKeys } from "../annotate/useAnnotateKeys";
import { AdjudicationDesk, type Opened } from "./adjudicationDesk";
import "./adjudicate.css";

export const ADJUDICATE_SHORTCUTS = [
  { keys: "1", what: "Take answer 1…9 as the final answer (Alt+1…9 while a question has the keyboard)" },
  { keys: "Mod+Enter", what: "Record the final answer as shown and go to the next task" },
  { keys: "s", what: "Pass: hand the task to another reviewer" },
  { keys: "Tab", what: "Next question of the final answer (Shift+Tab: previous); its keys edit it" },
  { keys: "Mod+Z", what: "Undo a change (Mod+Shift+Z: redo)" },
  { keys: "g", what: "Show or hide the guidelines" },
  { keys: "?", what: "Show this list" },
  { keys: "Esc", what: "Leave a text box; close a panel" },
];

/** `/projects/:id/adjudicate`: tasks whose answers disagree, one at a time, keyboard first. */
export function AdjudicateScreen({ projectId }: { projectId: number }) {
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
  const desk = useMemo(() => new AdjudicationDesk(project), [project]);
  const view = useSyncExternalStore(desk.subscribe, desk.getSnapshot);
  const [help, setHelp] = useState(false);
  const [guidelines, setGuidelines] = useState(false);

  useEffect(() => {
    void desk.next();
    return () => desk.dispose();
  }, [desk]);

  // 1…9 take that answer (a question widget that used the digit keeps it); Alt+1…9 always.
  useEffect(() => {
    function onKeyDown(event: KeyboardEvent): void {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.shiftKey || help) return;
      if (!event.altKey && isTypingTarget(event.target)) return;
      const digit = digitOf(event);
      if (digit === null || digit > 9 || desk.getSnapshot().phase !== "adjudicating") return;
      event.preventDefault();
      desk.pick(digit - 1);
    }
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, [desk, help]);

  const open = view.phase === "adjudicating" ? view.open : null;
  useAnnotateKeys({
    enabled: open !== null && !help,
    store: open?.store ?? null,
    submit: () => void desk.decide(),
    skip: () => void desk.pass(),
    guidelines: () => setGuidelines((shown) => !shown),
    help: () => setHelp(true),
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
            Nothing is waiting for adjudication in {project.name}
            {view.decided ? ` (you decided ${view.decided} in this sitting)` : ""}. A task comes here when its answers agree less than the project&apos;s
            threshold{project.agreement_threshold > 0 ? ` (${project.agreement_threshold})` : " (none is set: see Settings)"}; tasks you annotated go to
            other reviewers.
          </Notice>
        ) : null}
        {view.phase === "error" ? (
          <Notice tone="error" actions={<button onClick={() => void desk.next()}>Try again</button>}>
            The next task to adjudicate could not be loaded.
          </Notice>
        ) : null}
      </div>
      {open ? (
        <Adjudicating key={open.view.adjudication.id} desk={desk} open={open} busy={view.busy} project={project} guidelines={guidelines} onGuidelines={setGuidelines} onHelp={() => setHelp(true)} />
      ) : view.phase === "loading" ? (
        <p className="muted">Loading the next task to adjudicate…</p>
      ) : null}
      {help ? <CheatSheet onClose={() => setHelp(false)} shortcuts={ADJUDICATE_SHORTCUTS} /> : null}
    </div>
  );
}

interface AdjudicatingProps {
  desk: AdjudicationDesk;
  open: Opened;
  busy: "deciding" | "passing" | null;
  project: Project;
  guidelines: boolean;
  onGuidelines: (shown: boolean) => void;
  onHelp: () => void;
}

/** One task: why it is here, its answers side by side, and the final answer to record. */
function Adjudicating({ desk, open, busy, project, guidelines, onGuidelines, onHelp }: AdjudicatingProps) {
  const editor = useSyncExternalStore(open.store.subscribe, open.store.getSnapshot);
  const { adjudication, task, answers, consensus } = open.view;
  // The task's id lets the final answer's image questions use the assist (key A).
  const shared = useMemo(() => new WidgetShared(undefined, desk.engine, task.id), [desk, task.id]);
  // Each answer's shapes on its own copy of the image, read only, to compare them.
  const images = useMemo(() => shapeImageFields(desk.iface), [desk.iface]);
  const picked = answers.findIndex((answer) => sameJson(answer.result, editor.result));
  const byQuestion = new Map(consensus.map((row) => [row.question, row]));
  const questions = desk.iface.questions.map((q) => q.name);
  return (
    <>
      <div className="adjudication-head" data-adjudication-id={adjudication.id}>
        <strong>
          Task #{task.id}
          {task.external_id ? ` (${task.external_id})` : ""}
        </strong>
        <span className="muted small"> · {answers.length} answers · {adjudication.reason}</span>
      </div>
      <div className="adjudication-answers" role="list" aria-label="The task's answers: pick one (1…9) or take one question's answer">
        {answers.map((answer, index) => (
          <div
            key={answer.annotation_id}
            role="listitem"
            className={index === picked ? "adjudication-answer adjudication-answer-picked" : "adjudication-answer"}
            data-answer-index={index + 1}
          >
            <button type="button" className="adjudication-pick" onClick={() => desk.pick(index)} disabled={busy !== null} aria-pressed={index === picked}>
              {index < 9 ? <Kbd keys={String(index + 1)} /> : null} {answer.author_name || answer.author || `Annotator ${index + 1}`}
              <span className="muted small">{index === picked ? " · final answer" : " · use this answer"}</span>
            </button>
            {images.length ? <ShownAnswer iface={desk.iface} data={task.data} result={answer.result} fields={images} className="adjudication-images" /> : null}
            <dl className="adjudication-values">
              {questions.map((name) => {
                const value = answer.result[name];
                const same = sameJson(value ?? null, editor.result[name] ?? null);
                return (
                  <div key={name} className={same ? "adjudication-value adjudication-value-same" : "adjudication-value"}>
                    <dt>{name}</dt>
                    <dd>
                      {value === undefined ? <span className="muted">(not answered)</span> : shortValue(desk.iface, name, value)}
                      {!same && value !== undefined ? (
                        <button type="button" className="button-small" onClick={() => desk.take(index, name)} title={`Take ${name} from this answer into the final answer`}>
                          take
                        </button>
                      ) : null}
                    </dd>
                  </div>
                );
              })}
            </dl>
          </div>
        ))}
      </div>
      <Agreements iface={desk.iface} byQuestion={byQuestion} />
      <div className="annotate-body">
        <div className="task" data-task-id={task.id}>
          <TaskView store={open.store} data={task.data} shared={shared} header={<h2 className="adjudication-final-title">Final answer</h2>} />
        </div>
        {guidelines ? <GuidelinesPanel markdown={project.guidelines} version={project.guidelines_version} onClose={() => onGuidelines(false)} /> : null}
      </div>
      <footer className="action-bar" aria-label="Adjudication actions">
        <div className="action-group">
          <button type="button" className="button-primary" onClick={() => void desk.decide()} disabled={busy !== null}>
            {busy === "deciding" ? "Saving…" : picked >= 0 ? `Record answer ${picked + 1}` : "Record this final answer"} <Kbd keys="Mod+Enter" />
          </button>
          <button type="button" onClick={() => void desk.pass()} disabled={busy !== null}>
            Pass <Kbd keys="s" />
          </button>
          <button type="button" onClick={() => open.store.undo()} disabled={!editor.canUndo}>
            Undo <Kbd keys="Mod+Z" />
          </button>
        </div>
        <div className="action-group action-status">
          <span className="muted small" role="status" data-final-source={picked >= 0 ? `answer-${picked + 1}` : "written"}>
            {picked >= 0 ? `The final answer is answer ${picked + 1}, as ${answers[picked]?.author_name || "its author"} gave it` : "The final answer is your own (written or merged)"}
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

function Agreements({ iface, byQuestion }: { iface: Interface; byQuestion: Map<string, QuestionConsensus> }) {
  const questions = iface.questions.map((q) => q.name);
  return (
    <table className="adjudication-agreement">
      <caption className="muted small">Per question: how alike the answers are (1: all the same) and the consensus the final answer starts from</caption>
      <thead>
        <tr>
          <th scope="col">Question</th>
          <th scope="col">Agreement</th>
          <th scope="col">Consensus</th>
          <th scope="col">Confidence</th>
        </tr>
      </thead>
      <tbody>
        {questions.map((name) => {
          const row = byQuestion.get(name);
          const low = row?.agreement !== null && row?.agreement !== undefined && row.agreement < 0.5;
          return (
            <tr key={name} data-question={name}>
              <th scope="row">{name}</th>
              <td className={low ? "agreement-low" : undefined}>{row?.agreement === null || row?.agreement === undefined ? "–" : row.agreement.toFixed(2)}</td>
              <td>{row?.answer === null || row?.answer === undefined ? <span className="muted">none</span> : shortValue(iface, name, row.answer)}</td>
              <td>{row?.confidence === null || row?.confidence === undefined ? "–" : row.confidence.toFixed(2)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** One question's answer in a few words (without the question's name); shapes as how many of
 * each label ("3 objects: 2 car, 1 person"), an image's class by its option's name. */
function shortValue(iface: Interface, name: string, value: Json): string {
  const question: QuestionSpec | undefined = iface.questions.find((q) => q.name === name);
  if (question && (isShapeQuestion(question) || question.kind === "image_class")) return answerLines(question, value).join(" · ");
  return summary({ [name]: value }).slice(name.length + 2);
}
