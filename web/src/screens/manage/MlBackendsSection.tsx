import { useId, useState, type FormEvent } from "react";
import { api, type MlBackend, type MlProtocol, type Project } from "../../api";
import { ConfirmDialog } from "../../ui/ConfirmDialog";
import { Loading } from "../../ui/Loading";
import { Notice } from "../../ui/Notice";
import { useLoad } from "../../ui/useLoad";
import { isHandled, messageOf } from "./errors";
import "./webhooks.css";

type Outcome = { tone: "success" | "error"; text: string } | null;

/** The Model servers section of a project's settings (managers, docs/ml_backends.md): connect a
 * Label Studio ML backend or an Accord-protocol server, check it, pre-label the project (a job),
 * retrain, offer it as Suggest in the annotate screen, remove it. */
export function MlBackendsSection({ project }: { project: Project }) {
  const [state, reload] = useLoad(() => api.ml.list(project.id), `ml-backends:${project.id}`);
  const [outcome, setOutcome] = useState<Outcome>(null);

  async function run<T>(action: () => Promise<T>, success: (value: T) => string, failure: string): Promise<boolean> {
    setOutcome(null);
    try {
      const value = await action();
      setOutcome({ tone: "success", text: success(value) });
      reload();
      return true;
    } catch (error) {
      if (!isHandled(error)) setOutcome({ tone: "error", text: `${failure}: ${messageOf(error)}` });
      reload();
      return false;
    }
  }

  return (
    <section className="form-section webhooks" aria-labelledby="ml-backends-title">
      <h2 id="ml-backends-title">Model servers</h2>
      <p className="muted small">
        Servers that pre-label tasks and suggest answers: Label Studio ML backends as they are (YOLO, SAM, GLiNER, spaCy…) or servers speaking
        Accord&apos;s own protocol. Their answers are checked against the questions; what does not fit is never stored. See{" "}
        <code>docs/ml_backends.md</code>.
      </p>
      <AddBackend
        onAdd={(body) =>
          run(() => api.ml.create(project.id, body), (b) => `${b.title} connected; check it to see whether it answers.`, "Could not connect the server")
        }
      />
      <div aria-live="polite" className="webhooks-outcome">
        {outcome ? <Notice tone={outcome.tone}>{outcome.text}</Notice> : null}
      </div>
      <Loading state={state} retry={reload}>
        {(backends) =>
          backends.length === 0 ? (
            <p className="empty">No model servers yet.</p>
          ) : (
            <ul className="webhook-list">
              {backends.map((b) => (
                <BackendItem
                  key={b.id}
                  backend={b}
                  onCheck={() => void run(() => api.ml.check(project.id, b.id), (x) => (x.health === "up" ? `${x.title} is up${x.model_version ? ` (model ${x.model_version})` : ""}.` : `${x.title} is down: ${x.health_error}`), "Could not check it")}
                  onChange={(change) => void run(() => api.ml.update(project.id, b.id, change), (x) => `${x.title} changed.`, "Could not change it")}
                  onPredict={() => void run(() => api.ml.predict(project.id, b.id), (job) => `Pre-labelling started (job ${job.id}); follow it under Jobs.`, "Could not start pre-labelling")}
                  onTrain={() => void run(() => api.ml.train(project.id, b.id), (job) => `Retraining started (job ${job.id}).`, "Could not start retraining")}
                  onDelete={() => void run(() => api.ml.remove(project.id, b.id), () => `${b.title} removed; its predictions stay.`, "Could not remove it")}
                />
              ))}
            </ul>
          )
        }
      </Loading>
    </section>
  );
}

