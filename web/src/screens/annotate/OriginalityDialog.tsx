import { useSyncExternalStore, type KeyboardEvent, type ReactNode } from "react";
import type { OriginalityFinding } from "../../api/originality";
import { Kbd } from "../../ui/Kbd";
import { Modal } from "./dialogs";
import { originalityStore } from "./originality";
import "../../styles/originality.css";

/** Your text with the passages it shares highlighted (offsets in code points). */
function Highlighted({ text, ranges }: { text: string; ranges: [number, number][] }) {
  const chars = Array.from(text);
  const parts: ReactNode[] = [];
  let at = 0;
  for (const [start, end] of [...ranges].sort((a, b) => a[0] - b[0])) {
    if (start < at) continue;
    if (start > at) parts.push(chars.slice(at, start).join(""));
    parts.push(<mark key={start}>{chars.slice(start, end).join("")}</mark>);
    at = end;
  }
  parts.push(chars.slice(at).join(""));
  return <div className="originality-text" data-side="yours">{parts}</div>;
}

function Finding({ finding, yours }: { finding: OriginalityFinding; yours: string }) {
  const percent = Math.round(finding.similarity * 100);
  const other = finding.source === "reference" ? "a reference text" : "an earlier answer";
  return (
    <section className="originality-finding" data-question={finding.question}>
      <p className={`originality-score originality-${finding.verdict}`}>
        <strong>{finding.question}</strong>: <strong>{percent}%</strong> similar to {other}
        {finding.verdict === "block" ? " — too close to submit." : "."}
      </p>
      <div className="originality-sides">
        <div className="originality-side">
          <h4>Yours</h4>
          <Highlighted text={yours} ranges={finding.passages.map((p) => p.yours)} />
        </div>
        <div className="originality-side">
          <h4>Matching passages of {other}</h4>
          <div className="originality-text" data-side="theirs">
            {finding.passages.map((p, i) => (
              <p key={i}>
                {p.before ? `…${p.before}` : ""}
                <mark>{p.text}</mark>
                {p.after ? `${p.after}…` : ""}
              </p>
            ))}
          </div>
        </div>
      </div>
    </section>
  );
}

/** At submit: how close the answer is to earlier ones, side by side; revise or submit anyway. */
export function OriginalityDialog() {
  const state = useSyncExternalStore(originalityStore.subscribe, originalityStore.get);
  if (!state) return null;
  const { findings, yours, blocked, proceed, editing } = state;

  function revise(): void {
    const question = findings[0]?.question;
    originalityStore.close();
    window.setTimeout(() => document.getElementById(`q-${question}-text`)?.focus(), 0);
  }

  function anyway(): void {
    originalityStore.close();
    proceed?.();
  }

  function onKeyDown(event: KeyboardEvent): void {
    // The dialog's keys only: the annotate screen's Ctrl+Enter must not submit behind it.
    event.stopPropagation();
    if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
      event.preventDefault();
      if (proceed) anyway();
    }
  }

  return (
    <Modal title={blocked ? "Not original enough to submit" : "Close to earlier work"} onClose={revise}>
      <div className="originality-modal-body" onKeyDown={onKeyDown}>
        <p className="muted small">
          Similarity is the share of three-word phrases the two texts have in common. {blocked ? "Rewrite the highlighted passages in your own words." : editing ? "You can revise it, or save it as it is." : "You can revise it, or submit it as it is (it will be reviewed)."}
        </p>
        {findings.map((f) => (
          <Finding key={f.question} finding={f} yours={yours[f.question] ?? ""} />
        ))}
        <div className="originality-actions">
          <button type="button" className={proceed ? "button-quiet" : "button-primary"} onClick={revise} data-autofocus>
            Revise <Kbd keys="Esc" />
          </button>
          {proceed ? (
            <button type="button" className="button-primary" onClick={anyway}>
              {editing ? "Save anyway" : "Submit anyway"} <Kbd keys="Mod+Enter" />
            </button>
          ) : null}
        </div>
      </div>
    </Modal>
  );
}
