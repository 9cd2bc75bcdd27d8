/**
 * The interface editor's logic, kept apart from rendering: read the YAML/JSON text, check
 * what can be checked in the browser, and find the line a problem's path points at (the
 * server's `questions[2].max`, or the parser's own position). JSON is read as YAML (it is
 * YAML 1.2), so both are one code path. The server stays the judge: it checks everything on save.
 */
import { Document, isCollection, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, stringify, type Node as YamlNode } from "yaml";
import type { Json, JsonObject } from "../../api/types";

/** One problem in the text: where (a path, a line when known) and what. */
export interface TextProblem {
  path: string;
  message: string;
  /** 1-based line of the text, when it could be found. */
  line: number | null;
  /** Who found it: the browser's check, or the server's answer. */
  source: "browser" | "server";
}

export interface ReadInterface {
  /** The parsed value, or null when the text is not valid YAML/JSON at all. */
  value: JsonObject | null;
  problems: TextProblem[];
}

/** Read YAML as the server does (PyYAML: YAML 1.1, where yes/no/on/off are true/false). */
const YAML_OPTIONS = { version: "1.1" } as const;

const FIELD_KINDS = ["text", "markdown", "text_list", "chat"];
const QUESTION_KINDS = ["choice", "rating", "text", "spans", "pairwise", "ranking", "rubric", "turns"];
const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const RESERVED = new Set(["id", "predictions", "priority"]);

