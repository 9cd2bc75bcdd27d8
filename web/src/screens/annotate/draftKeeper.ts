/**
 * One task open for editing, as the annotate loop and the reopen screen both need it: the
 * answer kept in this browser on every change, saved to the server as the task's draft a few
 * seconds later, active time counted, the browser's own checks, and the moment the work is
 * sent (`stop`): pending saves forgotten and a save under way awaited first, so no autosave
 * reaches the server after the submission, and a late answer to a save only ever updates the
 * task it was sent for.
 */
import { api, type JsonObject, type Problem } from "../../api";
import { ActiveClock } from "../../editor/activeTime";
import { compileTextRules, localProblems } from "../../editor/answers";
import { Autosaver, type SaveState, type Timers } from "../../editor/autosave";
import { LocalDrafts } from "../../editor/draft";
import type { Interface } from "../../editor/interface";
import { createRuleEngine, type RuleEngine } from "../../editor/ruleEngine";
import type { EditorStore } from "../../editor/store";
import type { RuleCheck } from "../../editor/textRules";

export interface KeeperOptions {
  /** Wait after a change before saving to the server. */
  delayMs?: number;
  timers?: Timers;
  engine?: RuleEngine;
  clock?: ActiveClock;
}

/** The task being edited; a save's answer is written into the one it was sent for. */
interface OpenTask {
  taskId: number;
  store: EditorStore;
  /** The server draft's `updated_at` this task's work was last in step with. */
  syncedAt: string | null;
  unlisten: () => void;
}

export class DraftKeeper {
  readonly clock: ActiveClock;
  readonly engine: RuleEngine;
  private readonly saver: Autosaver;
  private readonly rules: Map<string, RuleCheck[]>;
  private open: OpenTask | null = null;

  constructor(
    readonly iface: Interface,
    private readonly drafts: LocalDrafts,
    onSaveState: (state: SaveState) => void,
    options: KeeperOptions = {},
  ) {
    this.clock = options.clock ?? new ActiveClock();
    this.engine = options.engine ?? createRuleEngine();
    this.rules = compileTextRules(iface);
    this.saver = new Autosaver(() => this.saveToServer(false), onSaveState, options.delayMs ?? 3000, options.timers);
  }

  /**
   * Edit `store` (task `taskId`) from now on: every change is kept locally and autosaved
   * (unless `autosave` is false). Whatever was pending for the previous task is forgotten.
   */
  attach(taskId: number, store: EditorStore, syncedAt: string | null, seconds: number, autosave = true): void {
    this.detach();
    this.clock.reset(seconds);
    this.clock.setVisible(typeof document === "undefined" || document.visibilityState !== "hidden");
    const open: OpenTask = { taskId, store, syncedAt, unlisten: () => {} };
    open.unlisten = store.onResultChange((result) => {
      this.clock.activity();
      this.writeLocal(open, result);
      if (autosave && this.open === open) this.saver.changed();
    });
    this.open = open;
  }

  /** Stop following the current task (its pending save is forgotten). */
  detach(): void {
    this.open?.unlisten();
    this.open = null;
    this.saver.cancel();
  }

  /** Save this task's draft to the server soon (a local copy was newer than the server's). */
  saveSoon(): void {
    if (this.open) this.saver.changed();
  }

  get saveState(): SaveState {
    return this.saver.state;
  }

  private writeLocal(open: OpenTask, result: JsonObject): void {
    this.drafts.write({ taskId: open.taskId, result, seconds: this.clock.seconds(), savedAt: new Date().toISOString(), syncedAt: open.syncedAt });
  }

  private async saveToServer(keepalive: boolean): Promise<void> {
    const open = this.open;
    if (!open) return;
    const result = open.store.result;
    const draft = await api.queue.saveDraft(open.taskId, result, this.clock.seconds(), keepalive);
    // `open`, not `this.open`: the person may be on another task by now.
    open.syncedAt = draft.updated_at;
    this.drafts.markSynced(open.taskId, result, draft.updated_at);
  }

  /**
   * The work is about to be sent (submitted, skipped, saved as a fix): forget pending
   * autosaves and wait for one under way, so none reaches the server after it.
   */
  async stop(): Promise<void> {
    await this.saver.stop();
  }

  /** Sending failed: the work is still a draft, save it again. */
  resume(): void {
    if (this.open) this.saver.changed();
  }

  /** The work was sent: its local copy is no longer needed. */
  sent(taskId: number): void {
    this.drafts.remove(taskId);
  }

  /** Problems the browser can see in the current answer, before any round trip. */
  problems(store: EditorStore): Problem[] {
    return localProblems(this.iface, store.result, store.data, this.rules, this.engine);
  }

  /** The person did something (key, click, scroll): counts as active time. */
  activity(): void {
    this.clock.activity();
  }

  /** The page was hidden or is going away: stop the clock and save what is unsaved. */
  leaving(): void {
    this.clock.setVisible(false);
    const open = this.open;
    if (!open) return;
    this.writeLocal(open, open.store.result);
    if (this.saver.hasUnsaved) {
      this.saver.cancel();
      void this.saveToServer(true).catch(() => this.saver.changed());
    }
  }

  back(): void {
    this.clock.setVisible(true);
  }

  seconds(): number {
    return this.clock.seconds();
  }

  dispose(): void {
    this.leaving();
    this.open?.unlisten();
    this.open = null;
    this.engine.dispose();
  }
}

export { LocalDrafts };
