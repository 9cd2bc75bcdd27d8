/** Reading the server's refusals for the managers' forms. */
import { ApiError, type Orphans, type Problem } from "../../api";

/** What to show for an error: the server's message (written for people), else the error's. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** A 401 is handled by the app (sign-in, then back here): forms show nothing for it. */
export const isHandled = (error: unknown): boolean => error instanceof ApiError && error.isUnauthorized;

/** The 409 `interface_orphans` refusal's items, or null for any other error. */
export function orphansOf(error: unknown): Orphans[] | null {
  if (!(error instanceof ApiError) || error.code !== "interface_orphans" || !Array.isArray(error.details)) return null;
  return error.details.filter(
    (item): item is Orphans => typeof item === "object" && item !== null && "name" in item && "count" in item,
  );
}

/** Problems of a 422 keyed by the form field they name (`name`, `overlap`...), and the rest. */
export function fieldProblems(error: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!(error instanceof ApiError) || error.status !== 422 || error.code === "invalid_interface") return out;
  for (const problem of error.problems) out[problem.path.split(/[.[]/)[0] ?? ""] ??= problem.message;
  const details = error.details;
  if (details && typeof details === "object" && !Array.isArray(details) && "field" in details) {
    const field = (details as { field: unknown }).field;
    if (typeof field === "string") out[field] ??= error.message;
  }
  return out;
}

/** The interface's own problems from a 422 `invalid_interface` (paths inside the interface). */
export function interfaceProblems(error: unknown): Problem[] {
  if (!(error instanceof ApiError) || error.code !== "invalid_interface") return [];
  return error.problems;
}
