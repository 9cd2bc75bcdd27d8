import { useMemo, useRef, type ChangeEvent, type KeyboardEvent } from "react";
import type { TextQuestionSpec } from "../../editor/interface";
import { codePointLength, compileRules, textProblem } from "../../editor/textRules";
import { isObject, type QuestionProps } from "../types";

/** `{"text": "..."}` with a character count and the project's rules checked as you type. */
export function TextQuestion({ question, value, onChange, active }: QuestionProps<TextQuestionSpec>) {
  const text = isObject(value) && typeof value.text === "string" ? value.text : "";
  const rules = useMemo(() => compileRules(question.rules), [question.rules]);
  const problem = textProblem({ ...question, required: false }, rules, text);
  const length = codePointLength(text);
  const box = useRef<HTMLTextAreaElement & HTMLInputElement>(null);
  const id = `q-${question.name}-text`;
  const serverOnly = rules.filter((r) => r.regexp === null);

  function change(event: ChangeEvent<HTMLTextAreaElement | HTMLInputElement>): void {
    const next = event.target.value;
    onChange(next === "" ? undefined : { text: next }, { coalesce: `text:${question.name}`, endsWord: /[\s.,;:!?]$/.test(next) });
  }

  function onKeyDown(event: KeyboardEvent): void {
    if (event.key === "Escape") {
      event.preventDefault();
      // Leave the box; the question keeps the focus so shortcuts work again.
      (box.current?.closest("[data-question]") as HTMLElement | null)?.focus();
    }
  }

  const common = {
    id,
    ref: box,
    value: text,
    placeholder: question.placeholder || undefined,
    onChange: change,
    onKeyDown,
    "aria-invalid": problem ? true : undefined,
    "aria-describedby": `${id}-status`,
    spellCheck: true,
  } as const;
  const limit = question.maxLength !== null ? ` / ${question.maxLength}` : question.minLength ? ` (at least ${question.minLength})` : "";
  return (
    <div className={active ? "text-answer text-answer-active" : "text-answer"}>
      <label htmlFor={id} className="visually-hidden">
        {question.label || question.name}
      </label>
      {question.multiline ? <textarea rows={4} {...common} /> : <input type="text" {...common} />}
      <div id={`${id}-status`} className="text-status small" aria-live="polite">
        <span className={problem && text ? "text-problem" : "text-ok"}>
          {text === "" ? "" : problem ? `✗ ${problem}` : "✓ fits the rules"}
        </span>
        <span className="muted text-count">
          {length}
          {limit} characters
        </span>
      </div>
      {serverOnly.length ? (
        <p className="muted small">
          {serverOnly.length === 1 ? "One rule is" : `${serverOnly.length} rules are`} checked by the server when you submit.
        </p>
      ) : null}
    </div>
  );
}
