import type { KeyboardEvent } from "react";
import type { TurnsSpec } from "../../editor/interface";
import { optionText } from "../../editor/interface";
import { digitOf, isObject, isTypingTarget, keyLabel, type QuestionProps } from "../types";
import { useUiState, type UiState } from "../uiState";
import type { Json, JsonObject } from "../../api/types";
import { turnsOf } from "../fields/ChatField";

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
  return turnsOf(data[question.target])
    .map((turn, index) => ({ turn, index }))
    .filter(({ turn }) => question.roles.length === 0 || question.roles.includes(turn.role))
    .map(({ index }) => index);
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

/** The card: how many turns are judged, the keys; the controls sit beside each turn. */
export function TurnsQuestion({ question, value, onChange, data, focus }: TurnsProps) {
  const eligible = judgedTurns(question, data);
  const judged = judgementsOf(value);
  const current = useUiState(focus) ?? eligible[0] ?? null;

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
        const next = eligible[at + 1];
        if (next !== undefined) focus.set(next);
      } else {
        const label = question.labels?.[digit - 1];
        if (!label) return;
        onChange(judgeTurn(question, value, current, label.value));
        const next = eligible[at + 1];
        if (!question.multiple && next !== undefined) focus.set(next);
      }
    }
    event.preventDefault();
    event.stopPropagation();
  }

  return (
    <div className="turns-card" onKeyDown={onKeyDown} tabIndex={-1} data-keys="">
      <p className="small">
        {judged.size} of {eligible.length} turn{eligible.length === 1 ? "" : "s"} judged
        {question.allTurns ? " (judge every one)" : ""}. The controls are beside each turn in the conversation.
      </p>
      <p className="small muted">
        <kbd>↑</kbd>/<kbd>↓</kbd> turn,{" "}
        {question.rating ? (
          <>
            number keys rate {question.rating.min}–{question.rating.max}
          </>
        ) : (
          <>
            {(question.labels ?? []).map((label, i) => (
              <span key={label.value} className="turns-key">
                <kbd>{keyLabel(i)}</kbd> {optionText(label)}{" "}
              </span>
            ))}
          </>
        )}
        , <kbd>Del</kbd> clears.
      </p>
    </div>
  );
}

/** The controls beside one turn of the chat. */
export function TurnControls({
  question,
  value,
  onChange,
  index,
  focused,
  onPick,
}: {
  question: TurnsSpec;
  value: Json | undefined;
  onChange: QuestionProps["onChange"];
  index: number;
  focused: boolean;
  onPick: () => void;
}) {
  const verdict = judgementsOf(value).get(index);
  const set = (v: number | string): void => {
    onPick();
    onChange(judgeTurn(question, value, index, v));
  };
  return (
    <div className={focused ? "turn-controls turn-controls-focus" : "turn-controls"} role="group" aria-label={`${question.label || question.name}, turn ${index}`}>
      {question.rating
        ? Array.from({ length: question.rating.max - question.rating.min + 1 }, (_, i) => (question.rating as { min: number }).min + i).map((r) => (
            <button key={r} type="button" tabIndex={-1} aria-pressed={verdict === r} className={verdict === r ? "option option-small option-on" : "option option-small"} onClick={() => set(r)}>
              {r}
            </button>
          ))
        : (question.labels ?? []).map((label) => {
            const on = Array.isArray(verdict) && verdict.includes(label.value);
            return (
              <button key={label.value} type="button" tabIndex={-1} aria-pressed={on} title={label.hint || undefined} className={on ? "option option-small option-on" : "option option-small"} onClick={() => set(label.value)}>
                {optionText(label)}
              </button>
            );
          })}
    </div>
  );
}
