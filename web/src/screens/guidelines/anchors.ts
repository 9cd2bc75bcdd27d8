/**
 * Guideline sections and their stable anchors: the same rule as the server's
 * `accord.formats.guidelines` (both checked against anchorVectors.json; docs/guidelines.md).
 * A section starts at an ATX heading (`#` to `######`, up to three spaces in) outside fenced
 * code; its anchor is the title in lower case with every run of characters that are not
 * letters or digits made one `-`, trimmed (`section` if empty); repeats get `-2`, `-3`, ...
 */

export interface Section {
  anchor: string;
  title: string;
  level: number;
  /** The heading's line (0-based). */
  start: number;
  /** The line after the section: the next heading of its level or above, or the end. */
  end: number;
}

const HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const NOT_WORD = /[^\p{L}\p{N}]+/gu;

export function slug(title: string): string {
  return title.toLowerCase().replace(NOT_WORD, "-").replace(/^-+|-+$/g, "") || "section";
}

function headings(lines: string[]): { line: number; level: number; title: string }[] {
  const found: { line: number; level: number; title: string }[] = [];
  let fence: string | null = null;
  lines.forEach((text, line) => {
    const opened = FENCE.exec(text);
    if (fence !== null) {
      const mark = opened?.[1];
      if (mark && mark[0] === fence[0] && mark.length >= fence.length) fence = null;
      return;
    }
    if (opened?.[1]) {
      fence = opened[1];
      return;
    }
    const match = HEADING.exec(text);
    if (match?.[1]) found.push({ line, level: match[1].length, title: (match[2] ?? "").trim() });
  });
  return found;
}

export function sections(text: string): Section[] {
  const lines = text.split("\n");
  const found = headings(lines);
  const used = new Set<string>();
  return found.map((heading, index) => {
    const base = slug(heading.title);
    let anchor = base;
    for (let n = 2; used.has(anchor); n++) anchor = `${base}-${n}`;
    used.add(anchor);
    const next = found.slice(index + 1).find((later) => later.level <= heading.level);
    return { anchor, title: heading.title, level: heading.level, start: heading.line, end: next ? next.line : lines.length };
  });
}

/** The Markdown of section `anchor` (its heading and subsections), or null. */
export function sectionText(text: string, anchor: string): string | null {
  const section = sections(text).find((s) => s.anchor === anchor);
  if (!section) return null;
  return text.split("\n").slice(section.start, section.end).join("\n");
}
