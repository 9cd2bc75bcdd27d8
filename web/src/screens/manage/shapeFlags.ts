/**
 * A dataset's per-object flags and attributes onto an Accord object, as `flags` and `typed`
 * in src/accord/formats/shapes.py: occluded, truncated, rotation (when the question allows
 * it), and the attributes the question declares, as values of their declared types (a value
 * that cannot be one is left out).
 */
import type { AttributeSpec, ShapeQuestion } from "./imageSchema";

type Obj = Record<string, unknown>;

const TRUE_WORDS = ["1", "true", "yes", "crowd"];

/** Python's `bool()` of a JSON value. */
function pyBool(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === "object" && value !== null) return Object.keys(value).length > 0;
  return Boolean(value);
}

/** Python's `str()` of a JSON scalar. */
function pyStr(value: unknown): string {
  if (typeof value === "boolean") return value ? "True" : "False";
  if (value === null || value === undefined) return "None";
  return typeof value === "string" ? value : typeof value === "number" ? String(value) : JSON.stringify(value);
}

export function copyFlags(obj: Obj, question: ShapeQuestion, extra: Obj): void {
  for (const key of ["occluded", "truncated"]) {
    if (key in extra && extra[key] !== null && extra[key] !== undefined) obj[key] = pyBool(extra[key]);
  }
  const rotation = extra.rotation;
  if (question.rotation && (typeof rotation === "number" || rotation === true) && rotation) obj.rotation = Number(rotation);
  const kept: Obj = {};
  for (const spec of question.attributes) {
    if (spec.name in extra) {
      const value = typed(spec, extra[spec.name]);
      if (value !== null) kept[spec.name] = value;
    }
  }
  if (Object.keys(kept).length) obj.attributes = kept;
}

/** `value` (from JSON) as a value of the attribute's type; null if it cannot be one. */
export function typed(spec: AttributeSpec, value: unknown): unknown {
  if (spec.type === "number") {
    if (typeof value === "boolean") return value ? 1 : 0;
    const number = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : NaN;
    return Number.isFinite(number) ? number : null;
  }
  if (spec.type === "text") return typeof value === "boolean" ? (value ? "true" : "false") : pyStr(value);
  if (typeof value === "boolean") {
    if (!value) return null;
    return spec.options.find((o) => TRUE_WORDS.includes(o.toLowerCase())) ?? null;
  }
  const picks = typeof value === "string" ? value.split(",") : value;
  if (spec.type === "multi_choice") {
    if (!Array.isArray(picks) || !picks.every((p) => spec.options.includes(pyStr(p)))) return null;
    return [...new Set(picks)].map(pyStr);
  }
  const text = pyStr(value);
  return spec.options.includes(text) ? text : null;
}
