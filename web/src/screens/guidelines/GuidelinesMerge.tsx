import { useId, useState } from "react";
import type { GuidelineMerge } from "../../api";
import { conflictsOf, resolveMerge, type Take } from "./merge";

/**
 * The conflicts of a three-way merge side by side (the editor's text and the version saved
 * meanwhile), each with a choice: keep yours, theirs, or both. Radio buttons: Tab to a
 * conflict, arrow keys to choose. When every conflict has a choice, the merged text goes into
 * the editor (nothing is saved until the editor saves it).
 */
export function GuidelinesMerge({ merge, version, onResolved }: { merge: GuidelineMerge; version: number; onResolved: (text: string) => void }) {
  const id = useId();
  const conflicts = conflictsOf(merge.chunks);
  const [take, setTake] = useState<(Take | undefined)[]>(() => conflicts.map(() => undefined));
  const text = resolveMerge(merge.chunks, take);
  const chosen = take.filter(Boolean).length;
  const choose = (index: number, value: Take) => setTake((old) => old.map((t, i) => (i === index ? value : t)));
  const options: [Take, string][] = [
    ["mine", "Keep yours"],
    ["theirs", `Keep version ${version}'s`],
    ["both", "Keep both (yours first)"],
  ];
  return (
    <section className="guidelines-merge" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>
        {conflicts.length === 1 ? "1 change conflicts" : `${conflicts.length} changes conflict`} with version {version}: choose what to keep
      </h3>
      <p className="muted small">The other changes, yours and theirs, touch different lines and are merged as they are.</p>
      {conflicts.map((conflict, index) => (
        <fieldset key={index} className="merge-conflict" data-conflict={index + 1}>
          <legend>
            Conflict {index + 1} of {conflicts.length}: section “{conflict.title}”, line {conflict.line}
          </legend>
          <div className="merge-sides">
            <div className="merge-side" aria-label="Yours">
              <span className="form-label">Yours</span>
              <pre>{conflict.mine.join("\n") || "(removed)"}</pre>
            </div>
            <div className="merge-side" aria-label={`Version ${version}`}>
              <span className="form-label">Version {version}</span>
              <pre>{conflict.theirs.join("\n") || "(removed)"}</pre>
            </div>
          </div>
          <div className="merge-choice">
            {options.map(([value, label]) => (
              <label key={value} className="checkbox">
                <input type="radio" name={`${id}-take-${index}`} value={value} checked={take[index] === value} onChange={() => choose(index, value)} /> {label}
              </label>
            ))}
          </div>
        </fieldset>
      ))}
      <p className="form-actions">
        <button type="button" className="button-primary" disabled={text === null} onClick={() => text !== null && onResolved(text)}>
          Put the merge in the editor
        </button>
        <span className="muted small">
          {chosen} of {conflicts.length} chosen
        </span>
      </p>
    </section>
  );
}
