/**
 * Something React reads with `useSyncExternalStore`: a version that changes whenever a new
 * value arrives, and the listeners told of it. The rule engine (patterns run in a worker) and
 * the server's check verdicts both are one.
 */
export class Listenable {
  private version = 0;
  private readonly listeners = new Set<() => void>();

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Changes whenever a value arrives. */
  getVersion = (): number => this.version;

  protected changed(): void {
    this.version++;
    for (const listener of this.listeners) listener();
  }
}
