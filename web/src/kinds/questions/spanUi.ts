/**
 * What the span editor is pointing at, shared by the text (data column) and the question
 * card: the keyboard cursor, the selection being made, and the span picked for editing.
 * All offsets are the browser's (UTF-16). Pure functions, no React.
 */
import type { OffsetMap } from "../../editor/offsets";
import { nextWordEnd, prevWordStart, toBrowserRange, trimRange, type Span } from "../../editor/spans";

export interface SpanUi {
  cursor: number;
  /** The other end of the selection being made, or null when nothing is selected. */
  anchor: number | null;
  /** A span picked (clicked, or with [ and ]) to relabel or delete. */
  picked: Span | null;
}

export const initialSpanUi: SpanUi = { cursor: 0, anchor: null, picked: null };

/** The selection as [start, end) with white space trimmed, or null. */
export function selectionOf(ui: SpanUi, text: string): [number, number] | null {
  if (ui.anchor === null || ui.anchor === ui.cursor) return null;
  const [start, end] = trimRange(text, Math.min(ui.anchor, ui.cursor), Math.max(ui.anchor, ui.cursor));
  return end > start ? [start, end] : null;
}

/** Move the cursor by a word (or a character with `byChar`), extending the selection with `extend`. */
export function moveCursor(ui: SpanUi, text: string, direction: 1 | -1, extend: boolean, byChar: boolean): SpanUi {
  let cursor: number;
  if (byChar) cursor = Math.max(0, Math.min(text.length, ui.cursor + direction));
  else cursor = direction > 0 ? nextWordEnd(text, ui.cursor) : prevWordStart(text, ui.cursor);
  if (!extend) {
    // Moving without Shift from a selection lands on its edge, like a text editor.
    return { cursor, anchor: null, picked: null };
  }
  return { cursor, anchor: ui.anchor ?? ui.cursor, picked: null };
}

/** Pick the next (or previous) span after the cursor, in reading order. */
export function pickNeighbour(ui: SpanUi, spans: readonly Span[], map: OffsetMap, direction: 1 | -1): SpanUi {
  if (spans.length === 0) return ui;
  const ordered = [...spans];
  const at = ui.picked ? ordered.findIndex((s) => s.start === ui.picked?.start && s.end === ui.picked?.end && s.label === ui.picked?.label) : -1;
  let index: number;
  if (at >= 0) index = (at + direction + ordered.length) % ordered.length;
  else {
    const cursorCp = map.toCodePoint(ui.cursor);
    index = direction > 0 ? ordered.findIndex((s) => s.start >= cursorCp) : findLastIndex(ordered, (s) => s.start < cursorCp);
    if (index < 0) index = direction > 0 ? 0 : ordered.length - 1;
  }
  const picked = ordered[index] as Span;
  return { cursor: toBrowserRange(map, picked)[1], anchor: null, picked };
}

function findLastIndex<T>(items: readonly T[], test: (item: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (test(items[i] as T)) return i;
  return -1;
}
