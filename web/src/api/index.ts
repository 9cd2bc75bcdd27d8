/**
 * Every endpoint the browser app uses, typed. Screens import `api` and nothing else from here
 * (plus the types and `ApiError`). To add an endpoint: add a function below (or a module
 * beside this one for a new noun) that calls `request`.
 */
import { adjudications } from "./adjudications";
import { assist } from "./assist";
import { buildUrl, request } from "./http";
import { flags } from "./flags";
import { gold } from "./gold";
import { guidelines } from "./guidelines";
import { jobs } from "./jobs";
import { labelStudio } from "./labelStudio";
import { llm } from "./llm";
import { media } from "./media";
import { metrics } from "./metrics";
import { ml } from "./mlBackends";
import type { OriginalityFinding, Typing } from "./originality";
import { notifications } from "./notifications";
import { upload, type UploadProgress } from "./upload";
import { webhooks } from "./webhooks";
import type {
  Annotation,
  AnnotationVersion,
  ExportFilter,
  ExportJobBody,
  DatasetFormat,
  ImportFormat,
  MediaDatasetFormat,
  Job,
  Member,
  MemberRole,
  ProjectChange,
  ProjectCreate,
  TaskFilter,
  TaskPage,
  TasksDeleted,
  MySkipsPage,
  User,
  UserChange,
  UserCreate,
  ChecklistFailures,
  DecisionBody,
  Draft,
  NextReview,
  Review,
  ReviewCounts,
  ReviewPage,
  ReviewWithChanges,
  ReworkItem,
  JsonObject,
  Lease,
  MyWorkPage,
  Project,
  CurrentSession,
  Session,
  Skipped,
  Submitted,
  TrainingReport,
  SubmitWarning,
  TaskDetail,
} from "./types";

export { ApiError, setCsrfToken, setUnauthorizedHandler } from "./http";
export type * from "./types";
export type * from "./adjudications";
export type * from "./gold";
export type * from "./jobs";
export type * from "./labelStudio";
export type * from "./media";
export type * from "./assist";
export type * from "./metrics";
export type * from "./mlBackends";
export type * from "./webhooks";
export type { JudgeScore, LlmCall, LlmCallPage, LlmEndpoint, LlmEndpointIn, LlmJobIn, LlmTemplate, QuestionScores } from "./llm";
export type * from "./flags";
export type * from "./notifications";
export type * from "./guidelines";
export { WEBHOOK_EVENTS } from "./webhooks";
export type { UploadProgress } from "./upload";

