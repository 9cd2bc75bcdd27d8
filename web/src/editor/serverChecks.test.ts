import { describe, expect, it } from "vitest";
import type { Timers } from "./autosave";
import { parseDeclaredChecks, type CheckVerdict } from "./checks";
import { ServerChecks, liveVerdicts } from "./serverChecks";

function fakeTimers(): Timers & { run(): void; pending(): number } {
  let next = 1;
  const due = new Map<number, () => void>();
  return {
    set: (callback) => {
      due.set(next, callback);
      return next++;
    },
    clear: (handle) => void due.delete(handle),
    run: () => {
      const callbacks = [...due.values()];
      due.clear();
      for (const callback of callbacks) callback();
    },
    pending: () => due.size,
  };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("ServerChecks", () => {
  const checks = parseDeclaredChecks([{ kind: "words", min: 2 }, { kind: "language", expected: ["en"], level: "warn" }]);

  it("asks once typing pauses, for the last text only, and merges the server's verdicts", async () => {
    const timers = fakeTimers();
    const asked: string[] = [];
    const server = new ServerChecks(
      async (_question, text) => {
        asked.push(text);
        return [{ check: "language", index: 1, level: "warn", ok: false, message: "looks written in de" } satisfies CheckVerdict];
      },
      400,
      timers,
    );
    server.want("why", "Hallo");
    server.want("why", "Hallo Welt");
    expect(timers.pending()).toBe(1);
    expect(liveVerdicts("why", checks, "Hallo Welt", server).map((v) => ("ok" in v ? v.ok : v.state))).toEqual([true, "pending"]);
    timers.run();
    await flush();
    expect(asked).toEqual(["Hallo Welt"]);
    const verdicts = liveVerdicts("why", checks, "Hallo Welt", server);
    expect(verdicts[1]).toMatchObject({ ok: false, level: "warn", message: "looks written in de" });
    server.want("why", "Hallo Welt"); // known: not asked again
    expect(timers.pending()).toBe(0);
  });

  it("keeps each segment's text apart (a transcript): one box's typing never drops another's", async () => {
    const timers = fakeTimers();
    const asked: string[] = [];
    let answering: () => void = () => {};
    const server = new ServerChecks(
      async (_question, text) => {
        asked.push(text);
        await new Promise<void>((resolve) => (answering = resolve));
        return [{ check: "language", index: 1, level: "warn", ok: !text.startsWith("Hallo"), message: text } satisfies CheckVerdict];
      },
      400,
      timers,
    );
    server.want("said", "Hallo Welt", "s1");
    server.want("said", "Hello world", "s2");
    expect(timers.pending()).toBe(2); // both boxes wait; neither replaced the other
    timers.run(); // s1 is sent; s2 waits for it (one request per question at a time)
    expect(asked).toEqual(["Hallo Welt"]);
    answering();
    await flush();
    timers.run();
    answering();
    await flush();
    expect(asked).toEqual(["Hallo Welt", "Hello world"]);
    expect(liveVerdicts("said", checks, "Hallo Welt", server, "s1")[1]).toMatchObject({ ok: false, message: "Hallo Welt" });
    expect(liveVerdicts("said", checks, "Hello world", server, "s2")[1]).toMatchObject({ ok: true });
    expect(liveVerdicts("said", checks, "Hello world", server, "s1")[1]).toMatchObject({ state: "pending" }); // known in s2 only
  });

  it("leaves the check to the submit when the server cannot answer", async () => {
    const timers = fakeTimers();
    const server = new ServerChecks(async () => Promise.reject(new Error("offline")), 400, timers);
    server.want("why", "text here");
    timers.run();
    await flush();
    expect(liveVerdicts("why", checks, "text here", server)[1]).toMatchObject({ state: "submit" });
    expect(liveVerdicts("why", checks, "text here", null)[1]).toMatchObject({ state: "submit" });
  });
});
