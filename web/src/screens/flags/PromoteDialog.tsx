import { useEffect, useState } from "react";
import { api, ApiError, type Amendment, type Flag } from "../../api";
import { Kbd } from "../../ui/Kbd";
import { Notice } from "../../ui/Notice";
import { Modal } from "../annotate/dialogs";

interface Conflict {
  message: string;
  diff: string;
}

/** Promote an answered question, with its task as a worked example, into a new guideline
 * version: the proposed text is editable; a change note and the "material" mark (annotators
 * must acknowledge it) go with it. Mod+Enter saves. */
export function PromoteDialog({ flag, onClose, onPromoted }: { flag: Flag; onClose: () => void; onPromoted: (version: number) => void }) {
  const [proposal, setProposal] = useState<Amendment | null>(null);
  const [text, setText] = useState("");
  const [note, setNote] = useState("");
  const [material, setMaterial] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [round, setRound] = useState(0);

  useEffect(() => {
    let live = true;
    api.flags.amendment(flag.id).then(
      (found) => {
        if (!live) return;
        setProposal(found);
        setText(found.text);
        setNote((was) => was || found.note);
      },
      (e: unknown) => live && setError(e instanceof Error ? e.message : String(e)),
    );
    return () => {
      live = false;
    };
  }, [flag.id, round]);

  async function save(): Promise<void> {
    if (busy || !proposal) return;
    setBusy(true);
    setError(null);
    try {
      const done = await api.flags.promote(flag.id, { text, note, material, base_version: proposal.base_version });
      onPromoted(done.version);
    } catch (e) {
      setBusy(false);
      if (e instanceof ApiError && e.code === "guidelines_conflict") setConflict({ message: e.message, diff: diffText(e.details) });
      else if (!(e instanceof ApiError && e.isUnauthorized)) setError(e instanceof Error ? e.message : String(e));
    }
  }

  return (
    <Modal title={`Promote question #${flag.id} into the guidelines`} onClose={onClose}>
      <form
        className="flag-promote-form"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
        onKeyDown={(e) => {
          if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            void save();
          }
        }}
      >
        {proposal ? (
          <>
            <p className="muted small">
              The answer and the task, as a worked example, are added to {flag.section ? "the end of its section" : "the end of the guidelines"}. Edit freely; saving makes
              version {proposal.base_version + 1}.
            </p>
            <label className="field">
              <span>Guidelines (Markdown)</span>
              <textarea rows={16} data-autofocus value={text} onChange={(e) => setText(e.target.value)} />
            </label>
            <label className="field">
              <span>Change note</span>
              <input type="text" value={note} maxLength={2000} onChange={(e) => setNote(e.target.value)} />
            </label>
            <label className="flag-check">
              <input type="checkbox" checked={material} onChange={(e) => setMaterial(e.target.checked)} /> Material change: annotators must read and acknowledge it before
              their next task
            </label>
          </>
        ) : error ? null : (
          <p className="muted">Preparing the amendment…</p>
        )}
        {conflict ? (
          <Notice
            tone="warning"
            actions={
              <button
                type="button"
                onClick={() => {
                  setConflict(null);
                  setNote("");
                  setRound((n) => n + 1);
                }}
              >
                Start again from the current version
              </button>
            }
          >
            {conflict.message}
            {conflict.diff ? <pre className="flag-diff">{conflict.diff}</pre> : null}
          </Notice>
        ) : null}
        {error ? <Notice tone="error">{error}</Notice> : null}
        <div className="modal-actions">
          <button type="button" onClick={onClose} disabled={busy}>
            Cancel <Kbd keys="Esc" />
          </button>
          <button type="submit" className="button-primary" disabled={busy || !proposal || conflict !== null}>
            {busy ? "Saving…" : "Save as a new version"} <Kbd keys="Mod+Enter" />
          </button>
        </div>
      </form>
    </Modal>
  );
}

/** The unified diff the server sends with a conflict (details.diff.text), if any. */
export function diffText(details: unknown): string {
  if (!details || typeof details !== "object" || !("diff" in details)) return "";
  const diff = (details as { diff: unknown }).diff;
  if (diff && typeof diff === "object" && "text" in diff && typeof (diff as { text: unknown }).text === "string") return (diff as { text: string }).text;
  return "";
}
