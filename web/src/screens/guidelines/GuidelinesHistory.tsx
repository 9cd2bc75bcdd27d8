import { useEffect, useState, type KeyboardEvent } from "react";
import { api, ApiError, type GuidelineDiff, type GuidelinesState, type Project } from "../../api";
import { Kbd } from "../../ui/Kbd";
import { Notice } from "../../ui/Notice";
import { DiffView } from "./DiffView";

interface Props {
  project: Project;
  state: GuidelinesState;
  canRestore: boolean;
  onRestored: () => void;
}

/**
 * Every version, newest first, with its note, author and date. Pick one (click, or ↑/↓ in the
 * list) to compare it with another (the previous one by default, or any: the "with" menu);
 * managers restore it (R in the list, or the button): a new version with its text.
 */
export function GuidelinesHistory({ project, state, canRestore, onRestored }: Props) {
  const versions = state.versions;
  const [picked, setPicked] = useState(versions[0]?.number ?? 1);
  const [against, setAgainst] = useState<number>(Math.max(picked - 1, 0));
  const [diff, setDiff] = useState<GuidelineDiff | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => setAgainst(Math.max(picked - 1, 0)), [picked]);
  useEffect(() => {
    let live = true;
    const [old, newer] = against <= picked ? [against, picked] : [picked, against];
    api.guidelines.diff(project.id, old, newer).then(
      (got) => live && setDiff(got),
      (failure: unknown) => live && setError(failure instanceof Error ? failure.message : String(failure)),
    );
    return () => {
      live = false;
    };
  }, [project.id, picked, against]);

  async function restore(number: number): Promise<void> {
    setError(null);
    try {
      await api.guidelines.restore(project.id, { number, note: "", material: false, base_version: state.current_version });
      onRestored();
    } catch (failure) {
      setError(failure instanceof ApiError ? failure.message : String(failure));
    }
  }

  function onKeyDown(event: KeyboardEvent<HTMLOListElement>): void {
    const index = versions.findIndex((v) => v.number === picked);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const next = versions[Math.min(Math.max(index + (event.key === "ArrowDown" ? 1 : -1), 0), versions.length - 1)];
      if (next) setPicked(next.number);
    } else if (event.key.toLowerCase() === "r" && canRestore && !event.ctrlKey && !event.metaKey && picked !== state.current_version) {
      event.preventDefault();
      void restore(picked);
    }
  }

  return (
    <section className="guidelines-history" aria-labelledby="guidelines-history-title">
      <h2 id="guidelines-history-title">History</h2>
      <p className="muted small">
        Pick a version with <Kbd keys="↑" /> <Kbd keys="↓" /> (or a click) to see what it changed{canRestore ? <>; <Kbd keys="r" /> restores it</> : null}.
      </p>
      {error ? <Notice tone="error">{error}</Notice> : null}
      <div className="guidelines-history-body">
        <ol className="guidelines-versions" tabIndex={0} aria-label="Versions" aria-activedescendant={`gv-${picked}`} onKeyDown={onKeyDown}>
          {versions.map((v) => (
            <li
              key={v.number}
              id={`gv-${v.number}`}
              data-version={v.number}
              aria-selected={v.number === picked}
              className={v.number === picked ? "guidelines-version picked" : "guidelines-version"}
              onClick={() => setPicked(v.number)}
            >
              <strong>v{v.number}</strong>
              {v.material ? <span className="badge badge-material">material</span> : null}
              {v.number === state.current_version ? <span className="badge">current</span> : null}
              <span className="guidelines-version-note">{v.note || <span className="muted">no note</span>}</span>
              <span className="muted small">
                {v.author ?? "unknown"} · {new Date(v.created_at).toLocaleString()}
                {v.restored_from ? ` · restores v${v.restored_from}` : ""}
              </span>
              {canRestore && v.number !== state.current_version && v.number === picked ? (
                <button type="button" className="button-quiet" onClick={() => void restore(v.number)}>
                  Restore <Kbd keys="r" />
                </button>
              ) : null}
            </li>
          ))}
        </ol>
        <div className="guidelines-compare">
          <label className="small">
            Compare v{picked} with{" "}
            <select value={against} onChange={(e) => setAgainst(Number(e.target.value))}>
              <option value={0}>an empty document</option>
              {versions
                .filter((v) => v.number !== picked)
                .map((v) => (
                  <option key={v.number} value={v.number}>
                    v{v.number}
                  </option>
                ))}
            </select>
          </label>
          {diff ? <DiffView diff={diff} /> : <p className="muted">Comparing…</p>}
        </div>
      </div>
    </section>
  );
}
