import { useId, useState, type FormEvent } from "react";
import { api, type Member, type MemberRole, type Project } from "../../api";
import { useSession } from "../../app/session";
import { Loading } from "../../ui/Loading";
import { Notice } from "../../ui/Notice";
import { useLoad } from "../../ui/useLoad";
import { isHandled, messageOf } from "./errors";
import { ManageLayout } from "./ManageLayout";

const ROLES: { value: MemberRole; label: string; what: string }[] = [
  { value: "annotator", label: "Annotator", what: "labels tasks from the queue" },
  { value: "reviewer", label: "Reviewer", what: "sees everyone's work and audits it" },
  { value: "manager", label: "Manager", what: "changes settings, imports, exports, adds people" },
];

/** `/projects/:id/members`: who is in the project, with what role; add, change, remove. */
export function MembersScreen({ projectId }: { projectId: number }) {
  return (
    <ManageLayout projectId={projectId}>
      {(project) => (
        <div className="manage-page manage-narrow">
          <h1>Members</h1>
          <MembersPanel project={project} />
        </div>
      )}
    </ManageLayout>
  );
}

type Outcome = { tone: "success" | "error"; text: string } | null;

/** A member as this page names them: the email (managers see every one), else the name. */
const who = (m: Member): string => m.email ?? (m.name || `Member #${m.user_id}`);

function MembersPanel({ project }: { project: Project }) {
  const [state, reload] = useLoad(() => api.members.list(project.id), `members:${project.id}`);
  const [outcome, setOutcome] = useState<Outcome>(null);

  async function run(action: () => Promise<unknown>, success: string, failure: string): Promise<boolean> {
    setOutcome(null);
    try {
      await action();
      setOutcome({ tone: "success", text: success });
      reload();
      return true;
    } catch (error) {
      if (!isHandled(error)) setOutcome({ tone: "error", text: `${failure}: ${messageOf(error)}` });
      reload();
      return false;
    }
  }

  return (
    <>
      <AddMemberForm onAdd={(email, role) => run(() => api.members.add(project.id, email, role), `${email} is now ${role} of ${project.name}.`, `Could not add ${email}`)} />
      <div aria-live="polite" className="members-outcome">
        {outcome ? <Notice tone={outcome.tone}>{outcome.text}</Notice> : null}
      </div>
      <Loading state={state} retry={reload}>
        {(members) => (
          <MemberTable
            members={members}
            onRole={(m, role) => void run(() => api.members.setRole(project.id, m.user_id, role), `${who(m)} is now ${role}.`, `Could not make ${who(m)} ${role}`)}
            onRemove={(m) => void run(() => api.members.remove(project.id, m.user_id), `${who(m)} was removed from the project.`, `Could not remove ${who(m)}`)}
          />
        )}
      </Loading>
    </>
  );
}

function AddMemberForm({ onAdd }: { onAdd: (email: string, role: MemberRole) => Promise<boolean> }) {
  const id = useId();
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<MemberRole>("annotator");
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    if (!email.trim()) return;
    setBusy(true);
    const ok = await onAdd(email.trim(), role);
    setBusy(false);
    if (ok) setEmail("");
  }

  return (
    <form className="member-add" onSubmit={(e) => void submit(e)} aria-label="Add a member">
      <div className="form-field">
        <label htmlFor={`${id}-email`} className="form-label">
          Email of an account
        </label>
        <input id={`${id}-email`} type="email" value={email} onChange={(e) => setEmail(e.target.value)} placeholder="name@example.org" required autoComplete="off" />
      </div>
      <div className="form-field">
        <label htmlFor={`${id}-role`} className="form-label">
          Role
        </label>
        <select id={`${id}-role`} value={role} onChange={(e) => setRole(e.target.value as MemberRole)}>
          {ROLES.map((r) => (
            <option key={r.value} value={r.value}>
              {r.label} — {r.what}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" className="button-primary" disabled={busy || !email.trim()}>
        {busy ? "Adding…" : "Add member"}
      </button>
    </form>
  );
}

function MemberTable({ members, onRole, onRemove }: { members: Member[]; onRole: (m: Member, role: MemberRole) => void; onRemove: (m: Member) => void }) {
  const session = useSession();
  const me = session.status === "signed-in" ? session.user.id : null;
  const [confirming, setConfirming] = useState<number | null>(null);
  if (members.length === 0) return <p className="empty">No members yet.</p>;
  return (
    <table className="table members-table">
      <caption className="visually-hidden">Members of the project</caption>
      <thead>
        <tr>
          <th scope="col">Member</th>
          <th scope="col">Role</th>
          <th scope="col">Since</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {members.map((m) => (
          <tr key={m.user_id} data-member={m.email ?? undefined}>
            <td>
              <span className="member-email">{who(m)}</span>
              {m.user_id === me ? <span className="muted small"> (you)</span> : null}
              {m.name && m.email ? <div className="muted small">{m.name}</div> : null}
            </td>
            <td>
              <select aria-label={`Role of ${who(m)}`} value={m.role} onChange={(e) => onRole(m, e.target.value as MemberRole)}>
                {ROLES.map((r) => (
                  <option key={r.value} value={r.value}>
                    {r.label}
                  </option>
                ))}
              </select>
            </td>
            <td className="muted small">{new Date(m.created_at).toLocaleDateString()}</td>
            <td className="member-actions">
              {confirming === m.user_id ? (
                <>
                  <button type="button" className="button-danger" onClick={() => { setConfirming(null); onRemove(m); }} autoFocus>
                    Remove {who(m)}
                  </button>
                  <button type="button" className="button-quiet" onClick={() => setConfirming(null)}>
                    Keep
                  </button>
                </>
              ) : (
                <button type="button" onClick={() => setConfirming(m.user_id)} aria-label={`Remove ${who(m)}`}>
                  Remove
                </button>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
