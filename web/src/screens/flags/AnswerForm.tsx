import { useState } from "react";
import { api, ApiError, type Flag } from "../../api";
import { Kbd } from "../../ui/Kbd";
import { Notice } from "../../ui/Notice";

export const MAX_ANSWER = 20_000;

/** A manager's answer to a question: the text (Markdown), and whether the FAQ shows it (under
 * a reworded question, e.g. to leave out who asked). Mod+Enter saves, Esc cancels. */
export function AnswerForm({ flag, onAnswered, onCancel }: { flag: Flag; onAnswered: (flag: Flag) => void; onCancel: () => void }) {
  const [answer, setAnswer] = useState(flag.answer);
  const [publish, setPublish] = useState(flag.state === "open" ? true : flag.published);
  const [wording, setWording] = useState(flag.faq_question);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function save(): Promise<void> {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      onAnswered(await api.flags.answer(flag.id, answer, publish, wording));
    } catch (e) {
      setBusy(false);
      if (!(e instanceof ApiError && e.isUnauthorized)) setError(e instanceof Error ? e.message : String(e));
    }
  }

  return (
    <form
      className="flag-answer-form"
      onClick={(e) => e.stopPropagation()}
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
      onKeyDown={(e) => {
        if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
          e.preventDefault();
          void save();
        } else if (e.key === "Escape") {
          e.preventDefault();
          onCancel();
        }
      }}
    >
      <label className="field">
        <span>Answer (Markdown)</span>
        <textarea rows={4} autoFocus value={answer} maxLength={MAX_ANSWER} onChange={(e) => setAnswer(e.target.value)} />
      </label>
      <label className="flag-check">
        <input type="checkbox" checked={publish} onChange={(e) => setPublish(e.target.checked)} /> Publish in the project's FAQ (never with the asker's name)
      </label>
      {publish ? (
        <label className="field">
          <span>The question as the FAQ shows it (empty: as asked)</span>
          <input type="text" value={wording} maxLength={10_000} placeholder={flag.question.slice(0, 120)} onChange={(e) => setWording(e.target.value)} />
        </label>
      ) : null}
      {error ? <Notice tone="error">{error}</Notice> : null}
      <div className="flag-actions">
        <button type="submit" className="button-primary" disabled={busy}>
          {busy ? "Saving…" : "Send the answer"} <Kbd keys="Mod+Enter" />
        </button>
        <button type="button" onClick={onCancel} disabled={busy}>
          Cancel <Kbd keys="Esc" />
        </button>
      </div>
    </form>
  );
}
