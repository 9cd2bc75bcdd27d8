import { useEffect, useMemo, useState } from "react";
import { api, type Annotation, type AnnotationVersion, type JsonObject, type Prediction, type Project, type Skip, type TaskDetail } from "../../api";
import { Link } from "../../app/Link";
import { parseInterface, titleOf, type Interface } from "../../editor/interface";
import { ShownAnswer } from "../../kinds/questions/image/ShownAnswer";
import { ConfirmDialog } from "../../ui/ConfirmDialog";
import { Loading } from "../../ui/Loading";
import { Notice } from "../../ui/Notice";
import { useLoad } from "../../ui/useLoad";
import { answerLines } from "./answerText";
import { lastSearch } from "./data/filters";
import { isHandled, messageOf } from "./errors";
import { PastRounds } from "../review/ReviewFeedback";
import { canManage, ManageLayout } from "./ManageLayout";
import { TaskFlags } from "../../sensitive/TaskFlags";
import { TaskShield } from "../../sensitive/TaskShield";

const STATUS_NAMES = { new: "New", in_progress: "In progress", complete: "Complete" } as const;

/** `/projects/:id/tasks/:task`: a task's data, every annotation, and each one's history. */
export function TaskScreen({ projectId, taskId }: { projectId: number; taskId: number }) {
  return (
    <ManageLayout projectId={projectId} need="review">
      {(project) => <TaskPage project={project} taskId={taskId} />}
    </ManageLayout>
  );
}

function TaskPage({ project, taskId }: { project: Project; taskId: number }) {
  const [state, reload] = useLoad(() => api.tasks.get(taskId), `task:${taskId}`);
  const [outcome, setOutcome] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const remove = async (annotation: Annotation): Promise<void> => {
    setOutcome(null);
    try {
      await api.annotations.delete(annotation.id);
      setOutcome({ tone: "success", text: `Annotation ${annotation.id} by ${authorOf(annotation)} deleted: the task is back in the queue for one more answer.` });
    } catch (error) {
      if (!isHandled(error)) setOutcome({ tone: "error", text: `Could not delete annotation ${annotation.id}: ${messageOf(error)}` });
    }
    reload();
  };
  return (
    <div className="manage-page">
      <p className="crumbs small">
        <Link to={`/projects/${project.id}/data${lastSearch.get(project.id) ?? ""}`}>← Data</Link>
      </p>
      <div aria-live="polite">{outcome ? <Notice tone={outcome.tone}>{outcome.text}</Notice> : null}</div>
      <Loading state={state} retry={reload}>
        {(detail) => <TaskDetailView project={project} detail={detail} onDelete={canManage(project) ? remove : null} />}
      </Loading>
    </div>
  );
}

/** Who wrote an annotation, as the caller may see it: the name, else the email. */
export function authorOf(annotation: Annotation): string {
  return annotation.annotator_name || annotation.annotator || "a member";
}

/** What the data shows the marks of: an annotation, one of its past versions, or a prediction. */
type Shown = { kind: "annotation"; id: number } | { kind: "version"; id: number; version: AnnotationVersion } | { kind: "prediction"; index: number } | null;

/** What the data shows marks of at first: the annotation in the address, else the first one, else the first prediction. */
function firstShown({ annotations, predictions }: TaskDetail): Shown {
  const wanted = /^#annotation-(\d+)$/.exec(window.location.hash);
  const asked = wanted ? annotations.find((a) => a.id === Number(wanted[1])) : undefined;
  const annotation = asked ?? annotations[0];
  if (annotation) return { kind: "annotation", id: annotation.id };
  return predictions.length ? { kind: "prediction", index: 0 } : null;
}

interface TaskDetailViewProps {
  project: Project;
  detail: TaskDetail;
  /** Managers: delete an annotation; null for reviewers. */
  onDelete: ((annotation: Annotation) => Promise<void>) | null;
}

