/** Gold, qualification and training: known answers, scores per annotator, pausing members. */
import { request } from "./http";
import type { JsonObject, Practice, Task } from "./types";

export type KnownPurpose = "gold" | "qualification" | "training";

export interface KnownAnswer {
  task: Task;
  purpose: KnownPurpose;
  answer: JsonObject;
  explanation: string;
  /** Answers scored against it so far. */
  answers: number;
  mean_score: number | null;
}

export interface KnownPage {
  items: KnownAnswer[];
  next_after: number | null;
}

export interface AnnotatorGold {
  user_id: number;
  name: string;
  email: string;
  role: string;
  gold_tasks: number;
  /** Mean gold score, 0..1. */
  score: number | null;
  /** The 95 % Wilson interval of the score. */
  low: number;
  high: number;
  last_at: string | null;
  paused_at: string | null;
  pause_reason: string;
  qualification: "in_progress" | "passed" | "failed" | null;
  qualification_score: number | null;
  qualification_attempt: number | null;
}

export interface GoldSummary {
  computed_at: string;
  annotators: AnnotatorGold[];
}

export interface Standing {
  qualification: Practice | null;
  training_left: number;
}

export interface Paused {
  user_id: number;
  paused_at: string | null;
  pause_reason: string;
}

export const gold = {
  /** Managers: the tasks with a known answer, a page at a time. */
  list: (projectId: number, purpose: KnownPurpose | null, after: number | null, limit = 100) =>
    request<KnownPage>("GET", `/projects/${projectId}/gold`, { query: { purpose, after, limit } }),
  /** Managers: give a task a known answer or change it (scores already given stay). */
  set: (taskId: number, body: { answer: JsonObject; purpose: KnownPurpose; explanation: string }) =>
    request<KnownAnswer>("PUT", `/tasks/${taskId}/gold`, { body }),
  /** Managers: each member's gold score with its interval, pause and qualification. */
  annotators: (projectId: number) => request<GoldSummary>("GET", `/projects/${projectId}/gold/annotators`),
  /** Where the caller stands in the qualification, and training tasks left. */
  standing: (projectId: number) => request<Standing>("GET", `/projects/${projectId}/qualification`),
  pause: (projectId: number, userId: number, reason: string) =>
    request<Paused>("POST", `/projects/${projectId}/members/${userId}/pause`, { body: { reason } }),
  resume: (projectId: number, userId: number) => request<Paused>("POST", `/projects/${projectId}/members/${userId}/resume`),
};
