/**
 * Every endpoint the browser app uses, typed. Screens import `api` and nothing else from here
 * (plus the types and `ApiError`). To add an endpoint: add a function below (or a module
 * beside this one for a new noun) that calls `request`.
 */
import { request } from "./http";
import type {
  Annotation,
  Draft,
  JsonObject,
  Lease,
  MyWorkPage,
  Project,
  Session,
  Skipped,
  Submitted,
  TaskDetail,
} from "./types";

export { ApiError, setCsrfToken, setUnauthorizedHandler } from "./http";
export type * from "./types";

export const api = {
  session: {
    /** Who is signed in; 401 when nobody is (never redirects). */
    current: () => request<Session>("GET", "/session", { quietUnauthorized: true }),
    signIn: (email: string, password: string) =>
      request<Session>("POST", "/session", { body: { email, password }, quietUnauthorized: true }),
    signOut: () => request<void>("DELETE", "/session", { quietUnauthorized: true }),
  },
  projects: {
    list: () => request<Project[]>("GET", "/projects"),
    get: (id: number) => request<Project>("GET", `/projects/${id}`),
  },
  queue: {
    /** Lease the next task, or get back the one already held. */
    next: (projectId: number) => request<Lease>("POST", `/projects/${projectId}/next`),
    saveDraft: (taskId: number, result: JsonObject, seconds: number, keepalive = false) =>
      request<Draft>("PUT", `/tasks/${taskId}/draft`, { body: { result, seconds }, keepalive }),
    discardDraft: (taskId: number) => request<void>("DELETE", `/tasks/${taskId}/draft`),
    skip: (taskId: number, reason: string) =>
      request<Skipped>("POST", `/tasks/${taskId}/skip`, { body: { reason } }),
    /** Submit and lease the next task in the same round trip. */
    submit: (taskId: number, result: JsonObject, seconds: number) =>
      request<Submitted>("POST", `/tasks/${taskId}/annotations`, {
        body: { result, seconds },
        query: { next: true },
      }),
  },
  tasks: {
    get: (taskId: number) => request<TaskDetail>("GET", `/tasks/${taskId}`),
  },
  annotations: {
    mine: (projectId: number, before: number | null, limit = 50) =>
      request<MyWorkPage>("GET", `/projects/${projectId}/annotations/mine`, { query: { before, limit } }),
    get: (id: number) => request<Annotation>("GET", `/annotations/${id}`),
    /** Replace one's own annotation; 409 once it has been reviewed. */
    edit: (id: number, result: JsonObject, seconds: number) =>
      request<Annotation>("PUT", `/annotations/${id}`, { body: { result, seconds } }),
  },
};
