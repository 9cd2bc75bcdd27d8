import { describe, expect, it } from "vitest";
import { EditorStore } from "./store";
import { parseInterface } from "./interface";
import { isEmptyAnswer, localProblems, compileTextRules, questionOfPath } from "./answers";
import { RuleEngine } from "./ruleEngine";

const iface = parseInterface({
  fields: [{ name: "review", kind: "text" }],
  questions: [
    { name: "sentiment", kind: "choice", options: [{ value: "pos" }, { value: "neg" }], required: true },
    { name: "why", kind: "text", min_length: 10, checks: ["no_placeholder"] },
    { name: "entities", kind: "spans", target: "review", labels: [{ value: "PER" }] },
  ],
});

describe("EditorStore", () => {
  it("records each answer as one undo step", () => {
    const store = new EditorStore(iface, { review: "Alice" });
    const seen: unknown[] = [];
    store.onResultChange((result) => seen.push(result));
    store.answer("sentiment", { choice: "pos" });
    store.answer("sentiment", { choice: "neg" });
    expect(store.result).toEqual({ sentiment: { choice: "neg" } });
    store.undo();
    expect(store.result).toEqual({ sentiment: { choice: "pos" } });
    store.redo();
    expect(store.result).toEqual({ sentiment: { choice: "neg" } });
    store.answer("sentiment", undefined);
    expect(store.result).toEqual({});
    expect(seen).toHaveLength(5);
  });

  it("merges typing and seals it when the focus moves", () => {
    const store = new EditorStore(iface, {});
    store.answer("why", { text: "a" }, { coalesce: "text:why", now: 0 });
    store.answer("why", { text: "ab" }, { coalesce: "text:why", now: 100 });
    store.focus("sentiment");
    store.answer("why", { text: "abc" }, { coalesce: "text:why", now: 200 });
    store.undo();
    expect(store.result).toEqual({ why: { text: "ab" } });
    store.undo();
    expect(store.result).toEqual({});
  });

  it("moves the focus with wrapping", () => {
    const store = new EditorStore(iface, {});
    expect(store.getSnapshot().active).toBe("sentiment");
    expect(store.focusBy(1)).toBe("why");
    expect(store.focusBy(2)).toBe("sentiment");
    expect(store.focusBy(-1)).toBe("entities");
  });

  it("refuses every change of the result once locked, undo and redo included", () => {
    const store = new EditorStore(iface, { review: "Alice" }, { sentiment: { choice: "pos" } });
    const seen: unknown[] = [];
    store.onResultChange((result) => seen.push(result));
    store.answer("sentiment", { choice: "neg" });
    store.answer("why", { text: "an edit before the lock" });
    store.undo();
    expect(store.getSnapshot()).toMatchObject({ canUndo: true, canRedo: true, readOnly: false });
    seen.length = 0;
    const before = store.getSnapshot();

    store.lock();
    const locked = store.getSnapshot();
    expect(locked).toMatchObject({ readOnly: true, canUndo: false, canRedo: false, revision: before.revision });
    expect(store.readOnly).toBe(true);
    store.answer("sentiment", { choice: "pos" });
    store.answer("why", { text: "typed while locked" }, { coalesce: "text:why" });
    store.answer("sentiment", undefined);
    store.replace({});
    expect(store.undo()).toBe(false);
    expect(store.redo()).toBe(false);
    expect(store.result).toEqual({ sentiment: { choice: "neg" } });
    expect(store.getSnapshot().revision).toBe(before.revision);
    expect(seen).toEqual([]); // no draft is written: nothing tells the keeper of a change
    // Focus still moves (reading the questions one by one).
    expect(store.focusBy(1)).toBe("entities");
    expect(store.getSnapshot()).toMatchObject({ readOnly: true, canUndo: false, canRedo: false });
  });

  it("keeps server problems until their question is edited, and focuses the first", () => {
    const store = new EditorStore(iface, {});
    store.focus("entities");
    store.setServerProblems([
      { path: "result.why.text", message: "too short" },
      { path: "result.sentiment", message: "required; answer it" },
    ]);
    expect(store.getSnapshot().active).toBe("why");
    expect(store.problemsOf("why")).toHaveLength(1);
    store.answer("why", { text: "long enough now" });
    expect(store.problemsOf("why")).toHaveLength(0);
    expect(store.problemsOf("sentiment")).toHaveLength(1);
  });
});

describe("answers", () => {
  it("knows each kind's empty answer", () => {
    const [choice, text, spans] = iface.questions;
    if (!choice || !text || !spans) throw new Error("interface");
    expect(isEmptyAnswer(choice, { choices: [] })).toBe(true);
    expect(isEmptyAnswer(choice, { choice: "pos" })).toBe(false);
    expect(isEmptyAnswer(text, { text: "" })).toBe(true);
    expect(isEmptyAnswer(spans, { spans: [] })).toBe(true);
    expect(isEmptyAnswer(spans, undefined)).toBe(true);
  });

  it("finds required and text problems before the server does", () => {
    const rules = compileTextRules(iface);
    const engine = new RuleEngine(null);
    expect(localProblems(iface, { why: { text: "todo" } }, {}, rules, engine)).toEqual([
      { path: "result.sentiment", message: "required; answer it" },
      { path: "result.why.text", message: "4 characters; write at least 10" },
    ]);
    expect(localProblems(iface, { sentiment: { choice: "pos" }, why: { text: "" } }, {}, rules, engine)).toEqual([]);
  });

  it("reads the question from a problem path", () => {
    expect(questionOfPath("result.why.text")).toBe("why");
    expect(questionOfPath("result.entities.spans[3].end")).toBe("entities");
    expect(questionOfPath("seconds")).toBeNull();
  });
});

describe("parseInterface", () => {
  it("fills the server's defaults", () => {
    const parsed = parseInterface({
      fields: [{ name: "chat", kind: "chat" }, { name: "r", kind: "text_list" }],
      questions: [
        { name: "q", kind: "rating" },
        { name: "p", kind: "pairwise", target: "r" },
        { name: "t", kind: "turns", target: "chat", labels: ["ok", { value: "bad", label: "Bad" }] },
        { name: "x", kind: "lidar_cuboids" },
      ],
    });
    expect(parsed.questions[0]).toMatchObject({ min: 1, max: 5, step: 1, style: "stars", required: false });
    expect(parsed.questions[1]).toMatchObject({ allowTie: true, maxStrength: 3, strengthRequired: false });
    expect(parsed.questions[2]).toMatchObject({
      roles: ["assistant"],
      labels: [
        { value: "ok", label: "", hint: "" },
        { value: "bad", label: "Bad", hint: "" },
      ],
      multiple: false,
    });
    expect(parsed.questions[3]).toMatchObject({ kind: "unknown", declared: "lidar_cuboids" });
    expect(parsed.fields[0]).toMatchObject({ kind: "chat", roles: null });
  });
});