function TaskDetailView({ project, detail, onDelete }: TaskDetailViewProps) {
  const iface = useMemo(() => parseInterface(project.interface), [project.interface]);
  const { task, annotations, predictions } = detail;
  const [shown, setShown] = useState<Shown>(() => firstShown(detail));
  useEffect(() => {
    // Opened for one annotation (`#annotation-12`, from the orphan refusal): bring it into view.
    const wanted = /^#annotation-(\d+)$/.exec(window.location.hash);
    if (wanted) document.getElementById(`annotation-${wanted[1]}`)?.scrollIntoView({ block: "center" });
  }, []);
  const [deleting, setDeleting] = useState<Annotation | null>(null);
  const [busy, setBusy] = useState(false);
  const selected = shown?.kind === "annotation" || shown?.kind === "version" ? (annotations.find((a) => a.id === shown.id) ?? null) : null;
  const version = shown?.kind === "version" ? shown.version : null;
  const prediction = shown?.kind === "prediction" ? (predictions[shown.index] ?? null) : null;
  const marks = version?.result ?? selected?.result ?? prediction?.result ?? {};
  return (
    <div className="task-detail" data-task={task.id}>
      <header className="task-detail-head">
        <h1>
          Task {task.id}
          {task.external_id ? <span className="muted"> · {task.external_id}</span> : null}
        </h1>
        <span className={`status status-${task.status}`}>{STATUS_NAMES[task.status]}</span>
        <TaskFlags task={task} />
        <span className="muted small">
          {task.annotations} of {project.overlap} annotation{project.overlap === 1 ? "" : "s"} · imported {new Date(task.created_at).toLocaleString()}
        </span>
      </header>
      <div className="task-detail-body">
        {/* A sensitive task's data blurred until revealed (the Reveal button, or h), as on the annotate and review screens. */}
        <TaskShield projectId={project.id} taskId={task.id} sensitive={task.sensitive} atWork={false}>
          {(shieldBar) => (
            <section className="task-detail-data" aria-label="Task data">
              {shieldBar}
              {shown ? (
                <p className="muted small task-detail-shown" data-shown={shownKey(shown)}>
                  {selected && version ? `Shown in the data: ${authorOf(selected)}'s answers as of version ${version.version} (annotation ${selected.id}).` : null}
                  {selected && !version ? `Shown in the data: ${authorOf(selected)}'s answers (annotation ${selected.id}, version ${selected.version}).` : null}
                  {prediction ? `Shown in the data: model ${prediction.model_version}'s prediction.` : null}
                </p>
              ) : null}
              <ShownAnswer iface={iface} data={task.data} result={marks} className="task-data task-detail-fields" />
            </section>
          )}
        </TaskShield>
        <section className="task-detail-work" aria-label="Annotations">
          <h2>
            Annotations <span className="muted">({annotations.length})</span>
          </h2>
          {annotations.length === 0 ? <p className="empty">Nobody has submitted an annotation for this task yet.</p> : null}
          {annotations.map((annotation) => (
            <AnnotationCard
              key={annotation.id}
              annotation={annotation}
              iface={iface}
              data={task.data}
              shown={shown?.kind === "annotation" && shown.id === annotation.id}
              shownVersion={shown?.kind === "version" && shown.id === annotation.id ? shown.version.version : null}
              onShow={() => setShown({ kind: "annotation", id: annotation.id })}
              onShowVersion={(v) => setShown({ kind: "version", id: annotation.id, version: v })}
              onDelete={onDelete ? () => setDeleting(annotation) : null}
            />
          ))}
          <Skips skips={detail.skips} />
          {predictions.length ? (
            <>
              <h2>Predictions</h2>
              {predictions.map((p, i) => (
                <PredictionCard key={i} prediction={p} iface={iface} data={task.data} shown={prediction === p} onShow={() => setShown({ kind: "prediction", index: i })} />
              ))}
            </>
          ) : null}
        </section>
      </div>
      {deleting && onDelete ? (
        <ConfirmDialog
          title={`Delete annotation ${deleting.id}?`}
          confirmLabel="Delete annotation"
          tone="danger"
          busy={busy}
          onCancel={() => setDeleting(null)}
          onConfirm={() => {
            setBusy(true);
            void onDelete(deleting).finally(() => {
              setBusy(false);
              setDeleting(null);
            });
          }}
        >
          <p>
            {authorOf(deleting)}'s annotation (version {deleting.version}) and its history will be deleted. The task goes back to the queue for one
            more answer, from anyone.
          </p>
          <p className="muted small">This cannot be undone. The audit log keeps what was deleted.</p>
        </ConfirmDialog>
      ) : null}
    </div>
  );
}