export const api = {
  assist,
  adjudications,
  gold,
  jobs,
  llm,
  labelStudio,
  media,
  metrics,
  ml,
  webhooks,
  flags,
  notifications,
  guidelines,
  session: {
    /** Who is signed in; 401 when nobody is (never redirects). */
    current: () => request<CurrentSession>("GET", "/session", { quietUnauthorized: true }),
    signIn: (email: string, password: string) =>
      request<Session>("POST", "/session", { body: { email, password }, quietUnauthorized: true }),
    signOut: () => request<void>("DELETE", "/session", { quietUnauthorized: true }),
  },
  users: {
    /** Admins only: every account (`q`: part of the email or name). */
    list: (q: string | null = null) => request<User[]>("GET", "/users", { query: { q } }),
    /** 422 `weak_password` (the message says why), 409 for an email already in use. */
    create: (body: UserCreate) => request<User>("POST", "/users", { body }),
    update: (id: number, body: UserChange) => request<User>("PATCH", `/users/${id}`, { body }),
    /** Set someone's password (ends their sessions; their API tokens stay unless `revokeTokens`). */
    setPassword: (id: number, password: string, revokeTokens = false) =>
      request<void>("PUT", `/users/${id}/password`, { body: { password, revoke_tokens: revokeTokens } }),
  },
  projects: {
    list: () => request<Project[]>("GET", "/projects"),
    get: (id: number) => request<Project>("GET", `/projects/${id}`),
    create: (body: ProjectCreate) => request<Project>("POST", "/projects", { body }),
    /** 422 `invalid_interface` with `[{path, message}]`; 409 `interface_orphans` with `Orphans[]`. */
    update: (id: number, body: ProjectChange) => request<Project>("PATCH", `/projects/${id}`, { body }),
    /** Managers: delete the project for everyone (its rows go afterwards, in the background). */
    delete: (id: number) => request<unknown>("DELETE", `/projects/${id}`),
  },
  members: {
    list: (projectId: number) => request<Member[]>("GET", `/projects/${projectId}/members`),
    /** Add by email (404 for an unknown email), or change the role of one already in. */
    add: (projectId: number, email: string, role: MemberRole) =>
      request<Member>("POST", `/projects/${projectId}/members`, { body: { email, role } }),
    setRole: (projectId: number, userId: number, role: MemberRole) =>
      request<Member>("PUT", `/projects/${projectId}/members/${userId}`, { body: { role } }),
    remove: (projectId: number, userId: number) => request<void>("DELETE", `/projects/${projectId}/members/${userId}`),
  },
  imports: {
    /** Upload a file as the raw body (XMLHttpRequest, for the progress) to be imported as a
     * background job: the answer is the job (follow it with `api.jobs.get`); its result is
     * the import's report, or, for a refused file, `details.errors` and `details.bad_lines`. */
    start: (
      projectId: number,
      file: Blob,
      options: {
        format: ImportFormat | DatasetFormat | MediaDatasetFormat | null;
        filename: string;
        skipInvalid: boolean;
        /** Make the rows' predictions (a dataset's shapes) this named source's annotations. */
        source?: string | null;
        /** mot, rttm, vtt, srt: the question the dataset's tracks or segments go to (needed
         * when the project has several that suit the format). */
        question?: string | null;
        onProgress?: (p: UploadProgress) => void;
        signal?: AbortSignal;
      },
    ) =>
      upload<Job>(`/projects/${projectId}/imports`, file, {
        query: { format: options.format, filename: options.filename, skip_invalid: options.skipInvalid, background: true, source: options.source || null, question: options.question || null },
        contentType: options.format ? (IMPORT_TYPES[options.format as ImportFormat] ?? "application/zip") : undefined,
        onProgress: options.onProgress,
        signal: options.signal,
      }),
  },
  exports: {
    /** A plain link: the browser downloads it with the session cookie (a GET needs no CSRF). */
    url: (projectId: number, filter: ExportFilter) =>
      buildUrl(`/projects/${projectId}/export`, {
        format: filter.format,
        status: filter.status || null,
        annotator: filter.annotator || null,
        since: filter.since || null,
        until: filter.until || null,
        consensus: filter.consensus || null,
        final: filter.final || null,
        with_media: filter.with_media || null,
        reviewed: filter.reviewed || null,
        question: filter.question || null,
      }),
    /** The project's Label Studio labeling config (XML), to load a `labelstudio` export with. */
    labelStudioConfig: (projectId: number) => buildUrl(`/projects/${projectId}/labelstudio-config`),
    /** Training formats: what the export would write and leave out, and why (no file). */
    report: (projectId: number, filter: ExportFilter, signal?: AbortSignal) =>
      request<TrainingReport>("GET", `/projects/${projectId}/export`, {
        signal,
        query: {
          format: filter.format,
          status: filter.status || null,
          annotator: filter.annotator || null,
          since: filter.since || null,
          until: filter.until || null,
          final: filter.final || null,
          reviewed: filter.reviewed || null,
          report: true,
        },
      }),
    /** Write the export into the server's storage as a background job (202: the job). */
    start: (projectId: number, body: ExportJobBody) => request<Job>("POST", `/projects/${projectId}/exports`, { body }),
  },
  queue: {
    /** Lease the next task, or get back the one already held. */
    next: (projectId: number, mode: "training" | null = null) =>
      request<Lease>("POST", `/projects/${projectId}/next`, { query: { mode } }),
    saveDraft: (taskId: number, result: JsonObject, seconds: number, keepalive = false) =>
      request<Draft>("PUT", `/tasks/${taskId}/draft`, { body: { result, seconds }, keepalive }),
    discardDraft: (taskId: number) => request<void>("DELETE", `/tasks/${taskId}/draft`),
    skip: (taskId: number, reason: string) =>
      request<Skipped>("POST", `/tasks/${taskId}/skip`, { body: { reason } }),
    /** Submit and lease the next task in the same round trip. */
    submit: (taskId: number, result: JsonObject, seconds: number, typing?: Typing) =>
      request<Submitted>("POST", `/tasks/${taskId}/annotations`, {
        body: typing ? { result, seconds, typing } : { result, seconds },
        query: { next: true },
      }),
  },
  tasks: {
    get: (taskId: number) => request<TaskDetail>("GET", `/tasks/${taskId}`),
    /** The data manager's page: filtered and sorted on the server, `offset` anywhere. */
    list: (projectId: number, filter: TaskFilter, offset: number, limit: number, signal?: AbortSignal) =>
      request<TaskPage>("GET", `/projects/${projectId}/tasks`, {
        query: {
          offset,
          limit,
          status: filter.status || null,
          annotator: filter.annotator || null,
          q: filter.q || null,
          question: filter.question || null,
          value: filter.question ? filter.value || null : null,
          skipped: filter.skipped ? true : null,
          sort: filter.sort && filter.sort !== "id" ? filter.sort : null,
        },
        signal,
      }),
    /** Managers: delete tasks with their annotations (at most 1,000 ids a call). */
    delete: (projectId: number, ids: number[]) =>
      request<TasksDeleted>("POST", `/projects/${projectId}/tasks/delete`, { body: { ids } }),
  },
  skips: {
    mine: (projectId: number, before: number | null, limit = 50) =>
      request<MySkipsPage>("GET", `/projects/${projectId}/skips/mine`, { query: { before, limit } }),
  },
  annotations: {
    mine: (projectId: number, before: number | null, limit = 50) =>
      request<MyWorkPage>("GET", `/projects/${projectId}/annotations/mine`, { query: { before, limit } }),
    get: (id: number) => request<Annotation>("GET", `/annotations/${id}`),
    versions: (id: number) => request<AnnotationVersion[]>("GET", `/annotations/${id}/versions`),
    /** Replace one's own annotation; 409 once it has been reviewed. The answer carries the
     * warnings of the checks (declared and originality), as a submission's does. */
    edit: (id: number, result: JsonObject, seconds: number) =>
      request<Annotation & { warnings?: SubmitWarning[]; originality?: OriginalityFinding[] }>("PUT", `/annotations/${id}`, { body: { result, seconds } }),
    /** Managers: delete an annotation (its task goes back to the queue). */
    delete: (id: number) => request<{ deleted: boolean }>("DELETE", `/annotations/${id}`),
    /** Its review rounds, with each fix's before and after (its author; reviewers, managers). */
    reviews: (id: number) => request<ReviewWithChanges[]>("GET", `/annotations/${id}/reviews`),
  },
  reviews: {
    /** Lease the next review (or get back the one held); never one's own work. */
    next: (projectId: number) => request<NextReview>("POST", `/projects/${projectId}/reviews/next`),
    /** 409 `review_decided`, `review_held` or `annotation_changed`: the message says what to do. */
    /** A fix's answer carries the checks' `warnings` (declared, and originality: never refused). */
    decide: (reviewId: number, body: DecisionBody) => request<Review & { warnings?: SubmitWarning[] }>("POST", `/reviews/${reviewId}/decision`, { body }),
    /** Hand a held review back to the queue. */
    release: (reviewId: number) => request<Review>("POST", `/reviews/${reviewId}/release`),
    list: (projectId: number, filter: { state?: string | null; decision?: string | null }, after: number | null, limit = 50) =>
      request<ReviewPage>("GET", `/projects/${projectId}/reviews`, {
        query: { state: filter.state || null, decision: filter.decision || null, after, limit },
      }),
    summary: (projectId: number) => request<ReviewCounts[]>("GET", `/projects/${projectId}/reviews/summary`),
    checklist: (projectId: number, by: "annotator" | "day" | "week") =>
      request<ChecklistFailures[]>("GET", `/projects/${projectId}/reviews/checklist`, { query: { by } }),
    /** The caller's rejected annotations, each with the review that sent it back. */
    rework: (projectId: number) => request<ReworkItem[]>("GET", `/projects/${projectId}/rework`),
  },
};

const IMPORT_TYPES: Record<ImportFormat, string> = {
  jsonl: "application/x-ndjson",
  json: "application/json",
  csv: "text/csv",
  tsv: "text/tab-separated-values",
};
