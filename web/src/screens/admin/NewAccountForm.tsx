import { useId, useState, type FormEvent, type ReactNode } from "react";
import { api, type User } from "../../api";
import { Notice } from "../../ui/Notice";
import { accountProblems } from "./accountErrors";

const EMPTY = { email: "", name: "", password: "", isAdmin: false, canCreate: false };

/** Create an account: email, name, first password, admin, may create projects. */
export function NewAccountForm({ onCreated }: { onCreated: (user: User) => void }) {
  const id = useId();
  const [form, setForm] = useState(EMPTY);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [sent, setSent] = useState(EMPTY);
  const problems = accountProblems(error);
  // A problem is shown until the field it is about changes.
  const emailProblem = form.email === sent.email ? problems.email : undefined;
  const passwordProblem = form.password === sent.password ? problems.password : undefined;
  const set = <K extends keyof typeof EMPTY>(key: K, value: (typeof EMPTY)[K]): void => setForm((f) => ({ ...f, [key]: value }));

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setSent(form);
    try {
      const user = await api.users.create({
        email: form.email.trim(),
        name: form.name.trim(),
        password: form.password,
        is_admin: form.isAdmin,
        can_create_projects: form.canCreate,
      });
      setForm(EMPTY);
      onCreated(user);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="form-section account-new" onSubmit={(e) => void submit(e)} aria-labelledby={`${id}-title`} noValidate>
      <h2 id={`${id}-title`}>New account</h2>
      <div className="form-grid">
        <Field id={`${id}-email`} label="Email" problem={emailProblem}>
          <input id={`${id}-email`} type="email" value={form.email} onChange={(e) => set("email", e.target.value)} autoComplete="off" required aria-invalid={!!emailProblem} aria-describedby={emailProblem ? `${id}-email-problem` : undefined} />
        </Field>
        <Field id={`${id}-name`} label="Name" hint="shown to other members">
          <input id={`${id}-name`} value={form.name} onChange={(e) => set("name", e.target.value)} autoComplete="off" />
        </Field>
        <Field id={`${id}-password`} label="First password" hint="they can change it after signing in" problem={passwordProblem}>
          <input
            id={`${id}-password`}
            type="password"
            value={form.password}
            onChange={(e) => set("password", e.target.value)}
            autoComplete="new-password"
            required
            aria-invalid={!!passwordProblem}
            aria-describedby={passwordProblem ? `${id}-password-problem` : undefined}
          />
        </Field>
      </div>
      <div className="account-flags">
        <label className="checkbox">
          <input type="checkbox" checked={form.canCreate} onChange={(e) => set("canCreate", e.target.checked)} />
          Can create projects
        </label>
        <label className="checkbox">
          <input type="checkbox" checked={form.isAdmin} onChange={(e) => set("isAdmin", e.target.checked)} />
          Admin (manages accounts, sees every project)
        </label>
      </div>
      {problems.other ? <Notice tone="error">{problems.other}</Notice> : null}
      <button type="submit" className="button-primary" disabled={busy || !form.email.trim() || !form.password}>
        {busy ? "Creating…" : "Create account"}
      </button>
    </form>
  );
}

export function Field({ id, label, hint, problem, children }: { id: string; label: string; hint?: string; problem?: string; children: ReactNode }) {
  return (
    <div className={problem ? "form-field form-field-invalid" : "form-field"}>
      <label htmlFor={id} className="form-label">
        {label}
        {hint ? <span className="muted small form-hint"> {hint}</span> : null}
      </label>
      {children}
      {problem ? (
        <span id={`${id}-problem`} className="form-problem" role="alert">
          {problem}
        </span>
      ) : null}
    </div>
  );
}
