import { useEffect, useRef, useState, type ReactNode } from "react";
import { Kbd } from "../../ui/Kbd";
import { GLOBAL_SHORTCUTS, QUESTION_SHORTCUTS, type Shortcut } from "./shortcuts";

/** A modal `<dialog>`: focus moves in and comes back, Esc closes. */
export function Modal({ title, onClose, children }: { title: string; onClose: () => void; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    const before = document.activeElement as HTMLElement | null;
    dialog?.showModal();
    // showModal() focuses the first button (the ✕) and overrides React's autoFocus, which ran
    // before it: hand the focus to the field the dialog names as its starting point.
    dialog?.querySelector<HTMLElement>("[data-autofocus]")?.focus();
    return () => {
      dialog?.close();
      before?.focus({ preventScroll: true });
    };
  }, []);
  return (
    <dialog
      ref={ref}
      className="modal"
      aria-label={title}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      <div className="modal-head">
        <h2>{title}</h2>
        <button type="button" className="button-quiet" onClick={onClose} aria-label="Close">
          ✕
        </button>
      </div>
      {children}
    </dialog>
  );
}

/** The keys of a screen (`shortcuts`: the annotate screen's by default) and of the questions. */
export function CheatSheet({ onClose, shortcuts = GLOBAL_SHORTCUTS }: { onClose: () => void; shortcuts?: Shortcut[] }) {
  return (
    <Modal title="Keyboard shortcuts" onClose={onClose}>
      <div className="cheatsheet">
        <table>
          <tbody>
            {shortcuts.map((s) => (
              <tr key={s.what}>
                <td>
                  <Kbd keys={s.keys} />
                </td>
                <td>{s.what}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <h3>In the focused question</h3>
        <table>
          <tbody>
            {QUESTION_SHORTCUTS.map((s) => (
              <tr key={s.what}>
                <td className="cheatsheet-keys" data-keys-sequence={s.keys}>
                  {s.keys.split(" ").map((k, i) => (
                    <Kbd key={i} keys={k} />
                  ))}
                </td>
                <td>{s.what}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Modal>
  );
}

const QUICK_REASONS = ["Unclear or ambiguous", "Data is broken or empty", "Outside my expertise", "Offensive content"];

export function SkipDialog({ onSkip, onClose }: { onSkip: (reason: string) => void; onClose: () => void }) {
  const [reason, setReason] = useState("");
  return (
    <Modal title="Skip this task" onClose={onClose}>
      <form
        className="skip-form"
        onSubmit={(event) => {
          event.preventDefault();
          onSkip(reason.trim());
        }}
      >
        <p className="muted small">It will not come back to you. A reason helps the project's managers.</p>
        <div className="skip-quick">
          {QUICK_REASONS.map((text, i) => (
            <button key={text} type="button" className="option option-small" onClick={() => onSkip(text)}>
              <kbd>{i + 1}</kbd> {text}
            </button>
          ))}
        </div>
        <label className="field">
          <span>Or in your words</span>
          <textarea
            rows={2}
            data-autofocus
            value={reason}
            maxLength={2000}
            onChange={(e) => setReason(e.target.value)}
            onKeyDown={(e) => {
              const digit = Number(e.key);
              if (reason === "" && digit >= 1 && digit <= QUICK_REASONS.length) {
                e.preventDefault();
                onSkip(QUICK_REASONS[digit - 1] as string);
              } else if (e.key === "Enter" && !e.shiftKey) {
                e.preventDefault();
                onSkip(reason.trim());
              }
            }}
          />
        </label>
        <div className="modal-actions">
          <button type="button" onClick={onClose}>
            Cancel <Kbd keys="Esc" />
          </button>
          <button type="submit" className="button-primary">
            Skip <Kbd keys="Enter" />
          </button>
        </div>
      </form>
    </Modal>
  );
}
