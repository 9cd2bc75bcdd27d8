/**
 * The only code in the app that calls `fetch`. Every request goes through `request`:
 * JSON in and out, the session's CSRF token on every write, errors turned into `ApiError`,
 * and a 401 handed to the handler the app installs (it sends the person to sign-in).
 */
import type { Problem } from "./types";

export const API_PREFIX = "/api/v1";
const KEEPALIVE_LIMIT = 60_000;

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | boolean | null | undefined>;
  /** Survive the page going away (saving on pagehide). Bodies are limited to 64 KiB then. */
  keepalive?: boolean;
  signal?: AbortSignal;
  /** Do not call the 401 handler (the sign-in form itself, the boot-time session check). */
  quietUnauthorized?: boolean;
}

/** An error answer from the server, or no answer at all (`status` 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;

  constructor(status: number, code: string, message: string, details: unknown = null) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.details = details;
  }

  /** The problems of a 422 (`details` as a list of `{path, message}`), else none. */
  get problems(): Problem[] {
    if (!Array.isArray(this.details)) return [];
    return this.details.filter(isProblem);
  }

  /** Seconds to wait before trying again (429), if the server said. */
  get retryAfter(): number | null {
    const details = this.details;
    if (details && typeof details === "object" && "retry_after" in details) {
      const value = (details as { retry_after: unknown }).retry_after;
      return typeof value === "number" ? value : null;
    }
    return null;
  }

  get isUnauthorized(): boolean {
    return this.status === 401;
  }

  get isNetwork(): boolean {
    return this.status === 0;
  }
}

function isProblem(value: unknown): value is Problem {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Problem).path === "string" &&
    typeof (value as Problem).message === "string"
  );
}

let csrfToken = "";
let onUnauthorized: ((error: ApiError) => void) | null = null;

/** A request that failed (no answer: status 0), as "Report a problem" records it. */
export interface FailedRequest {
  method: Method;
  url: string;
  status: number;
  code: string;
}
let onFailedRequest: ((failed: FailedRequest) => void) | null = null;

/** Installed at boot by `problemReports/capture.ts` (its ring buffer of failed requests). */
export function setFailedRequestListener(listener: ((failed: FailedRequest) => void) | null): void {
  onFailedRequest = listener;
}

/** Set by the session code after sign-in and at boot (`GET /session`). */
export function setCsrfToken(token: string): void {
  csrfToken = token;
}

/** The app installs one handler: it remembers where the person was and shows sign-in. */
export function setUnauthorizedHandler(handler: ((error: ApiError) => void) | null): void {
  onUnauthorized = handler;
}

export function buildUrl(path: string, query?: RequestOptions["query"]): string {
  let url = API_PREFIX + path;
  if (query) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== null && value !== undefined) params.set(key, String(value));
    }
    const text = params.toString();
    if (text) url += `?${text}`;
  }
  return url;
}

export async function request<T>(method: Method, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && csrfToken) headers["X-CSRF-Token"] = csrfToken;
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  // Browsers refuse keepalive bodies over 64 KiB; a big draft is still in localStorage.
  const keepalive = (options.keepalive ?? false) && (body?.length ?? 0) < KEEPALIVE_LIMIT;
  let response: Response;
  try {
    response = await fetch(buildUrl(path, options.query), {
      method,
      headers,
      body,
      credentials: "same-origin",
      keepalive,
      signal: options.signal,
    });
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === "AbortError") throw cause;
    onFailedRequest?.({ method, url: path, status: 0, code: "network" });
    throw new ApiError(
      0,
      "network",
      "Cannot reach the server. Your work is kept in this browser; try again in a moment.",
    );
  }
  if (response.status === 204) return undefined as T;
  const payload: unknown = await response.json().catch(() => null);
  if (response.ok) return payload as T;
  const error = toError(response, payload);
  onFailedRequest?.({ method, url: path, status: error.status, code: error.code });
  if (error.isUnauthorized && !options.quietUnauthorized && onUnauthorized) onUnauthorized(error);
  throw error;
}

function toError(response: Response, payload: unknown): ApiError {
  return errorFrom(response.status, response.statusText, payload);
}

/** The `ApiError` for an error answer (`payload` is the parsed JSON body, or null). */
export function errorFrom(status: number, statusText: string, payload: unknown): ApiError {
  const body = payload && typeof payload === "object" && "error" in payload ? payload.error : null;
  if (body && typeof body === "object") {
    const { code, message, details } = body as { code?: unknown; message?: unknown; details?: unknown };
    return new ApiError(
      status,
      typeof code === "string" ? code : "error",
      typeof message === "string" ? message : `the server answered ${status}`,
      details ?? null,
    );
  }
  return new ApiError(status, "error", `the server answered ${status} ${statusText}`);
}

/** For requests that cannot go through `request` (uploads with progress): the CSRF token
 * and the app's 401 handler. */
export function csrfTokenForWrites(): string {
  return csrfToken;
}

export function reportUnauthorized(error: ApiError): void {
  if (error.isUnauthorized && onUnauthorized) onUnauthorized(error);
}
