import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { api, WEBHOOK_EVENTS, type Project, type Webhook, type WebhookEvent, type WebhookWithSecret } from "../../api";
import { ConfirmDialog } from "../../ui/ConfirmDialog";
import { Loading } from "../../ui/Loading";
import { Notice } from "../../ui/Notice";
import { useLoad } from "../../ui/useLoad";
import { isHandled, messageOf } from "./errors";
import { WebhookDeliveries } from "./WebhookDeliveries";
import "./webhooks.css";

const EVENT_WORDS: Record<WebhookEvent, string> = {
  "task.completed": "a task gets the last annotation it needs",
  "annotation.created": "an annotator submits an answer",
  "annotation.updated": "an answer is edited, or fixed by a reviewer",
  "review.decided": "a reviewer accepts, fixes or rejects",
  "job.finished": "an import, export or other job ends",
};

type Outcome = { tone: "success" | "error"; text: string } | null;

/** The Webhooks section of a project's settings (managers): add, enable/disable, test, rotate
 * the secret (shown once, with a copy button), delete; each webhook's delivery log. */
export function WebhooksSection({ project }: { project: Project }) {
  const [state, reload] = useLoad(() => api.webhooks.list(project.id), `webhooks:${project.id}`);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [secret, setSecret] = useState<WebhookWithSecret | null>(null);
  const [deliveriesRound, setDeliveriesRound] = useState(0);

  async function run<T>(action: () => Promise<T>, success: (value: T) => string, failure: string): Promise<T | null> {
    setOutcome(null);
    try {
      const value = await action();
      setOutcome({ tone: "success", text: success(value) });
      reload();
      return value;
    } catch (error) {
      if (!isHandled(error)) setOutcome({ tone: "error", text: `${failure}: ${messageOf(error)}` });
      reload();
      return null;
    }
  }

  return (
    <section className="form-section webhooks" aria-labelledby="webhooks-title">
      <h2 id="webhooks-title">Webhooks</h2>
      <p className="muted small">
        Accord POSTs JSON to these URLs when the chosen events happen, signed with each webhook&apos;s secret (header{" "}
        <code>X-Accord-Signature</code>), and retries for about two and a half hours until the receiver answers 2xx. The events, their payloads
        and how to check the signature are in <code>docs/webhooks.md</code>.
      </p>
      <AddWebhook
        onAdd={async (url, events, description) => {
          const made = await run(
            () => api.webhooks.create(project.id, { url, events, description }),
            (w) => `Webhook ${w.url} added.`,
            "Could not add the webhook",
          );
          if (made) setSecret(made);
          return made !== null;
        }}
      />
      {secret ? <SecretOnce webhook={secret} onDone={() => setSecret(null)} /> : null}
      <div aria-live="polite" className="webhooks-outcome">
        {outcome ? <Notice tone={outcome.tone}>{outcome.text}</Notice> : null}
      </div>
      <Loading state={state} retry={reload}>
        {(hooks) =>
          hooks.length === 0 ? (
            <p className="empty">No webhooks yet.</p>
          ) : (
            <ul className="webhook-list">
              {hooks.map((hook) => (
                <WebhookItem
                  key={hook.id}
                  hook={hook}
                  deliveriesRound={deliveriesRound}
                  onToggle={() =>
                    void run(
                      () => api.webhooks.update(project.id, hook.id, { enabled: !hook.enabled }),
                      (w) => `${w.url} is ${w.enabled ? "enabled" : "disabled"}.`,
                      "Could not change the webhook",
                    )
                  }
                  onTest={() =>
                    void run(
                      () => api.webhooks.test(project.id, hook.id),
                      () => `Test sent to the queue for ${hook.url}; its outcome appears in the delivery log.`,
                      "Could not send a test",
                    ).then(() => setDeliveriesRound((n) => n + 1))
                  }
                  onRotate={async () => {
                    const rotated = await run(
                      () => api.webhooks.rotateSecret(project.id, hook.id),
                      () => `${hook.url} has a new secret; the old one no longer verifies.`,
                      "Could not rotate the secret",
                    );
                    if (rotated) setSecret(rotated);
                  }}
                  onDelete={() => void run(() => api.webhooks.remove(project.id, hook.id), () => `Webhook ${hook.url} deleted.`, "Could not delete the webhook")}
                  onRedelivered={() => setOutcome({ tone: "success", text: "Sent to the queue again; see the delivery log." })}
                  projectId={project.id}
                />
              ))}
            </ul>
          )
        }
      </Loading>
    </section>
  );
}

