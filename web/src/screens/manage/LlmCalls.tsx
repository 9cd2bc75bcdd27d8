import { useState } from "react";
import { api, type LlmCall, type LlmEndpoint } from "../../api";
import { Link } from "../../app/Link";
import { ConfirmDialog } from "../../ui/ConfirmDialog";
import { Loading } from "../../ui/Loading";
import { Notice } from "../../ui/Notice";
import { ProgressBar } from "../../ui/ProgressBar";
import { usePages } from "../../ui/usePages";
import { isHandled, messageOf } from "./errors";
import { budgetText, callParameters, callTokens, latencyText } from "./llmText";

/** Calls per page of the log. */
export const CALLS_PAGE = 20;

const USES: Record<string, string> = { candidates: "Candidates", judge: "Judge", rewrite: "Rewrite" };

interface Props {
  projectId: number;
  endpoint: LlmEndpoint;
  /** Only this job's calls (null: every call). */
  jobId: number | null;
  /** Changes when the log should be read again (a job ended). */
  round: number;
  onShowAll: () => void;
  /** The count was reset: read the endpoint again. */
  onReset: () => void;
}

/** The token budget and the call log (managers; docs/llm.md, "The call log, the budget and
 * failures"): every call's model, template version, parameters, tokens, latency and outcome,
 * newest first, older ones on demand; the prompt, the answer and the judge's rationale open
 * from each row. */
export function LlmCalls({ projectId, endpoint, jobId, round, onShowAll, onReset }: Props) {
  const pages = usePages((before) => api.llm.calls(projectId, { before, jobId, limit: CALLS_PAGE }), `llm-calls:${projectId}:${jobId ?? "all"}:${round}`);
  const { first, reload } = pages;
  return (
    <div className="llm-calls">
      <Budget projectId={projectId} endpoint={endpoint} onReset={onReset} />
      <div className="webhook-log-head">
        <h3 id="llm-calls-title">Call log{jobId !== null ? ` of job ${jobId}` : ""}</h3>
        <span>
          {jobId !== null ? (
            <button type="button" className="button-quiet" onClick={onShowAll}>
              Show every call
            </button>
          ) : null}
          <button type="button" className="button-quiet" onClick={reload}>
            Refresh the log
          </button>
        </span>
      </div>
      {pages.error ? <Notice tone="error">{pages.error}</Notice> : null}
      <Loading state={first} retry={reload}>
        {(page) => {
          const items = pages.items(page);
          if (items.length === 0) return <p className="empty">No calls yet{jobId !== null ? " for this job" : ""}.</p>;
          return (
            <>
              <div className="llm-table-scroll">
                <table className="table llm-call-table" aria-labelledby="llm-calls-title">
                  <thead>
                    <tr>
                      <th scope="col">Call</th>
                      <th scope="col">Use</th>
                      <th scope="col">Model and template</th>
                      <th scope="col">Parameters</th>
                      <th scope="col">Tokens (prompt + answer)</th>
                      <th scope="col">Latency</th>
                      <th scope="col">Outcome</th>
                    </tr>
                  </thead>
                  <tbody>
                    {items.map((call) => (
                      <CallRow key={call.id} call={call} projectId={projectId} />
                    ))}
                  </tbody>
                </table>
              </div>
              {pages.hasOlder ? (
                <button type="button" onClick={() => void pages.loadOlder()} disabled={pages.loadingOlder}>
                  {pages.loadingOlder ? "Loading…" : "Show older calls"}
                </button>
              ) : (
                <p className="muted small">That is every call{jobId !== null ? " of this job" : ""}.</p>
              )}
            </>
          );
        }}
      </Loading>
    </div>
  );
}

function CallRow({ call, projectId }: { call: LlmCall; projectId: number }) {
  const failed = call.status !== "ok";
  return (
    <tr data-llm-call={call.id} data-status={call.status}>
      <td className="num">
        #{call.id}
        <div className="muted small">{new Date(call.created_at).toLocaleString()}</div>
      </td>
      <td className="llm-call-use">
        {USES[call.use] ?? call.use}
        {call.task_id !== null ? (
          <div className="small">
            <Link to={`/projects/${projectId}/tasks/${call.task_id}`}>task {call.task_id}</Link>
          </div>
        ) : null}
        {call.job_id !== null ? <div className="muted small">job {call.job_id}</div> : null}
      </td>
      <td>
        <code>{call.model}</code>
        <div className="small">
          {call.template_name} {call.template_version !== null ? `version ${call.template_version}` : ""}
        </div>
      </td>
      <td className="small">{callParameters(call.parameters) || "—"}</td>
      <td className="num">{callTokens(call)}</td>
      <td className="num">{latencyText(call.latency_ms)}</td>
      <td className="webhook-said">
        <details>
          <summary>
            <span className={`status llm-status-${call.status}`}>{call.status}</span>
            {failed && call.error ? <span className="webhook-error"> {call.error}</span> : null}
            {!failed && call.prediction_id !== null ? <span className="muted small"> prediction {call.prediction_id}</span> : null}
          </summary>
          {call.rationale ? (
            <p className="small">
              <strong>Rationale:</strong> {call.rationale}
            </p>
          ) : null}
          <p className="small llm-call-part">Prompt</p>
          <pre className="code-sample">{call.prompt}</pre>
          <p className="small llm-call-part">Answer</p>
          <pre className="code-sample">{call.completion || "(none)"}</pre>
        </details>
      </td>
    </tr>
  );
}

function Budget({ projectId, endpoint, onReset }: { projectId: number; endpoint: LlmEndpoint; onReset: () => void }) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function reset(): Promise<void> {
    setBusy(true);
    setError(null);
    try {
      await api.llm.resetUsage(projectId);
      setAsking(false);
      onReset();
    } catch (failure) {
      if (!isHandled(failure)) setError(`Could not reset the count: ${messageOf(failure)}`);
    } finally {
      setBusy(false);
    }
  }

  const over = endpoint.token_budget !== null && endpoint.tokens_used >= endpoint.token_budget;
  return (
    <div className="llm-budget" data-llm-budget>
      <div className="llm-budget-line">
        <strong>Token budget</strong> <span data-llm-budget-text>{budgetText(endpoint)}</span>{" "}
        <button type="button" className="button-quiet" onClick={() => setAsking(true)} disabled={endpoint.tokens_used === 0}>
          Reset the count
        </button>
      </div>
      {endpoint.token_budget !== null ? <ProgressBar value={endpoint.tokens_used} max={Math.max(1, endpoint.token_budget)} label="Tokens used of the budget" /> : null}
      {over ? <p className="form-warning small">The budget is used up: calls are refused until a manager raises it (above) or resets the count.</p> : null}
      {error ? <Notice tone="error">{error}</Notice> : null}
      {asking ? (
        <ConfirmDialog
          title="Reset the token count?"
          confirmLabel="Reset the count"
          busy={busy}
          onCancel={() => setAsking(false)}
          onConfirm={() => void reset()}
        >
          <p>The count starts again at 0, so the project may use its whole budget again. The call log stays as it is.</p>
        </ConfirmDialog>
      ) : null}
    </div>
  );
}
