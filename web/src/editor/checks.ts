/**
 * Declared submit checks on a text (docs/checks.md), as the browser runs them while the
 * annotator types: the mirror of src/accord/kinds/checks.py, with the same verdicts and the
 * same messages (proved on fixtures/checks.json). `language`, and `markdown` with yaml or
 * python code blocks, need the server: their verdict comes from POST /projects/{id}/checks
 * (`serverChecks.ts`), never from a guess here.
 */
import type { Json } from "../api/types";
import { containsPhrase, oneDecimal, outline, stats } from "./textStats";

export type CheckLevel = "block" | "warn";
interface Base {
  /** Its place in the question's `checks` list (built-in names count). */
  index: number;
  level: CheckLevel;
  message: string;
}
export interface PhrasesCheck extends Base {
  kind: "phrases";
  required: string[];
  forbidden: string[];
  ignoreCase: boolean;
  wholeWord: boolean;
}
export interface CountCheck extends Base {
  kind: "words" | "sentences";
  min: number | null;
  max: number | null;
}
export interface ReadingCheck extends Base {
  kind: "reading";
  minEase: number | null;
  maxEase: number | null;
  minGrade: number | null;
  maxGrade: number | null;
}
export interface MarkdownCheck extends Base {
  kind: "markdown";
  headings: string[];
  code: string[];
}
export interface LanguageCheck extends Base {
  kind: "language";
  expected: string[];
}
export type DeclaredCheck = PhrasesCheck | CountCheck | ReadingCheck | MarkdownCheck | LanguageCheck;

export interface CheckVerdict {
  check: string;
  index: number;
  level: CheckLevel;
  ok: boolean;
  message: string;
}

type Raw = { [key: string]: Json | undefined };
const CODE_LANGUAGES: Record<string, string> = { json: "json", yaml: "yaml", yml: "yaml", python: "python", py: "python" };

const numOrNull = (raw: Raw, key: string): number | null => (typeof raw[key] === "number" ? (raw[key] as number) : null);
const strList = (value: Json | undefined): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : []);
const flag = (raw: Raw, key: string, fallback: boolean): boolean => (typeof raw[key] === "boolean" ? (raw[key] as boolean) : fallback);

/** The declared (object) checks of a question's `checks`, with the server's defaults. */
export function parseDeclaredChecks(value: Json | undefined): DeclaredCheck[] {
  if (!Array.isArray(value)) return [];
  const out: DeclaredCheck[] = [];
  value.forEach((item, index) => {
    if (item === null || typeof item !== "object" || Array.isArray(item)) return;
    const raw = item as Raw;
    const base: Base = { index, level: raw.level === "warn" ? "warn" : "block", message: typeof raw.message === "string" ? raw.message : "" };
    switch (raw.kind) {
      case "phrases":
        out.push({ ...base, kind: "phrases", required: strList(raw.required), forbidden: strList(raw.forbidden), ignoreCase: flag(raw, "ignore_case", true), wholeWord: flag(raw, "whole_word", true) });
        break;
      case "words":
      case "sentences":
        out.push({ ...base, kind: raw.kind, min: numOrNull(raw, "min"), max: numOrNull(raw, "max") });
        break;
      case "reading":
        out.push({ ...base, kind: "reading", minEase: numOrNull(raw, "min_ease"), maxEase: numOrNull(raw, "max_ease"), minGrade: numOrNull(raw, "min_grade"), maxGrade: numOrNull(raw, "max_grade") });
        break;
      case "markdown":
        out.push({ ...base, kind: "markdown", headings: strList(raw.headings), code: strList(raw.code).map((c) => CODE_LANGUAGES[c.toLowerCase()] ?? c) });
        break;
      case "language":
        out.push({ ...base, kind: "language", expected: strList(raw.expected) });
        break;
      default:
        break;
    }
  });
  return out;
}

/** Only the server can give this check's verdict (language detection, YAML/Python parsing). */
export function needsServer(check: DeclaredCheck): boolean {
  return check.kind === "language" || (check.kind === "markdown" && check.code.some((c) => c !== "json"));
}

const quoted = (items: string[]): string => `${items.length === 1 ? "phrase" : "phrases"} ${items.map((p) => `"${p}"`).join(", ")}`;
/** A bound as the server writes it. */
const bound = (value: number): string => String(value);

