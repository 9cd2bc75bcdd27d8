import { describe, expect, it } from "vitest";
import type { WebhookDelivery } from "../../api";
import { attemptLine, waitingSoon } from "./webhookLog";

const NOW = Date.parse("2026-12-04T12:00:00Z");

function delivery(over: Partial<WebhookDelivery>): WebhookDelivery {
  return {
    id: 1,
    webhook_id: 1,
    event: "ping",
    state: "delivered",
    attempts: 1,
    response_status: 200,
    duration_ms: 12,
    response_body: "",
    error: "",
    next_attempt_at: null,
    last_attempt_at: null,
    delivered_at: null,
    created_at: "2026-12-04T11:59:00Z",
    redelivery_of: null,
    ...over,
  };
}

describe("waitingSoon", () => {
  it("follows deliveries being sent or due within 20 s", () => {
    expect(waitingSoon([delivery({ state: "sending" })], NOW)).toBe(true);
    expect(waitingSoon([delivery({ state: "pending", next_attempt_at: "2026-12-04T12:00:10Z" })], NOW)).toBe(true);
  });
  it("does not poll for finished deliveries or a retry minutes away", () => {
    expect(waitingSoon([delivery({ state: "delivered" }), delivery({ state: "failed" })], NOW)).toBe(false);
    expect(waitingSoon([delivery({ state: "pending", next_attempt_at: "2026-12-04T12:05:00Z" })], NOW)).toBe(false);
  });
});

describe("attemptLine", () => {
  it("shows the error first, else the answer, cut to a line", () => {
    expect(attemptLine(delivery({ error: "the receiver answered HTTP 500", response_body: "oops" }))).toBe("the receiver answered HTTP 500");
    expect(attemptLine(delivery({ response_body: "ok" }))).toBe("ok");
    expect(attemptLine(delivery({ response_body: "x".repeat(100) }), 10)).toBe(`${"x".repeat(10)}…`);
  });
});
