/** The data manager's filters, kept in the page's address so that back, reload and links keep them. */
import type { TaskFilter, TaskSort, TaskStatus } from "../../../api/types";

const STATUSES: TaskStatus[] = ["new", "in_progress", "complete"];
const SORTS: TaskSort[] = ["id", "-id", "annotations", "-annotations"];

export function filterFromSearch(search: string): TaskFilter {
  const params = new URLSearchParams(search);
  const status = params.get("status") as TaskStatus | null;
  const sort = params.get("sort") as TaskSort | null;
  return {
    status: status && STATUSES.includes(status) ? status : null,
    annotator: params.get("annotator") || null,
    q: params.get("q") || null,
    question: params.get("question") || null,
    value: params.get("value") || null,
    skipped: params.get("skipped") === "1",
    sort: sort && SORTS.includes(sort) ? sort : "id",
  };
}

export function searchOf(filter: TaskFilter): string {
  const params = new URLSearchParams();
  for (const key of ["status", "annotator", "q", "question", "value"] as const) {
    const value = filter[key];
    if (value) params.set(key, value);
  }
  if (filter.skipped) params.set("skipped", "1");
  if (filter.sort && filter.sort !== "id") params.set("sort", filter.sort);
  const text = params.toString();
  return text ? `?${text}` : "";
}

export const hasFilters = (filter: TaskFilter): boolean =>
  Boolean(filter.status || filter.annotator || filter.q || filter.question || filter.skipped);

/** The filters last used per project, so that "back to the data" returns to the same table. */
export const lastSearch = new Map<number, string>();
