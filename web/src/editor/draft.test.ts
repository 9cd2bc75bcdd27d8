import { describe, expect, it } from "vitest";
import { LocalDrafts, mergeDrafts, sameJson, type LocalDraft } from "./draft";
import type { Draft } from "../api/types";
import { MemoryStorage } from "./fixtures/memoryStorage";

const local = (over: Partial<LocalDraft> = {}): LocalDraft => ({
  taskId: 7,
  result: { why: { text: "local" } },
  seconds: 30,
  savedAt: "2025-01-01T10:00:10Z",
  syncedAt: null,
  ...over,
});
const server = (over: Partial<Draft> = {}): Draft => ({
  result: { why: { text: "server" } },
  seconds: 20,
  updated_at: "2025-01-01T10:00:05Z",
  ...over,
});

describe("mergeDrafts", () => {
  it("opens nothing when there is no draft", () => {
    expect(mergeDrafts(null, null)).toEqual({ chosen: null, other: null });
  });

  it("takes the only one there is", () => {
    expect(mergeDrafts(local(), null).chosen?.from).toBe("local");
    expect(mergeDrafts(null, server()).chosen?.from).toBe("server");
  });

  it("treats equal results as one, keeping the larger time", () => {
    const merged = mergeDrafts(local({ result: { a: 1 } }), server({ result: { a: 1 } }));
    expect(merged.other).toBeNull();
    expect(merged.chosen?.seconds).toBe(30);
  });

  it("takes the local draft when it grew from the server's version", () => {
    const merged = mergeDrafts(local({ syncedAt: "2025-01-01T10:00:05Z", savedAt: "2025-01-01T09:00:00Z" }), server());
    expect(merged.chosen?.from).toBe("local");
    expect(merged.other).toBeNull();
  });

  it("takes the newer and offers the other when both changed", () => {
    const newerLocal = mergeDrafts(local({ syncedAt: "2025-01-01T09:00:00Z" }), server());
    expect(newerLocal.chosen?.from).toBe("local");
    expect(newerLocal.other?.from).toBe("server");
    const newerServer = mergeDrafts(local({ savedAt: "2025-01-01T10:00:00Z" }), server());
    expect(newerServer.chosen?.from).toBe("server");
    expect(newerServer.other?.result).toEqual({ why: { text: "local" } });
  });
});

describe("sameJson", () => {
  it("ignores key order and compares deeply", () => {
    expect(sameJson({ a: [1, { b: 2, c: 3 }] }, { a: [1, { c: 3, b: 2 }] })).toBe(true);
    expect(sameJson({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(sameJson({ a: null }, {})).toBe(false);
  });
});

describe("LocalDrafts", () => {
  it("writes, reads, marks synced and removes, per person", () => {
    const storage = new MemoryStorage();
    const mine = new LocalDrafts(storage, 1);
    const theirs = new LocalDrafts(storage, 2);
    expect(mine.write(local())).toBe(true);
    expect(mine.read(7)?.result).toEqual({ why: { text: "local" } });
    expect(theirs.read(7)).toBeNull();
    mine.markSynced(7, { why: { text: "local" } }, "2025-01-01T11:00:00Z");
    expect(mine.read(7)?.syncedAt).toBe("2025-01-01T11:00:00Z");
    mine.markSynced(7, { other: 1 }, "2025-01-01T12:00:00Z");
    expect(mine.read(7)?.syncedAt).toBe("2025-01-01T11:00:00Z");
    expect(mine.tasks()).toEqual([7]);
    mine.remove(7);
    expect(mine.read(7)).toBeNull();
  });

  it("survives a full or broken storage", () => {
    const storage = new MemoryStorage();
    storage.full = true;
    const drafts = new LocalDrafts(storage, 1);
    expect(drafts.write(local())).toBe(false);
    storage.full = false;
    storage.setItem("accord.draft.1.7", "{not json");
    expect(drafts.read(7)).toBeNull();
  });
});
