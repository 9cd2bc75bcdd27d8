/** Tool problem reports ("Report a problem"): send one, see your own and their status; admins
 * list, triage and export them (docs/problem_reports.md). */
import { buildUrl, request } from "./http";

export const REPORT_STATUSES = ["new", "triaged", "in_progress", "fixed", "wont_fix", "duplicate"] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

export interface ReportLimits {
  app_version: string;
  max_text: number;
  max_context_bytes: number;
  max_screenshot_bytes: number;
}

export interface ProblemReportSummary {
  id: number;
  reporter: { id: number; name: string; email: string } | null;
  created_at: string;
  updated_at: string;
  summary: string;
  page: string | null;
  project_id: number | null;
  task_id: number | null;
  status: ReportStatus;
  duplicate_of: number | null;
  has_screenshot: boolean;
}

export interface ProblemReport extends ProblemReportSummary {
  text: string;
  context: Record<string, unknown>;
  /** The admins' notes; null when you are not an admin. */
  notes: string | null;
  screenshot_url: string | null;
  screenshot_bytes: number | null;
}

export interface ProblemReportPage {
  items: ProblemReportSummary[];
  next_before: number | null;
}

export interface NewProblemReport {
  text: string;
  context: object;
  /** A data: URL of a PNG or JPEG. */
  screenshot?: string | null;
}

export interface ReportChange {
  status?: ReportStatus;
  duplicate_of?: number | null;
  notes?: string;
}

export const problemReports = {
  limits: () => request<ReportLimits>("GET", "/problem-reports/limits"),
  create: (body: NewProblemReport) => request<ProblemReport>("POST", "/problem-reports", { body }),
  list: (status: ReportStatus | null, before: number | null = null) =>
    request<ProblemReportPage>("GET", "/problem-reports", { query: { status, before } }),
  mine: (before: number | null = null) => request<ProblemReportPage>("GET", "/problem-reports/mine", { query: { before } }),
  get: (id: number) => request<ProblemReport>("GET", `/problem-reports/${id}`),
  triage: (id: number, change: ReportChange) => request<ProblemReport>("PATCH", `/problem-reports/${id}`, { body: change }),
  /** Admins delete any report; a reporter withdraws their own while it is open (409 once closed). */
  remove: (id: number) => request<void>("DELETE", `/problem-reports/${id}`),
  exportUrl: () => buildUrl("/problem-reports/export"),
};
