/**
 * The adjudicator's loop, without rendering: lease the next task whose answers disagree, show
 * every answer side by side and a final answer in an editor (it starts as the consensus), pick
 * one answer into it or edit it in place, and decide. A final answer equal to a picked answer
 * is sent as that pick (`annotation_id`), anything else as the written answer (`result`),
 * checked here first like any answer. A refusal (someone else decided, the answer does not
 * fit) keeps the screen and says why.
 */
import { api, ApiError, type AdjudicationBody, type AdjudicationView, type Adjudication, type JsonObject, type Project, type SubmitWarning } from "../../api";
import { compileTextRules, localProblems } from "../../editor/answers";
import { sameJson } from "../../editor/draft";
import { parseInterface, type Interface } from "../../editor/interface";
import { createRuleEngine, type RuleEngine } from "../../editor/ruleEngine";
import { EditorStore } from "../../editor/store";
import type { RuleCheck } from "../../editor/textRules";
import { Observable } from "../../ui/observable";
import { warnedAbout } from "../annotate/checkWarnings";
import type { Notice } from "../annotate/session";

export interface Opened {
  view: AdjudicationView;
  store: EditorStore;
}

export interface DeskView {
  phase: "loading" | "empty" | "adjudicating" | "error";
  open: Opened | null;
  busy: "deciding" | "passing" | null;
  notice: Notice | null;
  /** Tasks decided in this sitting. */
  decided: number;
}

/** The calls the desk makes (the real API unless a test gives others). */
export interface DeskApi {
  next: (projectId: number) => Promise<{ adjudication: AdjudicationView | null }>;
  decide: (id: number, body: AdjudicationBody) => Promise<Adjudication & { warnings?: SubmitWarning[] }>;
  release: (id: number) => Promise<Adjudication>;
}

const REAL: DeskApi = { next: api.adjudications.next, decide: api.adjudications.decide, release: api.adjudications.release };

/** The consensus of each question, as an answer to start from (questions without one left out). */
export function consensusResult(view: AdjudicationView): JsonObject {
  const out: JsonObject = {};
  for (const row of view.consensus) if (row.answer !== null) out[row.question] = row.answer;
  return out;
}

export class AdjudicationDesk extends Observable<DeskView> {
  readonly iface: Interface;
  private readonly rules: Map<string, RuleCheck[]>;

  constructor(
    readonly project: Project,
    private readonly calls: DeskApi = REAL,
    readonly engine: RuleEngine = createRuleEngine(),
  ) {
    super({ phase: "loading", open: null, busy: null, notice: null, decided: 0 });
    this.iface = parseInterface(project.interface);
    this.rules = compileTextRules(this.iface);
  }

  /** Lease the next task to adjudicate (or get back the one held). */
  async next(notice: Notice | null = null): Promise<void> {
    this.set({ phase: "loading", busy: null, notice });
    try {
      const { adjudication } = await this.calls.next(this.project.id);
      if (!adjudication) {
        this.set({ phase: "empty", open: null });
        return;
      }
      const store = new EditorStore(this.iface, adjudication.task.data, consensusResult(adjudication));
      store.focus(null); // no question takes the keyboard: 1…9 pick answers until Tab goes in
      this.set({ phase: "adjudicating", open: { view: adjudication, store } });
    } catch (error) {
      this.set({ phase: "error", open: null, notice: { tone: "error", text: messageOf(error) } });
    }
  }

  /** The index of the answer the final answer equals, or null (written or merged). */
  pickedIndex(): number | null {
    const open = this.view.open;
    if (!open) return null;
    const at = open.view.answers.findIndex((answer) => sameJson(answer.result, open.store.result));
    return at < 0 ? null : at;
  }

  /** Make answer ``index`` (0-based) the final answer; one undoable step. */
  pick(index: number): void {
    const answer = this.view.open?.view.answers[index];
    if (!answer || this.view.busy) return;
    this.view.open?.store.replace(answer.result);
    this.set({ notice: null });
  }

  /** Take one question's answer from answer ``index`` into the final answer (merging). */
  take(index: number, question: string): void {
    const open = this.view.open;
    const answer = open?.view.answers[index];
    if (!open || !answer) return;
    open.store.answer(question, answer.result[question]);
  }

  /** Record the final answer as shown and go on to the next task. */
  async decide(): Promise<boolean> {
    const open = this.view.open;
    if (!open || this.view.busy) return false;
    const picked = this.pickedIndex();
    const chosen = picked === null ? undefined : open.view.answers[picked];
    let body: AdjudicationBody;
    if (chosen) {
      body = { annotation_id: chosen.annotation_id };
    } else {
      const problems = localProblems(this.iface, open.store.result, open.store.data, this.rules, this.engine);
      if (problems.length) {
        open.store.setServerProblems(problems);
        this.set({ notice: { tone: "error", text: "The final answer does not fit the interface yet: see the questions marked below." } });
        return false;
      }
      body = { result: open.store.result };
    }
    this.set({ busy: "deciding", notice: null });
    let warnings: SubmitWarning[] = [];
    try {
      warnings = (await this.calls.decide(open.view.adjudication.id, body)).warnings ?? [];
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
    this.set({ decided: this.view.decided + 1 });
    const how = chosen && picked !== null ? `answer ${picked + 1} (${chosen.author_name || "an annotator"}) chosen` : "your answer recorded";
    // A written answer's checks only warn (docs/originality.md): said with the next task.
    if (warnings.length) await this.next({ tone: "warning", text: `Task #${open.view.task.id} adjudicated: ${how}, ${warnedAbout(warnings)}.` });
    else await this.next({ tone: "success", text: `Task #${open.view.task.id} adjudicated: ${how}.` });
    return true;
  }

  /** Hand this task to another reviewer and go on. */
  async pass(): Promise<void> {
    const open = this.view.open;
    if (!open || this.view.busy) return;
    this.set({ busy: "passing" });
    try {
      await this.calls.release(open.view.adjudication.id);
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 409)) {
        this.set({ busy: null, notice: { tone: "error", text: messageOf(error) } });
        return;
      }
    }
    await this.next({ tone: "info", text: `Task #${open.view.task.id} handed back for another reviewer.` });
  }

  dispose(): void {
    this.engine.dispose();
    this.forget();
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
