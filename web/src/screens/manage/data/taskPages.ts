/**
 * The data manager's rows: pages fetched from the server on demand, a small cache of them
 * (least recently used pages dropped), requests for pages scrolled past cancelled, and the
 * total count. Plain TypeScript: the table reads it with `useSyncExternalStore` and tells it
 * which rows are on screen with `want(first, last)`; a row not loaded yet is `null` (the
 * table draws a placeholder for it) and is loaded at once.
 */
import { ApiError } from "../../../api/http";
import type { TaskPage, TaskRow } from "../../../api/types";

export type FetchPage = (offset: number, limit: number, signal: AbortSignal) => Promise<TaskPage>;

export interface PagesSnapshot {
  /** Tasks matching the filters, or null before the first answer. */
  total: number | null;
  /** Increases whenever rows arrive: the table re-renders. */
  version: number;
  /** The last failure, in words (cleared by the next success). */
  error: string | null;
  /** Its HTTP status (403: the caller's role may not list tasks), or null. */
  errorStatus: number | null;
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
  /** After a jump to rows far from any loaded page, wait this long for the scrollbar to
   * settle before asking (0: at once). Continuous scrolling never waits. */
  settleMs?: number;
  /** Most pages loaded ahead in the direction of scrolling (more the faster it goes). */
  maxAhead?: number;
  now?: () => number;
}

export class TaskPages {
  readonly pageSize: number;
  private readonly maxPages: number;
  private readonly concurrency: number;
  private readonly settleMs: number;
  private readonly now: () => number;
  private readonly maxAhead: number;
  private lastFirst: number | null = null;
  private lastAt = 0;
  /** Rows per ms, smoothed; negative when scrolling up. */
  private velocity = 0;
  private readonly pages = new Map<number, TaskRow[]>();
  private readonly inFlight = new Map<number, AbortController>();
  private readonly failed = new Set<number>();
  private readonly listeners = new Set<() => void>();
  private wanted: number[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private disposed = false;
  private started: number | null = null;
  private snapshot: PagesSnapshot = { total: null, version: 0, error: null, errorStatus: null, loading: 0, firstPageMs: null };

  constructor(
    private readonly fetchPage: FetchPage,
    options: PagesOptions = {},
  ) {
    this.pageSize = options.pageSize ?? 200;
    this.maxPages = options.maxPages ?? 30;
    this.maxAhead = options.maxAhead ?? 4;
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
  row(index: number): TaskRow | null {
    const page = this.pages.get(Math.floor(index / this.pageSize));
    return page?.[index % this.pageSize] ?? null;
  }

  /**
   * Rows `first..last` (inclusive) are on screen: load them, then the pages ahead in the
   * direction of scrolling (enough for about 300 ms at the current speed), then one behind.
   */
  want(first: number, last: number): void {
    if (this.disposed) return;
    const size = this.pageSize;
    const total = this.snapshot.total;
    const lastRow = total === null ? last : Math.min(last, total - 1);
    // A jump (a dragged scrollbar), or scrolling too fast for pages to arrive before their
    // rows have gone by: ask only once it slows down, for where it is then.
    const jumped = this.track(first) || Math.abs(this.velocity) * 300 > this.maxAhead * size;
    const firstPage = Math.floor(first / size);
    const lastPage = Math.floor(Math.max(first, lastRow) / size);
    const ahead = Math.min(this.maxAhead, 1 + Math.ceil((Math.abs(this.velocity) * 300) / size));
    const down = this.velocity >= 0;
    const onScreen: number[] = [];
    for (let page = firstPage; page <= lastPage; page++) onScreen.push(page);
    const near: number[] = [];
    for (let i = 1; i <= ahead; i++) near.push(down ? lastPage + i : firstPage - i);
    near.push(down ? firstPage - 1 : lastPage + 1);
    const exists = (page: number): boolean => page >= 0 && (total === null || page * size < total || page === 0);
    this.wanted = [...onScreen, ...near].filter(exists);
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
    // Otherwise ask at once; a timer already set is never pushed back (no starving).
    if (jumped && this.settleMs > 0 && total !== null) {
      if (this.timer !== null) clearTimeout(this.timer);
      this.timer = setTimeout(() => this.pump(), this.settleMs);
    } else if (this.timer === null) {
      this.pump();
    }
  }

  /** Update the scrolling speed; true for a jump (farther than a few screens at once). */
  private track(first: number): boolean {
    const now = this.now();
    const previous = this.lastFirst;
    this.lastFirst = first;
    const elapsed = Math.max(1, now - this.lastAt);
    this.lastAt = now;
    if (previous === null) return false;
    const moved = first - previous;
    if (Math.abs(moved) > this.pageSize * 2) {
      this.velocity = 0;
      return true;
    }
    const speed = elapsed > 500 ? 0 : moved / elapsed;
    this.velocity = this.velocity * 0.5 + speed * 0.5;
    return false;
  }

  private pump(): void {
    if (this.timer !== null) clearTimeout(this.timer);
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
      this.update({ total: answer.total, error: null, errorStatus: null, firstPageMs });
    } catch (error) {
      if (this.inFlight.get(page) === controller) this.inFlight.delete(page);
      if (this.disposed || controller.signal.aborted) return;
      this.failed.add(page);
      this.update({ error: error instanceof Error ? error.message : String(error), errorStatus: error instanceof ApiError ? error.status : null });
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
    this.update({ error: null, errorStatus: null });
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
