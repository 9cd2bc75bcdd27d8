/**
 * The browser's verdicts on `text` questions' rules, computed in a Web Worker with a time
 * budget, so that no project's pattern can hang an annotator's tab. The page asks for a
 * verdict (`request`), reads what is known (`status`) and re-renders when more is known
 * (`subscribe`). A rule that runs over its budget once (the worker is ended and a fresh one
 * started) is not run again in this page: it is "checked when you submit", by the server,
 * whose engine (RE2) is linear-time and authoritative. Without workers (old browsers, tests,
 * a policy that forbids them) every rule is left to the server.
 */
import type { Timers } from "./autosave";
import type { RuleCheck, RuleStatus } from "./textRules";
import { Listenable } from "./listenable";

/** The part of `Worker` the engine uses (a fake in tests). */
export interface WorkerLike {
  postMessage(message: unknown): void;
  terminate(): void;
  onmessage: ((event: MessageEvent) => unknown) | null;
  onerror: ((event: ErrorEvent) => unknown) | null;
}

interface Job {
  source: string;
  flags: string;
  text: string;
}

interface Running extends Job {
  id: number;
  key: string;
  timer: number | null;
}

/** Verdicts kept per rule: the last few texts (what is shown, what is submitted). */
const KEPT_TEXTS = 8;
/** A worker that does not even start a job in this long is taken as unable to run. */
const START_LIMIT_MS = 15_000;

const defaultTimers: Timers = {
  set: (callback, ms) => globalThis.setTimeout(callback, ms) as unknown as number,
  clear: (handle) => globalThis.clearTimeout(handle),
};

export const keyOf = (regexp: RegExp): string => `${regexp.flags}/${regexp.source}`;

export class RuleEngine extends Listenable {
  private worker: WorkerLike | null = null;
  /** The worker could not run (blocked or failed to load): the server decides everything. */
  private broken = false;
  /** Rules (by key) that ran over the budget. */
  private readonly slow = new Set<string>();
  private readonly verdicts = new Map<string, Map<string, boolean>>();
  /** The latest text wanted per rule, in the order asked. */
  private readonly queue = new Map<string, Job>();
  private running: Running | null = null;
  private nextId = 1;

  constructor(
    private readonly factory: (() => WorkerLike) | null,
    readonly budgetMs = 400,
    private readonly timers: Timers = defaultTimers,
  ) {
    super();
  }

  status(check: RuleCheck, text: string): RuleStatus {
    if (!check.regexp || !this.factory || this.broken) return "server";
    const key = keyOf(check.regexp);
    const matched = this.verdicts.get(key)?.get(text);
    if (matched !== undefined) return matched === check.rule.mustMatch ? "pass" : "fail";
    return this.slow.has(key) ? "server" : "pending";
  }

  /** This rule ran over its budget in this page. */
  isSlow(check: RuleCheck): boolean {
    return check.regexp !== null && this.slow.has(keyOf(check.regexp));
  }

  /** Check every rule on `text` in the worker, unless already known or under way. */
  request(checks: readonly RuleCheck[], text: string): void {
    for (const check of checks) {
      if (!check.regexp || this.status(check, text) !== "pending") continue;
      const key = keyOf(check.regexp);
      if (this.running?.key === key && this.running.text === text) continue;
      this.queue.delete(key); // only the newest text of each rule is worth checking
      this.queue.set(key, { source: check.regexp.source, flags: check.regexp.flags, text });
    }
    this.pump();
  }

  private pump(): void {
    while (!this.running && this.queue.size > 0) {
      if (this.broken || !this.factory) {
        this.queue.clear();
        return;
      }
      const [key, job] = this.queue.entries().next().value as [string, Job];
      this.queue.delete(key);
      if (this.slow.has(key) || this.verdicts.get(key)?.has(job.text)) continue;
      const worker = this.ensureWorker();
      if (!worker) return;
      const id = this.nextId++;
      // Until the worker says it started, only a very long silence counts (loading a worker
      // on a busy machine is slow); the budget itself starts with the job.
      const running: Running = { ...job, id, key, timer: null };
      running.timer = this.timers.set(() => this.noStart(id), START_LIMIT_MS);
      this.running = running;
      worker.postMessage({ id, source: job.source, flags: job.flags, text: job.text });
    }
  }

  private ensureWorker(): WorkerLike | null {
    if (this.worker) return this.worker;
    try {
      const worker = (this.factory as () => WorkerLike)();
      worker.onmessage = (event) => this.onMessage(event.data);
      worker.onerror = () => this.giveUp();
      this.worker = worker;
      return worker;
    } catch {
      this.giveUp();
      return null;
    }
  }

  private onMessage(data: unknown): void {
    const running = this.running;
    if (!running || typeof data !== "object" || data === null || (data as { id?: unknown }).id !== running.id) return;
    const message = data as { started?: boolean; matched?: boolean; error?: string };
    if (running.timer !== null) this.timers.clear(running.timer);
    if (message.started) {
      running.timer = this.timers.set(() => this.overrun(running.id), this.budgetMs);
      return;
    }
    this.running = null;
    if (typeof message.matched === "boolean") this.remember(running.key, running.text, message.matched);
    else this.slow.add(running.key); // the pattern did not compile here: the server decides
    this.changed();
    this.pump();
  }

  private remember(key: string, text: string, matched: boolean): void {
    let kept = this.verdicts.get(key);
    if (!kept) {
      kept = new Map();
      this.verdicts.set(key, kept);
    }
    kept.delete(text);
    kept.set(text, matched);
    if (kept.size > KEPT_TEXTS) kept.delete(kept.keys().next().value as string);
  }

  /** The job ran over its budget: end the worker (the only way to stop a regex) and move on. */
  private overrun(id: number): void {
    const running = this.running;
    if (!running || running.id !== id) return;
    this.worker?.terminate();
    this.worker = null;
    this.running = null;
    this.slow.add(running.key);
    this.changed();
    this.pump();
  }

  private noStart(id: number): void {
    if (this.running?.id === id) this.giveUp();
  }

  private giveUp(): void {
    if (this.running?.timer != null) this.timers.clear(this.running.timer);
    this.worker?.terminate();
    this.worker = null;
    this.running = null;
    this.broken = true;
    this.queue.clear();
    this.changed();
  }

  /** End the worker (a new one starts if more is asked). */
  dispose(): void {
    if (this.running?.timer != null) this.timers.clear(this.running.timer);
    this.worker?.terminate();
    this.worker = null;
    this.running = null;
    this.queue.clear();
  }
}

/** A worker of the app's own origin (a file Vite bundles), or null where there are no workers. */
function browserWorker(): (() => WorkerLike) | null {
  if (typeof Worker === "undefined") return null;
  return () => new Worker(new URL("./ruleWorker.ts", import.meta.url), { type: "module", name: "accord-text-rules" });
}

export function createRuleEngine(): RuleEngine {
  return new RuleEngine(browserWorker());
}

let shared: RuleEngine | null = null;

/** One engine for widgets shown outside an annotation session (the interface preview). */
export function sharedRuleEngine(): RuleEngine {
  shared ??= createRuleEngine();
  return shared;
}
