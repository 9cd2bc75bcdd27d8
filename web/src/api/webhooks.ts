/** Webhooks of a project (managers): register, change, test, rotate the secret, delete; the
 * delivery log and redelivery (docs/webhooks.md). */
import { request } from "./http";

export const WEBHOOK_EVENTS = ["task.completed", "annotation.created", "annotation.updated", "review.decided", "job.finished"] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export interface Webhook {
  id: number;
  project_id: number;
  url: string;
  description: string;
  events: WebhookEvent[];
  enabled: boolean;
  /** The start of the signing secret, to tell secrets apart. */
  secret_hint: string;
  created_at: string;
  updated_at: string;
}

/** The answer to a creation or a rotation: the secret, shown only this once. */
export interface WebhookWithSecret extends Webhook {
  secret: string;
}

export type DeliveryState = "pending" | "sending" | "delivered" | "failed";

export interface WebhookDelivery {
  id: number;
  webhook_id: number;
  event: string;
  state: DeliveryState;
  attempts: number;
  response_status: number | null;
  duration_ms: number | null;
  /** The first KiB of the receiver's last answer. */
  response_body: string;
  /** What went wrong in the last attempt (empty: nothing). */
  error: string;
  next_attempt_at: string | null;
  last_attempt_at: string | null;
  delivered_at: string | null;
  created_at: string;
  redelivery_of: number | null;
}

export interface DeliveryPage {
  items: WebhookDelivery[];
  next_before: number | null;
}

export interface WebhookChange {
  url?: string;
  events?: WebhookEvent[];
  description?: string;
  enabled?: boolean;
}

const base = (projectId: number) => `/projects/${projectId}/webhooks`;

export const webhooks = {
  list: (projectId: number) => request<Webhook[]>("GET", base(projectId)),
  create: (projectId: number, body: { url: string; events: WebhookEvent[]; description: string }) =>
    request<WebhookWithSecret>("POST", base(projectId), { body }),
  update: (projectId: number, webhookId: number, body: WebhookChange) =>
    request<Webhook>("PATCH", `${base(projectId)}/${webhookId}`, { body }),
  remove: (projectId: number, webhookId: number) => request<{ deleted: boolean }>("DELETE", `${base(projectId)}/${webhookId}`),
  rotateSecret: (projectId: number, webhookId: number) =>
    request<WebhookWithSecret>("POST", `${base(projectId)}/${webhookId}/rotate-secret`),
  /** Queue a `ping` delivery; the process that runs background jobs sends it within a second or so. */
  test: (projectId: number, webhookId: number) => request<WebhookDelivery>("POST", `${base(projectId)}/${webhookId}/test`),
  deliveries: (projectId: number, webhookId: number, before: number | null, limit = 20) =>
    request<DeliveryPage>("GET", `${base(projectId)}/${webhookId}/deliveries`, { query: { before, limit } }),
  /** Send a finished delivery again, as a new delivery. */
  redeliver: (projectId: number, webhookId: number, deliveryId: number) =>
    request<WebhookDelivery>("POST", `${base(projectId)}/${webhookId}/deliveries/${deliveryId}/redeliver`),
};
