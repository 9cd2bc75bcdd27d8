/**
 * Time segments on a recording (docs/audio.md): the answers of `segments` (labelled, maybe
 * with a speaker and attributes) and `transcript` (a text each) questions, and the edits the
 * widgets make to them. Times are seconds snapped to the millisecond, `0 <= start < end <=
 * duration`. Pure functions over immutable lists; each edit a widget commits is one undo step.
 * Where overlaps are refused, two segments of one label (a transcript: any two) may touch
 * but not overlap.
 */
import type { Json, JsonObject } from "../../../api/types";
import { ms } from "../../fields/audio/source";
import { isObject } from "../../types";

export interface Segment {
  id: string;
  start: number;
  end: number;
  /** A segments answer's label ("" in a transcript). */
  label: string;
  speaker: string | null;
  attributes: JsonObject | null;
  /** A transcript's text (null in a segments answer). */
  text: string | null;
}

/** What the edits need of the question and the recording. */
export interface SegmentRules {
  overlap: "allow" | "refuse";
  minDuration: number;
  maxSegments: number;
  /** The recording's duration (s), when known. */
  duration: number | null;
}

export function segmentsOf(value: Json | undefined): Segment[] {
  if (!isObject(value) || !Array.isArray(value.segments)) return [];
  return value.segments.flatMap((item): Segment[] => {
    if (!isObject(item) || typeof item.id !== "string" || typeof item.start !== "number" || typeof item.end !== "number") return [];
    return [
      {
        id: item.id,
        start: item.start,
        end: item.end,
        label: typeof item.label === "string" ? item.label : "",
        speaker: typeof item.speaker === "string" ? item.speaker : null,
        attributes: isObject(item.attributes) ? item.attributes : null,
        text: typeof item.text === "string" ? item.text : null,
      },
    ];
  });
}

/** The segments in time order (Tab's order, the answer's order). */
export function inOrder(segments: readonly Segment[]): Segment[] {
  return [...segments].sort((a, b) => a.start - b.start || a.end - b.end || a.id.localeCompare(b.id));
}

/** The answer (undefined when there are none). `kind` says which keys it has. */
export function toAnswer(segments: readonly Segment[], kind: "segments" | "transcript"): Json | undefined {
  if (segments.length === 0) return undefined;
  return {
    segments: inOrder(segments).map((s) => {
      const out: JsonObject = { id: s.id, start: s.start, end: s.end };
      if (kind === "segments") out.label = s.label;
      else out.text = s.text ?? "";
      if (s.speaker !== null) out.speaker = s.speaker;
      if (kind === "segments" && s.attributes && Object.keys(s.attributes).length > 0) out.attributes = s.attributes;
      return out;
    }),
  };
}

/** An id not used yet: s1, s2, ... */
export function nextId(segments: readonly Segment[]): string {
  const used = new Set(segments.map((s) => s.id));
  let n = segments.length + 1;
  while (used.has(`s${n}`)) n++;
  return `s${n}`;
}

/** The segment of the same label `s` would overlap (touching ends allowed), if refused. */
export function clash(rules: SegmentRules, segments: readonly Segment[], s: Segment): Segment | null {
  if (rules.overlap === "allow") return null;
  return segments.find((o) => o.id !== s.id && o.label === s.label && o.start < s.end && s.start < o.end) ?? null;
}

export type Edit = { segments: Segment[]; made: Segment } | { error: string };

const secs = (t: number) => `${t.toFixed(3)} s`;

/** The last whole millisecond within a recording of `duration` s: a segment's end snapped to
 * the nearest millisecond could otherwise fall past the end (2.7846 s rounds to 2.785). */
export function lastMs(duration: number | null): number {
  return duration === null ? Infinity : Math.floor(duration * 1000 + 1e-6) / 1000;
}

/** A new segment between `a` and `b` (either order), snapped to ms and kept in the recording;
 * refused with the reason when it cannot be one. */
