/** An answer in words, for reading annotations (the data manager's task page). Text only, never HTML. */
import type { Json } from "../../api/types";
import { optionText, type Option, type QuestionSpec } from "../../editor/interface";

const isObject = (value: Json | undefined): value is { [key: string]: Json } =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function labelOf(options: Option[] | null, value: Json | undefined): string {
  const found = options?.find((o) => o.value === value);
  return found ? optionText(found) : String(value);
}

/** One line per part of the answer (a span, a turn, a criterion), or one line. */
export function answerLines(question: QuestionSpec, value: Json | undefined): string[] {
  if (value === undefined || value === null) return [];
  if (!isObject(value)) return [JSON.stringify(value)];
  switch (question.kind) {
    case "choice":
      if (Array.isArray(value.choices)) return [value.choices.map((c) => labelOf(question.options, c)).join(", ") || "(none)"];
      return [labelOf(question.options, value.choice)];
    case "rating": {
      const rating = String(value.rating);
      const label = question.labels[rating];
      return [label ? `${rating} (${label})` : rating];
    }
    case "text":
      return [typeof value.text === "string" ? value.text : JSON.stringify(value)];
    case "spans":
      return (Array.isArray(value.spans) ? value.spans : []).map((span) =>
        isObject(span) ? `${labelOf(question.labels, span.label)}: “${typeof span.text === "string" ? span.text : `${String(span.start)}–${String(span.end)}`}” (${String(span.start)}–${String(span.end)})` : JSON.stringify(span),
      );
    case "pairwise": {
      const choice = String(value.choice);
      return [choice === "tie" ? "tie" : `${choice} is better${typeof value.strength === "number" ? ` (strength ${value.strength})` : ""}`];
    }
    case "ranking":
      return [JSON.stringify(value.order)];
    case "rubric": {
      const criteria = isObject(value.criteria) ? value.criteria : {};
      const lines = Object.entries(criteria).map(([name, score]) => `${name}: ${score === true ? "pass" : score === false ? "fail" : String(score)}`);
      if (typeof value.comment === "string" && value.comment) lines.push(`comment: ${value.comment}`);
      return lines;
    }
    case "turns":
      return (Array.isArray(value.turns) ? value.turns : []).map((turn) =>
        isObject(turn) ? `turn ${String(turn.index)}: ${Array.isArray(turn.labels) ? turn.labels.map((l) => labelOf(question.labels, l)).join(", ") : String(turn.rating)}` : JSON.stringify(turn),
      );
    default:
      return [JSON.stringify(value)];
  }
}
