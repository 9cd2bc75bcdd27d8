/** Model servers of a project (src/accord/api/ml_backends.py, docs/ml_backends.md): managers
 * connect and check them, pre-label the project and retrain; annotators ask the interactive one
 * for a suggestion (Suggest in the annotate screen). */
import type { Job, JsonObject } from "./types";
import { request } from "./http";

export type MlProtocol = "labelstudio" | "accord";

export interface MlBackend {
  id: number;
  project_id: number;
  title: string;
  url: string;
  protocol: MlProtocol;
  enabled: boolean;
  /** Offered as Suggest in the annotate screen. */
  interactive: boolean;
  timeout_seconds: number;
  /** Retrain every N new annotations (0: never). */
  train_every: number;
  model_version: string;
  health: "unknown" | "up" | "down";
  health_error: string;
  health_checked_at: string | null;
  trained_through: number;
  last_trained_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface MlBackendIn {
  title: string;
  url: string;
  protocol?: MlProtocol;
  enabled?: boolean;
  interactive?: boolean;
  timeout_seconds?: number;
  train_every?: number;
}

/** Whether the annotate screen offers Suggest. */
export interface MlOffer {
  available: boolean;
  backend_id: number | null;
  title: string;
}

/** A suggestion for one task: an answer keyed by question name (nothing is stored). */
export interface MlSuggestion {
  backend_id: number;
  model_version: string;
  score: number | null;
  result: JsonObject;
  seconds: number;
}

export const ml = {
  list: (projectId: number) => request<MlBackend[]>("GET", `/projects/${projectId}/ml-backends`),
  create: (projectId: number, body: MlBackendIn) => request<MlBackend>("POST", `/projects/${projectId}/ml-backends`, { body }),
  update: (projectId: number, id: number, body: Partial<MlBackendIn>) => request<MlBackend>("PATCH", `/projects/${projectId}/ml-backends/${id}`, { body }),
  remove: (projectId: number, id: number) => request<{ deleted: boolean }>("DELETE", `/projects/${projectId}/ml-backends/${id}`),
  /** Check it now (GET /health; Label Studio: then POST /setup). */
  check: (projectId: number, id: number) => request<MlBackend>("POST", `/projects/${projectId}/ml-backends/${id}/health`),
  /** Pre-label the project's tasks, as a job. */
  predict: (projectId: number, id: number, body: { task_ids?: number[]; batch_size?: number } = {}) =>
    request<Job>("POST", `/projects/${projectId}/ml-backends/${id}/predictions`, { body }),
  train: (projectId: number, id: number) => request<Job>("POST", `/projects/${projectId}/ml-backends/${id}/train`),
  offer: (projectId: number) => request<MlOffer>("GET", `/projects/${projectId}/ml-suggest`),
  /** Ask the interactive backend; 502 (`model_*`) when it is down, slow or its answer does not fit. */
  suggest: (taskId: number, context: JsonObject, signal?: AbortSignal) =>
    request<MlSuggestion>("POST", `/tasks/${taskId}/ml-predict`, { body: { context }, signal }),
};
