import { describe, expect, it } from "vitest";
import type { Timers } from "./autosave";
import { RuleEngine, type WorkerLike } from "./ruleEngine";
import { compileRules } from "./textRules";

/** Timers run by hand. */
class ManualTimers implements Timers {
  private queue = new Map<number, { at: number; callback: () => void }>();
  private id = 0;
  now = 0;
  set(callback: () => void, ms: number): number {
    this.queue.set(++this.id, { at: this.now + ms, callback });
    return this.id;
  }
  clear(handle: number): void {
    this.queue.delete(handle);
  }
  advance(ms: number): void {
    this.now += ms;
    for (const [id, timer] of [...this.queue].sort((a, b) => a[1].at - b[1].at)) {
      if (timer.at <= this.now && this.queue.has(id)) {
        this.queue.delete(id);
        timer.callback();
      }
    }
  }
}

interface Job {
  id: number;
  source: string;
  flags: string;
  text: string;
}

/** A worker whose jobs the test answers (or leaves running, as a runaway pattern would). */
class FakeWorker implements WorkerLike {
  onmessage: ((event: MessageEvent) => unknown) | null = null;
  onerror: ((event: ErrorEvent) => unknown) | null = null;
  jobs: Job[] = [];
  terminated = false;
  postMessage(message: unknown): void {
    this.jobs.push(message as Job);
  }
  terminate(): void {
    this.terminated = true;
  }
  reply(data: object): void {
    this.onmessage?.({ data } as MessageEvent);
  }
  /** Start the oldest job and answer it as a real RegExp would. */
  run(): void {
    const job = this.jobs.shift();
    if (!job) throw new Error("no job");
    this.reply({ id: job.id, started: true });
    this.reply({ id: job.id, matched: new RegExp(job.source, job.flags).test(job.text) });
  }
}

function setup() {
  const timers = new ManualTimers();
  const workers: FakeWorker[] = [];
  const engine = new RuleEngine(
    () => {
      const worker = new FakeWorker();
      workers.push(worker);
      return worker;
    },
    300,
    timers,
  );
  const [digit, runaway] = compileRules([
    { pattern: "\\d", message: "Cite a number", mustMatch: true },
    { pattern: "(a+)+$", message: "No trailing a's", mustMatch: false },
  ]);
  if (!digit || !runaway) throw new Error("rules");
  return { timers, workers, engine, digit, runaway };
}

describe("RuleEngine", () => {
  it("checks rules in the worker, one job at a time, and keeps the verdicts", () => {
    const { workers, engine, digit, runaway } = setup();
    let changes = 0;
    engine.subscribe(() => changes++);
    expect(engine.status(digit, "page 4")).toBe("pending");
    engine.request([digit, runaway], "page 4");
    expect(workers).toHaveLength(1);
    expect(workers[0]?.jobs).toHaveLength(1); // the second waits for the first
    workers[0]?.run();
    workers[0]?.run();
    expect(engine.status(digit, "page 4")).toBe("pass");
    expect(engine.status(runaway, "page 4")).toBe("pass");
    expect(engine.status(digit, "no digits")).toBe("pending");
    expect(changes).toBe(2);
    engine.request([digit], "page 4");
    expect(workers[0]?.jobs).toHaveLength(0); // known: not asked again
  });

  it("checks only the newest text of a rule", () => {
    const { workers, engine, digit } = setup();
    engine.request([digit], "a");
    engine.request([digit], "ab");
    engine.request([digit], "ab1");
    const worker = workers[0] as FakeWorker;
    worker.run(); // "a", already under way
    worker.run(); // "ab1"; "ab" was dropped
    expect(worker.jobs).toHaveLength(0);
    expect(engine.status(digit, "ab")).toBe("pending");
    expect(engine.status(digit, "ab1")).toBe("pass");
  });

  it("ends a worker that runs over the budget, and leaves that rule to the server", () => {
    const { timers, workers, engine, digit, runaway } = setup();
    const text = `${"a".repeat(40)}b`;
    engine.request([runaway, digit], text);
    const first = workers[0] as FakeWorker;
    const job = first.jobs.shift() as Job;
    first.reply({ id: job.id, started: true });
    timers.advance(299);
    expect(first.terminated).toBe(false);
    timers.advance(1);
    expect(first.terminated).toBe(true);
    expect(engine.status(runaway, text)).toBe("server");
    expect(engine.isSlow(runaway)).toBe(true);
    // The other rule goes on in a fresh worker; the slow one is never sent again.
    const second = workers[1] as FakeWorker;
    expect(second.jobs.map((j) => j.source)).toEqual([digit.regexp?.source]);
    second.run();
    expect(engine.status(digit, text)).toBe("fail");
    engine.request([runaway], "aab");
    expect(second.jobs).toHaveLength(0);
    expect(engine.status(runaway, "aab")).toBe("server");
  });

  it("counts the budget from the job's start, not from the worker's loading", () => {
    const { timers, workers, engine, digit } = setup();
    engine.request([digit], "x");
    timers.advance(5000); // a slow machine loading the worker
    const worker = workers[0] as FakeWorker;
    expect(worker.terminated).toBe(false);
    worker.run();
    expect(engine.status(digit, "x")).toBe("fail");
  });

  it("leaves every rule to the server when workers cannot run", () => {
    const { workers, engine, digit } = setup();
    engine.request([digit], "x");
    workers[0]?.onerror?.({} as ErrorEvent);
    expect(engine.status(digit, "x")).toBe("server");
    const none = new RuleEngine(null);
    expect(none.status(digit, "x")).toBe("server");
  });

  it("leaves patterns JavaScript cannot express to the server", () => {
    const { engine } = setup();
    const [possessive] = compileRules([{ pattern: "a++", message: "", mustMatch: true }]);
    expect(possessive && engine.status(possessive, "aaa")).toBe("server");
  });
});
