import { useEffect, useState } from "react";
import { api, type Job, type JobFilter } from "../../../api";
import { useLoad, type Loaded } from "../../../ui/useLoad";
import { isActive } from "./format";
import { pageHidden } from "./useJob";

/** While a listed job is active, the list is read again this often (when `live`). */
export const LIST_POLL_MS = 1_000;

/** Whether the page shows (false while another tab or a minimised window hides it). */
export function usePageShown(): boolean {
  const [shown, setShown] = useState(() => !pageHidden());
  useEffect(() => {
    const onVisibility = () => setShown(!pageHidden());
    document.addEventListener("visibilitychange", onVisibility);
    return () => document.removeEventListener("visibilitychange", onVisibility);
  }, []);
  return shown;
}

/** A project's jobs, newest first; with `live`, read again every second while any of them is
 * queued or running and the page shows. */
export function useJobList(projectId: number, filter: JobFilter, live: boolean): [Loaded<Job[]>, () => void] {
  const key = `jobs:${projectId}:${filter.kind ?? ""}:${filter.active ? 1 : 0}:${filter.limit ?? ""}`;
  const [state, reload] = useLoad(() => api.jobs.list(projectId, filter).then((list) => list.jobs), key);
  const shown = usePageShown();
  const busy = state.status === "ready" && state.value.some(isActive);
  useEffect(() => {
    if (!live || !shown || !busy) return;
    const timer = window.setTimeout(reload, LIST_POLL_MS);
    return () => window.clearTimeout(timer);
  }, [live, shown, busy, state, reload]);
  return [state, reload];
}
