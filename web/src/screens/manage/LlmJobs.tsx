import { useEffect, useId, useMemo, useState, type FormEvent } from "react";
import { api, type Job, type LlmTemplate, type Project } from "../../api";
import { Link } from "../../app/Link";
import { Notice } from "../../ui/Notice";
import { useLoad } from "../../ui/useLoad";
import { isHandled, messageOf } from "./errors";
import { JobProgress } from "./jobs/JobProgress";
import { isActive, resultSummary } from "./jobs/format";
import { useJob } from "./jobs/useJob";
import { llmTargets, mostCandidates } from "./llmText";

type Use = "candidates" | "judge";

/** Lines of a finished job's log shown under its outcome (the rest are in the job's log). */
const SHOWN_PROBLEMS = 5;

/** Green when every task was done; amber when some failed; red when none was, or the job
 * failed or was cancelled. */
function outcomeTone(job: Job): "success" | "warning" | "error" {
  if (job.state !== "succeeded") return "error";
  const failed = typeof job.result?.failed === "number" ? job.result.failed : 0;
  const done = typeof job.result?.done === "number" ? job.result.done : 0;
  if (failed === 0) return "success";
  return done === 0 ? "error" : "warning";
}

interface Props {
  project: Project;
  templates: LlmTemplate[];
  hasEndpoint: boolean;
  /** A job ended (the tokens used and the call log changed). */
  onEnded: () => void;
  /** Show the calls of job `id` in the call log. */
  onShowCalls: (jobId: number) => void;
}

/** "Run over the project" (managers; docs/llm.md, "Uses"): start the `llm` job that writes
 * candidate responses into a `text_list` field, or pre-fills the judge's answers to a rubric,
 * pairwise or rating question as predictions; then follow it and read what it did. */
export function LlmJobs({ project, templates, hasEndpoint, onEnded, onShowCalls }: Props) {
  const [latest, reloadLatest] = useLoad(() => api.jobs.list(project.id, { kind: "llm", limit: 1 }), `llm-job:${project.id}`);
  const [started, setStarted] = useState<Job | null>(null);
  const last = latest.status === "ready" ? (latest.value.jobs[0] ?? null) : null;
  const job = started ?? last;
  // Whether the job shown still runs, as its following reads it (one LLM job at a time).
  const [running, setRunning] = useState(false);
  return (
    <div className="llm-jobs">
      <h3 id="llm-jobs-title">Run over the project</h3>
      <p className="muted small">
        Every task, as a background job: candidates fill a <code>text_list</code> field of the tasks nobody has started (for pairwise or ranking
        questions); the judge&apos;s answers are stored as predictions, never as anyone&apos;s answer, with its rationale in the call log.
      </p>
      <StartForm
        project={project}
        templates={templates}
        hasEndpoint={hasEndpoint}
        running={running}
        onStarted={(next) => {
          setStarted(next);
          reloadLatest();
        }}
      />
      {job ? <FollowedJob key={job.id} job={job} projectId={project.id} onActive={setRunning} onEnded={onEnded} onShowCalls={onShowCalls} /> : null}
    </div>
  );
}

