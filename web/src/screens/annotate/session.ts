/**
 * The annotator's loop for one project, without rendering: lease a task, open it with the
 * newest draft (local or server) or else the model's suggestion, keep drafts (`DraftKeeper`),
 * submit and show the next task from the same answer, skip with a reason. The screen reads
 * `getSnapshot()` and calls the actions.
 */
import { Observable } from "../../ui/observable";
import { api, ApiError, type Feedback, type JsonObject, type Lease, type MlOffer, type MlSuggestion, type Practice, type Prediction, type Project, type Task } from "../../api";
import type { SaveState } from "../../editor/autosave";
import { LocalDrafts, mergeDrafts, sameJson, type DraftVersion, type KeyValue } from "../../editor/draft";
import { parseInterface, type Interface } from "../../editor/interface";
import { EditorStore } from "../../editor/store";
import { DraftKeeper, type KeeperOptions } from "./draftKeeper";
import { warningsNotice } from "./checkWarnings";
import { resetTyping, takeTyping } from "../../kinds/questions/typing";
import { originalityGate, showRefusal } from "./originality";

export type Phase =
  | { kind: "loading" }
  | { kind: "done" }
  | { kind: "error"; message: string; code?: string }
  | { kind: "task"; task: Task; store: EditorStore; leaseExpiresAt: string | null }
  /** After a training task (or a gold task, when the project shows it): the expected answer. */
  | { kind: "feedback"; feedback: Feedback; given: JsonObject; next: Lease | null };

export interface Notice {
  tone: "info" | "warning" | "error" | "success";
  text: string;
  /** About the problems shown beside the questions: it goes once they are all fixed. */
  problems?: boolean;
}

/** A model's pre-annotation of the task, offered as a starting point. */
export interface Suggestion {
  modelVersion: string;
  score: number | null;
  /** Its answers, to this interface's questions only. */
  result: JsonObject;
  /** Predictions the task has in all (the one with the best score is offered). */
  count: number;
  /** The task opened with it (no draft won over it). */
  applied: boolean;
}

export interface SessionView {
  phase: Phase;
  saveState: SaveState;
  busy: "submitting" | "skipping" | null;
  notice: Notice | null;
  /** A draft version that was not opened (both changed): offer it. */
  otherDraft: DraftVersion | null;
  suggestion: Suggestion | null;
  /** Submitted in this sitting. */
  submitted: number;
  /** A qualification or training task: where the person stands. */
  practice: Practice | null;
  /** The project's interactive model server, when it has one (Suggest, Shift+M). */
  modelOffer: MlOffer | null;
  /** A suggestion was asked for and has not come back yet. */
  asking: boolean;
}

export interface SessionOptions extends KeeperOptions {
  now?: () => number;
  /** "training": serve the project's training tasks. */
  mode?: "training" | null;
}

/**
 * A submit by key this soon after a task appears, before the person changed anything, is
 * the second press of a double Ctrl+Enter meant for the previous task: it is ignored.
 */
export const FRESH_TASK_MS = 1000;

export class AnnotateSession extends Observable<SessionView> {
  readonly iface: Interface;
  readonly keeper: DraftKeeper;
  private readonly drafts: LocalDrafts;
  private readonly now: () => number;
  private readonly mode: "training" | null;
  private openedAt = 0;
  private offerAsked = false;
  private unwatch: () => void = () => {};

  constructor(
    readonly project: Project,
    userId: number,
    storage: KeyValue,
    options: SessionOptions = {},
  ) {
    super({ phase: { kind: "loading" }, saveState: "saved", busy: null, notice: null, otherDraft: null, suggestion: null, submitted: 0, practice: null, modelOffer: null, asking: false });
    this.mode = options.mode ?? null;
    this.iface = parseInterface(project.interface);
    this.drafts = new LocalDrafts(storage, userId);
    this.now = options.now ?? (() => performance.now());
    this.keeper = new DraftKeeper(this.iface, this.drafts, (saveState) => this.set({ saveState }), options);
  }

  private get current(): { task: Task; store: EditorStore } | null {
    const phase = this.view.phase;
    return phase.kind === "task" ? phase : null;
  }

  /** Lease the next task (or the one already held). */
  async start(): Promise<void> {
    if (!this.offerAsked) void this.askOffer();
    this.keeper.detach();
    this.set({ phase: { kind: "loading" } });
    try {
      this.open(await api.queue.next(this.project.id, this.mode));
    } catch (error) {
      this.fail(error);
    }
  }

