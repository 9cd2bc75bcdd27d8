/**
 * Span arithmetic for the `spans` question. A span is `{start, end, label, text?}` with
 * `end` exclusive. Answers store server offsets (Unicode code points); the widget converts
 * with `OffsetMap` to draw in the browser (UTF-16). Every function here is pure and returns
 * new lists, so each user action is one undo step.
 */
import type { OffsetMap } from "./offsets";

export interface Span {
  start: number;
  end: number;
  label: string;
  text?: string;
}

export const overlaps = (a: { start: number; end: number }, b: { start: number; end: number }): boolean =>
  a.start < b.end && b.start < a.end;

export const sameSpan = (a: Span, b: Span): boolean => a.start === b.start && a.end === b.end && a.label === b.label;

export function sortSpans(spans: readonly Span[]): Span[] {
  return [...spans].sort((a, b) => a.start - b.start || b.end - a.end || a.label.localeCompare(b.label));
}

export interface AddResult {
  spans: Span[];
  /** Spans taken out because the question does not allow overlap. */
  replaced: Span[];
  /** The span as it is in the list now, or null when nothing changed (a duplicate). */
  added: Span | null;
}

/**
 * Add `span`. Without `overlap`, spans it overlaps are replaced by it (the person just
 * marked this range, so that is what they mean); the same (start, end, label) twice is a no-op.
 */
export function addSpan(spans: readonly Span[], span: Span, overlap: boolean): AddResult {
  if (span.end <= span.start) return { spans: [...spans], replaced: [], added: null };
  if (spans.some((s) => sameSpan(s, span))) return { spans: [...spans], replaced: [], added: null };
  const replaced = overlap ? [] : spans.filter((s) => overlaps(s, span));
  const kept = overlap ? [...spans] : spans.filter((s) => !overlaps(s, span));
  return { spans: sortSpans([...kept, span]), replaced, added: span };
}

export function removeSpan(spans: readonly Span[], target: Span): Span[] {
  return spans.filter((s) => !sameSpan(s, target));
}

/** Give `target` another label; refused (unchanged) when that exact span already exists. */
export function relabelSpan(spans: readonly Span[], target: Span, label: string): Span[] {
  if (target.label === label || spans.some((s) => sameSpan(s, { ...target, label }))) return [...spans];
  return sortSpans(spans.map((s) => (sameSpan(s, target) ? { ...s, label } : s)));
}

/** Every pair of spans that overlap (i < j), for showing what the server would refuse. */
export function findOverlaps(spans: readonly Span[]): Array<[Span, Span]> {
  const sorted = sortSpans(spans);
  const pairs: Array<[Span, Span]> = [];
  for (let i = 0; i < sorted.length; i++) {
    const a = sorted[i] as Span;
    for (let j = i + 1; j < sorted.length; j++) {
      const b = sorted[j] as Span;
      if (b.start >= a.end) break;
      pairs.push([a, b]);
    }
  }
  return pairs;
}

/** The spans covering code-point `offset`, innermost (shortest) first. */
export function spansAt(spans: readonly Span[], offset: number): Span[] {
  return spans.filter((s) => s.start <= offset && offset < s.end).sort((a, b) => a.end - a.start - (b.end - b.start));
}

/** Shrink a range so that it does not start or end with white space. */
export function trimRange(text: string, start: number, end: number): [number, number] {
  while (start < end && /\s/.test(text[start] as string)) start++;
  while (end > start && /\s/.test(text[end - 1] as string)) end--;
  return [start, end];
}

/** A span in browser (UTF-16) offsets → the server's form, with the covered text. */
export function toServerSpan(text: string, map: OffsetMap, start16: number, end16: number, label: string): Span {
  const start = map.toCodePoint(map.snap(start16));
  const end = map.toCodePoint(map.snap(end16));
  return { start, end, label, text: text.slice(map.toUtf16(start), map.toUtf16(end)) };
}

/** A server span → browser (UTF-16) offsets. */
export function toBrowserRange(map: OffsetMap, span: { start: number; end: number }): [number, number] {
  return [map.toUtf16(span.start), map.toUtf16(span.end)];
}

export interface Segment {
  /** UTF-16 offsets into the text. */
  start: number;
  end: number;
  /** Indices (into the sorted span list) of the spans covering this piece, outermost first. */
  covering: number[];
}

/**
 * Cut the text into pieces at every span boundary, each knowing which spans cover it, so
 * overlapping spans can be drawn as stacked underlines. `ranges` are UTF-16 [start, end).
 * O((n + k) log k) for k spans, independent of the text's length apart from the last piece.
 */
export function segments(length: number, ranges: ReadonlyArray<readonly [number, number]>): Segment[] {
  const cuts = new Set<number>([0, length]);
  for (const [start, end] of ranges) {
    cuts.add(Math.max(0, Math.min(length, start)));
    cuts.add(Math.max(0, Math.min(length, end)));
  }
  const points = [...cuts].sort((a, b) => a - b);
  const order = ranges
    .map((range, index) => ({ range, index }))
    .sort((a, b) => a.range[0] - b.range[0] || b.range[1] - a.range[1]);
  const out: Segment[] = [];
  let open: number[] = [];
  let next = 0;
  for (let i = 0; i + 1 < points.length; i++) {
    const start = points[i] as number;
    const end = points[i + 1] as number;
    while (next < order.length && (order[next] as { range: readonly [number, number] }).range[0] <= start) {
      open.push((order[next] as { index: number }).index);
      next++;
    }
    open = open.filter((index) => (ranges[index] as readonly [number, number])[1] > start);
    out.push({ start, end, covering: [...open] });
  }
  return out;
}

/** The next word end after UTF-16 `pos` (for Shift+Right selection by words). */
export function nextWordEnd(text: string, pos: number): number {
  const word = /[\p{L}\p{N}_'’-]+|[^\s\p{L}\p{N}_]/gu;
  word.lastIndex = pos;
  let match = word.exec(text);
  while (match && match.index + match[0].length <= pos) match = word.exec(text);
  return match ? match.index + match[0].length : text.length;
}

/** The previous word start before UTF-16 `pos`. */
export function prevWordStart(text: string, pos: number): number {
  const word = /[\p{L}\p{N}_'’-]+|[^\s\p{L}\p{N}_]/gu;
  // Look back a bounded window so this stays cheap on long texts.
  const from = Math.max(0, pos - 400);
  word.lastIndex = from;
  let start = from === 0 ? 0 : from;
  let match = word.exec(text);
  let found = -1;
  while (match && match.index < pos) {
    found = match.index;
    match = word.exec(text);
  }
  if (found >= 0) start = found;
  return Math.min(start, pos);
}

const WORD_CHAR = /[\p{L}\p{N}_'’-]/u;

/**
 * The whole words around UTF-16 `[start, end)` (a double-click: the browser's own word
 * selection can stop at an element boundary inside a word). Looks at most 200 characters
 * each way; a range not touching a word comes back as is.
 */
export function wordAround(text: string, start: number, end: number): [number, number] {
  let from = start;
  let to = Math.max(start, end);
  const isWord = (i: number): boolean => i >= 0 && i < text.length && WORD_CHAR.test(text[i] as string);
  for (let steps = 0; steps < 200 && isWord(from - 1); steps++) from--;
  for (let steps = 0; steps < 200 && isWord(to); steps++) to++;
  return [from, to];
}
