import { useEffect, useRef, useState } from "react";
import { api, ApiError, type GuidelineLinkWarning, type GuidelinesConflict, type Project } from "../../api";
import { Kbd } from "../../ui/Kbd";
import { Notice } from "../../ui/Notice";
import { sections } from "./anchors";
import { DiffView } from "./DiffView";
import { GuidelineMarkdown } from "./GuidelineMarkdown";
import { GuidelinesMerge } from "./GuidelinesMerge";

/** A merge put in the editor, not saved yet: what it was made from, to undo it. */
interface Merged {
  conflict: GuidelinesConflict;
  mine: string;
  clean: boolean;
}

interface Props {
  project: Project;
  /** After a save (with what to tell the person) or to load the current version. */
  onSaved: (message?: string) => void;
}

/**
 * The managers' editor: Markdown on the left, the preview on the right (as annotators see it),
 * a change note, "material" (annotators must acknowledge it), images uploaded into the text.
 * Keys: Mod+S saves, Mod+Shift+I inserts an image. A save that lost a race shows what the
 * other save changed; when the two edits touch different lines, the server's merge of both goes
 * into the editor ("merged, review and save", with undo); when they overlap, the conflicting
 * lines are shown side by side to choose from. Either way nothing is saved until the next save,
 * from the current version (so of two racing saves one still wins). It also offers to save
 * this text over the other version, or to load the current version.
 */
