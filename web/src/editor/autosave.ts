/**
 * Saves a draft to the server a few seconds after it changes (not on every keystroke), one
 * save at a time, retrying with a growing wait when the server cannot be reached. `flush`
 * saves at once (leaving the page). What to save is read when saving, so the latest state
 * always goes.
 *
 * `stop` is for the moments a draft must no longer be written: submitting, skipping, moving
 * to another task. It forgets what is unsaved and waits for a save already on its way, so no
 * autosave can reach the server after the submission (and re-create a draft of a submitted
 * task), and a late answer is never taken for the next task's.
 */
export interface Timers {
  set(callback: () => void, ms: number): number;
  clear(handle: number): void;
}

const browserTimers: Timers = {
  set: (callback, ms) => globalThis.setTimeout(callback, ms) as unknown as number,
  clear: (handle) => globalThis.clearTimeout(handle),
};

export type SaveState = "saved" | "pending" | "saving" | "error";

export class Autosaver {
  private dirty = false;
  private timer: number | null = null;
  private running: Promise<void> | null = null;
  private failures = 0;
  private stateValue: SaveState = "saved";
  private lastError: Error | null = null;
  /** Bumped by `cancel`/`stop`: a save that started before it reschedules nothing. */
  private epoch = 0;

  constructor(
    private readonly save: () => Promise<void>,
    private readonly onState: (state: SaveState, error: Error | null) => void = () => {},
    private readonly delayMs = 3000,
    private readonly timers: Timers = browserTimers,
  ) {}

  get state(): SaveState {
    return this.stateValue;
  }

  private setState(state: SaveState): void {
    if (state === this.stateValue && state !== "error") return;
    this.stateValue = state;
    this.onState(state, this.lastError);
  }

  /** Something changed: save within `delayMs`. */
  changed(): void {
    this.dirty = true;
    if (this.stateValue !== "saving") this.setState("pending");
    if (this.timer === null && !this.running) this.schedule(this.delayMs);
  }

  private schedule(ms: number): void {
    if (this.timer !== null) this.timers.clear(this.timer);
    this.timer = this.timers.set(() => {
      this.timer = null;
      void this.run();
    }, ms);
  }

  private async run(): Promise<void> {
    if (this.running) return this.running;
    if (!this.dirty) return;
    this.dirty = false;
    const epoch = this.epoch;
    this.setState("saving");
    this.running = this.save().then(
      () => {
        this.failures = 0;
        this.lastError = null;
      },
      (error: unknown) => {
        if (epoch !== this.epoch) return; // stopped meanwhile: nothing to retry
        this.dirty = true;
        this.failures++;
        this.lastError = error instanceof Error ? error : new Error(String(error));
      },
    );
    await this.running;
    this.running = null;
    if (epoch !== this.epoch) {
      // Stopped or cancelled while saving: only changes made since then are pending.
      if (this.dirty) this.changed();
      else this.setState("saved");
      return;
    }
    if (this.dirty) {
      if (this.failures > 0) {
        this.setState("error");
        this.schedule(Math.min(60_000, this.delayMs * 2 ** Math.min(this.failures, 5)));
      } else {
        this.setState("pending");
        this.schedule(this.delayMs);
      }
    } else {
      this.setState("saved");
    }
  }

  /** Save now if anything is unsaved; resolves when the server has it (or refused it). */
  async flush(): Promise<void> {
    if (this.timer !== null) {
      this.timers.clear(this.timer);
      this.timer = null;
    }
    if (this.running) await this.running;
    await this.run();
  }

  /** Forget unsaved changes (the task was submitted or skipped). A save under way may still land. */
  cancel(): void {
    if (this.timer !== null) this.timers.clear(this.timer);
    this.timer = null;
    this.dirty = false;
    this.failures = 0;
    this.lastError = null;
    this.epoch++;
    if (!this.running) this.setState("saved");
  }

  /**
   * Forget unsaved changes and wait until no save is under way: after this resolves, nothing
   * this saver started can still reach the server. Changes made later start afresh.
   */
  async stop(): Promise<void> {
    this.cancel();
    while (this.running) await this.running;
  }

  get hasUnsaved(): boolean {
    return this.dirty || this.running !== null;
  }

  /** A save is on its way to the server. */
  get busy(): boolean {
    return this.running !== null;
  }
}
