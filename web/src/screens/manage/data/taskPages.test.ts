import { describe, expect, it } from "vitest";
import type { TaskPage, TaskRow } from "../../../api/types";
import { TaskPages } from "./taskPages";

const TOTAL = 1_000_000;

function fakeServer(total = TOTAL) {
  const calls: { offset: number; limit: number; signal: AbortSignal; resolve: () => void }[] = [];
  const fetchPage = (offset: number, limit: number, signal: AbortSignal): Promise<TaskPage> =>
    new Promise((resolve, reject) => {
      const items: TaskRow[] = [];
      for (let i = offset; i < Math.min(total, offset + limit); i++) {
        items.push({ id: i + 1, project_id: 1, external_id: null, data: {}, status: "new", annotations: 0, skips: 0, created_at: "" });
      }
      signal.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")));
      calls.push({ offset, limit, signal, resolve: () => resolve({ items, total, next_after: null }) });
    });
  return { calls, fetchPage };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe("TaskPages", () => {
  it("loads the first page at once, then the pages around what is on screen", async () => {
    const server = fakeServer();
    const pages = new TaskPages(server.fetchPage, { settleMs: 0, pageSize: 100 });
    pages.want(0, 20);
    expect(server.calls.map((c) => c.offset)).toEqual([0, 100]);
    expect(pages.row(5)).toBeNull();
    server.calls[0]?.resolve();
    await flush();
    expect(pages.getSnapshot().total).toBe(TOTAL);
    expect(pages.row(5)?.id).toBe(6);
    expect(pages.getSnapshot().firstPageMs).not.toBeNull();
  });

  it("cancels requests for pages scrolled far past and asks for the new ones", async () => {
    const server = fakeServer();
    const pages = new TaskPages(server.fetchPage, { settleMs: 0, pageSize: 100 });
    pages.want(0, 20);
    server.calls[0]?.resolve();
    await flush();
    pages.want(500_000, 500_020);
    const far = server.calls.find((c) => c.offset === 100);
    expect(far?.signal.aborted).toBe(true);
    expect(server.calls.some((c) => c.offset === 500_000)).toBe(true);
    server.calls.find((c) => c.offset === 500_000)?.resolve();
    await flush();
    expect(pages.row(500_010)?.id).toBe(500_011);
  });

  it("keeps a bounded cache, dropping the least recently used pages", async () => {
    const server = fakeServer();
    const pages = new TaskPages(server.fetchPage, { settleMs: 0, maxPages: 5, concurrency: 10, pageSize: 100 });
    for (let page = 0; page < 20; page++) {
      pages.want(page * 1000, page * 1000 + 20);
      for (const call of server.calls) call.resolve();
      await flush();
    }
    expect(pages.cachedPages).toBeLessThanOrEqual(5);
    expect(pages.row(19 * 1000 + 5)).not.toBeNull();
    expect(pages.row(5)).toBeNull();
  });

  it("loads further ahead the faster the rows go by, in their direction", async () => {
    let clock = 0;
    const server = fakeServer();
    const pages = new TaskPages(server.fetchPage, { settleMs: 0, pageSize: 100, concurrency: 20, now: () => clock });
    pages.want(0, 20);
    for (const call of server.calls) call.resolve();
    await flush();
    for (let first = 60; first <= 300; first += 60) {
      clock += 16; // 60 rows a frame: 3,750 rows/s
      pages.want(first, first + 20);
    }
    const offsets = new Set(server.calls.map((c) => c.offset));
    expect(offsets.has(700)).toBe(true); // four pages ahead of row 320
    expect(offsets.has(800)).toBe(false);
  });

  it("waits for a dragged scrollbar to rest before asking, but never starves", async () => {
    const server = fakeServer();
    const pages = new TaskPages(server.fetchPage, { settleMs: 30, pageSize: 100 });
    pages.want(0, 20);
    server.calls[0]?.resolve();
    await flush();
    const before = server.calls.length;
    pages.want(400_000, 400_020);
    pages.want(700_000, 700_020);
    expect(server.calls.length).toBe(before);
    await new Promise((r) => setTimeout(r, 40));
    expect(server.calls.some((c) => c.offset === 700_000)).toBe(true);
    expect(server.calls.some((c) => c.offset === 400_000)).toBe(false);
  });

  it("stops at the end and reports errors, with a retry", async () => {
    let fail = true;
    const server = fakeServer(150);
    const pages = new TaskPages(
      (offset, limit, signal) => (fail ? Promise.reject(new Error("the server answered 500")) : server.fetchPage(offset, limit, signal)),
      { settleMs: 0, pageSize: 100 },
    );
    pages.want(0, 20);
    await flush();
    expect(pages.getSnapshot().error).toMatch(/500/);
    fail = false;
    pages.retry();
    for (const call of server.calls) call.resolve();
    await flush();
    expect(pages.getSnapshot().total).toBe(150);
    pages.want(130, 149);
    for (const call of server.calls) call.resolve();
    await flush();
    expect(server.calls.every((c) => c.offset < 150)).toBe(true);
    expect(pages.row(149)?.id).toBe(150);
  });
});