function counted(check: CountCheck, count: number, unit: string): [boolean, string] {
  const said = `${count} ${unit}${count === 1 ? "" : "s"}`;
  if (check.min !== null && count < check.min) return [false, `${said}; write at least ${check.min}`];
  if (check.max !== null && count > check.max) return [false, `${said}; write at most ${check.max}`];
  return [true, said];
}

function reading(check: ReadingCheck, text: string): [boolean, string] {
  const { ease, grade } = stats(text);
  if (ease === null || grade === null) return [true, "no words to measure"];
  const said = `reading ease ${oneDecimal(ease)}, grade ${oneDecimal(grade)}`;
  if (check.minEase !== null && ease < check.minEase) return [false, `${said}; make it easier to read (ease at least ${bound(check.minEase)})`];
  if (check.maxEase !== null && ease > check.maxEase) return [false, `${said}; ease must be at most ${bound(check.maxEase)}`];
  if (check.minGrade !== null && grade < check.minGrade) return [false, `${said}; grade must be at least ${bound(check.minGrade)}`];
  if (check.maxGrade !== null && grade > check.maxGrade) return [false, `${said}; make it simpler (grade at most ${bound(check.maxGrade)})`];
  return [true, said];
}

/** (level, title) of a required heading: "## Steps" is [2, "Steps"], "Steps" [0, "Steps"]. */
export function headingWanted(wanted: string): [number, string] {
  const stripped = wanted.replace(/^[ \t]+|[ \t]+$/g, "");
  const hashes = stripped.length - stripped.replace(/^#+/, "").length;
  const collapse = (s: string): string => s.split(/\s+/).filter(Boolean).join(" ");
  const next = stripped.slice(hashes, hashes + 1);
  if (hashes >= 1 && hashes <= 6 && (next === " " || next === "\t")) return [hashes, collapse(stripped.slice(hashes))];
  return [0, collapse(stripped)];
}

function markdown(check: MarkdownCheck, text: string): [boolean, string] {
  const found = outline(text);
  const have = new Set(found.headings.map(([level, title]) => `${level} ${title.toLowerCase()}`));
  const titles = new Set(found.headings.map(([, title]) => title.toLowerCase()));
  for (const wanted of check.headings) {
    const [level, title] = headingWanted(wanted);
    const ok = level ? have.has(`${level} ${title.toLowerCase()}`) : titles.has(title.toLowerCase());
    if (!ok) return [false, `missing the heading "${wanted}"`];
  }
  for (const block of found.blocks) {
    const language = CODE_LANGUAGES[block.language];
    if (language !== "json" || !check.code.includes("json")) continue; // yaml, python: the server's
    try {
      JSON.parse(block.code);
    } catch {
      return [false, `the json code block on line ${block.line} does not parse`];
    }
  }
  return [true, "structure fits"];
}

function phrases(check: PhrasesCheck, text: string): [boolean, string] {
  const has = (phrase: string): boolean => containsPhrase(text, phrase, check.ignoreCase, check.wholeWord);
  const missing = check.required.filter((p) => !has(p));
  if (missing.length) return [false, `missing the required ${quoted(missing)}`];
  const found = check.forbidden.filter((p) => has(p));
  if (found.length) return [false, `contains the forbidden ${quoted(found)}`];
  return [true, "phrases fit"];
}

/** This check's verdict on `text`, or null when only the server can say (`needsServer`). */
export function judge(check: DeclaredCheck, text: string): CheckVerdict | null {
  if (needsServer(check)) return null;
  let said: [boolean, string];
  switch (check.kind) {
    case "phrases":
      said = phrases(check, text);
      break;
    case "words":
      said = counted(check, stats(text).words, "word");
      break;
    case "sentences":
      said = counted(check, stats(text).sentences, "sentence");
      break;
    case "reading":
      said = reading(check, text);
      break;
    case "markdown":
      said = markdown(check, text);
      break;
    default:
      return null;
  }
  const [ok, message] = said;
  return { check: check.kind, index: check.index, level: check.level, ok, message: ok || !check.message ? message : check.message };
}

/** A failed block-level verdict as the server words the problem. */
export const problemOf = (verdict: CheckVerdict): string => `${verdict.check} check: ${verdict.message}`;
