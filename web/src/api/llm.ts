/** LLM assistance (docs/llm.md): the project's endpoint and prompt templates (managers), and
 * rewrite suggestions streamed to the annotator as server-sent events. The API key is
 * write-only: the server answers `has_key` and `key_hint`, never the key. */
import { API_PREFIX, ApiError, csrfTokenForWrites, errorFrom, reportUnauthorized, request } from "./http";
import type { Job, JsonObject } from "./types";

export interface LlmEndpoint {
  /** The project uses the endpoint the server offers (ACCORD_LLM_BASE_URL). */
  uses_instance: boolean;
  base_url: string;
  model: string;
  has_key: boolean;
  key_hint: string;
  timeout_seconds: number;
  max_tokens: number;
  temperature: number;
  token_budget: number | null;
  tokens_used: number;
}

export interface LlmEndpointIn {
  /** Not with `use_instance`. */
  base_url?: string;
  model?: string;
  /** The endpoint the server offers, with this project's parameters and budget. */
  use_instance?: boolean;
  /** Omitted or null: keep the stored key; "": remove it. */
  api_key?: string | null;
  timeout_seconds: number;
  max_tokens: number;
  temperature: number;
  token_budget: number | null;
}

export interface LlmTemplate {
  id: number;
  name: string;
  version: number;
  system: string;
  prompt: string;
  created_at: string;
}

/** One call to the endpoint, as logged (GET …/llm/calls). */
export interface LlmCall {
  id: number;
  task_id: number | null;
  job_id: number | null;
  /** candidates, judge or rewrite */
  use: string;
  model: string;
  template_name: string;
  template_version: number | null;
  /** max_tokens, temperature, and the question or the candidate's index; `tokens_estimated`
   * when the server reported no usage. */
  parameters: JsonObject;
  prompt: string;
  completion: string;
  rationale: string;
  prediction_id: number | null;
  prompt_tokens: number;
  completion_tokens: number;
  latency_ms: number | null;
  status: "ok" | "error" | "invalid" | "refused";
  error: string;
  created_at: string;
}

export interface LlmCallPage {
  items: LlmCall[];
  /** Pass as `before` for the next (older) page; null: this was the last. */
  next_before: number | null;
}

/** What the `llm` job runs over every task of the project. */
export type LlmJobIn =
  | { use: "candidates"; template: string; template_version: number | null; field: string; n: number; overwrite: boolean }
  | { use: "judge"; template: string; template_version: number | null; question: string };

export interface JudgeScore {
  model_version: string;
  /** Tasks the judge answered the question on. */
  tasks: number;
  tasks_with_people: number;
  /** Share of people's answers equal to the judge's (null: no task both answered). */
  agreement: number | null;
  gold_tasks: number;
  gold_accuracy: number | null;
}

/** A question's (a rubric: one criterion's) judge scores. */
export interface QuestionScores {
  question: string;
  kind: string;
  criterion: string | null;
  people_agreement: { pairs: number; agreement: number | null };
  judges: JudgeScore[];
}

const base = (projectId: number) => `/projects/${projectId}/llm`;

/** The endpoint, or null when the project has none. */
export function getLlm(projectId: number): Promise<LlmEndpoint | null> {
  return request("GET", base(projectId));
}

/** The LLM endpoint the server offers every project (never its key). */
export interface LlmInstance {
  available: boolean;
  base_url: string | null;
  model: string | null;
  has_key: boolean;
}

export function llmInstance(projectId: number): Promise<LlmInstance> {
  return request("GET", `${base(projectId)}/instance`);
}

export function setLlm(projectId: number, body: LlmEndpointIn): Promise<LlmEndpoint> {
  return request("PUT", base(projectId), { body });
}

export function resetLlmUsage(projectId: number): Promise<LlmEndpoint> {
  return request("POST", `${base(projectId)}/reset-usage`);
}

export function llmTemplates(projectId: number): Promise<LlmTemplate[]> {
  return request("GET", `${base(projectId)}/templates`);
}

export function saveLlmTemplate(projectId: number, name: string, prompt: string, system: string): Promise<LlmTemplate> {
  return request("POST", `${base(projectId)}/templates`, { body: { name, prompt, system } });
}

/** Every version of a template, oldest first. */
export function llmTemplateVersions(projectId: number, name: string): Promise<LlmTemplate[]> {
  return request("GET", `${base(projectId)}/templates/${encodeURIComponent(name)}`);
}

