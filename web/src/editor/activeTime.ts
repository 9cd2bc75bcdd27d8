/**
 * Active time on a task: time with the page visible and the person active (a key, a click,
 * a scroll or a pointer move within the last `idleMs`). Reading counts, leaving the tab or
 * walking away does not. Time comes from an injected clock, so tests need no timers.
 */
export class ActiveClock {
  private totalMs = 0;
  private lastTick: number;
  private lastActivity: number;
  private visible = true;

  constructor(
    private readonly now: () => number = () => performance.now(),
    private readonly idleMs = 60_000,
    startSeconds = 0,
  ) {
    this.lastTick = now();
    this.lastActivity = this.lastTick;
    this.totalMs = startSeconds * 1000;
  }

  private tick(): number {
    const now = this.now();
    if (this.visible) {
      const activeUntil = Math.min(now, this.lastActivity + this.idleMs);
      if (activeUntil > this.lastTick) this.totalMs += activeUntil - this.lastTick;
    }
    this.lastTick = now;
    return now;
  }

  /** The person did something. */
  activity(): void {
    this.lastActivity = this.tick();
  }

  setVisible(visible: boolean): void {
    this.tick();
    this.visible = visible;
    if (visible) this.lastActivity = this.lastTick;
  }

  /** Active seconds so far (one decimal). */
  seconds(): number {
    this.tick();
    return Math.round(this.totalMs / 100) / 10;
  }

  /** Start over at `seconds` (a new task, or a restored draft's time). */
  reset(seconds = 0): void {
    this.totalMs = seconds * 1000;
    this.lastTick = this.now();
    this.lastActivity = this.lastTick;
  }
}
