import { useId, useState, type FormEvent } from "react";
import { api, type LlmEndpoint, type LlmTemplate, type Project } from "../../api";
import { Kbd } from "../../ui/Kbd";
import { Loading } from "../../ui/Loading";
import { Notice } from "../../ui/Notice";
import { useLoad } from "../../ui/useLoad";
import { isHandled, messageOf } from "./errors";
import { LlmCalls } from "./LlmCalls";
import { LlmJobs } from "./LlmJobs";
import "./llm.css";

type Outcome = { tone: "success" | "error"; text: string } | null;

/** The LLM section of a project's settings (managers; docs/llm.md): the OpenAI-compatible
 * endpoint (the key is write-only: only whether there is one and its last characters show),
 * the prompt templates (each save a new version), the jobs that run candidates or the judge
 * over the project, and the token budget with the call log. The judge's scores are on the
 * Dashboard, beside the people's agreement and gold accuracy. */
export function LlmSection({ project }: { project: Project }) {
  const [endpoint, reloadEndpoint] = useLoad(() => api.llm.get(project.id), `llm:${project.id}`);
  const [templates, reloadTemplates] = useLoad(() => api.llm.templates(project.id), `llm-templates:${project.id}`);
  return (
    <section className="form-section llm" aria-labelledby="llm-title">
      <h2 id="llm-title">LLM assistance</h2>
      <p className="muted small">
        An OpenAI-compatible chat API writes candidate responses, pre-fills judge answers as predictions, and suggests rewrites to annotators
        (a template named <code>rewrite</code> turns the suggestions on; annotators press <Kbd keys="Alt+L" /> or the button). Every call is
        logged; see <code>docs/llm.md</code>.
      </p>
      <Loading state={endpoint} retry={reloadEndpoint}>
        {(current) => <EndpointForm projectId={project.id} current={current} onSaved={reloadEndpoint} />}
      </Loading>
      <h3>Prompt templates</h3>
      <Loading state={templates} retry={reloadTemplates}>
        {(rows) => <Templates projectId={project.id} rows={rows} onSaved={reloadTemplates} />}
      </Loading>
      <Loading state={endpoint} retry={reloadEndpoint}>
        {(current) =>
          current === null ? (
            <p className="muted small">Once the endpoint is saved, the jobs over the project and the call log show here.</p>
          ) : (
            <Loading state={templates} retry={reloadTemplates}>
              {(rows) => <Runs project={project} endpoint={current} templates={rows} onEnded={reloadEndpoint} />}
            </Loading>
          )
        }
      </Loading>
    </section>
  );
}

/** The jobs over the project, and the budget with the call log (a project with an endpoint). */
function Runs({ project, endpoint, templates, onEnded }: { project: Project; endpoint: LlmEndpoint; templates: LlmTemplate[]; onEnded: () => void }) {
  // `round` reads the call log again; `jobId` shows one job's calls.
  const [round, setRound] = useState(0);
  const [jobId, setJobId] = useState<number | null>(null);
  return (
    <>
      <LlmJobs
        project={project}
        templates={templates}
        hasEndpoint
        onEnded={() => {
          onEnded();
          setRound((n) => n + 1);
        }}
        onShowCalls={(id) => {
          setJobId(id);
          setRound((n) => n + 1);
          document.getElementById("llm-calls-title")?.scrollIntoView({ block: "start" });
        }}
      />
      <LlmCalls projectId={project.id} endpoint={endpoint} jobId={jobId} round={round} onShowAll={() => setJobId(null)} onReset={onEnded} />
    </>
  );
}

