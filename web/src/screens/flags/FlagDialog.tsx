import { useEffect, useMemo, useState } from "react";
import { api, ApiError, type Flag } from "../../api";
import { Kbd } from "../../ui/Kbd";
import { Notice } from "../../ui/Notice";
import { Modal } from "../annotate/dialogs";
import { guidelineSections } from "./sections";
import "./flags.css";

export const MAX_QUESTION = 10_000;
export type AfterFlag = "skip" | "keep";

interface FlagDialogProps {
  taskId: number;
  guidelines: string;
  onClose: () => void;
  /** The flag is saved; `then`: skip the task, or keep working on it. */
  onFlagged: (flag: Flag, then: AfterFlag) => void;
  /** Offer "Flag and skip" (not in the review screen: a reviewer passes instead). */
  canSkip?: boolean;
}

/** "Flag as unclear" (key q in the annotate screen): a question for the project's leads,
 * optionally about one guideline section; then skip the task or keep working on it. */
export function FlagDialog({ taskId, guidelines, onClose, onFlagged, canSkip = true }: FlagDialogProps) {
  const sections = useMemo(() => guidelineSections(guidelines), [guidelines]);
  const [question, setQuestion] = useState("");
  const [section, setSection] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function send(then: AfterFlag): Promise<void> {
    if (busy) return;
    if (!question.trim()) {
      setError("Write your question first: what is unclear, and why.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const flag = await api.flags.create(taskId, question.trim(), section);
      onFlagged(flag, then);
    } catch (e) {
      setBusy(false);
      if (!(e instanceof ApiError && e.isUnauthorized)) setError(e instanceof Error ? e.message : String(e));
    }
  }

  return (
    <Modal title="Flag as unclear" onClose={onClose}>
      <form
        className="flag-form"
        onSubmit={(event) => {
          event.preventDefault();
          void send("keep");
        }}
        onKeyDown={(event) => {
          if (event.key !== "Enter") return;
          if (event.ctrlKey || event.metaKey) {
            event.preventDefault();
            void send("keep");
          } else if (event.altKey && canSkip) {
            event.preventDefault();
            void send("skip");
          }
        }}
      >
        <p className="muted small">
          Your question goes to the project's leads; only they see who asked. You are notified when it is answered, and answers they publish go into the FAQ beside the
          guidelines.
        </p>
        <label className="field">
          <span>What is unclear under the guidelines?</span>
          <textarea
            rows={5}
            data-autofocus
            value={question}
            maxLength={MAX_QUESTION}
            placeholder="e.g. The guidelines say sarcasm is negative; is praise with an eye-roll emoji sarcasm?"
            onChange={(e) => setQuestion(e.target.value)}
          />
          <span className="muted small flag-count">
            {question.length.toLocaleString()} / {MAX_QUESTION.toLocaleString()}
          </span>
        </label>
        <label className="field">
          <span>About which section?</span>
          <select value={section} onChange={(e) => setSection(e.target.value)}>
            <option value="">The guidelines as a whole</option>
            {sections.map((s) => (
              <option key={s.anchor} value={s.anchor}>
                {"\u00a0\u00a0".repeat(Math.max(0, s.level - 1))}
                {s.title}
              </option>
            ))}
          </select>
        </label>
        {error ? <Notice tone="error">{error}</Notice> : null}
        <div className="modal-actions">
          <button type="button" onClick={onClose} disabled={busy}>
            Cancel <Kbd keys="Esc" />
          </button>
          {canSkip ? (
            <button type="button" onClick={() => void send("skip")} disabled={busy}>
              Flag and skip <Kbd keys="Alt+Enter" />
            </button>
          ) : null}
          <button type="submit" className="button-primary" disabled={busy}>
            {busy ? "Sending…" : "Flag, keep working"} <Kbd keys="Mod+Enter" />
          </button>
        </div>
      </form>
    </Modal>
  );
}

interface FlagControlProps {
  /** The dialog is open (the screen's key q, or its button). */
  open: boolean;
  taskId: number | null;
  guidelines: string;
  onClose: () => void;
  /** Skip the task the way the screen does (with this reason); absent: no skipping here. */
  onSkip?: (reason: string) => void;
}

/** The dialog, and a short confirmation once a flag is sent. */
export function FlagControl({ open, taskId, guidelines, onClose, onSkip }: FlagControlProps) {
  const [sent, setSent] = useState<string | null>(null);
  useEffect(() => {
    if (!sent) return;
    const timer = window.setTimeout(() => setSent(null), TOAST_MS);
    return () => window.clearTimeout(timer);
  }, [sent]);
  return (
    <>
      {open && taskId !== null ? (
        <FlagDialog
          taskId={taskId}
          guidelines={guidelines}
          onClose={onClose}
          canSkip={onSkip !== undefined}
          onFlagged={(flag, then) => {
            onClose();
            setSent(
              then === "skip"
                ? "Question sent, and the task skipped. You will be notified when a lead answers."
                : "Question sent. Keep working: you will be notified when a lead answers.",
            );
            if (then === "skip") onSkip?.(skipReason(flag.question));
          }}
        />
      ) : null}
      {sent ? (
        <div className="flag-toast" data-flag-sent>
          <Notice tone="success">{sent}</Notice>
        </div>
      ) : null}
    </>
  );
}

const TOAST_MS = 6000;

export function skipReason(question: string): string {
  const line = question.replace(/\s+/g, " ").trim();
  return `Flagged as unclear: ${line.length > 200 ? line.slice(0, 199) + "…" : line}`;
}
