/**
 * Drafts kept in two places: this browser's localStorage (written on every change, so a
 * crash or an expired session loses nothing) and the server (autosaved every few seconds).
 * When a task opens, `mergeDrafts` picks the newer; when both changed independently it keeps
 * the other one as `other`, so the screen can offer it: neither is ever lost silently.
 */
import type { Draft, JsonObject } from "../api/types";

export interface LocalDraft {
  taskId: number;
  result: JsonObject;
  seconds: number;
  /** When this browser last changed it (ISO time). */
  savedAt: string;
  /** The server draft's `updated_at` this one was last in step with (null: never saved). */
  syncedAt: string | null;
}

export interface DraftVersion {
  result: JsonObject;
  seconds: number;
  at: string;
  from: "local" | "server";
}

export interface Merged {
  /** What to open, or null when there is no draft anywhere. */
  chosen: DraftVersion | null;
  /** A different version that was not chosen; offer it ("use the other version"). */
  other: DraftVersion | null;
}

/** Deep equality of JSON values (key order does not matter). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => sameJson(item, b[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((key) => Object.prototype.hasOwnProperty.call(b, key) && sameJson((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}

const time = (iso: string): number => {
  const value = Date.parse(iso);
  return Number.isNaN(value) ? 0 : value;
};

export function mergeDrafts(local: LocalDraft | null, server: Draft | null): Merged {
  const fromLocal: DraftVersion | null = local
    ? { result: local.result, seconds: local.seconds, at: local.savedAt, from: "local" }
    : null;
  const fromServer: DraftVersion | null = server
    ? { result: server.result, seconds: server.seconds, at: server.updated_at, from: "server" }
    : null;
  if (!fromLocal || !local) return { chosen: fromServer, other: null };
  if (!fromServer || !server) return { chosen: fromLocal, other: null };
  if (sameJson(local.result, server.result)) {
    return { chosen: { ...fromServer, seconds: Math.max(local.seconds, server.seconds) }, other: null };
  }
  // The local copy grew from this very server version: it is simply newer.
  if (local.syncedAt !== null && time(local.syncedAt) >= time(server.updated_at)) return { chosen: fromLocal, other: null };
  // Both changed (another tab or device saved meanwhile): the newer wins, the other is offered.
  return time(local.savedAt) >= time(server.updated_at)
    ? { chosen: fromLocal, other: fromServer }
    : { chosen: fromServer, other: fromLocal };
}

/** The subset of `Storage` the draft store needs (localStorage, or a Map in tests). */
export interface KeyValue {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
  key(index: number): string | null;
  readonly length: number;
}

const PREFIX = "accord.draft.";

/** Local drafts of one person (key: `accord.draft.<user>.<task>`). */
export class LocalDrafts {
  constructor(
    private readonly storage: KeyValue,
    private readonly userId: number,
  ) {}

  private key(taskId: number): string {
    return `${PREFIX}${this.userId}.${taskId}`;
  }

  read(taskId: number): LocalDraft | null {
    try {
      const text = this.storage.getItem(this.key(taskId));
      if (!text) return null;
      const value = JSON.parse(text) as Partial<LocalDraft>;
      if (typeof value !== "object" || value === null || typeof value.result !== "object" || value.result === null) return null;
      return {
        taskId,
        result: value.result,
        seconds: typeof value.seconds === "number" ? value.seconds : 0,
        savedAt: typeof value.savedAt === "string" ? value.savedAt : new Date(0).toISOString(),
        syncedAt: typeof value.syncedAt === "string" ? value.syncedAt : null,
      };
    } catch {
      return null;
    }
  }

  /** Save; false when the browser refused (storage full or disabled). */
  write(draft: LocalDraft): boolean {
    try {
      this.storage.setItem(this.key(draft.taskId), JSON.stringify(draft));
      return true;
    } catch {
      return false;
    }
  }

  /** Record that the server now holds this exact draft. */
  markSynced(taskId: number, result: JsonObject, serverUpdatedAt: string): void {
    const current = this.read(taskId);
    if (current && sameJson(current.result, result)) this.write({ ...current, syncedAt: serverUpdatedAt });
  }

  remove(taskId: number): void {
    try {
      this.storage.removeItem(this.key(taskId));
    } catch {
      // nothing to do: storage is unavailable
    }
  }

  /** Task ids with a local draft. */
  tasks(): number[] {
    const mine = `${PREFIX}${this.userId}.`;
    const ids: number[] = [];
    for (let i = 0; i < this.storage.length; i++) {
      const key = this.storage.key(i);
      if (key?.startsWith(mine)) ids.push(Number(key.slice(mine.length)));
    }
    return ids.filter((id) => Number.isInteger(id));
  }
}
