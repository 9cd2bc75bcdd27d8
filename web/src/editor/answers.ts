/**
 * What the browser knows about answers before the server does: when an answer says
 * nothing (mirroring each kind's `is_empty`), when it is started but unfinished (criteria or
 * turns not judged yet...), which required questions are unanswered, the text checks, polygons
 * that cross themselves, and which question a server problem's path belongs to.
 */
import type { Json, JsonObject, Problem } from "../api/types";
import type { Interface, QuestionSpec, TurnsSpec } from "./interface";
import { titleOf } from "./interface";
import type { RuleEngine } from "./ruleEngine";
import { compileRules, textProblem, type RuleCheck } from "./textRules";
import { consistencyProblems, declaredProblem } from "./declaredProblems";
import { CROSSING_MESSAGE, crossesItself } from "../kinds/questions/image/crossing";
import { timeSegmentProblems } from "../kinds/questions/segments/problems";
import { transcriptTextProblems } from "../kinds/questions/transcript/textCheck";

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
    case "image_class":
      return Array.isArray(value.choices) && value.choices.length === 0;
    case "boxes":
    case "polygons":
    case "polylines":
    case "points":
    case "keypoints":
    case "masks":
      return only("objects", []);
    case "text":
      return only("text", "");
    case "spans":
      return only("spans", []);
    case "segments":
    case "transcript":
      return only("segments", []);
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

/** Rules compiled once per interface, by question name (text and transcript questions). */
export function compileTextRules(iface: Interface): Map<string, RuleCheck[]> {
  const out = new Map<string, RuleCheck[]>();
  for (const question of iface.questions) if (question.kind === "text" || question.kind === "transcript") out.set(question.name, compileRules(question.rules));
  return out;
}

