/** Sensitive content and data-handling settings (docs/confidentiality.md). */
import { request } from "./http";

export interface TaskHandling {
  task_id: number;
  sensitive: boolean;
  data_deleted_at: string | null;
  watermark: boolean;
  block_copy: boolean;
  viewer: { name: string; email: string };
  /** The server's time when the task was opened: shown in the watermark. */
  at: string;
  may_unmark: boolean;
}

export interface Exposure {
  opted_in: boolean;
  served_today: number;
  limit: number;
  limit_reached: boolean;
  streak: number;
  streak_minutes: number;
  break_due: boolean;
}

export interface Handling {
  sensitive_daily_limit: number;
  sensitive_break_after: number;
  sensitive_break_minutes: number;
  export_admins_only: boolean;
  watermark: boolean;
  block_copy: boolean;
  access_log: boolean;
  access_log_days: number;
  retention_days: number;
}

export interface SensitiveMetrics {
  days: { user_id: number; name: string; email: string | null; day: string; served: number }[];
  members: { user_id: number; name: string; email: string | null; opted_in: boolean; limit: number | null }[];
  daily_limit: number;
}

export interface TaskView {
  id: number;
  at: string;
  user_id: number | null;
  email: string | null;
  task_id: number | null;
  where: string;
}

export const sensitiveApi = {
  accessLog: (projectId: number, limit = 20) =>
    request<{ items: TaskView[]; next_before: number | null }>("GET", `/projects/${projectId}/access-log`, { query: { limit } }),
  taskHandling: (taskId: number) => request<TaskHandling>("GET", `/tasks/${taskId}/handling`),
  mark: (taskId: number, sensitive: boolean, reason = "") =>
    request<{ task_id: number; sensitive: boolean }>("POST", `/tasks/${taskId}/sensitive`, { body: { sensitive, reason } }),
  me: (projectId: number) => request<Exposure>("GET", `/projects/${projectId}/sensitive/me`),
  optIn: (projectId: number, optIn: boolean) => request<Exposure>("PUT", `/projects/${projectId}/sensitive/opt-in`, { body: { opt_in: optIn } }),
  takeBreak: (projectId: number) => request<Exposure>("POST", `/projects/${projectId}/sensitive/break`),
  handling: (projectId: number) => request<Handling>("GET", `/projects/${projectId}/handling`),
  setHandling: (projectId: number, changes: Partial<Handling>) => request<Handling>("PATCH", `/projects/${projectId}/handling`, { body: changes }),
  metrics: (projectId: number, days = 7) => request<SensitiveMetrics>("GET", `/projects/${projectId}/metrics/sensitive`, { query: { days } }),
  setMemberLimit: (projectId: number, userId: number, limit: number | null) =>
    request<unknown>("PUT", `/projects/${projectId}/members/${userId}/sensitive-limit`, { body: { limit } }),
};
