import { describe, expect, it } from "vitest";
import { advance, MAX_BACKOFF_MS, nextReadIn, POLL_MS, startFollowing, type Follow } from "./follow";
import { job } from "./testJob";

const running = job({ state: "running" });

describe("following a job", () => {
  it("starts following an active job and ends at once for one that is over", () => {
    expect(startFollowing(job({ state: "queued" })).status).toBe("following");
    expect(startFollowing(running, true).status).toBe("paused");
    expect(startFollowing(job({ state: "succeeded" })).status).toBe("ended");
    expect(nextReadIn(startFollowing(running))).toBe(POLL_MS);
  });

  it("reads again while it runs and stops when it ends", () => {
    let state = startFollowing(running);
    state = advance(state, { type: "read", job: { ...running, done: 10 } });
    expect(state).toMatchObject({ status: "following", job: { done: 10 } });
    state = advance(state, { type: "read", job: { ...running, state: "failed", error: "bad" } });
    expect(state).toMatchObject({ status: "ended", job: { state: "failed" } });
    expect(nextReadIn(state)).toBeNull();
    // Nothing moves it on once it is over.
    expect(advance(state, { type: "read", job: running })).toBe(state);
    expect(advance(state, { type: "shown" })).toBe(state);
  });

  it("ignores an answer about another job", () => {
    const state = startFollowing(running);
    expect(advance(state, { type: "read", job: job({ id: 99, state: "succeeded" }) })).toBe(state);
  });

  it("backs off after failed reads, says why, and recovers", () => {
    let state: Follow = startFollowing(running);
    const delays: (number | null)[] = [];
    for (let i = 0; i < 6; i++) {
      state = advance(state, { type: "failed", message: "Cannot reach the server.", gone: false });
      delays.push(nextReadIn(state));
    }
    expect(delays).toEqual([1000, 2000, 4000, MAX_BACKOFF_MS, MAX_BACKOFF_MS, MAX_BACKOFF_MS]);
    expect(state).toMatchObject({ status: "following", failures: 6, error: "Cannot reach the server." });
    state = advance(state, { type: "read", job: running });
    expect(state).toMatchObject({ status: "following", failures: 0, error: null });
    expect(nextReadIn(state)).toBe(POLL_MS);
  });

  it("gives up on a job that is gone", () => {
    const state = advance(startFollowing(running), { type: "failed", message: "no job 7, or you cannot see it", gone: true });
    expect(state).toMatchObject({ status: "lost", error: "no job 7, or you cannot see it" });
    expect(nextReadIn(state)).toBeNull();
  });

  it("pauses while the page is hidden and reads at once when it shows", () => {
    let state = advance(startFollowing(running), { type: "hidden" });
    expect(state.status).toBe("paused");
    expect(nextReadIn(state)).toBeNull();
    // A read that was already under way still lands, without waking the loop.
    state = advance(state, { type: "read", job: { ...running, done: 5 } });
    expect(state).toMatchObject({ status: "paused", job: { done: 5 } });
    state = advance(state, { type: "shown" });
    expect(nextReadIn(state)).toBe(0);
    state = advance(state, { type: "read", job: { ...running, done: 6 } });
    expect(nextReadIn(state)).toBe(POLL_MS);
  });

  it("ends when a cancel answers that the job is cancelled", () => {
    const state = advance(startFollowing(job({ state: "queued" })), { type: "read", job: job({ state: "cancelled", cancel_requested: true }) });
    expect(state.status).toBe("ended");
  });
});