function StartForm({ project, templates, hasEndpoint, running, onStarted }: { project: Project; templates: LlmTemplate[]; hasEndpoint: boolean; running: boolean; onStarted: (job: Job) => void }) {
  const id = useId();
  const { lists, judged } = useMemo(() => llmTargets(project.interface), [project.interface]);
  const [use, setUse] = useState<Use>(lists.length === 0 && judged.length > 0 ? "judge" : "candidates");
  const named = templates.map((t) => t.name).filter((name) => name !== "rewrite");
  const [template, setTemplate] = useState(named[0] ?? templates[0]?.name ?? "");
  const [version, setVersion] = useState("");
  const [field, setField] = useState(lists[0]?.name ?? "");
  const [n, setN] = useState(String(Math.min(2, mostCandidates(lists[0]))));
  const [overwrite, setOverwrite] = useState(false);
  const [question, setQuestion] = useState(judged[0]?.name ?? "");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [versions] = useLoad(
    () => (template ? api.llm.templateVersions(project.id, template) : Promise.resolve([])),
    `llm-versions:${project.id}:${template}:${templates.find((t) => t.name === template)?.version ?? 0}`,
  );
  useEffect(() => {
    // The first template saved after the form showed (or one renamed away) becomes the choice.
    if (!templates.some((t) => t.name === template) && templates[0]) setTemplate(templates.find((t) => t.name !== "rewrite")?.name ?? templates[0].name);
  }, [templates, template]);

  const chosenField = lists.find((f) => f.name === field);
  const most = mostCandidates(chosenField);
  const missing = !hasEndpoint
    ? "Set the endpoint above first."
    : templates.length === 0
      ? "Save a prompt template first (above)."
      : use === "candidates" && lists.length === 0
        ? "This project has no text_list field for candidates to fill: add one to the interface (a pairwise or ranking question targets it)."
        : use === "judge" && judged.length === 0
          ? "This project has no rubric, pairwise or rating question for the judge to answer."
          : null;

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    if (missing || busy) return;
    setError(null);
    setBusy(true);
    const templateVersion = version === "" ? null : Number(version);
    try {
      const job =
        use === "candidates"
          ? await api.llm.startJob(project.id, { use, template, template_version: templateVersion, field, n: Number(n) || 1, overwrite })
          : await api.llm.startJob(project.id, { use, template, template_version: templateVersion, question });
      onStarted(job);
    } catch (failure) {
      if (!isHandled(failure)) setError(`Could not start it: ${messageOf(failure)}`);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="webhook-add llm-job-form" onSubmit={(event) => void submit(event)} aria-labelledby="llm-jobs-title">
      <fieldset className="llm-uses">
        <legend className="form-label">What to run</legend>
        <label className="checkbox">
          <input type="radio" name={`${id}-use`} value="candidates" checked={use === "candidates"} onChange={() => setUse("candidates")} /> Generate
          candidates
        </label>
        <label className="checkbox">
          <input type="radio" name={`${id}-use`} value="judge" checked={use === "judge"} onChange={() => setUse("judge")} /> Pre-fill with the judge
        </label>
      </fieldset>
      <div className="form-grid">
        <div className="form-field">
          <label htmlFor={`${id}-template`} className="form-label">
            Template
          </label>
          <select
            id={`${id}-template`}
            value={template}
            onChange={(e) => {
              setTemplate(e.target.value);
              setVersion("");
            }}
          >
            {templates.map((t) => (
              <option key={t.name} value={t.name}>
                {t.name}
              </option>
            ))}
          </select>
        </div>
        <div className="form-field">
          <label htmlFor={`${id}-version`} className="form-label">
            Version
          </label>
          <select id={`${id}-version`} value={version} onChange={(e) => setVersion(e.target.value)}>
            <option value="">The latest{versions.status === "ready" && versions.value.length ? ` (${versions.value[versions.value.length - 1]?.version})` : ""}</option>
            {versions.status === "ready"
              ? [...versions.value].reverse().map((v) => (
                  <option key={v.version} value={v.version}>
                    Version {v.version} ({new Date(v.created_at).toLocaleString()})
                  </option>
                ))
              : null}
          </select>
        </div>
        {use === "candidates" ? (
          <>
            <div className="form-field">
              <label htmlFor={`${id}-field`} className="form-label">
                Field to fill
              </label>
              <select id={`${id}-field`} value={field} onChange={(e) => setField(e.target.value)}>
                {lists.map((f) => (
                  <option key={f.name} value={f.name}>
                    {f.label ? `${f.label} (${f.name})` : f.name}
                  </option>
                ))}
              </select>
            </div>
            <div className="form-field">
              <label htmlFor={`${id}-n`} className="form-label">
                Candidates per task <span className="muted form-hint">(1 to {most})</span>
              </label>
              <input id={`${id}-n`} type="number" min={1} max={most} value={n} onChange={(e) => setN(e.target.value)} required />
            </div>
          </>
        ) : (
          <div className="form-field">
            <label htmlFor={`${id}-question`} className="form-label">
              Question
            </label>
            <select id={`${id}-question`} value={question} onChange={(e) => setQuestion(e.target.value)}>
              {judged.map((q) => (
                <option key={q.name} value={q.name}>
                  {q.label ? `${q.label} (${q.name}, ${q.kind})` : `${q.name} (${q.kind})`}
                </option>
              ))}
            </select>
          </div>
        )}
      </div>
      {use === "candidates" ? (
        <label className="checkbox">
          <input type="checkbox" checked={overwrite} onChange={(e) => setOverwrite(e.target.checked)} /> Replace the items a task already has (tasks
          someone started are never changed)
        </label>
      ) : null}
      {missing ? <p className="form-warning small">{missing}</p> : null}
      <button type="submit" className="button-primary" disabled={busy || running || missing !== null}>
        {busy ? "Starting…" : use === "candidates" ? "Generate candidates" : "Pre-fill with the judge"}
      </button>
      {running ? <span className="muted small"> One LLM job runs at a time: this one is below.</span> : null}
      <div aria-live="polite">{error ? <Notice tone="error">{error}</Notice> : null}</div>
    </form>
  );
}

