import type { KeyboardEvent } from "react";
import type { PairwiseSpec } from "../../editor/interface";
import { digitOf, isObject, isTypingTarget, type QuestionProps } from "../types";
import type { Json } from "../../api/types";

type Pick = "A" | "B" | "tie";

const STRENGTH_WORDS: Record<number, string> = { 1: "slightly", 2: "clearly", 3: "much" };

/**
 * `{"choice": "A"|"B"|"tie", "strength"?: n}`. Keys: 1 A, 2 B, 3 tie; Shift+number sets how
 * much better. The responses themselves show side by side in the data column.
 */
export function PairwiseQuestion({ question, value, onChange }: QuestionProps<PairwiseSpec>) {
  const choice: Pick | null = isObject(value) && (value.choice === "A" || value.choice === "B" || value.choice === "tie") ? value.choice : null;
  const strength = isObject(value) && typeof value.strength === "number" ? value.strength : null;
  const picks: Pick[] = question.allowTie ? ["A", "B", "tie"] : ["A", "B"];

  function choose(next: Pick): void {
    if (next === "tie") onChange({ choice: "tie" });
    else onChange(answer(next, next === choice ? strength : null));
  }

  function answer(pick: "A" | "B", level: number | null): Json {
    return level === null ? { choice: pick } : { choice: pick, strength: level };
  }

  function setStrength(level: number): void {
    if (choice === "A" || choice === "B") onChange(answer(choice, level === strength ? null : level));
  }

  function onKeyDown(event: KeyboardEvent): void {
    if (isTypingTarget(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
    const digit = digitOf(event);
    if (digit === null) {
      if (event.key === "Backspace" || event.key === "Delete") {
        event.preventDefault();
        onChange(undefined);
      }
      return;
    }
    if (event.shiftKey) {
      if (digit <= question.maxStrength && (choice === "A" || choice === "B")) {
        event.preventDefault();
        setStrength(digit);
      }
      return;
    }
    const pick = picks[digit - 1];
    if (pick) {
      event.preventDefault();
      choose(pick);
    }
  }

  const levels = Array.from({ length: question.maxStrength }, (_, i) => i + 1);
  return (
    <div className="pairwise" onKeyDown={onKeyDown} tabIndex={-1} data-keys="">
      <div className="pairwise-choices" role="radiogroup" aria-label={question.label || question.name}>
        {picks.map((pick, index) => (
          <button
            key={pick}
            type="button"
            role="radio"
            tabIndex={-1}
            aria-checked={choice === pick}
            className={choice === pick ? "option option-on pairwise-pick" : "option pairwise-pick"}
            onClick={() => choose(pick)}
          >
            <kbd>{index + 1}</kbd>
            {pick === "tie" ? "Tie" : `${pick} is better`}
          </button>
        ))}
      </div>
      {choice === "A" || choice === "B" ? (
        <div className="pairwise-strength" role="radiogroup" aria-label="How much better">
          <span className="muted small">How much better{question.strengthRequired ? " (needed)" : ""}:</span>
          {levels.map((level) => (
            <button
              key={level}
              type="button"
              role="radio"
              tabIndex={-1}
              aria-checked={strength === level}
              className={strength === level ? "option option-small option-on" : "option option-small"}
              onClick={() => setStrength(level)}
            >
              <span className="kbd-group">
                <kbd>⇧</kbd>
                <kbd>{level}</kbd>
              </span>
              {question.maxStrength === 3 ? STRENGTH_WORDS[level] : level}
            </button>
          ))}
        </div>
      ) : null}
    </div>
  );
}
