/**
 * Fixing one's own annotation (`ReopenSession`) against a fake server: a reviewed (locked)
 * annotation shows what the review left, refuses every change, and keeps no draft, neither in
 * this browser nor on the server; one still editable keeps the fix as before.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Annotation, Project, TaskDetail } from "../../api";
import type { Timers } from "../../editor/autosave";
import { RuleEngine } from "../../editor/ruleEngine";
import { MemoryStorage } from "../../editor/fixtures/memoryStorage";

const sent: string[] = [];

vi.mock("../../api", async (original) => {
  const real = await original<typeof import("../../api")>();
  return {
    ...real,
    api: {
      queue: {
        saveDraft: (taskId: number) => {
          sent.push(`draft ${taskId}`);
          return Promise.resolve({ result: {}, seconds: 0, updated_at: "2030-01-01T00:00:00Z" });
        },
      },
      annotations: {
        edit: (id: number) => {
          sent.push(`edit ${id}`);
          return Promise.resolve({});
        },
      },
    },
  };
});

const { ReopenSession } = await import("./reopenSession");

class NoTimers implements Timers {
  callbacks: Array<() => void> = [];
  set(callback: () => void): number {
    this.callbacks.push(callback);
    return this.callbacks.length;
  }
  clear(): void {}
  runAll(): void {
    for (const callback of this.callbacks.splice(0)) callback();
  }
}

const project = {
  id: 7,
  name: "p",
  interface: {
    fields: [{ name: "text", kind: "text" }],
    questions: [
      { name: "label", kind: "choice", options: ["pos", "neg"], required: true },
      { name: "note", kind: "text" },
    ],
  },
} as unknown as Project;

const REVIEWED = { label: { choice: "neg" }, note: { text: "as the reviewer fixed it" } };

function annotation(editable: boolean): Annotation {
  return {
    id: 5,
    task_id: 3,
    project_id: 7,
    annotator: "ann@example.org",
    annotator_name: "Ann",
    result: REVIEWED,
    seconds: 10,
    version: 2,
    review_state: editable ? "rejected" : "fixed",
    editable,
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-02T00:00:00Z",
  };
}

const detail: TaskDetail = {
  task: { id: 3, project_id: 7, external_id: "t3", data: { text: "task 3" }, status: "complete", annotations: 1, created_at: "" },
  annotations: [],
  predictions: [],
  // An autosave of an earlier fix, newer than the annotation.
  draft: { result: { label: { choice: "pos" } }, seconds: 4, updated_at: "2026-01-03T00:00:00Z" },
  skips: [],
};

/** A copy of an earlier fix kept in this browser, newer than everything. */
function withLocalDraft(): MemoryStorage {
  const storage = new MemoryStorage();
  storage.setItem("accord.draft.1.3", JSON.stringify({ taskId: 3, result: { label: { choice: "pos" }, note: { text: "local" } }, seconds: 4, savedAt: "2026-01-04T00:00:00Z", syncedAt: null }));
  return storage;
}

beforeEach(() => {
  sent.length = 0;
});

describe("a reviewed annotation", () => {
  it("shows what the review left, refuses every change and keeps no draft anywhere", async () => {
    const storage = withLocalDraft();
    const before = new Map(storage.map);
    const timers = new NoTimers();
    const session = new ReopenSession(project, annotation(false), detail, 1, storage, { timers, delayMs: 10, engine: new RuleEngine(null) });
    session.start();
    const store = session.store;
    expect(session.locked).toBe(true);
    expect(store.result).toEqual(REVIEWED); // not the newer copies of an earlier fix
    expect(store.readOnly).toBe(true);

    store.answer("label", { choice: "pos" });
    store.answer("note", { text: "typed anyway" }, { coalesce: "text:note" });
    store.replace({});
    store.undo();
    store.redo();
    expect(store.result).toEqual(REVIEWED);
    expect(store.getSnapshot()).toMatchObject({ canUndo: false, canRedo: false, revision: 0 });

    expect(await session.save(true)).toBe(false);
    session.leaving(); // the page is hidden or goes away
    session.dispose();
    timers.runAll();
    expect(sent).toEqual([]);
    expect(storage.map).toEqual(before);
  });
});

describe("an annotation still open to fixes", () => {
  it("still starts from the newest copy and keeps the fix in this browser and on the server", () => {
    const storage = withLocalDraft();
    const timers = new NoTimers();
    const session = new ReopenSession(project, annotation(true), detail, 1, storage, { timers, delayMs: 10, engine: new RuleEngine(null) });
    session.start();
    expect(session.locked).toBe(false);
    expect(session.store.result).toEqual({ label: { choice: "pos" }, note: { text: "local" } });
    session.store.answer("label", { choice: "neg" });
    expect(JSON.parse(storage.getItem("accord.draft.1.3") ?? "null")).toMatchObject({ result: { label: { choice: "neg" } } });
    timers.runAll();
    expect(sent).toEqual(["draft 3"]);
    session.dispose();
  });
});
