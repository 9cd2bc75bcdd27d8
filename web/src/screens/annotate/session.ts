/**
 * The annotator's loop for one project, without rendering: lease a task, open it with the
 * newest draft (local or server), save drafts (locally on every change, to the server a few
 * seconds after changes and when the page is left), submit and show the next task from the
 * same answer, skip with a reason. The screen reads `getSnapshot()` and calls the actions.
 */
import { api, ApiError, type Json, type JsonObject, type Lease, type Project, type Task } from "../../api";
import { ActiveClock } from "../../editor/activeTime";
import { compileTextRules, localProblems } from "../../editor/answers";
import { Autosaver, type SaveState } from "../../editor/autosave";
import { LocalDrafts, mergeDrafts, type DraftVersion, type KeyValue } from "../../editor/draft";
import { parseInterface, type Interface } from "../../editor/interface";
import { EditorStore } from "../../editor/store";
import type { RuleCheck } from "../../editor/textRules";

export type Phase =
  | { kind: "loading" }
  | { kind: "done" }
  | { kind: "error"; message: string }
  | { kind: "task"; task: Task; store: EditorStore; leaseExpiresAt: string | null };

export interface Notice {
  tone: "info" | "warning" | "error" | "success";
  text: string;
}

export interface SessionView {
  phase: Phase;
  saveState: SaveState;
  busy: "submitting" | "skipping" | null;
  notice: Notice | null;
  /** A draft version that was not opened (both changed): offer it. */
  otherDraft: DraftVersion | null;
  /** Submitted in this sitting. */
  submitted: number;
}

export class AnnotateSession {
  readonly iface: Interface;
  private readonly rules: Map<string, RuleCheck[]>;
  private readonly drafts: LocalDrafts;
  private readonly clock = new ActiveClock();
  private readonly saver: Autosaver;
  private view: SessionView = { phase: { kind: "loading" }, saveState: "saved", busy: null, notice: null, otherDraft: null, submitted: 0 };
  private listeners = new Set<() => void>();
  private unlistenStore: (() => void) | null = null;
  private syncedAt: string | null = null;

  constructor(
    readonly project: Project,
    userId: number,
    storage: KeyValue,
  ) {
    this.iface = parseInterface(project.interface);
    this.rules = compileTextRules(this.iface);
    this.drafts = new LocalDrafts(storage, userId);
    this.saver = new Autosaver(
      () => this.saveToServer(false),
      (saveState) => this.set({ saveState }),
    );
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): SessionView => this.view;

  private set(patch: Partial<SessionView>): void {
    this.view = { ...this.view, ...patch };
    for (const listener of this.listeners) listener();
  }

  private get current(): { task: Task; store: EditorStore } | null {
    const phase = this.view.phase;
    return phase.kind === "task" ? phase : null;
  }

  /** Lease the next task (or the one already held). */
  async start(): Promise<void> {
    this.set({ phase: { kind: "loading" } });
    try {
      this.open(await api.queue.next(this.project.id));
    } catch (error) {
      this.fail(error);
    }
  }

  private fail(error: unknown): void {
    if (error instanceof ApiError && error.isUnauthorized) return; // sign-in takes over; drafts are local
    this.set({ phase: { kind: "error", message: error instanceof Error ? error.message : String(error) } });
  }

  /** Show a leased task with the newest of its drafts. */
  private open(lease: Lease): void {
    this.unlistenStore?.();
    this.unlistenStore = null;
    this.saver.cancel();
    if (!lease.task) {
      this.set({ phase: { kind: "done" }, otherDraft: null });
      return;
    }
    const task = lease.task;
    const merged = mergeDrafts(this.drafts.read(task.id), lease.draft);
    this.syncedAt = lease.draft?.updated_at ?? null;
    const store = new EditorStore(this.iface, task.data, merged.chosen?.result ?? {});
    this.clock.reset(merged.chosen?.seconds ?? 0);
    this.unlistenStore = store.onResultChange((result) => this.changed(task.id, result));
    this.set({
      phase: { kind: "task", task, store, leaseExpiresAt: lease.lease_expires_at },
      otherDraft: merged.other,
      notice: merged.chosen?.from === "local" && lease.draft === null ? { tone: "info", text: "Your unsaved work on this task was restored from this browser." } : null,
    });
    if (merged.chosen?.from === "local" && !sameAsServer(merged.chosen.result, lease.draft?.result)) this.saver.changed();
  }

