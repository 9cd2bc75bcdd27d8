/**
 * The reviewer's loop against a fake server: accept when unchanged, fix when changed (checked
 * first), reject only with a reason, refusals kept on screen, passing moves on.
 */
import { describe, expect, it } from "vitest";
import { ApiError, type Annotation, type DecisionBody, type NextReview, type Project, type Review, type SubmitWarning, type Task } from "../../api";
import { RuleEngine } from "../../editor/ruleEngine";
import { ReviewDesk, type DeskApi } from "./reviewDesk";

const PROJECT = {
  id: 7,
  name: "P",
  interface: {
    fields: [{ name: "text", kind: "text" }],
    questions: [{ name: "label", kind: "choice", options: ["pos", "neg"], required: true }],
  },
} as unknown as Project;

function lease(id: number, choice = "pos", version = 1): NextReview {
  const review = { id, annotation_id: 100 + id, round: 1, reason: "all", state: "open", comments: [] } as unknown as Review;
  const annotation = { id: 100 + id, task_id: 200 + id, version, result: { label: { choice } }, editable: false } as unknown as Annotation;
  const task = { id: 200 + id, data: { text: "some text" } } as unknown as Task;
  return { review, annotation, task };
}

const NOTHING: NextReview = { review: null, annotation: null, task: null };

class FakeServer implements DeskApi {
  queue: NextReview[] = [];
  decided: { id: number; body: DecisionBody }[] = [];
  released: number[] = [];
  refuse: ApiError | null = null;
  warnings: SubmitWarning[] = [];
  next = async (): Promise<NextReview> => this.queue.shift() ?? NOTHING;
  decide = async (id: number, body: DecisionBody): Promise<Review & { warnings?: SubmitWarning[] }> => {
    if (this.refuse) throw this.refuse;
    this.decided.push({ id, body });
    return { warnings: this.warnings } as Review & { warnings: SubmitWarning[] };
  };
  release = async (id: number): Promise<Review> => {
    this.released.push(id);
    return {} as Review;
  };
}

function desk(server: FakeServer): ReviewDesk {
  return new ReviewDesk(PROJECT, server, new RuleEngine(null));
}

describe("the review desk", () => {
  it("accepts what is shown unchanged, then shows the next review", async () => {
    const server = new FakeServer();
    server.queue = [lease(1), lease(2)];
    const d = desk(server);
    await d.next();
    expect(d.getSnapshot().phase).toBe("reviewing");
    expect(d.changed()).toBe(false);
    expect(await d.approve()).toBe(true);
    expect(server.decided).toEqual([{ id: 1, body: { decision: "accept", version: 1, comment: "" } }]);
    expect(d.getSnapshot().open?.review.id).toBe(2);
    expect(d.getSnapshot().notice?.text).toContain("#101 accepted");
    expect(d.getSnapshot().decided).toBe(1);
  });

  it("says what a fix was warned about (originality never refuses a reviewer)", async () => {
    const server = new FakeServer();
    server.queue = [lease(1), lease(2)];
    server.warnings = [{ path: "result.why.text", check: "originality", message: "93% similar to an earlier answer" }];
    const d = desk(server);
    await d.next();
    d.getSnapshot().open!.store.answer("label", { choice: "neg" });
    expect(await d.approve()).toBe(true);
    const notice = d.getSnapshot().notice;
    expect(notice?.tone).toBe("warning");
    expect(notice?.text).toBe("Annotation #101 fixed and accepted, with a warning: why: 93% similar to an earlier answer.");
    expect(d.getSnapshot().open?.review.id).toBe(2);
  });

  it("sends a changed answer as the fix, and checks it first", async () => {
    const server = new FakeServer();
    server.queue = [lease(1)];
    const d = desk(server);
    await d.next();
    const store = d.getSnapshot().open!.store;
    store.answer("label", undefined);
    expect(d.changed()).toBe(true);
    expect(await d.approve()).toBe(false);
    expect(server.decided).toEqual([]);
    expect(store.getSnapshot().serverProblems.map((p) => p.path)).toContain("result.label");
    store.answer("label", { choice: "neg" });
    expect(await d.approve()).toBe(true);
    expect(server.decided[0]?.body).toEqual({ decision: "fix", version: 1, result: { label: { choice: "neg" } }, comment: "" });
    expect(d.getSnapshot().phase).toBe("empty");
  });

  it("rejects only with a reason, with comments on questions", async () => {
    const server = new FakeServer();
    server.queue = [lease(1)];
    const d = desk(server);
    await d.next();
    expect(await d.reject("   ")).toBe(false);
    expect(d.getSnapshot().notice?.tone).toBe("error");
    expect(await d.reject(" wrong label ", [{ question: "label", text: "see §2" }])).toBe(true);
    expect(server.decided[0]?.body).toEqual({
      decision: "reject",
      version: 1,
      comment: "wrong label",
      comments: [{ question: "label", text: "see §2" }],
    });
  });

  it("keeps the review on screen when the server refuses, and says why", async () => {
    const server = new FakeServer();
    server.queue = [lease(1)];
    server.refuse = new ApiError(409, "review_decided", "this review was already decided (accept) by Rita; ask for your next review");
    const d = desk(server);
    await d.next();
    expect(await d.approve()).toBe(false);
    const view = d.getSnapshot();
    expect(view.phase).toBe("reviewing");
    expect(view.busy).toBeNull();
    expect(view.notice).toEqual({ tone: "warning", text: "this review was already decided (accept) by Rita; ask for your next review." });
  });

  it("passing hands the review back and moves on", async () => {
    const server = new FakeServer();
    server.queue = [lease(1), lease(2)];
    const d = desk(server);
    await d.next();
    await d.pass();
    expect(server.released).toEqual([1]);
    expect(d.getSnapshot().open?.review.id).toBe(2);
    expect(d.getSnapshot().notice?.text).toContain("handed back");
  });
});

describe("the checklist", () => {
  it("sends the ticked items with a fix or a rejection, never with an accept", async () => {
    const server = new FakeServer();
    server.queue = [lease(1), lease(2)];
    const d = desk(server);
    await d.next();
    d.toggleFailed("facts");
    d.toggleFailed("style");
    d.toggleFailed("style");
    expect(d.getSnapshot().failed).toEqual(["facts"]);
    expect(await d.approve()).toBe(false);
    expect(d.getSnapshot().notice?.text).toContain("ticked failed checklist items");
    expect(await d.reject("wrong")).toBe(true);
    expect(server.decided[0]?.body.failed).toEqual(["facts"]);
    expect(d.getSnapshot().failed).toEqual([]);
    d.getSnapshot().open!.store.answer("label", { choice: "neg" });
    d.toggleFailed("facts");
    expect(await d.approve()).toBe(true);
    expect(server.decided[1]?.body).toMatchObject({ decision: "fix", failed: ["facts"] });
  });
});