interface FollowedProps {
  job: Job;
  projectId: number;
  onActive: (active: boolean) => void;
  onEnded: () => void;
  onShowCalls: (jobId: number) => void;
}

function FollowedJob({ job: initial, projectId, onActive, onEnded, onShowCalls }: FollowedProps) {
  const { follow, replace } = useJob(initial);
  const { job } = follow;
  const active = isActive(job);
  const [wasActive] = useState(isActive(initial));
  useEffect(() => {
    onActive(active);
    if (!active && wasActive) onEnded();
    // Once, when a job followed from its start ends.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [active]);
  const params = job.params;
  const what =
    params.use === "judge"
      ? `The judge on ${String(params.question)}`
      : `${String(params.n)} candidate${params.n === 1 ? "" : "s"} per task into ${String(params.field)}`;
  const summary = resultSummary(job);
  return (
    <div className="llm-job" data-llm-job={job.id}>
      <p className="small">
        <strong>{what}</strong>{" "}
        <span className="muted">
          · template {String(params.template)} version {String(params.template_version)}
        </span>
      </p>
      <JobProgress follow={follow} onChange={replace} />
      {!active ? (
        <div className="llm-job-outcome" aria-live="polite">
          <Notice tone={outcomeTone(job)}>
            {job.state === "succeeded" ? "Finished: " : job.state === "cancelled" ? "Cancelled: " : "Failed: "}
            {summary ? `${summary}.` : "nothing to report."}
            {job.log.length ? (
              <>
                <span className="llm-job-why"> What went wrong:</span>
                <ul className="llm-job-problems">
                  {job.log.slice(0, SHOWN_PROBLEMS).map((line, i) => (
                    <li key={i}>{line.message}</li>
                  ))}
                </ul>
                {job.log.length > SHOWN_PROBLEMS ? <span>{job.log.length - SHOWN_PROBLEMS} more lines in the job&apos;s log above.</span> : null}
              </>
            ) : null}
          </Notice>
          <p className="small">
            <button type="button" className="link" onClick={() => onShowCalls(job.id)}>
              Show this job&apos;s calls
            </button>
            {params.use === "judge" ? (
              <>
                {" "}
                · how far the judge agrees with people: <Link to={`/projects/${projectId}/dashboard`}>the Dashboard (LLM judge)</Link>
              </>
            ) : null}
          </p>
        </div>
      ) : null}
    </div>
  );
}
