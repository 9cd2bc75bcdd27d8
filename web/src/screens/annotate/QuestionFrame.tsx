import { useEffect, useRef, type KeyboardEvent, type ReactNode } from "react";
import type { Problem } from "../../api";
import type { QuestionSpec } from "../../editor/interface";
import { titleOf } from "../../editor/interface";
import { GuidelineSection } from "../guidelines/GuidelineSection";

/** What the header says of the answer. */
export type AnswerMark =
  | { kind: "empty" }
  | { kind: "done" }
  /** Started, not finished: what is missing (the same words block the submit). */
  | { kind: "unfinished"; short: string; message: string }
  /** The model's suggestion, untouched. */
  | { kind: "suggested"; by: string };

interface QuestionFrameProps {
  question: QuestionSpec;
  index: number;
  active: boolean;
  problems: Problem[];
  mark: AnswerMark;
  onActivate: () => void;
  onMove: (delta: number) => void;
  children: ReactNode;
}

/**
 * One question's card: title, help, the server's (or the browser's) problems beside it, and
 * the keyboard focus. Tab / Shift+Tab move to the next / previous question. F2 puts the focus
 * in the selected object's details (a shape's, track's, event's or segment's label, attributes,
 * times: `.shape-selected`), where Tab moves between its fields and Esc goes back.
 */
export function QuestionFrame({ question, index, active, problems, mark, onActivate, onMove, children }: QuestionFrameProps) {
  const ref = useRef<HTMLElement>(null);

  useEffect(() => {
    const element = ref.current;
    if (!active || !element || element.contains(document.activeElement)) return;
    // Keys go to the widget's root (it handles them), or straight into the text box (unless it
    // is disabled, read only: then to the card, where Tab and the screen's keys still work).
    const target = element.querySelector<HTMLElement>(question.kind === "text" ? "textarea:enabled, input:enabled" : "[data-keys]");
    (target ?? element).focus({ preventScroll: true });
    // Typing goes after what is already written, not before it.
    if (target instanceof HTMLTextAreaElement || target instanceof HTMLInputElement) {
      const end = target.value.length;
      target.setSelectionRange(end, end);
      target.scrollTop = target.scrollHeight;
    }
    element.scrollIntoView?.({ block: "nearest" });
  }, [active, question.kind]);

  function onKeyDown(event: KeyboardEvent): void {
    const plain = !event.ctrlKey && !event.metaKey && !event.altKey;
    const details = event.target instanceof Element ? event.target.closest(".shape-selected") : null;
    if (plain && details && ref.current?.contains(details)) {
      // In the selected object's details (reached by F2): Tab moves between its fields, Esc
      // goes back to the widget's keys.
      if (event.key === "Tab") return;
      if (event.key === "Escape") {
        event.preventDefault();
        ref.current.querySelector<HTMLElement>("[data-keys]")?.focus({ preventScroll: true });
        return;
      }
    }
    if (event.key === "F2" && plain && !event.shiftKey) {
      const first = ref.current?.querySelector<HTMLElement>(
        ".shape-selected :is(input, select, textarea):not([disabled])",
      );
      if (first) {
        event.preventDefault();
        first.focus();
      }
      return;
    }
    if (event.key === "Tab" && plain) {
      event.preventDefault();
      onMove(event.shiftKey ? -1 : 1);
    }
  }

  const titleId = `q-${question.name}-title`;
  return (
    <section
      ref={ref}
      data-question={question.name}
      tabIndex={-1}
      className={`question${active ? " question-active" : ""}${problems.length ? " question-invalid" : ""}`}
      aria-labelledby={titleId}
      onKeyDown={onKeyDown}
      onFocus={onActivate}
      onMouseDown={onActivate}
    >
      <header className="question-head">
        <span className="question-number" aria-hidden="true">
          {index + 1}
        </span>
        <h3 id={titleId} className="question-title">
          {titleOf(question)}
          {question.required ? (
            <span className="required" title="Required">
              {" "}
              *<span className="visually-hidden"> (required)</span>
            </span>
          ) : null}
        </h3>
        <MarkView mark={mark} />
      </header>
      {question.description ? <p className="question-description muted small">{question.description}</p> : null}
      <GuidelineSection anchor={question.guideline} active={active} />
      {children}
      {problems.length ? (
        <ul className="question-problems" role="alert">
          {problems.map((problem, i) => (
            <li key={i}>
              {subPath(problem.path) ? <span className="problem-path">{subPath(problem.path)}</span> : null} {problem.message}
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

function MarkView({ mark }: { mark: AnswerMark }) {
  switch (mark.kind) {
    case "empty":
      return null;
    case "done":
      return (
        <span className="question-done" title="Answered">
          ✓<span className="visually-hidden"> answered</span>
        </span>
      );
    case "unfinished":
      return (
        <span className="question-unfinished" title={mark.message}>
          ◐ {mark.short}
          <span className="visually-hidden">: unfinished. {mark.message}</span>
        </span>
      );
    case "suggested":
      return (
        <span className="question-suggested" title={`Pre-filled by ${mark.by}: check it, change it if it is wrong`}>
          Suggested<span className="visually-hidden"> by {mark.by}, not yet changed</span>
        </span>
      );
  }
}

/** The part of a problem's path below the question (`spans[2].end`), or "" for the answer itself. */
function subPath(path: string): string {
  const rest = path.replace(/^result\.[A-Za-z0-9_]+/, "").replace(/^\./, "");
  return rest === "text" ? "" : rest;
}