/** The call log, newest first (`before`: an id, for the older page). */
export function llmCalls(projectId: number, query: { before?: number | null; jobId?: number | null; limit?: number } = {}): Promise<LlmCallPage> {
  return request("GET", `${base(projectId)}/calls`, {
    query: { before: query.before ?? null, job_id: query.jobId ?? null, limit: query.limit ?? null },
  });
}

/** Start candidates or the judge over the project (409 while one runs). */
export function startLlmJob(projectId: number, body: LlmJobIn): Promise<Job> {
  return request("POST", `${base(projectId)}/jobs`, { body });
}

export function llmJudgeScores(projectId: number): Promise<QuestionScores[]> {
  return request("GET", `${base(projectId)}/judge-scores`);
}

const offered = new Map<number, Promise<boolean>>();

/** Whether the task's project offers rewrite suggestions (asked once per task). */
export function suggestionsOffered(taskId: number): Promise<boolean> {
  let known = offered.get(taskId);
  if (!known) {
    known = request<{ suggest: boolean }>("GET", `/tasks/${taskId}/llm/available`).then(
      (answer) => answer.suggest,
      () => false,
    );
    offered.set(taskId, known);
  }
  return known;
}

export interface StreamEvent {
  event: string;
  data: Record<string, unknown>;
}

/** The complete events in `buffer` and what is left of it (an event not yet whole). */
export function parseEvents(buffer: string): { events: StreamEvent[]; rest: string } {
  const events: StreamEvent[] = [];
  const blocks = buffer.split("\n\n");
  const rest = blocks.pop() ?? "";
  for (const block of blocks) {
    let event = "message";
    let data = "";
    for (const line of block.split("\n")) {
      if (line.startsWith("event: ")) event = line.slice(7);
      else if (line.startsWith("data: ")) data += line.slice(6);
    }
    if (!data) continue;
    try {
      events.push({ event, data: JSON.parse(data) as Record<string, unknown> });
    } catch {
      // A broken event: the server never sends one; skip it rather than stop the stream.
    }
  }
  return { events, rest };
}

/** Ask for a rewrite of `text`; `onDelta` gets the text as it streams in. Resolves with the
 * whole suggestion; rejects with an `ApiError` saying what went wrong. Nothing is saved. */
export async function streamSuggestion(
  taskId: number,
  text: string,
  question: string,
  onDelta: (piece: string) => void,
  signal?: AbortSignal,
): Promise<string> {
  const headers: Record<string, string> = { "Content-Type": "application/json", Accept: "text/event-stream" };
  const csrf = csrfTokenForWrites();
  if (csrf) headers["X-CSRF-Token"] = csrf;
  let response: Response;
  try {
    response = await fetch(`${API_PREFIX}/tasks/${taskId}/llm/suggest`, {
      method: "POST",
      headers,
      body: JSON.stringify({ text, question, stream: true }),
      credentials: "same-origin",
      signal,
    });
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === "AbortError") throw cause;
    throw new ApiError(0, "network", "Cannot reach the server; try again in a moment.");
  }
  if (!response.ok || !response.body) {
    const payload: unknown = await response.json().catch(() => null);
    const error = errorFrom(response.status, response.statusText, payload);
    reportUnauthorized(error);
    throw error;
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  let whole = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    const parsed = parseEvents(buffer + value);
    buffer = parsed.rest;
    for (const { event, data } of parsed.events) {
      if (event === "delta" && typeof data.text === "string") {
        whole += data.text;
        onDelta(data.text);
      } else if (event === "done" && typeof data.text === "string") {
        return data.text;
      } else if (event === "error") {
        throw new ApiError(502, String(data.code ?? "llm_failed"), String(data.message ?? "the LLM call failed"));
      }
    }
  }
  if (!whole) throw new ApiError(502, "llm_failed", "the suggestion ended before any text came");
  return whole;
}

export const llm = {
  get: getLlm,
  set: setLlm,
  instance: llmInstance,
  resetUsage: resetLlmUsage,
  templates: llmTemplates,
  saveTemplate: saveLlmTemplate,
  templateVersions: llmTemplateVersions,
  calls: llmCalls,
  startJob: startLlmJob,
  judgeScores: llmJudgeScores,
  suggestionsOffered,
  streamSuggestion,
};
