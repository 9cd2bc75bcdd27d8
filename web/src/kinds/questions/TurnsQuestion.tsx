import { useContext, useEffect, useRef, type KeyboardEvent } from "react";
import { eligibleTurns, listing } from "../../editor/answers";
import type { TurnsSpec } from "../../editor/interface";
import { optionText, titleOf } from "../../editor/interface";
import { digitOf, isObject, isTypingTarget, keyLabel, type QuestionProps } from "../types";
import { useUiState, type UiState } from "../uiState";
import { WidgetContext } from "../widgetShared";
import type { Json, JsonObject } from "../../api/types";

/** The judged turns by index: a rating, or labels. */
type Judgements = Map<number, number | string[]>;

export function judgementsOf(value: Json | undefined): Judgements {
  const out: Judgements = new Map();
  if (!isObject(value) || !Array.isArray(value.turns)) return out;
  for (const item of value.turns) {
    if (!isObject(item) || typeof item.index !== "number") continue;
    if (typeof item.rating === "number") out.set(item.index, item.rating);
    else if (Array.isArray(item.labels)) out.set(item.index, item.labels.filter((l): l is string => typeof l === "string"));
  }
  return out;
}

function toAnswer(question: TurnsSpec, judged: Judgements): Json | undefined {
  if (judged.size === 0) return undefined;
  const turns = [...judged.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([index, v]): JsonObject => (question.rating ? { index, rating: v as number } : { index, labels: v as string[] }));
  return { turns };
}

/** The indices of the turns this question judges. */
export function judgedTurns(question: TurnsSpec, data: JsonObject): number[] {
  return eligibleTurns(question, data);
}

/** Judge (or clear, with null) one turn: the rating, or a label toggled. */
export function judgeTurn(question: TurnsSpec, value: Json | undefined, index: number, verdict: number | string | null): Json | undefined {
  const judged = judgementsOf(value);
  if (verdict === null) judged.delete(index);
  else if (typeof verdict === "number") judged.set(index, verdict);
  else {
    const current = judged.get(index);
    const labels = Array.isArray(current) ? current : [];
    const next = labels.includes(verdict) ? labels.filter((l) => l !== verdict) : question.multiple ? [...labels, verdict] : [verdict];
    if (next.length) judged.set(index, next);
    else judged.delete(index);
  }
  return toAnswer(question, judged);
}

interface TurnsProps extends QuestionProps<TurnsSpec> {
  /** Which judged turn has the keyboard (an index into the chat). */
  focus: UiState<number | null>;
}

/**
 * The card: how many turns are judged, which turn the keys act on, the keys. The controls
 * sit beside each turn. A number judges the highlighted turn and the highlight stays there:
 * ↓ moves it on (so `4 ↓ 2 ↓` judges two turns in order, as the cheat sheet says).
 */
