import { useEffect, useId, useRef, type ReactNode } from "react";

interface ConfirmDialogProps {
  title: string;
  children: ReactNode;
  /** The button that goes ahead, e.g. "Delete 3 tasks". */
  confirmLabel: string;
  cancelLabel?: string;
  /** "danger" for what cannot be undone. */
  tone?: "danger" | "normal";
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}

/**
 * A modal question with two answers. Focus starts on the safe answer (cancel) and comes back
 * where it was; Esc cancels. Never the browser's `confirm()`: it blocks the page and cannot
 * say enough.
 */
export function ConfirmDialog({ title, children, confirmLabel, cancelLabel = "Cancel", tone = "normal", busy = false, onConfirm, onCancel }: ConfirmDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const safe = useRef<HTMLButtonElement>(null);
  const id = useId();
  useEffect(() => {
    const dialog = ref.current;
    const before = document.activeElement as HTMLElement | null;
    if (dialog && !dialog.open) dialog.showModal();
    safe.current?.focus();
    return () => {
      dialog?.close();
      before?.focus({ preventScroll: true });
    };
  }, []);
  return (
    <dialog
      ref={ref}
      className="confirm-dialog"
      aria-labelledby={`${id}-title`}
      onCancel={(event) => {
        event.preventDefault();
        if (!busy) onCancel();
      }}
    >
      <h2 id={`${id}-title`} className="confirm-title">
        {title}
      </h2>
      <div className="confirm-body">{children}</div>
      <div className="confirm-actions">
        <button type="button" ref={safe} onClick={onCancel} disabled={busy}>
          {cancelLabel}
        </button>
        <button type="button" className={tone === "danger" ? "button-danger" : "button-primary"} onClick={onConfirm} disabled={busy}>
          {busy ? "Working…" : confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
