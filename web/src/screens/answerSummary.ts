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
    if (Array.isArray(value.order)) return JSON.stringify(value.order);
    if (Array.isArray(value.objects)) return `${value.objects.length} object${value.objects.length === 1 ? "" : "s"}`;
  }
  return JSON.stringify(value);
}
