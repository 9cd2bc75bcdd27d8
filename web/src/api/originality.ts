/** Originality of written answers (docs/originality.md): the check before submitting, and what
 * reviewers see of an annotation's check. */
import type { JsonObject } from "./types";
import { request } from "./http";
import type { Job } from "./types";
import { upload, type UploadProgress } from "./upload";

export interface OriginalityPassage {
  /** [start, end) in your text, in code points. */
  yours: [number, number];
  /** [start, end) in the matching text, in code points. */
  theirs: [number, number];
  words: number;
  source: "submission" | "reference" | "adjudication";
  /** The matching passage, with a little of the other text around it. */
  text: string;
  before: string;
  after: string;
}

export interface OriginalityFinding {
  question: string;
  /** Jaccard index of the two texts' word 3-gram sets, 0–1. */
  similarity: number;
  /** submission: an earlier answer; adjudication: an adjudicated final answer; reference: a corpus. */
  source: "submission" | "reference" | "adjudication";
  verdict: "original" | "warn" | "block";
  passages: OriginalityPassage[];
}

/** Paste counts by question, sent beside the result. */
export type Typing = Record<string, { typed: number; pasted: number }>;

export interface OriginalityCheck {
  annotation_id: number;
  similarity: number | null;
  verdict: string;
  details: Record<string, { similarity: number; source: string; theirs: string | null; passages: { yours: [number, number]; theirs: [number, number]; words: number }[] }>;
  typing: Typing;
}

export interface Corpus {
  id: number;
  question: string;
  name: string;
  /** indexing: not used yet; ready: used by checks; failed: not used (see error); deleting: not used, being removed. */
  state: "indexing" | "ready" | "failed" | "deleting";
  texts: number;
  job_id: number | null;
  created_at: string;
  error: string | null;
}

export const originality = {
  corpora: (projectId: number) => request<Corpus[]>("GET", `/projects/${projectId}/originality/corpora`),
  /** Upload a reference corpus (indexed as a background job). */
  uploadCorpus: (projectId: number, question: string, format: "lines" | "jsonl", file: File, onProgress?: (p: UploadProgress) => void) =>
    upload<{ corpus: Corpus; job: Job }>(`/projects/${projectId}/originality/corpora`, file, {
      query: { question, format, name: file.name },
      contentType: "application/octet-stream",
      onProgress,
    }),
  /** Delete a reference corpus: out of use at once, its texts removed by a job. */
  deleteCorpus: (projectId: number, corpusId: number) => request<{ corpus: Corpus; job: Job }>("DELETE", `/projects/${projectId}/originality/corpora/${corpusId}`),
  /** What submitting `result` would meet (nothing is written); `annotationId`: the caller's
   * own annotation being edited, whose texts do not count. */
  preview: (taskId: number, result: JsonObject, annotationId?: number) =>
    request<{ findings: OriginalityFinding[] }>("POST", `/tasks/${taskId}/originality`, { body: annotationId === undefined ? { result } : { result, annotation_id: annotationId } }),
  ofAnnotation: (annotationId: number) => request<OriginalityCheck>("GET", `/annotations/${annotationId}/originality`),
};
