/**
 * What the browser knows about answers before the server does: when an answer says
 * nothing (mirroring each kind's `is_empty`), which required questions are unanswered, the
 * live text checks, and which question a server problem's path belongs to.
 */
import type { Json, JsonObject, Problem } from "../api/types";
import type { Interface, QuestionSpec } from "./interface";
import { compileRules, textProblem, type RuleCheck } from "./textRules";

const isObject = (value: Json | undefined): value is JsonObject =>
  value !== null && value !== undefined && typeof value === "object" && !Array.isArray(value);

/** True when the answer says nothing (left out, null, {} or the kind's own empty form). */
export function isEmptyAnswer(question: QuestionSpec, value: Json | undefined): boolean {
  if (value === undefined || value === null) return true;
  if (!isObject(value)) return false;
  const keys = Object.keys(value);
  if (keys.length === 0) return true;
  const only = (key: string, empty: Json): boolean =>
    keys.length === 1 && keys[0] === key && JSON.stringify(value[key]) === JSON.stringify(empty);
  switch (question.kind) {
    case "choice":
      return Array.isArray(value.choices) && value.choices.length === 0;
    case "text":
      return only("text", "");
    case "spans":
      return only("spans", []);
    case "ranking":
      return only("order", []);
    case "turns":
      return only("turns", []);
    case "rubric":
      return (
        isObject(value.criteria) &&
        Object.keys(value.criteria).length === 0 &&
        (value.comment === undefined || value.comment === "") &&
        keys.every((key) => key === "criteria" || key === "comment")
      );
    default:
      return false;
  }
}

/** The question a server problem is about: `result.why.text` → `why`. */
export function questionOfPath(path: string): string | null {
  const match = /^result\.([A-Za-z_][A-Za-z0-9_]*)/.exec(path);
  return match ? (match[1] as string) : null;
}

/** Rules compiled once per interface, by question name. */
export function compileTextRules(iface: Interface): Map<string, RuleCheck[]> {
  const out = new Map<string, RuleCheck[]>();
  for (const question of iface.questions) if (question.kind === "text") out.set(question.name, compileRules(question.rules));
  return out;
}

/**
 * Problems the browser can see before submitting: required questions left empty and the
 * text checks. Paths are as the server writes them (`result.why`, `result.why.text`).
 */
export function localProblems(iface: Interface, result: JsonObject, rules: Map<string, RuleCheck[]>): Problem[] {
  const problems: Problem[] = [];
  for (const question of iface.questions) {
    const value = result[question.name];
    if (isEmptyAnswer(question, value)) {
      if (question.required) problems.push({ path: `result.${question.name}`, message: "required; answer it" });
      continue;
    }
    if (question.kind === "text" && isObject(value) && typeof value.text === "string") {
      const message = textProblem(question, rules.get(question.name) ?? [], value.text);
      if (message) problems.push({ path: `result.${question.name}.text`, message });
    }
  }
  return problems;
}
