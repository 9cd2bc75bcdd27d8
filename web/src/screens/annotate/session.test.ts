/**
 * The annotate loop against a fake server: an autosave on its way when the person submits
 * (or moves to another task), the double Ctrl+Enter, model suggestions.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Draft, Lease, Prediction, Project, Task } from "../../api";
import type { Timers } from "../../editor/autosave";
import { RuleEngine } from "../../editor/ruleEngine";
import { MemoryStorage } from "../../editor/fixtures/memoryStorage";

interface Call {
  what: "draft" | "submit" | "skip" | "next";
  taskId: number;
  body?: unknown;
  done: (value: unknown) => void;
}

const calls: Call[] = [];
const log: string[] = [];

function deferred(what: Call["what"], taskId: number, body?: unknown): Promise<never> {
  log.push(`${what} ${taskId} sent`);
  return new Promise((resolve) => {
    calls.push({
      what,
      taskId,
      body,
      done: (value) => {
        log.push(`${what} ${taskId} answered`);
        resolve(value as never);
      },
    });
  });
}

vi.mock("../../api", async (original) => {
  const real = await original<typeof import("../../api")>();
  return {
    ...real,
    api: {
      queue: {
        next: (projectId: number) => deferred("next", projectId),
        saveDraft: (taskId: number, result: unknown) => deferred("draft", taskId, result),
        submit: (taskId: number, result: unknown) => deferred("submit", taskId, result),
        skip: (taskId: number) => deferred("skip", taskId),
      },
    },
  };
});

const { AnnotateSession, FRESH_TASK_MS } = await import("./session");

class ManualTimers implements Timers {
  private queue = new Map<number, { at: number; callback: () => void }>();
  private id = 0;
  now = 0;
  set(callback: () => void, ms: number): number {
    this.queue.set(++this.id, { at: this.now + ms, callback });
    return this.id;
  }
  clear(handle: number): void {
    this.queue.delete(handle);
  }
  advance(ms: number): void {
    this.now += ms;
    for (const [id, timer] of [...this.queue].sort((a, b) => a[1].at - b[1].at)) {
      if (timer.at <= this.now && this.queue.has(id)) {
        this.queue.delete(id);
        timer.callback();
      }
    }
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

const task = (id: number): Task => ({ id, project_id: 7, external_id: `t${id}`, data: { text: `task ${id}` }, status: "new", annotations: 0, created_at: "" });
const lease = (id: number, extra: Partial<Lease> = {}): Lease => ({ task: task(id), draft: null, lease_expires_at: null, predictions: [], ...extra });
const draftAt = (updated_at: string): Draft => ({ result: {}, seconds: 0, updated_at });
const flush = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

function pending(what: Call["what"]): Call {
  const call = calls.find((c) => c.what === what);
  if (!call) throw new Error(`no ${what} call; calls: ${log.join(", ")}`);
  calls.splice(calls.indexOf(call), 1);
  return call;
}

function setup() {
  const timers = new ManualTimers();
  const storage = new MemoryStorage();
  let now = 0;
  const session = new AnnotateSession(project, 1, storage, { timers, delayMs: 3000, engine: new RuleEngine(null), now: () => now });
  return {
    timers,
    storage,
    session,
    later: (ms: number) => {
      now += ms;
    },
  };
}

async function openFirst(session: InstanceType<typeof AnnotateSession>, first: Lease): Promise<void> {
  const starting = session.start();
  pending("next").done(first);
  await starting;
}

function storeOf(session: InstanceType<typeof AnnotateSession>) {
  const phase = session.getSnapshot().phase;
  if (phase.kind !== "task") throw new Error(`no task open (${phase.kind})`);
  return { store: phase.store, taskId: phase.task.id };
}

beforeEach(() => {
  calls.length = 0;
  log.length = 0;
});

describe("autosave and submit", () => {
  it("waits for an autosave on its way before submitting, so no draft outlives the submission", async () => {
    const { timers, session, later } = setup();
    await openFirst(session, lease(1));
    later(FRESH_TASK_MS);
    storeOf(session).store.answer("label", { choice: "pos" });
    timers.advance(3000);
    expect(log).toEqual(["next 7 sent", "next 7 answered", "draft 1 sent"]);
    const draft = pending("draft");

    const submitting = session.submit({ byKey: true });
    await flush();
    expect(session.getSnapshot().busy).toBe("submitting");
    expect(calls.some((c) => c.what === "submit")).toBe(false); // not while the draft is on its way
    draft.done(draftAt("2026-01-01T00:00:01Z"));
    await flush();
    pending("submit").done({ annotation: {}, next: lease(2) });
    await submitting;
    expect(log).toEqual(["next 7 sent", "next 7 answered", "draft 1 sent", "draft 1 answered", "submit 1 sent", "submit 1 answered"]);
    expect(storeOf(session).taskId).toBe(2);
    timers.advance(60_000);
    expect(log.filter((l) => l.startsWith("draft 1"))).toHaveLength(2); // nothing more for task 1
  });

  it("drops unsaved changes of a submitted task instead of saving them after it", async () => {
    const { timers, session, storage, later } = setup();
    await openFirst(session, lease(1));
    later(FRESH_TASK_MS);
    storeOf(session).store.answer("label", { choice: "neg" });
    const submitting = session.submit();
    await flush();
    pending("submit").done({ annotation: {}, next: lease(2) });
    await submitting;
    timers.advance(60_000);
    expect(log.some((l) => l.startsWith("draft"))).toBe(false);
    expect(storage.getItem("accord.draft.1.1")).toBeNull();
  });

  it("never writes a late autosave's time into the next task's draft", async () => {
    const { timers, session, storage, later } = setup();
    await openFirst(session, lease(1));
    later(FRESH_TASK_MS);
    storeOf(session).store.answer("note", { text: "half" });
    timers.advance(3000);
    const late = pending("draft");
    // The task changes under the save (the lease of another tab, a skip that failed halfway...).
    const keeper = session.keeper;
    keeper.detach();
    const next = task(2);
    const { EditorStore } = await import("../../editor/store");
    const store = new EditorStore(session.iface, next.data, {});
    keeper.attach(next.id, store, "2026-01-01T00:00:00Z", 0);
    late.done(draftAt("2030-01-01T00:00:00Z"));
    await flush();
    store.answer("label", { choice: "pos" });
    const local = JSON.parse(storage.getItem("accord.draft.1.2") ?? "null") as { syncedAt: string };
    expect(local.syncedAt).toBe("2026-01-01T00:00:00Z");
    const first = JSON.parse(storage.getItem("accord.draft.1.1") ?? "null") as { syncedAt: string };
    expect(first.syncedAt).toBe("2030-01-01T00:00:00Z"); // the answer went to its own task
  });

  it("saves the draft again when the submission fails", async () => {
    const { timers, session, later } = setup();
    await openFirst(session, lease(1));
    later(FRESH_TASK_MS);
    storeOf(session).store.answer("label", { choice: "pos" });
    const submitting = session.submit();
    await flush();
    const { ApiError } = await import("../../api");
    const call = pending("submit");
    call.done(Promise.reject(new ApiError(0, "network", "offline")));
    await submitting;
    expect(session.getSnapshot().notice?.tone).toBe("error");
    timers.advance(3000);
    expect(log).toContain("draft 1 sent");
  });
});

describe("double Ctrl+Enter", () => {
  it("ignores a key submit on a task that has just appeared untouched", async () => {
    const { session, later } = setup();
    await openFirst(session, lease(1));
    await session.submit({ byKey: true });
    expect(calls).toHaveLength(0);
    expect(storeOf(session).store.getSnapshot().serverProblems).toEqual([]);
    expect(session.getSnapshot().notice).toBeNull();
    // The button always submits; so does the key once the task has been there a moment.
    await session.submit();
    expect(storeOf(session).store.getSnapshot().serverProblems).toHaveLength(1);
    later(FRESH_TASK_MS);
    await session.submit({ byKey: true });
    expect(session.getSnapshot().notice?.text).toContain("Not submitted");
    storeOf(session).store.answer("label", { choice: "neg" });
    expect(session.getSnapshot().notice).toBeNull(); // fixed: the refusal goes with its problems
  });

  it("submits at once a task the person has already changed", async () => {
    const { session } = setup();
    await openFirst(session, lease(1));
    storeOf(session).store.answer("label", { choice: "pos" });
    const submitting = session.submit({ byKey: true });
    await flush();
    pending("submit").done({ annotation: {}, next: null });
    await flush();
    pending("next").done(lease(2));
    await submitting;
    expect(storeOf(session).taskId).toBe(2);
  });
});

describe("model suggestions", () => {
  const predictions: Prediction[] = [
    { model_version: "small", score: 0.4, result: { label: { choice: "neg" } } },
    { model_version: "big", score: 0.9, result: { label: { choice: "pos" }, gone: { x: 1 } } },
    { model_version: "unscored", score: null, result: { label: { choice: "neg" } } },
  ];

  it("pre-fills the task with the best-scored prediction, for this interface's questions", async () => {
    const { session } = setup();
    await openFirst(session, lease(1, { predictions }));
    expect(storeOf(session).store.result).toEqual({ label: { choice: "pos" } });
    expect(session.getSnapshot().suggestion).toMatchObject({ modelVersion: "big", score: 0.9, count: 3, applied: true });
    session.clearSuggestion();
    expect(storeOf(session).store.result).toEqual({});
    storeOf(session).store.undo();
    expect(storeOf(session).store.result).toEqual({ label: { choice: "pos" } });
  });

  it("opens the draft when there is one, and offers the suggestion", async () => {
    const { session } = setup();
    const draft = { result: { note: { text: "mine" } }, seconds: 3, updated_at: "2026-01-01T00:00:00Z" };
    await openFirst(session, lease(1, { predictions, draft }));
    expect(storeOf(session).store.result).toEqual({ note: { text: "mine" } });
    expect(session.getSnapshot().suggestion?.applied).toBe(false);
    session.useSuggestion();
    expect(storeOf(session).store.result).toEqual({ note: { text: "mine" }, label: { choice: "pos" } });
  });
});
