import { useMemo } from "react";
import { renderGuidelines } from "./guidelineMarkdown";

/** Guidelines as HTML from the safe renderer (guidelineMarkdown.ts). */
export function GuidelineMarkdown({ source, className }: { source: string; className?: string }) {
  const html = useMemo(() => renderGuidelines(source), [source]);
  // The output of the safe renderer above (raw HTML off; images only the project's own).
  return <div className={`markdown guideline-text ${className ?? ""}`} dangerouslySetInnerHTML={{ __html: html }} />;
}
