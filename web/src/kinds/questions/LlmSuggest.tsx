import { useContext, useEffect, useRef, useState } from "react";
import { api } from "../../api";
import { WidgetContext } from "../widgetShared";

type Phase = "idle" | "streaming" | "ready" | "error";

/**
 * "Suggest with LLM" under a text question (docs/llm.md): shown only when the project has an
 * endpoint and a `rewrite` template. The suggestion streams in, then the annotator edits it
 * and uses it (it replaces the answer's text, one undo step) or dismisses it. Nothing is
 * saved by asking: the answer is only what the annotator puts in it.
 */
export function LlmSuggest({ question, text, onAccept }: { question: string; text: string; onAccept: (text: string) => void }) {
  const shared = useContext(WidgetContext);
  const taskId = shared.readOnly ? null : shared.taskId;
  const [offered, setOffered] = useState(false);
  const [phase, setPhase] = useState<Phase>("idle");
  const [suggestion, setSuggestion] = useState("");
  const [error, setError] = useState("");
  const running = useRef<AbortController | null>(null);

  useEffect(() => {
    if (taskId === null) return;
    let live = true;
    void api.llm.suggestionsOffered(taskId).then((yes) => live && setOffered(yes));
    return () => {
      live = false;
      running.current?.abort();
    };
  }, [taskId]);

  if (!offered || taskId === null) return null;

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
    <div className="llm-suggest" data-llm-suggest={question}>
      {phase === "idle" || phase === "error" ? (
        <button type="button" className="secondary small" onClick={start}>
          Suggest with LLM
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
            {phase === "streaming" ? "Suggestion (arriving…)" : "Suggestion: edit it, then use it or dismiss it"}
          </label>
          <textarea
            id={`llm-${question}`}
            rows={4}
            value={suggestion}
            readOnly={phase === "streaming"}
            onChange={(event) => setSuggestion(event.target.value)}
          />
          <div className="llm-suggest-actions">
            {phase === "ready" ? (
              <button
                type="button"
                onClick={() => {
                  onAccept(suggestion);
                  dismiss();
                }}
              >
                Use this text
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
