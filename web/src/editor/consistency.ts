/**
 * Consistency checks across questions, declared at the interface level (`checks:` beside
 * `fields` and `questions`; docs/checks.md): `differ`, `equal`, `required_if`. The mirror of
 * src/accord/kinds/consistency.py, proved on the same cases (fixtures/checks.json).
 */
import type { Json, JsonObject } from "../api/types";
import type { CheckLevel } from "./checks";
import { isSpace } from "./textStats";

export interface ConsistencyCheck {
  kind: "differ" | "equal" | "required_if";
  level: CheckLevel;
  message: string;
  /** differ / equal: the questions compared. */
  questions: string[];
  ignoreCase: boolean;
  /** required_if: `question` must be answered when `when` is. */
  question: string;
  when: string;
}

export interface ConsistencyFailure {
  path: string;
  check: string;
  level: CheckLevel;
  message: string;
}

type Raw = { [key: string]: Json | undefined };

export function parseConsistencyChecks(value: Json | undefined): ConsistencyCheck[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item): ConsistencyCheck[] => {
    if (item === null || typeof item !== "object" || Array.isArray(item)) return [];
    const raw = item as Raw;
    if (raw.kind !== "differ" && raw.kind !== "equal" && raw.kind !== "required_if") return [];
    return [
      {
        kind: raw.kind,
        level: raw.level === "warn" ? "warn" : "block",
        message: typeof raw.message === "string" ? raw.message : "",
        questions: Array.isArray(raw.questions) ? raw.questions.filter((q): q is string => typeof q === "string") : [],
        ignoreCase: raw.ignore_case === true,
        question: typeof raw.question === "string" ? raw.question : "",
        when: typeof raw.when === "string" ? raw.when : "",
      },
    ];
  });
}

/** Each run of spaces made one space, the ends trimmed (as the server compares texts). */
export function collapse(text: string): string {
  let out = "";
  let pending = false;
  for (const ch of text) {
    if (isSpace(ch)) {
      pending = out.length > 0;
      continue;
    }
    if (pending) out += " ";
    pending = false;
    out += ch;
  }
  return out;
}

const isText = (value: Json | undefined): value is { text: string } =>
  value !== null && typeof value === "object" && !Array.isArray(value) && typeof value.text === "string" && Object.keys(value).length === 1;

function equal(a: Json | undefined, b: Json | undefined): boolean {
  if (typeof a === "boolean" || typeof b === "boolean") return a === b;
  if (typeof a === "number" || typeof b === "number") return a === b;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => equal(x, b[i]));
  }
  if (a !== null && b !== null && typeof a === "object" && typeof b === "object") {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => k in b && equal(a[k], b[k]));
  }
  return a === b;
}

export function sameAnswer(a: Json | undefined, b: Json | undefined, ignoreCase: boolean): boolean {
  if (isText(a) && isText(b)) {
    const left = collapse(a.text);
    const right = collapse(b.text);
    return ignoreCase ? left.toLowerCase() === right.toLowerCase() : left === right;
  }
  return equal(a, b);
}

function judge(check: ConsistencyCheck, result: JsonObject, isEmpty: (name: string, value: Json | undefined) => boolean): [string, string] | null {
  if (check.kind === "required_if") {
    if (!isEmpty(check.when, result[check.when]) && isEmpty(check.question, result[check.question])) {
      return [check.question, `required when "${check.when}" is answered`];
    }
    return null;
  }
  const given = check.questions.filter((name) => !isEmpty(name, result[name]));
  for (let j = 0; j < given.length; j++) {
    for (let k = 0; k < j; k++) {
      const name = given[j] as string;
      const other = given[k] as string;
      const same = sameAnswer(result[other], result[name], check.ignoreCase);
      if (check.kind === "differ" && same) return [name, `the same as "${other}"; they must differ`];
      if (check.kind === "equal" && !same) return [name, `differs from "${other}"; they must be the same`];
    }
  }
  return null;
}

/** Every consistency check `result` fails; `isEmpty(question, value)` as each kind's. */
export function consistencyFailures(
  checks: readonly ConsistencyCheck[],
  result: JsonObject,
  isEmpty: (name: string, value: Json | undefined) => boolean,
): ConsistencyFailure[] {
  const out: ConsistencyFailure[] = [];
  for (const check of checks) {
    const found = judge(check, result, isEmpty);
    if (found) out.push({ path: `result.${found[0]}`, check: check.kind, level: check.level, message: check.message || found[1] });
  }
  return out;
}
