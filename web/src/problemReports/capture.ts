/**
 * What "Report a problem" gathers by itself: the last client-side errors and failed requests
 * (two bounded ring buffers, started at boot by `installProblemCapture`), and the page's
 * context (`gatherContext`). Never the task's content (field values, answers) unless the
 * reporter ticks "include the task's content"; never a URL's query string (it can hold
 * secrets); never a request's or an answer's body.
 */
import { setFailedRequestListener, type FailedRequest } from "../api/http";

export const MAX_ERRORS = 20;
export const MAX_FAILED_REQUESTS = 20;
export const MAX_MESSAGE = 500;
export const MAX_STACK = 2_000;
export const MAX_TASK_CONTENT = 20_000;
/** Where the task's content is shown (the annotate, review and task screens). */
export const TASK_CONTENT_SELECTOR = ".task-data, .task-questions, [data-task-content]";

/** The last `size` items pushed, oldest first. */
export class RingBuffer<T> {
  private items: T[] = [];
  constructor(readonly size: number) {}

  push(item: T): void {
    this.items.push(item);
    if (this.items.length > this.size) this.items.splice(0, this.items.length - this.size);
  }

  list(): T[] {
    return [...this.items];
  }

  clear(): void {
    this.items = [];
  }
}

export interface ClientError {
  at: string;
  kind: "error" | "unhandledrejection";
  message: string;
  source?: string;
  line?: number;
  column?: number;
  stack?: string;
}

export interface RecordedRequest {
  at: string;
  method: string;
  path: string;
  status: number;
  code: string;
}

export const clientErrors = new RingBuffer<ClientError>(MAX_ERRORS);
export const failedRequests = new RingBuffer<RecordedRequest>(MAX_FAILED_REQUESTS);

function clip(text: string, limit: number): string {
  return text.length > limit ? `${text.slice(0, limit)}…` : text;
}

/** A URL or path without its query string and fragment (they can hold tokens). */
export function withoutQuery(url: string): string {
  return url.split(/[?#]/, 1)[0] ?? "";
}

export function errorFromEvent(event: ErrorEvent, now: Date = new Date()): ClientError {
  const error: unknown = event.error;
  return {
    at: now.toISOString(),
    kind: "error",
    message: clip(String(event.message || (error instanceof Error ? error.message : error) || "error"), MAX_MESSAGE),
    source: event.filename ? withoutQuery(event.filename) : undefined,
    line: event.lineno || undefined,
    column: event.colno || undefined,
    stack: error instanceof Error && error.stack ? clip(error.stack, MAX_STACK) : undefined,
  };
}

export function errorFromRejection(reason: unknown, now: Date = new Date()): ClientError {
  const message = reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason);
  return {
    at: now.toISOString(),
    kind: "unhandledrejection",
    message: clip(message, MAX_MESSAGE),
    stack: reason instanceof Error && reason.stack ? clip(reason.stack, MAX_STACK) : undefined,
  };
}

export function recordFailedRequest(failed: FailedRequest, now: Date = new Date()): void {
  failedRequests.push({
    at: now.toISOString(),
    method: failed.method,
    path: withoutQuery(failed.url).replace(/^\/api\/v1/, ""),
    status: failed.status,
    code: clip(failed.code, 80),
  });
}

let installed = false;

/** Start the ring buffers (once, at boot). */
export function installProblemCapture(target: Window = window): void {
  if (installed) return;
  installed = true;
  target.addEventListener("error", (event) => clientErrors.push(errorFromEvent(event)));
  target.addEventListener("unhandledrejection", (event) => clientErrors.push(errorFromRejection(event.reason)));
  setFailedRequestListener((failed) => recordFailedRequest(failed));
}

export interface ProblemContext {
  page: string;
  project_id: number | null;
  task_id: number | null;
  browser: { user_agent: string; viewport: [number, number]; language: string };
  app_version: string | null;
  errors: ClientError[];
  failed_requests: RecordedRequest[];
  task_content?: string;
}

export interface Where {
  pathname: string;
  userAgent: string;
  viewport: [number, number];
  language: string;
  /** The `data-task-id` of the task on screen, if any. */
  taskOnScreen: number | null;
  /** The text of the task's content on screen (only read when the reporter allows it). */
  taskContent: () => string;
}

/** The page's ids: `/projects/:id/...`, `/projects/:id/tasks/:task`. */
export function idsOf(pathname: string): { project_id: number | null; task_id: number | null } {
  const project = /^\/projects\/(\d+)(?:\/|$)/.exec(pathname);
  const task = /^\/projects\/\d+\/tasks\/(\d+)(?:\/|$)/.exec(pathname);
  return { project_id: project ? Number(project[1]) : null, task_id: task ? Number(task[1]) : null };
}

export function gatherContext(where: Where, options: { includeTaskContent: boolean; appVersion: string | null }): ProblemContext {
  const ids = idsOf(where.pathname);
  const context: ProblemContext = {
    page: withoutQuery(where.pathname),
    project_id: ids.project_id,
    task_id: where.taskOnScreen ?? ids.task_id,
    browser: { user_agent: clip(where.userAgent, 500), viewport: where.viewport, language: where.language },
    app_version: options.appVersion,
    errors: clientErrors.list(),
    failed_requests: failedRequests.list(),
  };
  if (options.includeTaskContent) {
    const text = where.taskContent();
    if (text) context.task_content = clip(text, MAX_TASK_CONTENT);
  }
  return context;
}

/** The text of the task content shown in `root` (whitespace folded). */
export function taskContentIn(root: ParentNode): string {
  const parts: string[] = [];
  root.querySelectorAll<HTMLElement>(TASK_CONTENT_SELECTOR).forEach((element) => {
    const text = (element.innerText ?? element.textContent ?? "").replace(/\s+/g, " ").trim();
    if (text) parts.push(text);
  });
  return parts.join("\n\n");
}

/** The context of the page as it is now, in this browser. */
export function whereNow(): Where {
  const task = document.querySelector<HTMLElement>("[data-task-id]");
  const id = task ? Number(task.dataset.taskId) : NaN;
  return {
    pathname: window.location.pathname,
    userAgent: navigator.userAgent,
    viewport: [window.innerWidth, window.innerHeight],
    language: navigator.language,
    taskOnScreen: Number.isInteger(id) && id > 0 ? id : null,
    taskContent: () => taskContentIn(document),
  };
}
