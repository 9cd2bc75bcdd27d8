import { useCallback, useEffect, useReducer } from "react";
import { api, ApiError, type Job } from "../../../api";
import { messageOf } from "../errors";
import { advance, nextReadIn, startFollowing, type Follow } from "./follow";

/** Whether the page is hidden now (another tab, a minimised window). */
export const pageHidden = (): boolean => typeof document !== "undefined" && document.visibilityState === "hidden";

/**
 * Follow a job from `initial` (see follow.ts): read it every ~500 ms while it is queued or
 * running and the page shows; stop when it ends or the component goes away. `replace` takes a
 * newer copy of the job (the answer to a cancel). Key the component by the job's id.
 */
export function useJob(initial: Job): { follow: Follow; replace: (job: Job) => void } {
  const [follow, dispatch] = useReducer(advance, initial, (job: Job) => startFollowing(job, pageHidden()));

  useEffect(() => {
    const onVisibility = () => dispatch({ type: pageHidden() ? "hidden" : "shown" });
    document.addEventListener("visibilitychange", onVisibility);
    return () => document.removeEventListener("visibilitychange", onVisibility);
  }, []);

  const delay = nextReadIn(follow);
  const jobId = follow.job.id;
  useEffect(() => {
    if (delay === null) return;
    const controller = new AbortController();
    const timer = window.setTimeout(() => {
      api.jobs.get(jobId, controller.signal).then(
        (job) => dispatch({ type: "read", job }),
        (error: unknown) => {
          if (controller.signal.aborted) return;
          const gone = error instanceof ApiError && error.status === 404;
          dispatch({ type: "failed", message: messageOf(error), gone });
        },
      );
    }, delay);
    return () => {
      window.clearTimeout(timer);
      controller.abort();
    };
    // `follow` changes on every read: each answer schedules the next one.
  }, [follow, delay, jobId]);

  const replace = useCallback((job: Job) => dispatch({ type: "read", job }), []);
  return { follow, replace };
}
