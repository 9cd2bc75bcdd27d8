/**
 * The live checks of a `text` question, mirroring the server (src/accord/kinds/questions/text.py)
 * in the same order: length in code points, the built-in checks, then the rules. Rules are
 * Python regular expressions; `toJsRegExp` converts the common syntax and returns null for a
 * pattern JavaScript cannot express, which is then left to the server's verdict on submit.
 * A project's pattern may backtrack for ever on some texts (`(a+)+$`), so the rules are run
 * by `ruleEngine.ts` in a worker with a time budget, never here.
 */
import type { TextQuestionSpec, TextRule } from "./interface";

const FILLER_WORDS = new Set(["todo", "tbd", "tba", "n/a", "na", "xxx", "asdf", "test", "fixme", "placeholder"]);

/** Code points, as Python's len(). */
export function codePointLength(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}

export function isFiller(text: string): boolean {
  const words = text.toLowerCase().match(/[\p{L}\p{N}_/]+/gu) ?? [];
  if (words.length === 0) return true;
  if (words[0] === "lorem" && words[1] === "ipsum") return true;
  return words.every((word) => FILLER_WORDS.has(word) || /^x{2,}$/.test(word));
}

export const CHECKS: Record<string, (text: string) => string | null> = {
  no_placeholder: (text) => (isFiller(text) ? "looks like placeholder text; write a real answer" : null),
  trimmed: (text) => (text !== text.trim() ? "starts or ends with spaces or blank lines; remove them" : null),
};

const WORD = "\\p{L}\\p{N}_";
const SYNTAX = new Set("^$\\.*+?()[]{}|/".split(""));

/**
 * A Python `re` pattern as a JavaScript RegExp with the `u` flag, or null when it uses
 * syntax that has no faithful JavaScript form (inline flags mid-pattern, possessive
 * quantifiers, conditionals...). `\w`, `\d` and `\b` are made Unicode-aware like Python's.
 */
export function toJsRegExp(pattern: string): RegExp | null {
  let flags = "u";
  let source = pattern;
  const lead = /^\(\?([aiLmsux]+)\)/.exec(source);
  if (lead) {
    const given = lead[1] as string;
    if (/[aLx]/.test(given)) return null;
    if (given.includes("i")) flags += "i";
    if (given.includes("m")) flags += "m";
    if (given.includes("s")) flags += "s";
    source = source.slice(lead[0].length);
  }
  let out = "";
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i] as string;
    if (ch === "\\") {
      const next = source[i + 1];
      if (next === undefined) return null;
      i++;
      out += escape(next, inClass, flags.includes("m"));
      if (out.includes("\u0000unsupported")) return null;
      continue;
    }
    if (inClass) {
      if (ch === "]") inClass = false;
      if (ch === "[") out += "\\[";
      else out += ch;
      continue;
    }
    if (ch === "[") {
      inClass = true;
      out += ch;
      if (source[i + 1] === "^") out += source[++i];
      if (source[i + 1] === "]") {
        out += "\\]";
        i++;
      }
      continue;
    }
    if (ch === "(" && source[i + 1] === "?") {
      const rest = source.slice(i + 2);
      if (rest.startsWith("P<")) {
        out += "(?<";
        i += 3;
        continue;
      }
      if (rest.startsWith("P=")) {
        const close = rest.indexOf(")");
        if (close < 0) return null;
        out += `\\k<${rest.slice(2, close)}>`;
        i += 2 + close;
        continue;
      }
      if (/^(?:[:=!]|<[=!]|<[A-Za-z_])/.test(rest)) {
        out += ch;
        continue;
      }
      return null; // inline flags, comments, conditionals
    }
    if ((ch === "+" || ch === "*" || ch === "?" || ch === "}") && source[i + 1] === "+") return null; // possessive
    if (ch === "{" && !/^\{\d*(?:,\d*)?\}/.test(source.slice(i))) {
      out += "\\{";
      continue;
    }
    if (ch === "$" && !flags.includes("m")) {
      out += "(?=\\n?(?![\\s\\S]))"; // Python's $: the end, or before a final newline
      continue;
    }
    if (ch === "}" && !/\{\d*(?:,\d*)?$/.test(out)) {
      out += "\\}";
      continue;
    }
    out += ch;
  }
  try {
    return new RegExp(out, flags);
  } catch {
    return null;
  }
}

