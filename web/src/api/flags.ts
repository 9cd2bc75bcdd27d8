/** Ambiguity flags, the FAQ and guideline amendments made from answers (docs/flags.md). */
import { request } from "./http";

export type FlagState = "open" | "answered";

export interface Flag {
  id: number;
  project_id: number;
  task_id: number;
  task_external_id: string | null;
  /** The asker's annotation of the task, if they submitted one. */
  annotation_id: number | null;
  /** The guideline section's anchor ("" for the guidelines as a whole). */
  section: string;
  question: string;
  guidelines_version: number;
  state: FlagState;
  answer: string;
  answered_at: string | null;
  published: boolean;
  faq_question: string;
  amended_version: number | null;
  /** The caller asked it. */
  mine: boolean;
  /** Who asked: managers only (null for everyone else). */
  asker_id: number | null;
  asker_name: string | null;
  asker_email: string | null;
  created_at: string;
}

export interface FlagPage {
  items: Flag[];
  /** Open flags per section (reviewers and managers). */
  open_by_section: Record<string, number>;
  next_before: number | null;
}

export interface FaqEntry {
  id: number;
  section: string;
  question: string;
  answer: string;
  answered_at: string | null;
  amended_version: number | null;
}

export interface Amendment {
  text: string;
  note: string;
  base_version: number;
}

export interface FlagFigures {
  open: number;
  answered: number;
  median_seconds_to_answer: number | null;
  amendments: number;
}

export const flags = {
  /** Flag a task as unclear (422 with the path for an empty or too long question). */
  create: (taskId: number, question: string, section: string) =>
    request<Flag>("POST", `/tasks/${taskId}/flags`, { body: { question, section, skip: false } }),
  /** Reviewers and managers: the project's flags; annotators: their own. */
  list: (projectId: number, state: FlagState | "all", before: number | null = null, limit = 100) =>
    request<FlagPage>("GET", `/projects/${projectId}/flags`, { query: { state, before, limit } }),
  get: (flagId: number) => request<Flag>("GET", `/flags/${flagId}`),
  answer: (flagId: number, answer: string, publish: boolean, faqQuestion: string) =>
    request<Flag>("POST", `/flags/${flagId}/answer`, { body: { answer, publish, faq_question: faqQuestion } }),
  amendment: (flagId: number) => request<Amendment>("GET", `/flags/${flagId}/amendment`),
  /** 409 `guidelines_conflict` (details: the diff) when the guidelines changed meanwhile. */
  promote: (flagId: number, body: { text: string; note: string; material: boolean; base_version: number }) =>
    request<{ flag: Flag; version: number }>("POST", `/flags/${flagId}/promote`, { body }),
  faq: (projectId: number, q: string, limit = 50) => request<FaqEntry[]>("GET", `/projects/${projectId}/faq`, { query: { q: q || null, limit } }),
};
