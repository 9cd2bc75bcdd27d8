import type { ReactNode } from "react";
import { Link } from "../../app/Link";
import { Kbd } from "../../ui/Kbd";
import { useCurrentGuidelines } from "../guidelines/currentGuidelines";
import { GuidelineMarkdown } from "../guidelines/GuidelineMarkdown";

/** The guidelines beside the task: the newest version the annotator read (an acknowledged
 * version replaces the one the screen opened with), sections anchored, images shown; then
 * `children` (the FAQ of answered questions), in the same column. */
export function GuidelinesPanel({
  markdown,
  version,
  projectId,
  onClose,
  children,
}: {
  markdown: string;
  version: number;
  projectId?: number;
  onClose: () => void;
  children?: ReactNode;
}) {
  const current = useCurrentGuidelines();
  const fresh = current && current.projectId === projectId && current.version >= version ? current : null;
  const text = fresh ? fresh.text : markdown;
  return (
    <aside className="guidelines" aria-label="Guidelines">
      <div className="guidelines-head">
        <h2>
          Guidelines <span className="muted small">v{fresh ? fresh.version : version}</span>
        </h2>
        {projectId ? (
          <Link className="small" to={`/projects/${projectId}/guidelines`}>
            History
          </Link>
        ) : null}
        <button type="button" className="button-quiet" onClick={onClose}>
          Hide <Kbd keys="g" />
        </button>
      </div>
      {text.trim() ? <GuidelineMarkdown source={text} /> : <p className="muted">This project has no guidelines yet.</p>}
      {children}
    </aside>
  );
}
