import type { Json, JsonObject, Problem } from "../api/types";
import type { PushOptions } from "../editor/history";
import type { FieldSpec, QuestionSpec } from "../editor/interface";

/** What every question widget gets. It must emit exactly its kind's answer JSON (docs/kinds.md). */
export interface QuestionProps<S extends QuestionSpec = QuestionSpec> {
  question: S;
  /** The current answer (undefined: not answered). */
  value: Json | undefined;
  /** Set the answer (undefined clears it); each call is one undo step unless `coalesce` merges typing. */
  onChange: (value: Json | undefined, options?: PushOptions) => void;
  /** The task's data, for targets. */
  data: JsonObject;
  fields: FieldSpec[];
  /** This question has the keyboard: it shows its keys and handles them. */
  active: boolean;
  /** Make this question the active one (a click inside it). */
  activate: () => void;
}

export interface FieldProps<F extends FieldSpec = FieldSpec> {
  field: F;
  value: Json | undefined;
}

export type { Problem };

export const isObject = (value: Json | undefined): value is JsonObject =>
  value !== null && value !== undefined && typeof value === "object" && !Array.isArray(value);

/** True when a key event comes from a place where typing goes (text boxes): leave it alone. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement) return true;
  if (target instanceof HTMLInputElement) return !["checkbox", "radio", "button", "submit", "range"].includes(target.type);
  return target instanceof HTMLSelectElement;
}

/** The digit of a number key (1..9, 0 as 10), from `event.code` so Shift does not change it. */
export function digitOf(event: { code: string; key: string }): number | null {
  const match = /^(?:Digit|Numpad)(\d)$/.exec(event.code);
  const digit = match ? Number(match[1]) : /^\d$/.test(event.key) ? Number(event.key) : null;
  if (digit === null) return null;
  return digit === 0 ? 10 : digit;
}

/** The label of a number key for position `index` (0-based): "1".."9", "0" for the 10th. */
export function keyLabel(index: number): string | null {
  if (index < 9) return String(index + 1);
  if (index === 9) return "0";
  return null;
}
