import { useContext, useMemo, type KeyboardEvent } from "react";
import type { SpansSpec } from "../../editor/interface";
import { optionText } from "../../editor/interface";
import { OffsetMap } from "../../editor/offsets";
import { addSpan, findOverlaps, relabelSpan, removeSpan, sameSpan, toServerSpan, type Span } from "../../editor/spans";
import { labelColour } from "../palette";
import { digitOf, isObject, isTypingTarget, keyLabel, type QuestionProps } from "../types";
import { useUiState, type UiState } from "../uiState";
import { WidgetContext } from "../widgetShared";
import { moveCursor, pickNeighbour, selectionOf, type SpanUi } from "./spanUi";
import type { Json } from "../../api/types";

export function spansOf(value: Json | undefined): Span[] {
  if (!isObject(value) || !Array.isArray(value.spans)) return [];
  return value.spans.flatMap((item): Span[] => {
    if (!isObject(item) || typeof item.start !== "number" || typeof item.end !== "number" || typeof item.label !== "string") return [];
    const span: Span = { start: item.start, end: item.end, label: item.label };
    if (typeof item.text === "string") span.text = item.text;
    return [span];
  });
}

const toAnswer = (spans: Span[]): Json | undefined =>
  spans.length === 0 ? undefined : { spans: spans.map((s) => ({ ...s })) as unknown as Json };

export interface SpanActions {
  /** Apply label number `index` to the selection or the picked span. Returns a message to announce. */
  label(index: number): string | null;
  remove(): string | null;
}

/** The label/remove operations on the current answer; shared by the card and the text. */
export function spanActions(
  question: SpansSpec,
  text: string,
  map: OffsetMap,
  spans: Span[],
  ui: UiState<SpanUi>,
  onChange: QuestionProps["onChange"],
): SpanActions {
  return {
    label(index) {
      const option = question.labels[index];
      if (!option) return null;
      const state = ui.get();
      if (state.picked) {
        const next = relabelSpan(spans, state.picked, option.value);
        onChange(toAnswer(next));
        ui.set({ ...state, picked: { ...state.picked, label: option.value } });
        return `relabelled as ${optionText(option)}`;
      }
      const range = selectionOf(state, text);
      if (!range) return "select some text first (mouse, or Shift+arrows)";
      const span = toServerSpan(text, map, range[0], range[1], option.value);
      const result = addSpan(spans, span, question.overlap);
      onChange(toAnswer(result.spans));
      ui.set({ cursor: range[1], anchor: null, picked: null });
      const replaced = result.replaced.length ? ` (replacing ${result.replaced.length} overlapping)` : "";
      return `marked “${span.text ?? ""}” as ${optionText(option)}${replaced}`;
    },
    remove() {
      const state = ui.get();
      if (!state.picked) return null;
      onChange(toAnswer(removeSpan(spans, state.picked)));
      ui.set({ ...state, picked: null });
      return "span removed";
    },
  };
}

interface SpansQuestionProps extends QuestionProps<SpansSpec> {
  ui: UiState<SpanUi>;
  announce: (message: string) => void;
}