  private changed(taskId: number, result: JsonObject): void {
    this.clock.activity();
    this.drafts.write({ taskId, result, seconds: this.clock.seconds(), savedAt: new Date().toISOString(), syncedAt: this.syncedAt });
    this.saver.changed();
  }

  private async saveToServer(keepalive: boolean): Promise<void> {
    const current = this.current;
    if (!current) return;
    const result = current.store.result;
    const draft = await api.queue.saveDraft(current.task.id, result, this.clock.seconds(), keepalive);
    this.syncedAt = draft.updated_at;
    this.drafts.markSynced(current.task.id, result, draft.updated_at);
  }

  /** The person did something (key, click, scroll): counts as active time. */
  activity(): void {
    this.clock.activity();
  }

  /** The page was hidden or is going away: stop the clock and save what is unsaved. */
  leaving(): void {
    this.clock.setVisible(false);
    const current = this.current;
    if (!current) return;
    this.drafts.write({ taskId: current.task.id, result: current.store.result, seconds: this.clock.seconds(), savedAt: new Date().toISOString(), syncedAt: this.syncedAt });
    if (this.saver.hasUnsaved) {
      this.saver.cancel();
      void this.saveToServer(true).catch(() => this.saver.changed());
    }
  }

  back(): void {
    this.clock.setVisible(true);
  }

  /** Submit and show the next task. Problems the browser can see are shown without a round trip. */
  async submit(): Promise<void> {
    const current = this.current;
    if (!current || this.view.busy) return;
    const { task, store } = current;
    const problems = localProblems(this.iface, store.result, this.rules);
    if (problems.length) {
      store.setServerProblems(problems);
      this.set({ notice: { tone: "error", text: `Not submitted: ${problems.length} answer${problems.length === 1 ? " needs" : "s need"} attention.` } });
      return;
    }
    this.set({ busy: "submitting", notice: null });
    const result = store.result;
    try {
      const answer = await api.queue.submit(task.id, result, this.clock.seconds());
      this.drafts.remove(task.id);
      this.set({ busy: null, submitted: this.view.submitted + 1 });
      if (answer.next) this.open(answer.next);
      else await this.start();
    } catch (error) {
      this.set({ busy: null });
      if (error instanceof ApiError && error.status === 422 && error.problems.length) {
        store.setServerProblems(error.problems);
        this.set({ notice: { tone: "error", text: `The server did not accept this answer: ${error.message}` } });
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
      await api.queue.skip(current.task.id, reason);
      this.drafts.remove(current.task.id);
      this.saver.cancel();
      this.set({ busy: null, notice: { tone: "info", text: "Skipped. It will not come back to you." } });
      this.open(await api.queue.next(this.project.id));
    } catch (error) {
      this.set({ busy: null });
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
    const mine: DraftVersion = { result: current.store.result, seconds: this.clock.seconds(), at: new Date().toISOString(), from: "local" };
    current.store.replace(other.result);
    this.set({ otherDraft: mine, notice: { tone: "info", text: "Switched versions. The one you had is offered in case you want it back (or press Undo)." } });
  }

  dismissOther(): void {
    this.set({ otherDraft: null });
  }

  dismissNotice(): void {
    this.set({ notice: null });
  }

  seconds(): number {
    return this.clock.seconds();
  }

  dispose(): void {
    this.leaving();
    this.unlistenStore?.();
    this.listeners.clear();
  }
}

function sameAsServer(result: JsonObject, server: Json | undefined): boolean {
  return server !== undefined && JSON.stringify(result) === JSON.stringify(server);
}
