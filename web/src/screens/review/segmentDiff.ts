/**
 * What a reviewer's fix changed in a `segments` or `transcript` answer, segment by segment:
 * the summary of the answer ("3 segments") says nothing when a fix moves one end or corrects
 * a word, so the author is told each change (docs/audio.md, "Reviewing audio work").
 */
import type { Json } from "../../api";
import { clock } from "../../kinds/fields/audio/source";
import { isObject } from "../../kinds/types";
import { inOrder, segmentsOf, type Segment } from "../../kinds/questions/segments/model";

/** At most this many lines; the rest is counted ("and 4 more changes"). */
const MOST = 12;

/**
 * One line per changed segment (matched by id), in time order: `s3 (speech, B): end 4.200 s →
 * 4.000 s`, `s2 (B): “old words” → “new words”`, `s4 added: speech 1.000 s – 2.000 s`,
 * `s1 removed: …`. Null when either answer is not a list of segments (another kind of answer).
 */
export function segmentChanges(before: Json | undefined, after: Json | undefined): string[] | null {
  // Either side may be missing (no answer): the other then says what was added or removed.
  const sides = [before, after].filter((v) => v !== undefined && v !== null);
  if (sides.length === 0 || !sides.every(isSegmentsAnswer)) return null;
  const old = new Map(segmentsOf(before ?? undefined).map((s) => [s.id, s]));
  const now = new Map(segmentsOf(after ?? undefined).map((s) => [s.id, s]));
  const lines: { at: number; text: string }[] = [];
  for (const s of inOrder([...now.values()])) {
    const was = old.get(s.id);
    if (!was) lines.push({ at: s.start, text: `${s.id} added: ${described(s)}` });
    else {
      const changes = changed(was, s);
      if (changes.length) lines.push({ at: s.start, text: `${s.id}${tag(s)}: ${changes.join("; ")}` });
    }
  }
  for (const s of old.values()) if (!now.has(s.id)) lines.push({ at: s.start, text: `${s.id} removed: ${described(s)}` });
  lines.sort((a, b) => a.at - b.at);
  const texts = lines.map((l) => l.text);
  if (texts.length <= MOST) return texts;
  const rest = texts.length - (MOST - 1);
  return [...texts.slice(0, MOST - 1), `and ${rest} more changes`];
}

function isSegmentsAnswer(value: Json | undefined): boolean {
  return isObject(value) && Array.isArray(value.segments);
}

function changed(was: Segment, now: Segment): string[] {
  const out: string[] = [];
  if (was.label !== now.label) out.push(`label ${was.label || "none"} → ${now.label || "none"}`);
  if (was.speaker !== now.speaker) out.push(`speaker ${was.speaker ?? "none"} → ${now.speaker ?? "none"}`);
  if (was.start !== now.start) out.push(`start ${clock(was.start)} → ${clock(now.start)}`);
  if (was.end !== now.end) out.push(`end ${clock(was.end)} → ${clock(now.end)}`);
  if (was.text !== now.text) out.push(`${quoted(was.text)} → ${quoted(now.text)}`);
  if (JSON.stringify(was.attributes ?? {}) !== JSON.stringify(now.attributes ?? {})) {
    const names = new Set([...Object.keys(was.attributes ?? {}), ...Object.keys(now.attributes ?? {})]);
    for (const name of [...names].sort()) {
      const a = was.attributes?.[name];
      const b = now.attributes?.[name];
      if (JSON.stringify(a ?? null) !== JSON.stringify(b ?? null)) out.push(`${name} ${shown(a)} → ${shown(b)}`);
    }
  }
  return out;
}

/** " (speech, B)": the segment's label and speaker, when it has them. */
function tag(s: Segment): string {
  const parts = [s.label, s.speaker ?? ""].filter(Boolean);
  return parts.length ? ` (${parts.join(", ")})` : "";
}

function described(s: Segment): string {
  const what = [s.label, s.speaker ?? ""].filter(Boolean).join(", ");
  const span = `${clock(s.start)} – ${clock(s.end)}`;
  return [what, span, s.text !== null ? quoted(s.text) : ""].filter(Boolean).join(" ");
}

function quoted(text: string | null): string {
  if (text === null) return "no text";
  return `“${text.length > 60 ? `${text.slice(0, 59)}…` : text}”`;
}

function shown(value: Json | undefined): string {
  if (value === undefined || value === null) return "none";
  return typeof value === "string" ? value : JSON.stringify(value);
}
