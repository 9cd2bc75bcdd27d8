/** A member's own daily limit of sensitive tasks as typed on the Data handling section
 * (docs/confidentiality.md): a whole number, 0 for no limit, or the project's default. */

/** The most the server accepts (PUT .../members/{user_id}/sensitive-limit). */
export const MAX_MEMBER_LIMIT = 100_000;

/** The limit to send (null: the project's default), or what is wrong with what was typed. */
export function parseMemberLimit(typed: string, useDefault: boolean, who: string): { limit: number | null } | { error: string } {
  if (useDefault) return { limit: null };
  const text = typed.trim();
  if (!/^\d+$/.test(text) || Number(text) > MAX_MEMBER_LIMIT) {
    const said = text === "" ? "is empty" : `"${text}" is not a whole number from 0 to ${MAX_MEMBER_LIMIT}`;
    return { error: `Daily limit for ${who}: ${said}; write one (0: no limit), or tick "project default".` };
  }
  return { limit: Number(text) };
}

/** How a limit reads: "5 a day", "no limit". */
export const limitText = (limit: number): string => (limit === 0 ? "no limit" : `${limit} a day`);
