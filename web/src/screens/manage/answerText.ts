/** An answer in words, for reading annotations and predictions (the data manager's task page).
 * Text only, never HTML. */
import type { Json, JsonObject } from "../../api/types";
import { optionText, type Option, type QuestionSpec } from "../../editor/interface";
import { shapeAnswerLines } from "../../kinds/questions/image/inspect";

const isObject = (value: Json | undefined): value is { [key: string]: Json } =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function labelOf(options: Option[] | null, value: Json | undefined): string {
  const found = options?.find((o) => o.value === value);
  return found ? optionText(found) : String(value);
}

/** The characters `start`..`end` of a text, counted in code points as the server counts them. */
function slice(text: string, start: number, end: number): string {
  return Array.from(text).slice(start, end).join("");
}

/** A span as its text: the `text` it carries, else cut from the task's field (predictions
 * often carry only offsets); offsets only when neither is there. */
function spanLine(question: QuestionSpec & { target: string }, span: { [key: string]: Json }, options: Option[] | null, data: JsonObject | null): string {
  const start = typeof span.start === "number" ? span.start : null;
  const end = typeof span.end === "number" ? span.end : null;
  const source = data?.[question.target];
  const text = typeof span.text === "string" ? span.text : typeof source === "string" && start !== null && end !== null ? slice(source, start, end) : null;
  const where = `characters ${String(span.start)}–${String(span.end)}`;
  return text !== null ? `${labelOf(options, span.label)}: “${text}” (${where})` : `${labelOf(options, span.label)}: ${where}`;
}

/** A track in words: its id and label, its keyframes, and where it leaves the picture. */
function trackLine(options: Option[], track: { [key: string]: Json }): string {
  const keyframes = (Array.isArray(track.keyframes) ? track.keyframes : []).filter(isObject);
  const frames = keyframes.map((k) => Number(k.frame));
  const leaves = keyframes.filter((k) => k.outside === true).map((k) => Number(k.frame));
  const occluded = keyframes.filter((k) => k.occluded === true).length;
  const parts = [`${keyframes.length} keyframe${keyframes.length === 1 ? "" : "s"} from frame ${frames[0] ?? "?"}`];
  if (leaves.length) parts.push(`out of view at frame${leaves.length === 1 ? "" : "s"} ${leaves.join(", ")}`);
  if (occluded) parts.push(`${occluded} occluded`);
  return `${String(track.id)} · ${labelOf(options, track.label)}: ${parts.join(", ")}`;
}

/** One line per part of the answer (a span, a turn, a criterion), or one line. `data`: the
 * task's data, to show spans as the text they mark. */
export function answerLines(question: QuestionSpec, value: Json | undefined, data: JsonObject | null = null): string[] {
  if (value === undefined || value === null) return [];
  if (!isObject(value)) return [JSON.stringify(value)];
  switch (question.kind) {
    case "choice":
    case "image_class":
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
      return (Array.isArray(value.spans) ? value.spans : []).map((span) => (isObject(span) ? spanLine(question, span, question.labels, data) : JSON.stringify(span)));
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
    case "boxes":
    case "polygons":
    case "polylines":
    case "points":
    case "keypoints":
    case "masks":
      // Shapes are seen on the image (the task page draws them); here only how many of what.
      return shapeAnswerLines(question, value);
    case "tracks":
      // Tracks are seen on the video (the task page draws them, a switch picks the question).
      return (Array.isArray(value.tracks) ? value.tracks : []).map((track) => (isObject(track) ? trackLine(question.labels, track) : JSON.stringify(track)));
    default:
      return [JSON.stringify(value)];
  }
}
