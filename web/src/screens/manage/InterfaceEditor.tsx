import { useId, useRef, type CSSProperties } from "react";
import type { TextProblem } from "./interfaceText";

interface InterfaceEditorProps {
  text: string;
  onChange: (text: string) => void;
  problems: TextProblem[];
  label?: string;
}

/**
 * The interface as YAML or JSON text: line numbers, the lines with problems marked, and
 * each problem listed under the text with a button that puts the cursor on its line.
 *
 * Long lines wrap (the editor never scrolls sideways). The line numbers and marks sit in a
 * copy of the text laid out exactly like the text box over it (same font, width and
 * wrapping), so a wrapped line's number stays beside its first row.
 */
export function InterfaceEditor({ text, onChange, problems, label = "Interface (YAML or JSON)" }: InterfaceEditorProps) {
  const id = useId();
  const area = useRef<HTMLTextAreaElement>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const lines = text.split("\n");
  const bad = new Set<number>();
  for (const problem of problems) if (problem.line !== null) bad.add(problem.line);
  const gutter = `${Math.max(2, String(lines.length).length) * 0.6 + 1.1}rem`;

  function goTo(line: number): void {
    const element = area.current;
    if (!element) return;
    let start = 0;
    for (let i = 1; i < line && i <= lines.length; i++) start += (lines[i - 1]?.length ?? 0) + 1;
    const end = start + (lines[line - 1]?.length ?? 0);
    element.focus({ preventScroll: true });
    element.setSelectionRange(start, end);
    const box = scroller.current;
    const row = box?.querySelector<HTMLElement>(`[data-line="${line}"]`);
    if (box && row) box.scrollTop = Math.max(0, row.offsetTop - box.clientHeight / 3);
  }

  return (
    <div className="iface">
      <label htmlFor={id} className="form-label">
        {label}
      </label>
      <div ref={scroller} className={bad.size ? "iface-scroll iface-scroll-invalid" : "iface-scroll"}>
        <div className="iface-body" style={{ "--iface-gutter": gutter } as CSSProperties}>
          <div className="iface-lines" aria-hidden="true">
            {lines.map((line, i) => (
              <div key={i} className={bad.has(i + 1) ? "iface-line iface-line-bad" : "iface-line"} data-line={i + 1}>
                <span className={bad.has(i + 1) ? "iface-lineno iface-lineno-bad" : "iface-lineno"}>{i + 1}</span>
                <span className="iface-mirror">{line || " "}</span>
              </div>
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
            aria-invalid={bad.size > 0}
            aria-describedby={`${id}-problems`}
          />
        </div>
      </div>
      <div id={`${id}-problems`} aria-live="polite">
        {problems.length ? (
          <ul className="iface-problems">
            {problems.map((problem, i) => (
              <li key={i} className={`iface-problem iface-problem-${problem.source}`}>
                {problem.line !== null ? (
                  <button type="button" className="iface-goto" onClick={() => goTo(problem.line as number)}>
                    line {problem.line}
                  </button>
                ) : null}
                {problem.path && !problem.path.startsWith("line ") ? <code className="iface-path">{problem.path}</code> : null}
                <span>{problem.message}</span>
                {problem.source === "server" ? <span className="muted small"> (server)</span> : null}
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
