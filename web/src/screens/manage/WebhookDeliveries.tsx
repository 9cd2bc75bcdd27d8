import { useEffect, useState } from "react";
import { api, type Webhook, type WebhookDelivery } from "../../api";
import { Loading } from "../../ui/Loading";
import { Notice } from "../../ui/Notice";
import { usePages } from "../../ui/usePages";
import { isHandled, messageOf } from "./errors";
import { attemptLine, waitingSoon } from "./webhookLog";

/** How often the log reads itself again while a delivery is being sent or due soon. */
const POLL_MS = 1_500;

const when = (stamp: string | null): string => (stamp ? new Date(stamp).toLocaleString() : "—");

/** A webhook's delivery log, newest first, with redelivery of finished deliveries. It follows
 * deliveries due soon (a test just sent) until they are done. */
export function WebhookDeliveries({ projectId, webhook, round, onRedelivered }: { projectId: number; webhook: Webhook; round: number; onRedelivered: () => void }) {
  const pages = usePages((before) => api.webhooks.deliveries(projectId, webhook.id, before), `deliveries:${webhook.id}:${round}`);
  const [error, setError] = useState<string | null>(null);
  const { first, reload } = pages;

  useEffect(() => {
    if (first.status !== "ready" || !waitingSoon(first.value.items, Date.now())) return;
    const timer = window.setTimeout(reload, POLL_MS);
    return () => window.clearTimeout(timer);
  }, [first, reload]);

  async function redeliver(delivery: WebhookDelivery): Promise<void> {
    setError(null);
    try {
      await api.webhooks.redeliver(projectId, webhook.id, delivery.id);
      onRedelivered();
      reload();
    } catch (failure) {
      if (!isHandled(failure)) setError(`Could not redeliver ${delivery.id}: ${messageOf(failure)}`);
    }
  }

  return (
    <div className="webhook-log">
      <div className="webhook-log-head">
        <h3>Deliveries to {webhook.url}</h3>
        <button type="button" className="button-quiet" onClick={reload}>
          Refresh
        </button>
      </div>
      {error ? <Notice tone="error">{error}</Notice> : null}
      {pages.error ? <Notice tone="error">{pages.error}</Notice> : null}
      <Loading state={first} retry={reload}>
        {(page) => {
          const items = pages.items(page);
          if (items.length === 0) return <p className="empty">No deliveries yet. Send a test to see one here.</p>;
          return (
            <>
              <table className="table webhook-deliveries">
                <caption className="visually-hidden">Deliveries to {webhook.url}, newest first</caption>
                <thead>
                  <tr>
                    <th scope="col">Delivery</th>
                    <th scope="col">Event</th>
                    <th scope="col">State</th>
                    <th scope="col">Attempts</th>
                    <th scope="col">HTTP</th>
                    <th scope="col">Took</th>
                    <th scope="col">Answer or error</th>
                    <th scope="col">Next attempt</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((d) => (
                    <DeliveryRow key={d.id} delivery={d} onRedeliver={() => void redeliver(d)} />
                  ))}
                </tbody>
              </table>
              {pages.hasOlder ? (
                <button type="button" onClick={() => void pages.loadOlder()} disabled={pages.loadingOlder}>
                  {pages.loadingOlder ? "Loading…" : "Show older deliveries"}
                </button>
              ) : null}
            </>
          );
        }}
      </Loading>
    </div>
  );
}

function DeliveryRow({ delivery: d, onRedeliver }: { delivery: WebhookDelivery; onRedeliver: () => void }) {
  const finished = d.state === "delivered" || d.state === "failed";
  const line = attemptLine(d);
  return (
    <tr data-delivery={d.id} data-state={d.state}>
      <td className="num">
        #{d.id}
        <div className="muted small">{when(d.created_at)}</div>
        {d.redelivery_of !== null ? <div className="muted small">again of #{d.redelivery_of}</div> : null}
      </td>
      <td>
        <code>{d.event}</code>
      </td>
      <td>
        <span className={`status webhook-state-${d.state}`}>{d.state}</span>
      </td>
      <td className="num">{d.attempts}</td>
      <td className="num">{d.response_status ?? "—"}</td>
      <td className="num">{d.duration_ms === null ? "—" : `${Math.round(d.duration_ms)} ms`}</td>
      <td className="webhook-said">
        {line ? (
          <details>
            <summary className={d.error ? "webhook-error" : undefined}>{line}</summary>
            {d.error ? <p className="webhook-error">{d.error}</p> : null}
            {d.response_body ? <pre className="code-sample">{d.response_body}</pre> : null}
          </details>
        ) : (
          <span className="muted">—</span>
        )}
      </td>
      <td className="small">{d.state === "pending" ? when(d.next_attempt_at) : "—"}</td>
      <td>
        {finished ? (
          <button type="button" onClick={onRedeliver} aria-label={`Redeliver #${d.id}`}>
            Redeliver
          </button>
        ) : null}
      </td>
    </tr>
  );
}
