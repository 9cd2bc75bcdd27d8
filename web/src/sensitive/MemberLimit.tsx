import { useState, type KeyboardEvent } from "react";
import { ApiError } from "../api/http";
import { sensitiveApi } from "../api/sensitive";
import { limitText, MAX_MEMBER_LIMIT, parseMemberLimit } from "./memberLimit";

interface Props {
  projectId: number;
  member: { user_id: number; name: string; email: string | null; limit: number | null };
  /** The project's sensitive_daily_limit, as saved. */
  projectLimit: number;
  /** The member's limit as the server stored it. */
  onSaved: (limit: number | null) => void;
  /** What to tell the manager (the section's notice). */
  onOutcome: (outcome: { tone: "success" | "error"; text: string }) => void;
}

/**
 * One member's own daily limit of sensitive tasks, in the Data handling section's table
 * (managers; PUT /projects/{id}/members/{user_id}/sensitive-limit): a number (0: no limit), or
 * "project default". Enter in the number, or the Save button, saves it.
 */
export function MemberLimit({ projectId, member, projectLimit, onSaved, onOutcome }: Props) {
  const who = member.email ?? member.name;
  const [useDefault, setUseDefault] = useState(member.limit === null);
  const [typed, setTyped] = useState(member.limit === null ? "" : String(member.limit));
  const [busy, setBusy] = useState(false);
  const [invalid, setInvalid] = useState(false);
  const changed = useDefault !== (member.limit === null) || (!useDefault && typed.trim() !== String(member.limit ?? ""));

  async function save(): Promise<void> {
    const parsed = parseMemberLimit(typed, useDefault, who);
    if ("error" in parsed) {
      setInvalid(true);
      onOutcome({ tone: "error", text: parsed.error });
      return;
    }
    setInvalid(false);
    setBusy(true);
    try {
      await sensitiveApi.setMemberLimit(projectId, member.user_id, parsed.limit);
      onSaved(parsed.limit);
      onOutcome({
        tone: "success",
        text: parsed.limit === null ? `${who} follows the project's daily limit (${limitText(projectLimit)}).` : `${who}'s own daily limit is ${limitText(parsed.limit)}.`,
      });
    } catch (error) {
      setInvalid(true);
      onOutcome({ tone: "error", text: `Could not save ${who}'s daily limit: ${error instanceof ApiError ? error.message : "the server did not answer; try again"}.` });
    } finally {
      setBusy(false);
    }
  }

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    void save();
  };
  return (
    <span className="member-limit" data-member-limit={member.user_id}>
      <input
        type="number"
        min={0}
        max={MAX_MEMBER_LIMIT}
        step={1}
        value={useDefault ? "" : typed}
        placeholder={useDefault ? String(projectLimit) : ""}
        disabled={useDefault}
        aria-label={`Daily limit for ${who}`}
        aria-invalid={invalid ? true : undefined}
        onChange={(event) => setTyped(event.target.value)}
        onKeyDown={onKeyDown}
      />
      <label className="small">
        <input
          type="checkbox"
          checked={useDefault}
          onChange={(event) => {
            setUseDefault(event.target.checked);
            if (!event.target.checked && typed === "") setTyped(String(projectLimit));
          }}
        />{" "}
        project default
      </label>
      <button type="button" className="button-quiet" onClick={() => void save()} disabled={busy || !changed} aria-label={`Save the daily limit for ${who}`}>
        {busy ? "Saving…" : "Save"}
      </button>
    </span>
  );
}