function AddBackend({ onAdd }: { onAdd: (body: { title: string; url: string; protocol: MlProtocol; interactive: boolean; train_every: number }) => Promise<boolean> }) {
  const id = useId();
  const [title, setTitle] = useState("");
  const [url, setUrl] = useState("");
  const [protocol, setProtocol] = useState<MlProtocol>("labelstudio");
  const [interactive, setInteractive] = useState(false);
  const [trainEvery, setTrainEvery] = useState(0);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    if (!title.trim() || !url.trim()) return;
    setBusy(true);
    const ok = await onAdd({ title: title.trim(), url: url.trim(), protocol, interactive, train_every: trainEvery });
    setBusy(false);
    if (ok) {
      setTitle("");
      setUrl("");
    }
  }

  return (
    <form className="webhook-add" onSubmit={(e) => void submit(e)} aria-label="Connect a model server">
      <div className="form-grid">
        <div className="form-field">
          <label htmlFor={`${id}-title`} className="form-label">
            Name
          </label>
          <input id={`${id}-title`} value={title} onChange={(e) => setTitle(e.target.value)} maxLength={200} required autoComplete="off" />
        </div>
        <div className="form-field">
          <label htmlFor={`${id}-url`} className="form-label">
            Server URL
          </label>
          <input id={`${id}-url`} type="url" value={url} onChange={(e) => setUrl(e.target.value)} placeholder="http://models.example.org:9090" required autoComplete="off" />
        </div>
        <div className="form-field">
          <label htmlFor={`${id}-protocol`} className="form-label">
            Protocol
          </label>
          <select id={`${id}-protocol`} value={protocol} onChange={(e) => setProtocol(e.target.value as MlProtocol)}>
            <option value="labelstudio">Label Studio ML backend</option>
            <option value="accord">Accord (native)</option>
          </select>
        </div>
        <div className="form-field">
          <label htmlFor={`${id}-train`} className="form-label">
            Retrain every <span className="muted form-hint">(new annotations; 0: never)</span>
          </label>
          <input id={`${id}-train`} type="number" min={0} value={trainEvery} onChange={(e) => setTrainEvery(Math.max(0, Number(e.target.value) || 0))} />
        </div>
      </div>
      <label className="checkbox">
        <input type="checkbox" checked={interactive} onChange={(e) => setInteractive(e.target.checked)} /> Offer it as <em>Suggest</em> in the annotate
        screen (Shift+M)
      </label>
      <button type="submit" className="button-primary" disabled={busy || !title.trim() || !url.trim()}>
        {busy ? "Connecting…" : "Connect server"}
      </button>
    </form>
  );
}

interface ItemProps {
  backend: MlBackend;
  onCheck: () => void;
  onChange: (change: Partial<MlBackend>) => void;
  onPredict: () => void;
  onTrain: () => void;
  onDelete: () => void;
}

function BackendItem({ backend: b, onCheck, onChange, onPredict, onTrain, onDelete }: ItemProps) {
  const [confirming, setConfirming] = useState(false);
  const health = b.health === "up" ? "up" : b.health === "down" ? `down: ${b.health_error}` : "not checked yet";
  return (
    <li className="webhook-item" data-ml-backend={b.title}>
      <div className="webhook-head">
        <div className="webhook-what">
          <div className="webhook-url">
            {b.title} <span className="muted small">{b.url}</span>
          </div>
          <div className="small">
            <code className="webhook-event">{b.protocol === "labelstudio" ? "Label Studio" : "Accord"}</code>
            <span data-health={b.health}> {health}</span>
            {b.model_version ? <span className="muted"> · model {b.model_version}</span> : null}
            {b.train_every ? <span className="muted"> · retrains every {b.train_every} annotations</span> : null}
          </div>
        </div>
        <div className="webhook-actions">
          <label className="checkbox">
            <input type="checkbox" checked={b.enabled} onChange={() => onChange({ enabled: !b.enabled })} aria-label={`Enabled: ${b.title}`} />
            Enabled
          </label>
          <label className="checkbox">
            <input type="checkbox" checked={b.interactive} onChange={() => onChange({ interactive: !b.interactive })} aria-label={`Suggest: ${b.title}`} />
            Suggest
          </label>
          <button type="button" onClick={onCheck}>
            Check
          </button>
          <button type="button" onClick={onPredict} disabled={!b.enabled}>
            Pre-label tasks
          </button>
          <button type="button" onClick={onTrain} disabled={!b.enabled}>
            Retrain
          </button>
          <button type="button" className="button-danger" onClick={() => setConfirming(true)}>
            Remove
          </button>
        </div>
      </div>
      {confirming ? (
        <ConfirmDialog
          title="Remove this model server?"
          confirmLabel="Remove server"
          tone="danger"
          onCancel={() => setConfirming(false)}
          onConfirm={() => {
            setConfirming(false);
            onDelete();
          }}
        >
          <p>{b.title} will be asked nothing more. The predictions it made stay with their tasks.</p>
        </ConfirmDialog>
      ) : null}
    </li>
  );
}
