import { memo, useCallback, useContext, useEffect, useMemo, useRef, type MouseEvent } from "react";
import type { SpansSpec } from "../../editor/interface";
import { OffsetMap } from "../../editor/offsets";
import { segments, spansAt, toBrowserRange, trimRange, wordAround, type Span } from "../../editor/spans";
import { labelColour } from "../palette";
import { useUiState, type UiState } from "../uiState";
import { WidgetContext } from "../widgetShared";
import { selectionOf, type SpanUi } from "./spanUi";
import { labelText } from "./SpansQuestion";

interface SpanTextProps {
  question: SpansSpec;
  text: string;
  spans: Span[];
  active: boolean;
  ui: UiState<SpanUi>;
  activate: () => void;
}

interface Piece {
  start: number;
  end: number;
  /** Indices into `spans` covering this piece, outermost first. */
  covering: number[];
  selected: boolean;
  cursorBefore: boolean;
  tags: number[];
}

/**
 * The target text with its spans drawn over it: the innermost span's colour as background,
 * one coloured underline per covering span (so overlaps stay visible), and the label at
 * each span's start. Mouse selections become the pending selection; clicking a span picks it.
 */
export function SpanText({ question, text, spans, active, ui, activate }: SpanTextProps) {
  const map = useMemo(() => new OffsetMap(text), [text]);
  const state = useUiState(ui);
  const root = useRef<HTMLDivElement>(null);
  // Read only (a reviewed annotation, the manager's task page): the text is only read; a mouse
  // selection stays the browser's (to copy), never a span to be.
  const readOnly = useContext(WidgetContext).readOnly;
  const ranges = useMemo(() => spans.map((s) => toBrowserRange(map, s)), [spans, map]);
  const selection = active ? selectionOf(state, text) : null;
  const picked = state.picked;

  const pieces = useMemo(
    () => buildPieces(text.length, ranges, selection, active ? state.cursor : null),
    // selection is a fresh array each render; compare by value
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [text.length, ranges, selection?.[0], selection?.[1], active, state.cursor],
  );

  useEffect(() => {
    if (!active) return;
    root.current?.querySelector(".span-cursor")?.scrollIntoView?.({ block: "nearest" });
  }, [active, state.cursor]);

  /** Keys (a label's number) go to the question's card after a mouse action in the text. */
  function takeKeys(): void {
    activate();
    const card = document.querySelector<HTMLElement>(`[data-question="${question.name}"] [data-keys]`);
    card?.focus({ preventScroll: true });
  }

  /**
   * Mouse: a drag (or a double-click, or a triple-click) becomes the pending selection, which
   * a label key or a label button then marks; a click puts the cursor where it was clicked, or
   * picks the span clicked (again: the next one stacked there). Handled on mouse-up alone: a
   * click handler after it would undo the selection.
   */
  function onMouseUp(event: MouseEvent): void {
    if (event.button !== 0 || readOnly) return;
    const range = domSelection(root.current);
    if (range) {
      let [start, end] = trimRange(text, range[0], range[1]);
      if (event.detail === 2) [start, end] = trimRange(text, ...wordAround(text, start, end));
      window.getSelection()?.removeAllRanges();
      takeKeys();
      if (end > start) ui.set({ cursor: end, anchor: start, picked: null });
      return;
    }
    const caret = domCaret(root.current);
    const piece = (event.target as HTMLElement).closest<HTMLElement>("[data-start]");
    if (caret === null && !piece) return;
    takeKeys();
    const here = piece && piece.tagName === "MARK" ? spansAt(spans, map.toCodePoint(Number(piece.dataset.start))) : [];
    if (here.length === 0) {
      ui.set({ cursor: caret ?? Number(piece?.dataset.start ?? 0), anchor: null, picked: null });
      return;
    }
    // Clicking again cycles through the spans stacked at this point.
    const at = picked ? here.findIndex((s) => s.start === picked.start && s.end === picked.end && s.label === picked.label) : -1;
    const next = here[(at + 1) % here.length] as Span;
    ui.set({ cursor: map.toUtf16(next.end), anchor: null, picked: next });
  }

  const labelIndex = useCallback((value: string): number => question.labels.findIndex((o) => o.value === value), [question.labels]);
  const tagText = useCallback((span: Span): string => labelText(question, span.label), [question]);
  const pickedIndex = picked ? spans.findIndex((s) => s.start === picked.start && s.end === picked.end && s.label === picked.label) : -1;
  return (
    <div
      ref={root}
      className={`span-text${active && !readOnly ? " span-text-active" : ""}${readOnly ? " span-text-read-only" : ""}`}
      onMouseUp={onMouseUp}
      aria-label={`Text to mark for ${question.label || question.name}`}
    >
      {pieces.map((piece) => (
        <PieceView
          key={piece.start}
          piece={piece}
          text={text}
          spans={spans}
          labelIndex={labelIndex}
          pickedIndex={pickedIndex}
          tagText={tagText}
        />
      ))}
      {active && state.cursor >= text.length ? <span className="span-cursor" aria-hidden="true" /> : null}
    </div>
  );
}

interface PieceViewProps {
  piece: Piece;
  text: string;
  spans: Span[];
  labelIndex: (value: string) => number;
  pickedIndex: number;
  tagText: (span: Span) => string;
}

