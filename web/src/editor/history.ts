/**
 * Undo/redo over immutable states. Each `push` is one step, except that pushes with the
 * same `coalesce` key that follow each other within `pauseMs`, and do not start a new word,
 * are merged into one step: typing a sentence is undone word by word or pause by pause,
 * not letter by letter.
 */
export interface Step<T> {
  before: T;
  after: T;
  /** What kind of change this was ("text:why"), for merging typing; null: never merged. */
  coalesce: string | null;
  at: number;
  /** A finished step: the next push starts a new one even with the same key. */
  sealed: boolean;
}

export interface PushOptions {
  coalesce?: string | null;
  /** This change finishes a word (typed a space or punctuation): seal the step after it. */
  endsWord?: boolean;
  now?: number;
}

export class History<T> {
  private done: Step<T>[] = [];
  private undone: Step<T>[] = [];

  constructor(
    private readonly pauseMs = 1000,
    private readonly limit = 500,
  ) {}

  push(before: T, after: T, options: PushOptions = {}): void {
    const now = options.now ?? Date.now();
    const key = options.coalesce ?? null;
    const top = this.done[this.done.length - 1];
    this.undone = [];
    if (top && key !== null && top.coalesce === key && !top.sealed && now - top.at <= this.pauseMs) {
      top.after = after;
      top.at = now;
      top.sealed = options.endsWord ?? false;
      return;
    }
    this.done.push({ before, after, coalesce: key, at: now, sealed: options.endsWord ?? false });
    if (this.done.length > this.limit) this.done.shift();
  }

  /** The state to go back to, or null when there is nothing to undo. */
  undo(): T | null {
    const step = this.done.pop();
    if (!step) return null;
    this.undone.push(step);
    return step.before;
  }

  redo(): T | null {
    const step = this.undone.pop();
    if (!step) return null;
    step.sealed = true;
    this.done.push(step);
    return step.after;
  }

  /** Stop merging into the last step (focus moved, the person paused on purpose). */
  seal(): void {
    const top = this.done[this.done.length - 1];
    if (top) top.sealed = true;
  }

  clear(): void {
    this.done = [];
    this.undone = [];
  }

  get canUndo(): boolean {
    return this.done.length > 0;
  }

  get canRedo(): boolean {
    return this.undone.length > 0;
  }
}
