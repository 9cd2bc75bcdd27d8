import type { KeyboardEvent } from "react";
import type { ChoiceSpec } from "../../editor/interface";
import { optionText } from "../../editor/interface";
import { digitOf, isObject, isTypingTarget, keyLabel, type QuestionProps } from "../types";

/** `{"choice": v}` or, with `multiple`, `{"choices": [...]}`; number keys pick. */
export function ChoiceQuestion({ question, value, onChange, active }: QuestionProps<ChoiceSpec>) {
  const picked = picks(question, value);

  function toggle(optionValue: string): void {
    if (!question.multiple) {
      onChange({ choice: optionValue });
      return;
    }
    const next = picked.includes(optionValue) ? picked.filter((v) => v !== optionValue) : [...picked, optionValue];
    // Keep the options' order, so the same picks always read the same.
    const ordered = question.options.map((o) => o.value).filter((v) => next.includes(v));
    onChange({ choices: ordered });
  }

  function onKeyDown(event: KeyboardEvent): void {
    if (isTypingTarget(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
    const digit = digitOf(event);
    if (digit !== null) {
      const option = question.options[digit - 1];
      if (option) {
        event.preventDefault();
        toggle(option.value);
      }
    } else if ((event.key === "Backspace" || event.key === "Delete") && picked.length) {
      event.preventDefault();
      onChange(undefined);
    }
  }

  return (
    <div
      className="choice"
      role={question.multiple ? "group" : "radiogroup"}
      aria-label={question.label || question.name}
      onKeyDown={onKeyDown}
      tabIndex={-1}
      data-keys=""
    >
      {question.options.map((option, index) => {
        const on = picked.includes(option.value);
        const key = keyLabel(index);
        return (
          <button
            key={option.value}
            type="button"
            role={question.multiple ? "checkbox" : "radio"}
            aria-checked={on}
            className={on ? "option option-on" : "option"}
            title={option.hint || undefined}
            tabIndex={-1}
            onClick={() => toggle(option.value)}
          >
            {key && active ? <kbd>{key}</kbd> : key ? <kbd className="kbd-dim">{key}</kbd> : null}
            <span>{optionText(option)}</span>
          </button>
        );
      })}
    </div>
  );
}

function picks(question: ChoiceSpec, value: QuestionProps["value"]): string[] {
  if (!isObject(value)) return [];
  if (question.multiple) return Array.isArray(value.choices) ? value.choices.filter((v): v is string => typeof v === "string") : [];
  return typeof value.choice === "string" ? [value.choice] : [];
}
