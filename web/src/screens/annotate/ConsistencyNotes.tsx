import { useDeferredValue } from "react";
import type { Json, JsonObject } from "../../api/types";
import { isEmptyAnswer } from "../../editor/answers";
import { consistencyFailures } from "../../editor/consistency";
import type { Interface } from "../../editor/interface";
import "../../styles/checks.css";

/**
 * The interface's consistency checks across questions (docs/checks.md), live: one row per
 * check with ✓ when it holds, ✗ when it blocks the submit, ⚠ when it only warns.
 */
export function ConsistencyNotes({ iface, result }: { iface: Interface; result: JsonObject }) {
  const shown = useDeferredValue(result);
  const checks = iface.checks ?? [];
  if (checks.length === 0) return null;
  const byName = new Map(iface.questions.map((q) => [q.name, q]));
  const isEmpty = (name: string, value: Json | undefined): boolean => {
    const question = byName.get(name);
    return !question || isEmptyAnswer(question, value);
  };
  return (
    <section className="consistency-notes" aria-label="Checks across questions">
      <h3>Checks across questions</h3>
      <ul className="check-list">
        {checks.map((check, i) => {
          const [failed] = consistencyFailures([check], shown, isEmpty);
          const names = check.kind === "required_if" ? `${check.question} if ${check.when}` : check.questions.join(" / ");
          const state = !failed ? "pass" : failed.level;
          const text = !failed ? `${names}: holds` : `${failed.path.replace(/^result\./, "")}: ${failed.message}${failed.level === "warn" ? " (a warning: you can still submit)" : ""}`;
          return (
            <li key={i} className={`check-row check-${state}`} data-check={check.kind} data-state={state}>
              <span className="check-icon" aria-hidden="true">
                {!failed ? "✓" : failed.level === "warn" ? "⚠" : "✗"}
              </span>
              <span className="check-name">{check.kind}</span>
              <span className="check-message">{text}</span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