  /** From the expected answer shown after a task, on to the next one. */
  continue(): void {
    const phase = this.view.phase;
    if (phase.kind !== "feedback") return;
    if (phase.next) this.open(phase.next);
    else void this.start();
  }

  private fail(error: unknown): void {
    if (error instanceof ApiError && error.isUnauthorized) return; // sign-in takes over; drafts are local
    const code = error instanceof ApiError ? error.code : undefined; // e.g. guidelines_unacknowledged
    this.set({ phase: { kind: "error", message: error instanceof Error ? error.message : String(error), code } });
  }

  /** Show a leased task with the newest of its drafts, else the model's suggestion. */
  private open(lease: Lease): void {
    this.keeper.detach();
    resetTyping();
    if (!lease.task) {
      this.set({ phase: { kind: "done" }, otherDraft: null, suggestion: null });
      return;
    }
    this.set({ practice: lease.practice ?? null });
    const task = lease.task;
    const merged = mergeDrafts(this.drafts.read(task.id), lease.draft);
    const best = bestPrediction(lease.predictions ?? [], this.iface);
    const suggestion = best ? { ...best, applied: merged.chosen === null } : null;
    const store = new EditorStore(this.iface, task.data, merged.chosen?.result ?? suggestion?.result ?? {});
    this.keeper.attach(task.id, store, lease.draft?.updated_at ?? null, merged.chosen?.seconds ?? 0);
    this.unwatch();
    this.unwatch = store.subscribe(() => {
      if (this.view.notice?.problems && store.getSnapshot().serverProblems.length === 0) this.set({ notice: null });
    });
    this.openedAt = this.now();
    this.set({
      phase: { kind: "task", task, store, leaseExpiresAt: lease.lease_expires_at },
      otherDraft: merged.other,
      suggestion,
      notice: merged.chosen?.from === "local" && lease.draft === null ? { tone: "info", text: "Your unsaved work on this task was restored from this browser." } : null,
    });
    if (merged.chosen?.from === "local" && !sameJson(merged.chosen.result, lease.draft?.result)) this.keeper.saveSoon();
  }

  /** The person did something (key, click, scroll): counts as active time. */
  activity(): void {
    this.keeper.activity();
  }

  /** The page was hidden or is going away: stop the clock and save what is unsaved. */
  leaving(): void {
    this.keeper.leaving();
  }

  back(): void {
    this.keeper.back();
  }

  /**
   * Submit and show the next task. Problems the browser can see are shown without a round
   * trip. `byKey`: from Ctrl+Enter, which is ignored on a task that has only just appeared
   * untouched (the second press of a double press).
   */
  async submit(options: { byKey?: boolean; anyway?: boolean } = {}): Promise<void> {
    const current = this.current;
    if (!current || this.view.busy) return;
    const { task, store } = current;
    if (options.byKey && store.getSnapshot().revision === 0 && this.now() - this.openedAt < FRESH_TASK_MS) return;
    const problems = this.keeper.problems(store);
    if (problems.length) {
      store.setServerProblems(problems);
      const count = new Set(problems.map((p) => p.path.split(".")[1])).size;
      this.set({
        notice: { tone: "error", problems: true, text: `Not submitted: ${count} answer${count === 1 ? " needs" : "s need"} attention (see the red notes beside ${count === 1 ? "it" : "them"}).` },
      });
      return;
    }
    this.set({ busy: "submitting", notice: null });
    // Close to earlier work: the dialog offers to revise or submit anyway (docs/originality.md).
    if (!options.anyway && !(await originalityGate(this.project.interface, task.id, store.result, () => void this.submit({ anyway: true })))) {
      this.set({ busy: null });
      return;
    }
    try {
      await this.keeper.stop(); // no autosave of this task may reach the server after it
      const answer = await api.queue.submit(task.id, store.result, this.keeper.seconds(), takeTyping());
      this.keeper.sent(task.id);
      this.set({ busy: null, submitted: this.view.submitted + 1 });
      const standing = answer.practice ?? null;
      if (standing) this.set({ practice: standing });
      if (answer.feedback) {
        this.keeper.detach();
        this.set({ phase: { kind: "feedback", feedback: answer.feedback, given: store.result, next: answer.next } });
      } else if (answer.next) this.open(answer.next);
      else await this.start();
      // After the next task opened (which clears notices): what the qualification's end means.
      const notice = standing ? practiceNotice(standing) : null;
      if (notice) this.set({ notice });
      else if (answer.warnings?.length) this.set({ notice: warningsNotice(answer.warnings) });
    } catch (error) {
      this.set({ busy: null });
      this.keeper.resume();
      if (error instanceof ApiError && error.code === "not_original") showRefusal(error.details, store.result);
      if (error instanceof ApiError && error.status === 422 && error.problems.length) {
        store.setServerProblems(error.problems);
        this.set({ notice: { tone: "error", problems: true, text: `The server did not accept this answer: ${error.message}` } });
      } else if (!(error instanceof ApiError && error.isUnauthorized)) {
        this.set({ notice: { tone: "error", text: error instanceof Error ? error.message : String(error) } });
      }
    }
  }