/** Parse the text; syntax errors come back with their line, shape problems with their path. */
export function readInterface(text: string): ReadInterface {
  if (!text.trim()) {
    return { value: null, problems: [{ path: "", message: "the interface is empty: declare at least one field", line: 1, source: "browser" }] };
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { ...YAML_OPTIONS, lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length) {
    return {
      value: null,
      problems: doc.errors.map((error) => {
        const line = error.linePos?.[0]?.line ?? lines.linePos(error.pos[0]).line;
        return { path: `line ${line}`, message: firstLine(error.message), line, source: "browser" as const };
      }),
    };
  }
  const value = doc.toJS({ maxAliasCount: 100 }) as unknown;
  if (!isObject(value)) {
    return { value: null, problems: [{ path: "", message: "expected a mapping with `fields` and `questions`", line: 1, source: "browser" }] };
  }
  const problems = checkShape(value).map((p) => ({ ...p, line: lineOfPath(text, p.path), source: "browser" as const }));
  return { value, problems };
}

function firstLine(message: string): string {
  return (message.split("\n")[0] ?? message).replace(/ at line \d+, column \d+:?$/, "");
}

const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

interface PathProblem {
  path: string;
  message: string;
}

/** What the browser can see is wrong before asking the server (the common mistakes). */
export function checkShape(value: JsonObject): PathProblem[] {
  const out: PathProblem[] = [];
  for (const key of Object.keys(value)) {
    if (key !== "fields" && key !== "questions") out.push({ path: key, message: "unknown key: an interface has only `fields` and `questions`" });
  }
  const fields = value.fields;
  if (!Array.isArray(fields) || fields.length === 0) {
    out.push({ path: "fields", message: "declare at least one field (a list of {name, kind})" });
  }
  const questions = value.questions ?? [];
  if (!Array.isArray(questions)) out.push({ path: "questions", message: "expected a list of {name, kind}" });
  const fieldKinds = new Map<string, string>();
  const names = new Set<string>();
  const items: [string, Json[], string[]][] = [
    ["fields", Array.isArray(fields) ? fields : [], FIELD_KINDS],
    ["questions", Array.isArray(questions) ? questions : [], QUESTION_KINDS],
  ];
  for (const [list, entries, kinds] of items) {
    entries.forEach((entry, i) => {
      const at = `${list}[${i}]`;
      if (!isObject(entry)) {
        out.push({ path: at, message: "expected a mapping such as {name: ..., kind: ...}" });
        return;
      }
      const name = entry.name;
      if (typeof name !== "string" || !NAME.test(name)) {
        out.push({ path: `${at}.name`, message: "a name is 1–64 letters, digits or _, not starting with a digit" });
      } else if (names.has(name)) {
        out.push({ path: `${at}.name`, message: `${JSON.stringify(name)} is used twice (names are unique across fields and questions)` });
      } else {
        names.add(name);
        if (list === "fields" && RESERVED.has(name)) out.push({ path: `${at}.name`, message: `${JSON.stringify(name)} is reserved for import rows` });
      }
      const kind = entry.kind;
      if (typeof kind !== "string" || !kinds.includes(kind)) {
        out.push({ path: `${at}.kind`, message: `expected one of ${kinds.join(", ")}` });
        return;
      }
      if (list === "fields" && typeof name === "string") fieldKinds.set(name, kind);
    });
  }
  (Array.isArray(questions) ? questions : []).forEach((entry, i) => {
    if (isObject(entry)) out.push(...checkQuestion(entry, `questions[${i}]`, fieldKinds));
  });
  return out;
}

const TARGETS: Record<string, { kinds: string[]; required: boolean }> = {
  spans: { kinds: ["text"], required: true },
  turns: { kinds: ["chat"], required: true },
  pairwise: { kinds: ["text_list"], required: false },
  ranking: { kinds: ["text_list"], required: false },
  rubric: { kinds: ["text", "markdown", "text_list", "chat"], required: false },
};

function checkQuestion(entry: JsonObject, at: string, fieldKinds: Map<string, string>): PathProblem[] {
  const out: PathProblem[] = [];
  const kind = String(entry.kind);
  const needsList = (key: string, what: string): void => {
    const list = entry[key];
    if (!Array.isArray(list) || list.length === 0) out.push({ path: `${at}.${key}`, message: `a ${kind} question needs ${what}` });
  };
  if (kind === "choice") needsList("options", "options (a list)");
  if (kind === "spans") needsList("labels", "labels (a list)");
  for (const key of ["options", "labels"]) {
    const list = entry[key];
    if (!Array.isArray(list)) continue;
    list.forEach((option, j) => {
      if (typeof option === "boolean") {
        out.push({ path: `${at}.${key}[${j}]`, message: `YAML reads this as ${option}: put it in quotes (e.g. "yes", "no")` });
      } else if (typeof option === "number") {
        out.push({ path: `${at}.${key}[${j}]`, message: `expected text: put ${option} in quotes` });
      }
    });
  }
  if (kind === "rubric") needsList("criteria", "criteria (a list)");
  if (kind === "ranking" && (entry.target === undefined) === (entry.options === undefined)) {
    out.push({ path: at, message: "a ranking question needs exactly one of `target` and `options`" });
  }
  if (kind === "turns" && (entry.labels === undefined) === (entry.rating === undefined)) {
    out.push({ path: at, message: "a turns question needs exactly one of `labels` and `rating`" });
  }
  const rule = TARGETS[kind];
  if (rule) {
    const target = entry.target;
    if (target === undefined || target === null) {
      if (rule.required) out.push({ path: `${at}.target`, message: `a ${kind} question needs a target: a field of kind ${rule.kinds.join(" or ")}` });
    } else {
      const fieldKind = typeof target === "string" ? fieldKinds.get(target) : undefined;
      if (fieldKind === undefined) out.push({ path: `${at}.target`, message: `no field named ${JSON.stringify(target)}` });
      else if (!rule.kinds.includes(fieldKind)) {
        out.push({ path: `${at}.target`, message: `${JSON.stringify(target)} is a ${fieldKind} field; a ${kind} question targets ${rule.kinds.join(" or ")}` });
      }
    }
  }
  return out;
}

/** `questions[2].criteria[1].max` → `["questions", 2, "criteria", 1, "max"]`. */
export function splitPath(path: string): (string | number)[] {
  const parts: (string | number)[] = [];
  for (const match of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (match[2] !== undefined) parts.push(Number(match[2]));
    else if (match[1] !== undefined) parts.push(match[1]);
  }
  return parts;
}

/**
 * The 1-based line a problem's path points at: "line 3, column 1" as is; else the node at
 * the path, or its nearest parent that exists (a missing key points at its mapping).
 */
export function lineOfPath(text: string, path: string): number | null {
  const direct = /^line (\d+)/.exec(path);
  if (direct) return Number(direct[1]);
  if (!path) return null;
  const lines = new LineCounter();
  const doc = parseDocument(text, { ...YAML_OPTIONS, lineCounter: lines });
  if (doc.errors.length) return null;
  let node: unknown = doc.contents;
  let keyLine: number | null = null;
  for (const part of splitPath(path)) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(part));
      if (!pair) break;
      keyLine = isScalar(pair.key) && pair.key.range ? lines.linePos(pair.key.range[0]).line : null;
      node = pair.value;
    } else if (isSeq(node) && typeof part === "number") {
      const item = node.items[part];
      if (item === undefined) break;
      keyLine = null;
      node = item;
    } else {
      break;
    }
  }
  if (keyLine !== null) return keyLine;
  const range = (node as YamlNode | null)?.range;
  return range ? lines.linePos(range[0]).line : null;
}

