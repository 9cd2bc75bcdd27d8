import { useDeferredValue, useEffect, useSyncExternalStore } from "react";
import { needsServer, type DeclaredCheck } from "../../editor/checks";
import { activeServerChecks, isVerdict, liveVerdicts, type LiveVerdict } from "../../editor/serverChecks";
import "../../styles/checks.css";

const noSubscribe = (): (() => void) => () => {};
const zero = (): number => 0;

/** How a verdict shows: its state (pass, block, warn, pending, submit), icon and words. */
export function verdictView(live: LiveVerdict): { state: string; icon: string; text: string } {
  if (!isVerdict(live)) {
    return live.state === "pending" ? { state: "pending", icon: "…", text: "checking…" } : { state: "submit", icon: "•", text: "checked when you submit" };
  }
  if (live.ok) return { state: "pass", icon: "✓", text: live.message };
  return live.level === "warn" ? { state: "warn", icon: "⚠", text: `${live.message} (a warning: you can still submit)` } : { state: "block", icon: "✗", text: live.message };
}

/**
 * A text answer's declared checks (docs/checks.md), each with its state as the annotator
 * types: ✓ passes, ✗ blocks the submit, ⚠ warns (the submit goes through). Computed from the
 * deferred text, so typing never waits for them; the checks only the server can run are asked
 * of it once typing pauses. `slot` names the text box when a question has several (a
 * transcript's segment id).
 */
export function CheckList({ question, checks, text, slot = "" }: { question: string; checks: readonly DeclaredCheck[]; text: string; slot?: string }) {
  const server = activeServerChecks();
  useSyncExternalStore(server?.subscribe ?? noSubscribe, server?.getVersion ?? zero);
  const shown = useDeferredValue(text);
  const asks = checks.some(needsServer);
  useEffect(() => {
    if (server && asks && shown !== "") server.want(question, shown, slot);
  }, [server, asks, question, shown, slot]);
  if (checks.length === 0 || shown === "") return null;
  return (
    <ul className="check-list" aria-label="Checks" data-checks={question}>
      {liveVerdicts(question, checks, shown, server, slot).map((live) => {
        const view = verdictView(live);
        return (
          <li key={live.index} className={`check-row check-${view.state}`} data-check={live.check} data-state={view.state}>
            <span className="check-icon" aria-hidden="true">
              {view.icon}
            </span>
            <span className="check-name">{live.check}</span>
            <span className="check-message">
              <span className="visually-hidden">{view.state === "pass" ? "passes: " : view.state === "block" ? "blocks submit: " : ""}</span>
              {view.text}
            </span>
          </li>
        );
      })}
    </ul>
  );
}
