import { useContext, useEffect, useRef, useState, type KeyboardEvent as ReactKeyboardEvent } from "react";
import { api } from "../../api";
import { Kbd } from "../../ui/Kbd";
import { WidgetContext } from "../widgetShared";
import "./llmSuggest.css";

/** The key that asks for a suggestion (listed in the annotate screen's shortcuts): Alt+L,
 * read from the key's position so that macOS's Option+L (which types "¬") works too. */
export function isSuggestKey(event: Pick<KeyboardEvent, "altKey" | "ctrlKey" | "metaKey" | "shiftKey" | "code">): boolean {
  return event.altKey && !event.ctrlKey && !event.metaKey && !event.shiftKey && event.code === "KeyL";
}

/** Whether the key belongs to this question: the one that has the keyboard (its frame is
 * active), or the only one where no frame says (a page without question frames). */
function ownsKeys(element: HTMLElement | null): boolean {
  if (!element) return false;
  const frame = element.closest("[data-question]");
  return frame ? frame.classList.contains("question-active") : true;
}

type Phase = "idle" | "streaming" | "ready" | "error";

/**
 * "Suggest with LLM" under a text question (docs/llm.md): shown only when the project has an
 * endpoint and a `rewrite` template. The suggestion streams in, then the annotator edits it
 * and uses it (it replaces the answer's text, one undo step) or dismisses it. Nothing is
 * saved by asking: the answer is only what the annotator puts in it.
 *
 * Keys: Alt+L asks (again, while one shows) for the active question, even while typing in the
 * answer; the suggestion then has the focus: Alt+Enter uses it, Esc stops or dismisses it and
 * puts the focus back in the answer.
 */
export function LlmSuggest({ question, text, onAccept }: { question: string; text: string; onAccept: (text: string) => void }) {
  const shared = useContext(WidgetContext);
  const taskId = shared.readOnly ? null : shared.taskId;
  const [offered, setOffered] = useState(false);
  const [phase, setPhase] = useState<Phase>("idle");
  const [suggestion, setSuggestion] = useState("");
  const [error, setError] = useState("");
  const running = useRef<AbortController | null>(null);
  const root = useRef<HTMLDivElement>(null);
  const box = useRef<HTMLTextAreaElement>(null);
  const latest = useRef<() => void>(() => {});

  useEffect(() => {
    if (taskId === null) return;
    let live = true;
    void api.llm.suggestionsOffered(taskId).then((yes) => live && setOffered(yes));
    return () => {
      live = false;
      running.current?.abort();
    };
  }, [taskId]);

  useEffect(() => {
    if (!offered || taskId === null) return;
    function onKeyDown(event: KeyboardEvent): void {
      if (event.defaultPrevented || !isSuggestKey(event) || event.repeat || !ownsKeys(root.current)) return;
      event.preventDefault();
      latest.current();
    }
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, [offered, taskId]);

  useEffect(() => {
    if (phase === "streaming") box.current?.focus({ preventScroll: true });
  }, [phase]);

  function answerBox(): void {
    document.getElementById(`q-${question}-text`)?.focus({ preventScroll: true });
  }

  function onSuggestionKey(event: ReactKeyboardEvent<HTMLTextAreaElement>): void {
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      dismiss();
      answerBox();
    } else if (event.key === "Enter" && event.altKey && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      if (phase === "ready") use();
    }
  }

  latest.current = start;
  if (!offered || taskId === null) return null;

  function use(): void {
    onAccept(suggestion);
    dismiss();
    answerBox();
  }

  function start(): void {
    if (taskId === null) return;
    running.current?.abort();
    const controller = new AbortController();
    running.current = controller;
    setSuggestion("");
    setError("");
    setPhase("streaming");
    api.llm
      .streamSuggestion(taskId, text, question, (piece) => setSuggestion((before) => before + piece), controller.signal)
      .then((whole) => {
        setSuggestion(whole);
        setPhase("ready");
      })
      .catch((cause: unknown) => {
        if (cause instanceof DOMException && cause.name === "AbortError") return;
        setError(cause instanceof Error ? cause.message : String(cause));
        setPhase("error");
      });
  }

  function dismiss(): void {
    running.current?.abort();
    setPhase("idle");
    setSuggestion("");
  }

  return (
    <div className="llm-suggest" data-llm-suggest={question} ref={root}>
      {phase === "idle" || phase === "error" ? (
        <button type="button" className="secondary small" onClick={start} title="Suggest with LLM (Alt+L)">
          Suggest with LLM <Kbd keys="Alt+L" />
        </button>
      ) : null}
      {phase === "error" ? (
        <p className="text-problem small" role="alert">
          No suggestion: {error}
        </p>
      ) : null}
      {phase === "streaming" || phase === "ready" ? (
        <div className="llm-suggestion" aria-live="polite">
          <label className="small muted" htmlFor={`llm-${question}`}>
            {phase === "streaming" ? "Suggestion (arriving…; Esc stops it)" : "Suggestion: edit it, then use it (Alt+Enter) or dismiss it (Esc)"}
          </label>
          <textarea
            ref={box}
            onKeyDown={onSuggestionKey}
            id={`llm-${question}`}
            rows={4}
            value={suggestion}
            readOnly={phase === "streaming"}
            onChange={(event) => setSuggestion(event.target.value)}
          />
          <div className="llm-suggest-actions">
            {phase === "ready" ? (
              <button type="button" onClick={use}>
                Use this text <Kbd keys="Alt+Enter" />
              </button>
            ) : null}
            <button type="button" className="secondary" onClick={dismiss}>
              {phase === "streaming" ? "Stop" : "Dismiss"}
            </button>
          </div>
        </div>
      ) : null}
    </div>
  );
}
