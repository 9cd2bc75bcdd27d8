/**
 * Suggest (Shift+M) against a fake server: the offer is asked once, a suggestion fills the
 * questions in one undoable step, and a model server that is down leaves the task as it was
 * with a notice saying why.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError, type Lease, type Project, type Task } from "../../api";
import { RuleEngine } from "../../editor/ruleEngine";
import { MemoryStorage } from "../../editor/fixtures/memoryStorage";

const sent: { taskId: number; context: unknown }[] = [];
let answer: () => Promise<unknown> = () => Promise.resolve(null);
let offer: () => Promise<unknown> = () => Promise.resolve({ available: true, backend_id: 3, title: "sentiment" });

vi.mock("../../api", async (original) => {
  const real = await original<typeof import("../../api")>();
  return {
    ...real,
    api: {
      queue: {
        next: () => Promise.resolve(lease(1)),
        saveDraft: () => new Promise(() => {}),
      },
      ml: {
        offer: () => offer(),
        suggest: (taskId: number, context: unknown) => {
          sent.push({ taskId, context });
          return answer();
        },
      },
    },
  };
});

const { AnnotateSession } = await import("./session");

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
const lease = (id: number): Lease => ({ task: task(id), draft: null, lease_expires_at: null, predictions: [] });

const flush = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

async function opened() {
  const session = new AnnotateSession(project, 1, new MemoryStorage(), { engine: new RuleEngine(null) });
  await session.start();
  await flush();
  const phase = session.getSnapshot().phase;
  if (phase.kind !== "task") throw new Error(`no task (${phase.kind})`);
  return { session, store: phase.store };
}

beforeEach(() => {
  sent.length = 0;
  offer = () => Promise.resolve({ available: true, backend_id: 3, title: "sentiment" });
});

describe("Suggest", () => {
  it("fills the questions from the model, undoably, with the answer so far as context", async () => {
    answer = () => Promise.resolve({ backend_id: 3, model_version: "sk-2", score: 0.9, result: { label: { choice: "neg" }, other: 1 }, seconds: 0.2 });
    const { session, store } = await opened();
    expect(session.getSnapshot().modelOffer?.title).toBe("sentiment");
    store.replace({ note: { text: "mine" } });
    await session.askModel({ click: [1, 2] });
    expect(sent).toEqual([{ taskId: 1, context: { click: [1, 2], answer: { note: { text: "mine" } } } }]);
    expect(store.result).toEqual({ note: { text: "mine" }, label: { choice: "neg" } });
    const view = session.getSnapshot();
    expect(view.suggestion).toMatchObject({ modelVersion: "sk-2", score: 0.9, applied: true });
    expect(view.notice?.text).toContain("sk-2");
    expect(view.asking).toBe(false);
    store.undo();
    expect(store.result).toEqual({ note: { text: "mine" } });
  });

  it("keeps the task as it was when the model server is down", async () => {
    answer = () => Promise.reject(new ApiError(502, "model_unreachable", "no suggestion from sentiment: could not connect; annotate without it"));
    const { session, store } = await opened();
    store.replace({ label: { choice: "pos" } });
    await session.askModel();
    expect(store.result).toEqual({ label: { choice: "pos" } });
    const view = session.getSnapshot();
    expect(view.notice).toMatchObject({ tone: "warning" });
    expect(view.notice?.text).toContain("annotate without it");
    expect(view.phase.kind).toBe("task");
    expect(view.asking).toBe(false);
  });

  it("is not offered when the project has no interactive model server", async () => {
    offer = () => Promise.resolve({ available: false, backend_id: null, title: "" });
    const { session } = await opened();
    expect(session.getSnapshot().modelOffer).toBeNull();
    await session.askModel();
    expect(sent).toEqual([]);
  });
});
