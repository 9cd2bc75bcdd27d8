/** Background jobs of a project (managers): list them, follow one, cancel it (see
 * src/accord/api/jobs.py). Starting one is the call of its noun: `api.imports.start`,
 * `api.exports.start`. A finished export's file is at the job's `download_url`. */
import { request } from "./http";
import type { Job, JobKind, JobList } from "./types";

export interface JobFilter {
  /** Only queued and running jobs. */
  active?: boolean;
  kind?: JobKind | null;
  limit?: number;
  /** Only jobs older than this id (the next page). */
  before?: number | null;
}

export const jobs = {
  /** The project's jobs, newest first. */
  list: (projectId: number, filter: JobFilter = {}, signal?: AbortSignal) =>
    request<JobList>("GET", `/projects/${projectId}/jobs`, {
      query: { active: filter.active ? true : null, kind: filter.kind ?? null, limit: filter.limit ?? null, before: filter.before ?? null },
      signal,
    }),
  get: (jobId: number, signal?: AbortSignal) => request<Job>("GET", `/jobs/${jobId}`, { signal }),
  /** A queued job stops at once, a running one at its next step; an import past its commit
   * point finishes. 409 `job_finished` once it is over. */
  cancel: (jobId: number) => request<Job>("POST", `/jobs/${jobId}/cancel`),
};
