/** How the LLM section reads (pure; tested in llmText.test.ts): what a project's interface
 * offers the LLM jobs, a logged call's figures, and the token budget. */
import type { Json, JsonObject, LlmCall, LlmEndpoint } from "../../api";

/** The kinds of question the judge answers (docs/llm.md, "The LLM judge"). */
export const JUDGED_KINDS = ["rubric", "pairwise", "rating"] as const;
/** Candidates per task, at most (the server's `MAX_N`). */
export const MAX_CANDIDATES = 10;

export interface ListField {
  name: string;
  label: string;
  /** The most items it takes (null: no limit of its own). */
  maxItems: number | null;
}

export interface JudgedQuestion {
  name: string;
  label: string;
  kind: string;
}

const record = (value: Json | undefined): JsonObject | null =>
  value !== null && typeof value === "object" && !Array.isArray(value) ? value : null;
const text = (value: Json | undefined): string => (typeof value === "string" ? value : "");

/** The `text_list` fields candidates may fill, and the questions the judge may answer. */
export function llmTargets(raw: JsonObject | string): { lists: ListField[]; judged: JudgedQuestion[] } {
  let spec: JsonObject | null = null;
  if (typeof raw === "string") {
    try {
      spec = record(JSON.parse(raw) as Json);
    } catch {
      spec = null;
    }
  } else spec = raw;
  const items = (key: string): JsonObject[] => {
    const list = spec?.[key];
    return Array.isArray(list) ? list.map(record).filter((item): item is JsonObject => item !== null) : [];
  };
  const lists = items("fields")
    .filter((f) => f.kind === "text_list" && text(f.name))
    .map((f) => ({ name: text(f.name), label: text(f.label), maxItems: typeof f.max_items === "number" ? f.max_items : null }));
  const judged = items("questions")
    .filter((q) => (JUDGED_KINDS as readonly string[]).includes(text(q.kind)) && text(q.name))
    .map((q) => ({ name: text(q.name), label: text(q.label), kind: text(q.kind) }));
  return { lists, judged };
}

/** How many candidates a field takes per task: 1 to 10, and at most its `max_items`. */
export function mostCandidates(field: ListField | undefined): number {
  return Math.max(1, Math.min(MAX_CANDIDATES, field?.maxItems ?? MAX_CANDIDATES));
}

const count = (n: number): string => Math.round(n).toLocaleString("en-US");

/** "temperature 0.7 · at most 1,024 tokens · question quality" (what the call was sent with). */
export function callParameters(parameters: JsonObject): string {
  const parts: string[] = [];
  if (typeof parameters.temperature === "number") parts.push(`temperature ${parameters.temperature}`);
  if (typeof parameters.max_tokens === "number") parts.push(`at most ${count(parameters.max_tokens)} tokens`);
  if (typeof parameters.question === "string") parts.push(`question ${parameters.question}`);
  if (typeof parameters.index === "number")
    parts.push(typeof parameters.n === "number" ? `candidate ${parameters.index} of ${parameters.n}` : `candidate ${parameters.index}`);
  return parts.join(" · ");
}

/** "120 + 34" (prompt + completion), "≈ 120 + 34" when estimated (the server reported none). */
export function callTokens(call: Pick<LlmCall, "prompt_tokens" | "completion_tokens" | "parameters">): string {
  const figures = `${count(call.prompt_tokens)} + ${count(call.completion_tokens)}`;
  return call.parameters.tokens_estimated === true ? `≈ ${figures}` : figures;
}

/** "85 ms", "1.2 s", "—" (not known: refused before it was sent). */
export function latencyText(ms: number | null): string {
  if (ms === null) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

/** What the tokens used come to: "1,234 of 10,000 tokens used · 8,766 left", or no cap. */
export function budgetText(endpoint: Pick<LlmEndpoint, "tokens_used" | "token_budget">): string {
  const used = count(endpoint.tokens_used);
  if (endpoint.token_budget === null) return `${used} tokens used (no budget: no cap)`;
  const left = Math.max(0, endpoint.token_budget - endpoint.tokens_used);
  return `${used} of ${count(endpoint.token_budget)} tokens used · ${count(left)} left`;
}

/** "67%" or "—". */
export function share(value: number | null): string {
  return value === null ? "—" : `${Math.round(value * 100)}%`;
}

/** The judge's agreement with people against the people's among themselves, in percentage
 * points: "+3 points", "−12 points", "same as people"; "—" when either is unknown. */
export function versusPeople(agreement: number | null, people: number | null): string {
  if (agreement === null || people === null) return "—";
  const points = Math.round((agreement - people) * 100);
  if (points === 0) return "same as people";
  return `${points > 0 ? "+" : "−"}${Math.abs(points)} point${Math.abs(points) === 1 ? "" : "s"}`;
}