/** Who skipped the task, when, and why (managers see emails; reviewers names). */
function Skips({ skips }: { skips: Skip[] }) {
  if (skips.length === 0) return null;
  return (
    <section className="task-skips" aria-label="Skips">
      <h2>
        Skipped <span className="muted">({skips.length})</span>
      </h2>
      <ul className="skip-list">
        {skips.map((skip) => (
          <li key={skip.user_id} className="skip-item">
            <strong>{skip.name || skip.email || `Member #${skip.user_id}`}</strong>
            {skip.email && skip.name ? <span className="muted small"> {skip.email}</span> : null}
            <span className="muted small"> · {new Date(skip.at).toLocaleString()}</span>
            <div className="skip-reason">{skip.reason ? `“${skip.reason}”` : <span className="muted">no reason given</span>}</div>
          </li>
        ))}
      </ul>
    </section>
  );
}

function PredictionCard({ prediction, iface, data, shown, onShow }: { prediction: Prediction; iface: Interface; data: JsonObject; shown: boolean; onShow: () => void }) {
  return (
    <article className={shown ? "annotation-card annotation-card-shown" : "annotation-card"} data-prediction={prediction.model_version}>
      <header className="annotation-head">
        <strong>{prediction.model_version}</strong>
        {prediction.score !== null ? <span className="muted small">score {prediction.score}</span> : null}
      </header>
      <Answers iface={iface} result={prediction.result} data={data} />
      <div className="annotation-actions">
        <button type="button" onClick={onShow} aria-pressed={shown} disabled={shown}>
          {shown ? "Shown in the data" : "Show in the data"}
        </button>
      </div>
    </article>
  );
}

function shownKey(shown: Shown): string {
  if (shown === null) return "";
  if (shown.kind === "prediction") return `prediction-${shown.index}`;
  return shown.kind === "version" ? `annotation-${shown.id}-v${shown.version.version}` : `annotation-${shown.id}`;
}

interface AnnotationCardProps {
  annotation: Annotation;
  iface: Interface;
  data: JsonObject;
  /** The annotation as it is now is shown in the data. */
  shown: boolean;
  /** Which of its past versions is shown in the data, if one is. */
  shownVersion: number | null;
  onShow: () => void;
  onShowVersion: (version: AnnotationVersion) => void;
  onDelete: (() => void) | null;
}

