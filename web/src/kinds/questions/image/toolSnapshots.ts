/**
 * What a tool of the image editor (the assist, the Smart tool) shows of itself, per editor: its
 * latest snapshot and who listens for a new one (a React component through
 * `useSyncExternalStore`). One store per tool.
 */
import type { ImageEditor } from "./editor";

export class ToolSnapshots<S> {
  private readonly snapshots = new WeakMap<ImageEditor, S>();
  private readonly listeners = new WeakMap<ImageEditor, Set<() => void>>();

  constructor(private readonly off: S) {}

  /** The editor's latest snapshot (the tool's `off` one before any). */
  get(ed: ImageEditor): S {
    return this.snapshots.get(ed) ?? this.off;
  }

  subscribe(ed: ImageEditor, listener: () => void): () => void {
    let set = this.listeners.get(ed);
    if (!set) {
      set = new Set();
      this.listeners.set(ed, set);
    }
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Keep the editor's new snapshot and tell its listeners. */
  publish(ed: ImageEditor, snapshot: S): void {
    this.snapshots.set(ed, snapshot);
    for (const listener of this.listeners.get(ed) ?? []) listener();
  }
}
