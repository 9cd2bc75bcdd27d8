import { useEffect, useId, useState, type FormEvent } from "react";
import { api, type User } from "../../api";
import { Layout } from "../../app/Layout";
import { useSession } from "../../app/session";
import { ConfirmDialog } from "../../ui/ConfirmDialog";
import { Loading } from "../../ui/Loading";
import { NoAccess } from "../../ui/NoAccess";
import { Notice } from "../../ui/Notice";
import { useLoad } from "../../ui/useLoad";
import { accountProblems } from "./accountErrors";
import { Field, NewAccountForm } from "./NewAccountForm";
import "../manage/manage.css";
import "./admin.css";

type Outcome = { tone: "success" | "error"; text: string } | null;

/** `/admin/users`: every account; create, deactivate or reactivate, reset a password, grant. */
export function AccountsScreen() {
  const session = useSession();
  const me = session.status === "signed-in" ? session.user : null;
  if (me && !me.is_admin) {
    return (
      <Layout>
        <NoAccess title="Only admins can see this page">
          <p>Accounts are managed by the admins of this Accord. Ask one of them to create an account, reset a password or let you create projects.</p>
        </NoAccess>
      </Layout>
    );
  }
  return (
    <Layout wide>
      <div className="manage-page manage-narrow accounts-page">
        <h1>Accounts</h1>
        <p className="muted">Everyone who can sign in. Project roles are given in each project's Members tab.</p>
        {me ? <Accounts me={me} /> : null}
      </div>
    </Layout>
  );
}

function Accounts({ me }: { me: User }) {
  const id = useId();
  const [query, setQuery] = useState("");
  const [typed, setTyped] = useState("");
  const [state, reload] = useLoad(() => api.users.list(query || null), `users:${query}`);
  const [outcome, setOutcome] = useState<Outcome>(null);

  async function run(action: () => Promise<unknown>, success: string, failure: string): Promise<boolean> {
    setOutcome(null);
    try {
      await action();
      setOutcome({ tone: "success", text: success });
      return true;
    } catch (error) {
      const text = accountProblems(error);
      if (text.other || text.email || text.password) setOutcome({ tone: "error", text: `${failure}: ${text.other ?? text.email ?? text.password}` });
      return false;
    } finally {
      reload();
    }
  }

  function search(event: FormEvent): void {
    event.preventDefault();
    setQuery(typed.trim());
  }

  return (
    <>
      <NewAccountForm
        onCreated={(user) => {
          setOutcome({ tone: "success", text: `Account ${user.email} created.` });
          reload();
        }}
      />
      <form className="accounts-search" role="search" onSubmit={search}>
        <label htmlFor={`${id}-q`} className="form-label">
          Find an account
        </label>
        <input id={`${id}-q`} type="search" value={typed} onChange={(e) => setTyped(e.target.value)} placeholder="part of an email or name" />
        <button type="submit">Search</button>
      </form>
      <div aria-live="polite" className="accounts-outcome">
        {outcome ? <Notice tone={outcome.tone}>{outcome.text}</Notice> : null}
      </div>
      <Loading state={state} retry={reload}>
        {(users) => (users.length === 0 ? <p className="empty">No account matches “{query}”.</p> : <AccountTable users={users} me={me} run={run} say={(text) => setOutcome({ tone: "success", text })} />)}
      </Loading>
    </>
  );
}

type Run = (action: () => Promise<unknown>, success: string, failure: string) => Promise<boolean>;

