/** The pure parts of the task shield (docs/confidentiality.md): the watermark's image, which
 * copy attempts are blocked, and the keys. Kept apart from React for the tests. */

/** The viewer's identity and the time, as a tiled SVG background (a CSS `url(...)` value). */
export function watermarkImage(name: string, email: string, at: Date): string {
  const when = `${at.toISOString().slice(0, 16).replace("T", " ")} UTC`;
  const who = [name, email].filter(Boolean).join(" · ");
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="320" height="120">` +
    `<g transform="rotate(-18 160 60)" fill="rgba(90,40,40,0.24)" font-family="sans-serif" font-size="14">` +
    `<text x="24" y="52">${escapeXml(who)}</text><text x="24" y="72">${escapeXml(when)}</text></g></svg>`;
  return `url("data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}")`;
}

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c] ?? c);
}

/** Whether a copy, cut or context menu on `target` is blocked when the project blocks copying:
 * everywhere in the task except the annotator's own text boxes. */
export function blocksCopyAt(target: EventTarget | null): boolean {
  if (typeof HTMLElement === "undefined" || !(target instanceof HTMLElement)) return true;
  if (target.isContentEditable) return false;
  if (target instanceof HTMLTextAreaElement) return false;
  if (target instanceof HTMLInputElement) return !["text", "search", "email", "url", "number", ""].includes(target.type);
  return true;
}

/** The shield's key for a keydown, or null (letters only, never while typing). */
export function shieldKey(event: { key: string; shiftKey: boolean; altKey: boolean; ctrlKey: boolean; metaKey: boolean }): "reveal" | "mark" | "break" | null {
  if (event.altKey || event.ctrlKey || event.metaKey) return null;
  if (event.key === "h" && !event.shiftKey) return "reveal";
  if (event.key === "H" && event.shiftKey) return "mark";
  if (event.key === "b" && !event.shiftKey) return "break";
  return null;
}
