/**
 * The originality check at submit (docs/originality.md). Before submitting, a project with a
 * text question that has `originality` set asks the server what the answer would meet
 * (`POST /tasks/{id}/originality`, nothing written). Above warn_above, the dialog shows the
 * similarity and the matching passages side by side and lets the annotator revise or submit
 * anyway; above block_above it shows the same and refuses. A 422 `not_original` from the
 * submission itself (the index changed in between) opens the same dialog. Saving an edit of
 * one's annotation (the reopen screen) goes through the same gate, its own text passed over.
 */
import { originality, type OriginalityFinding } from "../../api/originality";
import type { Json, JsonObject } from "../../api/types";

export interface OriginalityState {
  findings: OriginalityFinding[];
  /** The answers' texts by question, as submitted. */
  yours: Record<string, string>;
  blocked: boolean;
  /** Submit anyway (null when blocked). */
  proceed: (() => void) | null;
  /** Saving an edit of one's annotation (the dialog says "Save anyway"), not a submission. */
  editing?: boolean;
}

let state: OriginalityState | null = null;
const listeners = new Set<() => void>();

function set(next: OriginalityState | null): void {
  state = next;
  for (const listener of listeners) listener();
}

export const originalityStore = {
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  get(): OriginalityState | null {
    return state;
  },
  close(): void {
    set(null);
  },
};

/** Whether the interface (as the project stores it) checks any answer's originality. */
export function checksOriginality(iface: Json): boolean {
  const questions = iface && typeof iface === "object" && !Array.isArray(iface) ? iface.questions : null;
  return Array.isArray(questions) && questions.some((q) => !!q && typeof q === "object" && !Array.isArray(q) && q.kind === "text" && !!q.originality);
}

function textsOf(result: JsonObject): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(result)) {
    if (value && typeof value === "object" && !Array.isArray(value) && typeof value.text === "string") out[name] = value.text;
  }
  return out;
}

/**
 * True: go on and submit. False: the dialog is open (revise, or submit anyway by `proceed`).
 * A failed check does not stop the submission: the server checks again.
 */
export async function originalityGate(iface: Json, taskId: number, result: JsonObject, proceed: () => void, annotationId?: number): Promise<boolean> {
  if (!checksOriginality(iface)) return true;
  let findings: OriginalityFinding[];
  try {
    findings = (await originality.preview(taskId, result, annotationId)).findings;
  } catch {
    return true;
  }
  if (!findings.length) return true;
  const blocked = findings.some((f) => f.verdict === "block");
  set({ findings, yours: textsOf(result), blocked, proceed: blocked ? null : proceed, editing: annotationId !== undefined });
  return false;
}

/** Show a 422 `not_original`'s details (one finding). */
export function showRefusal(details: unknown, result: JsonObject): boolean {
  if (!details || typeof details !== "object" || !("passages" in details)) return false;
  set({ findings: [{ ...(details as OriginalityFinding), verdict: "block" }], yours: textsOf(result), blocked: true, proceed: null });
  return true;
}
