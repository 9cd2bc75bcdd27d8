/**
 * Guideline sections and their stable anchors: the same rule as the server's
 * `accord.formats.guidelines` (both checked against anchorVectors.json; docs/guidelines.md).
 * A section starts at an ATX heading (`#` to `######`, up to three spaces in) outside fenced
 * code, or at a setext heading (a plain paragraph underlined with `=` or `-`; it starts at the
 * paragraph's first line, its title is the paragraph's lines joined by spaces); its anchor is the title in lower case with every run of characters that are not
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
const BLANK = /^[ \t]*$/;
const SETEXT = /^ {0,3}(=+|-+)[ \t]*$/;
const BREAK = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
/** Lines that open a block an underline cannot make a heading: list items, quotes. */
const NOT_PARAGRAPH = /^ {0,3}(?:[-*+](?:[ \t]|$)|\d{1,9}[.)](?:[ \t]|$)|>)/;
/** Lines that end a paragraph they follow (a list starts only at "1." or a non-empty bullet). */
const INTERRUPTS = /^ {0,3}(?:[-*+][ \t]+\S|1[.)][ \t]+\S|>)/;
const NOT_WORD = /[^\p{L}\p{N}]+/gu;

export function slug(title: string): string {
  return title.toLowerCase().replace(NOT_WORD, "-").replace(/^-+|-+$/g, "") || "section";
}

function headings(lines: string[]): { line: number; level: number; title: string }[] {
  const found: { line: number; level: number; title: string }[] = [];
  let fence: string | null = null;
  let paragraph: number | null = null; // the first line of the paragraph being read, if any
  let plain = false; // whether that paragraph is plain text (an underline makes it a heading)
  lines.forEach((text, line) => {
    const opened = FENCE.exec(text);
    if (fence !== null) {
      const mark = opened?.[1];
      if (mark && mark[0] === fence[0] && mark.length >= fence.length) fence = null;
      return;
    }
    if (opened?.[1]) {
      fence = opened[1];
      paragraph = null;
      return;
    }
    const match = HEADING.exec(text);
    const underline = SETEXT.exec(text);
    if (match?.[1]) {
      found.push({ line, level: match[1].length, title: (match[2] ?? "").trim() });
      paragraph = null;
    } else if (underline?.[1] && paragraph !== null && plain) {
      const title = lines.slice(paragraph, line).map((part) => part.trim()).join(" ");
      found.push({ line: paragraph, level: underline[1][0] === "=" ? 1 : 2, title });
      paragraph = null;
    } else if (BLANK.test(text) || BREAK.test(text)) {
      paragraph = null;
    } else if (paragraph === null) {
      if (!text.startsWith("    ") && !text.startsWith("\t")) {
        paragraph = line; // else indented code
        plain = !NOT_PARAGRAPH.test(text);
      }
    } else if (INTERRUPTS.test(text)) {
      plain = false; // a list or quote interrupts it; what follows belongs to that
    }
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