function AccountTable({ users, me, run, say }: { users: User[]; me: User; run: Run; say: (text: string) => void }) {
  const [resetting, setResetting] = useState<number | null>(null);
  const [deactivating, setDeactivating] = useState<User | null>(null);
  return (
    <>
      <table className="table accounts-table">
        <caption className="visually-hidden">Accounts</caption>
        <thead>
          <tr>
            <th scope="col">Account</th>
            <th scope="col">May</th>
            <th scope="col">Last sign-in</th>
            <th scope="col">Status</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {users.map((user) => (
            <AccountRow
              key={user.id}
              user={user}
              isMe={user.id === me.id}
              run={run}
              say={say}
              resetting={resetting === user.id}
              onReset={(open) => setResetting(open ? user.id : null)}
              onDeactivate={() => setDeactivating(user)}
            />
          ))}
        </tbody>
      </table>
      {deactivating ? (
        <ConfirmDialog
          title={`Deactivate ${deactivating.email}?`}
          confirmLabel="Deactivate"
          tone="danger"
          onCancel={() => setDeactivating(null)}
          onConfirm={() => {
            const user = deactivating;
            setDeactivating(null);
            void run(() => api.users.update(user.id, { is_active: false }), `${user.email} is deactivated.`, `Could not deactivate ${user.email}`);
          }}
        >
          <p>They are signed out at once, their API tokens stop working and the tasks they hold go back to the queue. Their work stays.</p>
          <p className="muted small">You can reactivate the account later: they then sign in again and make new tokens.</p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}

interface AccountRowProps {
  user: User;
  isMe: boolean;
  run: Run;
  say: (text: string) => void;
  resetting: boolean;
  onReset: (open: boolean) => void;
  onDeactivate: () => void;
}

function AccountRow({ user, isMe, run, say, resetting, onReset, onDeactivate }: AccountRowProps) {
  const locked = user.locked_until !== null && new Date(user.locked_until).getTime() > Date.now();
  // The boxes show the change at once; the list from the server confirms (or undoes) it.
  const [asked, setAsked] = useState<{ create?: boolean; admin?: boolean }>({});
  useEffect(() => setAsked({}), [user]);
  const grant = (value: boolean) => {
    setAsked((a) => ({ ...a, create: value }));
    void run(
      () => api.users.update(user.id, { can_create_projects: value }),
      value ? `${user.email} may now create projects.` : `${user.email} may no longer create projects.`,
      `Could not change what ${user.email} may do`,
    );
  };
  const admin = (value: boolean) => {
    setAsked((a) => ({ ...a, admin: value }));
    void run(() => api.users.update(user.id, { is_admin: value }), value ? `${user.email} is now an admin.` : `${user.email} is no longer an admin.`, `Could not change ${user.email}`);
  };
  const isAdmin = asked.admin ?? user.is_admin;
  return (
    <>
      <tr data-account={user.email} className={user.is_active ? undefined : "account-inactive"}>
        <td>
          <span className="account-email">{user.email}</span>
          {isMe ? <span className="muted small"> (you)</span> : null}
          {user.name ? <div className="muted small">{user.name}</div> : null}
        </td>
        <td>
          <label className="checkbox small" title={isAdmin ? "Admins can always create projects" : undefined}>
            <input type="checkbox" checked={isAdmin || (asked.create ?? user.can_create_projects)} disabled={isAdmin} onChange={(e) => grant(e.target.checked)} />
            create projects
          </label>
          <label className="checkbox small">
            <input type="checkbox" checked={isAdmin} disabled={isMe} onChange={(e) => admin(e.target.checked)} />
            admin
          </label>
        </td>
        <td className="small">{user.last_login_at ? new Date(user.last_login_at).toLocaleString() : <span className="muted">never</span>}</td>
        <td className="small">
          {user.is_active ? <span className="badge badge-active">active</span> : <span className="badge badge-inactive">deactivated</span>}
          {locked ? <div className="account-locked">locked until {new Date(user.locked_until as string).toLocaleTimeString()}</div> : null}
        </td>
        <td>
          <div className="account-actions">
            <button type="button" onClick={() => onReset(!resetting)} aria-expanded={resetting}>
              Reset password
            </button>
            {user.is_active ? (
              isMe ? null : (
                <button type="button" onClick={onDeactivate}>
                  Deactivate
                </button>
              )
            ) : (
              <button type="button" onClick={() => void run(() => api.users.update(user.id, { is_active: true }), `${user.email} is active again.`, `Could not reactivate ${user.email}`)}>
                Reactivate
              </button>
            )}
          </div>
        </td>
      </tr>
      {resetting ? (
        <tr className="account-reset-row">
          <td colSpan={5}>
            <PasswordReset
              user={user}
              onDone={(text) => {
                onReset(false);
                say(text);
              }}
              onCancel={() => onReset(false)}
            />
          </td>
        </tr>
      ) : null}
    </>
  );
}

function PasswordReset({ user, onDone, onCancel }: { user: User; onDone: (text: string) => void; onCancel: () => void }) {
  const id = useId();
  const [password, setPassword] = useState("");
  const [revoke, setRevoke] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [sent, setSent] = useState<string | null>(null);
  const problems = accountProblems(error);
  const problem = sent === password ? (problems.password ?? problems.other) : undefined;

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setSent(password);
    try {
      await api.users.setPassword(user.id, password, revoke);
      onDone(`New password set for ${user.email}: their browser sessions were ended${revoke ? " and their API tokens revoked" : ""}.`);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="account-reset" onSubmit={(e) => void submit(e)} aria-label={`New password for ${user.email}`} noValidate>
      <Field id={`${id}-password`} label={`New password for ${user.email}`} problem={problem}>
        <input
          id={`${id}-password`}
          type="password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          autoComplete="new-password"
          autoFocus
          aria-invalid={!!problem}
          aria-describedby={problem ? `${id}-password-problem` : undefined}
        />
      </Field>
      <label className="checkbox small">
        <input type="checkbox" checked={revoke} onChange={(e) => setRevoke(e.target.checked)} />
        Also revoke their API tokens
      </label>
      <div className="account-reset-actions">
        <button type="submit" className="button-primary" disabled={busy || !password}>
          {busy ? "Setting…" : "Set password"}
        </button>
        <button type="button" className="button-quiet" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
