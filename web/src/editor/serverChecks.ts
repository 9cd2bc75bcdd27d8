/**
 * The server's verdicts on the checks only it can run (language detection, YAML and Python
 * code blocks: `needsServer` in checks.ts), asked for while the annotator types: at most one
 * request per question in flight, sent once typing pauses (`delayMs`), the last few answers
 * kept per text box. A question with several texts (a transcript: one per segment) names
 * each box by a `slot` (the segment's id), so that typing in one never drops another's
 * request or verdicts. `liveVerdicts` merges them with the browser's own verdicts.
 */
import { useEffect } from "react";
import { MAX_CHECK_CHARS, checkText } from "../api/checks";
import type { Timers } from "./autosave";
import { judge, needsServer, type CheckVerdict, type DeclaredCheck } from "./checks";
import { Listenable } from "./listenable";

type Fetcher = (question: string, text: string) => Promise<CheckVerdict[]>;
/** What is known of one check: its verdict, being asked (`pending`), or left to the submit. */
export type LiveVerdict = CheckVerdict | { check: string; index: number; level: CheckVerdict["level"]; state: "pending" | "submit" };

const KEPT = 8;
const defaultTimers: Timers = {
  set: (callback, ms) => globalThis.setTimeout(callback, ms) as unknown as number,
  clear: (handle) => globalThis.clearTimeout(handle),
};

/** A text box's key: the question's name, and the slot (a segment's id) where there are several. */
const boxOf = (question: string, slot: string): string => (slot ? `${question}\u0000${slot}` : question);

export class ServerChecks extends Listenable {
  /** Per text box (`boxOf`): the verdicts known per text. */
  private readonly known = new Map<string, Map<string, CheckVerdict[] | "failed">>();
  private readonly waiting = new Map<string, { text: string; timer: number }>();
  private readonly inFlight = new Set<string>();

  constructor(
    private readonly fetcher: Fetcher,
    readonly delayMs = 400,
    private readonly timers: Timers = defaultTimers,
  ) {
    super();
  }

  /** The server's verdicts on `text`, "pending" while not known, "failed" if it could not say. */
  get(question: string, text: string, slot = ""): CheckVerdict[] | "pending" | "failed" {
    if (text.length > MAX_CHECK_CHARS) return "failed";
    return this.known.get(boxOf(question, slot))?.get(text) ?? "pending";
  }

  /** Ask for `text`'s verdicts once typing pauses (unless known). */
  want(question: string, text: string, slot = ""): void {
    if (this.get(question, text, slot) !== "pending") return;
    const box = boxOf(question, slot);
    const before = this.waiting.get(box);
    if (before?.text === text) return;
    if (before) this.timers.clear(before.timer);
    const timer = this.timers.set(() => void this.send(question, text, slot), this.delayMs);
    this.waiting.set(box, { text, timer });
  }

  private async send(question: string, text: string, slot: string): Promise<void> {
    const box = boxOf(question, slot);
    if (this.inFlight.has(question)) {
      // One at a time per question: try again when the one under way is back.
      this.waiting.set(box, { text, timer: this.timers.set(() => void this.send(question, text, slot), this.delayMs) });
      return;
    }
    this.waiting.delete(box);
    this.inFlight.add(question);
    let found: CheckVerdict[] | "failed";
    try {
      found = await this.fetcher(question, text);
    } catch {
      found = "failed";
    }
    this.inFlight.delete(question);
    let kept = this.known.get(box);
    if (!kept) this.known.set(box, (kept = new Map()));
    kept.set(text, found);
    if (kept.size > KEPT) kept.delete(kept.keys().next().value as string);
    this.changed();
  }

  dispose(): void {
    for (const { timer } of this.waiting.values()) this.timers.clear(timer);
    this.waiting.clear();
  }
}

/** Each declared check's verdict on `text` (in the box `slot`, for a transcript's segment): the browser's own, else the server's (if any). */
export function liveVerdicts(question: string, checks: readonly DeclaredCheck[], text: string, server: ServerChecks | null, slot = ""): LiveVerdict[] {
  const fromServer = checks.some(needsServer) && server ? server.get(question, text, slot) : "failed";
  return checks.map((check): LiveVerdict => {
    const local = judge(check, text);
    if (local) return local;
    const base = { check: check.kind, index: check.index, level: check.level };
    if (fromServer === "pending") return { ...base, state: "pending" };
    if (fromServer === "failed") return { ...base, state: "submit" };
    return fromServer.find((v) => v.index === check.index) ?? { ...base, state: "submit" };
  });
}

export const isVerdict = (live: LiveVerdict): live is CheckVerdict => "ok" in live;

const stores = new Map<number, ServerChecks>();
let active: number | null = null;

/** The store of the project being annotated (null elsewhere: such checks wait for the submit). */
export function activeServerChecks(): ServerChecks | null {
  return active === null ? null : serverChecksOf(active);
}

export function serverChecksOf(projectId: number): ServerChecks {
  let store = stores.get(projectId);
  if (!store) {
    store = new ServerChecks(async (question, text) => (await checkText(projectId, question, text)).verdicts);
    stores.set(projectId, store);
  }
  return store;
}

/** While mounted, the text checks of `projectId` ask its server for what only it can check. */
export function useServerChecks(projectId: number): void {
  active = projectId; // before the widgets first render (their effects run before ours)
  useEffect(() => {
    active = projectId;
    active = projectId;
    return () => {
      if (active === projectId) active = null;
    };
  }, [projectId]);
}
