/** Metrics: per annotator, day, week or question (docs/metrics.md). */
import type { FlagFigures } from "./flags";
import { buildUrl, request } from "./http";

export type MetricsBy = "annotator" | "day" | "week" | "question";

export interface MetricsRow {
  /** The annotator's id, the day, or the week's Monday (ISO date). */
  key: string;
  annotator_name: string | null;
  annotator: string | null;
  submitted: number;
  deleted: number;
  skipped: number;
  active_seconds: number;
  throughput_per_hour: number | null;
  reviewed: number;
  accepted: number;
  fixed: number;
  rejected: number;
  accept_rate: number | null;
  fix_rate: number | null;
  reject_rate: number | null;
  checklist_failures: number;
  gold_scored: number;
  gold_accuracy: number | null;
  gold_low: number | null;
  gold_high: number | null;
  agreement_others: number | null;
  agreement_consensus: number | null;
  skill: number | null;
}

export interface QuestionFigures {
  name: string;
  kind: string;
  classes: string[];
  answers: number;
  items: number | null;
  alpha: number | null;
  alpha_low: number | null;
  alpha_high: number | null;
  labels: Record<string, number>;
  consensus_from: Record<string, number>;
  /** Per annotator id: counts[consensus][given], in the order of `classes`. */
  confusion: Record<string, number[][]>;
  skills: Record<string, number>;
}

export interface Metrics {
  project_id: number;
  by: MetricsBy;
  counted_at: string;
  computed_at: string | null;
  stale: boolean;
  progress: { tasks: number; new: number; in_progress: number; complete: number; annotations: number };
  rows: MetricsRow[];
  questions: QuestionFigures[];
  names: Record<string, string>;
  /** by=question, leads only: per question of every kind, its tasks' mean agreement as stored by consensus. */
  task_agreement: Record<string, { tasks: number; mean: number }>;
  /** by=question: per tracks question, MOTA and IDF1 of gold scoring and pairwise agreement (an annotator: their own). */
  tracks?: Record<string, TrackFigures>;
  /** Reviewers and managers: ambiguity flags (docs/flags.md). */
  flags?: FlagFigures | null;
}

/** MOTA and IDF1 of some tracks answers: gold ones against the known answer, or pairs. */
export interface TrackScores {
  n: number;
  mota_mean: number | null;
  mota_median: number | null;
  idf1_mean: number | null;
  idf1_median: number | null;
}

export interface TrackFigures {
  shape: string | null;
  gold: (TrackScores & { by_annotator: Record<string, TrackScores> }) | null;
  agreement: (TrackScores & { by_annotator: Record<string, TrackScores> }) | null;
}

export const metrics = {
  /** Everyone's figures for reviewers and managers; one's own for an annotator. */
  get: (projectId: number, by: MetricsBy) => request<Metrics>("GET", `/projects/${projectId}/metrics`, { query: { by } }),
  /** A link that downloads the same figures as CSV or JSON. */
  downloadUrl: (projectId: number, by: MetricsBy, format: "csv" | "json") =>
    buildUrl(`/projects/${projectId}/metrics`, { by, format: format === "csv" ? "csv" : null }),
};
