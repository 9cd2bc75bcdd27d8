import { Markdown } from "../../kinds/fields/Markdown";
import { Kbd } from "../../ui/Kbd";

export function GuidelinesPanel({ markdown, version, onClose }: { markdown: string; version: number; onClose: () => void }) {
  return (
    <aside className="guidelines" aria-label="Guidelines">
      <div className="guidelines-head">
        <h2>
          Guidelines <span className="muted small">v{version}</span>
        </h2>
        <button type="button" className="button-quiet" onClick={onClose}>
          Hide <Kbd keys="g" />
        </button>
      </div>
      {markdown.trim() ? <Markdown source={markdown} /> : <p className="muted">This project has no guidelines yet.</p>}
    </aside>
  );
}
