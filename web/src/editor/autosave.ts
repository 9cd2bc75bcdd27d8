/**
 * Saves a draft to the server a few seconds after it changes (not on every keystroke), one
 * save at a time, retrying with a growing wait when the server cannot be reached. `flush`
 * saves at once (leaving the page, before submitting). What to save is read when saving,
 * so the latest state always goes.
 */
export interface Timers {
  set(callback: () => void, ms: number): number;
  clear(handle: number): void;
}

const browserTimers: Timers = {
  set: (callback, ms) => window.setTimeout(callback, ms),
  clear: (handle) => window.clearTimeout(handle),
};

export type SaveState = "saved" | "pending" | "saving" | "error";

export class Autosaver {
  private dirty = false;
  private timer: number | null = null;
  private running: Promise<void> | null = null;
  private failures = 0;
  private stateValue: SaveState = "saved";
  private lastError: Error | null = null;

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
    this.setState("saving");
    this.running = this.save().then(
      () => {
        this.failures = 0;
        this.lastError = null;
      },
      (error: unknown) => {
        this.dirty = true;
        this.failures++;
        this.lastError = error instanceof Error ? error : new Error(String(error));
      },
    );
    await this.running;
    this.running = null;
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

  /** Forget unsaved changes (the task was submitted or skipped). */
  cancel(): void {
    if (this.timer !== null) this.timers.clear(this.timer);
    this.timer = null;
    this.dirty = false;
    this.failures = 0;
    this.lastError = null;
    this.setState("saved");
  }

  get hasUnsaved(): boolean {
    return this.dirty || this.running !== null;
  }
}