function AnnotationCard({ annotation, iface, data, shown, shownVersion, onShow, onShowVersion, onDelete }: AnnotationCardProps) {
  const [history, setHistory] = useState(false);
  const author = authorOf(annotation);
  return (
    <article
      id={`annotation-${annotation.id}`}
      className={shown || shownVersion !== null ? "annotation-card annotation-card-shown" : "annotation-card"}
      data-annotation={annotation.id}
      aria-label={`Annotation ${annotation.id} by ${author}`}
    >
      <header className="annotation-head">
        <strong>{author}</strong>
        {annotation.annotator && annotation.annotator_name ? <span className="muted small">{annotation.annotator}</span> : null}
        <span className="muted small">
          annotation {annotation.id} · version {annotation.version} · {formatSeconds(annotation.seconds)} · {new Date(annotation.updated_at).toLocaleString()}
        </span>
        {annotation.review_state ? <span className={`badge badge-${annotation.review_state}`}>{annotation.review_state}</span> : null}
      </header>
      <Answers iface={iface} result={annotation.result} data={data} />
      {annotation.review_state ? <PastRounds annotationId={annotation.id} /> : null}
      <div className="annotation-actions">
        <button type="button" onClick={onShow} aria-pressed={shown} disabled={shown}>
          {shown ? "Shown in the data" : "Show in the data"}
        </button>
        <button type="button" onClick={() => setHistory((open) => !open)} aria-expanded={history}>
          {history ? "Hide history" : `History (${annotation.version} version${annotation.version === 1 ? "" : "s"})`}
        </button>
        {onDelete ? (
          <button type="button" className="annotation-delete" onClick={onDelete}>
            Delete annotation
          </button>
        ) : null}
      </div>
      {history ? <VersionList annotationId={annotation.id} iface={iface} data={data} shown={shownVersion} onShow={onShowVersion} /> : null}
    </article>
  );
}

function Answers({ iface, result, data, changed }: { iface: Interface; result: JsonObject; data: JsonObject; changed?: Set<string> }) {
  const answered = iface.questions.filter((q) => result[q.name] !== undefined);
  const extra = Object.keys(result).filter((name) => !iface.questions.some((q) => q.name === name));
  if (answered.length === 0 && extra.length === 0) return <p className="muted small">No answers.</p>;
  return (
    <dl className="answers">
      {answered.map((question) => (
        <div key={question.name} className={changed?.has(question.name) ? "answer answer-changed" : "answer"} data-answer={question.name}>
          <dt>
            {titleOf(question)}
            {changed?.has(question.name) ? <span className="badge"> changed</span> : null}
          </dt>
          <dd>
            {answerLines(question, result[question.name], data).map((line, i) => (
              <div key={i} className="answer-line">
                {line}
              </div>
            ))}
          </dd>
        </div>
      ))}
      {extra.map((name) => (
        <div key={name} className="answer">
          <dt>{name}</dt>
          <dd>
            <code>{JSON.stringify(result[name])}</code>
          </dd>
        </div>
      ))}
    </dl>
  );
}

interface VersionListProps {
  annotationId: number;
  iface: Interface;
  data: JsonObject;
  /** The version shown in the data, if one is. */
  shown: number | null;
  onShow: (version: AnnotationVersion) => void;
}

function VersionList({ annotationId, iface, data, shown, onShow }: VersionListProps) {
  const [state, reload] = useLoad(() => api.annotations.versions(annotationId), `versions:${annotationId}`);
  return (
    <div className="versions">
      <Loading state={state} retry={reload}>
        {(versions) => (
          <ol className="version-list" reversed>
            {[...versions]
              .sort((a, b) => b.version - a.version)
              .map((version, i, sorted) => (
                <li key={version.version} className="version" data-version={version.version}>
                  <p className="small">
                    <strong>Version {version.version}</strong> · {new Date(version.created_at).toLocaleString()} · {formatSeconds(version.seconds)}{" "}
                    <button type="button" onClick={() => onShow(version)} aria-pressed={shown === version.version} disabled={shown === version.version}>
                      {shown === version.version ? "Shown in the data" : "Show in the data"}
                    </button>
                  </p>
                  <Answers iface={iface} result={version.result} data={data} changed={changesFrom(sorted[i + 1], version)} />
                </li>
              ))}
          </ol>
        )}
      </Loading>
    </div>
  );
}

function changesFrom(before: AnnotationVersion | undefined, after: AnnotationVersion): Set<string> {
  const out = new Set<string>();
  if (!before) return out;
  for (const name of new Set([...Object.keys(before.result), ...Object.keys(after.result)])) {
    if (JSON.stringify(before.result[name]) !== JSON.stringify(after.result[name])) out.add(name);
  }
  return out;
}

function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds % 60)} s`;
}
