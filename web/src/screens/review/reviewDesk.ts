/**
 * The reviewer's loop, without rendering: lease the next review, show the annotation as its
 * author left it in an editor (so the reviewer can fix it in place), and decide. Accepting
 * what is shown unchanged is `accept`; accepting after a change is `fix` (the change is the
 * fix); `reject` needs a reason. A refusal (someone else decided, the author changed it) keeps
 * the screen and says why; the next review is one key away.
 */
import { api, ApiError, type Annotation, type DecisionBody, type NextReview, type Project, type Review, type ReviewComment, type SubmitWarning, type Task } from "../../api";
import { compileTextRules, localProblems } from "../../editor/answers";
import { sameJson } from "../../editor/draft";
import { parseInterface, type Interface } from "../../editor/interface";
import { createRuleEngine, type RuleEngine } from "../../editor/ruleEngine";
import { EditorStore } from "../../editor/store";
import type { RuleCheck } from "../../editor/textRules";
import { Observable } from "../../ui/observable";
import { warnedAbout } from "../annotate/checkWarnings";
import type { Notice } from "../annotate/session";

/** What the reviewer is looking at. */
export interface Open {
  review: Review;
  annotation: Annotation;
  task: Task;
  store: EditorStore;
}

export interface DeskView {
  phase: "loading" | "empty" | "reviewing" | "error";
  open: Open | null;
  busy: "deciding" | "passing" | null;
  notice: Notice | null;
  /** Decisions made in this sitting. */
  decided: number;
  /** Ids of the checklist items the reviewer ticked as failed (sent with a fix or a rejection). */
  failed: string[];
}

/** The calls the desk makes (the real API unless a test gives others). */
export interface DeskApi {
  next: (projectId: number) => Promise<NextReview>;
  decide: (reviewId: number, body: DecisionBody) => Promise<Review & { warnings?: SubmitWarning[] }>;
  release: (reviewId: number) => Promise<Review>;
}

const REAL: DeskApi = { next: api.reviews.next, decide: api.reviews.decide, release: api.reviews.release };

export class ReviewDesk extends Observable<DeskView> {
  readonly iface: Interface;
  private readonly rules: Map<string, RuleCheck[]>;

  constructor(
    readonly project: Project,
    private readonly calls: DeskApi = REAL,
    readonly engine: RuleEngine = createRuleEngine(),
  ) {
    super({ phase: "loading", open: null, busy: null, notice: null, decided: 0, failed: [] });
    this.iface = parseInterface(project.interface);
    this.rules = compileTextRules(this.iface);
  }

  /** Whether the reviewer changed the answer (deciding then means fix and accept). */
  changed(): boolean {
    const open = this.view.open;
    return open !== null && !sameJson(open.store.result, open.annotation.result);
  }

  /** Lease the next review (or get back the one held). */
  async next(notice: Notice | null = null): Promise<void> {
    this.set({ phase: "loading", busy: null, notice, failed: [] });
    try {
      const lease = await this.calls.next(this.project.id);
      if (!lease.review || !lease.annotation || !lease.task) {
        this.set({ phase: "empty", open: null });
        return;
      }
      const store = new EditorStore(this.iface, lease.task.data, lease.annotation.result);
      this.set({ phase: "reviewing", open: { review: lease.review, annotation: lease.annotation, task: lease.task, store } });
    } catch (error) {
      this.set({ phase: "error", open: null, notice: { tone: "error", text: messageOf(error) } });
    }
  }

  /** Tick a checklist item as failed, or untick it. */
  toggleFailed(itemId: string): void {
    const failed = this.view.failed.includes(itemId) ? this.view.failed.filter((id) => id !== itemId) : [...this.view.failed, itemId];
    this.set({ failed });
  }

  /** Accept as shown, or fix and accept when the reviewer changed it. */
  async approve(comment = ""): Promise<boolean> {
    const open = this.view.open;
    if (!open) return false;
    const failed = this.view.failed;
    if (!this.changed()) {
      if (failed.length) {
        this.set({ notice: { tone: "error", text: "You ticked failed checklist items: fix the answer, or reject it (r), or untick them to accept." } });
        return false;
      }
      return this.decide({ decision: "accept", version: open.annotation.version, comment });
    }
    const problems = localProblems(this.iface, open.store.result, open.store.data, this.rules, this.engine);
    if (problems.length) {
      open.store.setServerProblems(problems);
      this.set({ notice: { tone: "error", text: "Your fix does not fit the interface yet: see the questions marked below." } });
      return false;
    }
    return this.decide({ decision: "fix", version: open.annotation.version, result: open.store.result, comment, ...withFailed(failed) });
  }

  /** Send it back to its author with a reason and, optionally, comments on questions. */
  async reject(comment: string, comments: ReviewComment[] = []): Promise<boolean> {
    const open = this.view.open;
    if (!open) return false;
    if (!comment.trim()) {
      this.set({ notice: { tone: "error", text: "Say why you send it back: the author reads it in their rework list." } });
      return false;
    }
    return this.decide({ decision: "reject", version: open.annotation.version, comment: comment.trim(), comments, ...withFailed(this.view.failed) });
  }

  /** Hand this review to another reviewer and go on. */
  async pass(): Promise<void> {
    const open = this.view.open;
    if (!open || this.view.busy) return;
    this.set({ busy: "passing" });
    try {
      await this.calls.release(open.review.id);
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 409)) {
        this.set({ busy: null, notice: { tone: "error", text: messageOf(error) } });
        return;
      }
    }
    // Released, this review is free again; asking at once would hand it straight back.
    await this.next({ tone: "info", text: `Review #${open.review.id} handed back for another reviewer.` });
  }

  private async decide(body: DecisionBody): Promise<boolean> {
    const open = this.view.open;
    if (!open || this.view.busy) return false;
    this.set({ busy: "deciding", notice: null });
    let warnings: SubmitWarning[] = [];
    try {
      warnings = (await this.calls.decide(open.review.id, body)).warnings ?? [];
    } catch (error) {
      if (error instanceof ApiError && error.status === 422) {
        open.store.setServerProblems(error.problems);
        this.set({ busy: null, notice: { tone: "error", text: error.message } });
      } else if (error instanceof ApiError && error.status === 409) {
        this.set({ busy: null, notice: { tone: "warning", text: `${error.message}.` } });
      } else {
        this.set({ busy: null, notice: { tone: "error", text: messageOf(error) } });
      }
      return false;
    }
    const done = { accept: "accepted", fix: "fixed and accepted", reject: "sent back to its author" }[body.decision];
    this.set({ decided: this.view.decided + 1 });
    // A fix's checks only warn (docs/originality.md): said with the next review.
    if (warnings.length) await this.next({ tone: "warning", text: `Annotation #${open.annotation.id} ${done}, ${warnedAbout(warnings)}.` });
    else await this.next({ tone: "success", text: `Annotation #${open.annotation.id} ${done}.` });
    return true;
  }

  dispose(): void {
    this.engine.dispose();
    this.forget();
  }
}

function withFailed(failed: string[]): { failed?: string[] } {
  return failed.length ? { failed } : {};
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