export function GuidelinesEditor({ project, onSaved }: Props) {
  const [text, setText] = useState(project.guidelines);
  const [note, setNote] = useState("");
  const [material, setMaterial] = useState(false);
  const [base, setBase] = useState(project.guidelines_version);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [warnings, setWarnings] = useState<GuidelineLinkWarning[]>([]);
  const [conflict, setConflict] = useState<GuidelinesConflict | null>(null);
  const [merged, setMerged] = useState<Merged | null>(null);
  const area = useRef<HTMLTextAreaElement>(null);
  const picker = useRef<HTMLInputElement>(null);
  const found = sections(text);

  useEffect(() => {
    void api.guidelines.sections(project.id).then((got) => setWarnings(got.warnings), () => undefined);
  }, [project.id]);

  async function save(over?: number): Promise<void> {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      const made = await api.guidelines.save(project.id, { text, note, material, base_version: over ?? base });
      setWarnings(made.warnings);
      setConflict(null);
      setMerged(null);
      setBase(made.version.number);
      setNote("");
      setMaterial(false);
      onSaved(`Saved as version ${made.version.number}${made.version.material ? " (material: annotators will acknowledge it)" : ""}.`);
    } catch (failure) {
      if (failure instanceof ApiError && failure.code === "guidelines_conflict") {
        const details = failure.details as GuidelinesConflict;
        if (details.merge?.clean && details.merge.text !== null) adopt(details, details.merge.text, true);
        else setConflict(details);
      } else setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  }

  /** Put a merge in the editor, from the version saved meanwhile; saving it is the next save. */
  function adopt(from: GuidelinesConflict, mergedText: string, clean: boolean): void {
    setMerged({ conflict: from, mine: text, clean });
    setText(mergedText);
    setBase(from.current_version);
    setConflict(null);
  }

  function undoMerge(): void {
    if (!merged) return;
    setText(merged.mine);
    setBase(merged.conflict.base_version);
    setConflict(merged.conflict);
    setMerged(null);
  }

  async function insertImage(file: File): Promise<void> {
    setError(null);
    try {
      const image = await api.guidelines.uploadImage(project.id, file);
      const at = area.current?.selectionStart ?? text.length;
      setText((old) => `${old.slice(0, at)}${image.markdown}\n${old.slice(at)}`);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    }
  }

  useEffect(() => {
    function onKeyDown(event: KeyboardEvent): void {
      const mod = event.ctrlKey || event.metaKey;
      if (mod && !event.shiftKey && event.key.toLowerCase() === "s") {
        event.preventDefault();
        void save(conflict ? conflict.current_version : undefined);
      } else if (mod && event.shiftKey && event.key.toLowerCase() === "i") {
        event.preventDefault();
        picker.current?.click();
      }
    }
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  });

  return (
    <section className="guidelines-editor" aria-labelledby="guidelines-edit-title">
      <h2 id="guidelines-edit-title">Edit (from version {base})</h2>
      <div className="split">
        <label className="form-field">
          <span className="form-label">Markdown</span>
          <textarea ref={area} className="textarea-mono guidelines-source" value={text} onChange={(e) => setText(e.target.value)} rows={18} spellCheck />
        </label>
        <div className="guidelines-preview" aria-label="Preview">
          <span className="form-label">Preview</span>
          <div className="guidelines-rendered guidelines-preview-box">
            {text.trim() ? <GuidelineMarkdown source={text} /> : <p className="muted small">Nothing written yet.</p>}
          </div>
        </div>
      </div>
      <div className="guidelines-meta">
        <label className="form-field guidelines-note">
          <span className="form-label">Change note</span>
          <input value={note} onChange={(e) => setNote(e.target.value)} maxLength={2000} placeholder="What changed, and why" />
        </label>
        <label className="checkbox">
          <input type="checkbox" checked={material} onChange={(e) => setMaterial(e.target.checked)} /> Material change: annotators must read and acknowledge it before their
          next task
        </label>
      </div>
      <p className="form-actions">
        <button type="button" className="button-primary" onClick={() => void save()} disabled={busy || !!conflict}>
          Save version {base + 1} <Kbd keys="Mod+S" />
        </button>
        <button type="button" onClick={() => picker.current?.click()}>
          Insert image <Kbd keys="Mod+Shift+I" />
        </button>
        <input
          ref={picker}
          type="file"
          accept="image/png,image/jpeg,image/webp,image/gif"
          className="visually-hidden"
          tabIndex={-1}
          aria-label="Image to insert"
          onChange={(e) => {
            const file = e.target.files?.[0];
            e.target.value = "";
            if (file) void insertImage(file);
          }}
        />
      </p>
      {error ? <Notice tone="error">{error}</Notice> : null}
      {merged ? (
        <div className="guidelines-merged" role="status">
          <Notice tone="info">
            Merged with version {merged.conflict.current_version}
            {merged.conflict.current_note ? ` (“${merged.conflict.current_note}”)` : ""}, saved while you edited version {merged.conflict.base_version}:{" "}
            {merged.clean ? "your changes and theirs touch different lines." : "with the choices you made."} Nothing is saved yet: review the merged text, then save version{" "}
            {merged.conflict.current_version + 1}.
          </Notice>
          <details>
            <summary>What version {merged.conflict.current_version} changed</summary>
            <DiffView diff={merged.conflict.diff} />
          </details>
          <p className="form-actions">
            <button type="button" onClick={undoMerge} disabled={busy}>
              Undo the merge
            </button>
          </p>
        </div>
      ) : null}
      {conflict ? (
        <div className="guidelines-conflict" role="alert">
          <Notice tone="warning">
            Someone saved version {conflict.current_version} {conflict.current_note ? `(“${conflict.current_note}”)` : ""} while you edited version {conflict.base_version}. This is what they
            changed; your text is unchanged in the editor.
          </Notice>
          <DiffView diff={conflict.diff} />
          {conflict.merge?.clean && conflict.merge.text !== null ? (
            <p className="form-actions">
              <button type="button" onClick={() => adopt(conflict, conflict.merge?.text ?? text, true)} disabled={busy}>
                Merge again: yours and version {conflict.current_version}&apos;s changes touch different lines
              </button>
            </p>
          ) : null}
          {conflict.merge && !conflict.merge.clean ? (
            <GuidelinesMerge key={conflict.current_version} merge={conflict.merge} version={conflict.current_version} onResolved={(mergedText) => adopt(conflict, mergedText, false)} />
          ) : null}
          <p className="form-actions">
            <button type="button" className="button-primary" onClick={() => void save(conflict.current_version)} disabled={busy}>
              Save my text over version {conflict.current_version} <Kbd keys="Mod+S" />
            </button>
            <button type="button" onClick={() => onSaved()}>
              Discard mine, load version {conflict.current_version}
            </button>
          </p>
        </div>
      ) : null}
      <details className="guidelines-sections" open>
        <summary>
          Sections ({found.length}) — questions and checklist items link to them with <code>guideline: anchor</code>
        </summary>
        <ul>
          {found.map((s) => (
            <li key={s.anchor} style={{ marginLeft: `${(s.level - 1) * 1}rem` }}>
              {s.title || "(untitled)"} <code>{s.anchor}</code>
            </li>
          ))}
        </ul>
        {warnings.length ? (
          <ul className="guidelines-warnings" aria-label="Links to missing sections">
            {warnings.map((w) => (
              <li key={w.path} className="form-warning">
                {w.message}
              </li>
            ))}
          </ul>
        ) : null}
      </details>
    </section>
  );
}
