/**
 * State a screen reads with `useSyncExternalStore`: `subscribe` and `getSnapshot` for React,
 * `set` (a partial change, a new snapshot) for the class that owns it.
 */
export class Observable<T extends object> {
  private listeners = new Set<() => void>();

  constructor(protected view: T) {}

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): T => this.view;

  protected set(patch: Partial<T>): void {
    this.view = { ...this.view, ...patch };
    for (const listener of this.listeners) listener();
  }

  /** Tell no one any more (the screen is gone). */
  protected forget(): void {
    this.listeners.clear();
  }
}
