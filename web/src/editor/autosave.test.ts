import { describe, expect, it } from "vitest";
import { Autosaver, type SaveState, type Timers } from "./autosave";

class FakeTimers implements Timers {
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
  async advance(ms: number): Promise<void> {
    this.now += ms;
    for (const [id, timer] of [...this.queue].sort((a, b) => a[1].at - b[1].at)) {
      if (timer.at <= this.now) {
        this.queue.delete(id);
        timer.callback();
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
    }
  }
}

describe("Autosaver", () => {
  it("saves once a few seconds after a burst of changes", async () => {
    const timers = new FakeTimers();
    let saves = 0;
    const saver = new Autosaver(async () => void saves++, undefined, 3000, timers);
    saver.changed();
    saver.changed();
    await timers.advance(1000);
    saver.changed();
    expect(saves).toBe(0);
    await timers.advance(2000);
    expect(saves).toBe(1);
    expect(saver.state).toBe("saved");
  });

  it("saves at once on flush, and not at all when nothing changed", async () => {
    const timers = new FakeTimers();
    let saves = 0;
    const saver = new Autosaver(async () => void saves++, undefined, 3000, timers);
    await saver.flush();
    expect(saves).toBe(0);
    saver.changed();
    await saver.flush();
    expect(saves).toBe(1);
    await timers.advance(5000);
    expect(saves).toBe(1);
  });

  it("retries after a failure and reports the error", async () => {
    const timers = new FakeTimers();
    let fail = true;
    let saves = 0;
    const states: SaveState[] = [];
    const saver = new Autosaver(
      async () => {
        saves++;
        if (fail) throw new Error("offline");
      },
      (state) => states.push(state),
      1000,
      timers,
    );
    saver.changed();
    await timers.advance(1000);
    expect(saver.state).toBe("error");
    fail = false;
    await timers.advance(2000);
    expect(saves).toBe(2);
    expect(saver.state).toBe("saved");
    expect(states).toContain("error");
  });

  it("forgets pending changes on cancel", async () => {
    const timers = new FakeTimers();
    let saves = 0;
    const saver = new Autosaver(async () => void saves++, undefined, 1000, timers);
    saver.changed();
    saver.cancel();
    await timers.advance(5000);
    expect(saves).toBe(0);
  });

  it("stop waits for a save under way and then saves nothing more, even if it failed", async () => {
    const timers = new FakeTimers();
    const calls: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
    const saver = new Autosaver(
      () => new Promise<void>((resolve, reject) => calls.push({ resolve, reject })),
      undefined,
      1000,
      timers,
    );
    saver.changed();
    await timers.advance(1000);
    expect(calls).toHaveLength(1);
    expect(saver.state).toBe("saving");
    saver.changed(); // typed more while the save was on its way
    let stopped = false;
    const stopping = saver.stop().then(() => void (stopped = true));
    await Promise.resolve();
    expect(stopped).toBe(false);
    calls[0]?.reject(new Error("offline"));
    await stopping;
    expect(stopped).toBe(true);
    expect(saver.state).toBe("saved");
    expect(saver.hasUnsaved).toBe(false);
    await timers.advance(120_000);
    expect(calls).toHaveLength(1);
  });

  it("saves changes made after stop, as a new start", async () => {
    const timers = new FakeTimers();
    let saves = 0;
    const saver = new Autosaver(async () => void saves++, undefined, 1000, timers);
    saver.changed();
    await saver.stop();
    expect(saves).toBe(0);
    saver.changed();
    await timers.advance(1000);
    expect(saves).toBe(1);
  });
});