export function addSegment(rules: SegmentRules, segments: readonly Segment[], a: number, b: number, fields: Partial<Segment> = {}): Edit {
  const top = lastMs(rules.duration);
  const start = Math.min(top, ms(Math.max(0, Math.min(a, b))));
  const end = Math.min(top, ms(Math.max(a, b)));
  if (end - start < rules.minDuration - 1e-9) {
    return { error: `a segment lasts at least ${rules.minDuration} s (this one ${ms(end - start)} s); mark a later end` };
  }
  if (segments.length >= rules.maxSegments) return { error: `this question takes at most ${rules.maxSegments} segments` };
  const made: Segment = { id: nextId(segments), start, end, label: "", speaker: null, attributes: null, text: null, ...fields };
  const other = clash(rules, segments, made);
  if (other) return { error: `it would overlap the ${other.label ? `${other.label} ` : ""}segment ${secs(other.start)}–${secs(other.end)}; segments${other.label ? " of one label" : ""} may not overlap here` };
  return { segments: [...segments, made], made };
}

/** How far `id`'s edges may go: within the recording and, where overlaps are refused, short
 * of its label's neighbours. */
export function limits(rules: SegmentRules, segments: readonly Segment[], id: string): [number, number] {
  const s = segments.find((x) => x.id === id);
  let low = 0;
  let high = lastMs(rules.duration);
  if (!s || rules.overlap === "allow") return [low, high];
  for (const o of segments) {
    if (o.id === id || o.label !== s.label) continue;
    if (o.end <= s.start) low = Math.max(low, o.end);
    if (o.start >= s.end) high = Math.min(high, o.start);
  }
  return [low, high];
}

/** `id`'s `edge` moved to `t`, snapped to ms, kept within its limits and `minDuration` long. */
export function moveEdge(rules: SegmentRules, segments: readonly Segment[], id: string, edge: "start" | "end", t: number): Segment[] {
  const s = segments.find((x) => x.id === id);
  if (!s) return [...segments];
  const [low, high] = limits(rules, segments, id);
  const span = Math.max(rules.minDuration, 0.001);
  const moved =
    edge === "start"
      ? { ...s, start: ms(Math.max(low, Math.min(t, s.end - span))) }
      : { ...s, end: ms(Math.min(high, Math.max(t, s.start + span))) };
  return segments.map((x) => (x.id === id ? moved : x));
}

/** `id` moved whole so that it starts at `t` (kept within its limits). */
export function moveWhole(rules: SegmentRules, segments: readonly Segment[], id: string, t: number): Segment[] {
  const s = segments.find((x) => x.id === id);
  if (!s) return [...segments];
  const [low, high] = limits(rules, segments, id);
  const length = s.end - s.start;
  const start = ms(Math.max(low, Math.min(t, high - length)));
  return segments.map((x) => (x.id === id ? { ...s, start, end: ms(start + length) } : x));
}

export function removeSegment(segments: readonly Segment[], id: string): Segment[] {
  return segments.filter((s) => s.id !== id);
}

/** `id` with some of its fields changed (label, speaker, text), refused if that makes it clash. */
export function update(rules: SegmentRules, segments: readonly Segment[], id: string, fields: Partial<Segment>): Edit {
  const s = segments.find((x) => x.id === id);
  if (!s) return { error: "no segment is selected" };
  const made = { ...s, ...fields };
  const other = fields.label !== undefined ? clash(rules, segments, made) : null;
  if (other) return { error: `it would overlap the ${other.label} segment ${secs(other.start)}–${secs(other.end)}` };
  return { segments: segments.map((x) => (x.id === id ? made : x)), made };
}

export function setAttribute(segments: readonly Segment[], id: string, name: string, value: Json | undefined): Segment[] {
  return segments.map((s) => {
    if (s.id !== id) return s;
    const attributes: JsonObject = { ...(s.attributes ?? {}) };
    if (value === undefined) delete attributes[name];
    else attributes[name] = value;
    return { ...s, attributes };
  });
}

/** `id` cut in two at `t`: the first part keeps its id (and a transcript's text), the second
 * is new (an empty text). Refused when either part would be shorter than `minDuration`. */