function AddWebhook({ onAdd }: { onAdd: (url: string, events: WebhookEvent[], description: string) => Promise<boolean> }) {
  const id = useId();
  const [url, setUrl] = useState("");
  const [description, setDescription] = useState("");
  const [events, setEvents] = useState<WebhookEvent[]>(["task.completed"]);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    if (!url.trim() || events.length === 0) return;
    setBusy(true);
    const ok = await onAdd(url.trim(), events, description.trim());
    setBusy(false);
    if (ok) {
      setUrl("");
      setDescription("");
    }
  }

  const toggle = (name: WebhookEvent, on: boolean) => setEvents((now) => (on ? [...now, name] : now.filter((e) => e !== name)));

  return (
    <form className="webhook-add" onSubmit={(e) => void submit(e)} aria-label="Add a webhook">
      <div className="form-grid">
        <div className="form-field">
          <label htmlFor={`${id}-url`} className="form-label">
            Receiver URL
          </label>
          <input id={`${id}-url`} type="url" value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://example.org/accord-hook" required autoComplete="off" />
        </div>
        <div className="form-field">
          <label htmlFor={`${id}-description`} className="form-label">
            What it is for <span className="muted form-hint">(optional)</span>
          </label>
          <input id={`${id}-description`} value={description} onChange={(e) => setDescription(e.target.value)} maxLength={200} autoComplete="off" />
        </div>
      </div>
      <fieldset className="webhook-events">
        <legend className="form-label">Events</legend>
        {WEBHOOK_EVENTS.map((name) => (
          <label key={name} className="checkbox">
            <input type="checkbox" checked={events.includes(name)} onChange={(e) => toggle(name, e.target.checked)} />
            <code>{name}</code> <span className="muted small">{EVENT_WORDS[name]}</span>
          </label>
        ))}
      </fieldset>
      {events.length === 0 ? <p className="form-problem">Choose at least one event.</p> : null}
      <button type="submit" className="button-primary" disabled={busy || !url.trim() || events.length === 0}>
        {busy ? "Adding…" : "Add webhook"}
      </button>
    </form>
  );
}

/** The secret of a webhook just made or rotated: shown this once, with a copy button. */
function SecretOnce({ webhook, onDone }: { webhook: WebhookWithSecret; onDone: () => void }) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const copyButton = useRef<HTMLButtonElement>(null);
  const [copied, setCopied] = useState<string | null>(null);
  useEffect(() => copyButton.current?.focus(), [webhook.secret]);

  async function copy(): Promise<void> {
    try {
      await navigator.clipboard.writeText(webhook.secret);
      setCopied("Copied to the clipboard.");
    } catch {
      input.current?.select();
      setCopied("The browser did not allow copying: the secret is selected, press Ctrl+C (⌘C).");
    }
  }

  return (
    <div className="webhook-secret" role="region" aria-labelledby={`${id}-title`}>
      <Notice tone="warning">
        <strong id={`${id}-title`}>Secret for {webhook.url}</strong> — copy it now: it is shown only this once. The receiver uses it to check each
        delivery&apos;s signature.
      </Notice>
      <div className="webhook-secret-row">
        <label htmlFor={`${id}-secret`} className="visually-hidden">
          Signing secret
        </label>
        <input id={`${id}-secret`} ref={input} className="textarea-mono" readOnly value={webhook.secret} onFocus={(e) => e.target.select()} />
        <button type="button" ref={copyButton} onClick={() => void copy()}>
          Copy secret
        </button>
        <button type="button" className="button-quiet" onClick={onDone}>
          Done
        </button>
      </div>
      <p className="muted small" aria-live="polite">
        {copied}
      </p>
    </div>
  );
}

interface ItemProps {
  hook: Webhook;
  projectId: number;
  deliveriesRound: number;
  onToggle: () => void;
  onTest: () => void;
  onRotate: () => void;
  onDelete: () => void;
  onRedelivered: () => void;
}

function WebhookItem({ hook, projectId, deliveriesRound, onToggle, onTest, onRotate, onDelete, onRedelivered }: ItemProps) {
  const [confirming, setConfirming] = useState(false);
  const [open, setOpen] = useState(false);
  const logId = useId();
  return (
    <li className="webhook-item" data-webhook={hook.url}>
      <div className="webhook-head">
        <div className="webhook-what">
          <div className="webhook-url">{hook.url}</div>
          {hook.description ? <div className="muted small">{hook.description}</div> : null}
          <div className="small">
            {hook.events.map((e) => (
              <code key={e} className="webhook-event">
                {e}
              </code>
            ))}
            <span className="muted"> · secret {hook.secret_hint}</span>
          </div>
        </div>
        <div className="webhook-actions">
          <label className="checkbox">
            <input type="checkbox" checked={hook.enabled} onChange={onToggle} aria-label={`Enabled: ${hook.url}`} />
            Enabled
          </label>
          <button
            type="button"
            onClick={() => {
              setOpen(true);
              onTest();
            }}
            disabled={!hook.enabled} title={hook.enabled ? undefined : "Enable it to send a test"}>
            Send test
          </button>
          <button type="button" onClick={() => setOpen((o) => !o)} aria-expanded={open} aria-controls={logId}>
            {open ? "Hide deliveries" : "Deliveries"}
          </button>
          <button type="button" onClick={onRotate}>
            Rotate secret
          </button>
          <button type="button" className="button-danger" onClick={() => setConfirming(true)}>
            Delete
          </button>
        </div>
      </div>
      {open ? (
        <div id={logId}>
          <WebhookDeliveries projectId={projectId} webhook={hook} round={deliveriesRound} onRedelivered={onRedelivered} />
        </div>
      ) : null}
      {confirming ? (
        <ConfirmDialog
          title="Delete this webhook?"
          confirmLabel="Delete webhook"
          tone="danger"
          onCancel={() => setConfirming(false)}
          onConfirm={() => {
            setConfirming(false);
            onDelete();
          }}
        >
          <p>
            {hook.url} will get no more deliveries, and its delivery log goes with it. To stop it for a while instead, untick <em>Enabled</em>.
          </p>
        </ConfirmDialog>
      ) : null}
    </li>
  );
}
