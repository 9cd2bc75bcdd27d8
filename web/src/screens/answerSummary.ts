/** Answers in a few words, for lists (My work, review feedback). */
import type { Json } from "../api";

/** A short, plain reading of an answer: `sentiment: positive · why: “Because…”`. */
export function summary(result: { [key: string]: Json }): string {
  const parts = Object.entries(result).map(([name, value]) => `${name}: ${short(value)}`);
  const text = parts.join(" · ");
  return text.length > 160 ? `${text.slice(0, 157)}…` : text;
}

function short(value: Json): string {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    if (typeof value.choice === "string") return value.choice + (typeof value.strength === "number" ? `:${value.strength}` : "");
    if (Array.isArray(value.choices)) return value.choices.join("|");
    if (typeof value.rating === "number") return String(value.rating);
    if (typeof value.text === "string") return `“${value.text.length > 40 ? `${value.text.slice(0, 39)}…` : value.text}”`;
    if (Array.isArray(value.spans)) return `${value.spans.length} span${value.spans.length === 1 ? "" : "s"}`;
    if (Array.isArray(value.turns)) return `${value.turns.length} turn${value.turns.length === 1 ? "" : "s"}`;
    if (value.criteria !== undefined && isObject(value.criteria)) {
      // A rubric: each criterion's verdict, `polite pass, clear 3`.
      const verdicts = Object.entries(value.criteria).map(([name, v]) => `${name} ${v === true ? "pass" : v === false ? "fail" : JSON.stringify(v)}`);
      return verdicts.length ? verdicts.join(", ") : "no criteria judged";
    }
    if (Array.isArray(value.order)) return JSON.stringify(value.order);
    if (Array.isArray(value.objects)) return counted(value.objects.length, "object");
    if (Array.isArray(value.tracks)) {
      const keyframes = value.tracks.reduce<number>((n, t) => n + (isObject(t) && Array.isArray(t.keyframes) ? t.keyframes.length : 0), 0);
      return `${counted(value.tracks.length, "track")}, ${counted(keyframes, "keyframe")}`;
    }
    if (Array.isArray(value.events)) return counted(value.events.length, "event");
    if (Array.isArray(value.segments)) {
      const words = value.segments.reduce<number>((n, s) => n + (isObject(s) && typeof s.text === "string" ? s.text.split(/\s+/).filter(Boolean).length : 0), 0);
      const said = value.segments.some((s) => isObject(s) && typeof s.text === "string");
      return counted(value.segments.length, "segment") + (said ? `, ${counted(words, "word")}` : "");
    }
  }
  return JSON.stringify(value);
}

function counted(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

function isObject(value: Json): value is { [key: string]: Json } {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