/** "a", "a and b", "a, b and c". */
export function listing(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? "";
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

/** The turns of a chat field a turns question judges (by index), as the server counts them. */
export function eligibleTurns(question: TurnsSpec, data: JsonObject): number[] {
  const chat = data[question.target];
  if (!Array.isArray(chat)) return [];
  const out: number[] = [];
  chat.forEach((turn, index) => {
    const role = isObject(turn) && typeof turn.role === "string" ? turn.role : "?";
    if (question.roles.length === 0 || question.roles.includes(role)) out.push(index);
  });
  return out;
}

/** What is missing from a started answer: a few words for its badge, a sentence for the person. */
export interface Gap {
  short: string;
  message: string;
}

/**
 * Why a non-empty answer is not finished yet, in the words shown to the annotator, or null
 * when it is complete. Mirrors the server's checks of the same conditions (kinds/questions/*.py).
 */
export function answerGap(question: QuestionSpec, value: Json | undefined, data: JsonObject): Gap | null {
  if (isEmptyAnswer(question, value) || !isObject(value)) return null;
  switch (question.kind) {
    case "boxes":
    case "polygons":
    case "polylines":
    case "points":
    case "keypoints":
    case "masks": {
      const drawn = Array.isArray(value.objects) ? value.objects.length : 0;
      if (drawn >= question.minObjects) return null;
      return {
        short: `${drawn} of ${question.minObjects} drawn`,
        message: `Draw at least ${question.minObjects} (${drawn} so far).`,
      };
    }
    case "rubric": {
      const judged = isObject(value.criteria) ? value.criteria : {};
      const missing = question.criteria.filter((c) => judged[c.name] === undefined);
      if (missing.length === 0) return null;
      const total = question.criteria.length;
      const titles = missing.map(titleOf);
      const shown = titles.length > 8 ? [...titles.slice(0, 7), `${titles.length - 7} more`] : titles;
      return {
        short: `${total - missing.length} of ${total} judged`,
        message: `Not judged yet: ${listing(shown)}. Every criterion needs a verdict.`,
      };
    }
    case "turns": {
      if (!question.allTurns) return null;
      const wanted = eligibleTurns(question, data);
      const done = new Set(Array.isArray(value.turns) ? value.turns.map((t) => (isObject(t) ? t.index : null)) : []);
      const missing = wanted.filter((index) => !done.has(index));
      if (missing.length === 0) return null;
      const which = question.roles.length ? `every ${question.roles.join(" or ")} turn` : "every turn";
      const numbers = missing.map((i) => `#${i}`);
      const shown = numbers.length > 10 ? [...numbers.slice(0, 10), `${numbers.length - 10} more`] : numbers;
      return {
        short: `${wanted.length - missing.length} of ${wanted.length} turns judged`,
        message: `Not judged yet: ${missing.length === 1 ? "turn" : "turns"} ${listing(shown)}. This question asks you to judge ${which}.`,
      };
    }
    case "choice":
    case "image_class": {
      const picked = Array.isArray(value.choices) ? value.choices.length : 0;
      if (!question.multiple || picked >= question.minChoices) return null;
      return { short: `${picked} of ${question.minChoices} picked`, message: `Pick at least ${question.minChoices} options (${picked} picked so far).` };
    }
    case "segments":
    case "transcript": {
      const count = Array.isArray(value.segments) ? value.segments.length : 0;
      if (count >= question.minSegments) return null;
      return { short: `${count} of ${question.minSegments} segments`, message: `Mark at least ${question.minSegments} segments (${count} so far).` };
    }
    case "spans": {
      const count = Array.isArray(value.spans) ? value.spans.length : 0;
      if (count >= question.minSpans) return null;
      return { short: `${count} of ${question.minSpans} spans`, message: `Mark at least ${question.minSpans} spans (${count} so far).` };
    }
    case "pairwise": {
      if (!question.strengthRequired || (value.choice !== "A" && value.choice !== "B") || value.strength !== undefined) return null;
      return { short: "how much better?", message: `Say how much better ${value.choice} is, from 1 to ${question.maxStrength}.` };
    }
    default:
      return null;
  }
}

/** The index of the first polygon of an answer whose outline crosses itself, or null. */
function firstCrossingObject(value: JsonObject): number | null {
  const objects = Array.isArray(value.objects) ? value.objects : [];
  const index = objects.findIndex((object) => {
    if (!isObject(object) || !Array.isArray(object.points)) return false;
    const points = object.points.filter((p): p is number[] => Array.isArray(p) && typeof p[0] === "number" && typeof p[1] === "number");
    return points.length === object.points.length && crossesItself(points);
  });
  return index < 0 ? null : index;
}

/**
 * Problems the browser can see before submitting: required questions left empty, answers
 * started but unfinished, polygons that cross themselves where the question refuses them
 * (`self_intersection: refuse`, with the server's words), and the text checks (of text answers and of each transcript segment's text) (rules count where the engine already knows
 * they are broken; the others the server checks). Paths are as the server writes them
 * (`result.why`, `result.why.text`).
 */
export function localProblems(iface: Interface, result: JsonObject, data: JsonObject, rules: Map<string, RuleCheck[]>, engine: RuleEngine): Problem[] {
  const problems: Problem[] = [];
  for (const question of iface.questions) {
    const value = result[question.name];
    if (isEmptyAnswer(question, value)) {
      if (question.required) problems.push({ path: `result.${question.name}`, message: "required; answer it" });
      continue;
    }
    const gap = answerGap(question, value, data);
    if (gap) {
      problems.push({ path: `result.${question.name}`, message: gap.message });
      continue;
    }
    if (question.kind === "polygons" && question.selfIntersection === "refuse" && isObject(value)) {
      const crossing = firstCrossingObject(value);
      if (crossing !== null) problems.push({ path: `result.${question.name}.objects[${crossing}].points`, message: CROSSING_MESSAGE });
      continue;
    }
    if (question.kind === "segments" || question.kind === "transcript") {
      // Times, overlaps and speakers as the server checks them; a transcript's texts by its text rules and checks.
      for (const p of timeSegmentProblems(question, value, data)) problems.push({ path: `result.${question.name}.${p.path}`, message: p.message });
      if (question.kind === "transcript") {
        problems.push(...transcriptTextProblems(question, value, rules.get(question.name) ?? [], (check, text) => engine.status(check, text)));
      }
      continue;
    }
    if (question.kind === "text" && isObject(value) && typeof value.text === "string") {
      const text = value.text;
      const checks = rules.get(question.name) ?? [];
      const message = textProblem(question, checks, text, (check) => engine.status(check, text)) ?? (text ? declaredProblem(question, text) : null);
      if (message) problems.push({ path: `result.${question.name}.text`, message });
    }
  }
  if (problems.length === 0) {
    const byName = new Map(iface.questions.map((q) => [q.name, q]));
    problems.push(...consistencyProblems(iface, result, (name, value) => !byName.has(name) || isEmptyAnswer(byName.get(name) as QuestionSpec, value)));
  }
  return problems;
}
