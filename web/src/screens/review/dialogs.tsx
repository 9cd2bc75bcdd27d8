import { useState } from "react";
import type { ReviewComment } from "../../api";
import { Kbd } from "../../ui/Kbd";
import { CheatSheet, Modal } from "../annotate/dialogs";
import { REVIEW_SHORTCUTS } from "../annotate/shortcuts";

export function ReviewCheatSheet({ onClose }: { onClose: () => void }) {
  return <CheatSheet onClose={onClose} shortcuts={REVIEW_SHORTCUTS} />;
}

interface RejectProps {
  /** The interface's question names, to comment on one. */
  questions: string[];
  onReject: (comment: string, comments: ReviewComment[]) => void;
  onClose: () => void;
  error: string | null;
}

/** Send an annotation back: a reason (required) and, per question, an optional comment. */
export function RejectDialog({ questions, onReject, onClose, error }: RejectProps) {
  const [reason, setReason] = useState("");
  const [notes, setNotes] = useState<Record<string, string>>({});
  function send(): void {
    const comments = questions.filter((q) => (notes[q] ?? "").trim()).map((q) => ({ question: q, text: (notes[q] ?? "").trim() }));
    onReject(reason.trim(), comments);
  }
  return (
    <Modal title="Send back to the author" onClose={onClose}>
      <form
        className="reject-form"
        onSubmit={(event) => {
          event.preventDefault();
          send();
        }}
        onKeyDown={(event) => {
          if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
            event.preventDefault();
            send();
          }
        }}
      >
        <p className="muted small">The author finds it in their rework list with what you write here, fixes it, and it comes back for review.</p>
        <label className="field">
          <span>Why (required)</span>
          <textarea rows={3} data-autofocus value={reason} maxLength={5000} required onChange={(e) => setReason(e.target.value)} />
        </label>
        {questions.length ? (
          <fieldset className="reject-notes">
            <legend>Comments on questions (optional)</legend>
            {questions.map((name) => (
              <label key={name} className="field field-inline">
                <span>{name}</span>
                <input
                  type="text"
                  value={notes[name] ?? ""}
                  maxLength={5000}
                  data-comment-question={name}
                  onChange={(e) => setNotes({ ...notes, [name]: e.target.value })}
                />
              </label>
            ))}
          </fieldset>
        ) : null}
        {error ? (
          <p className="field-error" role="alert">
            {error}
          </p>
        ) : null}
        <div className="modal-actions">
          <button type="button" onClick={onClose}>
            Cancel <Kbd keys="Esc" />
          </button>
          <button type="submit" className="button-danger">
            Send back <Kbd keys="Mod+Enter" />
          </button>
        </div>
      </form>
    </Modal>
  );
}
