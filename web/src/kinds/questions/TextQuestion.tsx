import { useContext, useEffect, useMemo, useRef, useSyncExternalStore, type ChangeEvent, type ClipboardEvent, type KeyboardEvent } from "react";
import type { TextQuestionSpec } from "../../editor/interface";
import { codePointLength, compileRules, ruleMessage, textProblem, type RuleStatus } from "../../editor/textRules";
import { WidgetContext } from "../widgetShared";
import { noteChange, notePaste } from "./typing";
import { CheckList } from "./CheckList";
import { LlmSuggest } from "./LlmSuggest";
import { declaredProblem } from "../../editor/declaredProblems";
import { isObject, type QuestionProps } from "../types";

/**
 * `{"text": "..."}` with a character count and the project's rules checked as you type. The
 * rules run in a worker with a time budget (`editor/ruleEngine.ts`); one the browser cannot
 * run, or that ran over the budget, is checked by the server when you submit.
 */
export function TextQuestion({ question, value, onChange, active }: QuestionProps<TextQuestionSpec>) {
  const text = isObject(value) && typeof value.text === "string" ? value.text : "";
  const engine = useContext(WidgetContext).rules;
  useSyncExternalStore(engine.subscribe, engine.getVersion);
  const rules = useMemo(() => compileRules(question.rules), [question.rules]);
  useEffect(() => engine.request(rules, text), [engine, rules, text]);
  const statuses = rules.map((check) => engine.status(check, text));
  const pending = statuses.includes("pending");
  const problem =
    textProblem({ ...question, required: false }, rules, text, (check) => statuses[rules.indexOf(check)] as RuleStatus) ??
    (text && declaredProblem(question, text) ? "a check below blocks the submit" : null);
  // Warn-level rules the text breaks: shown as it is typed; they do not stop the submit.
  const warned = text === "" ? [] : rules.filter((check, i) => check.rule.level === "warn" && statuses[i] === "fail");
  // While a rule is being checked (a few milliseconds), keep showing the last verdict.
  const shown = useRef<string>("");
  const verdict = text === "" ? "" : problem ? `✗ ${problem}` : pending ? shown.current : warned.length ? "✓ fits the rules (a warning below)" : "✓ fits the rules";
  shown.current = verdict;
  const length = codePointLength(text);
  const box = useRef<HTMLTextAreaElement & HTMLInputElement>(null);
  const id = `q-${question.name}-text`;
  const serverOnly = rules.filter((_, i) => statuses[i] === "server");
  const slow = serverOnly.filter((check) => engine.isSlow(check)).length;

  function change(event: ChangeEvent<HTMLTextAreaElement | HTMLInputElement>): void {
    const next = event.target.value;
    noteChange(question.name, text, next);
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
    onPaste: (event: ClipboardEvent) => notePaste(question.name, event.clipboardData.getData("text")),
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
        <span className={problem && text ? "text-problem" : "text-ok"}>{verdict}</span>
        <span className="muted text-count">
          {length}
          {limit} characters
        </span>
      </div>
      {warned.length ? (
        <ul className="check-list" aria-label="Rule warnings" data-rule-warnings={question.name}>
          {warned.map((check) => (
            <li key={check.rule.pattern} className="check-row check-warn" data-state="warn">
              <span className="check-icon" aria-hidden="true">
                ⚠
              </span>
              <span className="check-name">rule</span>
              <span className="check-message">{ruleMessage(check.rule)} (a warning: you can still submit)</span>
            </li>
          ))}
        </ul>
      ) : null}
      <CheckList question={question.name} checks={question.declared ?? []} text={text} />
      <LlmSuggest question={question.name} text={text} onAccept={(next) => onChange(next === "" ? undefined : { text: next })} />
      {serverOnly.length ? (
        <p className="muted small text-server-rules">
          {serverOnly.length === 1 ? "One rule is" : `${serverOnly.length} rules are`} checked when you submit
          {slow ? (slow === serverOnly.length ? " (too slow to check as you type)" : ` (${slow} too slow to check as you type)`) : ""}.
        </p>
      ) : null}
    </div>
  );
}
