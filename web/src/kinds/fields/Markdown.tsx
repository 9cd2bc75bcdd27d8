import { useMemo } from "react";
import { renderMarkdown } from "../markdown";

/** Markdown rendered by `kinds/markdown.ts` (raw HTML off, unsafe links inert). */
export function Markdown({ source, className }: { source: string; className?: string }) {
  const html = useMemo(() => renderMarkdown(source), [source]);
  // The only use of innerHTML in the app: the output of the safe renderer above.
  return <div className={`markdown ${className ?? ""}`} dangerouslySetInnerHTML={{ __html: html }} />;
}
