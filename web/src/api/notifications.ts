/** The caller's in-app notifications (the bell in the top bar). */
import { request } from "./http";

export interface AppNotification {
  id: number;
  /** What happened, e.g. `flag.answered`. */
  kind: string;
  project_id: number | null;
  text: string;
  /** A path in the app ("" for none). */
  link: string;
  created_at: string;
  read_at: string | null;
}

export interface NotificationPage {
  items: AppNotification[];
  unread: number;
  next_before: number | null;
}

export const notifications = {
  list: (before: number | null = null, limit = 20) => request<NotificationPage>("GET", "/notifications", { query: { before, limit } }),
  unread: () => request<{ unread: number }>("GET", "/notifications/unread"),
  /** Mark some read, or all (`ids` null). */
  markRead: (ids: number[] | null) => request<{ unread: number }>("POST", "/notifications/read", { body: { ids } }),
};
