/**
 * The data manager's rows: pages fetched from the server on demand, a small cache of them
 * (least recently used pages dropped), requests for pages scrolled past cancelled, and the
 * total count. Plain TypeScript: the table reads it with `useSyncExternalStore` and tells it
 * which rows are on screen with `want(first, last)`; a row not loaded yet is `null` (the
 * table draws a placeholder for it) and is loaded at once.
 */
import type { Task, TaskPage } from "../../../api/types";

export type FetchPage = (offset: number, limit: number, signal: AbortSignal) => Promise<TaskPage>;

export interface PagesSnapshot {
  /** Tasks matching the filters, or null before the first answer. */
  total: number | null;
  /** Increases whenever rows arrive: the table re-renders. */
  version: number;
  /** The last failure, in words (cleared by the next success). */
  error: string | null;
  /** Pages being fetched. */
  loading: number;
  /** ms the first page took (request to answer), for the record. */
  firstPageMs: number | null;
}

export interface PagesOptions {
  pageSize?: number;
  /** Pages kept in memory. */
  maxPages?: number;
  /** Requests at once. */
  concurrency?: number;
  /** Wait this long for scrolling to settle before asking (0: at once). */
  settleMs?: number;
  now?: () => number;
}

export class TaskPages {
  readonly pageSize: number;
  private readonly maxPages: number;
  private readonly concurrency: number;
  private readonly settleMs: number;
  private readonly now: () => number;
  private readonly pages = new Map<number, Task[]>();
  private readonly inFlight = new Map<number, AbortController>();
  private readonly failed = new Set<number>();
  private readonly listeners = new Set<() => void>();
  private wanted: number[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private disposed = false;
  private started: number | null = null;
  private snapshot: PagesSnapshot = { total: null, version: 0, error: null, loading: 0, firstPageMs: null };

  constructor(
    private readonly fetchPage: FetchPage,
    options: PagesOptions = {},
  ) {
    this.pageSize = options.pageSize ?? 100;
    this.maxPages = options.maxPages ?? 40;
    this.concurrency = options.concurrency ?? 3;
    this.settleMs = options.settleMs ?? 40;
    this.now = options.now ?? (() => performance.now());
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): PagesSnapshot => this.snapshot;

  private update(patch: Partial<PagesSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...patch, version: this.snapshot.version + 1, loading: this.inFlight.size };
    for (const listener of this.listeners) listener();
  }

  /** The task at `index`, or null while its page is not loaded. */
  row(index: number): Task | null {
    const page = this.pages.get(Math.floor(index / this.pageSize));
    return page?.[index % this.pageSize] ?? null;
  }

  /** Rows `first..last` (inclusive) are on screen: load them, and a page either side. */
  want(first: number, last: number): void {
    if (this.disposed) return;
    const size = this.pageSize;
    const total = this.snapshot.total;
    const lastRow = total === null ? last : Math.min(last, total - 1);
    const from = Math.max(0, Math.floor(first / size) - 1);
    const to = Math.max(from, Math.floor(Math.max(first, lastRow) / size) + 1);
    const onScreen: number[] = [];
    const near: number[] = [];
    for (let page = from; page <= to; page++) {
      if (total !== null && page * size >= total && page > 0) continue;
      (page * size + size > first && page * size <= lastRow ? onScreen : near).push(page);
    }
    this.wanted = [...onScreen, ...near];
    // Touch what is on screen so the cache keeps it.
    for (const page of this.wanted) {
      const rows = this.pages.get(page);
      if (rows) {
        this.pages.delete(page);
        this.pages.set(page, rows);
      }
    }
    // Cancel what scrolled far away.
    for (const [page, controller] of this.inFlight) {
      if (!this.wanted.includes(page)) {
        controller.abort();
        this.inFlight.delete(page);
      }
    }
    const missing = onScreen.some((p) => !this.pages.has(p));
    if (this.timer !== null) clearTimeout(this.timer);
    // Nothing on screen missing: load the neighbours at once. Else let fast scrolling settle.
    if (!missing || this.settleMs === 0 || this.snapshot.total === null) this.pump();
    else this.timer = setTimeout(() => this.pump(), this.settleMs);
  }

  private pump(): void {
    this.timer = null;
    for (const page of this.wanted) {
      if (this.inFlight.size >= this.concurrency) break;
      if (this.pages.has(page) || this.inFlight.has(page) || this.failed.has(page)) continue;
      void this.load(page);
    }
  }

  private async load(page: number): Promise<void> {
    const controller = new AbortController();
    this.inFlight.set(page, controller);
    if (this.started === null) this.started = this.now();
    try {
      const answer = await this.fetchPage(page * this.pageSize, this.pageSize, controller.signal);
      if (this.disposed || controller.signal.aborted) return;
      this.inFlight.delete(page);
      this.pages.set(page, answer.items);
      this.evict();
      const firstPageMs = this.snapshot.firstPageMs ?? this.now() - (this.started ?? this.now());
      this.update({ total: answer.total, error: null, firstPageMs });
    } catch (error) {
      if (this.inFlight.get(page) === controller) this.inFlight.delete(page);
      if (this.disposed || controller.signal.aborted) return;
      this.failed.add(page);
      this.update({ error: error instanceof Error ? error.message : String(error) });
    }
    this.pump();
  }

  private evict(): void {
    for (const page of this.pages.keys()) {
      if (this.pages.size <= this.maxPages) break;
      if (!this.wanted.includes(page)) this.pages.delete(page);
    }
  }

  /** Try the pages that failed again. */
  retry(): void {
    this.failed.clear();
    this.update({ error: null });
    this.pump();
  }

  /** Pages in memory (for tests and the bench). */
  get cachedPages(): number {
    return this.pages.size;
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    for (const controller of this.inFlight.values()) controller.abort();
    this.inFlight.clear();
    this.listeners.clear();
  }
}
