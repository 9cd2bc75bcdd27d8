/**
 * Following one background job (pure; `useJob` runs it, follow.test.ts tests it).
 *
 * While the job is queued or running it is read again every `POLL_MS`; an answer that says it
 * is over ends the following. While the page is hidden nothing is read ("paused"); when it
 * shows again the job is read at once. A failed read (the network, the server restarting) is
 * tried again later and later, up to `MAX_BACKOFF_MS`, saying so on screen; a 404 (the job was
 * deleted, or access to its project was lost) ends the following with the server's message.
 */
import type { Job } from "../../../api";
import { isActive } from "./format";

export const POLL_MS = 500;
export const MAX_BACKOFF_MS = 8_000;

export type Follow =
  /** Reading the job every so often; `failures` reads in a row have failed, the last with `error`. */
  | { status: "following"; job: Job; failures: number; error: string | null; now: boolean }
  /** The page is hidden: nothing is read until it shows again. */
  | { status: "paused"; job: Job; failures: number; error: string | null }
  /** The job is over (succeeded, failed or cancelled). */
  | { status: "ended"; job: Job }
  /** The job cannot be read any more (404); `job` is the last seen. */
  | { status: "lost"; job: Job; error: string };

export type FollowEvent =
  /** A read answered with the job (or a cancel did). */
  | { type: "read"; job: Job }
  /** A read failed; `gone` for a 404. */
  | { type: "failed"; message: string; gone: boolean }
  | { type: "hidden" }
  | { type: "shown" };

/** Where following `job` starts: over already, or following it (paused if the page is hidden). */
export function startFollowing(job: Job, hidden = false): Follow {
  if (!isActive(job)) return { status: "ended", job };
  if (hidden) return { status: "paused", job, failures: 0, error: null };
  return { status: "following", job, failures: 0, error: null, now: false };
}

export function advance(state: Follow, event: FollowEvent): Follow {
  if (state.status === "ended" || state.status === "lost") return state;
  switch (event.type) {
    case "read": {
      if (event.job.id !== state.job.id) return state;
      if (!isActive(event.job)) return { status: "ended", job: event.job };
      if (state.status === "paused") return { ...state, job: event.job, failures: 0, error: null };
      return { status: "following", job: event.job, failures: 0, error: null, now: false };
    }
    case "failed":
      if (event.gone) return { status: "lost", job: state.job, error: event.message };
      return { ...state, failures: state.failures + 1, error: event.message, ...(state.status === "following" ? { now: false } : {}) };
    case "hidden":
      return state.status === "paused" ? state : { status: "paused", job: state.job, failures: state.failures, error: state.error };
    case "shown":
      return state.status === "following" ? state : { status: "following", job: state.job, failures: state.failures, error: state.error, now: true };
  }
}

/** Milliseconds until the next read, or null when nothing is to be read. */
export function nextReadIn(state: Follow, interval: number = POLL_MS): number | null {
  if (state.status !== "following") return null;
  if (state.now) return 0;
  if (state.failures === 0) return interval;
  return Math.min(MAX_BACKOFF_MS, interval * 2 ** state.failures);
}
