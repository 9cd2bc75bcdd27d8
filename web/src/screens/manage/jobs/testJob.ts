/** A job as the server sends it, for the unit tests. */
import type { Job } from "../../../api";

export function job(over: Partial<Job> = {}): Job {
  return {
    id: 7,
    project_id: 1,
    kind: "import",
    state: "running",
    phase: "checking and staging rows",
    done: 0,
    total: null,
    unit: "bytes",
    percent: null,
    rate: null,
    eta_seconds: null,
    params: {},
    attempts: 1,
    max_attempts: 3,
    cancel_requested: false,
    created_by: "lead@example.org",
    created_at: "2026-05-01T10:00:00Z",
    started_at: "2026-05-01T10:00:01Z",
    finished_at: null,
    error: null,
    log: [],
    result: null,
    download_url: null,
    ...over,
  };
}
