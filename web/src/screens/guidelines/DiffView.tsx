import type { GuidelineDiff } from "../../api";

/** A readable diff of two guideline versions: the sections touched, then the changed lines
 * with a little context (removed lines red with "−", added green with "+"). */
export function DiffView({ diff, empty = "No changes between these versions." }: { diff: Pick<GuidelineDiff, "sections" | "hunks">; empty?: string }) {
  if (!diff.hunks.length) return <p className="muted">{empty}</p>;
  return (
    <div className="guideline-diff">
      <p className="guideline-diff-sections">
        Sections changed:{" "}
        {diff.sections.map((s, i) => (
          <span key={i} className="guideline-diff-section">
            {s.title}
          </span>
        ))}
      </p>
      {diff.hunks.map((hunk, i) => (
        <pre key={i} className="guideline-diff-hunk" aria-label={`Change ${i + 1}, from line ${hunk.new_start}`}>
          {hunk.lines.map((line, j) => (
            <div key={j} className={line.op === "+" ? "diff-add" : line.op === "-" ? "diff-del" : "diff-same"}>
              <span className="diff-op" aria-hidden="true">
                {line.op === "-" ? "−" : line.op}
              </span>
              <span className="visually-hidden">{line.op === "+" ? "added: " : line.op === "-" ? "removed: " : ""}</span>
              {line.text || " "}
            </div>
          ))}
        </pre>
      ))}
    </div>
  );
}