function EndpointForm({ projectId, current, onSaved }: { projectId: number; current: LlmEndpoint | null; onSaved: () => void }) {
  const id = useId();
  const [offered] = useLoad(() => api.llm.instance(projectId), `llm-instance:${projectId}`);
  const instance = offered.status === "ready" && offered.value.available ? offered.value : null;
  const [useInstance, setUseInstance] = useState(current?.uses_instance ?? false);
  const [baseUrl, setBaseUrl] = useState(current?.uses_instance ? "" : (current?.base_url ?? ""));
  const [model, setModel] = useState(current?.uses_instance ? "" : (current?.model ?? ""));
  const onInstance = useInstance && instance !== null;
  const withdrawn = current?.uses_instance === true && offered.status === "ready" && instance === null;
  const [key, setKey] = useState("");
  const [budget, setBudget] = useState(current?.token_budget?.toString() ?? "");
  const [timeout, setTimeoutSeconds] = useState(String(current?.timeout_seconds ?? 60));
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    setOutcome(null);
    setBusy(true);
    try {
      const where = onInstance ? { use_instance: true } : { base_url: baseUrl, model, api_key: key === "" ? null : key };
      const saved = await api.llm.set(projectId, {
        ...where,
        timeout_seconds: Number(timeout) || 60,
        max_tokens: current?.max_tokens ?? 1024,
        temperature: current?.temperature ?? 0.7,
        token_budget: budget.trim() === "" ? null : Number(budget),
      });
      setKey("");
      const whose = saved.uses_instance ? "the server's endpoint, " : "";
      setOutcome({ tone: "success", text: `Saved: ${whose}${saved.model}${saved.has_key ? ` (key ${saved.key_hint})` : " (no key)"}.` });
      onSaved();
    } catch (error) {
      if (!isHandled(error)) setOutcome({ tone: "error", text: `Could not save the endpoint: ${messageOf(error)}` });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="webhook-add llm-endpoint" onSubmit={(event) => void submit(event)} aria-label="LLM endpoint">
      {instance ? (
        <p>
          <label>
            <input type="checkbox" checked={useInstance} onChange={(e) => setUseInstance(e.target.checked)} /> Use this server&apos;s LLM:{" "}
            <code>{instance.model}</code> at <code>{instance.base_url}</code>
            {instance.has_key ? "" : " (no key)"}{" "}
            <span className="muted small">(set by an admin; its key never leaves the server; the budget below is this project&apos;s)</span>
          </label>
        </p>
      ) : null}
      {withdrawn ? (
        <Notice tone="warning">This project uses the server&apos;s LLM, which the server no longer offers: give it an endpoint of its own.</Notice>
      ) : null}
      <div className="form-grid">
        {onInstance ? null : (
          <>
        <div className="form-field">
          <label htmlFor={`${id}-url`} className="form-label">Base URL</label>
          <input id={`${id}-url`} type="url" required value={baseUrl} placeholder="https://api.openai.com/v1" onChange={(e) => setBaseUrl(e.target.value)} />
        </div>
        <div className="form-field">
          <label htmlFor={`${id}-model`} className="form-label">Model</label>
          <input id={`${id}-model`} required value={model} onChange={(e) => setModel(e.target.value)} />
        </div>
        <div className="form-field">
          <label htmlFor={`${id}-key`} className="form-label">API key</label>
          <input
            id={`${id}-key`}
            type="password"
            autoComplete="off"
            value={key}
            placeholder={current?.has_key ? `stored (${current.key_hint}); leave empty to keep it` : "none"}
            onChange={(e) => setKey(e.target.value)}
          />
        </div>
          </>
        )}
        <div className="form-field">
          <label htmlFor={`${id}-budget`} className="form-label">
            Token budget <span className="muted form-hint">(empty: no cap)</span>
          </label>
          <input id={`${id}-budget`} type="number" min={0} value={budget} placeholder="no cap" onChange={(e) => setBudget(e.target.value)} />
        </div>
        <div className="form-field">
          <label htmlFor={`${id}-timeout`} className="form-label">Timeout <span className="muted form-hint">(seconds per call)</span></label>
          <input id={`${id}-timeout`} type="number" min={1} max={600} value={timeout} onChange={(e) => setTimeoutSeconds(e.target.value)} />
        </div>
      </div>
      <button type="submit" className="button-primary" disabled={busy}>
        Save endpoint
      </button>
      <div aria-live="polite">{outcome ? <Notice tone={outcome.tone}>{outcome.text}</Notice> : null}</div>
    </form>
  );
}

function Templates({ projectId, rows, onSaved }: { projectId: number; rows: LlmTemplate[]; onSaved: () => void }) {
  const id = useId();
  const [name, setName] = useState(rows[0]?.name ?? "rewrite");
  const chosen = rows.find((row) => row.name === name);
  const [prompt, setPrompt] = useState(chosen?.prompt ?? "");
  const [system, setSystem] = useState(chosen?.system ?? "");
  const [outcome, setOutcome] = useState<Outcome>(null);

  function pick(row: LlmTemplate): void {
    setName(row.name);
    setPrompt(row.prompt);
    setSystem(row.system);
    setOutcome(null);
  }

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    setOutcome(null);
    try {
      const saved = await api.llm.saveTemplate(projectId, name, prompt, system);
      setOutcome({ tone: "success", text: `Template ${saved.name} saved as version ${saved.version}.` });
      onSaved();
    } catch (error) {
      if (!isHandled(error)) setOutcome({ tone: "error", text: `Could not save the template: ${messageOf(error)}` });
    }
  }

  return (
    <div className="llm-templates">
      {rows.length ? (
        <ul className="llm-template-list">
          {rows.map((row) => (
            <li key={row.id}>
              <button type="button" className="link" onClick={() => pick(row)}>
                {row.name}
              </button>{" "}
              <span className="muted small">version {row.version}</span>
            </li>
          ))}
        </ul>
      ) : (
        <p className="empty">No templates yet.</p>
      )}
      <form className="webhook-add" onSubmit={(event) => void submit(event)} aria-label="Prompt template">
        <div className="form-field">
          <label htmlFor={`${id}-name`} className="form-label">Name</label>
          <input id={`${id}-name`} required value={name} onChange={(e) => setName(e.target.value)} />
        </div>
        <div className="form-field">
          <label htmlFor={`${id}-system`} className="form-label">System prompt</label>
          <textarea id={`${id}-system`} rows={2} value={system} onChange={(e) => setSystem(e.target.value)} />
        </div>
        <div className="form-field">
          <label htmlFor={`${id}-prompt`} className="form-label">Prompt</label>
          <textarea id={`${id}-prompt`} rows={5} required value={prompt} onChange={(e) => setPrompt(e.target.value)} />
        </div>
        <p className="muted small">
          Placeholders: <code>{"{{field}}"}</code>, <code>{"{{field.0}}"}</code>, <code>{"{{accord.text}}"}</code> (the text to rewrite),{" "}
          <code>{"{{accord.format}}"}</code> (the judge&apos;s answer format), <code>{"{{accord.index}}"}</code>. Each save is a new version.
        </p>
        <button type="submit" className="button-primary">Save as a new version</button>
        <div aria-live="polite">{outcome ? <Notice tone={outcome.tone}>{outcome.text}</Notice> : null}</div>
      </form>
    </div>
  );
}
