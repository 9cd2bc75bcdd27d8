/**
 * The adjudicator's loop against a fake server: the final answer starts as the consensus, a
 * pick is sent as the answer's id, a written or merged answer is checked then sent as a
 * result, refusals stay on screen, passing moves on.
 */
import { describe, expect, it } from "vitest";
import { ApiError, type Adjudication, type AdjudicationBody, type AdjudicationView, type Project, type SubmitWarning } from "../../api";
import { RuleEngine } from "../../editor/ruleEngine";
import { AdjudicationDesk, consensusResult, type DeskApi } from "./adjudicationDesk";

const PROJECT = {
  id: 7,
  name: "P",
  interface: {
    fields: [{ name: "text", kind: "text" }],
    questions: [
      { name: "label", kind: "choice", options: ["pos", "neg"], required: true },
      { name: "stars", kind: "rating", min: 1, max: 5 },
    ],
  },
} as unknown as Project;

const POS = { label: { choice: "pos" }, stars: { rating: 4 } };
const NEG = { label: { choice: "neg" }, stars: { rating: 5 } };

function view(id: number): AdjudicationView {
  return {
    adjudication: { id, task_id: 200 + id, state: "open", reason: "agreement below 0.9: label 0.00" },
    task: { id: 200 + id, data: { text: "some text" } },
    answers: [
      { annotation_id: 10 * id + 1, author_name: "Ann", result: POS },
      { annotation_id: 10 * id + 2, author_name: "Bo", result: NEG },
    ],
    consensus: [
      { question: "label", answer: { choice: "pos" }, agreement: 0, confidence: 0.5 },
      { question: "stars", answer: { rating: 4 }, agreement: 0.75, confidence: 0.875 },
    ],
  } as unknown as AdjudicationView;
}

class FakeServer implements DeskApi {
  queue: AdjudicationView[] = [];
  decided: { id: number; body: AdjudicationBody }[] = [];
  released: number[] = [];
  refuse: ApiError | null = null;
  warnings: SubmitWarning[] = [];
  next = async () => ({ adjudication: this.queue.shift() ?? null });
  decide = async (id: number, body: AdjudicationBody): Promise<Adjudication & { warnings?: SubmitWarning[] }> => {
    if (this.refuse) throw this.refuse;
    this.decided.push({ id, body });
    return { warnings: this.warnings } as Adjudication & { warnings: SubmitWarning[] };
  };
  release = async (id: number): Promise<Adjudication> => {
    this.released.push(id);
    return {} as Adjudication;
  };
}

function desk(server: FakeServer): AdjudicationDesk {
  return new AdjudicationDesk(PROJECT, server, new RuleEngine(null));
}

describe("the adjudication desk", () => {
  it("starts from the consensus, and sends a picked answer by its id", async () => {
    const server = new FakeServer();
    server.queue = [view(1), view(2)];
    const d = desk(server);
    await d.next();
    const open = d.getSnapshot().open!;
    expect(consensusResult(open.view)).toEqual(POS);
    expect(open.store.result).toEqual(POS);
    expect(d.pickedIndex()).toBe(0);
    d.pick(1);
    expect(open.store.result).toEqual(NEG);
    expect(d.pickedIndex()).toBe(1);
    expect(await d.decide()).toBe(true);
    expect(server.decided).toEqual([{ id: 1, body: { annotation_id: 12 } }]);
    expect(d.getSnapshot().notice?.text).toContain("answer 2 (Bo) chosen");
    expect(d.getSnapshot().open?.view.adjudication.id).toBe(2);
    expect(d.getSnapshot().decided).toBe(1);
  });

  it("merges answers question by question and sends the merge as a result", async () => {
    const server = new FakeServer();
    server.queue = [view(1)];
    const d = desk(server);
    await d.next();
    d.take(1, "stars");
    expect(d.pickedIndex()).toBe(null);
    expect(await d.decide()).toBe(true);
    expect(server.decided[0]?.body).toEqual({ result: { label: { choice: "pos" }, stars: { rating: 5 } } });
    expect(d.getSnapshot().phase).toBe("empty");
  });

  it("says what a written answer was warned about (originality never refuses it)", async () => {
    const server = new FakeServer();
    server.queue = [view(1)];
    server.warnings = [{ path: "result.why.text", check: "originality", message: "90% similar to an earlier answer" }];
    const d = desk(server);
    await d.next();
    d.take(1, "stars");
    expect(await d.decide()).toBe(true);
    const notice = d.getSnapshot().notice;
    expect(notice?.tone).toBe("warning");
    expect(notice?.text).toBe("Task #201 adjudicated: your answer recorded, with a warning: why: 90% similar to an earlier answer.");
  });

  it("checks a written answer before sending it, and keeps a refusal on screen", async () => {
    const server = new FakeServer();
    server.queue = [view(1)];
    const d = desk(server);
    await d.next();
    const store = d.getSnapshot().open!.store;
    store.answer("label", undefined);
    expect(await d.decide()).toBe(false);
    expect(server.decided).toEqual([]);
    expect(store.getSnapshot().serverProblems.map((p) => p.path)).toContain("result.label");
    store.answer("label", { choice: "neg" });
    server.refuse = new ApiError(409, "adjudication_decided", "this task was already adjudicated by Rita; ask for your next adjudication");
    expect(await d.decide()).toBe(false);
    expect(d.getSnapshot().notice).toEqual({ tone: "warning", text: "this task was already adjudicated by Rita; ask for your next adjudication." });
    expect(d.getSnapshot().phase).toBe("adjudicating");
  });

  it("passes: hands the task back and moves on", async () => {
    const server = new FakeServer();
    server.queue = [view(1), view(2)];
    const d = desk(server);
    await d.next();
    await d.pass();
    expect(server.released).toEqual([1]);
    expect(d.getSnapshot().open?.view.adjudication.id).toBe(2);
  });
});
