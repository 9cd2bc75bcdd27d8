/**
 * What declared submit checks measure in a text: words, sentences, syllables, reading level,
 * phrases, and a Markdown outline. A line-for-line mirror of the server's
 * src/accord/kinds/text_stats.py (the rules are in its docstring and docs/checks.md); both
 * read fixtures/checks.json so that they never drift apart. Strings are walked by code point
 * (as Python does), never by UTF-16 unit.
 */

const TERMINATORS = new Set(".!?…。！？।؟");
const WIDE_TERMINATORS = new Set("。！？");
const CLOSERS = new Set("\"')]}»”’");
const JOINERS = new Set("'’-");
const ABBREVIATIONS = new Set(["mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "vs", "etc", "inc", "ltd", "co", "fig", "approx", "dept", "vol", "al", "cf"]);
const VOWELS = new Set("aeiouy");

const WORD_CHAR = /^[\p{L}\p{M}\p{N}_]$/u;
const DIGIT = /^\p{Nd}$/u;
const SPACE = /^[ \t\n\r\f\v\p{Zs}\p{Zl}\p{Zp}]$/u;
const LETTER = /^\p{L}$/u;

export const isWordChar = (ch: string | undefined): boolean => ch !== undefined && WORD_CHAR.test(ch);
export const isSpace = (ch: string | undefined): boolean => ch !== undefined && SPACE.test(ch);
const isDigit = (ch: string | undefined): boolean => ch !== undefined && DIGIT.test(ch);

/** The words of `text`, in order. */
export function words(text: string): string[] {
  const chars = Array.from(text);
  const found: string[] = [];
  let current: string[] = [];
  const last = chars.length - 1;
  chars.forEach((ch, i) => {
    if (isWordChar(ch)) current.push(ch);
    else if (current.length && i < last && isWordChar(chars[i + 1]) && joins(chars, i)) current.push(ch);
    else if (current.length) {
      found.push(current.join(""));
      current = [];
    }
  });
  if (current.length) found.push(current.join(""));
  return found;
}

function joins(chars: string[], i: number): boolean {
  const ch = chars[i] as string;
  if (JOINERS.has(ch)) return true;
  return (ch === "." || ch === ",") && isDigit(chars[i - 1]) && isDigit(chars[i + 1]);
}

/** How many sentences `text` has (each with at least one word). */
export function sentences(text: string): number {
  const chars = Array.from(text);
  const n = chars.length;
  let count = 0;
  let hasWord = false;
  let word = "";
  let i = 0;
  while (i < n) {
    const ch = chars[i] as string;
    if (isWordChar(ch)) {
      hasWord = true;
      word += ch;
      i++;
      continue;
    }
    if (!TERMINATORS.has(ch)) {
      word = "";
      i++;
      continue;
    }
    let j = i;
    while (j < n && TERMINATORS.has(chars[j] as string)) j++;
    const run = chars.slice(i, j);
    while (j < n && CLOSERS.has(chars[j] as string)) j++;
    let ends = j === n || isSpace(chars[j]) || run.some((c) => WIDE_TERMINATORS.has(c));
    if (ends && run.length === 1 && run[0] === "." && abbreviation(word)) ends = false;
    if (ends && hasWord) {
      count++;
      hasWord = false;
    }
    word = "";
    i = j;
  }
  return hasWord ? count + 1 : count;
}

function abbreviation(word: string): boolean {
  const chars = Array.from(word);
  if (chars.length === 1) return LETTER.test(chars[0] as string);
  return ABBREVIATIONS.has(word.toLowerCase());
}

/** English syllables of one word, by the rule documented in text_stats.py and docs/checks.md. */
export function syllables(word: string): number {
  let w = Array.from(word.toLowerCase())
    .filter((c) => c >= "a" && c <= "z")
    .join("");
  if (w.length <= 3) return 1;
  const third = w[w.length - 3] as string;
  if (w.endsWith("ed") && !"td".includes(third)) w = w.slice(0, -2);
  else if (w.endsWith("es") && !"sxzhc".includes(third)) w = w.slice(0, -2);
  else if (w.endsWith("e") && !(w.endsWith("le") && !VOWELS.has(third))) w = w.slice(0, -1);
  if (w.startsWith("y")) w = w.slice(1);
  let runs = 0;
  let inside = false;
  for (const c of w) {
    const vowel = VOWELS.has(c);
    if (vowel && !inside) runs++;
    inside = vowel;
  }
  return Math.max(1, runs);
}

export interface Stats {
  words: number;
  sentences: number;
  syllables: number;
  /** Flesch reading ease (higher: easier), null without words. */
  ease: number | null;
  /** Flesch-Kincaid grade level, null without words. */
  grade: number | null;
}

export function stats(text: string): Stats {
  const found = words(text);
  const count = found.length;
  const sentenceCount = sentences(text);
  const syllableCount = found.reduce((sum, w) => sum + syllables(w), 0);
  if (count === 0) return { words: 0, sentences: sentenceCount, syllables: syllableCount, ease: null, grade: null };
  const perSentence = count / Math.max(1, sentenceCount);
  return {
    words: count,
    sentences: sentenceCount,
    syllables: syllableCount,
    ease: 206.835 - 1.015 * perSentence - 84.6 * (syllableCount / count),
    grade: 0.39 * perSentence + 11.8 * (syllableCount / count) - 15.59,
  };
}

/** `value` rounded half up to one decimal, written as the server writes it. */
export function oneDecimal(value: number): string {
  let tenths = Math.floor(value * 10 + 0.5);
  const sign = tenths < 0 ? "-" : "";
  tenths = Math.abs(tenths);
  return `${sign}${Math.floor(tenths / 10)}.${tenths % 10}`;
}

/** The code point just before UTF-16 index `at` (undefined at the start). */
function charBefore(text: string, at: number): string | undefined {
  if (at <= 0) return undefined;
  const unit = text.charCodeAt(at - 1);
  if (unit >= 0xdc00 && unit <= 0xdfff && at >= 2) return String.fromCodePoint(text.codePointAt(at - 2) as number);
  return text[at - 1];
}

function charAt(text: string, at: number): string | undefined {
  const code = text.codePointAt(at);
  return code === undefined ? undefined : String.fromCodePoint(code);
}

/** Whether `phrase` occurs in `text` (`wholeWord`: not inside a longer word). */
export function containsPhrase(text: string, phrase: string, ignoreCase: boolean, wholeWord: boolean): boolean {
  const hay = ignoreCase ? text.toLowerCase() : text;
  const needle = ignoreCase ? phrase.toLowerCase() : phrase;
  if (!needle) return true;
  const first = charAt(needle, 0);
  const last = charBefore(needle, needle.length);
  let start = 0;
  for (;;) {
    const at = hay.indexOf(needle, start);
    if (at < 0) return false;
    if (!wholeWord) return true;
    const end = at + needle.length;
    const leftOk = !(isWordChar(first) && isWordChar(charBefore(hay, at)));
    const rightOk = !(isWordChar(last) && isWordChar(charAt(hay, end)));
    if (leftOk && rightOk) return true;
    start = at + 1;
  }
}

export interface CodeBlock {
  language: string;
  line: number;
  code: string;
}
export interface Outline {
  headings: [number, string][];
  blocks: CodeBlock[];
}

const FENCE = /^ {0,3}(`{3,}|~{3,})[ \t]*([^ \t`]*)/;
const HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*$/;
const CLOSING_HASHES = /(?:^|[ \t]+)#+$/;

const stripSpaces = (value: string): string => value.replace(/^[ \t]+|[ \t]+$/g, "");

/** The ATX headings and fenced code blocks of a Markdown text (as the server reads them). */
export function outline(text: string): Outline {
  const headings: [number, string][] = [];
  const blocks: CodeBlock[] = [];
  let fence: { char: string; length: number; language: string; line: number } | null = null;
  let body: string[] = [];
  text.split("\n").forEach((raw, index) => {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (fence) {
      if (closes(line, fence.char, fence.length)) {
        blocks.push({ language: fence.language, line: fence.line, code: body.join("\n") });
        fence = null;
        body = [];
      } else body.push(line);
      return;
    }
    const opened = FENCE.exec(line);
    if (opened && !((opened[1] as string)[0] === "`" && line.slice(opened[0].length).includes("`"))) {
      const marks = opened[1] as string;
      fence = { char: marks[0] as string, length: marks.length, language: (opened[2] as string).toLowerCase(), line: index + 1 };
      return;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      const title = (heading[2] ?? "").replace(CLOSING_HASHES, "");
      headings.push([(heading[1] as string).length, stripSpaces(title).split(/[ \t]+/).join(" ")]);
    }
  });
  if (fence) {
    const open = fence as { language: string; line: number };
    blocks.push({ language: open.language, line: open.line, code: body.join("\n") });
  }
  return { headings, blocks };
}

function closes(line: string, char: string, length: number): boolean {
  const stripped = line.replace(/^ +/, "");
  if (line.length - stripped.length > 3) return false;
  let run = 0;
  while (stripped[run] === char) run++;
  return run >= length && stripSpaces(stripped.slice(run)) === "";
}