/** The spans question card: labels with their keys, the spans made so far, the keys. */
export function SpansQuestion({ question, value, onChange, data, active, ui, announce }: SpansQuestionProps) {
  const text = typeof data[question.target] === "string" ? (data[question.target] as string) : "";
  const map = useMemo(() => new OffsetMap(text), [text]);
  const spans = spansOf(value);
  const state = useUiState(ui);
  const actions = spanActions(question, text, map, spans, ui, onChange);
  const overlapping = question.overlap ? [] : findOverlaps(spans);
  // Read only (a reviewed annotation): its keys only mark, so none is handled.
  const readOnly = useContext(WidgetContext).readOnly;

  function onKeyDown(event: KeyboardEvent): void {
    if (readOnly || isTypingTarget(event.target) || event.ctrlKey || event.metaKey) return;
    const key = event.key;
    let message: string | null = null;
    if (key === "ArrowRight" || key === "ArrowLeft") {
      ui.set(moveCursor(ui.get(), text, key === "ArrowRight" ? 1 : -1, event.shiftKey, event.altKey));
    } else if (key === "]" || key === "[") {
      ui.set(pickNeighbour(ui.get(), spans, map, key === "]" ? 1 : -1));
    } else if (key === "Delete" || key === "Backspace") {
      message = actions.remove();
    } else if (key === "Escape" && (state.anchor !== null || state.picked)) {
      ui.set({ ...ui.get(), anchor: null, picked: null });
    } else if (key === "Home" || key === "End") {
      ui.set({ cursor: key === "Home" ? 0 : text.length, anchor: event.shiftKey ? (state.anchor ?? state.cursor) : null, picked: null });
    } else {
      const digit = event.altKey ? null : digitOf(event);
      if (digit === null || !question.labels[digit - 1]) return;
      message = actions.label(digit - 1);
    }
    event.preventDefault();
    event.stopPropagation();
    if (message) announce(message);
  }

  return (
    <div className="spans-card" onKeyDown={onKeyDown} tabIndex={-1} data-keys="">
      <div className="span-labels" role="toolbar" aria-label="Labels">
        {question.labels.map((option, index) => {
          const colour = labelColour(index);
          const keyText = keyLabel(index);
          return (
            <button
              key={option.value}
              type="button"
              tabIndex={-1}
              className="span-label-button"
              style={{ background: colour.fill, borderColor: colour.edge }}
              title={option.hint || undefined}
              onMouseDown={(event) => event.preventDefault() /* keep the text selection */}
              onClick={() => {
                const message = actions.label(index);
                if (message) announce(message);
              }}
            >
              {keyText ? <kbd>{keyText}</kbd> : null}
              {optionText(option)}
            </button>
          );
        })}
      </div>
      {state.picked ? (
        <div className="span-picked" role="status">
          Picked: <strong>{labelText(question, state.picked.label)}</strong> “{clip(state.picked.text ?? sliceCp(text, map, state.picked))}” — press a label key to
          change it,{" "}
          <button type="button" tabIndex={-1} className="button-quiet button-danger" onClick={() => announce(actions.remove() ?? "")}>
            <kbd>Del</kbd> delete
          </button>
        </div>
      ) : null}
      {overlapping.length ? (
        <p className="text-problem small">
          {overlapping.length} pair{overlapping.length === 1 ? "" : "s"} of spans overlap; this question does not allow overlap.
        </p>
      ) : null}
      {spans.length ? (
        <ul className="span-list">
          {spans.map((span) => {
            const index = question.labels.findIndex((o) => o.value === span.label);
            const on = state.picked !== null && sameSpan(state.picked, span);
            return (
              <li key={`${span.start}-${span.end}-${span.label}`}>
                <button
                  type="button"
                  tabIndex={-1}
                  className={on ? "span-chip span-chip-on" : "span-chip"}
                  style={{ borderColor: labelColour(index).edge }}
                  onClick={() => ui.set({ cursor: map.toUtf16(span.end), anchor: null, picked: span })}
                >
                  <span className="span-chip-label" style={{ background: labelColour(index).fill }}>
                    {labelText(question, span.label)}
                  </span>
                  {clip(span.text ?? sliceCp(text, map, span))}
                </button>
              </li>
            );
          })}
        </ul>
      ) : (
        <p className="muted small">No spans yet.</p>
      )}
      {active && !readOnly ? (
        <p className="keys-hint small muted">
          Select text with the mouse (drag, or double-click a word) or <kbd>Shift</kbd>+<kbd>←</kbd>/<kbd>→</kbd> (by word; add <kbd>Alt</kbd> for a character), then a
          label key or button.{" "}
          <kbd>[</kbd>/<kbd>]</kbd> pick a span, <kbd>Del</kbd> removes it.
        </p>
      ) : null}
    </div>
  );
}

export function labelText(question: SpansSpec, value: string): string {
  const option = question.labels.find((o) => o.value === value);
  return option ? optionText(option) : value;
}

function sliceCp(text: string, map: OffsetMap, span: { start: number; end: number }): string {
  return text.slice(map.toUtf16(span.start), map.toUtf16(span.end));
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}
