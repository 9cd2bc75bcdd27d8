/** Adjudication: tasks whose answers disagree, every answer side by side, and the final answer. */
import { request } from "./http";
import type { Json, JsonObject, SubmitWarning, Task } from "./types";

export interface Adjudication {
  id: number;
  project_id: number;
  task_id: number;
  state: "open" | "decided";
  /** Which questions disagreed, with their agreement. */
  reason: string;
  reviewer_name: string | null;
  /** The final answer, once decided. */
  result: JsonObject | null;
  created_at: string;
  expires_at: string | null;
  decided_at: string | null;
}

export interface AdjudicationAnswer {
  annotation_id: number;
  author_name: string;
  /** The author's email, for managers and admins. */
  author: string | null;
  result: JsonObject;
  seconds: number;
  created_at: string;
}

export interface QuestionConsensus {
  question: string;
  method: string;
  /** The consensus answer to this question (null: none). */
  answer: Json | null;
  confidence: number | null;
  /** Mean pairwise similarity of the task's answers, 0–1. */
  agreement: number | null;
  n: number;
  computed_at: string;
}

export interface AdjudicationView {
  adjudication: Adjudication;
  task: Task;
  answers: AdjudicationAnswer[];
  consensus: QuestionConsensus[];
}

export interface AdjudicationPage {
  items: Adjudication[];
  next_after: number | null;
}

/** The final answer: written (or merged) as `result`, or picked with `annotation_id`. */
export type AdjudicationBody = { result: JsonObject } | { annotation_id: number };

export const adjudications = {
  /** Lease the next task to adjudicate (or get back the one held); null when none waits. */
  next: (projectId: number) =>
    request<{ adjudication: AdjudicationView | null }>("POST", `/projects/${projectId}/adjudications/next`),
  get: (id: number) => request<AdjudicationView>("GET", `/adjudications/${id}`),
  /** 422 naming the path when the answer does not fit; 409 `adjudication_decided` or `adjudication_held`. */
  decide: (id: number, body: AdjudicationBody) => request<Adjudication & { warnings?: SubmitWarning[] }>("POST", `/adjudications/${id}/decision`, { body }),
  /** Hand a held adjudication back to the queue. */
  release: (id: number) => request<Adjudication>("POST", `/adjudications/${id}/release`),
  list: (projectId: number, state: "open" | "decided" | null, after: number | null = null, limit = 100) =>
    request<AdjudicationPage>("GET", `/projects/${projectId}/adjudications`, { query: { state, after, limit } }),
};