export function TurnsQuestion({ question, value, onChange, data, focus, active }: TurnsProps) {
  const eligible = judgedTurns(question, data);
  const judged = judgementsOf(value);
  const current = useUiState(focus) ?? eligible[0] ?? null;
  const missing = question.allTurns ? eligible.filter((i) => !judged.has(i)) : [];

  function onKeyDown(event: KeyboardEvent): void {
    if (isTypingTarget(event.target) || event.ctrlKey || event.metaKey || event.altKey || current === null) return;
    const at = eligible.indexOf(current);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      const next = eligible[Math.max(0, Math.min(eligible.length - 1, at + (event.key === "ArrowDown" ? 1 : -1)))];
      if (next !== undefined) focus.set(next);
    } else if (event.key === "Backspace" || event.key === "Delete") {
      onChange(judgeTurn(question, value, current, null));
    } else {
      const digit = digitOf(event);
      if (digit === null) return;
      if (question.rating) {
        const wanted = digit === 10 ? 0 : digit;
        if (wanted < question.rating.min || wanted > question.rating.max) return;
        onChange(judgeTurn(question, value, current, wanted));
      } else {
        const label = question.labels?.[digit - 1];
        if (!label) return;
        onChange(judgeTurn(question, value, current, label.value));
      }
    }
    event.preventDefault();
    event.stopPropagation();
  }

  return (
    <div className="turns-card" onKeyDown={onKeyDown} tabIndex={-1} data-keys="">
      <p className="small">
        <strong>
          {judged.size} of {eligible.length}
        </strong>{" "}
        turn{eligible.length === 1 ? "" : "s"} judged{question.allTurns ? "; every one must be" : ""}. Controls marked “{titleOf(question)}” are beside each turn in the
        conversation.
      </p>
      {missing.length && judged.size ? (
        <p className="small turns-missing">Not judged yet: {listing(missing.map((i) => `#${i}`))}.</p>
      ) : null}
      {active && current !== null ? (
        <p className="small turns-current" aria-live="polite">
          Keys act on turn <strong>#{current}</strong> (highlighted).
        </p>
      ) : null}
      <p className="small muted keys-hint">
        <kbd>↑</kbd>/<kbd>↓</kbd> choose the turn;{" "}
        {question.rating ? (
          <>
            a number rates it {question.rating.min}–{question.rating.max}
          </>
        ) : (
          <>
            {(question.labels ?? []).map((label, i) => (
              <span key={label.value} className="turns-key">
                {i > 0 ? ", " : ""}
                <kbd>{keyLabel(i)}</kbd> {optionText(label)}
              </span>
            ))}
            {question.multiple ? " (each key toggles its label)" : ""}
          </>
        )}
        ; the highlight stays on that turn until you press <kbd>↓</kbd>. <kbd>Del</kbd> clears it.
      </p>
    </div>
  );
}

/** The controls beside one turn of the chat, captioned with their question. */
export function TurnControls({
  question,
  value,
  onChange,
  index,
  focused,
  labelled,
  onPick,
}: {
  question: TurnsSpec;
  value: Json | undefined;
  onChange: QuestionProps["onChange"];
  index: number;
  focused: boolean;
  /** Several questions judge this chat: say which one these controls answer. */
  labelled?: boolean;
  onPick: () => void;
}) {
  const verdict = judgementsOf(value).get(index);
  // Beside the chat, outside the questions' disabled fieldset: read only disables these itself.
  const readOnly = useContext(WidgetContext).readOnly;
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (focused) ref.current?.scrollIntoView?.({ block: "nearest" });
  }, [focused]);
  const set = (v: number | string): void => {
    onPick();
    onChange(judgeTurn(question, value, index, v));
  };
  const title = titleOf(question);
  return (
    <div
      ref={ref}
      className={`turn-controls${focused ? " turn-controls-focus" : ""}${labelled ? " turn-controls-labelled" : ""}`}
      role="group"
      aria-label={`${title}, turn #${index}`}
      data-turns={question.name}
      data-turn={index}
    >
      <span className="turn-controls-title">
        {title}
        {focused ? <span className="turn-controls-keys"> · keys here</span> : null}
      </span>
      <span className="turn-controls-buttons">
        {question.rating
          ? Array.from({ length: question.rating.max - question.rating.min + 1 }, (_, i) => (question.rating as { min: number }).min + i).map((r) => (
              <button key={r} type="button" tabIndex={-1} aria-pressed={verdict === r} disabled={readOnly} className={verdict === r ? "option option-small option-on" : "option option-small"} onClick={() => set(r)}>
                {r}
              </button>
            ))
          : (question.labels ?? []).map((label, i) => {
              const on = Array.isArray(verdict) && verdict.includes(label.value);
              const key = keyLabel(i);
              return (
                <button key={label.value} type="button" tabIndex={-1} aria-pressed={on} disabled={readOnly} title={label.hint || undefined} className={on ? "option option-small option-on" : "option option-small"} onClick={() => set(label.value)}>
                  {focused && key ? <kbd>{key}</kbd> : null}
                  {optionText(label)}
                </button>
              );
            })}
      </span>
    </div>
  );
}
