import { useMemo, useState } from "react";
import { api, type Annotation, type AnnotationVersion, type JsonObject, type Project, type TaskDetail } from "../../api";
import { Link } from "../../app/Link";
import { parseInterface, titleOf, type Interface, type QuestionSpec } from "../../editor/interface";
import { FieldView, WidgetContext, WidgetShared, type Binding } from "../../kinds/registry";
import { Loading } from "../../ui/Loading";
import { useLoad } from "../../ui/useLoad";
import { answerLines } from "./answerText";
import { lastSearch } from "./data/filters";
import { ManageLayout } from "./ManageLayout";

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
  return (
    <div className="manage-page">
      <p className="crumbs small">
        <Link to={`/projects/${project.id}/data${lastSearch.get(project.id) ?? ""}`}>← Data</Link>
      </p>
      <Loading state={state} retry={reload}>
        {(detail) => <TaskDetailView project={project} detail={detail} />}
      </Loading>
    </div>
  );
}

function TaskDetailView({ project, detail }: { project: Project; detail: TaskDetail }) {
  const iface = useMemo(() => parseInterface(project.interface), [project.interface]);
  const { task, annotations, predictions } = detail;
  const [shown, setShown] = useState<number | null>(annotations[0]?.id ?? null);
  const selected = annotations.find((a) => a.id === shown) ?? null;
  return (
    <div className="task-detail" data-task={task.id}>
      <header className="task-detail-head">
        <h1>
          Task {task.id}
          {task.external_id ? <span className="muted"> · {task.external_id}</span> : null}
        </h1>
        <span className={`status status-${task.status}`}>{STATUS_NAMES[task.status]}</span>
        <span className="muted small">
          {task.annotations} of {project.overlap} annotation{project.overlap === 1 ? "" : "s"} · imported {new Date(task.created_at).toLocaleString()}
        </span>
      </header>
      <div className="task-detail-body">
        <section className="task-detail-data" aria-label="Task data">
          <TaskData iface={iface} data={task.data} result={selected?.result ?? {}} />
          {selected ? <p className="muted small">Marks in the text are {selected.annotator}'s (annotation {selected.id}).</p> : null}
        </section>
        <section className="task-detail-work" aria-label="Annotations">
          <h2>
            Annotations <span className="muted">({annotations.length})</span>
          </h2>
          {annotations.length === 0 ? <p className="empty">Nobody has submitted an annotation for this task yet.</p> : null}
          {annotations.map((annotation) => (
            <AnnotationCard key={annotation.id} annotation={annotation} iface={iface} shown={annotation.id === shown} onShow={() => setShown(annotation.id)} />
          ))}
          {predictions.length ? (
            <>
              <h2>Predictions</h2>
              {predictions.map((p, i) => (
                <article key={i} className="annotation-card">
                  <header className="annotation-head">
                    <strong>{p.model_version}</strong>
                    {p.score !== null ? <span className="muted small">score {p.score}</span> : null}
                  </header>
                  <Answers iface={iface} result={p.result} />
                </article>
              ))}
            </>
          ) : null}
        </section>
      </div>
    </div>
  );
}

/** The fields as annotators see them, with one annotation's marks (read only). */
function TaskData({ iface, data, result }: { iface: Interface; data: JsonObject; result: JsonObject }) {
  const shared = useMemo(() => new WidgetShared(), []);
  const bind = (question: QuestionSpec): Binding => ({ value: result[question.name], onChange: () => {}, active: false, activate: () => {} });
  return (
    <WidgetContext.Provider value={shared}>
      <div className="task-data task-detail-fields">
        {iface.fields.map((field) => (
          <FieldView key={field.name} field={field} data={data} iface={iface} bind={bind} />
        ))}
      </div>
    </WidgetContext.Provider>
  );
}

function AnnotationCard({ annotation, iface, shown, onShow }: { annotation: Annotation; iface: Interface; shown: boolean; onShow: () => void }) {
  const [history, setHistory] = useState(false);
  return (
    <article className={shown ? "annotation-card annotation-card-shown" : "annotation-card"} data-annotation={annotation.id} aria-label={`Annotation ${annotation.id} by ${annotation.annotator}`}>
      <header className="annotation-head">
        <strong>{annotation.annotator}</strong>
        <span className="muted small">
          annotation {annotation.id} · version {annotation.version} · {formatSeconds(annotation.seconds)} · {new Date(annotation.updated_at).toLocaleString()}
        </span>
        {annotation.review_state ? <span className={`badge badge-${annotation.review_state}`}>{annotation.review_state}</span> : null}
      </header>
      <Answers iface={iface} result={annotation.result} />
      <div className="annotation-actions">
        <button type="button" onClick={onShow} aria-pressed={shown} disabled={shown}>
          {shown ? "Shown in the data" : "Show in the data"}
        </button>
        <button type="button" onClick={() => setHistory((open) => !open)} aria-expanded={history}>
          {history ? "Hide history" : `History (${annotation.version} version${annotation.version === 1 ? "" : "s"})`}
        </button>
      </div>
      {history ? <VersionList annotationId={annotation.id} iface={iface} /> : null}
    </article>
  );
}

function Answers({ iface, result, changed }: { iface: Interface; result: JsonObject; changed?: Set<string> }) {
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
            {answerLines(question, result[question.name]).map((line, i) => (
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

function VersionList({ annotationId, iface }: { annotationId: number; iface: Interface }) {
  const [state, reload] = useLoad(() => api.annotations.versions(annotationId), `versions:${annotationId}`);
  return (
    <div className="versions">
      <Loading state={state} retry={reload}>
        {(versions) => (
          <ol className="version-list" reversed>
            {[...versions]
              .sort((a, b) => b.version - a.version)
              .map((version, i, sorted) => (
                <li key={version.version} className="version">
                  <p className="small">
                    <strong>Version {version.version}</strong> · {new Date(version.created_at).toLocaleString()} · {formatSeconds(version.seconds)}
                  </p>
                  <Answers iface={iface} result={version.result} changed={changesFrom(sorted[i + 1], version)} />
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