function escape(ch: string, inClass: boolean, multiline: boolean): string {
  switch (ch) {
    case "w":
      return inClass ? WORD : `[${WORD}]`;
    case "W":
      return inClass ? "\u0000unsupported" : `[^${WORD}]`;
    case "d":
      return inClass ? "\\p{Nd}" : "\\p{Nd}";
    case "D":
      return inClass ? "\u0000unsupported" : "\\P{Nd}";
    case "b":
      return inClass ? "\\x08" : `(?:(?<=[${WORD}])(?![${WORD}])|(?<![${WORD}])(?=[${WORD}]))`;
    case "B":
      return `(?:(?<=[${WORD}])(?=[${WORD}])|(?<![${WORD}])(?![${WORD}]))`;
    case "A":
      return multiline ? "(?<![\\s\\S])" : "^";
    case "Z":
      return multiline ? "(?![\\s\\S])" : "$";
    case "s":
    case "S":
    case "n":
    case "t":
    case "r":
    case "f":
    case "v":
    case "x":
    case "u":
    case "0":
      return `\\${ch}`;
    default:
      if (/[1-9]/.test(ch)) return `\\${ch}`;
      if (/[A-Za-z]/.test(ch)) return "\u0000unsupported";
      if (SYNTAX.has(ch) || ch === "-") return `\\${ch}`;
      return ch;
  }
}

export interface RuleCheck {
  rule: TextRule;
  regexp: RegExp | null;
}

/** Compile the question's rules once (compiling is cheap and safe; running them is not). */
export function compileRules(rules: readonly TextRule[]): RuleCheck[] {
  return rules.map((rule) => ({ rule, regexp: toJsRegExp(rule.pattern) }));
}

/**
 * What the browser knows of one rule on one text: it holds (`pass`), it is broken (`fail`),
 * it is being checked (`pending`), or only the server will say (`server`: JavaScript cannot
 * express the pattern, or it ran over its time budget). Rules never run on the page's own
 * thread: see `ruleEngine.ts`.
 */
export type RuleStatus = "pass" | "fail" | "pending" | "server";

/** The message for a broken rule: the project's, else the server's default wording. */
export function ruleMessage(rule: TextRule): string {
  if (rule.message) return rule.message;
  const pattern = pythonRepr(rule.pattern);
  return rule.mustMatch ? `does not match the required pattern ${pattern}` : `matches the forbidden pattern ${pattern}`;
}

const REPR_ESCAPES: Record<string, string> = { "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/** A string as Python's repr() writes it (the server's `{pattern!r}`): quoted, backslashes doubled. */
export function pythonRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = "";
  for (const ch of text) {
    const code = ch.codePointAt(0) as number;
    if (REPR_ESCAPES[ch]) out += REPR_ESCAPES[ch];
    else if (ch === quote) out += `\\${ch}`;
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return `${quote}${out}${quote}`;
}

/**
 * The first reason the server would refuse `text` that the browser knows of, or null. An
 * empty text is not checked (the server skips empty answers) unless the question is required.
 * Rules count only where `status` says they are broken.
 */
export function textProblem(
  question: TextQuestionSpec,
  rules: readonly RuleCheck[],
  text: string,
  status: (check: RuleCheck) => RuleStatus,
): string | null {
  if (text === "") return question.required ? "required; answer it" : null;
  return ruleProblem(question, rules, text, status);
}

/**
 * The first reason the server's text check refuses `text`, an empty one included (a
 * transcript segment's text is checked even when empty: kinds/questions/transcript.py):
 * length, the built-in checks, then the block-level rules `status` says are broken.
 */
export function ruleProblem(
  question: Pick<TextQuestionSpec, "minLength" | "maxLength" | "checks">,
  rules: readonly RuleCheck[],
  text: string,
  status: (check: RuleCheck) => RuleStatus,
): string | null {
  const length = codePointLength(text);
  if (length < question.minLength) return `${length} characters; write at least ${question.minLength}`;
  if (question.maxLength !== null && length > question.maxLength) {
    return `${length} characters; write at most ${question.maxLength}`;
  }
  for (const name of question.checks) {
    const message = CHECKS[name]?.(text) ?? null;
    if (message) return message;
  }
  for (const check of rules) {
    if (check.rule.level !== "warn" && status(check) === "fail") return ruleMessage(check.rule);
  }
  return null;
}