  async skip(reason: string): Promise<void> {
    const current = this.current;
    if (!current || this.view.busy) return;
    this.set({ busy: "skipping", notice: null });
    try {
      await this.keeper.stop();
      await api.queue.skip(current.task.id, reason);
      this.keeper.sent(current.task.id);
      this.set({ busy: null, notice: { tone: "info", text: "Skipped. It will not come back to you." } });
      this.open(await api.queue.next(this.project.id, this.mode));
    } catch (error) {
      this.set({ busy: null });
      if (this.current === current) this.keeper.resume();
      if (!(error instanceof ApiError && error.isUnauthorized)) {
        this.set({ notice: { tone: "error", text: error instanceof Error ? error.message : String(error) } });
      }
    }
  }

  /** Open the draft version that was not chosen (one undoable step). */
  useOtherDraft(): void {
    const current = this.current;
    const other = this.view.otherDraft;
    if (!current || !other) return;
    const mine: DraftVersion = { result: current.store.result, seconds: this.keeper.seconds(), at: new Date().toISOString(), from: "local" };
    current.store.replace(other.result);
    this.set({ otherDraft: mine, notice: { tone: "info", text: "Switched versions. The one you had is offered in case you want it back (or press Undo)." } });
  }

  dismissOther(): void {
    this.set({ otherDraft: null });
  }

  /** Put the model's answers in (one undoable step), over the draft's where they differ. */
  useSuggestion(): void {
    const current = this.current;
    const suggestion = this.view.suggestion;
    if (!current || !suggestion) return;
    current.store.replace({ ...current.store.result, ...suggestion.result });
    this.set({ suggestion: { ...suggestion, applied: true } });
  }

  /** Take the model's answers out (those not changed since), one undoable step. */
  clearSuggestion(): void {
    const current = this.current;
    const suggestion = this.view.suggestion;
    if (!current || !suggestion) return;
    const result: JsonObject = {};
    for (const [name, value] of Object.entries(current.store.result)) {
      if (!sameJson(value, suggestion.result[name])) result[name] = value;
    }
    current.store.replace(result);
    this.set({ suggestion: { ...suggestion, applied: false } });
  }

  /** Whether the project offers Suggest (asked once; a failure just means no Suggest). */
  private async askOffer(): Promise<void> {
    this.offerAsked = true;
    try {
      const offer = await api.ml.offer(this.project.id);
      this.set({ modelOffer: offer.available ? offer : null });
    } catch {
      this.set({ modelOffer: null });
    }
  }

  /**
   * Suggest: ask the project's interactive model server for an answer to this task, with the
   * answer so far (and `context`, e.g. a click) as its context, and put it in (one undoable
   * step; `m` takes it out). When the server is down, slow or answers what does not fit, a
   * notice says so and nothing changes: the task goes on without a suggestion.
   */
  async askModel(context: JsonObject = {}): Promise<void> {
    const current = this.current;
    if (!current || this.view.asking || !this.view.modelOffer) return;
    this.set({ asking: true, notice: null });
    try {
      const got = await api.ml.suggest(current.task.id, { ...context, answer: current.store.result });
      if (this.current !== current) return; // the person moved on meanwhile
      const result: JsonObject = {};
      for (const question of this.iface.questions) {
        const value = got.result[question.name];
        if (value !== undefined && value !== null) result[question.name] = value;
      }
      if (Object.keys(result).length === 0) {
        this.set({ notice: { tone: "warning", text: "The model answered none of this task's questions; go on without a suggestion." } });
        return;
      }
      this.set({ suggestion: { modelVersion: got.model_version, score: got.score, result, count: 1, applied: false } });
      this.useSuggestion();
      this.set({ notice: { tone: "info", text: `Suggested by ${got.model_version} in ${got.seconds.toFixed(1)} s. Change what is wrong; m takes it out.` } });
    } catch (error) {
      if (error instanceof ApiError && error.isUnauthorized) return;
      // The server's message names the model and says why ("no suggestion from …: …").
      const why = error instanceof ApiError ? error.message : `No suggestion: ${error instanceof Error ? error.message : String(error)}`;
      if (this.current === current) this.set({ notice: { tone: "warning", text: why.charAt(0).toUpperCase() + why.slice(1) } });
    } finally {
      this.set({ asking: false });
      if (this.current === current) refocusQuestion(current.store.getSnapshot().active ?? this.iface.questions[0]?.name ?? null, this.iface);
    }
  }

