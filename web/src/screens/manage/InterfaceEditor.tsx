import { useId, useRef } from "react";
import type { TextProblem } from "./interfaceText";

const LINE = 20; // px: the editor's line height, in CSS too (.iface-code)
const PAD = 8; // px: the text's top padding

interface InterfaceEditorProps {
  text: string;
  onChange: (text: string) => void;
  problems: TextProblem[];
  label?: string;
}

/**
 * The interface as YAML or JSON text: line numbers, the lines with problems marked, and
 * each problem listed under the text with a button that puts the cursor on its line.
 */
export function InterfaceEditor({ text, onChange, problems, label = "Interface (YAML or JSON)" }: InterfaceEditorProps) {
  const id = useId();
  const area = useRef<HTMLTextAreaElement>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const lines = text.split("\n");
  const widest = lines.reduce((most, line) => Math.max(most, line.length), 0);
  const bad = new Map<number, string>();
  for (const problem of problems) {
    if (problem.line !== null && !(problem.stale && bad.has(problem.line))) bad.set(problem.line, problem.stale ? "stale" : problem.source);
  }
  const live = problems.filter((p) => !p.stale);

  function goTo(line: number): void {
    const element = area.current;
    if (!element) return;
    let start = 0;
    for (let i = 1; i < line && i <= lines.length; i++) start += (lines[i - 1]?.length ?? 0) + 1;
    const end = start + (lines[line - 1]?.length ?? 0);
    element.focus({ preventScroll: true });
    element.setSelectionRange(start, end);
    const box = scroller.current;
    if (box) box.scrollTop = Math.max(0, (line - 1) * LINE - box.clientHeight / 3);
  }

  return (
    <div className="iface">
      <label htmlFor={id} className="form-label">
        {label}
      </label>
      <div ref={scroller} className={live.length ? "iface-scroll iface-scroll-invalid" : "iface-scroll"}>
        <div className="iface-gutter" aria-hidden="true">
          {lines.map((_, i) => (
            <div key={i} className={bad.has(i + 1) ? `iface-lineno iface-lineno-${bad.get(i + 1) === "stale" ? "stale" : "bad"}` : "iface-lineno"}>
              {i + 1}
            </div>
          ))}
        </div>
        <div className="iface-code">
          <div className="iface-marks" aria-hidden="true">
            {[...bad].map(([line, source]) => (
              <div key={line} className={`iface-mark iface-mark-${source}`} style={{ top: PAD + (line - 1) * LINE }} data-line={line} />
            ))}
          </div>
          <textarea
            id={id}
            ref={area}
            className="iface-text"
            value={text}
            onChange={(event) => onChange(event.target.value)}
            spellCheck={false}
            autoCapitalize="off"
            autoComplete="off"
            wrap="off"
            rows={lines.length + 1}
            style={{ width: `max(100%, ${widest + 4}ch)` }}
            aria-invalid={live.length > 0}
            aria-describedby={`${id}-problems`}
          />
        </div>
      </div>
      <div id={`${id}-problems`} aria-live="polite">
        {problems.length ? (
          <ul className="iface-problems">
            {problems.map((problem, i) => (
              <li key={i} className={`iface-problem iface-problem-${problem.source}${problem.stale ? " iface-problem-stale" : ""}`}>
                {problem.line !== null ? (
                  <button type="button" className="iface-goto" onClick={() => goTo(problem.line as number)}>
                    line {problem.line}
                  </button>
                ) : null}
                {problem.path && !problem.path.startsWith("line ") ? <code className="iface-path">{problem.path}</code> : null}
                <span>{problem.message}</span>
                {problem.source === "server" ? <span className="muted small">{problem.stale ? " (server, at the last save; edited since)" : " (server)"}</span> : null}
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted small iface-ok">No problems found in the browser. The server checks everything again on save.</p>
        )}
      </div>
    </div>
  );
}
