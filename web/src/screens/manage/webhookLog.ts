/** What the webhook delivery log shows and when it reads itself again (pure, tested). */
import type { WebhookDelivery } from "../../api";

/** While a delivery is being sent, or due within this long, the log follows it. */
export const SOON_MS = 20_000;

/** Whether a delivery on this page is being sent or due soon (a test just sent). */
export function waitingSoon(items: WebhookDelivery[], now: number): boolean {
  const soon = now + SOON_MS;
  return items.some((d) => d.state === "sending" || (d.state === "pending" && d.next_attempt_at !== null && Date.parse(d.next_attempt_at) <= soon));
}

/** The last attempt in a line: what went wrong, else the start of the receiver's answer. */
export function attemptLine(d: WebhookDelivery, length = 80): string {
  const said = d.error || d.response_body;
  return said.length > length ? `${said.slice(0, length)}…` : said;
}