  /**
   * The model's answer for what the person drew on an image (the image widget's Smart tool:
   * points and boxes in `context`), with the answer so far, as Suggest sends it. Nothing is put
   * in here: the widget adds the shapes as one undoable step. Rejects with the server's words
   * (down, slow, a misfit), or when the task changed meanwhile.
   */
  async askModelAbout(context: JsonObject): Promise<MlSuggestion> {
    const current = this.current;
    if (!current || !this.view.modelOffer) throw new Error("this project connects no model server to ask");
    if (this.view.asking) throw new Error("the model is still answering the last question: wait a moment");
    this.set({ asking: true, notice: null });
    try {
      const got = await api.ml.suggest(current.task.id, { ...context, answer: current.store.result });
      if (this.current !== current) throw new Error("another task is open now");
      return got;
    } finally {
      this.set({ asking: false });
    }
  }

  dismissNotice(): void {
    this.set({ notice: null });
  }

  seconds(): number {
    return this.keeper.seconds();
  }

  dispose(): void {
    this.unwatch();
    this.keeper.dispose();
    this.forget();
  }
}

/**
 * Give the keys back to the focused question once a suggestion came in or failed: clicking
 * Suggest took the focus to its button (disabled while it asked, so the focus fell to the
 * page), where the number keys reach no question. Focus already in a question, or in a field
 * elsewhere (a dialog's), is left where it is.
 */
export function refocusQuestion(name: string | null, iface: Interface): void {
  if (name === null || typeof document === "undefined") return;
  const now = document.activeElement;
  if (now instanceof HTMLElement && now !== document.body) {
    if (now.closest("[data-question]") || now.closest("dialog")) return;
    if (now.matches("input, textarea, select, [contenteditable]")) return;
  }
  const card = document.querySelector<HTMLElement>(`[data-question="${CSS.escape(name)}"]`);
  if (!card) return;
  const text = iface.questions.find((q) => q.name === name)?.kind === "text";
  const target = card.querySelector<HTMLElement>(text ? "textarea, input" : "[data-keys]") ?? card;
  target.focus({ preventScroll: true });
}

/** The prediction to offer: the best score (unscored last), the first on a tie. */
export function bestPrediction(predictions: readonly Prediction[], iface: Interface): Omit<Suggestion, "applied"> | null {
  let best: Prediction | null = null;
  for (const p of predictions) {
    if (best === null || (p.score ?? -Infinity) > (best.score ?? -Infinity)) best = p;
  }
  if (!best) return null;
  const result: JsonObject = {};
  for (const question of iface.questions) {
    const value = best.result[question.name];
    if (value !== undefined && value !== null) result[question.name] = value;
  }
  if (Object.keys(result).length === 0) return null;
  return { modelVersion: best.model_version, score: best.score, result, count: predictions.length };
}

/** What a finished qualification (or training round) means for the person, in words. */
export function practiceNotice(standing: Practice): Notice | null {
  const score = standing.score === null ? "" : ` (${Math.round(standing.score * 100)}%)`;
  if (standing.purpose === "training") {
    return standing.state === "done" ? { tone: "success", text: `Training finished: ${standing.total} tasks${score}.` } : null;
  }
  const needed = `${Math.round(standing.needed * 100)}%`;
  if (standing.state === "passed") return { tone: "success", text: `You passed the qualification${score}. Real tasks start now.` };
  if (standing.state !== "failed") return null;
  const left = standing.attempts - standing.attempt;
  return {
    tone: "warning",
    text:
      left > 0
        ? `You did not pass the qualification${score}; ${needed} is needed. You have ${left} more attempt${left === 1 ? "" : "s"}: it starts now.`
        : `You did not pass the qualification${score}; ${needed} was needed and no attempt is left. A project manager can help.`,
  };
}