const PieceView = memo(function PieceView({ piece, text, spans, labelIndex, pickedIndex, tagText }: PieceViewProps) {
  const content = text.slice(piece.start, piece.end);
  const cursor = piece.cursorBefore ? <span className="span-cursor" aria-hidden="true" /> : null;
  const tags = piece.tags.map((i) => {
    const span = spans[i] as Span;
    const colour = labelColour(labelIndex(span.label));
    return (
      <span key={`t${i}`} className="span-tag" style={{ background: colour.edge }} aria-hidden="true" data-tag="">
        {tagText(span)}
      </span>
    );
  });
  if (piece.covering.length === 0 && !piece.selected) {
    return (
      <>
        {cursor}
        <span data-start={piece.start}>{content}</span>
      </>
    );
  }
  const innermost = piece.covering[piece.covering.length - 1];
  const fill = innermost !== undefined ? labelColour(labelIndex((spans[innermost] as Span).label)).fill : undefined;
  const lines = piece.covering.map((i, depth) => `inset 0 -${2 * (depth + 1)}px 0 0 ${labelColour(labelIndex((spans[i] as Span).label)).edge}`);
  const isPicked = pickedIndex >= 0 && piece.covering.includes(pickedIndex);
  const className = ["span-piece", piece.selected ? "span-selected" : "", isPicked ? "span-picked-piece" : "", piece.covering.length > 1 ? "span-overlap" : ""]
    .filter(Boolean)
    .join(" ");
  return (
    <>
      {cursor}
      {tags}
      <mark
        data-start={piece.start}
        className={className}
        style={{ background: piece.selected ? undefined : fill, boxShadow: lines.join(", ") || undefined, paddingBottom: piece.covering.length > 1 ? `${2 * piece.covering.length - 2}px` : undefined }}
        title={piece.covering.map((i) => tagText(spans[i] as Span)).join(" + ") || undefined}
      >
        {content}
      </mark>
    </>
  );
});

function buildPieces(
  length: number,
  ranges: ReadonlyArray<readonly [number, number]>,
  selection: [number, number] | null,
  cursor: number | null,
): Piece[] {
  const extra: Array<readonly [number, number]> = [];
  if (selection) extra.push(selection);
  if (cursor !== null && cursor < length) extra.push([cursor, cursor]);
  const all = [...ranges, ...extra];
  const cut = segments(length, all);
  const starts = new Map<number, number[]>();
  ranges.forEach(([start], index) => {
    const list = starts.get(start) ?? [];
    list.push(index);
    starts.set(start, list);
  });
  const pieces: Piece[] = [];
  for (const seg of cut) {
    if (seg.end <= seg.start) continue;
    pieces.push({
      start: seg.start,
      end: seg.end,
      covering: seg.covering.filter((i) => i < ranges.length && (ranges[i] as readonly [number, number])[1] > (ranges[i] as readonly [number, number])[0]),
      selected: selection !== null && seg.start >= selection[0] && seg.end <= selection[1],
      cursorBefore: cursor !== null && seg.start === cursor,
      tags: starts.get(seg.start) ?? [],
    });
  }
  return pieces;
}

/** Where a click left the (collapsed) selection inside `root`, as a UTF-16 offset, or null. */
function domCaret(root: HTMLElement | null): number | null {
  const selection = window.getSelection();
  if (!root || !selection || selection.rangeCount === 0 || !selection.isCollapsed) return null;
  const node = selection.focusNode;
  if (!node || !root.contains(node)) return null;
  return offsetOf(node, selection.focusOffset, false);
}

/** The current mouse selection inside `root`, as UTF-16 offsets into the text, or null. */
function domSelection(root: HTMLElement | null): [number, number] | null {
  const selection = window.getSelection();
  if (!root || !selection || selection.isCollapsed || selection.rangeCount === 0) return null;
  const range = selection.getRangeAt(0);
  if (!root.contains(range.startContainer) || !root.contains(range.endContainer)) return null;
  const start = offsetOf(range.startContainer, range.startOffset, false);
  const end = offsetOf(range.endContainer, range.endOffset, true);
  if (start === null || end === null || end <= start) return null;
  return [start, end];
}

function offsetOf(node: Node, offset: number, isEnd: boolean): number | null {
  const element = node.nodeType === Node.TEXT_NODE ? node.parentElement : (node as Element);
  if (!element) return null;
  const piece = element.closest<HTMLElement>("[data-start]");
  if (piece && node.nodeType === Node.TEXT_NODE) return Number(piece.dataset.start) + offset;
  const tag = element.closest<HTMLElement>("[data-tag]");
  if (tag) {
    // In a label tag: snap to the piece that follows it.
    let next = tag.nextElementSibling as HTMLElement | null;
    while (next && next.dataset.start === undefined) next = next.nextElementSibling as HTMLElement | null;
    return next ? Number(next.dataset.start) : null;
  }
  // An element boundary: the child at `offset` (or the end of the one before it).
  const children = element.childNodes;
  const at = children[Math.min(offset, children.length - 1)] as HTMLElement | undefined;
  if (!at || !(at instanceof HTMLElement)) return null;
  const start = at.dataset.start !== undefined ? Number(at.dataset.start) : null;
  if (start === null) return null;
  return isEnd && offset >= children.length ? start + (at.textContent?.length ?? 0) : start;
}