const FLOW_WIDTH = 88;

/** The stored interface as YAML for the editor: short items on one line, like the docs. */
export function interfaceToYaml(value: JsonObject): string {
  const doc = new Document(shortOptions(value), YAML_OPTIONS);
  for (const list of ["fields", "questions"]) {
    const items = doc.get(list, true);
    if (isSeq(items)) for (const item of items.items) flowIfShort(item, 4);
  }
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

/** Options stored as `{value: x}` alone are written `x`, as people write them. */
function shortOptions(value: JsonObject): JsonObject {
  const questions = Array.isArray(value.questions) ? value.questions : [];
  return {
    ...value,
    questions: questions.map((question) => {
      if (!isObject(question)) return question;
      const out: JsonObject = { ...question };
      for (const key of ["options", "labels"]) {
        const list = out[key];
        if (Array.isArray(list)) {
          out[key] = list.map((option) =>
            isObject(option) && Object.keys(option).length === 1 && typeof option.value === "string" ? option.value : option,
          );
        }
      }
      return out;
    }),
  };
}

/** Write `node` in flow style (`{a: 1}`, `[x, y]`) when that fits on a line; else try its parts. */
function flowIfShort(node: unknown, indent: number): void {
  if (!isCollection(node)) return;
  if (stringify(node.toJSON(), { collectionStyle: "flow", lineWidth: 0, flowCollectionPadding: false }).trim().length + indent <= FLOW_WIDTH) {
    node.flow = true;
    return;
  }
  for (const item of node.items) flowIfShort(isPair(item) ? item.value : item, indent + 2);
}

/**
 * Data to preview the interface on: the sample task's values where they fit, and
 * placeholders for the fields it lacks (or when the project has no task yet).
 */
export function previewData(value: JsonObject, sample: JsonObject | null): JsonObject {
  const data: JsonObject = {};
  const fields = Array.isArray(value.fields) ? value.fields : [];
  for (const field of fields) {
    if (!isObject(field) || typeof field.name !== "string") continue;
    const kind = String(field.kind);
    const given = sample?.[field.name];
    data[field.name] = given !== undefined && fits(kind, given) ? given : placeholder(kind, field.name);
  }
  return data;
}

function fits(kind: string, value: Json): boolean {
  if (kind === "text" || kind === "markdown") return typeof value === "string";
  if (kind === "text_list") return Array.isArray(value) && value.every((v) => typeof v === "string");
  if (kind === "chat") return Array.isArray(value) && value.every((turn) => isObject(turn) && typeof turn.role === "string" && typeof turn.content === "string");
  return true;
}

function placeholder(kind: string, name: string): Json {
  switch (kind) {
    case "markdown":
      return `**${name}**: sample *markdown* text, with a [link](https://example.org).`;
    case "text_list":
      return [`First sample item of “${name}”.`, `Second sample item of “${name}”, a little longer.`];
    case "chat":
      return [
        { role: "user", content: `A sample question in “${name}”.` },
        { role: "assistant", content: "A sample answer." },
      ];
    default:
      return `Sample text for “${name}”: Alice met Bob in Paris to talk about the new kettle.`;
  }
}
