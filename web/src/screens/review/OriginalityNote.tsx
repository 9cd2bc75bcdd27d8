import type { ReactNode } from "react";
import { originality } from "../../api/originality";
import type { JsonObject } from "../../api/types";
import { useLoad } from "../../ui/useLoad";
import "../../styles/originality.css";

function marked(text: string, ranges: [number, number][]): ReactNode[] {
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
  return parts;
}

/**
 * For reviewers: what the originality check found about the annotation (docs/originality.md):
 * its similarity to the closest earlier text with the shared passages side by side, and how much
 * of each answer was pasted. Nothing when there is nothing to say.
 */
export function OriginalityNote({ annotationId, result }: { annotationId: number; result: JsonObject }) {
  const [state] = useLoad(() => originality.ofAnnotation(annotationId), `originality:${annotationId}`);
  if (state.status !== "ready") return null;
  const check = state.value;
  const pasted = Object.entries(check.typing).filter(([, t]) => t.pasted > 0);
  const found = Object.entries(check.details).filter(([, d]) => d.passages.length > 0);
  if (!found.length && !pasted.length) return null;
  return (
    <div className="originality-note" data-originality={check.verdict}>
      {pasted.map(([question, t]) => (
        <p key={question} className="small">
          <strong>{question}</strong>: {t.pasted} characters pasted, {t.typed} typed
        </p>
      ))}
      {found.map(([question, d]) => {
        const answer = result[question];
        const yours = answer && typeof answer === "object" && !Array.isArray(answer) && typeof answer.text === "string" ? answer.text : "";
        return (
          <details key={question} className="originality-finding">
            <summary>
              <strong>{question}</strong>: {Math.round(d.similarity * 100)}% similar to {d.source === "reference" ? "a reference text" : "an earlier answer"}
            </summary>
            <div className="originality-sides">
              <div className="originality-side">
                <h4>This answer</h4>
                <div className="originality-text">{marked(yours, d.passages.map((p) => p.yours))}</div>
              </div>
              <div className="originality-side">
                <h4>The matching text</h4>
                <div className="originality-text">{d.theirs === null ? "(deleted since)" : marked(d.theirs, d.passages.map((p) => p.theirs))}</div>
              </div>
            </div>
          </details>
        );
      })}
    </div>
  );
}