export function splitAt(rules: SegmentRules, segments: readonly Segment[], id: string, t: number): Edit {
  const s = segments.find((x) => x.id === id);
  if (!s) return { error: "no segment here to split" };
  const at = ms(t);
  if (at - s.start < rules.minDuration - 1e-9 || s.end - at < rules.minDuration - 1e-9 || at <= s.start || at >= s.end) {
    return { error: `the playhead must be inside the segment, at least ${rules.minDuration} s from both ends` };
  }
  if (segments.length >= rules.maxSegments) return { error: `this question takes at most ${rules.maxSegments} segments` };
  const made: Segment = { ...s, id: nextId(segments), start: at, text: s.text === null ? null : "" };
  return { segments: [...segments.map((x) => (x.id === id ? { ...s, end: at } : x)), made], made };
}

/** The segment after (or before, `by` -1) the selected one in time order, wrapping around. */
export function cycle(segments: readonly Segment[], selected: string | null, by: 1 | -1): string | null {
  const order = inOrder(segments);
  if (order.length === 0) return null;
  const at = order.findIndex((s) => s.id === selected);
  if (at < 0) return (by === 1 ? order[0] : order[order.length - 1])?.id ?? null;
  return order[(at + by + order.length) % order.length]?.id ?? null;
}

/** The id of the segment playing at `t` (`ordered` in time order; the latest-starting one
 * containing `t`, start included, end excluded), or null. Binary search: cheap per tick. */
export function segmentAt(ordered: readonly Segment[], t: number): string | null {
  let low = 0;
  let high = ordered.length - 1;
  let found = -1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if ((ordered[mid] as Segment).start <= t) {
      found = mid;
      low = mid + 1;
    } else high = mid - 1;
  }
  for (let i = found; i >= 0 && i >= found - 8; i--) {
    const s = ordered[i] as Segment;
    if (s.start <= t && t < s.end) return s.id;
  }
  return null;
}

/** A problem with a path inside the answer (`segments[3].end`), as the server words it. */
export interface SegmentProblem {
  path: string;
  message: string;
}

const aligned = (t: number) => Math.abs(t * 1000 - Math.round(t * 1000)) < 1e-6;

/**
 * What the server would refuse in `segments` that the browser can see: times off the
 * millisecond or outside the recording, too short, refused overlaps, a missing speaker.
 * Paths index the answer's order (time order).
 */
export function segmentProblems(rules: SegmentRules & { speakerRequired: boolean }, segments: readonly Segment[]): SegmentProblem[] {
  const out: SegmentProblem[] = [];
  const ordered = inOrder(segments);
  ordered.forEach((s, i) => {
    const at = `segments[${i}]`;
    if (!aligned(s.start)) out.push({ path: `${at}.start`, message: `${s.start} is not a whole number of milliseconds` });
    if (!aligned(s.end)) out.push({ path: `${at}.end`, message: `${s.end} is not a whole number of milliseconds` });
    if (s.start < 0 || s.end <= s.start) out.push({ path: `${at}.end`, message: "a segment ends after it starts, from 0 s on" });
    else if (rules.duration !== null && s.end > rules.duration + 1e-9) {
      out.push({ path: `${at}.end`, message: `${secs(s.end)} is past the end of the recording (${secs(rules.duration)})` });
    } else if (s.end - s.start < rules.minDuration - 1e-9) {
      out.push({ path: `${at}.end`, message: `lasts ${ms(s.end - s.start)} s; a segment lasts at least ${rules.minDuration} s` });
    }
    if (rules.speakerRequired && s.speaker === null) out.push({ path: `${at}.speaker`, message: "no speaker; choose who speaks" });
  });
  if (rules.overlap === "refuse") {
    // In time order, a segment overlaps an earlier one of its label when it starts before the
    // latest end seen so far for that label.
    const latest = new Map<string, { end: number; index: number }>();
    ordered.forEach((s, i) => {
      const before = latest.get(s.label);
      if (before && s.start < before.end) {
        out.push({ path: `segments[${i}].start`, message: `overlaps segments[${before.index}]${s.label ? ` (both ${s.label})` : ""}; move one of them` });
      }
      if (!before || s.end > before.end) latest.set(s.label, { end: s.end, index: i });
    });
  }
  return out;
}
